"""The stored forms of the previous version, to test ``portfolio migrate`` against.

``downgrade`` rewrites data written by today's code exactly as the previous code stored it:
birth date (a BSON date) and phone in plaintext in the archive, masks ``510104********1234``,
the ``registered`` entry with the birth date and the chain hashed over those payloads, copies
of the old mask in enrolments, vouchers and apprenticeships, voucher grounds stating the age,
worker logins named by the phone number (in the principals and the audit trail), and, for a
seeded database, sealed values whose nonce is the seeder's old unkeyed hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bson import ObjectId
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pymongo.asynchronous.database import AsyncDatabase

from portfolio.archives.chain import GENESIS_HASH, entry_hash, hashed_content
from portfolio.identity.masking import age_on, mask_document_number, mask_identity_number
from portfolio.identity.protection import (
    FIELD_ENCRYPTION,
    NONCE_BYTES,
    FieldProtection,
    Sealed,
    associated_data,
)
from portfolio.keyring import Keyring

_NEW_AGE_EN = re.compile(r"(?:Within|Outside) the ages the policy is for: (?P<band>.+)\.")
_NEW_AGE_ZH = re.compile(r"年龄(?:不)?符合本政策(?P<band>.+)的要求。")


@dataclass(frozen=True)
class OldPerson:
    """A worker's plaintext values, as the old form kept (some of) them."""

    number: str
    phone: str
    birth: date
    ssn: str | None
    certificate: str | None


def old_mask(number: str) -> str:
    """The previous 18-character mask (area and last four); other lengths did not change."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else mask_identity_number(number)


def old_document_mask(number: str) -> str:
    """The previous mask of a card or certificate number."""
    return old_mask(number) if len(number) == 18 else mask_document_number(number)


def old_seed_nonce(seed: int, aad: bytes, plaintext: str) -> bytes:
    """The seeder's old nonce: an unkeyed hash of the public seed, the record and the value."""
    text = "|".join([str(seed), "nonce", aad.decode(), plaintext])
    return hashlib.sha256(text.encode()).digest()[:NONCE_BYTES]


class _Sealer:
    def __init__(self, keyring: Keyring, seed: int | None) -> None:
        self._protection = FieldProtection(keyring)
        self._key = keyring.current(FIELD_ENCRYPTION)
        self._seed = seed

    def seal(self, plaintext: str, aad: bytes) -> dict[str, Any]:
        if self._seed is None:
            sealed = self._protection.seal(plaintext, aad=aad)
        else:
            nonce = old_seed_nonce(self._seed, aad, plaintext)
            ciphertext = AESGCM(self._key.secret).encrypt(nonce, plaintext.encode(), aad)
            sealed = Sealed(kid=self._key.kid, nonce=nonce, ciphertext=ciphertext)
        return {"kid": sealed.kid, "nonce": sealed.nonce, "ciphertext": sealed.ciphertext}

    async def open(self, value: dict[str, Any], aad: bytes) -> str:
        return await self._protection.open(Sealed(**value), aad=aad)


async def _archive(
    db: AsyncDatabase[dict[str, Any]], raw: dict[str, Any], sealer: _Sealer
) -> OldPerson:
    aid = str(raw["_id"])

    def aad(field: str) -> bytes:
        return associated_data("archives", field, aid)

    number = await sealer.open(raw["id_number"], aad("id_number"))
    birth = date.fromisoformat(await sealer.open(raw["birth_date"], aad("birth_date")))
    phone = await sealer.open(raw["phone"], aad("phone"))
    update: dict[str, Any] = {
        "id_number": sealer.seal(number, aad("id_number")),
        "id_masked": old_mask(number),
        "birth_date": datetime(birth.year, birth.month, birth.day, tzinfo=UTC),
        "phone": phone,
    }
    ssn = certificate = None
    if raw.get("social_security"):
        link = dict(raw["social_security"])
        ssn = await sealer.open(link["number"], aad("social_security.number"))
        link["number"] = sealer.seal(ssn, aad("social_security.number"))
        link["number_masked"] = old_mask(ssn)
        update["social_security"] = link
    if raw.get("employment") and raw["employment"].get("certificate_number"):
        job = dict(raw["employment"])
        field = "employment.certificate_number"
        certificate = await sealer.open(job["certificate_number"], aad(field))
        job["certificate_number"] = sealer.seal(certificate, aad(field))
        job["certificate_masked"] = old_document_mask(certificate)
        update["employment"] = job
    # Written whole, as the old code inserted it: nx-27017 keeps a top-level date given to
    # $set as a string, and refuses bytes in a replacement.
    old = {k: v for k, v in raw.items() if k not in ("phone_masked", "form")} | update
    await db["archives"].delete_one({"_id": raw["_id"]})
    await db["archives"].insert_one(old)
    return OldPerson(number, phone, birth, ssn, certificate)


