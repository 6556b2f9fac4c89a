"""The agency's plan pages (issue 27, part 1):

* ``/agency/targets``: the dashboard of a period, region and year (each figure with its
  formula and the province's target), the platforms of the region, and the forms entering
  the province's targets (province officers), an employed count and a platform (officers);
* ``/agency/platforms/{id}``: one platform with the training linked to it, and the forms
  linking a class or course and closing it.

The same services as ``/targets`` and ``/platforms`` (``portfolio.planning``): officers write,
every agency seat reads; another region's platform is "not found".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
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
from api.web.planning_words import message_of, words
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio import clock
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Conflict, FieldError, Forbidden, InvalidTransition, ValidationFailed
from portfolio.planning import LinkKind, PlatformKind, PlatformTier, platforms, targets
from portfolio.planning import dashboard as measuring
from portfolio.planning.rules import period_of_year
from portfolio.planning.targets import TargetValues

router = page_router()
HOME = "/agency/targets"
PLATFORMS = "/agency/platforms"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
NOTICES = {
    "targets": N_("The targets are entered."),
    "employed": N_("The employed count is entered."),
    "platform": N_("The platform is recorded."),
    "linked": N_("The training is linked to the platform."),
    "closed": N_("The platform is closed."),
    "corrected": N_("The platform is corrected; the change trail keeps the earlier one."),
}
_PROVINCE = N_("The targets are entered by the province agency.")
_TWICE = N_("This was changed a moment ago, or is already recorded; reload and check.")
PLATFORM_FIELDS = ("kind", "tier", "name", "host", "leader", "approved_on", "valid_until")
TARGET_FIELDS = tuple(TargetValues.__dataclass_fields__)


async def _page(
    request: Request, template: str, context: dict[str, object], notice: str = ""
) -> Response:
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        template,
        {
            **page_words(request),
            **words(request),
            **context,
            "notice": t(request, message) if message else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


def _errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    return [PageError(e.field, message_of(request, e.field, e.message)) for e in failed.errors]


def _number(form: SessionForm, name: str, errors: list[FieldError]) -> int:
    raw = form.get(name).replace(",", "") or "0"
    if not raw.isdigit():
        errors.append(FieldError(name, "format", "a whole number"))
        return 0
    return int(raw)


def _day(form: SessionForm, name: str, errors: list[FieldError]) -> date | None:
    raw = form.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(name, "format", "a date"))
        return None


@router.get(HOME)
async def targets_page(
    request: Request,
    actor: AgencyPage,
    period: str = "",
    region: str = "",
    year: str = "",
    notice: str = "",
) -> Response:
    """The dashboard, the region's platforms and the entry forms: the plan period of today
    unless another is chosen."""
    current = period_of_year(clock.china_today().year).code
    try:
        view = await measuring.dashboard(
            actor=actor,
            period=period or current,
            region=region or None,
            year=int(year) if year.isdigit() else None,
        )
    except ValidationFailed:
        view = await measuring.dashboard(actor=actor, period=current)
    context: dict[str, object] = {
        "view": view,
        "platforms": await platforms.list_visible(actor=actor),
        "officer": actor.staff_role is StaffRole.OFFICER,
        "province": actor.region_prefix is not None and len(actor.region_prefix) == 2,
        "kinds": list(PlatformKind),
        "tiers": list(PlatformTier),
    }
    return await _page(request, "agency/targets/dashboard.html", context, notice)


@router.post(HOME)
async def enter_targets(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """The province's targets for a period (shares in tenths of a percent)."""
    period = form.get("period")
    here = f"{HOME}?period={period}"
    kept = {name: form.get(name) for name in (*TARGET_FIELDS, "period")}
    errors: list[FieldError] = []
    numbers = {name: _number(form, name, errors) for name in TARGET_FIELDS}
    if errors:
        return back_to_form(here, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            await targets.set_targets(actor=actor, period=period, values=TargetValues(**numbers))
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except Forbidden:
            return back_to_form(here, [PageError("period", t(request, _PROVINCE))], kept)
        except Conflict:
            return back_to_form(here, [PageError("period", t(request, _TWICE))], kept)
        return see_other(f"{here}&notice=targets")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/employed")
async def enter_employed(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """The employed count of a region and year."""
    names = ("region_code", "year", "employed", "source")
    kept = {name: form.get(name) for name in names}
    errors: list[FieldError] = []
    year, employed = _number(form, "year", errors), _number(form, "employed", errors)
    if errors:
        return back_to_form(HOME, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            await targets.set_employed(
                actor=actor,
                region_code=form.get("region_code"),
                year=year,
                employed=employed,
                source=form.get("source"),
            )
        except ValidationFailed as failed:
            return back_to_form(HOME, _errors(request, failed), kept)
        except Conflict:
            return back_to_form(HOME, [PageError("employed", t(request, _TWICE))], kept)
        return see_other(f"{HOME}?notice=employed")

    return await once(request, form, actor.principal_id, act)


def _content(form: SessionForm, errors: list[FieldError]) -> platforms.PlatformContent:
    kind, tier = form.get("kind"), form.get("tier")
    if kind not in PlatformKind._value2member_map_:
        errors.append(FieldError("kind", "unknown", "a kind of platform"))
    if tier not in PlatformTier._value2member_map_:
        errors.append(FieldError("tier", "unknown", "a level"))
    approved = _day(form, "approved_on", errors)
    if approved is None:
        errors.append(FieldError("approved_on", "required", "a date"))
    return platforms.PlatformContent(
        kind=PlatformKind(kind) if not errors else PlatformKind.PUBLIC_BASE,
        tier=PlatformTier(tier) if not errors else PlatformTier.PARK,
        name=form.get("name"),
        host=form.get("host"),
        leader=form.get("leader"),
        approved_on=approved or date(2000, 1, 1),
        valid_until=_day(form, "valid_until", errors),
        region_code=form.get("region_code"),
    )


@router.post(PLATFORMS)
async def create_platform(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """Record a platform; on to its page."""
    kept = {name: form.get(name) for name in (*PLATFORM_FIELDS, "region_code")}
    errors: list[FieldError] = []
    content = _content(form, errors)
    if errors:
        return back_to_form(HOME, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            made = await platforms.create(actor=actor, content=content)
        except ValidationFailed as failed:
            return back_to_form(HOME, _errors(request, failed), kept)
        return see_other(f"{PLATFORMS}/{made.id}?notice=platform")

    return await once(request, form, actor.principal_id, act)


@router.get(PLATFORMS + "/{platform_id}")
async def platform_page(
    request: Request, actor: AgencyPage, platform_id: str, notice: str = ""
) -> Response:
    """One platform, its linked training and the forms."""
    found = await platforms.get(actor=actor, platform_id=platform_id)
    context = {
        "item": found,
        "officer": actor.staff_role is StaffRole.OFFICER,
        "kinds": list(PlatformKind),
    }
    return await _page(request, "agency/targets/platform.html", context, notice)


@router.post(PLATFORMS + "/{platform_id}/correct")
async def correct_platform(
    request: Request, actor: OfficerPage, platform_id: str, form: SessionForm
) -> Response:
    """Restate the platform with a reason (its region stays)."""
    here = f"{PLATFORMS}/{platform_id}"
    kept = {name: form.get(name) for name in (*PLATFORM_FIELDS, "region_code", "change_reason")}
    errors: list[FieldError] = []
    content = _content(form, errors)
    if errors:
        return back_to_form(here, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            await platforms.correct(
                actor=actor,
                platform_id=platform_id,
                content=content,
                reason=form.get("change_reason"),
            )
        except ValidationFailed as failed:
            found = [
                PageError(
                    "change_reason" if e.field == "reason" else e.field,
                    message_of(request, e.field, e.message),
                )
                for e in failed.errors
            ]
            return back_to_form(here, found, kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("change_reason", t(request, _TWICE))], kept)
        return see_other(f"{here}?notice=corrected")

    return await once(request, form, actor.principal_id, act)


@router.post(PLATFORMS + "/{platform_id}/links")
async def link_training(
    request: Request, actor: OfficerPage, platform_id: str, form: SessionForm
) -> Response:
    """Link a class or a course."""
    here = f"{PLATFORMS}/{platform_id}"
    kept = {"link_kind": form.get("link_kind"), "target_id": form.get("target_id")}
    kind = form.get("link_kind")
    if kind not in LinkKind._value2member_map_:
        wrong = PageError("target_id", message_of(request, "target_id", ""))
        return back_to_form(here, [wrong], kept)

    async def act() -> Response:
        try:
            await platforms.link(
                actor=actor,
                platform_id=platform_id,
                kind=LinkKind(kind),
                target_id=form.get("target_id"),
            )
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("target_id", t(request, _TWICE))], kept)
        return see_other(f"{here}?notice=linked")

    return await once(request, form, actor.principal_id, act)


@router.post(PLATFORMS + "/{platform_id}/close")
async def close_platform(
    request: Request, actor: OfficerPage, platform_id: str, form: SessionForm
) -> Response:
    """Close the platform with the day and a reason."""
    here = f"{PLATFORMS}/{platform_id}"
    kept = {"closed_on": form.get("closed_on"), "reason": form.get("reason")}
    errors: list[FieldError] = []
    closed_on = _day(form, "closed_on", errors)
    if closed_on is None:
        errors.append(FieldError("closed_on", "required", "a date"))
        return back_to_form(here, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            await platforms.close(
                actor=actor, platform_id=platform_id, closed_on=closed_on, reason=form.get("reason")
            )
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("reason", t(request, _TWICE))], kept)
        return see_other(f"{here}?notice=closed")

    return await once(request, form, actor.principal_id, act)
