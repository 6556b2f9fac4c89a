"""The archive summary: what the entries add up to, corrections and voids applied.

Only entries are read (never another area's collections), so the summary is exactly what the
tamper-evident record says. A correction replaces the entry it points at; a void removes the
certificate; the chain of corrections is followed back to the first entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from portfolio.archives.kinds import EntryKind
from portfolio.archives.views import ApprenticeshipSummary, ArchiveSummary, OccupationLevel
from portfolio.vocabulary import SkillLevel

SUMMARY_KINDS = [
    EntryKind.TRAINING_COMPLETED,
    EntryKind.CERTIFICATE_ISSUED,
    EntryKind.CERTIFICATE_CORRECTED,
    EntryKind.CERTIFICATE_VOIDED,
    EntryKind.APPRENTICESHIP_STARTED,
    EntryKind.APPRENTICESHIP_STOPPED,
    EntryKind.APPRENTICESHIP_COMPLETED,
    EntryKind.VOUCHER_REDEEMED,
    EntryKind.AWARD,
    EntryKind.COMPETITION_RESULT,
    EntryKind.COMPETITION_RESULT_CORRECTED,
    EntryKind.COMPETITION_RESULT_VOIDED,
    EntryKind.CROSS_BORDER_RECOGNITION,
    EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED,
    EntryKind.CROSS_BORDER_RECOGNITION_VOIDED,
]
_LEVELS = {level.value: level for level in SkillLevel}


def summarise(entries: Iterable[Mapping[str, Any]]) -> ArchiveSummary:
    """The summary of ``entries`` (raw stored entries in ascending ``seq`` order)."""
    root: dict[int, int] = {}  # seq -> seq of the first entry of its correction chain
    certificates: dict[int, Mapping[str, Any]] = {}
    voided: set[int] = set()
    # A competition result that granted a level counts as a level like a certificate does.
    results: dict[int, Mapping[str, Any]] = {}
    trainings: dict[int, float] = {}
    apprenticeships: dict[str, dict[str, Any]] = {}
    vouchers = 0
    voucher_fen = 0
    awards = 0
    for entry in entries:
        seq: int = entry["seq"]
        kind = entry["kind"]
        payload: Mapping[str, Any] = entry["payload"]
        corrects: int | None = entry.get("corrects")
        first = root.get(corrects, corrects) if corrects is not None else seq
        if kind == EntryKind.CERTIFICATE_ISSUED:
            root[seq] = seq
            certificates[seq] = payload
        elif kind == EntryKind.CERTIFICATE_CORRECTED and first in certificates:
            root[seq] = first
            certificates[first] = payload
        elif kind == EntryKind.CERTIFICATE_VOIDED and first in certificates:
            voided.add(first)
        elif kind == EntryKind.COMPETITION_RESULT:
            root[seq] = seq
            results[seq] = payload
        elif kind == EntryKind.COMPETITION_RESULT_CORRECTED and first in results:
            root[seq] = first
            results[first] = payload
        elif kind == EntryKind.COMPETITION_RESULT_VOIDED and first in results:
            del results[first]
        elif kind == EntryKind.CROSS_BORDER_RECOGNITION:
            # A recognised Chongqing certificate or foreign qualification holds its level
            # (``level`` null when refused: it counts for nothing).
            root[seq] = seq
            results[seq] = payload
        elif kind == EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED and first in results:
            root[seq] = first
            results[first] = payload
        elif kind == EntryKind.CROSS_BORDER_RECOGNITION_VOIDED and first in results:
            del results[first]
        elif kind == EntryKind.TRAINING_COMPLETED:
            root[seq] = first
            trainings[first] = float(payload.get("hours", 0))
        elif kind == EntryKind.APPRENTICESHIP_STARTED:
            apprenticeships[payload["apprenticeship_id"]] = {
                "occupation_code": payload["occupation_code"],
                "target_level": payload["target_level"],
                "status": "active",
                "level_reached": None,
                "below_plan": False,
            }
        elif kind == EntryKind.APPRENTICESHIP_STOPPED:
            if payload["apprenticeship_id"] in apprenticeships:
                apprenticeships[payload["apprenticeship_id"]]["status"] = "stopped"
        elif kind == EntryKind.APPRENTICESHIP_COMPLETED:
            if payload["apprenticeship_id"] in apprenticeships:
                record = apprenticeships[payload["apprenticeship_id"]]
                record["status"] = "completed"
                record["level_reached"] = payload["level_reached"]
                record["below_plan"] = bool(payload.get("below_plan", False))
        elif kind == EntryKind.VOUCHER_REDEEMED:
            vouchers += 1
            voucher_fen += int(payload["amount_fen"])
        elif kind == EntryKind.AWARD:
            awards += 1

    live = {seq: cert for seq, cert in certificates.items() if seq not in voided}
    highest = highest_levels([*live.values(), *results.values()])
    return ArchiveSummary(
        highest_levels=[OccupationLevel(code, highest[code]) for code in sorted(highest)],
        training_hours=round(sum(trainings.values()), 2),
        trainings_completed=len(trainings),
        certificate_count=len(live),
        apprenticeships=[
            ApprenticeshipSummary(apprenticeship_id=key, **value)
            for key, value in apprenticeships.items()
        ],
        vouchers_redeemed=vouchers,
        voucher_amount_fen=voucher_fen,
        awards=awards,
    )


def highest_levels(stated: Iterable[Mapping[str, Any]]) -> dict[str, SkillLevel]:
    """The highest level per occupation among live certificates, level-granting results and
    recognitions across borders (a certificate or a recognition says ``level``, a competition
    result ``level_granted``)."""
    highest: dict[str, SkillLevel] = {}
    for cert in stated:
        level = _LEVELS.get(cert.get("level") or cert.get("level_granted") or "")
        occupation = cert.get("occupation_code")
        if level is None or not isinstance(occupation, str):
            continue
        if occupation not in highest or level.rank > highest[occupation].rank:
            highest[occupation] = level
    return highest
