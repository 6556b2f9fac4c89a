"""The error responses routes declare for OpenAPI (``responses=``), written once.

Routes combine these instead of redeclaring them; a route with an error of its own adds one
entry, e.g. ``{**WRITE_ERRORS, 409: {"description": "The username is taken"}}``.
"""

from __future__ import annotations

from typing import Any

Responses = dict[int | str, dict[str, Any]]

AUTH_ERRORS: Responses = {
    401: {"description": "No valid access token (problem+json, `WWW-Authenticate: Bearer`)"},
    403: {"description": "The caller's role may not do this (problem+json)"},
}

READ_ERRORS: Responses = {**AUTH_ERRORS, 404: {"description": "Not within your reach"}}

WRITE_ERRORS: Responses = {
    **READ_ERRORS,
    403: {"description": "Wrong role, or your organisation is suspended"},
    409: {"description": "Not allowed in the current state, or a lost race (problem names it)"},
    422: {"description": "Invalid input or a broken rule (each field and rule named)"},
}

THROTTLE_ERRORS: Responses = {
    429: {
        "description": "Too many attempts from this address or for this username "
        "(problem+json, `Retry-After`)"
    },
}
