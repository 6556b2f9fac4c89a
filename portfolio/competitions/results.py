"""Entrants and results: entering workers, entering their ranks, publishing, correcting and
voiding a result.

While an event is open its agency enters workers (by ID number and name: one and the same
error for an unknown number, a wrong name or a worker outside the agency's region) and their
ranks and awards; nothing is in any archive yet. Publishing closes the event (one conditional
update, open -> published) and then states each entrant's result in their archive
(``competition_result``: the event, rank, award and the level its rule grants from the level
the worker held in the event's occupation then). Each entrant is its own step
(``portfolio.stated``): a publish repeated after a crash finishes the entrants left, never
doubles one. A published result is corrected (a new entry pointing at the one it replaces,
the level worked out again from the same held level) or voided, each with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import (
    EntryKind,
    Recorder,
    WorkerRef,
    find_worker,
    highest_level,
    log_reads,
)
from portfolio.competitions.changes import competition_changed, entrant_changed
from portfolio.competitions.documents import Competition, Entrant
from portfolio.competitions.holding import get, visible
from portfolio.competitions.rules import (
    MAX_RANK,
    TIER_LABELS,
    CompetitionStatus,
    ResultStatus,
    RuleStep,
    level_for,
)
from portfolio.competitions.views import CompetitionView, EntrantView
from portfolio.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from portfolio.faults import crash_point
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.stated import NOT_STATED, PENDING, Stating, write_stating

MAX_AWARD = 40
MAX_REASON = 500
NO_MATCH = "no registered worker of your region has this ID number and name"


@dataclass(frozen=True)
class ResultRow:
    """One entrant's result as entered: rank (None: took part, no place) and award."""

    entrant_id: str
    rank: int | None
    award: str


def _open(found: Competition) -> None:
    if found.status is not CompetitionStatus.OPEN:
        raise InvalidTransition(
            "the results are published: correct or void a result instead",
            current_state=found.status.value,
        )


async def add_entrant(
    *, actor: Actor, keyring: Keyring, competition_id: str, worker: WorkerRef
) -> EntrantView:
    """Enter a worker of the agency's region in an open event (once)."""
    competition = await visible(actor, competition_id)
    _open(competition)
    try:
        archive = await find_worker(keyring, worker)
    except ValidationFailed:
        archive = None
    if archive is None or not actor.covers_region(archive.region_code):
        raise ValidationFailed.single("worker", "no_match", NO_MATCH)
    now = clock.truncate_to_millis(clock.now())
    entrant = Entrant(
        key=f"{competition.id}|{archive.id}",
        competition_id=str(competition.id),
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        year=competition.start_date.year,
        occupation_code=competition.occupation_code,
        recorded_at=now,
        recorded_by=actor.principal_id,
    )
    if not await insert_once(entrant):
        raise Conflict("this worker is already entered in this competition")
    await Competition.get_pymongo_collection().update_one(
        {"_id": competition.id}, {"$inc": {"entrants": 1}}
    )
    await entrant_changed(None, entrant, reason="entered")
    return EntrantView.of(entrant)


def _row_errors(rows: Sequence[ResultRow]) -> list[FieldError]:
    errors: list[FieldError] = []
    for n, row in enumerate(rows):
        if row.rank is not None and not 1 <= row.rank <= MAX_RANK:
            errors.append(FieldError(f"results.{n}.rank", "range", f"1 to {MAX_RANK}"))
        if len(row.award.strip()) > MAX_AWARD:
            errors.append(FieldError(f"results.{n}.award", "length", f"at most {MAX_AWARD}"))
    return errors


async def enter_results(
    *, actor: Actor, competition_id: str, rows: Sequence[ResultRow]
) -> CompetitionView:
    """Enter or change ranks and awards while the event is open (all rows or none)."""
    competition = await visible(actor, competition_id)
    _open(competition)
    errors = _row_errors(rows)
    entrants = {str(e.id): e async for e in Entrant.find({"competition_id": str(competition.id)})}
    errors += [
        FieldError(f"results.{n}.entrant_id", "not_found", "not an entrant of this competition")
        for n, row in enumerate(rows)
        if row.entrant_id not in entrants
    ]
    if errors:
        raise ValidationFailed(errors)
    for row in rows:
        before = entrants[row.entrant_id]
        award = " ".join(row.award.split())
        if (before.rank, before.award) == (row.rank, award):
            continue
        moved = await Entrant.get_pymongo_collection().update_one(
            {"_id": before.id, "version": before.version, "entry_seq": NOT_STATED},
            {"$set": {"rank": row.rank, "award": award}, "$inc": {"version": 1}},
        )
        if moved.modified_count != 1:
            raise Conflict("an entrant changed meanwhile; reload and retry")
        after = before.model_copy(
            update={"rank": row.rank, "award": award, "version": before.version + 1}
        )
        await entrant_changed(before, after, reason="result entered")
    return await get(actor=actor, competition_id=competition_id)


