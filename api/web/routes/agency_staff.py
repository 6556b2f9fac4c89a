"""The agency's own staff accounts: its administrator adds and removes officers, reviewers,
auditors and other administrators (``provider_staff.py`` is the provider's twin).

* ``/agency/staff``: the accounts of the agency's region and the regions under it (removed
  ones marked), and the form adding one, with its sub-role and optionally a region under the
  agency's;
* ``/agency/staff/{principal_id}/remove``: "check your answers" before removing (the account
  is disabled for good and its sessions end), then the removal.

Only the agency's admin reaches these pages; each change is audited by the service
(``staff.created``, ``staff.removed``), as through ``POST /staff``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import require_page_roles
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
from api.web.people_words import STAFF_ROLES, options
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.accounts import staff
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Conflict, ValidationFailed

router = page_router()

AgencyAdminPage = Annotated[
    Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.ADMIN,)))
]
HOME = "/agency/staff"
STAFF_SHOWN = 100
NOTICES = {
    "added": N_("The account is added. Give its username and password to its holder."),
    "removed": N_("The account is removed: it cannot sign in any more."),
}
FIELD_ERRORS = {
    "username": N_(
        "Enter a username of 3 to 64 small letters, digits, dots, dashes, underscores or @"
    ),
    "password": N_("Enter a password of at least %(min)s characters, not the username"),
    "staff_role": N_("Choose the account's role"),
    "region_prefix": N_("Enter your region's code or the code of a region under it"),
}
TAKEN = N_("This username is taken: choose another")
SELF = N_("You cannot remove your own account")
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")


@router.get(HOME)
async def staff_list(request: Request, actor: AgencyAdminPage, notice: str = "") -> Response:
    """The agency's accounts and the form adding one."""
    found = await staff.list_staff(actor=actor, limit=STAFF_SHOWN, cursor=None)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/staff.html",
        {
            **page_words(request),
            "members": found.items,
            "role_options": options(request, STAFF_ROLES),
            "role_names": dict(options(request, STAFF_ROLES)),
            "notice": t(request, message) if message else None,
            "me": actor.principal_id,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME)
async def add_staff(request: Request, actor: AgencyAdminPage, form: SessionForm) -> Response:
    """Add an officer, reviewer, auditor or administrator to the agency."""
    # Never the password: it does not travel back to the form.
    kept = {name: form.get(name) for name in ("username", "staff_role", "region_prefix")}
    runtime = get_runtime(request)
    words = {"min": runtime.settings.password_min_length}

    def refused(fields: set[str]) -> Response:
        errors = [PageError(f, t(request, FIELD_ERRORS[f]) % words) for f in sorted(fields)]
        return back_to_form(HOME, errors, kept)

    try:
        role = StaffRole(form.get("staff_role"))
    except ValueError:
        return refused({"staff_role"})
    if role not in STAFF_ROLES:
        return refused({"staff_role"})

    async def act() -> Response:
        try:
            await staff.create_staff(
                actor=actor,
                settings=runtime.settings,
                username=form.get("username"),
                password=form.fields.get("password", ""),
                staff_role=role,
                region_prefix=form.get("region_prefix") or None,
            )
        except ValidationFailed as failed:
            return refused(
                {e.field for e in failed.errors if e.field in FIELD_ERRORS} or {"username"}
            )
        except Conflict:
            return back_to_form(HOME, [PageError("username", t(request, TAKEN))], kept)
        return see_other(f"{HOME}?notice=added")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{principal_id}/remove")
async def check_removal(request: Request, principal_id: str, actor: AgencyAdminPage) -> Response:
    """Check your answers: who is removed, and what removing does."""
    member = await staff.get_staff(actor=actor, principal_id=principal_id)
    state = form_state(request)
    response = await render(
        request,
        "agency/staff_remove.html",
        {
            "member": member,
            "role_names": dict(options(request, STAFF_ROLES)),
            "errors": state.errors,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME + "/{principal_id}/remove")
async def remove(
    request: Request, principal_id: str, actor: AgencyAdminPage, form: SessionForm
) -> Response:
    """Remove the account: disabled for good, its sessions ended."""
    here = f"{HOME}/{principal_id}/remove"

    async def act() -> Response:
        try:
            await staff.remove_staff(actor=actor, principal_id=principal_id)
        except Conflict as refused:
            said = SELF if "own account" in str(refused) else CHANGED
            return back_to_form(here, [PageError("remove", t(request, said))], {})
        return see_other(f"{HOME}?notice=removed")

    return await once(request, form, actor.principal_id, act)
