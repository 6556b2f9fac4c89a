"""The worker's pages about their record: home, archive, an entry, the chain check,
certificates (and their public check link), who read the record, and the profile.

Every page reads the worker's own archive through the ``portfolio.record`` and
``portfolio.archives`` use cases (the same as the JSON routes under ``/me``); none takes an
archive id, so there is nothing to point at someone else's record.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import NoMatchFound

from api.deps import WorkerPage
from api.runtime import get_runtime
from api.web.forms import (
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.priority_words import group_words
from api.web.qr import qr_svg
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.archives import entries, phone, reading
from portfolio.errors import RateLimited, ValidationFailed
from portfolio.priority import reading as priority_reading
from portfolio.record import access_log, certificates, home, links, timeline
from portfolio.record.inbox import Notice, NoticeKind

router = page_router()

Cursor = Annotated[str | None, Query(max_length=64)]
NOTICES = {
    "activated": N_("Your login is ready. Welcome to your record."),
    "phone-changed": N_("Your phone number has been changed."),
}
# Where a notice of the inbox takes the worker: a page route's name and its path parameter
# (the pages that act on a notice live with the training and voucher pages; until a route of
# that name exists, the notice is shown without a link).
NOTICE_PAGES: dict[str, tuple[str, str, str]] = {
    # kind: (route name, path parameter, the notice's detail that fills it)
    NoticeKind.ATTENDANCE_TO_CONFIRM: ("worker_enrolment", "enrolment_id", "enrolment_id"),
}
CHECK_PATH = "/c/"


def _notice(request: Request, name: str | None) -> str | None:
    message = NOTICES.get(name or "")
    return t(request, message) if message else None


def notice_link(request: Request, notice: Notice) -> str | None:
    """The page where the worker acts on ``notice``, if that page exists."""
    target = NOTICE_PAGES.get(notice.kind)
    if target is None:
        return None
    route, parameter, detail = target
    value = notice.details.get(detail)
    if not isinstance(value, str):
        return None
    try:
        return str(request.app.url_path_for(route, **{parameter: value}))
    except NoMatchFound:
        return None


def check_url(request: Request, token: str) -> str:
    """The absolute URL of a certificate's public check page (``PORTFOLIO_PUBLIC_URL``)."""
    base = get_runtime(request).settings.public_url or str(request.base_url)
    return base.rstrip("/") + CHECK_PATH + token


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) != 4:
        raise ValidationFailed.single("year", "format", "a year has four digits")
    return int(raw)


def _link(path: str, **query: Any) -> str:
    kept = {name: value for name, value in query.items() if value not in (None, "")}
    return path + (f"?{urlencode(kept)}" if kept else "")


@router.get("/my")
async def worker_home(request: Request, actor: WorkerPage, notice: str | None = None) -> Response:
    """The worker's home: name, highest level, what waits for them, vouchers, latest entries."""
    view = await home.home(actor=actor)
    return await render(
        request,
        "worker/home.html",
        {
            "view": view,
            "notice": _notice(request, notice),
            "links": {n.subject_id: notice_link(request, n) for n in view.notices},
        },
    )


