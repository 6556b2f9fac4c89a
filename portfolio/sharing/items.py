"""What of an archive may be shared, read from its entries only (the tamper-evident record).

Certificates come folded as ``portfolio.record.certificates`` folds them (a correction replaces
the statement, a void marks it); a corrected training completion shows its latest statement;
apprenticeship steps and awards are items of their own. Registration, identifier links,
transfers and vouchers are never shared: they say nothing an employer or a school needs and
hold numbers the worker keeps to themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING

from portfolio.accounts.principal import Actor
from portfolio.archives.documents import ArchiveEntry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.scope import require_worker
from portfolio.keyring import Keyring
from portfolio.record import links
from portfolio.record.certificates import CERTIFICATE_KINDS, fold
from portfolio.sharing.views import SharedItem

_OTHER_KINDS = [
    EntryKind.TRAINING_COMPLETED.value,
    EntryKind.APPRENTICESHIP_STARTED.value,
    EntryKind.APPRENTICESHIP_STOPPED.value,
    EntryKind.APPRENTICESHIP_COMPLETED.value,
    EntryKind.AWARD.value,
]
SHAREABLE_KINDS = [*CERTIFICATE_KINDS, *_OTHER_KINDS]


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return str(value) if value is not None else ""


async def shareable_items(archive_id: str, keyring: Keyring) -> list[SharedItem]:
    """Every shareable item of the archive, the newest first."""
    raw = (
        await ArchiveEntry.get_pymongo_collection()
        .find(
            {"archive_id": archive_id, "kind": {"$in": SHAREABLE_KINDS}},
            {"seq": 1, "kind": 1, "payload": 1, "corrects": 1, "recorded_at": 1},
        )
        .sort("seq", ASCENDING)
        .to_list()
    )
    recorded: dict[int, datetime] = {e["seq"]: e["recorded_at"] for e in raw}
    found: list[SharedItem] = []
    for cert in fold(e for e in raw if e["kind"] in CERTIFICATE_KINDS):
        p = cert.payload
        certificate_id = p.get("certificate_id")
        found.append(
            SharedItem(
                seq=cert.first_seq,
                kind=EntryKind.CERTIFICATE_ISSUED.value,
                recorded_at=recorded[cert.first_seq],
                title=_text(p, "certificate_type"),
                occupation_code=_text(p, "occupation_code"),
                level=_text(p, "level"),
                hours=None,
                number=_text(p, "certificate_number"),
                issuer=_text(p, "issuing_body"),
                on=_day(p.get("issue_date")),
                voided=cert.voided,
                check_token=(
                    await links.token_for(keyring, certificate_id)
                    if isinstance(certificate_id, str)
                    else None
                ),
            )
        )
    trainings: dict[int, tuple[int, Mapping[str, Any]]] = {}
    root: dict[int, int] = {}
    for entry in raw:
        kind, seq, p = entry["kind"], entry["seq"], entry["payload"]
        if kind == EntryKind.TRAINING_COMPLETED:
            corrects = entry.get("corrects")
            first = root.get(corrects, corrects) if corrects is not None else seq
            root[seq] = first
            trainings[first] = (seq, p)
        elif kind in _OTHER_KINDS:
            found.append(_other(seq, kind, entry["recorded_at"], p))
    for first, (_, p) in trainings.items():
        found.append(
            SharedItem(
                seq=first,
                kind=EntryKind.TRAINING_COMPLETED.value,
                recorded_at=recorded[first],
                title=_text(p, "course_title"),
                occupation_code=_text(p, "occupation_code"),
                level=_text(p, "target_level"),
                hours=float(p.get("hours") or 0),
                number="",
                issuer=_text(p, "provider_name"),
                on=_day(p.get("run_end_date")),
                voided=False,
                check_token=None,
            )
        )
    found.sort(key=lambda item: item.seq, reverse=True)
    return found


def _other(seq: int, kind: str, at: datetime, p: Mapping[str, Any]) -> SharedItem:
    if kind == EntryKind.AWARD:
        title, level, on = _text(p, "title"), "", None
    else:
        title = _text(p, "employer_name")
        level = _text(p, "level_reached") or _text(p, "target_level")
        on = _day(p.get("start") if kind == EntryKind.APPRENTICESHIP_STARTED else p.get("end"))
    return SharedItem(
        seq=seq,
        kind=kind,
        recorded_at=at,
        title=title,
        occupation_code=_text(p, "occupation_code"),
        level=level,
        hours=None,
        number="",
        issuer=_text(p, "institution_name"),
        on=on,
        voided=False,
        check_token=None,
    )


async def own_items(*, actor: Actor, keyring: Keyring) -> list[SharedItem]:
    """The worker's own shareable items (what a link to chosen entries may name)."""
    return await shareable_items(str(require_worker(actor)), keyring)
