"""The agency's workers: find one, register one by real name, the activation letter.

* ``/agency/workers``: look a worker up by ID or social-security number, with a purpose from
  the coded list and an optional note (``portfolio.archives.purposes``), written to the
  worker's access log as ``POST /workers/search`` writes it; a hit opens the worker's page;
* ``/agency/workers/new``: the registration form. Posting it checks every field as
  ``POST /workers`` will and finds a duplicate in any region before anything is written
  (``intake.check_registration``); the answer is "check your answers": what the number says
  (birth date, sex, the area of first registration) to confirm with the worker, and the
  personal-information notice the officer gives them. That page is the post's answer, not a
  redirect: it carries the typed ID number, which never goes into a cookie or a URL;
* ``/agency/workers/register``: the registration itself, then the letter;
* ``/agency/workers/{id}/letter``: the printable activation letter. The code is shown once:
  it travels from the post that issued it to the letter in a short-lived cookie sealed to the
  worker and the officer; without it the page offers a new code
  (``/agency/workers/{id}/activation-code``: every older code stops working).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
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
from api.web.people_words import (
    ID_TYPES,
    PURPOSES,
    SEXES,
    field_errors,
    form_date,
    options,
)
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.accounts.principal import Actor
from portfolio.archives import intake, reading, registration
from portfolio.archives.purposes import stated_purpose
from portfolio.archives.views import ActivationCodeIssued
from portfolio.errors import Conflict, NotFound, ValidationFailed
from portfolio.identity import FieldProtection, IdType, Sex
from portfolio.identity.protection import KeyUnavailable, Sealed, Tampered

router = page_router()
HOME = "/agency/workers"
NEW = "/agency/workers/new"
LETTER_COOKIE = "__Host-portfolio-letter"
_LETTER_SECONDS = 600
REGISTRATION_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "nationality",
    "birth_date",
    "sex",
    "phone",
    "region_code",
)
DUPLICATE = N_(
    "This person has an archive already, in region %(region)s. Nothing was registered: "
    "ask that region's agency to transfer the archive to yours."
)
NOT_FOUND = N_("No worker with this number in your region")
NOTICE_MISSING = N_("Confirm that you gave the worker the personal-information notice")


def _aad(actor: Actor, archive_id: str) -> bytes:
    return f"letter:{actor.principal_id}:{archive_id}".encode()


def with_code(
    request: Request, response: Response, actor: Actor, issued: ActivationCodeIssued
) -> Response:
    """``response`` carrying the new code to the letter page (sealed, for ten minutes)."""
    protection = FieldProtection(get_runtime(request).keyring)
    plain = json.dumps({"code": issued.code, "expires_at": issued.expires_at.isoformat()})
    sealed = protection.seal(plain, aad=_aad(actor, issued.archive_id))
    parts = (sealed.kid.encode(), sealed.nonce, sealed.ciphertext)
    value = ".".join(base64.urlsafe_b64encode(part).decode() for part in parts)
    response.set_cookie(
        LETTER_COOKIE,
        value,
        max_age=_LETTER_SECONDS,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


async def _code_of(request: Request, actor: Actor, archive_id: str) -> dict[str, str] | None:
    raw = request.cookies.get(LETTER_COOKIE)
    if not raw:
        return None
    try:
        kid, nonce, ciphertext = (base64.urlsafe_b64decode(part) for part in raw.split("."))
        sealed = Sealed(kid=kid.decode(), nonce=nonce, ciphertext=ciphertext)
        protection = FieldProtection(get_runtime(request).keyring)
        opened = await protection.open(sealed, aad=_aad(actor, archive_id))
        found: dict[str, str] = json.loads(opened)
    except (ValueError, TypeError, KeyError, Tampered, KeyUnavailable):
        # Another worker's, tampered with or from an old key: there is no code to show.
        return None
    return found


def _id_type(form: PostedForm) -> IdType:
    try:
        return IdType(form.get("id_type") or IdType.RESIDENT_ID)
    except ValueError:
        raise ValidationFailed.single("id_type", "enum", "not a document") from None


def _registration(form: PostedForm) -> dict[str, object]:
    """The registration's arguments from the form (types as the service takes them)."""
    id_type = _id_type(form)
    sex = form.get("sex")
    return {
        "name": form.get("name"),
        "id_type": id_type,
        "id_number": form.get("id_number"),
        "nationality": form.get("nationality").upper() or None,
        "birth_date": form_date(form.get("birth_date"), "birth_date"),
        "sex": Sex(sex) if sex in {s.value for s in Sex} else None,
        "phone": form.get("phone"),
        "region_code": form.get("region_code"),
    }


def _kept(form: PostedForm) -> dict[str, str]:
    return {name: form.get(name) for name in REGISTRATION_FIELDS}


