"""Training platforms: high-skill training bases, master studios, public training bases and
competition training bases, at national, provincial or park level, recorded by an agency
within its region, corrected and closed with a reason; and the training delivered through
them: a provider's run or course linked to a platform (a link record: the training area is
not changed), whose enrolments and completions the platform and the dashboard count.

Each change is one conditional replace on the platform's version (or one insert), followed by
its change-trail record (restored by the repair routine from the ``changed_at_ms`` window).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from beanie.odm.utils.dump import get_dict

from portfolio import audit, clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from portfolio.once import insert_once
from portfolio.planning.documents import (
    LinkKind,
    Platform,
    PlatformKind,
    PlatformLink,
    PlatformStatus,
    PlatformTier,
)
from portfolio.planning.views import LinkView, PlatformView
from portfolio.training import course_place, run_place, training_of

PLATFORM = "platform"
LINK = "platform_link"
MAX_TEXT = 120
MAX_REASON = 500
MAX_LISTED = 500
FIRST_YEAR = 2000
PERSONAL = ("leader",)


@dataclass(frozen=True)
class PlatformContent:
    """What a platform states; a correction restates all of it."""

    kind: PlatformKind
    tier: PlatformTier
    name: str
    host: str
    leader: str
    approved_on: date
    valid_until: date | None
    region_code: str


def _clean(text: str) -> str:
    return " ".join(text.split())


def _require_agency(actor: Actor) -> str:
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("platforms are recorded by an agency")
    return actor.region_prefix


def _checked(actor: Actor, content: PlatformContent) -> PlatformContent:
    cleaned = replace(
        content,
        name=_clean(content.name),
        host=_clean(content.host),
        leader=_clean(content.leader),
    )
    errors: list[FieldError] = []
    for field in ("name", "host"):
        if not 0 < len(getattr(cleaned, field)) <= MAX_TEXT:
            errors.append(FieldError(field, "required", f"1 to {MAX_TEXT} characters"))
    if len(cleaned.leader) > MAX_TEXT:
        errors.append(FieldError("leader", "length", f"at most {MAX_TEXT} characters"))
    if content.kind is PlatformKind.MASTER_STUDIO and not cleaned.leader:
        errors.append(FieldError("leader", "required", "a master studio names its master"))
    if not (content.region_code.isdigit() and len(content.region_code) == 6):
        errors.append(FieldError("region_code", "format", "6 digits"))
    elif not actor.covers_region(content.region_code):
        errors.append(FieldError("region_code", "outside", "a region your agency covers"))
    today = clock.china_today()
    if not content.approved_on.year >= FIRST_YEAR or content.approved_on > today:
        errors.append(FieldError("approved_on", "range", f"from {FIRST_YEAR} to today"))
    if content.valid_until is not None and content.valid_until < content.approved_on:
        errors.append(FieldError("valid_until", "order", "not before the approval"))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def shown(found: Platform) -> dict[str, Any]:
    """A platform as the change trail keeps it."""
    return {
        "kind": found.kind.value,
        "tier": found.tier.value,
        "name": found.name,
        "host": found.host,
        "leader": found.leader,
        "approved_on": found.approved_on.isoformat(),
        "valid_until": found.valid_until.isoformat() if found.valid_until else None,
        "region_code": found.region_code,
        "status": found.status.value,
        "closed_on": found.closed_on.isoformat() if found.closed_on else None,
        "close_reason": found.close_reason,
    }


def _link_shown(found: PlatformLink) -> dict[str, Any]:
    return {
        "platform_id": found.platform_id,
        "kind": found.kind.value,
        "target_id": found.target_id,
        "organisation_id": found.organisation_id,
    }


async def create(*, actor: Actor, content: PlatformContent) -> PlatformView:
    """Record a platform of the agency's region."""
    _require_agency(actor)
    checked = _checked(actor, content)
    now = clock.now()
    found = Platform(
        kind=checked.kind,
        tier=checked.tier,
        name=checked.name,
        host=checked.host,
        leader=checked.leader,
        approved_on=checked.approved_on,
        valid_until=checked.valid_until,
        region_code=checked.region_code,
        recorded_at=clock.truncate_to_millis(now),
        recorded_by=actor.principal_id,
        changed_at_ms=clock.epoch_ms(now),
        changed_by=actor.principal_id,
    )
    await found.insert()
    await audit.changed(
        PLATFORM,
        str(found.id),
        0,
        None,
        shown(found),
        reason="platform recorded",
        region=found.region_code,
        personal=PERSONAL,
    )
    return PlatformView.of(found)


async def _visible(actor: Actor, platform_id: str) -> Platform:
    _require_agency(actor)
    found = await Platform.get(ids.parse(platform_id, "platform"))
    if found is None or not actor.covers_region(found.region_code):
        raise NotFound("no such platform")
    return found


def _reason(reason: str) -> str:
    text = _clean(reason)
    if not 0 < len(text) <= MAX_REASON:
        raise ValidationFailed.single("reason", "required", f"1 to {MAX_REASON} characters")
    return text


async def _change(actor: Actor, found: Platform, update: dict[str, Any], reason: str) -> Platform:
    now = clock.now()
    after: Platform = found.model_copy(
        update={
            **update,
            "version": found.version + 1,
            "changed_at_ms": clock.epoch_ms(now),
            "changed_by": actor.principal_id,
        }
    )
    replaced = await Platform.get_pymongo_collection().replace_one(
        {"_id": found.id, "version": found.version}, get_dict(after, to_db=True)
    )
    if replaced.matched_count != 1:
        raise Conflict("the platform changed meanwhile; reload and retry")
    await audit.changed(
        PLATFORM,
        str(found.id),
        after.version,
        shown(found),
        shown(after),
        reason=reason,
        region=after.region_code,
        personal=PERSONAL,
    )
    return after


