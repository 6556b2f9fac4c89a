"""The provider's console: the organisation's administrator adds and removes clerks.

* ``/provider/staff``: the organisation's accounts (removed ones marked) and the form adding
  one (a clerk, or another admin);
* ``/provider/staff/{principal_id}/remove``: "check your answers" before removing (the account
  is disabled for good and its sessions end), then the removal.

Only the organisation's admin reaches these pages; each change is audited by the service
(``staff.created``, ``staff.removed``), as through ``POST /staff``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import require_page_roles
from api.runtime import get_runtime
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.routes.provider_console import console_page
from api.web.routing import page_router
from api.web.templating import t
from portfolio.accounts import staff
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Conflict, ValidationFailed

router = page_router()

ProviderAdminPage = Annotated[
    Actor, Depends(require_page_roles(Role.PROVIDER, staff=(StaffRole.ADMIN,)))
]
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
    "staff_role": N_("Choose clerk or administrator"),
}
TAKEN = N_("This username is taken: choose another")
SELF = N_("You cannot remove your own account")
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")


@router.get("/provider/staff")
async def staff_list(request: Request, actor: ProviderAdminPage, notice: str = "") -> Response:
    """The organisation's accounts and the form adding one."""
    found = await staff.list_staff(actor=actor, limit=STAFF_SHOWN, cursor=None)
    message = NOTICES.get(notice)
    return await console_page(
        request,
        "provider/staff.html",
        {
            "members": found.items,
            "notice": t(request, message) if message else None,
            "me": actor.principal_id,
        },
    )


@router.post("/provider/staff")
async def add_staff(request: Request, actor: ProviderAdminPage, form: SessionForm) -> Response:
    """Add a clerk (or another admin) to the organisation."""
    here = "/provider/staff"
    # Never the password: it does not travel back to the form.
    kept = {"username": form.get("username"), "staff_role": form.get("staff_role")}
    try:
        role = StaffRole(form.get("staff_role"))
        if role not in (StaffRole.CLERK, StaffRole.ADMIN):
            raise ValueError
    except ValueError:
        return back_to_form(
            here, [PageError("staff_role", t(request, FIELD_ERRORS["staff_role"]))], kept
        )
    runtime = get_runtime(request)

    async def act() -> Response:
        try:
            await staff.create_staff(
                actor=actor,
                settings=runtime.settings,
                username=form.get("username"),
                password=form.get("password"),
                staff_role=role,
            )
        except ValidationFailed as failed:
            fields = {e.field for e in failed.errors if e.field in FIELD_ERRORS} or {"username"}
            words = {"min": runtime.settings.password_min_length}
            errors = [PageError(f, t(request, FIELD_ERRORS[f]) % words) for f in sorted(fields)]
            return back_to_form(here, errors, kept)
        except Conflict:
            return back_to_form(here, [PageError("username", t(request, TAKEN))], kept)
        return see_other(f"{here}?notice=added")

    return await once(request, form, actor.principal_id, act)


@router.get("/provider/staff/{principal_id}/remove")
async def check_removal(request: Request, principal_id: str, actor: ProviderAdminPage) -> Response:
    """Check your answers: who is removed, and what removing does."""
    member = await staff.get_staff(actor=actor, principal_id=principal_id)
    return await console_page(request, "provider/staff_remove.html", {"member": member})


@router.post("/provider/staff/{principal_id}/remove")
async def remove(
    request: Request, principal_id: str, actor: ProviderAdminPage, form: SessionForm
) -> Response:
    """Remove the account: disabled for good, its sessions ended."""
    here = f"/provider/staff/{principal_id}/remove"

    async def act() -> Response:
        try:
            await staff.remove_staff(actor=actor, principal_id=principal_id)
        except Conflict as refused:
            said = SELF if "own account" in str(refused) else CHANGED
            return back_to_form(here, [PageError("remove", t(request, said))], {})
        return see_other("/provider/staff?notice=removed")

    return await once(request, form, actor.principal_id, act)
