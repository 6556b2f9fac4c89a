"""Use cases of a running agreement: start, pause, resume, stop, complete.

Starting touches four documents, each guarded by its own conditional update, in an order that
can be undone: the worker's guard (one active or paused apprenticeship per worker), a slot of
the enterprise mentor, a slot of the school mentor (at most ``MENTOR_CAP`` each), then the
agreement itself (confirmed -> active). A failed later step gives back what the earlier ones
took. Stopping and completing give the guard and the slots back. The winner of each of these
moves appends the archive entry (started, stopped, completed).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.apprenticeships import history, mentors
from portfolio.apprenticeships.access import acting_party, get_visible
from portfolio.apprenticeships.documents import ApprenticeGuard, Apprenticeship, MentorRef
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction, Party
from portfolio.apprenticeships.rules import (
    MENTOR_CAP,
    RUNNING,
    check_completion_day,
    check_step_date,
    is_below_plan,
    next_state,
)
from portfolio.apprenticeships.views import ApprenticeshipView, Completion, DatedStep, day_or_none
from portfolio.archives import EntryKind, Recorder, append_entry, certificate_standing
from portfolio.errors import Conflict, FieldError, ValidationFailed
from portfolio.once import insert_once
from portfolio.vocabulary import SkillLevel

MAX_GUARD_ATTEMPTS = 20
# A claim whose start never finished (the process died) may be taken over after this long.
STALE_CLAIM_MS = 60_000
OVERLAP = "the worker already has an active or paused apprenticeship"


async def _claim_is_stale(guard: ApprenticeGuard, now_ms: int) -> bool:
    holder = await Apprenticeship.get(PydanticObjectId(guard.apprenticeship_id))
    if holder is None or holder.status in (
        ApprenticeshipStatus.STOPPED,
        ApprenticeshipStatus.COMPLETED,
    ):
        return True  # ended, but the process died before giving the guard back
    if holder.status in RUNNING:
        return False
    return now_ms - guard.claimed_at_ms > STALE_CLAIM_MS


async def claim_guard(archive_id: str, apprenticeship_id: str, now: datetime) -> str:
    """Make ``apprenticeship_id`` the worker's one running apprenticeship; the claim's token.

    Refused (Conflict) while another claim stands, even one for the same agreement (a start
    of it in progress elsewhere), unless that claim is stale (see ``_claim_is_stale``).
    """
    oid = PydanticObjectId(archive_id)
    token = secrets.token_hex(8)
    guards = ApprenticeGuard.get_pymongo_collection()
    for _ in range(MAX_GUARD_ATTEMPTS):
        guard = await ApprenticeGuard.get(oid)
        if guard is None:
            # The worker's first start; a racing first start simply wins the insert.
            await insert_once(ApprenticeGuard(id=oid))
            continue
        if guard.apprenticeship_id and not await _claim_is_stale(guard, clock.epoch_ms(now)):
            if guard.apprenticeship_id == apprenticeship_id:
                raise Conflict("this apprenticeship is being started already")
            raise Conflict(OVERLAP, field="apprentice", rule="apprenticeship_overlap")
        result = await guards.update_one(
            {"_id": oid, "version": guard.version},
            {
                "$set": {
                    "apprenticeship_id": apprenticeship_id,
                    "claim": token,
                    "claimed_at_ms": clock.epoch_ms(now),
                },
                "$inc": {"version": 1},
            },
        )
        if result.modified_count == 1:
            return token
    raise Conflict("the worker's record is busy; retry the request")


async def _drop_claim(archive_id: str, condition: dict[str, str]) -> None:
    await ApprenticeGuard.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(archive_id), **condition},
        {"$set": {"apprenticeship_id": "", "claim": ""}, "$inc": {"version": 1}},
    )


async def release_claim(archive_id: str, token: str) -> None:
    """Give back a claim this request made (its start failed at a later step)."""
    await _drop_claim(archive_id, {"claim": token})


async def release_guard(archive_id: str, apprenticeship_id: str) -> None:
    """Give the worker's guard back if ``apprenticeship_id`` holds it (stopped, completed)."""
    await _drop_claim(archive_id, {"apprenticeship_id": apprenticeship_id})


