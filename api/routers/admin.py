"""Account administration: admins create, list, disable and enable principals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AUTH_RESPONSES, Admin, Idempotent
from api.runtime import Runtime, RuntimeDep
from portfolio.accounts import service
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Actor, Role
from portfolio.settings import Settings
from schemas.accounts import PrincipalCreate, PrincipalOut, PrincipalPage

router = APIRouter(prefix="/admin", tags=["admin"])


def _out(principal: Principal, settings: Settings) -> PrincipalOut:
    return PrincipalOut(
        id=str(principal.id),
        username=principal.username,
        role=principal.role,
        archive_id=principal.archive_id,
        organisation_id=principal.organisation_id,
        region_prefix=principal.region_prefix,
        disabled=principal.disabled,
        locked_until=service.locked_until(principal, settings=settings),
        created_at=principal.created_at,
    )


@router.post(
    "/principals",
    summary="Create a provider, agency or admin account",
    status_code=201,
    response_model=PrincipalOut,
    responses={
        **AUTH_RESPONSES,
        409: {"description": "The username is taken"},
        422: {"description": "Unknown fields, a worker role, a wrong binding, a weak password"},
    },
)
async def create_principal(
    body: PrincipalCreate, actor: Admin, idem: Idempotent, runtime: RuntimeDep
) -> Response:
    """A provider user needs ``organisation_id``, an agency user ``region_prefix``; workers
    get their accounts by activation, never here."""

    async def create() -> PrincipalOut:
        principal = await service.admin_create_principal(
            actor=actor,
            settings=runtime.settings,
            username=body.username,
            password=body.password,
            role=body.role,
            organisation_id=body.organisation_id,
            region_prefix=body.region_prefix,
        )
        return _out(principal, runtime.settings)

    return await idem.run(create, status_code=201)


@router.get("/principals", summary="List accounts", responses=AUTH_RESPONSES)
async def list_principals(
    actor: Admin,
    runtime: RuntimeDep,
    role: Role | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> PrincipalPage:
    """Accounts in creation order, optionally of one role; page with ``cursor``."""
    page = await service.list_principals(actor=actor, role=role, limit=limit, cursor=cursor)
    return PrincipalPage(
        items=[_out(p, runtime.settings) for p in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/principals/{principal_id}",
    summary="One account",
    responses={**AUTH_RESPONSES, 404: {"description": "No such account"}},
)
async def get_principal(principal_id: str, actor: Admin, runtime: RuntimeDep) -> PrincipalOut:
    """An account by id."""
    principal = await service.get_principal(actor=actor, principal_id=principal_id)
    return _out(principal, runtime.settings)


@router.post(
    "/principals/{principal_id}/disable",
    summary="Disable an account (its sessions end at once)",
    response_model=PrincipalOut,
    responses={
        **AUTH_RESPONSES,
        404: {"description": "No such account"},
        409: {"description": "An admin cannot disable their own account"},
    },
)
async def disable_principal(
    principal_id: str, actor: Admin, idem: Idempotent, runtime: RuntimeDep
) -> Response:
    """The account can no longer log in and every token it holds stops working."""
    return await idem.run(lambda: _set_disabled(actor, principal_id, runtime, disabled=True))


@router.post(
    "/principals/{principal_id}/enable",
    summary="Enable a disabled account",
    response_model=PrincipalOut,
    responses={**AUTH_RESPONSES, 404: {"description": "No such account"}},
)
async def enable_principal(
    principal_id: str, actor: Admin, idem: Idempotent, runtime: RuntimeDep
) -> Response:
    """The account may log in again (with a fresh count of failed logins)."""
    return await idem.run(lambda: _set_disabled(actor, principal_id, runtime, disabled=False))


async def _set_disabled(
    actor: Actor, principal_id: str, runtime: Runtime, *, disabled: bool
) -> PrincipalOut:
    principal = await service.set_disabled(
        actor=actor, principal_id=principal_id, disabled=disabled
    )
    return _out(principal, runtime.settings)
