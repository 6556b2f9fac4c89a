"""The outermost layer of every request: request id, body size limit, ``Cache-Control:
no-store`` by default, access log, last-resort 500.

Written as plain ASGI so it sees every request, including those no route matches, and so an
unexpected exception becomes a problem+json 500 here instead of a stack trace on the wire.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.problems import PROBLEM_MEDIA_TYPE, problem_body
from portfolio.audit import context as audit_context

access_log = logging.getLogger("portfolio.access")
error_log = logging.getLogger("portfolio.errors")

# Routes that take a whole class or batch at once get the larger body limit.
_BULK_PATH = re.compile(r"/(bulk|completions)$|/sessions/[^/]+/attendance$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(HTTPException):
    """The request body passed its limit while being read.

    An HTTPException so FastAPI's body parser re-raises it instead of turning it into a 400;
    the problem handler then renders it as 413.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"The request body exceeds the limit of {limit} bytes for this route."
        )


class RequestContextMiddleware:
    """Request id, body limits, one JSON access-log line, and last-resort 500s."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_bulk_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_bulk_body_bytes = max_bulk_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        offered = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        peer = scope.get("client")
        audit_context.begin(request_id=request_id, client=peer[0] if peer else None)
        path: str = scope["path"]
        limit = self.max_bulk_body_bytes if _BULK_PATH.search(path) else self.max_body_bytes
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                sent = list(message.get("headers", []))
                # Nothing is cached unless its route says it may be (hashed static files,
                # public keys): most answers carry personal data, and a new route must not be
                # able to forget this.
                if not any(name.lower() == b"cache-control" for name, _ in sent):
                    sent.append((b"cache-control", b"no-store"))
                message["headers"] = [*sent, (b"x-request-id", request_id.encode())]
            await send(message)

        received = 0

        async def receive_bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > limit:
                raise BodyTooLarge(limit)
            await self.app(scope, receive_bounded, send_with_id)
        except BodyTooLarge:
            if not response_started:
                await _send_problem(
                    send_with_id,
                    413,
                    f"The request body exceeds the limit of {limit} bytes for this route.",
                    code="body-too-large",
                    limit_bytes=limit,
                )
        except Exception:
            error_log.exception(
                "unhandled error",
                extra={"request_id": request_id, "method": scope["method"], "path": path},
            )
            if not response_started:
                await _send_problem(
                    send_with_id,
                    500,
                    "An unexpected error occurred. Quote the request id when reporting it.",
                    code="internal-error",
                    request_id=request_id,
                )
        finally:
            elapsed = time.perf_counter() - started
            # The route matched (set in the scope by the router), as its template.
            route = scope.get("route")
            metrics.observe_request(scope["method"], getattr(route, "path", None), status, elapsed)
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )


async def _send_problem(send: Send, status: int, detail: str, *, code: str, **extra: Any) -> None:
    body = json.dumps(problem_body(status, detail, code=code, **extra)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
