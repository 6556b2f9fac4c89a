"""The provider's console: results of a class, and the certificates that follow a pass.

* ``/provider/runs/{run_id}/results``: the completion sheet (each worker in training with a
  result and a score to record, those completed with their result and certificates);
* ``/provider/enrolments/{enrolment_id}/certificate``: recording a certificate for a pass;
* ``/provider/certificates/{certificate_id}``: a certificate, with correcting and voiding it,
  each behind a "check your answers" page (a GET showing what will be written, whose button
  posts it), since the archive keeps every statement for good.

Results go through ``completions.complete_class`` and certificates through
``certificates.issue``/``correct``/``void``, as through the JSON API: the rules (after the run
ended, a pass needs confirmed hours, a certificate follows a pass) are theirs.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.runtime import get_runtime
from api.web.formatting import level
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.occupation_words import uncatalogued
from api.web.routes.provider_console import SUSPENDED, console_page, kept_values, notice_of
from api.web.routing import page_router
from api.web.templating import language_of, t
from portfolio.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from portfolio.training import certificates, completions, console_results
from portfolio.training.enums import CertificateType, CompletionResult
from portfolio.vocabulary import SkillLevel

router = page_router()

NOTICES = {
    "results": N_("Results recorded: %(count)s workers."),
    "issued": N_("The certificate is recorded in the worker's archive."),
    "corrected": N_("The certificate is corrected; the archive keeps the first statement too."),
    "voided": N_("The certificate is void: a check of it now answers “void”."),
}
RESULT_ERRORS = {
    "run_not_ended": N_("Record results after the class's last day"),
    "no_confirmed_hours": N_("A pass needs attendance the worker confirmed"),
    "range": N_("Enter a score from 0 to 100"),
}
NO_RESULT = N_("Choose a result for at least one worker")
BAD_SCORE = N_("Enter a score from 0 to 100, or leave it empty")
NOT_COMPLETABLE = N_("This worker's result cannot be recorded now")
CERTIFICATE_ERRORS = {
    "number": N_("Enter the certificate's number: up to 40 letters and digits"),
    "certificate_type": N_("Choose the kind of certificate"),
    "occupation_code": N_(
        "Enter an occupation code of the national classification, like 4-03-02-01"
    ),
    "level": N_("Choose a level from junior upwards; a special-ability certificate has none"),
    "issuing_body": N_("Enter who issued the certificate"),
    "issue_date": N_("Enter the issue date, not in the future, like 2026-06-30"),
}
NUMBER_TAKEN = N_("A certificate with this number is already recorded")
NO_PASS = N_("A certificate follows a passed result: record the result first")
NO_REASON = N_("Say why, in a few words")
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")
CERTIFICATE_FIELDS = (
    "number",
    "certificate_type",
    "occupation_code",
    "level",
    "issuing_body",
    "issue_date",
)
TYPE_WORDS = {
    CertificateType.QUALIFICATION: N_("Vocational qualification (职业资格)"),
    CertificateType.SKILL_LEVEL: N_("Skill level certificate (职业技能等级)"),
    CertificateType.SPECIAL_ABILITY: N_("Special ability (专项职业能力)"),
}


def _notice(request: Request, notice: str, count: int = 0) -> str | None:
    message = NOTICES.get(notice)
    return t(request, message) % {"count": count} if message else notice_of(request, notice)


def _options(request: Request) -> dict[str, object]:
    """The certificate form's choices, in the request's language."""
    language = language_of(request)
    return {
        "type_options": [(v.value, t(request, w)) for v, w in TYPE_WORDS.items()],
        "level_options": [
            (v.value, level(v, language)) for v in SkillLevel if v is not SkillLevel.APPRENTICE
        ],
        "type_words": {v.value: t(request, w) for v, w in TYPE_WORDS.items()},
    }


# ---- results -------------------------------------------------------------------------------


@router.get("/provider/runs/{run_id}/results")
async def results_page(
    request: Request, run_id: str, actor: ProviderPage, notice: str = "", count: int = 0
) -> Response:
    """The completion sheet of a class."""
    sheet = await console_results.completion_sheet(actor=actor, run_id=run_id)
    return await console_page(
        request,
        "provider/results.html",
        {"sheet": sheet, "notice": _notice(request, notice, count), **_options(request)},
    )


def _row(form: SessionForm, enrolment_id: str) -> completions.CompletionRow | PageError | None:
    """The row of one worker of the posted sheet: None when no result is chosen."""
    chosen, raw_score = form.get(f"result-{enrolment_id}"), form.get(f"score-{enrolment_id}")
    if not chosen:
        return None
    try:
        result = CompletionResult(chosen)
        score = float(raw_score) if raw_score else None
    except ValueError:
        return PageError(f"score-{enrolment_id}", BAD_SCORE)
    return completions.CompletionRow(completions.Outcome(result, score), enrolment_id=enrolment_id)


@router.post("/provider/runs/{run_id}/results")
async def record_results(
    request: Request, run_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Record the chosen results (sending the same sheet again changes nothing)."""
    here = f"/provider/runs/{run_id}/results"
    rows: list[completions.CompletionRow] = []
    errors: list[PageError] = []
    for enrolment_id in form.get("enrolments").split(","):
        row = _row(form, enrolment_id)
        if isinstance(row, PageError):
            errors.append(PageError(row.field, t(request, row.message)))
        elif row is not None:
            rows.append(row)
    if not rows and not errors:
        errors.append(PageError("record", t(request, NO_RESULT)))
    if errors:
        return back_to_form(here, errors, kept_values(form))
    runtime = get_runtime(request)

    async def act() -> Response:
        try:
            done = await completions.complete_class(
                actor=actor, keyring=runtime.keyring, run_id=run_id, rows=rows
            )
        except Forbidden:
            return back_to_form(here, [PageError("record", t(request, SUSPENDED))], {})
        failed = []
        for outcome in done.rows:
            if outcome.status != "error":
                continue
            enrolment_id = rows[outcome.row].enrolment_id
            rule = next((e.rule for e in outcome.errors), "")
            field = f"score-{enrolment_id}" if rule == "range" else f"result-{enrolment_id}"
            failed.append(PageError(field, t(request, RESULT_ERRORS.get(rule, NOT_COMPLETABLE))))
        if failed:
            return back_to_form(here, failed, kept_values(form))
        return see_other(f"{here}?notice=results&count={done.recorded}")

    return await once(request, form, actor.principal_id, act)