def result_payload(competition: Competition, entrant: Entrant, **extra: Any) -> dict[str, Any]:
    """What the archive keeps of a result (the holder's identity is the archive's)."""
    return {
        "competition_id": str(competition.id),
        "entrant_id": str(entrant.id),
        "competition_name": competition.name,
        "tier": competition.tier.value,
        "tier_name": TIER_LABELS[competition.tier],
        "organiser": competition.organiser,
        "occupation_code": competition.occupation_code,
        "region_code": competition.region_code,
        "start_date": competition.start_date.isoformat(),
        "end_date": competition.end_date.isoformat(),
        "rank": entrant.rank,
        "award": entrant.award,
        "held_level": entrant.held_level.value if entrant.held_level else None,
        "level_granted": entrant.level_granted.value if entrant.level_granted else None,
        **extra,
    }


def stating_entry(competition: Competition, entrant: Entrant, recorder: Recorder) -> Stating:
    """The entry stating the entrant's result as it stands: its first statement, its latest
    correction, or its voiding."""
    if entrant.result_status is ResultStatus.VOIDED:
        payload = {
            "entrant_id": str(entrant.id),
            "competition_id": str(competition.id),
            "reason": entrant.void_reason,
        }
        kind = EntryKind.COMPETITION_RESULT_VOIDED
    elif entrant.corrects_seq:
        payload = result_payload(competition, entrant, reason=entrant.change_reason)
        kind = EntryKind.COMPETITION_RESULT_CORRECTED
    else:
        payload = result_payload(competition, entrant)
        kind = EntryKind.COMPETITION_RESULT
    corrects = entrant.corrects_seq or None
    return Stating(entrant.archive_id, kind, payload, recorder, corrects, "entrant_id")


async def finish_entries(*, changed_before: datetime) -> int:
    """The repair routine's step: state the result of every entrant a crash left pending
    (changed before ``changed_before``: younger ones may still be in their request)."""
    finished = 0
    pending = Entrant.find(
        {"entry_seq": PENDING, "changed_at_ms": {"$lt": clock.epoch_ms(changed_before)}}
    )
    async for entrant in pending:
        competition = await Competition.get(ids.parse(entrant.competition_id, "competition"))
        assert competition is not None  # an entrant belongs to a stored event
        recorder = Recorder(
            principal=entrant.changed_by, role="agency", region=competition.region_code
        )
        await _state(competition, entrant, recorder)
        finished += 1
    return finished


async def _state(competition: Competition, entrant: Entrant, recorder: Recorder) -> int:
    async def note(seq: int) -> None:
        await Entrant.get_pymongo_collection().update_one(
            {"_id": entrant.id, "version": entrant.version, "entry_seq": PENDING},
            {"$set": {"entry_seq": seq}},
        )

    return await write_stating(stating_entry(competition, entrant, recorder), note)


def _rule(competition: Competition) -> list[RuleStep]:
    return [RuleStep(s.up_to_rank, s.grant) for s in competition.level_rule]


async def _publish_one(
    competition: Competition, entrant: Entrant, actor: Actor, now: datetime
) -> None:
    """State one entrant's result: fix the level first (one conditional update), then the
    entry. An entrant already pending is only written."""
    if entrant.entry_seq == NOT_STATED:
        held = await highest_level(entrant.archive_id, competition.occupation_code)
        granted = level_for(_rule(competition), entrant.rank, held)
        fixed = {
            "held_level": held.value if held else None,
            "level_granted": granted.value if granted else None,
            "entry_seq": PENDING,
            "changed_by": actor.principal_id,
            "changed_at_ms": clock.epoch_ms(now),
        }
        moved = await Entrant.get_pymongo_collection().update_one(
            {"_id": entrant.id, "version": entrant.version, "entry_seq": NOT_STATED},
            {"$set": fixed, "$inc": {"version": 1}},
        )
        if moved.modified_count != 1:
            return  # a racing publish took this entrant
        after = entrant.model_copy(
            update={
                "held_level": held,
                "level_granted": granted,
                "entry_seq": PENDING,
                "version": entrant.version + 1,
            }
        )
        crash_point("competition:after_pending")
        await entrant_changed(entrant, after, reason="result published")
        entrant = after
    await _state(competition, entrant, Recorder.of(actor))


