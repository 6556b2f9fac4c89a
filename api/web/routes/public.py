"""Pages anyone may open: the home page, the language link and the certificate check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.requests import Request
from starlette.responses import Response

from api.web import i18n
from api.web.forms import PageError, safe_next, see_other
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.training import certificates

router = page_router()

# Long enough to outlive a phone's browser session; the choice is not personal data.
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
NOTICES = {
    "signed-out": N_("You have signed out."),
    "signed-out-everywhere": N_("You have signed out on every device."),
}


@router.get("/")
async def home(request: Request, notice: str | None = None) -> Response:
    """What the service is, and the ways in: sign in, check a certificate."""
    message = NOTICES.get(notice or "")
    return await render(request, "home.html", {"notice": t(request, message) if message else None})


@router.get("/language")
async def switch_language(request: Request, to: str = "", next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back to the page it was chosen on."""
    response = see_other(safe_next(next, "/"))
    language = i18n.by_code(to)
    if language is not None:
        response.set_cookie(
            i18n.LANG_COOKIE,
            language.code,
            max_age=LANGUAGE_COOKIE_SECONDS,
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
        )
    return response


@router.get("/certificate-check")
async def certificate_check(
    request: Request,
    number: Annotated[str | None, Query(max_length=200)] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The public check: valid or voided, level, occupation, issuer and date; nothing more.

    The same domain function as ``GET /certificates/check``; a right number with a wrong name
    is "not found", like a number that does not exist.
    """
    errors: list[PageError] = []
    result = None
    number, name = (number or "").strip(), (name or "").strip()
    if request.query_params:
        if not number:
            errors.append(PageError("number", t(request, "Enter the certificate number")))
        elif len(number) > 40:
            errors.append(PageError("number", t(request, "The certificate number is too long")))
        if not name:
            errors.append(PageError("name", t(request, "Enter the holder's name")))
        elif len(name) > 64:
            errors.append(PageError("name", t(request, "The name is too long")))
        if not errors:
            result = await certificates.check(number=number, holder_name=name)
    return await render(
        request,
        "certificate_check.html",
        {
            "errors": errors,
            "error_of": lambda field: next((e.message for e in errors if e.field == field), None),
            "result": result,
            "number": number,
            "name": name,
        },
    )
