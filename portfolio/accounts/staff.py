"""An organisation's own staff: its admin creates, lists and removes them.

The service admin creates an organisation's first admin (``administration.admin_create_principal``);
from then on the organisation looks after itself. A provider's admin reaches the accounts of
its organisation; an agency's admin reaches the agency accounts of its region and the regions
under it (the same reach its region prefix gives it over workers). Staff outside that reach do
not exist for it (404), whatever their id.

Staff are never deleted: a removed member's account is disabled for good (``removed``), every
session ends at once, and the record stays so the audit trail keeps naming who did what.
Removing is one conditional update on the principal (its ``version``), so two admins removing
the same member at once record one removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument

from portfolio import ids
from portfolio.accounts.changes import principal_changed
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Actor, Role, StaffRole, region_range
from portfolio.accounts.service import create_principal
from portfolio.accounts.sessions import revoke_sessions_of
from portfolio.audit import AuditKind, Outcome, record
from portfolio.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portfolio.settings import Settings


@dataclass(frozen=True)
class StaffPage:
    """One page of an organisation's staff and the cursor of the next (None on the last)."""

    items: list[Principal]
    next_cursor: str | None


def _require_organisation_admin(actor: Actor) -> None:
    # The route's gate already checked; services do not trust their callers blindly.
    if actor.role not in (Role.PROVIDER, Role.AGENCY) or not actor.is_organisation_admin:
        raise Forbidden("only an organisation's admin may manage its staff")


def _reach(actor: Actor) -> dict[str, Any]:
    """The filter of the accounts ``actor`` (an organisation's admin) may manage."""
    if actor.role is Role.PROVIDER:
        return {"role": Role.PROVIDER.value, "organisation_id": actor.organisation_id}
    assert actor.region_prefix is not None
    return {"role": Role.AGENCY.value, "region_prefix": region_range(actor.region_prefix)}


def _within_reach(actor: Actor, principal: Principal) -> bool:
    if principal.role is not actor.role:
        return False
    if actor.role is Role.PROVIDER:
        return principal.organisation_id == actor.organisation_id
    return principal.region_prefix is not None and actor.covers_region(principal.region_prefix)


async def create_staff(
    *,
    actor: Actor,
    settings: Settings,
    username: str,
    password: str,
    staff_role: StaffRole,
    region_prefix: str | None = None,
) -> Principal:
    """An organisation's admin adds a member of its staff, in its own organisation or region.

    The new account has the admin's role and organisation; an agency's member works in the
    admin's region unless ``region_prefix`` names one under it. Raises ``ValidationFailed`` for
    a sub-role the role has not, a region outside the admin's, a malformed username or a weak
    password, and ``Conflict`` when the username is taken.
    """
    _require_organisation_admin(actor)
    if actor.role is Role.PROVIDER:
        if region_prefix is not None:
            raise ValidationFailed.single(
                "region_prefix", "not_allowed", "a provider's staff belong to its organisation"
            )
        organisation_id, region = actor.organisation_id, None
    else:
        organisation_id, region = None, region_prefix or actor.region_prefix
        if region is not None and not actor.covers_region(region):
            raise ValidationFailed.outside_scope("region_prefix")
    principal = await create_principal(
        settings=settings,
        username=username,
        password=password,
        role=actor.role,
        created_by=actor.principal_id,
        organisation_id=organisation_id,
        region_prefix=region,
        staff_role=staff_role,
    )
    await record(
        AuditKind.STAFF_CREATED,
        Outcome.SUCCESS,
        actor=actor,
        target=str(principal.id),
        target_role=principal.role.value,
        target_staff_role=staff_role.value,
        organisation_id=organisation_id,
        region_prefix=region,
    )
    return principal


async def list_staff(*, actor: Actor, limit: int, cursor: str | None) -> StaffPage:
    """The organisation's accounts (removed ones included, marked) in creation order."""
    _require_organisation_admin(actor)
    query = _reach(actor)
    if cursor is not None:
        after = ids.parse_or_none(cursor)
        if after is None:
            raise ValidationFailed.single("query.cursor", "format", "not a cursor from this list")
        query["_id"] = {"$gt": after}
    found = await Principal.find(query).sort("+_id").limit(limit + 1).to_list()
    items = found[:limit]
    return StaffPage(items=items, next_cursor=str(items[-1].id) if len(found) > limit else None)


async def get_staff(*, actor: Actor, principal_id: str) -> Principal:
    """One member of the organisation's staff; anyone else is "no such staff member"."""
    _require_organisation_admin(actor)
    principal = await Principal.get(ids.parse(principal_id, "staff member"))
    if principal is None or not _within_reach(actor, principal):
        raise NotFound("no such staff member")
    return principal


async def remove_staff(*, actor: Actor, principal_id: str) -> Principal:
    """Remove a member of the organisation's staff: disabled for good, every session ended.

    Removing a member already removed changes nothing (and records nothing); an admin cannot
    remove themself, so an organisation keeps the admin who acts for it.
    """
    target = await get_staff(actor=actor, principal_id=principal_id)
    if str(target.id) == actor.principal_id:
        raise Conflict("an organisation's admin cannot remove their own account")
    if target.removed:
        return target
    after = await Principal.get_pymongo_collection().find_one_and_update(
        {"_id": target.id, "version": target.version},
        {
            "$set": {"removed": True, "disabled": True},
            "$inc": {"token_version": 1, "version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    if after is None:
        # Changed since it was read: removed by a racing admin (fine), or something else.
        again = await get_staff(actor=actor, principal_id=principal_id)
        if again.removed:
            return again
        raise Conflict("the account changed at the same time; try again")
    removed_now: Principal = Principal.model_validate(after)
    await principal_changed(target, removed_now, reason="removed by the organisation's admin")
    await revoke_sessions_of(principal_id, "removed")
    await record(
        AuditKind.STAFF_REMOVED,
        Outcome.SUCCESS,
        actor=actor,
        target=principal_id,
        target_role=target.role.value,
        target_staff_role=target.staff_role.value if target.staff_role else None,
    )
    return removed_now
