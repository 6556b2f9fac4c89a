"""Change requests: one party proposes new dates, hours or mentors; the other accepts.

At most one change awaits an answer at a time; it is kept on the agreement
(``pending_change``, rewritten whole under the version precondition) and its story in the
events (proposed, accepted, rejected). The change is checked when proposed and again when
accepted. Accepting a mentor change of a running agreement moves the mentors' slots: the new
mentor's slot is taken first (refused at the cap), the old one's given back after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.apprenticeships import history, mentors
from portfolio.apprenticeships.access import acting_party, get_visible
from portfolio.apprenticeships.documents import (
    Apprenticeship,
    ApprenticeshipEvent,
    MentorRef,
    PendingChange,
    Plan,
)
from portfolio.apprenticeships.enums import ChangeStatus, EventAction, Party
from portfolio.apprenticeships.lifecycle import take_slots
from portfolio.apprenticeships.rules import CHANGEABLE, RUNNING, check_duration, check_hours
from portfolio.apprenticeships.views import (
    ApprenticeshipView,
    ChangeRequest,
    ChangeView,
    Rejection,
)
from portfolio.archives import to_bson
from portfolio.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)

MAX_NOTE = 500

_PLAN_FIELDS = (
    "planned_start",
    "planned_end",
    "extension_reason",
    "enterprise_hours",
    "institution_hours",
)
_MENTOR_FIELDS = {"enterprise_mentor_id": "enterprise_mentor", "school_mentor_id": "school_mentor"}


def _value(plan: Plan, name: str) -> Any:
    if name in _MENTOR_FIELDS:
        mentor: MentorRef = getattr(plan, _MENTOR_FIELDS[name])
        return mentor.id
    return getattr(plan, name)


def changed_fields(old: Plan, new: Plan) -> list[str]:
    """The request's field names whose value differs between the two plans."""
    return [
        name for name in (*_PLAN_FIELDS, *_MENTOR_FIELDS) if _value(old, name) != _value(new, name)
    ]


def _changes(plan: Plan, names: list[str]) -> dict[str, Any]:
    return {name: _value(plan, name) for name in names}


def _other(party: Party) -> Party:
    return Party.INSTITUTION if party is Party.EMPLOYER else Party.EMPLOYER


async def _proposed_plan(
    apprenticeship: Apprenticeship, request: ChangeRequest
) -> tuple[Plan, list[FieldError]]:
    """The plan as it would be after ``request``; unknown mentors are reported."""
    plan = apprenticeship.plan
    errors: list[FieldError] = []
    updates: dict[str, Any] = {}
    if request.planned_start is not None:
        updates["planned_start"] = request.planned_start.isoformat()
    if request.planned_end is not None:
        updates["planned_end"] = request.planned_end.isoformat()
    if request.extension_reason is not None:
        updates["extension_reason"] = request.extension_reason.strip()
    if request.enterprise_hours is not None:
        updates["enterprise_hours"] = request.enterprise_hours
    if request.institution_hours is not None:
        updates["institution_hours"] = request.institution_hours
    for name, wanted in (
        ("enterprise_mentor_id", request.enterprise_mentor_id),
        ("school_mentor_id", request.school_mentor_id),
    ):
        if wanted is None or wanted == _value(plan, name):
            continue
        mentor = await mentors.find(wanted)
        if mentor is None:
            errors.append(FieldError(name, "unknown_mentor", "no such mentor"))
        else:
            updates[_MENTOR_FIELDS[name]] = mentors.mentor_ref(mentor)
    return plan.model_copy(update=updates), errors


async def check_plan(apprenticeship: Apprenticeship, new: Plan, today: date) -> list[str]:
    """The changed fields of ``new``; ValidationFailed naming each rule it breaks."""
    names = changed_fields(apprenticeship.plan, new)
    errors: list[FieldError] = []
    if not names:
        errors.append(FieldError("changes", "empty", "the request changes nothing"))
    start = date.fromisoformat(new.planned_start)
    end = date.fromisoformat(new.planned_end)
    if "planned_start" in names and apprenticeship.started_on:
        errors.append(
            FieldError(
                "planned_start", "started", "the apprenticeship has started: its start stays"
            )
        )
    if {"planned_start", "planned_end", "extension_reason"} & set(names):
        errors += check_duration(start, end, new.extension_reason)
    if "planned_end" in names and apprenticeship.status in RUNNING and end < today:
        errors.append(FieldError("planned_end", "in_past", "a running plan cannot end in the past"))
    if {"enterprise_hours", "institution_hours"} & set(names):
        errors += check_hours(new.enterprise_hours, new.institution_hours)
    owners = {
        "enterprise_mentor_id": (apprenticeship.employer_id, "enterprise mentor"),
        "school_mentor_id": (apprenticeship.institution_id, "school mentor"),
    }
    for name, (organisation_id, what) in owners.items():
        if name in names:
            mentor = await mentors.find(_value(new, name))
            errors += mentors.mentor_errors(name, mentor, organisation_id, what=what)
    if errors:
        raise ValidationFailed(errors)
    return names


def _require_changeable(apprenticeship: Apprenticeship) -> None:
    if apprenticeship.status not in CHANGEABLE:
        raise InvalidTransition(
            f"cannot change an apprenticeship that is {apprenticeship.status.value}",
            current_state=apprenticeship.status.value,
        )


