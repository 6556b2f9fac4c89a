"""The archive summary kept on the archive document, so that a read does not recompute it.

The summary (``summary.py``) is a fold of the archive's entries. Entries are insert-only, so
the fold of the entries up to the head's seq N never changes: the archive keeps the last fold
computed, tagged with N and with the form of the fold (``SUMMARY_FORM``), and a read that finds
the head still at N uses it as it is, with no query of its own.

The first read after the head moved (an append, an interrupted append healed by
``advance_head`` or by the repair routine) or after the fold changed form recomputes it from
the entries up to the head it read, and keeps it with one conditional update on that head
(``{_id, head.seq: N}``). Should the head have moved in between, the update matches nothing
and a later read does it again, so what is kept is always the fold of exactly the entries up
to the seq it names; two readers keeping the same N write the same value. Appends leave it
alone: the append path stays the two writes ``entries.py`` describes, and a summary is only
ever computed by a read that needs it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo import ASCENDING

from portfolio.archives.documents import Archive, ArchiveEntry, KeptSummary
from portfolio.archives.summary import SUMMARY_KINDS, summarise
from portfolio.archives.views import ApprenticeshipSummary, ArchiveSummary, OccupationLevel
from portfolio.vocabulary import SkillLevel

# Raise it when ``summarise`` changes what it computes: every kept summary is then stale.
SUMMARY_FORM = 2  # 2: recognitions across borders hold levels
_KINDS = [kind.value for kind in SUMMARY_KINDS]


def stored_summary(summary: ArchiveSummary, seq: int) -> dict[str, Any]:
    """The stored form of ``summary`` as the fold of the entries up to ``seq``."""
    value = asdict(summary)
    value["highest_levels"] = [
        {"occupation_code": item.occupation_code, "level": item.level.value}
        for item in summary.highest_levels
    ]
    return {"seq": seq, "form": SUMMARY_FORM, "value": value}


def _from_stored(value: dict[str, Any]) -> ArchiveSummary:
    return ArchiveSummary(
        highest_levels=[
            OccupationLevel(item["occupation_code"], SkillLevel(item["level"]))
            for item in value["highest_levels"]
        ],
        training_hours=float(value["training_hours"]),
        trainings_completed=int(value["trainings_completed"]),
        certificate_count=int(value["certificate_count"]),
        apprenticeships=[ApprenticeshipSummary(**item) for item in value["apprenticeships"]],
        vouchers_redeemed=int(value["vouchers_redeemed"]),
        voucher_amount_fen=int(value["voucher_amount_fen"]),
        awards=int(value["awards"]),
    )


def is_current(kept: KeptSummary | None, head_seq: int) -> bool:
    """True when ``kept`` is the fold, in today's form, of the entries up to ``head_seq``."""
    return kept is not None and kept.seq == head_seq and kept.form == SUMMARY_FORM


async def summary_up_to(archive_id: str, seq: int) -> ArchiveSummary:
    """The summary computed from the archive's entries of the summary kinds up to ``seq``."""
    raw = (
        await ArchiveEntry.get_pymongo_collection()
        .find(
            {"archive_id": archive_id, "kind": {"$in": _KINDS}, "seq": {"$lte": seq}},
            {"seq": 1, "kind": 1, "payload": 1, "corrects": 1},
        )
        .sort("seq", ASCENDING)
        .to_list()
    )
    return summarise(raw)


async def summary_of(archive: Archive) -> ArchiveSummary:
    """The summary of ``archive`` as read: the kept one when current, else computed and kept."""
    head_seq = archive.head.seq
    kept = archive.summary
    if kept is not None and is_current(kept, head_seq):
        return _from_stored(kept.value)
    assert archive.id is not None
    summary = await summary_up_to(str(archive.id), head_seq)
    await Archive.get_pymongo_collection().update_one(
        {"_id": archive.id, "head.seq": head_seq},
        {"$set": {"summary": stored_summary(summary, head_seq)}},
    )
    return summary