async def take_slots(pairs: list[tuple[str, MentorRef]]) -> None:
    """A slot of each mentor (``field`` names it in the error), all or none."""
    taken: list[str] = []
    for field, mentor in pairs:
        if not await mentors.take_slot(mentor.id):
            for mentor_id in taken:
                await mentors.give_back_slot(mentor_id)
            raise Conflict(
                f"the mentor {mentor.name} already guides {MENTOR_CAP} apprentices",
                field=field,
                rule="mentor_full",
            )
        taken.append(mentor.id)


def _mentor_pairs(apprenticeship: Apprenticeship) -> list[tuple[str, MentorRef]]:
    plan = apprenticeship.plan
    return [
        ("enterprise_mentor_id", plan.enterprise_mentor),
        ("school_mentor_id", plan.school_mentor),
    ]


def _check_dated_step(apprenticeship: Apprenticeship, on: date, today: date) -> None:
    errors = check_step_date(
        on,
        today=today,
        started=day_or_none(apprenticeship.started_on),
        last=day_or_none(apprenticeship.last_step_on),
    )
    if errors:
        raise ValidationFailed(errors)


def started_payload(apprenticeship: Apprenticeship) -> dict[str, Any]:
    """What the archive keeps of a start (besides the agreement's id)."""
    return {
        "occupation_code": apprenticeship.occupation_code,
        "target_level": apprenticeship.target_level.value,
        "employer_name": apprenticeship.employer_name,
        "employer_credit_code": apprenticeship.employer_credit_code,
        "institution_name": apprenticeship.institution_name,
        "start": apprenticeship.started_on,
        "planned_end": apprenticeship.plan.planned_end,
        "region_code": apprenticeship.region_code,
    }


def ended_payload(apprenticeship: Apprenticeship) -> tuple[EntryKind, dict[str, Any]]:
    """The entry kind and what the archive keeps of a stop or a completion."""
    common = {
        "end": apprenticeship.ended_on,
        "occupation_code": apprenticeship.occupation_code,
        "target_level": apprenticeship.target_level.value,
        "employer_name": apprenticeship.employer_name,
    }
    if apprenticeship.status is ApprenticeshipStatus.COMPLETED:
        level = apprenticeship.level_reached
        return EntryKind.APPRENTICESHIP_COMPLETED, {
            **common,
            "level_reached": level.value if level else "",
            "certificate_entry_seq": apprenticeship.certificate_entry_seq or None,
            "below_plan": apprenticeship.below_plan,
        }
    return EntryKind.APPRENTICESHIP_STOPPED, {**common, "reason": apprenticeship.end_reason}


async def _entry(
    apprenticeship: Apprenticeship,
    kind: EntryKind,
    actor: Actor,
    payload: dict[str, Any],
    seq_field: str,
) -> Apprenticeship:
    """Append the archive entry and note its seq on the agreement."""
    entry = await append_entry(
        archive_id=apprenticeship.archive_id,
        kind=kind,
        payload={"apprenticeship_id": str(apprenticeship.id), **payload},
        recorded_by=Recorder.of(actor),
    )
    await Apprenticeship.get_pymongo_collection().update_one(
        {"_id": apprenticeship.id, seq_field: 0}, {"$set": {seq_field: entry.seq}}
    )
    fresh = await Apprenticeship.get(apprenticeship.id)
    assert fresh is not None
    return fresh


