"""The agency's training projects (项目制培训, issue 27):

* ``/agency/projects``: the region's projects with their budgets and money paid;
* ``/agency/projects/new``: buy one: first the provider, then its classes, the fund, the
  budget and up to three milestones (each an amount and a condition measured from records);
* ``/agency/projects/{id}``: one project, what its group's records measure now, and for a
  claimed milestone the flags, the workers' disputes and the decision form.

The same services as ``/projects`` (``portfolio.projects``): another region's project is
"not found"; officers buy and decide, every agency seat reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.runtime import get_runtime
from api.web.claims_words import claim_words
from api.web.forms import (
    PageError,
    PostedForm,
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.project_words import CHANGED, notice_of, project_words, refusal
from api.web.routes.provider_console import fen_of
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio import projects
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Conflict, FieldError, ValidationFailed
from portfolio.paging import PageRequest
from portfolio.training import (
    courses_by_ids,
    find_organisation,
    organisations,
    runs_of_organisation,
)
from portfolio.vocabulary import FundingSource

router = page_router()
HOME = "/agency/projects"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
MILESTONE_ROWS = 3
FIELDS = (
    "name",
    "funding_source",
    "budget",
    "two_approvals_above",
    *(
        f"m{i}_{part}"
        for i in range(MILESTONE_ROWS)
        for part in ("name", "amount", "condition", "threshold")
    ),
)


async def _page(request: Request, template: str, context: dict[str, object]) -> Response:
    state = form_state(request)
    response = await render(
        request,
        template,
        {
            **page_words(request),
            **project_words(request),
            **context,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.get(HOME)
async def project_list(request: Request, actor: AgencyPage, notice: str = "") -> Response:
    """The region's training projects, newest first."""
    found = await projects.list_visible(actor=actor)
    return await _page(
        request, "agency/projects/list.html", {"items": found, "notice": notice_of(request, notice)}
    )


@router.get(HOME + "/new")
async def new_project(request: Request, actor: OfficerPage, provider: str = "") -> Response:
    """Choose the provider, then the rest of the project."""
    chosen = await find_organisation(provider) if provider else None
    if chosen is not None and not actor.covers_region(chosen.region_code):
        chosen = None
    runs, titles = [], {}
    if chosen is not None:
        runs = await runs_of_organisation(str(chosen.id))
        titles = {
            k: v.title for k, v in (await courses_by_ids([r.course_id for r in runs])).items()
        }
    found = await organisations.list_visible(actor=actor, page=PageRequest(limit=200))
    word = page_words(request)["word"]
    return await _page(
        request,
        "agency/projects/new.html",
        {
            "providers": [(o.id, o.name) for o in found.items],
            "chosen": chosen,
            "runs": runs,
            "titles": titles,
            "funding_sources": [
                (s.value, word("funding", s.value))
                for s in FundingSource
                if s is not FundingSource.UNSPECIFIED
            ],
            "rows": range(MILESTONE_ROWS),
        },
    )


def _number(form: PostedForm, name: str, errors: list[PageError], request: Request) -> int:
    raw = form.get(name)
    if not raw.isdigit():
        errors.append(PageError(name, refusal(request, "range", "")))
        return 0
    return int(raw)


def _content(
    request: Request, form: PostedForm, organisation_id: str
) -> tuple[projects.ProjectContent | None, list[PageError]]:
    """The project the form states, or its errors (each on its field)."""
    errors: list[PageError] = []
    budget = fen_of(form.get("budget"))
    if budget is None:
        errors.append(PageError("budget", refusal(request, "range", "")))
    limit = None
    if form.get("two_approvals_above"):
        limit = fen_of(form.get("two_approvals_above"))
        if limit is None:
            errors.append(PageError("two_approvals_above", refusal(request, "range", "")))
    source = form.get("funding_source")
    if source not in FundingSource._value2member_map_:
        errors.append(PageError("funding_source", refusal(request, "required", "")))
    milestones = []
    for i in range(MILESTONE_ROWS):
        if not form.get(f"m{i}_name") and not form.get(f"m{i}_amount"):
            continue
        amount = fen_of(form.get(f"m{i}_amount"))
        if amount is None:
            errors.append(PageError(f"m{i}_amount", refusal(request, "range", "")))
        condition = form.get(f"m{i}_condition")
        if condition not in projects.Condition._value2member_map_:
            errors.append(PageError(f"m{i}_condition", refusal(request, "required", "")))
            condition = projects.Condition.COMPLETIONS.value
        threshold = _number(form, f"m{i}_threshold", errors, request)
        milestones.append(
            projects.MilestoneContent(
                form.get(f"m{i}_name"), amount or 0, projects.Condition(condition), threshold
            )
        )
    runs = [name[4:] for name in form.fields if name.startswith("run_") and form.get(name) == "yes"]
    if errors:
        return None, errors
    return (
        projects.ProjectContent(
            name=form.get("name"),
            organisation_id=organisation_id,
            funding_source=FundingSource(source),
            budget_fen=budget or 0,
            run_ids=runs,
            milestones=milestones,
            two_approvals_above_fen=limit,
        ),
        [],
    )


