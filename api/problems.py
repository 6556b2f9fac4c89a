"""RFC 9457 problem details: the one place that turns errors into HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException

from portfolio import driver_errors
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import (
    AccountLocked,
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
    (AccountLocked, 423),
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


def status_of(error: DomainError) -> int:
    """The HTTP status that a domain error means."""
    return next((status for cls, status in _STATUS_BY_ERROR if isinstance(error, cls)), 400)


def render_domain_error(error: DomainError) -> JSONResponse:
    """A domain error as problem+json; field errors and safe extras are included."""
    status = status_of(error)
    extra: dict[str, Any] = dict(error.extra)
    headers: dict[str, str] = {}
    if isinstance(error, ValidationFailed):
        extra["errors"] = [
            {"field": e.field, "rule": e.rule, "message": e.message} for e in error.errors
        ]
    if isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
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


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, AuthenticationFailed | Forbidden) and (
        request.url.path not in _AUDITED_ELSEWHERE
    ):
        await record(
            AuditKind.REQUEST_DENIED,
            Outcome.DENIED,
            status=status_of(exc),
            method=request.method,
            # The route template, not the path: a path may carry an identifier.
            route=_route_template(request),
        )
    return render_domain_error(exc)


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
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(PyMongoError, _on_driver_error)
