"""Idempotency for every state-changing POST, built once (DESIGN.md point 9), for both faces.

A JSON route takes ``Idempotent`` and wraps its one service call::

    return await idem.run(lambda: service.register(...), status_code=201)

Without the ``Idempotency-Key`` header the call simply runs. With it, the first request's
answer (success or 4xx problem) is stored and replayed to every retry carrying the same key
and body.

A page route takes ``PageIdempotent``: the key comes from the form's hidden field
``idempotency_key`` (one per rendering of the form, so a double submit does one thing), and the
action returns the page's own response, usually a 303 redirect (post/redirect/get)::

    return await idem.run(lambda: _created(await service.create(...)), on_error=_form_again)

A stored redirect replays as the same redirect. A domain error goes to ``on_error`` (its page
is stored and replayed like any answer); without ``on_error`` the key is released and the
error raised, so the page layer's handler answers it and a corrected resubmission runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from pymongo.errors import PyMongoError
from starlette.datastructures import UploadFile

from api.problems import render_domain_error
from portfolio import idempotency
from portfolio.accounts.principal import Actor
from portfolio.errors import DomainError, ValidationFailed
from portfolio.identity.protection import FieldProtection

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
# How errors name the key: where the request carried it.
_HEADER_FIELD = f"header.{HEADER}"
_FORM_FIELD = f"form.{FORM_FIELD}"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces

# How a stored redirect is kept: its body is the Location it points to (RFC 2483's list of
# URIs, of one), so the answer replays as the same redirect.
REDIRECT_MEDIA_TYPE = "text/uri-list"


class Idempotency:
    """Runs one state-changing call at most once per (principal, method, path, key)."""

    def __init__(self, request: Request, actor: Actor, key: str | None) -> None:
        self.request = request
        self.actor = actor
        self.key = key

    async def run(
        self, action: Callable[[], Awaitable[BaseModel | Any]], *, status_code: int = 200
    ) -> Response:
        """Do ``action`` (or replay its first answer) and return the HTTP response."""

        if self.key is None:
            # Nothing to store: a domain error goes to the app's handler (denials recorded).
            return _json(await action(), status_code)

        async def answer() -> Response:
            try:
                return _json(await action(), status_code)
            except DomainError as error:
                return render_domain_error(error)

        _check_key(self.key, _HEADER_FIELD)
        fingerprint = idempotency.body_hash(await self.request.body())
        return await _once(self.request, self.actor, self.key, fingerprint, answer, _HEADER_FIELD)


class PageIdempotency:
    """Runs a page's form post at most once per (principal, path, hidden key of the form)."""

    def __init__(self, request: Request, actor: Actor) -> None:
        self.request = request
        self.actor = actor

    async def run(
        self,
        action: Callable[[], Awaitable[Response]],
        *,
        on_error: Callable[[DomainError], Awaitable[Response]] | None = None,
    ) -> Response:
        """Do ``action`` (or replay its first answer: a redirect replays as a redirect).

        A form without the hidden key simply runs. A malformed key is ``ValidationFailed`` on
        ``form.idempotency_key``; the same key with another form is ``ValidationFailed`` too.
        """

        async def answer() -> Response:
            try:
                return await action()
            except DomainError as error:
                if on_error is None:
                    raise
                return await on_error(error)

        form = await self.request.form()
        key = form.get(FORM_FIELD)
        if key is None:
            return await answer()
        if not isinstance(key, str):
            raise ValidationFailed.single(_FORM_FIELD, "format", "must be a text field")
        _check_key(key, _FORM_FIELD)
        fingerprint = await _form_hash(form.multi_items())
        return await _once(self.request, self.actor, key, fingerprint, answer, _FORM_FIELD)


def _check_key(key: str, field: str) -> None:
    if not _VALID_KEY.match(key):
        raise ValidationFailed.single(
            field, "format", "must be 1 to 200 printable ASCII characters"
        )


async def _form_hash(items: list[tuple[str, str | UploadFile]]) -> str:
    """The fingerprint of a parsed form (the raw body is gone once the form was parsed)."""
    canonical: list[list[str]] = []
    for name, value in items:
        if isinstance(value, UploadFile):
            content = await value.read()
            await value.seek(0)
            value = f"file:{value.filename}:{hashlib.sha256(content).hexdigest()}"
        canonical.append([name, value])
    return idempotency.body_hash(json.dumps(canonical, ensure_ascii=False).encode())


async def _once(
    request: Request,
    actor: Actor,
    key: str,
    fingerprint: str,
    answer: Callable[[], Awaitable[Response]],
    field: str,
) -> Response:
    """``answer()`` once for this key: the first request's answer is stored, retries replay it.

    A server error (5xx, or an exception) releases the key so the client may retry. ``field``
    names the key in a refusal (the key reused with another body).
    """
    rid = idempotency.record_id(
        principal=actor.principal_id, method=request.method, path=request.url.path, key=key
    )
    runtime = request.app.state.runtime
    protection = FieldProtection(runtime.keyring)
    try:
        stored = await idempotency.claim(
            rid,
            fingerprint,
            protection,
            lease=timedelta(seconds=runtime.settings.idempotency_lease_seconds),
        )
    except ValidationFailed as refused:
        raise ValidationFailed([replace(e, field=field) for e in refused.errors]) from None
    if stored is not None:
        return _replay(stored)
    try:
        response = await answer()
    except BaseException:
        with contextlib.suppress(PyMongoError):
            await idempotency.release(rid)
        raise
    if response.status_code >= 500:
        with contextlib.suppress(PyMongoError):
            await idempotency.release(rid)
        return response
    await idempotency.complete(rid, _to_store(response), protection)
    return response


def _to_store(response: Response) -> idempotency.StoredAnswer:
    if 300 <= response.status_code < 400 and "location" in response.headers:
        location = response.headers["location"].encode()
        return idempotency.StoredAnswer(response.status_code, location, REDIRECT_MEDIA_TYPE)
    return idempotency.StoredAnswer(
        response.status_code, bytes(response.body), response.media_type or ""
    )


def _replay(stored: idempotency.StoredAnswer) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if stored.media_type == REDIRECT_MEDIA_TYPE and 300 <= stored.status < 400:
        return Response(
            status_code=stored.status, headers={**headers, "Location": stored.body.decode()}
        )
    return Response(
        stored.body, status_code=stored.status, media_type=stored.media_type, headers=headers
    )


def _json(result: Any, status_code: int) -> JSONResponse:
    # A response schema dumps itself ten times faster than jsonable_encoder walks it (a
    # 10,000-row bulk answer: 0.2 s against 2 s); our schemas declare no aliases.
    if isinstance(result, BaseModel):
        return JSONResponse(result.model_dump(mode="json", by_alias=True), status_code=status_code)
    return JSONResponse(jsonable_encoder(result), status_code=status_code)