async def start(*, actor: Actor, apprenticeship_id: str, step: DatedStep) -> ApprenticeshipView:
    """The employer starts the confirmed agreement on ``step.on`` (today by default).

    The day lies within the planned period and not in the future. Refused (409) when the
    worker has another active or paused apprenticeship, or a mentor guides the most allowed.
    """
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER)
    target = next_state("start", apprenticeship.status)
    now = clock.now()
    today = clock.china_today(now)
    day = step.on or today
    errors = check_step_date(day, today=today, started=None, last=None)
    if day < date.fromisoformat(apprenticeship.plan.planned_start):
        errors.append(
            FieldError("on", "before_planned_start", "the day lies before the planned start")
        )
    if day > date.fromisoformat(apprenticeship.plan.planned_end):
        errors.append(FieldError("on", "after_planned_end", "the day lies after the planned end"))
    if errors:
        raise ValidationFailed(errors)

    token = await claim_guard(apprenticeship.archive_id, str(apprenticeship.id), now)
    try:
        await take_slots(_mentor_pairs(apprenticeship))
    except BaseException:
        await release_claim(apprenticeship.archive_id, token)
        raise
    noted = history.note(
        apprenticeship, action=EventAction.STARTED, party=party, actor=actor, now=now, on=day
    )
    try:
        started = await history.move(
            apprenticeship,
            noted,
            {
                "status": target.value,
                "started_on": day.isoformat(),
                "last_step_on": day.isoformat(),
            },
        )
    except Conflict:
        # Lost the race for the agreement itself: nothing of this start stands.
        for _, mentor in _mentor_pairs(apprenticeship):
            await mentors.give_back_slot(mentor.id)
        await release_claim(apprenticeship.archive_id, token)
        raise
    entered = await _entry(
        started,
        EntryKind.APPRENTICESHIP_STARTED,
        actor,
        started_payload(started),
        "start_entry_seq",
    )
    return ApprenticeshipView.of(entered)


async def pause(*, actor: Actor, apprenticeship_id: str, step: DatedStep) -> ApprenticeshipView:
    """The employer or the institution pauses the active agreement from ``step.on`` (that
    day is not counted), with a reason."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    target = next_state("pause", apprenticeship.status)
    now = clock.now()
    today = clock.china_today(now)
    day = step.on or today
    _check_dated_step(apprenticeship, day, today)
    reason = step.reason
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a pause needs a reason")
    noted = history.note(
        apprenticeship,
        action=EventAction.PAUSED,
        party=party,
        actor=actor,
        now=now,
        on=day,
        reason=reason.strip(),
    )
    paused = await history.move(
        apprenticeship, noted, {"status": target.value, "last_step_on": day.isoformat()}
    )
    return ApprenticeshipView.of(paused)


async def resume(*, actor: Actor, apprenticeship_id: str, step: DatedStep) -> ApprenticeshipView:
    """The employer or the institution resumes the paused agreement from ``step.on``
    (counted again)."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    target = next_state("resume", apprenticeship.status)
    now = clock.now()
    today = clock.china_today(now)
    day = step.on or today
    _check_dated_step(apprenticeship, day, today)
    noted = history.note(
        apprenticeship, action=EventAction.RESUMED, party=party, actor=actor, now=now, on=day
    )
    resumed = await history.move(
        apprenticeship, noted, {"status": target.value, "last_step_on": day.isoformat()}
    )
    return ApprenticeshipView.of(resumed)


async def _release(apprenticeship: Apprenticeship) -> None:
    for _, mentor in _mentor_pairs(apprenticeship):
        await mentors.give_back_slot(mentor.id)
    await release_guard(apprenticeship.archive_id, str(apprenticeship.id))