def _old_payload(kind: str, payload: dict[str, Any], person: OldPerson) -> dict[str, Any]:
    old = dict(payload)
    olds = {mask_identity_number(person.number): old_mask(person.number)}
    for value in (person.ssn, person.certificate):
        if value:
            olds[mask_document_number(value)] = old_document_mask(value)
    for key, value in payload.items():
        if "masked" in key and isinstance(value, str):
            old[key] = olds.get(value, value)
    if kind == "registered":
        old["birth_date"] = person.birth.isoformat()
    return old


async def _chain(db: AsyncDatabase[dict[str, Any]], archive_id: str, person: OldPerson) -> None:
    entries = await db["archive_entries"].find({"archive_id": archive_id}).sort("seq", 1).to_list()
    prev = GENESIS_HASH
    head = await db["archives"].find_one({"_id": ObjectId(archive_id)}, {"head": 1})
    assert head is not None
    head_seq = head["head"]["seq"]
    head_hash = GENESIS_HASH
    for entry in entries:
        payload = _old_payload(entry["kind"], entry["payload"], person)
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
        await db["archive_entries"].update_one(
            {"_id": entry["_id"]}, {"$set": {"payload": payload, "prev_hash": prev, "hash": digest}}
        )
        if entry["seq"] == head_seq:
            head_hash = digest
        prev = digest
    await db["archives"].update_one(
        {"_id": ObjectId(archive_id)}, {"$set": {"head": {"seq": head_seq, "hash": head_hash}}}
    )


def _old_ground(outcome: dict[str, Any], birth: date, day: date) -> dict[str, Any]:
    if outcome.get("rule") != "age_band":
        return outcome
    en = _NEW_AGE_EN.fullmatch(outcome["reason_en"])
    zh = _NEW_AGE_ZH.fullmatch(outcome["reason_zh"])
    assert en is not None
    assert zh is not None
    age = age_on(birth, day)
    if outcome["passed"]:
        texts = (
            f"年龄{age}岁，符合本政策{zh['band']}的要求。",
            f"Aged {age}; the policy is for people aged {en['band']}.",
        )
    else:
        texts = (
            f"年龄{age}岁，不符合本政策{zh['band']}的要求。",
            f"Aged {age}, but the policy is for people aged {en['band']}.",
        )
    return {**outcome, "reason_zh": texts[0], "reason_en": texts[1]}


async def downgrade(
    db: AsyncDatabase[dict[str, Any]], keyring: Keyring, *, seed: int | None = None
) -> dict[str, OldPerson]:
    """Rewrite the whole database in the previous stored forms; archive id -> its person."""
    sealer = _Sealer(keyring, seed)
    people: dict[str, OldPerson] = {}
    async for raw in db["archives"].find({}):
        people[str(raw["_id"])] = await _archive(db, raw, sealer)
    for archive_id, person in people.items():
        await _chain(db, archive_id, person)
    for name in ("enrolments", "apprenticeships", "vouchers"):
        async for raw in db[name].find({}):
            person = people[raw["archive_id"]]
            update: dict[str, Any] = {"worker_masked_id": old_mask(person.number)}
            if name == "vouchers":
                day = (raw["valid_from"] + timedelta(hours=8)).date()
                update["grounds"] = [_old_ground(g, person.birth, day) for g in raw["grounds"]]
            await db[name].update_one({"_id": raw["_id"]}, {"$set": update})
    renamed: dict[str, str] = {}
    async for raw in db["principals"].find({"role": "worker"}):
        if raw["username"].startswith("ph-"):
            phone = people[raw["archive_id"]].phone
            renamed[raw["username"]] = phone
            await db["principals"].update_one({"_id": raw["_id"]}, {"$set": {"username": phone}})
    for new, old in renamed.items():
        await db["audit_events"].update_many({"username": new}, {"$set": {"username": old}})
    return people
