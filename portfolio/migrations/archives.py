"""The archive step of ``privacy-2``: sealed birth dates and phones, new masks, re-hashed chains.

One archive at a time (its document, then its entries), from the raw stored documents: the old
form does not validate as today's ``Archive``. See ``portfolio.migrations`` for the order of
the writes and why the chain is hashed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pymongo import UpdateOne

from portfolio import faults
from portfolio.archives.chain import (
    GENESIS_HASH,
    StoredEntry,
    entry_hash,
    first_break,
    hashed_content,
)
from portfolio.archives.documents import ARCHIVE_FORM, Archive, ArchiveEntry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.personal import BIRTH_DATE_FIELD, PHONE_FIELD
from portfolio.archives.scope import CERTIFICATE_FIELD, ID_NUMBER_FIELD, SSN_FIELD
from portfolio.errors import Conflict
from portfolio.identity.masking import (
    mask_document_number,
    mask_identity_number,
    mask_phone,
    remask_legacy,
)
from portfolio.identity.protection import FieldProtection, Sealed, associated_data

# A racing write makes the archive be read and migrated again, this many times at most.
MAX_ATTEMPTS = 5
# Crash points (``portfolio.faults``) of the tests that kill a run half-way.
CRASH_AFTER_JOURNAL = "migrate.after_journal"
CRASH_AFTER_ENTRIES = "migrate.after_entries"


@dataclass(frozen=True)
class ArchiveOutcome:
    """What migrating one archive did."""

    changed: bool = False
    rechained: bool = False
    # The stored chain did not verify before the migration: its entries were left alone.
    broken: bool = False


def _sealed_bson(value: Sealed) -> dict[str, Any]:
    return {"kid": value.kid, "nonce": value.nonce, "ciphertext": value.ciphertext}


def migrate_payload(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """An entry payload in today's form: no birth date, masked numbers in the new form."""
    migrated = {key: _remask(key, value) for key, value in payload.items()}
    if kind == EntryKind.REGISTERED.value:
        migrated.pop("birth_date", None)
    return migrated