# ---- certificates: issue -------------------------------------------------------------------


def _content(values: dict[str, str]) -> certificates.CertificateContent | list[str]:
    """The certificate's content from the posted values, or the fields that do not parse."""
    wrong: list[str] = []
    try:
        kind = CertificateType(values.get("certificate_type", ""))
    except ValueError:
        wrong.append("certificate_type")
    try:
        chosen = SkillLevel(values["level"]) if values.get("level") else None
    except ValueError:
        wrong.append("level")
    try:
        issued = date.fromisoformat(values.get("issue_date", ""))
    except ValueError:
        wrong.append("issue_date")
    if wrong:
        return wrong
    return certificates.CertificateContent(
        number=values.get("number", ""),
        certificate_type=kind,
        occupation_code=values.get("occupation_code", ""),
        level=chosen,
        issuing_body=values.get("issuing_body", ""),
        issue_date=issued,
    )


def _field_errors(request: Request, fields: list[str]) -> list[PageError]:
    return [
        PageError(f, t(request, CERTIFICATE_ERRORS[f])) for f in CERTIFICATE_FIELDS if f in fields
    ]


def _refused(request: Request, failed: ValidationFailed) -> list[PageError]:
    fields = [e.field for e in failed.errors if e.field in CERTIFICATE_ERRORS]
    return _field_errors(request, fields or ["number"])


@router.get("/provider/enrolments/{enrolment_id}/certificate")
async def new_certificate(request: Request, enrolment_id: str, actor: ProviderPage) -> Response:
    """The form recording a certificate for a worker's pass."""
    found = await console_results.completed_enrolment(actor=actor, enrolment_id=enrolment_id)
    return await console_page(
        request, "provider/certificate_new.html", {"found": found, **_options(request)}
    )


