"""Documents that change only when keys rotate, served as bytes prepared once.

The public keys (``/.well-known/jwks.json``, the issuer's DID document and key set) and the
OpenAPI document are the same for every caller until a key rotates or retires (or, for OpenAPI,
never while the process runs). Building them per request (reading the keys, deriving each
JWK, validating a response model, encoding JSON) cost the JWKS route more than half the
throughput of ``/healthz``; now each app keeps, per document, the encoded bytes and their ETag
together with the *version* they were built from (the key ids that verify), and builds again
only when the version it is given differs.

Every answer carries its ``ETag`` and its route's ``Cache-Control``; a request whose
``If-None-Match`` names the ETag gets ``304 Not Modified`` with no body.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

# Where an app keeps its prepared documents: on the app, so each app (each test app) has its own.
_STATE = "prepared_documents"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag named in If-None-Match is still current"}
}


def encode(document: Any) -> bytes:
    """Compact UTF-8 JSON (what a ``JSONResponse`` would send, without the spaces)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Prepared:
    """One document's bytes, media type and strong ETag."""

    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, media_type: str = "application/json") -> Prepared:
        """``body`` with the ETag derived from it (the same bytes always get the same tag)."""
        digest = hashlib.sha256(body).digest()[:16]
        return cls(
            body, media_type, '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'
        )

    def answer(self, request: Request, *, cache_control: str) -> Response:
        """200 with the bytes, or 304 when the request already holds them."""
        headers = {"ETag": self.etag, "Cache-Control": cache_control}
        if _names(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def _names(if_none_match: str | None, etag: str) -> bool:
    # RFC 9110 13.1.2: a weak comparison; "*" matches any current representation.
    if not if_none_match:
        return False
    offered = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in offered or etag in offered


class PreparedDocuments:
    """One app's prepared documents, each with the version it was built from."""

    def __init__(self) -> None:
        self._built: dict[str, tuple[Hashable, Prepared]] = {}

    async def get(
        self, name: str, version: Hashable, build: Callable[[], Awaitable[Prepared]]
    ) -> Prepared:
        """Document ``name`` as of ``version``: the prepared one, or built by ``build``."""
        found = self._built.get(name)
        if found is not None and found[0] == version:
            return found[1]
        prepared = await build()
        # Two requests may build at once after a rotation: both build the same bytes.
        self._built[name] = (version, prepared)
        return prepared


def prepared_documents(request: Request) -> PreparedDocuments:
    """The prepared documents of the app serving ``request``."""
    state = request.app.state
    documents: PreparedDocuments | None = getattr(state, _STATE, None)
    if documents is None:
        documents = PreparedDocuments()
        setattr(state, _STATE, documents)
    return documents