def _remask(key: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _remask(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_remask(key, item) for item in value]
    if isinstance(value, str) and "masked" in key:
        return remask_legacy(value)
    return value


class _Fields:
    """The archive document's own fields in the new form (the ``$set`` of its update)."""

    def __init__(self, raw: Mapping[str, Any], protection: FieldProtection) -> None:
        self.raw = raw
        self.archive_id = str(raw["_id"])
        self.protection = protection
        # Form 1 values were sealed by the service (random nonces) or by the seeder (an
        # unkeyed hash for a nonce): all are sealed again. Form 2 values stay as they are.
        self.reseal = int(raw.get("form", 1)) < ARCHIVE_FORM

    def _aad(self, field: str) -> bytes:
        return associated_data("archives", field, self.archive_id)

    async def _open(self, value: Mapping[str, Any], field: str) -> str:
        return await self.protection.open(Sealed(**value), aad=self._aad(field))

    async def _sealed(self, value: Any, field: str) -> dict[str, Any] | None:
        """``value`` (plaintext or sealed) sealed anew, or None to leave it as it is."""
        if isinstance(value, Mapping):
            if not self.reseal:
                return None
            value = await self._open(value, field)
        return _sealed_bson(self.protection.seal(str(value), aad=self._aad(field)))

    async def updates(self) -> dict[str, Any]:
        """Every field to ``$set``; ``form`` last, so it marks a finished archive."""
        raw = self.raw
        update: dict[str, Any] = {}
        number = await self._open(raw["id_number"], ID_NUMBER_FIELD)
        if sealed := await self._sealed(raw["id_number"], ID_NUMBER_FIELD):
            update["id_number"] = sealed
        update["id_masked"] = mask_identity_number(number)
        birth = raw["birth_date"]
        if isinstance(birth, datetime):
            birth = birth.date().isoformat()
        elif isinstance(birth, date):  # pragma: no cover - BSON has no bare dates
            birth = birth.isoformat()
        elif isinstance(birth, str):
            # A date once given to $set: nx-27017 keeps it as "YYYY-MM-DD HH:MM:SS".
            birth = date.fromisoformat(birth[:10]).isoformat()
        if sealed := await self._sealed(birth, BIRTH_DATE_FIELD):
            update["birth_date"] = sealed
        phone = raw["phone"]
        if not isinstance(phone, Mapping):
            update["phone_masked"] = mask_phone(str(phone))
        elif "phone_masked" not in raw:  # pragma: no cover - sealed phones came with the mask
            update["phone_masked"] = mask_phone(await self._open(phone, PHONE_FIELD))
        if sealed := await self._sealed(phone, PHONE_FIELD):
            update["phone"] = sealed
        if raw.get("social_security"):
            link = dict(raw["social_security"])
            ssn = await self._open(link["number"], SSN_FIELD)
            if sealed := await self._sealed(link["number"], SSN_FIELD):
                link["number"] = sealed
            link["number_masked"] = mask_identity_number(ssn)
            update["social_security"] = link
        employment = raw.get("employment")
        if employment and employment.get("certificate_number"):
            job = dict(employment)
            certificate = await self._open(job["certificate_number"], CERTIFICATE_FIELD)
            if sealed := await self._sealed(job["certificate_number"], CERTIFICATE_FIELD):
                job["certificate_number"] = sealed
            job["certificate_masked"] = mask_document_number(certificate)
            update["employment"] = job
        update["form"] = ARCHIVE_FORM
        return update


async def migrate_archive(raw: Mapping[str, Any], protection: FieldProtection) -> ArchiveOutcome:
    """Bring one archive (document and chain) to the new form; a no-op on a migrated one."""
    current: Mapping[str, Any] | None = raw
    for _ in range(MAX_ATTEMPTS):
        if current is None:  # pragma: no cover - archives are never deleted
            return ArchiveOutcome()
        outcome = await _attempt(current, protection)
        if outcome is not None:
            return outcome
        current = await Archive.get_pymongo_collection().find_one({"_id": raw["_id"]})
    raise Conflict(f"archive {raw['_id']} kept changing while it was migrated; run again")


async def _attempt(raw: Mapping[str, Any], protection: FieldProtection) -> ArchiveOutcome | None:
    """One try; None when a racing write changed the archive (read it again)."""
    archives = Archive.get_pymongo_collection()
    journal = raw.get("migrating")
    if int(raw.get("form", 1)) >= ARCHIVE_FORM and journal is None:
        return ArchiveOutcome()
    archive_id = str(raw["_id"])
    head = raw["head"]
    update: dict[str, Any] = {"$set": await _Fields(raw, protection).updates()}
    entries = (
        await ArchiveEntry.get_pymongo_collection()
        .find({"archive_id": archive_id})
        .sort("seq", 1)
        .to_list()
    )
    payloads = [migrate_payload(e["kind"], e["payload"]) for e in entries]
    stale = any(p != e["payload"] for p, e in zip(payloads, entries, strict=True))
    broken = rechained = False
    if journal is None and stale:
        stored = [StoredEntry.from_raw(e) for e in entries]
        broken = first_break(archive_id, stored, int(head["seq"]), str(head["hash"])) is not None
        if not broken:
            # Verified as stored: from here on the entries are hashed again, and a run that
            # dies half-way trusts this mark instead of the half-rewritten chain.
            marked = await archives.update_one(
                {"_id": raw["_id"], "version": raw["version"], "head.seq": head["seq"]},
                {"$set": {"migrating": {"head_seq": head["seq"], "head_hash": head["hash"]}}},
            )
            if marked.modified_count != 1:
                return None
            faults.crash_point(CRASH_AFTER_JOURNAL)
            journal = True
    if journal is not None:
        new_head = await _rechain(archive_id, entries, payloads, int(head["seq"]))
        faults.crash_point(CRASH_AFTER_ENTRIES)
        update["$set"]["head"] = {"seq": head["seq"], "hash": new_head}
        update["$unset"] = {"migrating": ""}
        rechained = True
    done = await archives.update_one(
        {"_id": raw["_id"], "version": raw["version"], "head.seq": head["seq"]}, update
    )
    if done.modified_count != 1:
        return None
    return ArchiveOutcome(changed=True, rechained=rechained, broken=broken)


async def _rechain(
    archive_id: str,
    entries: list[dict[str, Any]],
    payloads: list[dict[str, Any]],
    head_seq: int,
) -> str:
    """Store the new payloads and hashes; return the hash of the entry the head points at."""
    prev = GENESIS_HASH
    head_hash = GENESIS_HASH
    writes: list[UpdateOne] = []
    for entry, payload in zip(entries, payloads, strict=True):
        content = hashed_content(
            archive_id=archive_id,
            seq=entry["seq"],
            kind=entry["kind"],
            recorded_at=entry["recorded_at"],
            recorded_by=entry["recorded_by"],
            payload=payload,
            corrects=entry.get("corrects"),
        )
        digest = entry_hash(prev, content)
        if payload != entry["payload"] or entry["prev_hash"] != prev or entry["hash"] != digest:
            writes.append(
                UpdateOne(
                    {"_id": entry["_id"]},
                    {"$set": {"payload": payload, "prev_hash": prev, "hash": digest}},
                )
            )
        if entry["seq"] == head_seq:
            head_hash = digest
        prev = digest
    if writes:
        await ArchiveEntry.get_pymongo_collection().bulk_write(writes, ordered=True)
    return head_hash
