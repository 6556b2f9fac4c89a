"""RFC 9457 problem details: the one place that turns errors into HTTP responses.

The JSON API answers every error here as ``application/problem+json``. A page route picks its
status from the same table (:func:`status_for`) and renders its own page; a page layer that
answers errors as HTML for its routes wraps :func:`handle_domain_error` (which also records
denials) rather than copying it. A page asked for without a web session raises
:class:`LoginRequired`; until the page layer installs its own handler for it, the one here
redirects to ``/login?next=…``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException

from portfolio import driver_errors
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import (
    ArchiveBusy,
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RateLimited,
    StorageUnavailable,
    ValidationFailed,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Most specific class first: the first isinstance match wins.
_STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (AuthenticationFailed, 401),
    (Forbidden, 403),
    (ValidationFailed, 422),
    (Conflict, 409),
    (RateLimited, 429),
    (StorageUnavailable, 503),
]

_TITLES = {
    400: "Bad request",
    401: "Authentication failed",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_type(code: str) -> str:
    """The problem ``type`` URI for a stable error code."""
    return f"urn:portfolio:problem:{code}"


def problem_body(
    status: int, detail: str, *, code: str | None = None, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The JSON object of a problem response."""
    body: dict[str, Any] = {
        "type": problem_type(code) if code else "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return body


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    return JSONResponse(
        problem_body(status, detail, code=code, title=title, **extra),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def status_for(error: DomainError) -> int:
    """The HTTP status that a domain error means: the one table, for API and page routes."""
    return next((status for cls, status in _STATUS_BY_ERROR if isinstance(error, cls)), 400)


# The earlier name, kept for callers written before pages needed the table.
status_of = status_for


class LoginRequired(Exception):
    """A page needs a web session and the request has none: the answer is the login page.

    Raised by the page principal source (``api.deps.page_principal``); not a domain error, so
    no JSON problem is rendered for it. ``next_path`` is the local path (with its query) to
    come back to after logging in: set for GET and HEAD only, since a form post cannot be
    replayed by a redirect. The login page must still check it is a local path.
    """

    def __init__(self, next_path: str | None) -> None:
        super().__init__("a web session is required")
        self.next_path = next_path


LOGIN_PATH = "/login"


def login_redirect(next_path: str | None) -> RedirectResponse:
    """303 to the login page, asking it to come back to ``next_path`` afterwards."""
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    return RedirectResponse(f"{LOGIN_PATH}{query}", status_code=303)


def render_domain_error(error: DomainError) -> JSONResponse:
    """A domain error as problem+json; field errors and safe extras are included."""
    status = status_for(error)
    extra: dict[str, Any] = dict(error.extra)
    headers: dict[str, str] = {}
    if isinstance(error, ValidationFailed):
        extra["errors"] = [
            {"field": e.field, "rule": e.rule, "message": e.message} for e in error.errors
        ]
    if isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited | ArchiveBusy):
        headers["Retry-After"] = str(error.retry_after_seconds)
    if isinstance(error, StorageUnavailable):
        headers["Retry-After"] = "2"
    return problem(
        status, error.detail, code=error.code, title=error.title, headers=headers, **extra
    )


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


# Failed logins are recorded by the login itself, with more to say than "denied".
_AUDITED_ELSEWHERE = frozenset({"/auth/token"})


async def record_denial(request: Request, status: int) -> None:
    """Record a request refused for who asked (401, 403, or a page's missing session)."""
    if request.url.path in _AUDITED_ELSEWHERE:
        return
    await record(
        AuditKind.REQUEST_DENIED,
        Outcome.DENIED,
        status=status,
        method=request.method,
        # The route template, not the path: a path may carry an identifier.
        route=_route_template(request),
    )


async def handle_domain_error(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler of domain errors: denials recorded, then problem+json."""
    assert isinstance(exc, DomainError)
    if isinstance(exc, AuthenticationFailed | Forbidden):
        await record_denial(request, status_for(exc))
    return render_domain_error(exc)


async def _on_login_required(request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRequired)
    # Audited as the API audits a request without a token: the same denial, said as a 401.
    await record_denial(request, 401)
    return login_redirect(exc.next_path)


def _route_template(request: Request) -> str:
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else request.url.path


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, "The request body is not valid JSON.", code="malformed-json")
    # The rejected input is never echoed: it may be an identity number.
    fields = [
        {"field": _field_path(tuple(e["loc"])), "rule": e["type"], "message": e["msg"]}
        for e in errors
    ]
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem(422, detail, code="validation-failed", errors=fields)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}."
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    headers = dict(exc.headers or {})
    return problem(exc.status_code, detail, headers=headers)


async def _on_driver_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PyMongoError)
    translated = driver_errors.translate(exc)
    if translated is None:
        raise exc  # a bug: the request-context middleware answers 500 and logs the trace
    return render_domain_error(translated)


def install(app: FastAPI) -> None:
    """Register every error handler on ``app``."""
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(LoginRequired, _on_login_required)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(PyMongoError, _on_driver_error)