async def publish(*, actor: Actor, competition_id: str) -> CompetitionView:
    """Close the event and state every entrant's result in their archive (a repeat finishes
    what an interrupted publish left)."""
    competition = await visible(actor, competition_id)
    now = clock.now()
    if competition.status is CompetitionStatus.OPEN:
        if competition.entrants == 0:
            raise InvalidTransition("no entrant to publish a result for", current_state="open")
        moved = await Competition.get_pymongo_collection().update_one(
            {"_id": competition.id, "status": "open", "version": competition.version},
            {
                "$set": {
                    "status": "published",
                    "published_by": actor.principal_id,
                    "changed_at_ms": clock.epoch_ms(now),
                },
                "$inc": {"version": 1},
            },
        )
        if moved.modified_count == 1:
            after = competition.model_copy(
                update={
                    "status": CompetitionStatus.PUBLISHED,
                    "version": competition.version + 1,
                }
            )
            await competition_changed(competition, after, reason="results published")
            competition = after
    async for entrant in Entrant.find(
        {"competition_id": str(competition.id), "entry_seq": {"$lte": PENDING}}
    ):
        await _publish_one(competition, entrant, actor, now)
    return await get(actor=actor, competition_id=competition_id)


async def _stated_entrant(actor: Actor, competition_id: str, entrant_id: str) -> Entrant:
    competition = await visible(actor, competition_id)
    entrant = await Entrant.find_one(
        {"_id": ids.parse(entrant_id, "entrant"), "competition_id": str(competition.id)}
    )
    if entrant is None:
        raise NotFound("no such entrant")
    if entrant.result_status is ResultStatus.VOIDED:
        raise InvalidTransition("the result is voided", current_state="voided")
    if entrant.entry_seq <= PENDING:
        raise InvalidTransition(
            "the result is not in the archive yet: publish (again) first",
            current_state="unpublished" if entrant.entry_seq == NOT_STATED else "pending",
        )
    return entrant


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not 0 < len(text) <= MAX_REASON:
        raise ValidationFailed.single("reason", "required", f"1 to {MAX_REASON} characters")
    return text


async def _change(
    actor: Actor, competition_id: str, entrant: Entrant, update: dict[str, Any], reason: str
) -> EntrantView:
    now = clock.now()
    changed = {
        **update,
        "entry_seq": PENDING,
        "corrects_seq": entrant.entry_seq,
        "changed_by": actor.principal_id,
        "changed_at_ms": clock.epoch_ms(now),
    }
    stored = {k: (v.value if hasattr(v, "value") else v) for k, v in changed.items()}
    moved = await Entrant.get_pymongo_collection().update_one(
        {"_id": entrant.id, "version": entrant.version, "entry_seq": entrant.entry_seq},
        {"$set": stored, "$inc": {"version": 1}},
    )
    if moved.modified_count != 1:
        raise Conflict("the result changed meanwhile; reload and retry")
    after = entrant.model_copy(update={**changed, "version": entrant.version + 1})
    await entrant_changed(entrant, after, reason=reason)
    competition = await visible(actor, competition_id)
    seq = await _state(competition, after, Recorder.of(actor))
    return EntrantView.of(after.model_copy(update={"entry_seq": seq}))


async def correct(
    *,
    actor: Actor,
    competition_id: str,
    entrant_id: str,
    rank: int | None,
    award: str,
    reason: str,
) -> EntrantView:
    """Restate a published result; the level is worked out again from the level held then."""
    entrant = await _stated_entrant(actor, competition_id, entrant_id)
    text = _reason(reason)
    errors = _row_errors([ResultRow(entrant_id, rank, award)])
    if errors:
        raise ValidationFailed(
            [FieldError(e.field.split(".")[-1], e.rule, e.message) for e in errors]
        )
    competition = await visible(actor, competition_id)
    granted = level_for(_rule(competition), rank, entrant.held_level)
    award = " ".join(award.split())
    if (entrant.rank, entrant.award, entrant.level_granted) == (rank, award, granted):
        return EntrantView.of(entrant)  # a repeat: nothing to correct
    update = {"rank": rank, "award": award, "level_granted": granted, "change_reason": text}
    return await _change(actor, competition_id, entrant, update, text)


async def void(*, actor: Actor, competition_id: str, entrant_id: str, reason: str) -> EntrantView:
    """Withdraw a published result (and the level it granted), with a reason."""
    entrant = await _stated_entrant(actor, competition_id, entrant_id)
    text = _reason(reason)
    update = {"result_status": ResultStatus.VOIDED, "void_reason": text}
    return await _change(actor, competition_id, entrant, update, text)


async def read_entrants(actor: Actor, view: CompetitionView) -> CompetitionView:
    """Log the agency's look at the entrants' names (one access-log entry per worker)."""
    await log_reads(actor, [e.archive_id for e in view.entrants], what="competition entrants")
    return view
