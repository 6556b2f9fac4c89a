"""The training provider's console: the dashboard, courses and their runs (classes).

* ``/provider/dashboard``: the organisation's status, runs planned and in progress, today's
  sessions and the workers' applications waiting for an answer;
* ``/provider/courses``: the courses, adding one, and a course with its runs;
* ``/provider/runs/{run_id}``: a run's sessions, seats, trainers, state (derived from its
  dates), applications and class list, with the enrolment form (routes/provider_enrolment.py).

Each page calls one service (``portfolio.training.console`` to read, ``courses`` to write);
another provider's course or run is "not found".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.web.formatting import level
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
from api.web.occupation_words import uncatalogued
from api.web.routing import page_router
from api.web.templating import language_of, render, t
from api.web.training_words import page_words, word_of
from portfolio import occupations
from portfolio.errors import Forbidden, ValidationFailed
from portfolio.paging import PageRequest
from portfolio.training import console, courses
from portfolio.training.enums import Delivery
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType

router = page_router()

PAGE_SIZE = 20
NOTICES = {
    "course-added": N_("The course is added. Schedule its first class below."),
    "course-edited": N_("The new version is written. Classes scheduled before keep theirs."),
    "run-scheduled": N_("The class is scheduled. Workers can be enrolled below."),
    "enrolled": N_("The worker is enrolled."),
    "accepted": N_("The application is accepted: the worker has a seat."),
    "refused": N_("The application is refused; the worker sees your reason."),
}
# What each field of the course form must hold, in words (the service names the field).
COURSE_FIELDS = {
    "title": N_("Enter the course's title"),
    "occupation_code": N_(
        "Enter an occupation code of the national classification, like 4-03-02-01"
    ),
    "training_type": N_("Choose the type of training"),
    "brand": N_("Choose a skill brand, or none"),
    "target_level": N_("Choose the level the course trains for"),
    "planned_hours": N_("Enter the planned hours, a number above 0"),
    "delivery": N_("Choose how the course is taught"),
    "subsidy_standard_fen": N_("Enter the subsidy standard in yuan, like 1200.00"),
}
SUSPENDED = N_("Your organisation is suspended: it can read its records but not add to them.")


def kept_values(form: SessionForm) -> dict[str, str]:
    """A failed form's values to show again (not its CSRF token and rendering key)."""
    return {k: v for k, v in form.fields.items() if k not in ("csrf_token", "form_key")}


def notice_of(request: Request, notice: str) -> str | None:
    """The notice named in the query, in the request's language."""
    message = NOTICES.get(notice)
    return t(request, message) if message else None


async def console_page(request: Request, template: str, context: dict[str, object]) -> Response:
    """Render a console page with its form state (errors and values of a failed post)."""
    state = form_state(request)
    response = await render(
        request,
        template,
        {
            **page_words(request),
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            "run_state_kind": RUN_STATE_KIND,
            **context,
        },
    )
    forget_form_state(request, response)
    return response


RUN_STATE_KIND = {"planned": "info", "in_progress": "ok", "ended": "neutral"}


@router.get("/provider/dashboard")
async def dashboard(request: Request, actor: ProviderPage) -> Response:
    """The provider's desk: status, current runs, today's sessions, waiting applications."""
    found = await console.dashboard(actor=actor)
    return await console_page(request, "provider/dashboard.html", {"found": found})


@router.get("/provider/courses")
async def course_list(request: Request, actor: ProviderPage, cursor: str = "") -> Response:
    """The organisation's courses, oldest first."""
    found = await courses.list_courses(
        actor=actor, page=PageRequest(limit=PAGE_SIZE, cursor=cursor or None)
    )
    next_url = f"/provider/courses?cursor={found.next_cursor}" if found.next_cursor else None
    return await console_page(
        request, "provider/courses.html", {"courses": found.items, "next_url": next_url}
    )


