"""One worker of the agency's region: their page, the full numbers, the links, a transfer, the
archive printed at the counter.

* ``/agency/workers/{id}``: the archive's header masked (as ``GET /workers/{id}``), the
  social-security link and the employment registrations (each open one with a form closing
  it), the worker's claims waiting for a decision (their pages take the worker's confirmation
  at the counter), and the officer's actions;
* ``.../reveal``: the full numbers, for a purpose from the coded list and a note, logged in
  the worker's access log before they are shown (as ``POST /workers/{id}/reveal``). The page
  is the post's answer, never kept: full numbers go into no cookie, URL or stored replay;
* ``.../social-security``, ``.../employment``, ``.../employment/{rid}/close``,
  ``.../transfer``: the forms of ``PUT .../social-security``, ``POST .../employment``,
  ``.../close`` and ``.../transfer``, each one service call and one archive entry;
* ``.../archive.pdf``: the worker's archive on A4 for a worker without a phone (the paper of
  ``/my/paper/archive.pdf``), in the worker's access log.

Another region's worker is "not found" on every page and form, as in the API.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
from api.web import paper
from api.web.claims_words import claim_words
from api.web.forms import (
    PageError,
    PostedForm,
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.occupation_words import uncatalogued
from api.web.people_words import (
    ID_TYPES,
    KINDS,
    PURPOSES,
    SCHEMES,
    SEXES,
    field_errors,
    form_date,
    options,
)
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.archives import links, reading, registration
from portfolio.archives.documents import InsuranceScheme, RegistrationKind
from portfolio.archives.purposes import stated_purpose
from portfolio.archives.views import InsuredSchemeInput, WorkerView
from portfolio.errors import Conflict, ValidationFailed
from portfolio.sharing import paper as sheets
from portfolio.vouchers import desk

router = page_router()
HOME = "/agency/workers"
CHECK_PATH = "/c/"
NOTICES = {
    "social-security": N_("The social-security link is recorded."),
    "employment": N_("The registration is added."),
    "closed": N_("The registration is closed."),
    "transferred": N_("The archive is transferred."),
}
CHANGED = N_("The archive changed meanwhile. The page shows how it stands now: try again.")
YES = "yes"


async def _worker(request: Request, actor: AgencyPage, archive_id: str) -> WorkerView:
    return await reading.get_worker(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id
    )


async def _form_page(
    request: Request, template: str, worker: WorkerView, extra: dict[str, object] | None = None
) -> Response:
    state = form_state(request)
    response = await render(
        request,
        template,
        {
            **page_words(request),
            "worker": worker,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            **(extra or {}),
        },
    )
    forget_form_state(request, response)
    return response


@router.get(HOME + "/{archive_id}")
async def worker_page(
    request: Request, actor: AgencyPage, archive_id: str, notice: str = ""
) -> Response:
    """The worker's header (masked), links, claims waiting and the officer's actions."""
    worker = await _worker(request, actor, archive_id)
    waiting = await desk.claims_of_worker(actor=actor, archive_id=worker.archive_id)
    message = NOTICES.get(notice)
    return await _form_page(
        request,
        "agency/workers/worker.html",
        worker,
        {
            **claim_words(request),
            "claims": waiting,
            "purpose_options": options(request, PURPOSES),
            "words": _words(request),
            "notice": t(request, message) if message else None,
        },
    )


def _words(request: Request) -> dict[str, str]:
    names = {**ID_TYPES, **SEXES, **SCHEMES, **KINDS}
    return {str(key): t(request, value) for key, value in names.items()}


@router.post(HOME + "/{archive_id}/reveal")
async def reveal(
    request: Request, actor: AgencyPage, archive_id: str, form: SessionForm
) -> Response:
    """The full numbers, logged with the purpose before they are shown (never stored)."""
    here = f"{HOME}/{archive_id}"
    kept = {"purpose": form.get("purpose"), "purpose_note": form.get("purpose_note")}
    try:
        purpose = stated_purpose(form.get("purpose"), form.get("purpose_note"))
    except ValidationFailed as failed:
        return back_to_form(f"{here}#reveal", field_errors(request, failed), kept)
    worker = await reading.get_worker(
        actor=actor,
        keyring=get_runtime(request).keyring,
        archive_id=archive_id,
        reveal=True,
        purpose=purpose,
    )
    return await render(
        request,
        "agency/workers/revealed.html",
        {**page_words(request), "worker": worker, "purpose": purpose, "words": _words(request)},
    )


@router.get(HOME + "/{archive_id}/archive.pdf")
async def archive_paper(request: Request, actor: AgencyPage, archive_id: str) -> Response:
    """The worker's archive on A4, printed at the counter (in the worker's access log)."""
    sheet = await sheets.archive_sheet(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id
    )
    base = str(request.base_url).rstrip("/")
    pdf = await paper.archive_pdf(request, sheet, base + CHECK_PATH)
    return paper.pdf_response(pdf, "archive.pdf")


@router.get(HOME + "/{archive_id}/social-security")
async def social_security_form(request: Request, actor: AgencyPage, archive_id: str) -> Response:
    """Record or replace the social-security link: number, card, region, schemes."""
    worker = await _worker(request, actor, archive_id)
    link = worker.social_security
    schemes = {s.scheme.value: s.since for s in link.schemes} if link else {}
    return await _form_page(
        request,
        "agency/workers/social_security.html",
        worker,
        {"scheme_options": options(request, SCHEMES), "since": schemes},
    )


def _schemes(form: PostedForm) -> list[InsuredSchemeInput]:
    return [
        InsuredSchemeInput(scheme, form.get(f"since_{scheme.value}"))
        for scheme in InsuranceScheme
        if form.get(f"scheme_{scheme.value}") == YES
    ]


@router.post(HOME + "/{archive_id}/social-security")
async def set_social_security(
    request: Request, actor: AgencyPage, archive_id: str, form: SessionForm
) -> Response:
    """Record the link (replacing the stored one); an archive entry records it."""
    here = f"{HOME}/{archive_id}/social-security"
    kept = {k: v for k, v in form.fields.items() if k not in ("csrf_token", "form_key")}

    async def act() -> Response:
        try:
            await links.set_social_security(
                actor=actor,
                keyring=get_runtime(request).keyring,
                archive_id=archive_id,
                number=form.get("number"),
                card_number=form.get("card_number"),
                issuing_region=form.get("issuing_region"),
                schemes=_schemes(form),
            )
        except ValidationFailed as failed:
            return back_to_form(here, field_errors(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("number", t(request, CHANGED))], kept)
        return see_other(f"{HOME}/{archive_id}?notice=social-security")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{archive_id}/employment")
async def employment_form(request: Request, actor: AgencyPage, archive_id: str) -> Response:
    """Add an employment or unemployment registration."""
    worker = await _worker(request, actor, archive_id)
    return await _form_page(
        request,
        "agency/workers/employment.html",
        worker,
        {"kind_options": options(request, KINDS)},
    )


@router.post(HOME + "/{archive_id}/employment")
async def add_employment(
    request: Request, actor: AgencyPage, archive_id: str, form: SessionForm
) -> Response:
    """The registration with its certificate, employer and dates; an archive entry."""
    here = f"{HOME}/{archive_id}/employment"
    kept = {k: v for k, v in form.fields.items() if k not in ("csrf_token", "form_key")}

    async def act() -> Response:
        try:
            kind = RegistrationKind(form.get("kind"))
        except ValueError:
            failed = ValidationFailed.single("kind", "enum", "choose a kind")
            return back_to_form(here, field_errors(request, failed), kept)
        try:
            start = form_date(form.get("start"), "start")
            if start is None:
                raise ValidationFailed.single("start", "required", "the start is required")
            await links.add_employment_registration(
                actor=actor,
                keyring=get_runtime(request).keyring,
                archive_id=archive_id,
                kind=kind,
                start=start,
                end=form_date(form.get("end"), "end"),
                certificate_number=form.get("certificate_number") or None,
                employer_credit_code=form.get("employer_credit_code") or None,
                employer_name=form.get("employer_name") or None,
                occupation_code=form.get("occupation_code") or None,
                labour_contract_end=form_date(
                    form.get("labour_contract_end"), "labour_contract_end"
                ),
            )
        except ValidationFailed as failed:
            told = uncatalogued(request, failed, field="occupation_code")
            return back_to_form(here, told or field_errors(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("kind", t(request, CHANGED))], kept)
        return see_other(f"{HOME}/{archive_id}?notice=employment")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/{archive_id}/employment/{registration_id}/close")
async def close_employment(
    request: Request, actor: AgencyPage, archive_id: str, registration_id: str, form: SessionForm
) -> Response:
    """End an open registration on a date (not before its start)."""
    here = f"{HOME}/{archive_id}"
    field = f"end-{registration_id}"

    async def act() -> Response:
        try:
            end = form_date(form.get("end"), "end")
            if end is None:
                raise ValidationFailed.single("end", "required", "the end is required")
            await links.close_employment_registration(
                actor=actor,
                keyring=get_runtime(request).keyring,
                archive_id=archive_id,
                registration_id=registration_id,
                end=end,
            )
        except ValidationFailed as failed:
            errors = [PageError(field, e.message) for e in field_errors(request, failed)]
            return back_to_form(here, errors[:1], {field: form.get("end")})
        except Conflict:
            return back_to_form(here, [PageError(field, t(request, CHANGED))], {})
        return see_other(f"{here}?notice=closed")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{archive_id}/transfer")
async def transfer_form(request: Request, actor: AgencyPage, archive_id: str) -> Response:
    """Move the archive to another region your agency covers."""
    worker = await _worker(request, actor, archive_id)
    return await _form_page(request, "agency/workers/transfer.html", worker)


@router.post(HOME + "/{archive_id}/transfer")
async def transfer(
    request: Request, actor: AgencyPage, archive_id: str, form: SessionForm
) -> Response:
    """The transfer (one conditional update and an archive entry)."""
    here = f"{HOME}/{archive_id}/transfer"
    kept = {"to_region_code": form.get("to_region_code"), "reason": form.get("reason")}

    async def act() -> Response:
        try:
            await registration.transfer_worker(
                actor=actor,
                keyring=get_runtime(request).keyring,
                archive_id=archive_id,
                to_region_code=form.get("to_region_code"),
                reason=form.get("reason"),
            )
        except ValidationFailed as failed:
            return back_to_form(here, field_errors(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("to_region_code", t(request, CHANGED))], kept)
        return see_other(f"{HOME}/{archive_id}?notice=transferred")

    return await once(request, form, actor.principal_id, act)
