"""Request and response models of the verifiable credentials."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from schemas.common import Input, Output


class VerifyIn(Input):
    """A credential to check: its compact JWS text."""

    credential: str = Field(min_length=1, max_length=2_000_000)


class CredentialOut(Output):
    """One signed badge of the worker."""

    kind: str
    key: str
    name: str
    token: str


class CredentialListOut(Output):
    """The worker's badges."""

    items: list[CredentialOut]


class ClrOut(Output):
    """The worker's archive as one CLR 2.0 credential (compact JWS)."""

    token: str


class CheckOut(Output):
    """One verification step in plain words."""

    name: str
    ok: bool
    detail: str


class VerdictOut(Output):
    """What a verification found, and what the credential says."""

    ok: bool
    checks: list[CheckOut]
    kind: str
    name: str
    issuer: str
    valid_from: str
    valid_until: str
    achievements: list[dict[str, Any]]
    parts: list[VerdictOut]