async def propose(
    *, actor: Actor, apprenticeship_id: str, request: ChangeRequest
) -> ApprenticeshipView:
    """The employer or the institution proposes a change; it waits for the other party."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    _require_changeable(apprenticeship)
    if apprenticeship.pending_change is not None:
        raise Conflict(
            f"change {apprenticeship.pending_change.n} awaits an answer; answer it first",
            current_state=apprenticeship.status.value,
        )
    if len(request.note) > MAX_NOTE:
        raise ValidationFailed.single("note", "length", f"at most {MAX_NOTE} characters")
    new, unknown = await _proposed_plan(apprenticeship, request)
    if unknown:
        raise ValidationFailed(unknown)
    now = clock.now()
    names = await check_plan(apprenticeship, new, clock.china_today(now))
    n = apprenticeship.changes_count + 1
    pending = PendingChange(
        n=n,
        proposed_by=party,
        proposed_by_principal=actor.principal_id,
        fields=names,
        plan=new,
        note=request.note.strip(),
        proposed_at=now,
    )
    noted = history.note(
        apprenticeship,
        action=EventAction.CHANGE_PROPOSED,
        party=party,
        actor=actor,
        now=now,
        reason=pending.note,
        details={"n": n, "fields": names, "changes": _changes(new, names)},
    )
    proposed = await history.move(
        apprenticeship, noted, {"pending_change": to_bson(pending), "changes_count": n}
    )
    return ApprenticeshipView.of(proposed)


def _pending(apprenticeship: Apprenticeship, n: int) -> PendingChange:
    pending = apprenticeship.pending_change
    if pending is not None and pending.n == n:
        return pending
    if 1 <= n <= apprenticeship.changes_count:
        raise Conflict(
            f"change {n} has been answered already", current_state=apprenticeship.status.value
        )
    raise NotFound("no such change")


def _mentor_moves(old: Plan, new: Plan) -> tuple[list[tuple[str, MentorRef]], list[MentorRef]]:
    """(slots to take, with the field naming each; slots to give back) for a mentor change."""
    taking: list[tuple[str, MentorRef]] = []
    leaving: list[MentorRef] = []
    for name, attribute in _MENTOR_FIELDS.items():
        before: MentorRef = getattr(old, attribute)
        after: MentorRef = getattr(new, attribute)
        if before.id != after.id:
            taking.append((name, after))
            leaving.append(before)
    return taking, leaving


async def accept(*, actor: Actor, apprenticeship_id: str, n: int) -> ApprenticeshipView:
    """The other party accepts change ``n``; it takes effect now (checked again first)."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    pending = _pending(apprenticeship, n)
    if party is pending.proposed_by:
        raise Forbidden(
            f"the {_other(pending.proposed_by).value} must accept a change the "
            f"{pending.proposed_by.value} proposed"
        )
    _require_changeable(apprenticeship)
    now = clock.now()
    names = await check_plan(apprenticeship, pending.plan, clock.china_today(now))
    running = apprenticeship.status in RUNNING
    taking, leaving = _mentor_moves(apprenticeship.plan, pending.plan)
    if running and taking:
        await take_slots(taking)
    noted = history.note(
        apprenticeship,
        action=EventAction.CHANGE_ACCEPTED,
        party=party,
        actor=actor,
        now=now,
        details={"n": n, "fields": names},
    )
    try:
        moved = await history.move(
            apprenticeship, noted, {"plan": to_bson(pending.plan), "pending_change": None}
        )
    except Conflict:
        if running:
            for _, mentor in taking:
                await mentors.give_back_slot(mentor.id)
        raise
    if running:
        for mentor in leaving:
            await mentors.give_back_slot(mentor.id)
    return ApprenticeshipView.of(moved)


async def reject(
    *, actor: Actor, apprenticeship_id: str, n: int, rejection: Rejection
) -> ApprenticeshipView:
    """The other party rejects change ``n`` (or its proposer withdraws it), with a reason."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    party = await acting_party(actor, apprenticeship, Party.EMPLOYER, Party.INSTITUTION)
    _pending(apprenticeship, n)
    _require_changeable(apprenticeship)
    reason = rejection.reason
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a rejection needs a reason")
    noted = history.note(
        apprenticeship,
        action=EventAction.CHANGE_REJECTED,
        party=party,
        actor=actor,
        now=clock.now(),
        reason=reason.strip(),
        details={"n": n},
    )
    rejected = await history.move(apprenticeship, noted, {"pending_change": None})
    return ApprenticeshipView.of(rejected)


@dataclass
class _Story:
    proposed: ApprenticeshipEvent
    answer: ApprenticeshipEvent | None = field(default=None)


def changes_of(
    apprenticeship: Apprenticeship, events: list[ApprenticeshipEvent]
) -> list[ChangeView]:
    """Every change request of the agreement, in order, with what became of it."""
    stories: dict[int, _Story] = {}
    for event in events:
        n = event.details.get("n")
        if not isinstance(n, int):
            continue
        if event.action is EventAction.CHANGE_PROPOSED:
            stories[n] = _Story(event)
        elif n in stories and event.action in (
            EventAction.CHANGE_ACCEPTED,
            EventAction.CHANGE_REJECTED,
        ):
            stories[n].answer = event
    views = []
    for n in sorted(stories):
        story = stories[n]
        answer = story.answer
        if answer is not None:
            status = (
                ChangeStatus.ACCEPTED
                if answer.action is EventAction.CHANGE_ACCEPTED
                else ChangeStatus.REJECTED
            )
        elif apprenticeship.status in CHANGEABLE:
            status = ChangeStatus.PENDING
        else:
            status = ChangeStatus.LAPSED
        views.append(
            ChangeView(
                n=n,
                proposed_by=story.proposed.party,
                fields=list(story.proposed.details.get("fields", [])),
                changes=dict(story.proposed.details.get("changes", {})),
                note=story.proposed.reason,
                proposed_at=story.proposed.at,
                status=status,
                answered_by=answer.party if answer else None,
                answered_at=answer.at if answer else None,
                reason=answer.reason if answer else "",
            )
        )
    return views