async def stop(*, actor: Actor, apprenticeship_id: str, step: DatedStep) -> ApprenticeshipView:
    """The employer or the institution ends the agreement early; ``step.on`` is its last day.

    Not in the future, not before the start (nor before the last pause or resumption).
    """
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    target = next_state("stop", apprenticeship.status)
    now = clock.now()
    today = clock.china_today(now)
    day = step.on or today
    _check_dated_step(apprenticeship, day, today)
    reason = step.reason
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a stop needs a reason")
    noted = history.note(
        apprenticeship,
        action=EventAction.STOPPED,
        party=party,
        actor=actor,
        now=now,
        on=day,
        reason=reason.strip(),
    )
    stopped = await history.move(
        apprenticeship,
        noted,
        {"status": target.value, "ended_on": day.isoformat(), "end_reason": reason.strip()},
    )
    await _release(stopped)
    kind, payload = ended_payload(stopped)
    return ApprenticeshipView.of(await _entry(stopped, kind, actor, payload, "end_entry_seq"))


async def _check_certificate(
    apprenticeship: Apprenticeship, seq: int | None, level: SkillLevel
) -> None:
    """The completion's evidence: a certificate entry (issued or corrected) of the worker's
    archive, not voided and, as its later corrections leave it, in the apprenticeship's
    occupation at exactly the level reached."""
    field = "certificate_entry_seq"
    if seq is None:
        raise ValidationFailed.single(
            field,
            "required",
            "a completion needs the certificate entry that attests the level reached",
        )
    certificate = await certificate_standing(apprenticeship.archive_id, seq)
    if certificate is None:
        raise ValidationFailed.single(
            field, "not_a_certificate", "no certificate entry with this seq in the archive"
        )
    if certificate.voided:
        raise ValidationFailed.single(field, "certificate_voided", "the certificate is voided")
    if certificate.payload.get("occupation_code") != apprenticeship.occupation_code:
        raise ValidationFailed.single(
            field,
            "occupation_mismatch",
            "the certificate is for another occupation than the apprenticeship's",
        )
    if certificate.payload.get("level") != level.value:
        raise ValidationFailed.single(
            field, "level_mismatch", "the certificate's level is not the level reached"
        )


async def complete(
    *,
    actor: Actor,
    apprenticeship_id: str,
    completion: Completion,
    tolerance_days: int,
) -> ApprenticeshipView:
    """The employer or the institution records the completion and the level reached.

    The completion day (``completion.on``, today by default) lies no earlier than the planned
    end minus ``tolerance_days`` (the ``apprenticeship_completion_tolerance_days`` setting);
    ending earlier is a stop with a reason. ``completion.certificate_entry_seq`` points at the
    certificate entry (issued or corrected) in the worker's archive that attests the level
    reached: same occupation, same level. A level below the target is allowed and recorded as
    such (``below_plan``, on the agreement, its event and the archive entry).
    """
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    target = next_state("complete", apprenticeship.status)
    now = clock.now()
    today = clock.china_today(now)
    day = completion.on or today
    _check_dated_step(apprenticeship, day, today)
    errors = check_completion_day(
        day,
        planned_end=date.fromisoformat(apprenticeship.plan.planned_end),
        tolerance_days=tolerance_days,
    )
    if errors:
        raise ValidationFailed(errors)
    level_reached = completion.level_reached
    certificate_entry_seq = completion.certificate_entry_seq
    await _check_certificate(apprenticeship, certificate_entry_seq, level_reached)
    below_plan = is_below_plan(level_reached, apprenticeship.target_level)
    noted = history.note(
        apprenticeship,
        action=EventAction.COMPLETED,
        party=party,
        actor=actor,
        now=now,
        on=day,
        details={
            "level_reached": level_reached.value,
            "certificate_entry_seq": certificate_entry_seq,
            "below_plan": below_plan,
        },
    )
    completed = await history.move(
        apprenticeship,
        noted,
        {
            "status": target.value,
            "ended_on": day.isoformat(),
            "level_reached": level_reached.value,
            "certificate_entry_seq": certificate_entry_seq,
            "below_plan": below_plan,
        },
    )
    await _release(completed)
    kind, payload = ended_payload(completed)
    return ApprenticeshipView.of(await _entry(completed, kind, actor, payload, "end_entry_seq"))
