"""The agency's competitions (issue 26, part 3):

* ``/agency/competitions``: the region's events, latest first;
* ``/agency/competitions/new``: record an event with the level rule it declares (up to two
  steps: "place 1: technician", "places 2 to 5: one level up");
* ``/agency/competitions/{id}``: the event, its rule in words and its entrants; while open, the
  forms entering a worker (ID number and name) and their places and awards;
* ``/agency/competitions/{id}/publish``: check your answers, then publish into the archives;
* ``/agency/competitions/{id}/entrants/{entrant_id}``: a published result, corrected or
  voided with a reason.

The same services as ``/competitions`` (``portfolio.competitions``), with the same reach:
another region's event is "not found"; officers write, every agency seat reads.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.runtime import get_runtime
from api.web.contest_words import grant_options, message_of, rule_words, words
from api.web.forms import (
    PageError,
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.archives import WorkerRef
from portfolio.competitions import holding, results
from portfolio.competitions.rules import RuleStep, Tier
from portfolio.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from portfolio.identity import IdType

router = page_router()
HOME = "/agency/competitions"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
NOTICES = {
    "created": N_("The competition is recorded. Enter its entrants."),
    "entered": N_("The worker is entered."),
    "ranked": N_("The places and awards are saved."),
    "published": N_("The results are published into the entrants' archives."),
    "corrected": N_("The result is corrected; the archive keeps the earlier one."),
    "voided": N_("The result is voided; the archive says why."),
}
_CONFLICT = N_("This was changed a moment ago, or is already recorded: nothing was done.")
_CLOSED = N_("The results are published: correct or void a result instead.")
EVENT_FIELDS = ("tier", "name", "occupation_code", "organiser", "start_date", "end_date")
RULE_FIELDS = ("rank_1", "grant_1", "rank_2", "grant_2")


def _event(competition_id: str) -> str:
    return f"{HOME}/{competition_id}"


def _errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    return [
        PageError(e.field.split(".")[0], message_of(request, e.field, e.message))
        for e in failed.errors
    ]


async def _page(
    request: Request, template: str, context: dict[str, object], notice: str = ""
) -> Response:
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        template,
        {
            **page_words(request),
            **words(request),
            **context,
            "notice": t(request, message) if message else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.get(HOME)
async def competitions(request: Request, actor: AgencyPage) -> Response:
    """The region's events, latest first."""
    found = await holding.list_visible(actor=actor)
    return await _page(request, "agency/contests/competitions.html", {"items": found})


@router.get(HOME + "/new")
async def new_competition(request: Request, actor: OfficerPage) -> Response:
    """The form recording an event."""
    region = (actor.region_prefix or "").ljust(6, "0")
    return await _page(
        request,
        "agency/contests/competition_new.html",
        {"grants": grant_options(request), "region": region},
    )


def _date(form: SessionForm, name: str, errors: list[FieldError]) -> date:
    try:
        return date.fromisoformat(form.get(name))
    except ValueError:
        errors.append(FieldError(name, "format", "a date"))
        return date(2000, 1, 1)


def _rule(form: SessionForm, errors: list[FieldError]) -> list[RuleStep]:
    steps = []
    for n in ("1", "2"):
        grant, rank = form.get(f"grant_{n}"), form.get(f"rank_{n}")
        if not grant:
            continue
        if not rank.isdigit():
            errors.append(FieldError("level_rule", "order", "a place"))
            continue
        steps.append(RuleStep(int(rank), grant))
    return steps


@router.post(HOME + "/new")
async def create_competition(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """Record the event, then its page."""
    here = HOME + "/new"
    kept = {name: form.get(name) for name in (*EVENT_FIELDS, "region_code", *RULE_FIELDS)}
    errors: list[FieldError] = []
    start, end = _date(form, "start_date", errors), _date(form, "end_date", errors)
    steps = _rule(form, errors)
    tier = form.get("tier")
    if tier not in Tier._value2member_map_:
        errors.append(FieldError("tier", "unknown", "a tier"))
    if errors:
        return back_to_form(here, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        new = holding.NewCompetition(
            tier=Tier(tier),
            name=form.get("name"),
            occupation_code=form.get("occupation_code"),
            organiser=form.get("organiser"),
            start_date=start,
            end_date=end,
            region_code=form.get("region_code"),
            level_rule=steps,
        )
        try:
            created = await holding.create(actor=actor, new=new)
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("name", t(request, _CONFLICT))], kept)
        return see_other(f"{_event(created.id)}?notice=created")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{competition_id}")
async def competition(
    request: Request, actor: AgencyPage, competition_id: str, notice: str = ""
) -> Response:
    """One event: its facts, its rule in words, its entrants and (while open) the forms."""
    found = await holding.get(actor=actor, competition_id=competition_id)
    await results.read_entrants(actor, found)
    context = {"event": found, "rule": rule_words(request, found.level_rule)}
    return await _page(request, "agency/contests/competition.html", context, notice)


