"""Use cases of organisations: register, suspend, reinstate, list, and who may act for one."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ReturnDocument

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_credit_code, parse_region_code
from portfolio.once import insert_once
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.training.changes_runs import organisation_changed
from portfolio.training.documents import Organisation, OrganisationEvent
from portfolio.training.enums import OrganisationKind, OrganisationStatus
from portfolio.training.views import OrganisationView


@dataclass(frozen=True)
class NewOrganisation:
    """A provider or enterprise to register; the override reason only for a legal early
    credit code that fails the GB 32100 check."""

    name: str
    credit_code: str
    kind: OrganisationKind
    region_code: str
    credit_code_override_reason: str = ""


async def register(*, actor: Actor, organisation: NewOrganisation) -> OrganisationView:
    """An agency (in its region) or an admin registers a provider or enterprise."""
    region = parse_region_code(organisation.region_code)
    if actor.role is Role.AGENCY and not actor.covers_region(region):
        raise ValidationFailed.outside_scope("region_code")
    override = organisation.credit_code_override_reason.strip()
    code = parse_credit_code(
        organisation.credit_code, field="credit_code", allow_checksum_override=bool(override)
    )
    stored = Organisation(
        name=organisation.name.strip(),
        credit_code=code.code,
        credit_code_override_reason=override if code.overridden else "",
        kind=organisation.kind,
        region_code=region,
        created_at=clock.now(),
        created_by=actor.principal_id,
    )
    if not await insert_once(stored):
        raise Conflict("an organisation with this credit code is already registered")
    await organisation_changed(None, stored, reason="organisation registered")
    return OrganisationView.of(stored)


async def _visible(actor: Actor, organisation_id: str) -> Organisation:
    organisation = await Organisation.get(ids.parse(organisation_id, "organisation"))
    if organisation is None or not can_see(actor, organisation):
        raise NotFound("no such organisation")
    return organisation


async def get_visible(*, actor: Actor, organisation_id: str) -> OrganisationView:
    """An organisation the caller may see: its own users, agencies of its region, admins."""
    return OrganisationView.of(await _visible(actor, organisation_id))


def can_see(actor: Actor, organisation: Organisation) -> bool:
    """Whether ``actor`` may read this organisation's data."""
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.AGENCY:
        return actor.covers_region(organisation.region_code)
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == str(organisation.id)
    return False


async def acting_organisation(actor: Actor, *, to_record: bool = True) -> Organisation:
    """The provider user's own organisation; refuses recording while it is suspended."""
    if actor.role is not Role.PROVIDER or actor.organisation_id is None:
        raise Forbidden("only a provider's users may do this")
    organisation = await Organisation.get(ids.parse(actor.organisation_id, "organisation"))
    if organisation is None:
        raise Forbidden("your account is bound to no registered organisation")
    if to_record and organisation.status is OrganisationStatus.SUSPENDED:
        raise Forbidden(
            "your organisation is suspended: it can read its records but not add to them",
            reason=organisation.status_reason,
        )
    return organisation


async def set_status(
    *, actor: Actor, organisation_id: str, suspend: bool, reason: str
) -> OrganisationView:
    """Suspend or reinstate, by an agency of the organisation's region (or an admin)."""
    organisation = await _visible(actor, organisation_id)
    if actor.role not in (Role.AGENCY, Role.ADMIN):
        raise Forbidden("only an agency of the region may change an organisation's status")
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a reason is required")
    source = OrganisationStatus.ACTIVE if suspend else OrganisationStatus.SUSPENDED
    target = OrganisationStatus.SUSPENDED if suspend else OrganisationStatus.ACTIVE
    updated = await Organisation.get_pymongo_collection().find_one_and_update(
        {"_id": organisation.id, "status": source.value, "version": organisation.version},
        {
            "$set": {
                "status": target.value,
                "status_reason": reason.strip(),
                "changed_at_ms": clock.epoch_ms(clock.now()),
            },
            "$inc": {"version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict(
            f"the organisation is {organisation.status.value}",
            current_state=organisation.status.value,
        )
    after = Organisation.model_validate(updated)
    await organisation_changed(organisation, after, reason=reason.strip())
    await OrganisationEvent(
        organisation_id=str(organisation.id),
        action="suspend" if suspend else "reinstate",
        reason=reason.strip(),
        by=actor.principal_id,
        at=clock.now(),
    ).insert()
    return OrganisationView.of(after)


async def list_visible(*, actor: Actor, page: PageRequest) -> Page[OrganisationView]:
    """Organisations the caller may see, oldest first."""
    keys = by_id(page)
    query: dict[str, object] = {}
    if actor.role is Role.AGENCY and actor.region_prefix is not None:
        query["region_code"] = region_range(actor.region_prefix)
    elif actor.role is Role.PROVIDER:
        query["_id"] = ids.parse(actor.organisation_id, "organisation")  # _id: ObjectId
    return await id_page(Organisation, query, keys, view=OrganisationView.of)
