"""The provider's console: training from before the service (a historical import).

* ``/provider/imports``: the provider's submissions, newest first, with their state and an
  officer's refusal reason;
* ``/provider/imports/new``: the form: the worker (ID number and name, checked as typed like
  the enrolment form), one of the provider's courses, the dates, hours, result, score and
  what the record rests on (a description and a reference such as a paper file's number);
* ``POST /provider/imports/check``: "check your answers" (a post, so the ID number never
  travels in a URL); ``POST /provider/imports/change`` goes back to the form with them;
* ``POST /provider/imports``: submit through ``historical.submit``, what
  ``POST /historical-imports`` calls; its rules decide and the form shows their refusals.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.runtime import get_runtime
from api.web.forms import PageError, PostedForm, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.occupation_words import uncatalogued
from api.web.routes.provider_console import SUSPENDED, console_page, kept_values
from api.web.routes.provider_enrolment import BAD_NUMBER, NO_MATCH, NO_NAME
from api.web.routing import page_router
from api.web.templating import t
from portfolio.archives import WorkerRef
from portfolio.errors import Forbidden, ValidationFailed
from portfolio.identity import IdType, parse_identity
from portfolio.paging import PageRequest
from portfolio.training import courses, historical
from portfolio.training.enums import CompletionResult

router = page_router()
LIST = "/provider/imports"
NEW = f"{LIST}/new"

NOTICES = {
    "submitted": N_(
        "The record is sent to the agency of the worker's region. It enters the worker's "
        "archive once an officer approves it."
    )
}
FIELDS = {
    "course_id": N_("Choose one of your courses"),
    "start_date": N_("Enter the first day, like 2019-03-04"),
    "end_date": N_("Enter the last day, like 2019-03-29"),
    "hours": N_("Enter the hours, a number above 0"),
    "result": N_("Choose how the training ended"),
    "score": N_("Enter a score between 0 and 100, or leave it empty"),
    "evidence_description": N_("Say what the record rests on, like a paper register"),
    "evidence_reference": N_("Enter the paper file's number or the other record's reference"),
}
# The service's refusals of a plausible-looking form, by rule, in the clerk's words.
RULES = {
    "not_past": ("end_date", N_("A past training ended before today")),
    "before_start": ("end_date", N_("The last day must not be before the first day")),
    "before_age_14": ("start_date", N_("The worker was not yet 14 when this training began")),
    "range": ("hours", N_("At most 24 hours a day of the training")),
}
_FORMAT_RULES = frozenset({"length", "format", "checksum", "birth_date", "area_code", "required"})
_TEXTS = ("evidence_description", "evidence_reference")


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _number(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value == value else None  # not NaN


def _record(form: PostedForm) -> tuple[historical.HistoricalRecord | None, list[str]]:
    """The record a form describes, or the fields in error (in the form's order)."""
    wrong: list[str] = []
    number = form.get("id_number").upper().replace(" ", "")
    try:
        parse_identity(IdType.RESIDENT_ID, number)
    except ValidationFailed:
        wrong.append("id_number")
    if not form.get("name"):
        wrong.append("name")
    if not form.get("course_id").isalnum():
        wrong.append("course_id")
    start, end = _day(form.get("start_date")), _day(form.get("end_date"))
    wrong += [name for name, day in (("start_date", start), ("end_date", end)) if day is None]
    hours = _number(form.get("hours"))
    if hours is None or not 0 < hours <= 100_000:
        wrong.append("hours")
    result = CompletionResult.PASSED
    try:
        result = CompletionResult(form.get("result"))
    except ValueError:
        wrong.append("result")
    score = _number(form.get("score")) if form.get("score") else None
    if form.get("score") and (score is None or not 0 <= score <= 100):
        wrong.append("score")
    wrong += [name for name in _TEXTS if not form.get(name) or len(form.get(name)) > 500]
    if wrong or start is None or end is None or hours is None:
        return None, wrong
    return (
        historical.HistoricalRecord(
            worker=WorkerRef(IdType.RESIDENT_ID, number, form.get("name")),
            course_id=form.get("course_id"),
            start_date=start,
            end_date=end,
            hours=hours,
            result=result,
            score=score,
            evidence_description=form.get("evidence_description"),
            evidence_reference=form.get("evidence_reference")[:120],
        ),
        [],
    )


def _message(field: str) -> str:
    if field == "id_number":
        return BAD_NUMBER
    if field == "name":
        return NO_NAME
    return FIELDS[field]


def _back(request: Request, form: PostedForm, fields: list[str]) -> Response:
    errors = [PageError(f, t(request, _message(f))) for f in fields]
    return back_to_form(NEW, errors, kept_values(form))


async def _course_options(actor: ProviderPage) -> list[tuple[str, str]]:
    found = await courses.list_courses(actor=actor, page=PageRequest(limit=100))
    return [(str(course.id), course.title) for course in found.items]


@router.get(LIST)
async def imports_page(request: Request, actor: ProviderPage, notice: str = "") -> Response:
    """The provider's submissions, newest first: state, and the refusal's reason."""
    found = await historical.list_for(actor=actor)
    message = NOTICES.get(notice)
    return await console_page(
        request,
        "provider/imports.html",
        {"found": found, "notice": t(request, message) if message else None},
    )


@router.get(NEW)
async def new_import(request: Request, actor: ProviderPage) -> Response:
    """The form: the worker, the course, when, how long, how it ended, and the evidence."""
    return await console_page(
        request, "provider/imports_new.html", {"course_options": await _course_options(actor)}
    )


@router.post(f"{LIST}/check")
async def check_import(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Check your answers before the record is sent to the agency."""
    record, wrong = _record(form)
    if record is None:
        return _back(request, form, wrong)
    titles = dict(await _course_options(actor))
    if record.course_id not in titles:
        return _back(request, form, ["course_id"])
    return await console_page(
        request,
        "provider/imports_check.html",
        {"record": record, "asked": kept_values(form), "course_title": titles[record.course_id]},
    )


@router.post(f"{LIST}/change")
async def change_import(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Back to the form with the answers, to change them."""
    return back_to_form(NEW, [], kept_values(form))


@router.post(LIST)
async def submit_import(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Send the record to the agency; back to the list, where it waits."""
    record, wrong = _record(form)
    if record is None:
        return _back(request, form, wrong)
    runtime = get_runtime(request)

    async def act() -> Response:
        try:
            await historical.submit(actor=actor, keyring=runtime.keyring, record=record)
        except ValidationFailed as failed:
            told = uncatalogued(request, failed, field="course_id")
            return back_to_form(NEW, told or _refusals(request, failed), kept_values(form))
        except Forbidden:
            suspended = [PageError("id_number", t(request, SUSPENDED))]
            return back_to_form(NEW, suspended, kept_values(form))
        return see_other(f"{LIST}?notice=submitted")

    return await once(request, form, actor.principal_id, act)


def _refusals(request: Request, failed: ValidationFailed) -> list[PageError]:
    """The service's refusals beside their fields; an unknown worker or a wrong name alike."""
    errors: list[PageError] = []
    for error in failed.errors:
        if error.rule in RULES and error.field != "score":
            field, message = RULES[error.rule]
            errors.append(PageError(field, t(request, message)))
        elif error.field in FIELDS:
            errors.append(PageError(error.field, t(request, FIELDS[error.field])))
        elif error.field == "id_number" and error.rule in _FORMAT_RULES:
            errors.append(PageError("id_number", t(request, BAD_NUMBER)))
        elif error.field == "name":
            errors.append(PageError("name", t(request, NO_NAME)))
        else:
            errors.append(PageError("id_number", t(request, NO_MATCH)))
    return errors