@router.get("/my/archive")
async def worker_archive(
    request: Request,
    actor: WorkerPage,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    year: Annotated[str | None, Query(max_length=8)] = None,
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    """Every entry of the archive, newest first, filtered by kind and year, a page at a time."""
    page = await timeline.timeline(
        actor=actor, kind=kind, year=_year(year), before=before, after=after
    )
    filters = {"kind": page.kind, "year": page.year}
    return await render(
        request,
        "worker/archive.html",
        {
            "page": page,
            "next_url": _link("/my/archive", **filters, before=page.next_cursor)
            if page.next_cursor
            else None,
            "previous_url": _link("/my/archive", **filters, after=page.previous_cursor)
            if page.previous_cursor
            else None,
            "filtered": page.kind is not None or page.year is not None,
        },
    )


@router.get("/my/archive/check")
async def worker_chain_check(request: Request, actor: WorkerPage) -> Response:
    """The chain check in words: complete and unaltered, or which entry breaks it."""
    report = await entries.verify_archive(actor=actor)
    return await render(request, "worker/chain_check.html", {"report": report})


@router.get("/my/archive/{seq}")
async def worker_entry(request: Request, actor: WorkerPage, seq: int) -> Response:
    """One entry: what, when, who recorded it, and its place in the hash chain."""
    detail = await timeline.entry_detail(actor=actor, seq=seq)
    return await render(request, "worker/entry.html", {"detail": detail})


@router.get("/my/certificates")
async def worker_certificates(request: Request, actor: WorkerPage) -> Response:
    """The certificates as the archive records them, each with the QR code of its check page."""
    runtime = get_runtime(request)
    found = await certificates.own_certificates(actor=actor, keyring=runtime.keyring)
    codes = {}
    for certificate in found:
        if certificate.token:
            url = check_url(request, certificate.token)
            label = t(request, "QR code of the check page of certificate %(number)s")
            codes[certificate.first_seq] = (
                url,
                qr_svg(url, label % {"number": certificate.number}),
            )
    return await render(
        request, "worker/certificates.html", {"certificates": found, "codes": codes}
    )


@router.get("/c/{token}")
async def certificate_link(request: Request, token: str) -> Response:
    """Public: the check of the one certificate a QR code names (no name or number typed)."""
    runtime = get_runtime(request)
    result = await links.check_by_token(keyring=runtime.keyring, token=token)
    return await render(
        request,
        "worker/certificate_link.html",
        {"result": result},
        status_code=404 if result.status == "unknown" else 200,
    )


@router.get("/my/access-log")
async def worker_access_log(
    request: Request, actor: WorkerPage, before: Cursor = None, after: Cursor = None
) -> Response:
    """Who read my record: who, which organisation, what, why and when, newest first."""
    page = await access_log.read_log(actor=actor, before=before, after=after)
    return await render(
        request,
        "worker/access_log.html",
        {
            "page": page,
            "next_url": _link("/my/access-log", before=page.next_cursor)
            if page.next_cursor
            else None,
            "previous_url": _link("/my/access-log", after=page.previous_cursor)
            if page.previous_cursor
            else None,
        },
    )


@router.get("/my/profile")
async def worker_profile(
    request: Request, actor: WorkerPage, notice: str | None = None
) -> Response:
    """Identity and linked identifiers, masked; a button shows the full numbers. The
    worker's priority groups (their own, sensitive ones included)."""
    keyring = get_runtime(request).keyring
    view = await reading.get_worker(actor=actor, keyring=keyring)
    groups = await priority_reading.mine(actor=actor, keyring=keyring)
    return await render(
        request,
        "worker/profile.html",
        {
            "worker": view,
            "revealed": False,
            "notice": _notice(request, notice),
            "groups": groups.memberships,
            "group_words": group_words(request),
        },
    )


@router.post("/my/profile/reveal")
async def worker_profile_revealed(
    request: Request, actor: WorkerPage, form: SessionForm
) -> Response:
    """The worker's own full numbers, shown on a deliberate post (as ``GET /me/identity``: the
    same read, not kept by the browser; it changes nothing, so it answers with the page)."""
    view = await reading.get_worker(actor=actor, keyring=get_runtime(request).keyring, reveal=True)
    return await render(
        request, "worker/profile.html", {"worker": view, "revealed": True, "notice": None}
    )


@router.get("/my/profile/phone")
async def worker_phone_form(request: Request, actor: WorkerPage) -> Response:
    """The form to change the phone number (with a failed attempt's errors)."""
    view = await reading.get_worker(actor=actor, keyring=get_runtime(request).keyring)
    state = form_state(request)
    response = await render(
        request,
        "worker/phone.html",
        {
            "worker": view,
            "errors": state.errors,
            "error_of": state.error_of,
            "phone": state.value("phone"),
        },
    )
    forget_form_state(request, response)
    return response


_PHONE_MESSAGES = {
    ("phone", "required"): N_("Enter your new phone number"),
    ("phone", "format"): N_("Enter an 11-digit mobile number, like 13800138000"),
    ("phone", "unchanged"): N_("This is the number we have already: enter your new number"),
    ("password", "required"): N_("Enter your password"),
    ("password", "incorrect"): N_("Your password is not right"),
}


@router.post("/my/profile/phone")
async def worker_phone_change(request: Request, actor: WorkerPage, form: SessionForm) -> Response:
    """Change the phone number (the password confirms it); back to the profile."""
    new_phone, password = form.get("phone"), form.fields.get("password", "")
    runtime = get_runtime(request)

    async def act() -> Response:
        try:
            await phone.change_phone(
                actor=actor,
                settings=runtime.settings,
                keyring=runtime.keyring,
                phone=new_phone,
                password=password,
            )
        except ValidationFailed as failed:
            for error in failed.errors:
                message = _PHONE_MESSAGES.get((error.field, error.rule), N_("Check this answer"))
                form.error(error.field, t(request, message))
        except RateLimited:
            form.error("password", t(request, "Too many wrong passwords. Try again later."))
        if form.errors:
            return back_to_form("/my/profile/phone", form.errors, {"phone": new_phone})
        return see_other("/my/profile?notice=phone-changed")

    return await once(request, form, actor.principal_id, act)
