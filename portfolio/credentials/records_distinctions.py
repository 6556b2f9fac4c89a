"""Badges for competition results that granted a level and for honours (issue 26).

Built from the archive's entries alone, as the summary is: a result or honour is followed
through its corrections (the latest states it; its seq is the record's version, so a
correction's badge revokes the older one's, as a certificate's new version does) and dropped
when voided. A voided record's badges are revoked here, when the worker's badges are next
issued (the void leaves no version to issue, so nothing else would flip their bits).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from portfolio.archives import EntryFacts, EntryKind
from portfolio.credentials import builders, status

_STATES: dict[str, tuple[str, str, str]] = {
    EntryKind.COMPETITION_RESULT: ("result", "entrant_id", "state"),
    EntryKind.COMPETITION_RESULT_CORRECTED: ("result", "entrant_id", "state"),
    EntryKind.COMPETITION_RESULT_VOIDED: ("result", "entrant_id", "void"),
    EntryKind.HONOUR: ("honour", "honour_id", "state"),
    EntryKind.HONOUR_CORRECTED: ("honour", "honour_id", "state"),
    EntryKind.HONOUR_VOIDED: ("honour", "honour_id", "void"),
}


def _day(text: Any, default: str = "2000-01-01") -> date:
    return date.fromisoformat(str(text or default)[:10])


def result_record(archive_id: str, seq: int, p: dict[str, Any]) -> builders.Record:
    """The record of a competition result that granted a level (payload ``p``)."""
    placed = f"第{p['rank']}名" if p.get("rank") else "参赛"
    award = str(p.get("award") or placed)
    return builders.Record(
        key=f"competition:{archive_id}:{seq}",
        kind="competition",
        name=f"{p.get('competition_name', '职业技能竞赛')}：{award}",
        description=(
            f"{p.get('tier_name', '')}，{placed}，按赛事公布的规则晋升为{p['level_granted']}"
        ),
        occupation_code=str(p["occupation_code"]),
        level=str(p["level_granted"]),
        awarded=_day(p.get("end_date")),
        creator_id=f"urn:portfolio:region:{p.get('region_code', '')}",
        creator_name=str(p.get("organiser", "")),
        result=award,
        started=_day(p.get("start_date")) if p.get("start_date") else None,
    )


def honour_record(archive_id: str, seq: int, p: dict[str, Any]) -> builders.Record:
    """The record of an honour (payload ``p``); its "occupation" is the title's code."""
    return builders.Record(
        key=f"honour:{archive_id}:{seq}",
        kind="honour",
        name=f"{p['year']}年度{p['title']}",
        description=(
            f"推荐单位：{p.get('nominated_by', '')}；"
            f"评选文件：{p.get('decision_number', '')}（{p.get('decision_date', '')}）"
        ),
        occupation_code=str(p.get("title_code") or "honour"),
        level=None,
        awarded=_day(p.get("decision_date")),
        creator_id=f"urn:portfolio:region:{p.get('region_code', '')}",
        creator_name="人力资源和社会保障部门",
        result="Awarded",
        human_code=str(p.get("decision_number") or "") or None,
    )


async def records(
    archive_id: str, entries: Sequence[EntryFacts]
) -> list[tuple[builders.Record, str, int]]:
    """(record, record id, version) of each live level-granting result and honour; the
    badges of voided ones are revoked on the way."""
    latest: dict[str, tuple[str, int, dict[str, Any]]] = {}
    voided: dict[str, int] = {}
    for entry in entries:
        found = _STATES.get(entry.kind)
        if found is None:
            continue
        what, key, action = found
        record_id = f"{what}:{entry.payload[key]}"
        if action == "void":
            voided[record_id] = entry.seq
            latest.pop(record_id, None)
        else:
            latest[record_id] = (what, entry.seq, entry.payload)
    for record_id, seq in voided.items():
        await status.revoke_before(record_id, seq + 1)
    built: list[tuple[builders.Record, str, int]] = []
    for record_id, (what, seq, payload) in latest.items():
        if what == "honour":
            built.append((honour_record(archive_id, seq, payload), record_id, seq))
        elif payload.get("level_granted"):
            built.append((result_record(archive_id, seq, payload), record_id, seq))
    return built
