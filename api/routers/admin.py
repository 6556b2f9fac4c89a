"""Account administration: the service admin's principals, and an organisation's own staff.

The service admin creates, lists, disables and enables principals (``/admin/principals``),
among them each organisation's first admin. An organisation's admin (a provider's or an
agency's ``admin`` sub-role) adds, lists and removes its own staff (``/staff``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import Admin, Idempotent, OrganisationAdmin
from api.paging import Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.accounts import administration, staff
from portfolio.accounts.principal import Actor, Role
from portfolio.accounts.views import AccountView, StaffView
from schemas.accounts import PrincipalCreate, PrincipalOut, PrincipalPage, StaffCreate, StaffOut
from schemas.common import Page

router = APIRouter()

_NO_SUCH_ACCOUNT: Responses = {404: {"description": "No such account"}}
_CURSOR = Annotated[str | None, Query(max_length=64)]


# --- the service admin's principals ---------------------------------------------------------


@router.post(
    "/admin/principals",
    tags=["admin"],
    summary="Create a provider, agency or admin account",
    status_code=201,
    response_model=PrincipalOut,
    responses={
        **AUTH_ERRORS,
        409: {"description": "The username is taken"},
        422: {
            "description": "Unknown fields, a worker role, a wrong binding or sub-role, "
            "a weak password"
        },
    },
)
async def create_principal(
    body: PrincipalCreate, actor: Admin, idem: Idempotent, runtime: RuntimeDep
) -> Response:
    """A provider user needs ``organisation_id``, an agency user ``region_prefix``; workers
    get their accounts by activation, never here. A provider or agency user is its
    organisation's admin unless ``staff_role`` says otherwise: this is how an organisation
    gets its first admin, who then manages its staff through ``/staff``."""

    async def create() -> PrincipalOut:
        principal = await administration.admin_create_principal(
            actor=actor,
            settings=runtime.settings,
            username=body.username,
            password=body.password,
            role=body.role,
            organisation_id=body.organisation_id,
            region_prefix=body.region_prefix,
            staff_role=body.staff_role,
        )
        return PrincipalOut.from_view(AccountView.for_admin(principal))

    return await idem.run(create, status_code=201)


@router.get("/admin/principals", tags=["admin"], summary="List accounts", responses=AUTH_ERRORS)
async def list_principals(
    actor: Admin,
    role: Role | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: _CURSOR = None,
) -> PrincipalPage:
    """Accounts in creation order, optionally of one role; page with ``cursor``."""
    page = await administration.list_principals(actor=actor, role=role, limit=limit, cursor=cursor)
    return PrincipalPage(
        items=[PrincipalOut.from_view(AccountView.for_admin(p)) for p in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/admin/principals/{principal_id}",
    tags=["admin"],
    summary="One account",
    responses={**AUTH_ERRORS, **_NO_SUCH_ACCOUNT},
)
async def get_principal(principal_id: str, actor: Admin) -> PrincipalOut:
    """An account by id."""
    principal = await administration.get_principal(actor=actor, principal_id=principal_id)
    return PrincipalOut.from_view(AccountView.for_admin(principal))


@router.post(
    "/admin/principals/{principal_id}/disable",
    tags=["admin"],
    summary="Disable an account (its sessions end at once)",
    response_model=PrincipalOut,
    responses={
        **AUTH_ERRORS,
        **_NO_SUCH_ACCOUNT,
        409: {"description": "An admin cannot disable their own account"},
    },
)
async def disable_principal(principal_id: str, actor: Admin, idem: Idempotent) -> Response:
    """The account can no longer log in and every token it holds stops working."""
    return await idem.run(lambda: _set_disabled(actor, principal_id, disabled=True))


@router.post(
    "/admin/principals/{principal_id}/enable",
    tags=["admin"],
    summary="Enable a disabled account",
    response_model=PrincipalOut,
    responses={
        **AUTH_ERRORS,
        **_NO_SUCH_ACCOUNT,
        409: {"description": "The account was removed by its organisation"},
    },
)
async def enable_principal(principal_id: str, actor: Admin, idem: Idempotent) -> Response:
    """The account may log in again; its new tokens work at once."""
    return await idem.run(lambda: _set_disabled(actor, principal_id, disabled=False))


async def _set_disabled(actor: Actor, principal_id: str, *, disabled: bool) -> PrincipalOut:
    principal = await administration.set_disabled(
        actor=actor, principal_id=principal_id, disabled=disabled
    )
    return PrincipalOut.from_view(AccountView.for_admin(principal))


# --- an organisation's staff ----------------------------------------------------------------


@router.post(
    "/staff",
    tags=["staff"],
    summary="Add a member of your organisation's staff",
    status_code=201,
    response_model=StaffOut,
    responses={
        **AUTH_ERRORS,
        403: {"description": "You are not your organisation's admin"},
        409: {"description": "The username is taken"},
        422: {"description": "A sub-role of another role, a region outside yours, a weak password"},
    },
)
async def create_staff(
    body: StaffCreate, actor: OrganisationAdmin, idem: Idempotent, runtime: RuntimeDep
) -> Response:
    """The new account has your role and organisation and the sub-role ``staff_role``; an
    agency's member works in your region, or in ``region_prefix`` under it."""

    async def create() -> StaffOut:
        principal = await staff.create_staff(
            actor=actor,
            settings=runtime.settings,
            username=body.username,
            password=body.password,
            staff_role=body.staff_role,
            region_prefix=body.region_prefix,
        )
        return StaffOut.from_view(StaffView.of(principal))

    return await idem.run(create, status_code=201)


@router.get(
    "/staff",
    tags=["staff"],
    summary="Your organisation's staff",
    responses={**AUTH_ERRORS, 422: {"description": "A malformed cursor"}},
)
async def list_staff(
    actor: OrganisationAdmin, limit: Limit = 50, cursor: _CURSOR = None
) -> Page[StaffOut]:
    """Every account of your organisation (an agency: of your region and those under it),
    removed ones included and marked, in creation order; page with ``cursor``."""
    page = await staff.list_staff(actor=actor, limit=limit, cursor=cursor)
    return Page[StaffOut](
        items=[StaffOut.from_view(StaffView.of(p)) for p in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/staff/{principal_id}/remove",
    tags=["staff"],
    summary="Remove a member of your organisation's staff",
    response_model=StaffOut,
    responses={
        **READ_ERRORS,
        404: {"description": "No such member of your organisation's staff"},
        409: {"description": "You cannot remove yourself, or the account changed meanwhile"},
    },
)
async def remove_staff(principal_id: str, actor: OrganisationAdmin, idem: Idempotent) -> Response:
    """The account is disabled for good and every session it holds ends at once; removing it
    again changes nothing."""

    async def remove() -> StaffOut:
        return StaffOut.from_view(
            StaffView.of(await staff.remove_staff(actor=actor, principal_id=principal_id))
        )

    return await idem.run(remove)