@router.post("/provider/enrolments/{enrolment_id}/certificate")
async def issue_certificate(
    request: Request, enrolment_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Record the certificate; on to its page."""
    here = f"/provider/enrolments/{enrolment_id}/certificate"
    kept = kept_values(form)
    content = _content(kept)
    if isinstance(content, list):
        return back_to_form(here, _field_errors(request, content), kept)

    async def act() -> Response:
        try:
            done = await certificates.issue(actor=actor, enrolment_id=enrolment_id, content=content)
        except ValidationFailed as failed:
            told = uncatalogued(request, failed, field="occupation_code")
            return back_to_form(here, told or _refused(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("number", t(request, NUMBER_TAKEN))], kept)
        except InvalidTransition:
            return back_to_form(here, [PageError("number", t(request, NO_PASS))], kept)
        except Forbidden:
            return back_to_form(here, [PageError("number", t(request, SUSPENDED))], kept)
        return see_other(f"/provider/certificates/{done.id}?notice=issued")

    return await once(request, form, actor.principal_id, act)


# ---- certificates: read, correct, void -----------------------------------------------------


@router.get("/provider/certificates/{certificate_id}")
async def certificate_page(
    request: Request, certificate_id: str, actor: ProviderPage, notice: str = ""
) -> Response:
    """A certificate as recorded, with the links to correct or void it."""
    found = await console_results.certificate_detail(actor=actor, certificate_id=certificate_id)
    return await console_page(
        request,
        "provider/certificate.html",
        {"found": found, "notice": _notice(request, notice), **_options(request)},
    )


def _asked(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {n: request.query_params.get(n, "").strip()[:500] for n in names}


@router.get("/provider/certificates/{certificate_id}/correct")
async def correct_form(request: Request, certificate_id: str, actor: ProviderPage) -> Response:
    """The correction form, filled with what the certificate states (or the answers being
    changed, from the check page's "change" link)."""
    found = await console_results.certificate_detail(actor=actor, certificate_id=certificate_id)
    asked = _asked(request, (*CERTIFICATE_FIELDS, "reason"))
    return await console_page(
        request,
        "provider/certificate_correct.html",
        {"found": found, "asked": asked if any(asked.values()) else None, **_options(request)},
    )


@router.get("/provider/certificates/{certificate_id}/correct/check")
async def check_correction(request: Request, certificate_id: str, actor: ProviderPage) -> Response:
    """Check your answers: the certificate as it will read, and the reason."""
    here = f"/provider/certificates/{certificate_id}/correct"
    found = await console_results.certificate_detail(actor=actor, certificate_id=certificate_id)
    asked = _asked(request, (*CERTIFICATE_FIELDS, "reason"))
    content = _content(asked)
    errors = _field_errors(request, content) if isinstance(content, list) else []
    if not asked["reason"]:
        errors.append(PageError("reason", t(request, NO_REASON)))
    if errors:
        return back_to_form(here, errors, asked)
    return await console_page(
        request,
        "provider/certificate_check.html",
        {
            "found": found,
            "asked": asked,
            "change_url": f"{here}?{urlencode(asked)}",
            **_options(request),
        },
    )


@router.post("/provider/certificates/{certificate_id}/correct")
async def correct(
    request: Request, certificate_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Restate the certificate; the archive points the correction at the first statement."""
    here = f"/provider/certificates/{certificate_id}/correct"
    kept = kept_values(form)
    content = _content(kept)
    if isinstance(content, list):
        return back_to_form(here, _field_errors(request, content), kept)
    if not form.get("reason"):
        return back_to_form(here, [PageError("reason", t(request, NO_REASON))], kept)

    async def act() -> Response:
        try:
            await certificates.correct(
                actor=actor,
                certificate_id=certificate_id,
                content=content,
                reason=form.get("reason"),
            )
        except ValidationFailed as failed:
            told = uncatalogued(request, failed, field="occupation_code")
            return back_to_form(here, told or _refused(request, failed), kept)
        except Conflict as refused:
            said = NUMBER_TAKEN if "number" in str(refused) else CHANGED
            return back_to_form(here, [PageError("number", t(request, said))], kept)
        except InvalidTransition:
            return back_to_form(here, [PageError("number", t(request, CHANGED))], kept)
        except Forbidden:
            return back_to_form(here, [PageError("number", t(request, SUSPENDED))], kept)
        return see_other(f"/provider/certificates/{certificate_id}?notice=corrected")

    return await once(request, form, actor.principal_id, act)


@router.get("/provider/certificates/{certificate_id}/void")
async def void_form(request: Request, certificate_id: str, actor: ProviderPage) -> Response:
    """The form voiding a certificate: why."""
    found = await console_results.certificate_detail(actor=actor, certificate_id=certificate_id)
    return await console_page(
        request,
        "provider/certificate_void.html",
        {"found": found, "asked": _asked(request, ("reason",)), **_options(request)},
    )


@router.get("/provider/certificates/{certificate_id}/void/check")
async def check_void(request: Request, certificate_id: str, actor: ProviderPage) -> Response:
    """Check your answers: which certificate is voided, and why."""
    here = f"/provider/certificates/{certificate_id}/void"
    found = await console_results.certificate_detail(actor=actor, certificate_id=certificate_id)
    asked = _asked(request, ("reason",))
    if not asked["reason"]:
        return back_to_form(here, [PageError("reason", t(request, NO_REASON))], asked)
    return await console_page(
        request,
        "provider/certificate_void_check.html",
        {"found": found, "asked": asked, "change_url": f"{here}?{urlencode(asked)}"},
    )


@router.post("/provider/certificates/{certificate_id}/void")
async def void(
    request: Request, certificate_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Void the certificate, with the reason; a public check then answers "void"."""
    here = f"/provider/certificates/{certificate_id}/void"
    kept = {"reason": form.get("reason")}

    async def act() -> Response:
        try:
            await certificates.void(
                actor=actor, certificate_id=certificate_id, reason=form.get("reason")
            )
        except ValidationFailed:
            return back_to_form(here, [PageError("reason", t(request, NO_REASON))], kept)
        except (Conflict, InvalidTransition, Forbidden):
            return back_to_form(here, [PageError("reason", t(request, CHANGED))], kept)
        return see_other(f"/provider/certificates/{certificate_id}?notice=voided")

    return await once(request, form, actor.principal_id, act)
