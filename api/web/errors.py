"""Errors as pages: 404, 403, 500, "the database is not reachable" and the rest.

Page routes use ``routing.PageRoute``: whatever a page route raises becomes a page here (a
domain error by its meaning, a driver error as the 503 page when the store is unreachable,
anything else as the 500 page, logged with its trace), and every answer of a page route gets
the page headers. A person sees a friendly page with the request id as the reference number,
never a stack trace. The JSON API keeps problem+json: for a path no route matches, a browser
asking for HTML gets the page and everyone else gets the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.problems import LoginRequired, status_of
from api.web.auth import login_location
from api.web.csrf import CsrfRejected
from api.web.templating import add_page_headers, render
from portfolio import driver_errors
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import AuthenticationFailed, DomainError, Forbidden

error_log = logging.getLogger("portfolio.errors")

Handler = Callable[[Request, Exception], Awaitable[Response]]

# The pages people may meet; any other status shares the general one.
_PAGES = {400, 403, 404, 405, 409, 413, 422, 429, 500, 503}


async def error_page(request: Request, status: int, **context: Any) -> Response:
    """The friendly page of ``status`` (no database needed to render it)."""
    page = status if status in _PAGES else (500 if status >= 500 else 400)
    response = await render(
        request,
        "error.html",
        {"status": page, **context},
        status_code=status,
        resolve_actor=False,
    )
    if status == 503:
        response.headers["Retry-After"] = "5"
    return add_page_headers(response)


def _route_template(request: Request) -> str:
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else request.url.path


async def page_for(request: Request, exc: Exception) -> Response:
    """What a page route's exception shows the person."""
    if isinstance(exc, LoginRequired):
        return RedirectResponse(login_location(exc.next_path), status_code=303)
    if isinstance(exc, CsrfRejected):
        await record(
            AuditKind.REQUEST_DENIED,
            Outcome.DENIED,
            status=403,
            method=request.method,
            route=_route_template(request),
            reason=f"csrf:{exc.reason}",
        )
        return await error_page(request, 403, csrf=True)
    if isinstance(exc, PyMongoError):
        translated = driver_errors.translate(exc)
        if translated is None:
            return await _unexpected(request, exc)
        exc = translated
    if isinstance(exc, AuthenticationFailed):
        # The session ended between the gate and the service: sign in again.
        return RedirectResponse(login_location(request.url.path), status_code=303)
    if isinstance(exc, DomainError):
        if isinstance(exc, Forbidden):
            await record(
                AuditKind.REQUEST_DENIED,
                Outcome.DENIED,
                status=403,
                method=request.method,
                route=_route_template(request),
            )
        return await error_page(request, status_of(exc))
    if isinstance(exc, RequestValidationError):
        return await error_page(request, 400)
    if isinstance(exc, StarletteHTTPException):
        return await error_page(request, exc.status_code)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    error_log.error(
        "unhandled error",
        exc_info=exc,
        extra={
            "request_id": getattr(request.state, "request_id", None),
            "method": request.method,
            "path": request.url.path,
        },
    )
    return await error_page(request, 500)


def wants_page(request: Request) -> bool:
    """True when an error outside any route should be a page: a browser's visit."""
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Answer unmatched paths with pages for browsers, keeping problem+json for the API."""
    problem_handler = cast(Handler, app.exception_handlers[StarletteHTTPException])

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        route = request.scope.get("route")
        if getattr(route, "is_page", False) or (route is None and wants_page(request)):
            return await error_page(request, exc.status_code)
        return await problem_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, on_http_exception)
