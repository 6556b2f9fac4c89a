"""Special vocational ability norms (专项职业能力考核规范): a province-level agency publishes
them by code (the plan's Sichuan norms: liquor, tea, cuisine...) and withdraws them with a
reason; accredited bodies assess against a published one.
"""

from __future__ import annotations

import re
from datetime import datetime

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations import catalogue_errors
from portfolio.once import insert_once
from portfolio.recognition import trail
from portfolio.recognition.documents import AbilityNorm
from portfolio.recognition.enums import NormStatus
from portfolio.recognition.views import NormView

# The province's own codes, e.g. 51ZX0001 (upper-case letters, digits and dashes).
_CODE = re.compile(r"^[0-9A-Z][0-9A-Z-]{2,31}$")
MAX_TITLE = 100


def _province_agency(actor: Actor) -> str:
    """The province (2-digit prefix) of a province-level agency; others may not publish."""
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("only an agency publishes norms")
    if len(actor.region_prefix) != 2:
        raise Forbidden("norms are published by the province-level agency")
    return actor.region_prefix


async def publish(
    *, actor: Actor, code: str, title: str, occupation_code: str, now: datetime | None = None
) -> NormView:
    """Publish a norm under a new code."""
    province = _province_agency(actor)
    now = now or clock.now()
    errors: list[FieldError] = []
    clean_code = code.strip().upper()
    if not _CODE.match(clean_code):
        errors.append(FieldError("code", "format", "3 to 32 capital letters, digits or dashes"))
    clean_title = " ".join(title.split())
    if not clean_title or len(clean_title) > MAX_TITLE:
        errors.append(FieldError("title", "length", f"1 to {MAX_TITLE} characters"))
    occupation = occupation_code
    try:
        occupation = parse_occupation_code(occupation_code).code
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    # catalogue: a norm belongs to a catalogued occupation.
    errors.extend(await catalogue_errors({"occupation_code": occupation_code}))
    if errors:
        raise ValidationFailed(errors)
    norm = AbilityNorm(
        id=clean_code,
        title=clean_title,
        occupation_code=occupation,
        region_code=f"{province}0000",
        published_at=now,
        published_by=actor.principal_id,
    )
    if not await insert_once(norm):
        raise Conflict("a norm with this code is published already")
    await trail.norm_changed(None, norm, reason="published")
    return NormView.of(norm)


async def withdraw(
    *, actor: Actor, code: str, reason: str, now: datetime | None = None
) -> NormView:
    """Withdraw a norm, with a reason: no new certificate is issued against it."""
    _province_agency(actor)
    now = now or clock.now()
    clean = " ".join(reason.split())
    if not clean:
        raise ValidationFailed.single("reason", "required", "a reason is required")
    norm = await AbilityNorm.get(code)
    if norm is None or not actor.covers_region(norm.region_code):
        raise NotFound("no such norm")
    moved = await AbilityNorm.get_pymongo_collection().update_one(
        {"_id": norm.id, "status": NormStatus.PUBLISHED.value, "version": norm.version},
        {
            "$set": {
                "status": NormStatus.WITHDRAWN.value,
                "status_reason": clean,
                "changed_at_ms": clock.epoch_ms(now),
            },
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the norm is withdrawn already or changed meanwhile")
    after = norm.model_copy(
        update={"status": NormStatus.WITHDRAWN, "status_reason": clean, "version": norm.version + 1}
    )
    await trail.norm_changed(norm, after, reason=clean)
    return NormView.of(after)


async def list_all() -> list[NormView]:
    """Every norm, by code (a province publishes tens, not thousands)."""
    return [NormView.of(n) async for n in AbilityNorm.find({}).sort("+_id")]


async def published(code: str) -> AbilityNorm | None:
    """The published norm of ``code`` (None when unknown or withdrawn)."""
    norm = await AbilityNorm.get(code)
    return norm if norm is not None and norm.status is NormStatus.PUBLISHED else None
