"""The service administrator's pages (``/admin``): the provider and agency accounts (disable
and enable one), the token signing keys (list, rotate) and the security audit log, with no
worker data on any of them (a worker's account, name, number or login is never listed; an
event about a worker shows neither its target nor its login name).

Each page calls the service its JSON twin calls (``GET /admin/principals``, ``POST
/admin/principals/{id}/disable|enable``, ``GET /admin/audit-events``, ``portfolio keys
rotate``). The change trail has its own pages (``/audit-trail``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AdminPage
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
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.accounts import Role, administration, signing_keys
from portfolio.audit import service as audit_service
from portfolio.audit.service import AuditEventView, AuditKind
from portfolio.errors import Conflict

router = page_router()
ACCOUNTS = "/admin/accounts"
KEYS = "/admin/keys"
PAGE_SIZE = 50
SHOWN_ROLES = (Role.PROVIDER, Role.AGENCY)
ROLE_NAMES = {Role.PROVIDER: N_("Training providers"), Role.AGENCY: N_("Agencies")}
NOTICES = {
    "disabled": N_("The account is disabled: its sessions ended."),
    "enabled": N_("The account is enabled again."),
    "rotated": N_("A new signing key signs new tokens; the older ones verify until they retire."),
}
STAFF_NAMES = {
    "admin": N_("The organisation's administrator"),
    "clerk": N_("Clerk"),
    "officer": N_("Officer"),
    "reviewer": N_("Reviewer"),
    "auditor": N_("Auditor"),
}


def _notice(request: Request, notice: str) -> str | None:
    message = NOTICES.get(notice)
    return t(request, message) if message else None


@router.get("/admin")
async def admin_home(request: Request, actor: AdminPage) -> Response:
    """The administrator's pages: accounts, signing keys, the audit log, the change trail."""
    return await render(request, "admin/home.html", {})


@router.get("/admin/accounts")
async def accounts(
    request: Request, actor: AdminPage, role: str = "agency", cursor: str = "", notice: str = ""
) -> Response:
    """The provider or agency accounts, oldest first, with their state."""
    shown = Role.PROVIDER if role == Role.PROVIDER.value else Role.AGENCY
    found = await administration.list_principals(
        actor=actor, role=shown, limit=PAGE_SIZE, cursor=cursor or None
    )
    next_url = (
        f"{ACCOUNTS}?{urlencode({'role': shown.value, 'cursor': found.next_cursor})}"
        if found.next_cursor
        else None
    )
    state = form_state(request)
    response = await render(
        request,
        "admin/accounts.html",
        {
            "found": found.items,
            "role": shown.value,
            "roles": [(r.value, t(request, ROLE_NAMES[r])) for r in SHOWN_ROLES],
            "staff_names": {k: t(request, v) for k, v in STAFF_NAMES.items()},
            "next_url": next_url,
            "notice": _notice(request, notice),
            "errors": state.errors,
        },
    )
    forget_form_state(request, response)
    return response


async def _switch(
    request: Request, actor: AdminPage, principal_id: str, form: SessionForm, *, disabled: bool
) -> Response:

    async def act() -> Response:
        try:
            changed = await administration.set_organisation_account_disabled(
                actor=actor, principal_id=principal_id, disabled=disabled
            )
        except Conflict as refused:
            back = f"{ACCOUNTS}#account-{principal_id}"
            return back_to_form(back, [PageError(f"account-{principal_id}", refused.detail)], {})
        done = "disabled" if disabled else "enabled"
        return see_other(f"{ACCOUNTS}?{urlencode({'role': changed.role.value, 'notice': done})}")

    return await once(request, form, actor.principal_id, act)


@router.post("/admin/accounts/{principal_id}/disable")
async def disable(
    request: Request, actor: AdminPage, principal_id: str, form: SessionForm
) -> Response:
    """Disable a provider or agency account (its sessions end at once)."""
    return await _switch(request, actor, principal_id, form, disabled=True)


@router.post("/admin/accounts/{principal_id}/enable")
async def enable(
    request: Request, actor: AdminPage, principal_id: str, form: SessionForm
) -> Response:
    """Enable a disabled provider or agency account again."""
    return await _switch(request, actor, principal_id, form, disabled=False)


@router.get("/admin/keys")
async def keys(request: Request, actor: AdminPage, notice: str = "") -> Response:
    """The token signing keys, newest first: which signs, until when the others verify."""
    runtime = get_runtime(request)
    found = await signing_keys.signing_keys(
        actor=actor, keyring=runtime.keyring, settings=runtime.settings
    )
    return await render(
        request, "admin/keys.html", {"keys": found, "notice": _notice(request, notice)}
    )


@router.post("/admin/keys/rotate")
async def rotate(request: Request, actor: AdminPage, form: SessionForm) -> Response:
    """Rotate in a new signing key (a double submit rotates once)."""

    async def act() -> Response:
        await signing_keys.rotate(actor=actor, keyring=get_runtime(request).keyring)
        return see_other(f"{KEYS}?notice=rotated")

    return await once(request, form, actor.principal_id, act)


def _event_row(event: AuditEventView) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "outcome": event.outcome,
        "who": event.username or event.principal_id,
        "role": event.role or "",
        "target": audit_service.shown_target(event.kind, event.role, event.target) or "",
        "client": event.client or "",
    }


@router.get("/admin/audit")
async def audit_log(
    request: Request, actor: AdminPage, kind: str = "", cursor: str = ""
) -> Response:
    """The security events, newest first, filtered by kind."""
    chosen = AuditKind(kind) if kind in AuditKind._value2member_map_ else None
    found = await audit_service.list_events(
        actor=actor, kind=chosen, limit=PAGE_SIZE, cursor=cursor or None
    )
    query = {"kind": chosen.value} if chosen else {}
    next_url = (
        f"/admin/audit?{urlencode({**query, 'cursor': found.next_cursor})}"
        if found.next_cursor
        else None
    )
    return await render(
        request,
        "admin/audit.html",
        {
            "events": [_event_row(e) for e in found.items],
            "kinds": [(k.value, k.value) for k in AuditKind],
            "kind": chosen.value if chosen else "",
            "next_url": next_url,
        },
    )
