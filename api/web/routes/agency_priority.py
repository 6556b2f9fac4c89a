"""A worker's priority groups in the agency's console (issue 27).

* ``/agency/workers/{id}/priority-groups``: the groups but the sensitive ones (disability,
  poverty), each open one with a form ending it; a purpose form that shows all of them;
* ``.../priority-groups/reveal`` (a post, for an officer): every group, the sensitive ones
  included, logged in the worker's access log with the purpose before it is shown; the page is
  the post's answer, never kept (no URL, cookie or stored replay holds it);
* ``.../priority-groups/new`` and its post: record a membership (``POST
  /workers/{id}/priority-groups``); ``.../priority-groups/{mid}/end``: end one with a reason.

Another region's worker is "not found", as in the API; reviewers and auditors read the
non-sensitive groups and get 403 on the officer's forms.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.runtime import get_runtime
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
from api.web.people_words import PURPOSES, field_errors, form_date, options
from api.web.priority_words import GROUPS, errors_of, group_words
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.accounts import Actor, Role, StaffRole
from portfolio.archives import reading as archives
from portfolio.archives.purposes import stated_purpose
from portfolio.errors import Conflict, InvalidTransition, ValidationFailed
from portfolio.priority import WorkerGroups, reading, service
from portfolio.vocabulary import PriorityGroup

router = page_router()
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
HOME = "/agency/workers"
NOTICES = {
    "recorded": N_("The membership is recorded."),
    "ended": N_("The membership is ended."),
}
TAKEN = N_("The worker already has an open membership of this group")
CHANGED = N_("The membership changed meanwhile. The page shows how it stands now: try again.")


async def _page(
    request: Request,
    actor: AgencyPage,
    archive_id: str,
    groups: WorkerGroups,
    extra: dict[str, object],
) -> Response:
    worker = await archives.get_worker(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id
    )
    state = form_state(request)
    response = await render(
        request,
        "agency/workers/priority_groups.html",
        {
            **page_words(request),
            "worker": worker,
            "groups": groups,
            "group_words": group_words(request),
            "purpose_options": options(request, PURPOSES),
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            **extra,
        },
    )
    forget_form_state(request, response)
    return response


@router.get(HOME + "/{archive_id}/priority-groups")
async def groups_page(
    request: Request, actor: AgencyPage, archive_id: str, notice: str = ""
) -> Response:
    """The worker's groups but the sensitive ones (the look is in their access log)."""
    groups = await reading.for_agency(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id
    )
    message = NOTICES.get(notice)
    return await _page(
        request,
        actor,
        archive_id,
        groups,
        {"notice": t(request, message) if message else None, "purpose": None},
    )


@router.post(HOME + "/{archive_id}/priority-groups/reveal")
async def reveal(
    request: Request, actor: OfficerPage, archive_id: str, form: SessionForm
) -> Response:
    """Every group, logged with the purpose before it is shown (an officer only)."""
    here = f"{HOME}/{archive_id}/priority-groups"
    kept = {"purpose": form.get("purpose"), "purpose_note": form.get("purpose_note")}
    try:
        purpose = stated_purpose(form.get("purpose"), form.get("purpose_note"))
    except ValidationFailed as failed:
        return back_to_form(f"{here}#reveal", field_errors(request, failed), kept)
    groups = await reading.for_agency(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id, purpose=purpose
    )
    response = await _page(request, actor, archive_id, groups, {"purpose": purpose, "notice": None})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(HOME + "/{archive_id}/priority-groups/new")
async def new_form(request: Request, actor: OfficerPage, archive_id: str) -> Response:
    """Record a membership: the group, its source and dates."""
    worker = await archives.get_worker(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id
    )
    state = form_state(request)
    response = await render(
        request,
        "agency/workers/priority_group_new.html",
        {
            **page_words(request),
            "worker": worker,
            "group_options": options(request, GROUPS),
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME + "/{archive_id}/priority-groups")
async def record(
    request: Request, actor: OfficerPage, archive_id: str, form: SessionForm
) -> Response:
    """The membership, recorded (sealed when sensitive); back to the groups page."""
    here = f"{HOME}/{archive_id}/priority-groups/new"
    kept = {k: form.get(k) for k in ("group", "source", "since", "until")}

    async def act() -> Response:
        try:
            try:
                group = PriorityGroup(form.get("group"))
            except ValueError:
                raise ValidationFailed.single("group", "enum", "choose a group") from None
            since = form_date(form.get("since"), "since")
            if since is None:
                raise ValidationFailed.single("since", "required", "the first day is required")
            await service.record(
                actor=actor,
                keyring=get_runtime(request).keyring,
                archive_id=archive_id,
                group=group,
                source=form.get("source"),
                since=since,
                until=form_date(form.get("until"), "until"),
            )
        except ValidationFailed as failed:
            return back_to_form(here, errors_of(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("group", t(request, TAKEN))], kept)
        return see_other(f"{HOME}/{archive_id}/priority-groups?notice=recorded")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/{archive_id}/priority-groups/{membership_id}/end")
async def end(
    request: Request, actor: OfficerPage, archive_id: str, membership_id: str, form: SessionForm
) -> Response:
    """End a membership on a day, with a reason."""
    here = f"{HOME}/{archive_id}/priority-groups"
    prefix = f"{membership_id}-"

    async def act() -> Response:
        try:
            until = form_date(form.get("until"), "until")
            if until is None:
                raise ValidationFailed.single("until", "required", "the last day is required")
            await service.end(
                actor=actor,
                keyring=get_runtime(request).keyring,
                membership_id=membership_id,
                until=until,
                reason=form.get("reason"),
            )
        except ValidationFailed as failed:
            kept = {prefix + "until": form.get("until"), prefix + "reason": form.get("reason")}
            return back_to_form(here, errors_of(request, failed, prefix), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError(prefix + "until", t(request, CHANGED))], {})
        return see_other(f"{here}?notice=ended")

    return await once(request, form, actor.principal_id, act)
