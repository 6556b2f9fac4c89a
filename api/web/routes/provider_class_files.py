"""The provider's console: a whole class from a file (CSV or .xlsx).

* ``GET /provider/runs/{run_id}/class-file``: the upload form, with the templates to download
  (``/provider/class-file-template.csv`` and ``.xlsx``);
* ``POST`` the same path (multipart): the file is kept and the clerk is sent to its preview;
* ``GET /provider/class-files/{reference}``: every row with what enrolling it would do, and the
  button that enrols the good rows; once enrolled, the result with its reference and the
  result file (``/provider/class-files/{reference}/result.csv`` or ``.xlsx``).

The upload form is the one multipart form of the pages: it is checked here (origin, CSRF token,
the rendering's key) as ``SessionForm`` checks the others.
"""

from __future__ import annotations

import re
from typing import Literal

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.downloads import download
from api.runtime import get_runtime
from api.web import auth, csrf
from api.web.forms import (
    KEY_FIELD,
    PageError,
    PostedForm,
    SessionForm,
    back_to_form,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.routes.provider_console import console_page
from api.web.routing import page_router
from api.web.templating import t
from portfolio.errors import NotFound, ValidationFailed
from portfolio.integrity import Thresholds
from portfolio.training import class_files, console

router = page_router()

MAX_FILE_BYTES = 900_000  # under the request body limit, with room for the form around it
_VALID_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
FILE_ERRORS = {
    "required": N_("Choose a class file"),
    "encoding": N_("The file must be CSV in UTF-8 or GB18030, or an .xlsx workbook"),
    "csv_invalid": N_("The file must be CSV in UTF-8 or GB18030, or an .xlsx workbook"),
    "xlsx_invalid": N_("The file must be CSV in UTF-8 or GB18030, or an .xlsx workbook"),
    "no_header": N_("No row of the file names the columns 身份证号码 and 姓名: use the template"),
    "too_many": N_("The file has too many rows: at most 5,000"),
    "too_large": N_("The file is too large: at most 900 KB"),
}
# Why a row would not be (or was not) enrolled, in words.
ROW_RULES = {
    "length": N_("ID number: not 18 characters"),
    "format": N_("ID number: not 17 digits and a digit or X"),
    "checksum": N_("ID number: wrong check character"),
    "birth_date": N_("ID number: impossible date of birth"),
    "area_code": N_("ID number: unknown area code"),
    "required": N_("A field is empty"),
    "no_match": N_("No worker matches this ID number and name"),
    "duplicate": N_("The same worker is on an earlier row"),
    "already_enrolled": N_("Already in this class"),
    "clash": N_("Booked in another class at the same time"),
    "full": N_("No seat left in the class"),
    "run_ended": N_("The class has ended: nobody can be enrolled in it"),
}
# The fraud rules' dry run: what a flag would say (on the page's top) and, short, on each row.
FLAG_WORDS = {
    "enrolment_surge": N_(
        "Enrolling these rows makes %(recent)s enrolments of yours in the last weeks after none "
        "in the months before: claims on them would go to the agency flagged as a sudden surge."
    ),
}
FLAG_SHORT = {"enrolment_surge": N_("would be flagged: sudden surge of enrolments")}


@router.get("/provider/class-file-template.{file_format}")
async def template(file_format: Literal["csv", "xlsx"], actor: ProviderPage) -> Response:
    """The empty class file to fill in."""
    return download(class_files.template_file(file_format=file_format))


@router.get("/provider/runs/{run_id}/class-file")
async def upload_form(request: Request, run_id: str, actor: ProviderPage) -> Response:
    """The upload form of a run's class file."""
    found = await console.run_detail(actor=actor, run_id=run_id)
    return await console_page(request, "provider/class_file.html", {"found": found})


async def _upload_form(request: Request) -> tuple[PostedForm, str, bytes]:
    """The multipart form, checked as ``SessionForm`` checks the others: the form, the file's
    name and (up to one byte over the limit) its bytes."""
    runtime = get_runtime(request)
    csrf.check_origin(request, runtime.settings)
    async with request.form(max_files=1, max_fields=10) as raw:
        fields = {k: v.strip() for k, v in raw.items() if isinstance(v, str)}
        csrf.check_token(fields.get(csrf.FIELD), auth.session_secret(request), "form")
        key = fields.get(KEY_FIELD, "")
        if not _VALID_KEY.match(key):
            raise csrf.CsrfRejected("no-form-key")
        file = raw.get("file")
        if not isinstance(file, UploadFile):
            return PostedForm(fields=fields, key=key), "", b""
        content = await file.read(MAX_FILE_BYTES + 1)
        return PostedForm(fields=fields, key=key), file.filename or "", content


@router.post("/provider/runs/{run_id}/class-file")
async def upload(request: Request, run_id: str, actor: ProviderPage) -> Response:
    """Keep the class file and show its preview (nothing is enrolled yet)."""
    here = f"/provider/runs/{run_id}/class-file"
    form, filename, content = await _upload_form(request)

    def back(rule: str) -> Response:
        return back_to_form(here, [PageError("file", t(request, FILE_ERRORS[rule]))], {})

    if len(content) > MAX_FILE_BYTES:
        return back("too_large")

    async def act() -> Response:
        try:
            reference = await class_files.upload(
                actor=actor, run_id=run_id, raw=content, filename=filename
            )
        except ValidationFailed as failed:
            rule = failed.errors[0].rule
            return back(rule if rule in FILE_ERRORS else "csv_invalid")
        return see_other(f"/provider/class-files/{reference}")

    return await once(request, form, actor.principal_id, act)


def _reference(raw: str) -> str:
    if not re.fullmatch(r"CF-[0-9A-F]{10}", raw):
        raise NotFound("no such class file")
    return raw


@router.get("/provider/class-files/{reference}")
async def preview(request: Request, reference: str, actor: ProviderPage) -> Response:
    """Every row with what enrolling it would do; once enrolled, the result."""
    runtime = get_runtime(request)
    found = await class_files.show(
        actor=actor,
        keyring=runtime.keyring,
        reference=_reference(reference),
        limits=Thresholds.of(runtime.settings).surge,
    )
    rules = {rule: t(request, words) for rule, words in ROW_RULES.items()}
    flags = [
        t(request, FLAG_WORDS[code]) % {"recent": found.enrolments_recent}
        for code in found.flags
        if code in FLAG_WORDS
    ]
    short = {code: t(request, words) for code, words in FLAG_SHORT.items()}
    return await console_page(
        request,
        "provider/class_file_rows.html",
        {"upload": found, "rules": rules, "flag_words": flags, "flag_short": short},
    )


@router.post("/provider/class-files/{reference}/enrol")
async def enrol(
    request: Request, reference: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Enrol the good rows; the result page follows (a second press enrols nobody twice)."""
    runtime = get_runtime(request)
    checked = _reference(reference)

    async def act() -> Response:
        await class_files.enrol_good_rows(actor=actor, keyring=runtime.keyring, reference=checked)
        return see_other(f"/provider/class-files/{checked}")

    return await once(request, form, actor.principal_id, act)


@router.get("/provider/class-files/{reference}/result.{file_format}")
async def result_file(
    request: Request, reference: str, file_format: Literal["csv", "xlsx"], actor: ProviderPage
) -> Response:
    """The result of an enrolled class file, row by row (numbers masked)."""
    runtime = get_runtime(request)
    found = await class_files.show(
        actor=actor, keyring=runtime.keyring, reference=_reference(reference)
    )
    return download(class_files.result_file(found, file_format=file_format))