@router.post(HOME + "/{competition_id}/entrants")
async def add_entrant(
    request: Request, actor: OfficerPage, competition_id: str, form: SessionForm
) -> Response:
    """Enter a worker named by ID number and name."""
    here = _event(competition_id)
    kept = {"id_number": form.get("id_number"), "worker_name": form.get("worker_name")}

    async def act() -> Response:
        worker = WorkerRef(IdType.RESIDENT_ID, form.get("id_number"), form.get("worker_name"))
        try:
            await results.add_entrant(
                actor=actor,
                keyring=get_runtime(request).keyring,
                competition_id=competition_id,
                worker=worker,
            )
        except ValidationFailed as failed:
            message = message_of(request, "worker", failed.errors[0].message)
            return back_to_form(here, [PageError("id_number", message)], kept)
        except Conflict:
            return back_to_form(here, [PageError("id_number", t(request, _CONFLICT))], kept)
        except InvalidTransition:
            return back_to_form(here, [PageError("id_number", t(request, _CLOSED))], {})
        return see_other(f"{here}?notice=entered#entrants")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/{competition_id}/results")
async def enter_results(
    request: Request, actor: OfficerPage, competition_id: str, form: SessionForm
) -> Response:
    """Save the places and awards of every entrant shown."""
    here = _event(competition_id)
    found = await holding.get(actor=actor, competition_id=competition_id)
    rows: list[results.ResultRow] = []
    errors: list[PageError] = []
    for entrant in found.entrants:
        rank = form.get(f"rank_{entrant.id}")
        if rank and not rank.isdigit():
            errors.append(PageError(f"rank_{entrant.id}", message_of(request, "rank", "")))
            continue
        award = form.get(f"award_{entrant.id}")
        rows.append(results.ResultRow(entrant.id, int(rank) if rank else None, award))
    kept = {k: v for k, v in form.fields.items() if k.startswith(("rank_", "award_"))}
    if errors:
        return back_to_form(here, errors, kept)

    async def act() -> Response:
        try:
            await results.enter_results(actor=actor, competition_id=competition_id, rows=rows)
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("results", t(request, _CLOSED))], kept)
        return see_other(f"{here}?notice=ranked#entrants")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{competition_id}/publish")
async def check_publish(request: Request, actor: OfficerPage, competition_id: str) -> Response:
    """Check your answers: the places and awards, and the rule, before publishing."""
    found = await holding.get(actor=actor, competition_id=competition_id)
    await results.read_entrants(actor, found)
    context = {"event": found, "rule": rule_words(request, found.level_rule)}
    return await _page(request, "agency/contests/publish.html", context)


@router.post(HOME + "/{competition_id}/publish")
async def publish(
    request: Request, actor: OfficerPage, competition_id: str, form: SessionForm
) -> Response:
    """Publish the results into the entrants' archives."""
    here = _event(competition_id)

    async def act() -> Response:
        try:
            await results.publish(actor=actor, competition_id=competition_id)
        except InvalidTransition as refused:
            return back_to_form(here, [PageError("publish", refused.detail)], {})
        return see_other(f"{here}?notice=published")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{competition_id}/entrants/{entrant_id}")
async def entrant(
    request: Request, actor: AgencyPage, competition_id: str, entrant_id: str, notice: str = ""
) -> Response:
    """One entrant's result, with the forms correcting or voiding it once published."""
    found = await holding.get(actor=actor, competition_id=competition_id)
    chosen = next((e for e in found.entrants if e.id == entrant_id), None)
    if chosen is None:
        raise NotFound("no such entrant")
    await results.read_entrants(actor, found)
    context = {"event": found, "entrant": chosen}
    return await _page(request, "agency/contests/entrant.html", context, notice)


@router.post(HOME + "/{competition_id}/entrants/{entrant_id}/correct")
async def correct(
    request: Request, actor: OfficerPage, competition_id: str, entrant_id: str, form: SessionForm
) -> Response:
    """Restate the result with a reason."""
    here = f"{_event(competition_id)}/entrants/{entrant_id}"
    rank, award, reason = form.get("rank"), form.get("award"), form.get("reason")
    kept = {"rank": rank, "award": award, "reason": reason}
    if rank and not rank.isdigit():
        return back_to_form(here, [PageError("rank", message_of(request, "rank", ""))], kept)

    async def act() -> Response:
        try:
            await results.correct(
                actor=actor,
                competition_id=competition_id,
                entrant_id=entrant_id,
                rank=int(rank) if rank else None,
                award=award,
                reason=reason,
            )
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("reason", t(request, _CONFLICT))], kept)
        return see_other(f"{here}?notice=corrected")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/{competition_id}/entrants/{entrant_id}/void")
async def void(
    request: Request, actor: OfficerPage, competition_id: str, entrant_id: str, form: SessionForm
) -> Response:
    """Void the result with a reason."""
    here = f"{_event(competition_id)}/entrants/{entrant_id}"
    reason = form.get("void_reason")

    async def act() -> Response:
        try:
            await results.void(
                actor=actor, competition_id=competition_id, entrant_id=entrant_id, reason=reason
            )
        except ValidationFailed:
            message = message_of(request, "reason", "")
            return back_to_form(here, [PageError("void_reason", message)], {"void_reason": reason})
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("void_reason", t(request, _CONFLICT))], {})
        return see_other(f"{here}?notice=voided")

    return await once(request, form, actor.principal_id, act)
