"""Finding training: the public catalogue of classes, one class, and applying to it.

Anyone may search and read; a signed-in worker also sees which of their vouchers pay for each
class, may keep only those, and applies from a class's page (the same services as
``GET /catalogue/runs`` and ``POST /me/applications``). A refused application goes back to
the class's page with the reason in words.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from api.deps import WorkerPage
from api.web import auth, formatting
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
from api.web.templating import language_of, render, t
from api.web.training_words import CITIES, page_words
from portfolio.accounts.principal import Role
from portfolio.errors import Conflict, ValidationFailed
from portfolio.paging import PageRequest
from portfolio.training import applications, catalogue
from portfolio.vocabulary import SkillLevel
from schemas.catalogue import CatalogueParams

router = page_router()

PAGE_SIZE = 10
FIND = "/find-training"
# The search form's fields, as the JSON route names its query parameters.
FIELDS = ("occupation", "level", "region", "starts_from", "starts_by", "voucher_pays", "voucher")

_FIELD_ERRORS = {
    "occupation": N_("Enter an occupation code like 6-18-02-04"),
    "region": N_("Choose a city from the list"),
    "level": N_("Choose a level from the list"),
    "starts_from": N_("Enter a real date"),
    "starts_by": N_("Enter a real date"),
}
_BEFORE_START = N_("The latest start date must be on or after the earliest")

REFUSALS: dict[str, str] = {
    applications.Refusal.ALREADY_APPLIED: N_("You have already applied to this class."),
    applications.Refusal.REFUSED: N_(
        "The provider refused your application to this class. Ask the provider if you think "
        "this is a mistake."
    ),
    applications.Refusal.ENDED: N_("This class has ended."),
    applications.Refusal.FULL: N_("This class is full."),
    applications.Refusal.PROVIDER_INACTIVE: N_(
        "This provider is not taking applications at the moment."
    ),
    applications.Refusal.OVERLAP: N_(
        "A session of this class is at the same time as a session of another class you are "
        "booked in."
    ),
}
# The levels a course may aim at, as the search offers them.
LEVELS = [level for level in SkillLevel if level is not SkillLevel.APPRENTICE]


def _params(request: Request) -> tuple[CatalogueParams, list[PageError], dict[str, str]]:
    """The search as typed, read as the JSON route reads it; errors tied to their fields."""
    typed = {name: request.query_params.get(name, "").strip() for name in FIELDS}
    given = {name: value for name, value in typed.items() if value}
    try:
        return CatalogueParams.model_validate(given), [], typed
    except ValidationError as failed:
        names = {str(error["loc"][0]) for error in failed.errors() if error["loc"]}
        errors = [
            PageError(name, t(request, _FIELD_ERRORS.get(name, N_("Check this field"))))
            for name in FIELDS
            if name in names
        ]
        kept = {name: value for name, value in given.items() if name not in names}
        return CatalogueParams.model_validate(kept), errors, typed


def _domain_errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    errors = []
    for error in failed.errors:
        if error.rule == "before_start":
            errors.append(PageError(error.field, t(request, _BEFORE_START)))
        else:
            message = _FIELD_ERRORS.get(error.field, N_("Check this field"))
            errors.append(PageError(error.field, t(request, message)))
    return errors


def _next_page(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor" and v]
    return f"{FIND}?{urlencode([*kept, ('cursor', cursor)])}"


@router.get(FIND)
async def find_training(request: Request) -> Response:
    """Search the classes open for applications (everyone; a worker also by their vouchers)."""
    actor = await auth.current_page_actor(request)
    params, errors, typed = _params(request)
    cursor = request.query_params.get("cursor") or None
    page = None
    # The criteria that read well are still checked by the domain, so every error shows at once.
    try:
        found = await catalogue.search(
            actor=actor,
            search=params.to_domain(),
            page=PageRequest(limit=PAGE_SIZE, cursor=cursor),
        )
    except ValidationFailed as failed:
        errors = sorted(
            errors + _domain_errors(request, failed),
            key=lambda e: FIELDS.index(e.field) if e.field in FIELDS else len(FIELDS),
        )
    else:
        page = None if errors else found
    return await render(
        request,
        "training/find.html",
        {
            **page_words(request),
            "errors": errors,
            "error_of": lambda name: next((e.message for e in errors if e.field == name), None),
            "typed": typed,
            "page": page,
            "next_url": _next_page(request, page.next_cursor if page else None),
            "city_options": [(code, t(request, name)) for code, name in CITIES.items()],
            "level_options": [
                (level.value, formatting.level(level, language_of(request))) for level in LEVELS
            ],
            "worker": actor is not None and actor.role is Role.WORKER,
        },
    )


@router.get(FIND + "/{run_id}")
async def training_class(request: Request, run_id: str, notice: str = "") -> Response:
    """One class: course, provider, dates, sessions, seats, subsidy, the worker's vouchers
    that pay for it, and applying (a worker) or signing in to apply (a visitor)."""
    actor = await auth.current_page_actor(request)
    found = await catalogue.run_detail(actor=actor, run_id=run_id)
    state = form_state(request)
    response = await render(
        request,
        "training/run.html",
        {
            **page_words(request),
            "run": found,
            "errors": state.errors,
            "signed_in_worker": actor is not None and actor.role is Role.WORKER,
            "login_url": auth.login_location(request.url.path),
        },
    )
    forget_form_state(request, response)
    return response


def refusal_message(request: Request, refused: Conflict) -> str:
    """A refused application in words (the reason the domain gives, else its own words)."""
    known = REFUSALS.get(str(refused.extra.get("reason")))
    return t(request, known) if known else refused.detail


@router.post(FIND + "/{run_id}/apply")
async def apply(request: Request, run_id: str, actor: WorkerPage, form: SessionForm) -> Response:
    """Apply to the class; on to the application's page, or back with the reason."""

    async def act() -> Response:
        try:
            applied = await applications.apply(actor=actor, run_id=run_id)
        except Conflict as refused:
            error = PageError("apply", refusal_message(request, refused))
            return back_to_form(f"{FIND}/{run_id}", [error], {})
        return see_other(f"/my/training/{applied.id}?notice=applied")

    return await once(request, form, actor.principal_id, act)


def search_link(**criteria: Any) -> str:
    """The catalogue's address with ``criteria`` filled in (other pages link to it)."""
    kept = {name: str(value) for name, value in criteria.items() if value not in (None, "")}
    return f"{FIND}?{urlencode(kept)}" if kept else FIND