async def correct(
    *, actor: Actor, platform_id: str, content: PlatformContent, reason: str
) -> PlatformView:
    """Restate an open platform, with a reason (restating what it says changes nothing)."""
    found = await _visible(actor, platform_id)
    if found.status is PlatformStatus.CLOSED:
        raise InvalidTransition("the platform is closed", current_state="closed")
    text = _reason(reason)
    checked = _checked(actor, content)
    if checked.region_code != found.region_code:
        # Its links are counted by the platform's region: a move is a close and a new record.
        raise ValidationFailed.single("region_code", "fixed", "a platform keeps its region")
    update = {
        "kind": checked.kind,
        "tier": checked.tier,
        "name": checked.name,
        "host": checked.host,
        "leader": checked.leader,
        "approved_on": checked.approved_on,
        "valid_until": checked.valid_until,
        "region_code": checked.region_code,
    }
    if all(getattr(found, name) == value for name, value in update.items()):
        return await get(actor=actor, platform_id=platform_id)
    await _change(actor, found, update, text)
    return await get(actor=actor, platform_id=platform_id)


async def close(*, actor: Actor, platform_id: str, closed_on: date, reason: str) -> PlatformView:
    """Close a platform on a day (not before its approval, not in the future), with a reason."""
    found = await _visible(actor, platform_id)
    if found.status is PlatformStatus.CLOSED:
        raise InvalidTransition("the platform is closed", current_state="closed")
    text = _reason(reason)
    if closed_on < found.approved_on or closed_on > clock.china_today():
        raise ValidationFailed.single("closed_on", "range", "from the approval to today")
    update = {"status": PlatformStatus.CLOSED, "closed_on": closed_on, "close_reason": text}
    await _change(actor, found, update, text)
    return await get(actor=actor, platform_id=platform_id)


async def link(*, actor: Actor, platform_id: str, kind: LinkKind, target_id: str) -> PlatformView:
    """Count a provider's run or course (of the agency's region) as delivered through an open
    platform; a second link of the same one is 409."""
    found = await _visible(actor, platform_id)
    if found.status is PlatformStatus.CLOSED:
        raise InvalidTransition("the platform is closed", current_state="closed")
    try:
        place = await (run_place(target_id) if kind is LinkKind.RUN else course_place(target_id))
    except NotFound:
        place = None
    if place is None or not actor.covers_region(place.region_code):
        raise ValidationFailed.single(
            "target_id", "no_match", f"no {kind.value} of your region has this id"
        )
    now = clock.now()
    made = PlatformLink(
        key=f"{platform_id}|{kind.value}|{target_id}",
        platform_id=platform_id,
        platform_region_code=found.region_code,
        kind=kind,
        target_id=target_id,
        organisation_id=place.organisation_id,
        title=place.title,
        recorded_at=clock.truncate_to_millis(now),
        recorded_by=actor.principal_id,
        changed_at_ms=clock.epoch_ms(now),
    )
    if not await insert_once(made):
        raise Conflict("this training is already linked to the platform")
    await audit.changed(LINK, str(made.id), 0, None, _link_shown(made), region=found.region_code)
    return await get(actor=actor, platform_id=platform_id)


async def counts_of(links: list[PlatformLink]) -> tuple[int, int, int]:
    """Enrolments, completions and passes through these links (a run linked twice, directly
    and through its course, counted once)."""
    runs = await training_of(
        run_ids=[k.target_id for k in links if k.kind is LinkKind.RUN],
        course_ids=[k.target_id for k in links if k.kind is LinkKind.COURSE],
    )
    return (
        sum(r.enrolled for r in runs.values()),
        sum(r.completed for r in runs.values()),
        sum(r.passed for r in runs.values()),
    )


async def get(*, actor: Actor, platform_id: str) -> PlatformView:
    """One platform of the agency's region, with its links and the training through them."""
    found = await _visible(actor, platform_id)
    links = await PlatformLink.find({"platform_id": str(found.id)}).sort("+_id").to_list()
    return PlatformView.of(found, [LinkView.of(k) for k in links], await counts_of(links))


async def platforms_in(region_prefix: str) -> list[Platform]:
    """The platforms of a region, newest approval first."""
    query = Platform.find({"region_code": region_range(region_prefix)})
    return await query.sort("-approved_on", "-_id").limit(MAX_LISTED).to_list()


async def links_in(region_prefix: str) -> list[PlatformLink]:
    """The links of a region's platforms."""
    return await PlatformLink.find({"platform_region_code": region_range(region_prefix)}).to_list()


async def list_visible(*, actor: Actor) -> list[PlatformView]:
    """The platforms of the agency's region, with the training through each."""
    prefix = _require_agency(actor)
    platforms = await platforms_in(prefix)
    links = await links_in(prefix)
    views = []
    for found in platforms:
        own = [k for k in links if k.platform_id == str(found.id)]
        views.append(PlatformView.of(found, [LinkView.of(k) for k in own], await counts_of(own)))
    return views


def _windows(since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [{"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}]


audit.register_documents(
    PLATFORM,
    Platform,
    _windows,
    lambda found: audit.Snapshot(
        str(found.id), found.version, shown(found), found.region_code, PERSONAL
    ),
)
audit.register_documents(
    LINK,
    PlatformLink,
    _windows,
    lambda found: audit.Snapshot(
        str(found.id), found.version, _link_shown(found), found.platform_region_code
    ),
)
