"""The worker's share links, paper and export, and the public page a share link opens.

* ``/my/shares``: the links with their state and views; ``/my/shares/new`` makes one (whole
  archive or chosen entries, purpose, days, optional access code); ``/my/shares/{id}`` shows
  one, its views and (once, right after it was made) its address; a button revokes it.
* ``/my/paper/certificates/{seq}.pdf`` and ``/my/paper/archive.pdf``: A4 PDFs with QR codes
  of the certificates' check pages (``api/web/paper.py``); ``/my/export.zip``: everything.
* ``/s/{token}``: public. An expired, revoked or unknown link shows a page saying so and
  nothing else; a link with an access code asks for it (a post answers with the record).

The new link's token reaches its page in a short-lived cookie (post/redirect/get): the
database keeps only its hash, so the page after the redirect could not show it otherwise.
"""

from __future__ import annotations

import io
import zipfile
from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import Response

from api.deps import WorkerPage
from api.runtime import get_runtime
from api.web import paper
from api.web.forms import (
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.routes.worker_record import CHECK_PATH
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.errors import RateLimited, ValidationFailed
from portfolio.sharing import export_bundle, items, links, opening
from portfolio.sharing import paper as sheets
from portfolio.sharing.documents import SharePurpose, ShareScope

router = page_router()
NEW_TOKEN_COOKIE = "__Host-portfolio-new-share"  # noqa: S105 - a cookie name
SHARE_PATH = "/s/"
_STATUS = {"open": 200, "unknown": 404, "expired": 410, "revoked": 410}
_MESSAGES = {
    ("purpose", "required"): N_("Choose why you share your record"),
    ("days", "format"): N_("Enter the number of days, from 1 to 90"),
    ("days", "range"): N_("Enter the number of days, from 1 to 90"),
    ("entries", "required"): N_("Choose at least one entry to share"),
    ("entries", "unknown"): N_("Choose only entries of your record"),
    ("note", "length"): N_("Keep the note to 100 characters"),
    ("access_code", "length"): N_("An access code has 6 to 32 characters"),
}


def _base(request: Request) -> str:
    base = get_runtime(request).settings.public_url or str(request.base_url)
    return base.rstrip("/")


@router.get("/my/shares")
async def worker_shares(request: Request, actor: WorkerPage) -> Response:
    """The worker's share links: purpose, scope, expiry, state and views."""
    found = await links.list_shares(actor=actor)
    return await render(request, "sharing/list.html", {"shares": found})


@router.get("/my/shares/new")
async def worker_share_form(request: Request, actor: WorkerPage) -> Response:
    """The form for a new link (with a failed attempt's errors)."""
    found = await items.own_items(actor=actor, keyring=get_runtime(request).keyring)
    state = form_state(request)
    response = await render(
        request,
        "sharing/new.html",
        {
            "items": found,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


def _new_share(fields: dict[str, str]) -> links.NewShare:
    try:
        purpose = SharePurpose(fields.get("purpose", ""))
    except ValueError:
        raise ValidationFailed.single("purpose", "required", "choose a purpose") from None
    raw_days = fields.get("days", "")
    if not raw_days.isascii() or not raw_days.isdigit() or len(raw_days) > 3:
        raise ValidationFailed.single("days", "format", "a number of days")
    scope = ShareScope.ENTRIES if fields.get("scope") == "entries" else ShareScope.ARCHIVE
    chosen = tuple(
        int(name.removeprefix("entry-"))
        for name in fields
        if name.startswith("entry-") and name.removeprefix("entry-").isdigit()
    )
    return links.NewShare(
        purpose=purpose,
        days=int(raw_days),
        scope=scope,
        entries=chosen if scope is ShareScope.ENTRIES else (),
        note=fields.get("note", ""),
        access_code=fields.get("access_code") or None,
    )


@router.post("/my/shares/new")
async def worker_share_create(request: Request, actor: WorkerPage, form: SessionForm) -> Response:
    """Make the link; its page shows the address once."""
    runtime = get_runtime(request)

    async def act() -> Response:
        try:
            made = await links.create_share(
                actor=actor, keyring=runtime.keyring, new=_new_share(form.fields)
            )
        except ValidationFailed as failed:
            for error in failed.errors:
                message = _MESSAGES.get((error.field, error.rule), N_("Check this answer"))
                form.error(error.field, t(request, message))
            kept = {k: v for k, v in form.fields.items() if k != "access_code"}
            return back_to_form("/my/shares/new", form.errors, kept)
        response = see_other(f"/my/shares/{made.link.id}")
        response.set_cookie(
            NEW_TOKEN_COOKIE,
            made.token,
            max_age=300,
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
        )
        return response

    return await once(request, form, actor.principal_id, act)


@router.get("/my/shares/{link_id}")
async def worker_share(request: Request, actor: WorkerPage, link_id: str) -> Response:
    """One link: its address (right after it was made), what it shows, its views."""
    detail = await links.share_detail(
        actor=actor,
        keyring=get_runtime(request).keyring,
        link_id=link_id,
        new_token=request.cookies.get(NEW_TOKEN_COOKIE),
    )
    response = await render(
        request,
        "sharing/detail.html",
        {
            "detail": detail,
            "url": _base(request) + SHARE_PATH + detail.token if detail.token else None,
        },
    )
    if NEW_TOKEN_COOKIE in request.cookies:
        response.delete_cookie(NEW_TOKEN_COOKIE, path="/", secure=True, httponly=True)
    return response


@router.post("/my/shares/{link_id}/revoke")
async def worker_share_revoke(
    request: Request, actor: WorkerPage, link_id: str, form: SessionForm
) -> Response:
    """Revoke the link at once; back to its page."""

    async def act() -> Response:
        await links.revoke_share(actor=actor, link_id=link_id)
        return see_other(f"/my/shares/{link_id}")

    return await once(request, form, actor.principal_id, act)


@router.get("/my/paper/certificates/{seq}.pdf")
async def certificate_paper(request: Request, actor: WorkerPage, seq: int) -> Response:
    """One certificate as an A4 PDF with the QR code of its check page."""
    sheet = await sheets.certificate_sheet(
        actor=actor, keyring=get_runtime(request).keyring, seq=seq
    )
    pdf = await paper.certificate_pdf(request, sheet, _base(request) + CHECK_PATH)
    return paper.pdf_response(pdf, f"certificate-{sheet.certificate.number or seq}.pdf")


@router.get("/my/paper/archive.pdf")
async def archive_paper(request: Request, actor: WorkerPage) -> Response:
    """The archive summary as an A4 PDF, each certificate with its QR code."""
    sheet = await sheets.archive_sheet(actor=actor, keyring=get_runtime(request).keyring)
    pdf = await paper.archive_pdf(request, sheet, _base(request) + CHECK_PATH)
    return paper.pdf_response(pdf, "archive.pdf")


@router.get("/my/export.zip")
async def export_everything(request: Request, actor: WorkerPage) -> Response:
    """One zip: the archive as JSON, the archive summary and each certificate as PDF."""
    keyring = get_runtime(request).keyring
    document = await export_bundle.archive_export(actor=actor, keyring=keyring)
    check = _base(request) + CHECK_PATH
    archive = await sheets.archive_sheet(actor=actor, keyring=keyring)
    files = {
        export_bundle.ARCHIVE_FILE: export_bundle.to_json(document),
        "archive.pdf": await paper.archive_pdf(request, archive, check),
    }
    for sheet in await sheets.certificate_sheets(actor=actor, keyring=keyring):
        name = sheet.certificate.number or str(sheet.certificate.seq)
        files[f"certificates/{name}.pdf"] = await paper.certificate_pdf(request, sheet, check)
    files[export_bundle.CLR_SLOT] = await export_bundle.archive_clr(actor=actor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="my-record.zip"',
            "Cache-Control": "no-store",
        },
    )


async def _shared_page(request: Request, token: str, code: str | None) -> Response:
    try:
        found = await opening.open_share(
            keyring=get_runtime(request).keyring, token=token, access_code=code
        )
    except RateLimited:
        return await render(
            request,
            "sharing/shared.html",
            {"found": None, "token": token, "waiting": True},
            status_code=429,
        )
    return await render(
        request,
        "sharing/shared.html",
        {"found": found, "token": token, "waiting": False, "check_path": CHECK_PATH},
        status_code=_STATUS.get(found.status, 401),
    )


@router.get("/s/{token}")
async def shared_record(request: Request, token: str) -> Response:
    """Public: what a share link shows, or that it shows nothing any more."""
    return await _shared_page(request, token, None)


@router.post("/s/{token}")
async def shared_record_with_code(
    request: Request, token: str, access_code: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """Public: the record of a link with an access code (the answer is the page itself:
    the code never goes into an address, and nothing is changed but the view count)."""
    return await _shared_page(request, token, access_code)