@router.get(HOME)
async def workers_home(request: Request, actor: AgencyPage) -> Response:
    """Find a worker (by number, with a purpose) or register a new one."""
    state = form_state(request)
    response = await render(
        request,
        "agency/workers/search.html",
        {
            **page_words(request),
            "purpose_options": options(request, PURPOSES),
            "id_type_options": options(request, ID_TYPES),
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(f"{HOME}/search")
async def search(request: Request, actor: AgencyPage, form: SessionForm) -> Response:
    """Look the worker up (logged with the purpose); a hit opens their page."""
    kept = {
        name: form.get(name)
        for name in (
            "purpose",
            "purpose_note",
            "id_type",
            "id_number",
            "nationality",
            "social_security_number",
        )
    }

    async def act() -> Response:
        try:
            purpose = stated_purpose(form.get("purpose"), form.get("purpose_note"))
            id_type = _id_type(form)
            found = await reading.search_worker(
                actor=actor,
                keyring=get_runtime(request).keyring,
                purpose=purpose,
                id_type=id_type,
                id_number=form.get("id_number") or None,
                nationality=form.get("nationality").upper() or None,
                social_security_number=form.get("social_security_number") or None,
            )
        except ValidationFailed as failed:
            return back_to_form(f"{HOME}", field_errors(request, failed), kept)
        except NotFound:
            field = "id_number" if form.get("id_number") else "social_security_number"
            return back_to_form(HOME, [PageError(field, t(request, NOT_FOUND))], kept)
        return see_other(f"{HOME}/{found.archive_id}")

    return await once(request, form, actor.principal_id, act)


@router.get(NEW)
async def registration_form(request: Request, actor: AgencyPage) -> Response:
    """The registration form: name, document and number, phone, region."""
    state = form_state(request)
    response = await render(
        request,
        "agency/workers/new.html",
        {
            **page_words(request),
            "id_type_options": options(request, ID_TYPES),
            "sex_options": options(request, SEXES),
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


async def _check_page(
    request: Request, form: PostedForm, check: intake.RegistrationCheck, errors: list[PageError]
) -> Response:
    return await render(
        request,
        "agency/workers/check.html",
        {
            **page_words(request),
            "check": check,
            "id_type_name": t(request, ID_TYPES[check.id_type]),
            "sex_name": t(request, SEXES[check.sex]),
            "fields": _kept(form),
            "errors": errors,
        },
    )


async def _checked(
    request: Request, actor: AgencyPage, form: PostedForm
) -> intake.RegistrationCheck | Response:
    """The registration checked, or the answer sending the officer back to the form."""
    try:
        check = await intake.check_registration(
            actor=actor,
            keyring=get_runtime(request).keyring,
            **_registration(form),  # type: ignore[arg-type]
        )
    except ValidationFailed as failed:
        known = set(REGISTRATION_FIELDS)
        return back_to_form(NEW, field_errors(request, failed, known=known), _kept(form))
    if check.existing_region is not None:
        message = t(request, DUPLICATE) % {"region": check.existing_region}
        return back_to_form(NEW, [PageError("id_number", message)], _kept(form))
    return check


@router.post(NEW)
async def check_registration(request: Request, actor: AgencyPage, form: SessionForm) -> Response:
    """Check the answers: the fields checked, a duplicate found before anything is written.
    The check page's "change" button comes back here: to the form, its values kept."""
    if form.get("change") == "yes":
        return back_to_form(NEW, [], _kept(form))
    checked = await _checked(request, actor, form)
    if isinstance(checked, Response):
        return checked
    return await _check_page(request, form, checked, [])


@router.post(f"{HOME}/register")
async def register(request: Request, actor: AgencyPage, form: SessionForm) -> Response:
    """Register the worker (the notice given), then the activation letter."""
    runtime = get_runtime(request)

    async def act() -> Response:
        checked = await _checked(request, actor, form)
        if isinstance(checked, Response):
            return checked
        if form.get("notice_given") != "yes":
            missing = [PageError("notice_given", t(request, NOTICE_MISSING))]
            return await _check_page(request, form, checked, missing)
        try:
            registered = await registration.register_worker(
                actor=actor,
                keyring=runtime.keyring,
                settings=runtime.settings,
                **_registration(form),  # type: ignore[arg-type]
            )
        except Conflict as taken:  # registered by a colleague a moment ago
            message = t(request, DUPLICATE) % {"region": taken.extra.get("region_code") or ""}
            return back_to_form(NEW, [PageError("id_number", message)], _kept(form))
        archive_id = registered.worker.archive_id
        letter = see_other(f"{HOME}/{archive_id}/letter?notice=registered")
        return with_code(request, letter, actor, registered.activation)

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{archive_id}/letter")
async def letter(
    request: Request, actor: AgencyPage, archive_id: str, notice: str = ""
) -> Response:
    """The activation letter to print and hand over: the code, how to use it, the notice."""
    worker = await reading.get_worker(
        actor=actor, keyring=get_runtime(request).keyring, archive_id=archive_id
    )
    code = await _code_of(request, actor, archive_id)
    expires = datetime.fromisoformat(code["expires_at"]) if code else None
    return await render(
        request,
        "agency/workers/letter.html",
        {
            **page_words(request),
            "worker": worker,
            "code": code["code"] if code else None,
            "expires_at": expires,
            "registered": notice == "registered",
            "issued": notice == "issued",
        },
    )


@router.post(HOME + "/{archive_id}/activation-code")
async def new_code(
    request: Request, actor: AgencyPage, archive_id: str, form: SessionForm
) -> Response:
    """A new activation code (lost code, forgotten password): older codes stop working."""

    async def act() -> Response:
        issued = await registration.issue_activation_code(
            actor=actor, settings=get_runtime(request).settings, archive_id=archive_id
        )
        letter = see_other(f"{HOME}/{archive_id}/letter?notice=issued")
        return with_code(request, letter, actor, issued)

    return await once(request, form, actor.principal_id, act)