@router.get("/provider/courses/new")
async def new_course(request: Request, actor: ProviderPage) -> Response:
    """The form adding a course."""
    word = word_of(request)
    language = language_of(request)
    return await console_page(
        request,
        "provider/course_new.html",
        {
            "training_type_options": [(v.value, word("type", v)) for v in TrainingType],
            "brand_options": [(v.value, word("brand", v)) for v in SkillBrand],
            "level_options": [(v.value, level(v, language)) for v in SkillLevel],
            "delivery_options": [(v.value, word("delivery", v)) for v in Delivery],
            "occupation_suggestions": await occupations.suggestions(),
        },
    )


def fen_of(raw: str) -> int | None:
    """Yuan with at most two decimals as integer fen (no float on money)."""
    whole, _, cents = raw.replace(",", "").partition(".")
    if not whole.isdigit() or len(cents) > 2 or (cents and not cents.isdigit()):
        return None
    return int(whole) * 100 + int(cents.ljust(2, "0") or "0")


def _course_from(form: SessionForm) -> tuple[courses.NewCourse | None, list[str]]:
    """The course a form describes, or the fields in error."""
    wrong: list[str] = []

    def choice(enum: type[StrEnum], name: str) -> Any:
        try:
            return enum(form.get(name))
        except ValueError:
            wrong.append(name)
            return None

    training_type: TrainingType | None = choice(TrainingType, "training_type")
    target_level: SkillLevel | None = choice(SkillLevel, "target_level")
    delivery: Delivery | None = choice(Delivery, "delivery")
    brand: SkillBrand | None = choice(SkillBrand, "brand") if form.get("brand") else None
    try:
        hours = float(form.get("planned_hours"))
        if not 0 < hours <= 10_000:
            raise ValueError
    except ValueError:
        wrong.append("planned_hours")
        hours = 0.0
    fen = fen_of(form.get("subsidy_standard_fen"))
    if fen is None:
        wrong.append("subsidy_standard_fen")
    if not form.get("title"):
        wrong.insert(0, "title")
    if not form.get("occupation_code"):
        wrong.insert(1 if "title" in wrong else 0, "occupation_code")
    if wrong or training_type is None or target_level is None or delivery is None or fen is None:
        return None, wrong
    return (
        courses.NewCourse(
            title=form.get("title"),
            occupation_code=form.get("occupation_code"),
            training_type=training_type,
            brand=brand,
            target_level=target_level,
            planned_hours=hours,
            delivery=delivery,
            subsidy_standard_fen=fen,
        ),
        [],
    )


@router.post("/provider/courses/new")
async def add_course(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Add a course; a field in error goes back to the form with what it must hold."""
    here = "/provider/courses/new"

    def back(fields: list[str]) -> Response:
        errors = [
            PageError(f, t(request, COURSE_FIELDS.get(f, COURSE_FIELDS["title"]))) for f in fields
        ]
        return back_to_form(here, errors, kept_values(form))

    course, wrong = _course_from(form)
    if course is None:
        return back(wrong)

    async def act() -> Response:
        try:
            created = await courses.create_course(actor=actor, course=course)
        except ValidationFailed as failed:
            if told := uncatalogued(request, failed, field="occupation_code"):
                return back_to_form(here, told, kept_values(form))
            return back([e.field for e in failed.errors])
        except Forbidden:
            suspended = [PageError("title", t(request, SUSPENDED))]
            return back_to_form(here, suspended, kept_values(form))
        return see_other(f"/provider/courses/{created.id}?notice=course-added")

    return await once(request, form, actor.principal_id, act)


@router.get("/provider/courses/{course_id}")
async def course_page(
    request: Request, course_id: str, actor: ProviderPage, notice: str = ""
) -> Response:
    """A course with its runs and their states."""
    found = await console.course_runs(actor=actor, course_id=course_id)
    return await console_page(
        request,
        "provider/course.html",
        {"found": found, "notice": notice_of(request, notice)},
    )


@router.get("/provider/runs/{run_id}")
async def run_page(
    request: Request, run_id: str, actor: ProviderPage, notice: str = ""
) -> Response:
    """A run: sessions, seats, trainers, state, applications, class list, enrolling one."""
    found = await console.run_detail(actor=actor, run_id=run_id)
    return await console_page(
        request,
        "provider/run.html",
        {"found": found, "notice": notice_of(request, notice)},
    )
