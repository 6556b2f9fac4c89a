"""Use cases of accreditations: an agency accredits an organisation of its region to assess
given occupations, levels and norms over a period; suspends and reinstates it with a reason.

Each move is one conditional update on the expected status and version, so of two racing
officers one wins and the other is told the accreditation changed meanwhile.
"""

from __future__ import annotations

from datetime import date, datetime

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations import catalogue_errors
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.recognition import trail
from portfolio.recognition.documents import AbilityNorm, Accreditation
from portfolio.recognition.enums import AccreditationStatus
from portfolio.recognition.views import AccreditationView, NewAccreditation
from portfolio.training import find_organisation
from portfolio.vocabulary import SkillLevel

MAX_REASON = 500


def _agency(actor: Actor) -> None:
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("only an agency accredits")


async def _checked(asked: NewAccreditation) -> tuple[list[str], list[str]]:
    """The occupation codes normalised and the norms checked, or every broken rule."""
    errors: list[FieldError] = []
    codes: list[str] = []
    for code in asked.occupation_codes:
        try:
            codes.append(parse_occupation_code(code, field="occupation_codes").code)
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    # catalogue: an accreditation names catalogued occupations (assessments and proposals
    # stay within it, so they need no check of their own).
    for code in codes:
        errors.extend(await catalogue_errors({"occupation_codes": code}))
    if not asked.occupation_codes and not asked.norm_codes:
        errors.append(FieldError("occupation_codes", "required", "at least one occupation or norm"))
    if asked.occupation_codes and not asked.levels:
        errors.append(FieldError("levels", "required", "at least one level"))
    if SkillLevel.APPRENTICE in asked.levels:
        errors.append(FieldError("levels", "not_allowed", "an apprentice has no certificate"))
    for norm in asked.norm_codes:
        if await AbilityNorm.get(norm) is None:
            errors.append(FieldError("norm_codes", "unknown_norm", f"no published norm {norm}"))
    if asked.valid_until < asked.valid_from:
        errors.append(FieldError("valid_until", "before_from", "the period ends before it starts"))
    if errors:
        raise ValidationFailed(errors)
    return sorted(set(codes)), sorted(set(asked.norm_codes))


async def accredit(
    *, actor: Actor, asked: NewAccreditation, now: datetime | None = None
) -> AccreditationView:
    """An agency accredits an organisation of its region."""
    _agency(actor)
    now = now or clock.now()
    organisation = await find_organisation(asked.organisation_id)
    if organisation is None or not actor.covers_region(organisation.region_code):
        raise ValidationFailed.single(
            "organisation_id", "unknown", "no such organisation in your region"
        )
    codes, norms = await _checked(asked)
    accreditation = Accreditation(
        organisation_id=str(organisation.id),
        organisation_name=organisation.name,
        kind=asked.kind,
        occupation_codes=codes,
        levels=sorted(set(asked.levels), key=lambda level: level.rank),
        norm_codes=norms,
        valid_from=asked.valid_from,
        valid_until=asked.valid_until,
        region_code=organisation.region_code,
        created_at=now,
        created_by=actor.principal_id,
    )
    await accreditation.insert()
    await trail.accreditation_changed(None, accreditation, reason="accredited")
    return AccreditationView.of(accreditation, clock.china_today(now))


async def _in_reach(actor: Actor, accreditation_id: str) -> Accreditation:
    found = await Accreditation.get(ids.parse(accreditation_id, "accreditation"))
    if found is None or not can_see(actor, found):
        raise NotFound("no such accreditation")
    return found


def can_see(actor: Actor, accreditation: Accreditation) -> bool:
    """The agencies of its region and the accredited organisation's staff see it."""
    if actor.role is Role.AGENCY:
        return actor.covers_region(accreditation.region_code)
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == accreditation.organisation_id
    return False


async def set_status(
    *,
    actor: Actor,
    accreditation_id: str,
    status: AccreditationStatus,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> AccreditationView:
    """Suspend or reinstate an accreditation, with a reason."""
    _agency(actor)
    now = now or clock.now()
    if status is AccreditationStatus.EXPIRED:
        raise ValidationFailed.single("status", "not_allowed", "expiry follows the period")
    clean = " ".join(reason.split())
    if not clean or len(clean) > MAX_REASON:
        raise ValidationFailed.single("reason", "required", f"a reason of 1 to {MAX_REASON} chars")
    found = await _in_reach(actor, accreditation_id)
    if found.status is status:
        raise Conflict(f"the accreditation is {status.value} already")
    if version is not None and version != found.version:
        raise Conflict("the accreditation changed meanwhile; reload and retry")
    moved = await Accreditation.get_pymongo_collection().update_one(
        {"_id": found.id, "status": found.status.value, "version": found.version},
        {
            "$set": {
                "status": status.value,
                "status_reason": clean,
                "changed_at_ms": clock.epoch_ms(now),
            },
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the accreditation changed meanwhile; reload and retry")
    after = found.model_copy(
        update={"status": status, "status_reason": clean, "version": found.version + 1}
    )
    await trail.accreditation_changed(found, after, reason=clean)
    return AccreditationView.of(after, clock.china_today(now))


async def get_visible(*, actor: Actor, accreditation_id: str) -> AccreditationView:
    """One accreditation within the caller's reach."""
    found = await _in_reach(actor, accreditation_id)
    return AccreditationView.of(found, clock.china_today(clock.now()))


async def list_visible(*, actor: Actor, page: PageRequest) -> Page[AccreditationView]:
    """An agency's region's accreditations, or a provider's own, oldest first."""
    if actor.role is Role.AGENCY and actor.region_prefix is not None:
        query: dict[str, object] = {"region_code": region_range(actor.region_prefix)}
    elif actor.role is Role.PROVIDER and actor.organisation_id:
        query = {"organisation_id": actor.organisation_id}
    else:
        raise Forbidden("accreditations are for agencies and the accredited organisations")
    today = clock.china_today(clock.now())
    return await id_page(
        Accreditation, query, by_id(page), view=lambda a: AccreditationView.of(a, today)
    )


async def find_for(organisation_id: str, accreditation_id: str) -> Accreditation:
    """The organisation's own accreditation of this id (404 for anyone else's)."""
    oid: PydanticObjectId = ids.parse(accreditation_id, "accreditation")
    found = await Accreditation.find_one({"_id": oid, "organisation_id": organisation_id})
    if found is None:
        raise ValidationFailed.single(
            "accreditation_id", "unknown", "your organisation holds no such accreditation"
        )
    return found


def today_of(now: datetime) -> date:
    """The programme's calendar day of ``now`` (China time)."""
    return clock.china_today(now)
