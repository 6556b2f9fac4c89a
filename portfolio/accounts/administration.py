"""The service administrator's use cases of accounts: creating an organisation's first
user, listing, reading, disabling and enabling accounts. Login and passwords are in
``service.py``; an organisation's own staff in ``staff.py``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument

from portfolio import ids
from portfolio.accounts import session_cache
from portfolio.accounts.changes import principal_changed
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.accounts.service import _stored, create_principal
from portfolio.accounts.sessions import revoke_sessions_of
from portfolio.audit import AuditKind, Outcome, record
from portfolio.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portfolio.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrincipalPage:
    """One page of principals and the cursor of the next (None on the last page)."""

    items: list[Principal]
    next_cursor: str | None


async def admin_create_principal(
    *,
    actor: Actor,
    settings: Settings,
    username: str,
    password: str,
    role: Role,
    organisation_id: str | None = None,
    region_prefix: str | None = None,
    staff_role: StaffRole | None = None,
) -> Principal:
    """An admin creates a provider user, an agency user or another admin.

    This is how an organisation gets its first admin (``staff_role`` admin, the default for a
    provider or agency user); that admin then manages the organisation's staff. Worker accounts
    are never created here: a worker activates their own account with the code from real-name
    registration.
    """
    _require_admin(actor)
    if role is Role.WORKER:
        raise ValidationFailed.single(
            "role", "not_allowed", "worker accounts are created by activation"
        )
    principal = await create_principal(
        settings=settings,
        username=username,
        password=password,
        role=role,
        created_by=actor.principal_id,
        organisation_id=organisation_id,
        region_prefix=region_prefix,
        staff_role=staff_role,
    )
    await record(
        AuditKind.PRINCIPAL_CREATED,
        Outcome.SUCCESS,
        actor=actor,
        target=str(principal.id),
        target_role=role.value,
        target_staff_role=principal.staff_role.value if principal.staff_role else None,
        organisation_id=organisation_id,
        region_prefix=region_prefix,
    )
    return principal


def login_name_for_admin(principal: Principal) -> str | None:
    """The login name an admin is shown: none of a worker's (by default their phone number:
    worker data, which the admin role does not see)."""
    return None if principal.role is Role.WORKER else principal.username


def _require_admin(actor: Actor) -> None:
    # The route's dependency already checked; services do not trust their callers blindly.
    if actor.role is not Role.ADMIN:
        raise Forbidden("only an administrator may manage accounts")


async def get_principal(*, actor: Actor, principal_id: str) -> Principal:
    """One principal, for an admin."""
    _require_admin(actor)
    principal = await Principal.get(ids.parse(principal_id, "principal"))
    if principal is None:
        raise NotFound("no such principal")
    return principal


async def list_principals(
    *, actor: Actor, role: Role | None, limit: int, cursor: str | None
) -> PrincipalPage:
    """Principals in creation order, a page at a time (keyset paging on ``_id``)."""
    _require_admin(actor)
    query: dict[str, Any] = {}
    if role is not None:
        query["role"] = role.value
    if cursor is not None:
        after = ids.parse_or_none(cursor)
        if after is None:
            raise ValidationFailed.single("cursor", "format", "not a cursor from this list")
        query["_id"] = {"$gt": after}
    found = await Principal.find(query).sort("+_id").limit(limit + 1).to_list()
    items = found[:limit]
    next_cursor = str(items[-1].id) if len(found) > limit else None
    return PrincipalPage(items=items, next_cursor=next_cursor)


async def set_disabled(*, actor: Actor, principal_id: str, disabled: bool) -> Principal:
    """Disable (every session ends at once) or enable an account; repeating is harmless."""
    _require_admin(actor)
    if disabled and principal_id == actor.principal_id:
        raise Conflict("an administrator cannot disable their own account")
    target = await get_principal(actor=actor, principal_id=principal_id)
    if not disabled and target.removed:
        raise Conflict("this account was removed by its organisation; it stays disabled")
    update: dict[str, Any] = {"$set": {"disabled": disabled}, "$inc": {"version": 1}}
    if disabled:
        update["$inc"]["token_version"] = 1
    after = await Principal.get_pymongo_collection().find_one_and_update(
        {"_id": target.id, "disabled": not disabled},
        update,
        return_document=ReturnDocument.AFTER,
    )
    if after is None:
        return await get_principal(actor=actor, principal_id=principal_id)
    await principal_changed(
        target,
        _stored(after),
        reason="disabled by an administrator" if disabled else "enabled by an administrator",
    )
    if disabled:
        await revoke_sessions_of(principal_id, "disabled")
    else:
        # Its new tokens work at once here, whatever this process last read of it.
        session_cache.forget_principal(principal_id)
    await record(
        AuditKind.PRINCIPAL_DISABLED if disabled else AuditKind.PRINCIPAL_ENABLED,
        Outcome.SUCCESS,
        actor=actor,
        target=principal_id,
        target_role=target.role.value,
    )
    log.info(
        "principal disabled" if disabled else "principal enabled",
        extra={"principal": principal_id, "by": actor.principal_id},
    )
    return _stored(after)


# --- logins and passwords -----------------------------------------------------------------


async def set_organisation_account_disabled(
    *, actor: Actor, principal_id: str, disabled: bool
) -> Principal:
    """``set_disabled`` for a provider's or an agency's account only (the admin's pages list
    no other: a worker's account is worker data, an admin's is managed from the terminal)."""
    target = await get_principal(actor=actor, principal_id=principal_id)
    if target.role not in (Role.PROVIDER, Role.AGENCY):
        raise NotFound("no such provider or agency account")
    return await set_disabled(actor=actor, principal_id=principal_id, disabled=disabled)
