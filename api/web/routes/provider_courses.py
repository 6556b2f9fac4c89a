"""The provider's console: a course edited as a new version, and a class of it scheduled.

* ``/provider/courses/{course_id}/edit``: the form (occupation, level, planned hours, subsidy
  standard, a note), filled with the current version or the answers being changed;
* ``/provider/courses/{course_id}/edit/check``: "check your answers": each term as it is and
  as it will be (a GET; its button posts);
* ``/provider/courses/{course_id}/runs/new``: scheduling a class (daily sessions from a first
  day, seats, place, trainers from the registry) through ``courses.schedule_run``;
* ``POST /provider/courses/{course_id}/edit``: ``course_versions.edit_course``, as through
  ``POST /courses/{id}/versions``: classes already scheduled, and vouchers bound to them, keep
  the version they were scheduled under.

Another provider's course is "not found"; an edit made from a version that is no longer the
current one goes back to the form, which then shows the current terms.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.web.formatting import level
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.occupation_words import uncatalogued
from api.web.routes.provider_console import (
    COURSE_FIELDS,
    SUSPENDED,
    console_page,
    fen_of,
    kept_values,
)
from api.web.routing import page_router
from api.web.templating import language_of, t
from portfolio import occupations
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.training import console, course_versions, courses
from portfolio.vocabulary import SkillLevel

router = page_router()

FIELDS = ("occupation_code", "target_level", "planned_hours", "subsidy_standard_fen", "note")
EDIT_ERRORS = {
    **COURSE_FIELDS,
    "note": N_("Keep the note under 500 characters"),
    "unchanged": N_("The new version changes nothing: change at least one answer"),
}
STALE = N_(
    "The course was changed meanwhile: the form now shows its current version. "
    "Check your answers against it and continue again."
)


def _asked(request: Request) -> dict[str, str]:
    asked = {n: request.query_params.get(n, "").strip()[:500] for n in FIELDS}
    asked["based_on"] = request.query_params.get("based_on", "").strip()[:10]
    return asked


def _edit_of(answers: dict[str, str]) -> tuple[course_versions.CourseEdit | None, list[str]]:
    """The edit the answers describe, or the fields in error (in the form's order)."""
    wrong: list[str] = []
    if not answers.get("occupation_code"):
        wrong.append("occupation_code")
    try:
        target = SkillLevel(answers.get("target_level", ""))
    except ValueError:
        wrong.append("target_level")
    try:
        hours = float(answers.get("planned_hours", ""))
        if not 0 < hours <= course_versions.MAX_HOURS:
            raise ValueError
    except ValueError:
        wrong.append("planned_hours")
    fen = fen_of(answers.get("subsidy_standard_fen", ""))
    if fen is None:
        wrong.append("subsidy_standard_fen")
    if len(answers.get("note", "")) > course_versions.MAX_NOTE:
        wrong.append("note")
    based_on = answers.get("based_on", "")
    if wrong or fen is None or not based_on.isdigit():
        return None, wrong or ["occupation_code"]
    edit = course_versions.CourseEdit(
        based_on=int(based_on),
        occupation_code=answers["occupation_code"],
        target_level=target,
        planned_hours=hours,
        subsidy_standard_fen=fen,
        note=answers.get("note", ""),
    )
    return edit, []


def _errors(request: Request, fields: list[str]) -> list[PageError]:
    # "unchanged" is said at the first field, where the summary's link leads.
    return [
        PageError("occupation_code" if f == "unchanged" else f, t(request, EDIT_ERRORS[f]))
        for f in fields
    ]


def _level_options(request: Request) -> list[tuple[str, str]]:
    language = language_of(request)
    return [(v.value, level(v, language)) for v in SkillLevel]


@router.get("/provider/courses/{course_id}/edit")
async def edit_form(request: Request, course_id: str, actor: ProviderPage) -> Response:
    """The form making a new version, filled with the current terms (or the answers being
    changed, from the check page's "change" link)."""
    course = await courses.get_course(actor=actor, course_id=course_id)
    asked = _asked(request)
    return await console_page(
        request,
        "provider/course_edit.html",
        {
            "course": course,
            "asked": asked if any(asked[n] for n in FIELDS) else None,
            "level_options": _level_options(request),
            "occupation_suggestions": await occupations.suggestions(),
        },
    )


@router.get("/provider/courses/{course_id}/edit/check")
async def check_edit(request: Request, course_id: str, actor: ProviderPage) -> Response:
    """Check your answers: each term as it is now and as the new version will state it."""
    here = f"/provider/courses/{course_id}/edit"
    course = await courses.get_course(actor=actor, course_id=course_id)
    asked = _asked(request)
    edit, wrong = _edit_of(asked)
    if edit is None:
        return back_to_form(here, _errors(request, wrong), asked)
    return await console_page(
        request,
        "provider/course_edit_check.html",
        {
            "course": course,
            "asked": asked,
            "edit": edit,
            "change_url": f"{here}?{urlencode(asked)}",
        },
    )


@router.post("/provider/courses/{course_id}/edit")
async def edit(
    request: Request, course_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Write the new version; the course page then shows it, and the versions before it."""
    here = f"/provider/courses/{course_id}/edit"
    kept = {n: form.get(n) for n in (*FIELDS, "based_on")}
    change, wrong = _edit_of(kept)
    if change is None:
        return back_to_form(here, _errors(request, wrong), kept)

    async def act() -> Response:
        try:
            await course_versions.edit_course(actor=actor, course_id=course_id, edit=change)
        except ValidationFailed as failed:
            if told := uncatalogued(request, failed, field="occupation_code"):
                return back_to_form(here, told, kept)
            known = [e.rule if e.rule == "unchanged" else e.field for e in failed.errors]
            fields = [f for f in known if f in EDIT_ERRORS] or ["occupation_code"]
            return back_to_form(here, _errors(request, fields), kept)
        except Conflict:
            stale = [PageError("occupation_code", t(request, STALE))]
            return back_to_form(here, stale, {**kept, "based_on": ""})
        except Forbidden:
            return back_to_form(here, [PageError("occupation_code", t(request, SUSPENDED))], kept)
        return see_other(f"/provider/courses/{course_id}?notice=course-edited")

    return await once(request, form, actor.principal_id, act)


# ---- scheduling a class ------------------------------------------------------------------

RUN_FIELDS = {
    "start_date": N_("Enter the first day, from today on, like 2027-03-01"),
    "session_count": N_("Enter how many daily sessions, from 1 to %(most)s"),
    "start_time": N_("Enter when each session starts, like 09:00"),
    "session_hours": N_("Enter the hours of each session, above 0 and at most 12"),
    "capacity": N_("Enter the number of seats, at least 1"),
    "location": N_("Enter where the class is held"),
    "trainer_ids": N_("Choose trainers of your registry who are still active"),
}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _run_of(form: SessionForm) -> tuple[courses.NewRun | None, list[str]]:
    """The class a form describes (daily sessions from its first day), or the fields in error."""
    wrong: list[str] = []
    try:
        start = date.fromisoformat(form.get("start_date"))
    except ValueError:
        wrong.append("start_date")
    count = form.get("session_count")
    if not count.isdigit() or not 1 <= int(count) <= courses.MAX_DAILY_SESSIONS:
        wrong.append("session_count")
    at = form.get("start_time")
    if not _TIME.match(at):
        wrong.append("start_time")
    try:
        hours = float(form.get("session_hours"))
        if not 0 < hours <= 12:
            raise ValueError
    except ValueError:
        wrong.append("session_hours")
    seats = form.get("capacity")
    if not seats.isdigit() or not 1 <= int(seats) <= 10_000:
        wrong.append("capacity")
    if not form.get("location").strip():
        wrong.append("location")
    if wrong:
        return None, wrong
    sessions = courses.daily_sessions(start, int(count), at, hours)
    return (
        courses.NewRun(
            start_date=start,
            end_date=sessions[-1].day,
            capacity=int(seats),
            location=form.get("location"),
            trainers=[],
            sessions=sessions,
            # One checkbox per registered trainer, named "trainer-<id>".
            trainer_ids=[
                k.removeprefix("trainer-") for k in form.fields if k.startswith("trainer-")
            ],
        ),
        [],
    )


def _run_errors(request: Request, fields: list[str]) -> list[PageError]:
    words = {"most": courses.MAX_DAILY_SESSIONS}
    return [PageError(f, t(request, RUN_FIELDS[f]) % words) for f in dict.fromkeys(fields)]


@router.get("/provider/courses/{course_id}/runs/new")
async def new_run(request: Request, course_id: str, actor: ProviderPage) -> Response:
    """The form scheduling a class of the course, its trainers chosen from the registry."""
    found = await console.run_form(actor=actor, course_id=course_id)
    return await console_page(request, "provider/run_new.html", {"found": found})


@router.post("/provider/courses/{course_id}/runs/new")
async def schedule_run(
    request: Request, course_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Schedule the class; a field in error goes back to the form with what it must hold."""
    here = f"/provider/courses/{course_id}/runs/new"
    kept = kept_values(form)
    run, wrong = _run_of(form)
    if run is None:
        return back_to_form(here, _run_errors(request, wrong), kept)

    async def act() -> Response:
        try:
            made = await courses.schedule_run(actor=actor, course_id=course_id, run=run)
        except ValidationFailed as failed:
            fields = [_run_field(e.field) for e in failed.errors]
            return back_to_form(here, _run_errors(request, fields), kept)
        except Forbidden:
            return back_to_form(here, [PageError("start_date", t(request, SUSPENDED))], kept)
        return see_other(f"/provider/runs/{made.id}?notice=run-scheduled")

    return await once(request, form, actor.principal_id, act)


def _run_field(field: str) -> str:
    """The form's field for a field the service named (``sessions.3.day``: the first day)."""
    if field.startswith("trainer_ids"):
        return "trainer_ids"
    if field in RUN_FIELDS:
        return field
    return "start_date"