_FIELD_OF = {
    "organisation_id": "name",
    "worker_ids": "runs",
    "run_ids": "runs",
    "milestones": "m0_name",
}


def _field(error: FieldError) -> str:
    """The page's field of a service refusal (``milestones.1.amount_fen`` -> ``m1_amount``)."""
    parts = error.field.split(".")
    if parts[0] == "milestones" and len(parts) == 3:
        part = {"amount_fen": "amount", "name": "name", "threshold": "threshold"}[parts[2]]
        return f"m{parts[1]}_{part}"
    if parts[0] in ("budget_fen", "two_approvals_above_fen"):
        return parts[0].removesuffix("_fen")
    return _FIELD_OF.get(parts[0], parts[0])


@router.post(HOME + "/new")
async def buy_project(
    request: Request, actor: OfficerPage, form: SessionForm, provider: str = ""
) -> Response:
    """Buy the project; on to its page."""
    here = f"{HOME}/new?provider={provider}"
    kept = {name: form.get(name) for name in FIELDS}
    content, errors = _content(request, form, provider)
    if content is None:
        return back_to_form(here, errors, kept)

    async def act() -> Response:
        try:
            made = await projects.create(actor=actor, content=content)
        except ValidationFailed as failed:
            found = [
                PageError(_field(e), refusal(request, e.rule, e.message)) for e in failed.errors
            ]
            return back_to_form(here, found, kept)
        return see_other(f"{HOME}/{made.id}?notice=created")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{project_id}")
async def project_page(
    request: Request, actor: AgencyPage, project_id: str, notice: str = ""
) -> Response:
    """One project, its figures now, and the decision on a claimed milestone."""
    min_share = get_runtime(request).settings.claim_min_attendance_share
    found = await projects.get(actor=actor, project_id=project_id)
    figures = await projects.measured(actor=actor, project_id=project_id, min_share=min_share)
    return await _page(
        request,
        "agency/projects/project.html",
        {
            **claim_words(request),
            "project": found,
            "figures": figures,
            "notice": notice_of(request, notice),
            "officer": actor.staff_role is StaffRole.OFFICER,
        },
    )


@router.post(HOME + "/{project_id}/milestones/{n}/decision")
async def decide_milestone(
    request: Request, actor: OfficerPage, project_id: str, n: int, form: SessionForm
) -> Response:
    """Approve (pay, or the first of two approvals) or reject with a reason."""
    here = f"{HOME}/{project_id}"
    kept = {"note": form.get("note")}
    min_share = get_runtime(request).settings.claim_min_attendance_share

    async def act() -> Response:
        try:
            await projects.decide(
                actor=actor,
                project_id=project_id,
                n=n,
                approve=form.get("decision") != "reject",
                note=form.get("note"),
                acknowledge_flags=form.get("acknowledge") == "yes",
                min_share=min_share,
            )
        except ValidationFailed as failed:
            found = [
                PageError(
                    "acknowledge" if e.rule == "acknowledge_flags" else "note",
                    refusal(request, e.rule, e.message),
                )
                for e in failed.errors
            ]
            return back_to_form(here, found, kept)
        except Conflict:
            return back_to_form(here, [PageError("note", t(request, CHANGED))], kept)
        return see_other(f"{here}?notice=decided")

    return await once(request, form, actor.principal_id, act)
