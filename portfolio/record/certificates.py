"""The worker's certificates as their archive records them, each with its public check link.

Only the archive's entries are read (issued, corrected, voided), as the summary does: what
the worker sees is what the tamper-evident record says. A correction replaces the statement
it points at (and keeps its reason); a void marks the certificate voided with its reason; the
chain of corrections is followed back to the entry that first issued the certificate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING

from portfolio.accounts.principal import Actor
from portfolio.archives.documents import ArchiveEntry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.scope import require_worker
from portfolio.keyring import Keyring
from portfolio.record import links
from portfolio.record.views import CertificateChange, OwnCertificate
from portfolio.vocabulary import SkillLevel

CERTIFICATE_KINDS = [
    EntryKind.CERTIFICATE_ISSUED.value,
    EntryKind.CERTIFICATE_CORRECTED.value,
    EntryKind.CERTIFICATE_VOIDED.value,
]
_LEVELS = {level.value: level for level in SkillLevel}


@dataclass
class _Folding:
    first_seq: int
    seq: int
    payload: Mapping[str, Any]
    voided: bool = False
    void_reason: str = ""
    changes: list[CertificateChange] = field(default_factory=list)


def fold(entries: Iterable[Mapping[str, Any]]) -> list[_Folding]:
    """The certificates the entries state (raw entries in ascending ``seq``), oldest first."""
    root: dict[int, int] = {}
    found: dict[int, _Folding] = {}
    for entry in entries:
        seq: int = entry["seq"]
        kind = entry["kind"]
        payload: Mapping[str, Any] = entry["payload"]
        corrects: int | None = entry.get("corrects")
        first = root.get(corrects, corrects) if corrects is not None else seq
        if kind == EntryKind.CERTIFICATE_ISSUED:
            root[seq] = seq
            found[seq] = _Folding(first_seq=seq, seq=seq, payload=payload)
        elif first is not None and first in found:
            current = found[first]
            root[seq] = first
            change = CertificateChange(
                seq=seq,
                kind=kind,
                recorded_at=_at(entry["recorded_at"]),
                reason=str(payload.get("reason") or ""),
            )
            current.changes.append(change)
            if kind == EntryKind.CERTIFICATE_CORRECTED:
                current.payload, current.seq = payload, seq
            elif kind == EntryKind.CERTIFICATE_VOIDED:
                current.voided, current.void_reason = True, change.reason
    return list(found.values())


def _at(value: Any) -> datetime:
    assert isinstance(value, datetime)
    return value


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


async def own_certificates(*, actor: Actor, keyring: Keyring) -> list[OwnCertificate]:
    """The worker's certificates, the most recently issued first, voided ones included."""
    archive_id = str(require_worker(actor))
    raw = (
        await ArchiveEntry.get_pymongo_collection()
        .find(
            {"archive_id": archive_id, "kind": {"$in": CERTIFICATE_KINDS}},
            {"seq": 1, "kind": 1, "payload": 1, "corrects": 1, "recorded_at": 1},
        )
        .sort("seq", ASCENDING)
        .to_list()
    )
    shown: list[OwnCertificate] = []
    for item in fold(raw):
        # The voiding entry carries the certificate's id too; the statement always does.
        certificate_id = item.payload.get("certificate_id")
        level = item.payload.get("level")
        shown.append(
            OwnCertificate(
                first_seq=item.first_seq,
                seq=item.seq,
                number=str(item.payload.get("certificate_number", "")),
                certificate_type=str(item.payload.get("certificate_type", "")),
                occupation_code=str(item.payload.get("occupation_code", "")),
                level=_LEVELS.get(level) if isinstance(level, str) else None,
                issuing_body=str(item.payload.get("issuing_body") or ""),
                issue_date=_day(item.payload.get("issue_date")),
                voided=item.voided,
                void_reason=item.void_reason,
                changes=item.changes,
                token=(
                    await links.token_for(keyring, certificate_id)
                    if isinstance(certificate_id, str)
                    else None
                ),
            )
        )
    shown.sort(key=lambda c: (c.issue_date or date.min, c.first_seq), reverse=True)
    return shown
