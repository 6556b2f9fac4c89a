"""Every call into python-jose lives here, so the JOSE library can be swapped in one place.

Access tokens are JWS compact tokens signed ES256 with the keyring's ``jwt`` keys; the header
names the key (``kid``) and the token type (``at+jwt``, RFC 9068). Verification never lets the
token choose how it is checked: the algorithm list is pinned to ES256, the key is an EC public
key object chosen by the caller from our own keys, and every registered claim must be present.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from jose import jwk, jws, jwt
from jose.backends.base import Key as JoseKey
from jose.exceptions import ExpiredSignatureError

from portfolio.errors import AuthenticationFailed
from portfolio.keyring import Key

log = logging.getLogger(__name__)

ALGORITHM = "ES256"
TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti")
# Header parameters we understand; anything else (``crit``, ``jku``, ``x5u``, an embedded
# ``jwk``…) is refused rather than silently ignored.
_ALLOWED_HEADER = {"alg", "kid", "typ"}


class TokenRejected(AuthenticationFailed):
    """An access token that failed verification; ``reason`` is for logs, never for the caller."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(
            "the access token has expired" if expired else "the access token is not valid"
        )
        self.reason = reason
        self.expired = expired


@lru_cache(maxsize=64)
def _signing_key(pem: bytes) -> JoseKey:
    return jwk.construct(pem, ALGORITHM)


@lru_cache(maxsize=64)
def _verifying_key(pem: bytes) -> JoseKey:
    # Only the public half verifies: handing the library a key object (not a string) also
    # means it can never be reinterpreted as an HMAC secret.
    public: JoseKey = _signing_key(pem).public_key()
    return public


def sign(claims: dict[str, Any], key: Key) -> str:
    """The compact JWS of ``claims`` signed with ``key`` (an EC P-256 private key PEM)."""
    token: str = jwt.encode(
        claims,
        _signing_key(key.secret),
        algorithm=ALGORITHM,
        headers={"kid": key.kid, "typ": TOKEN_TYPE},
    )
    return token


def _checked_header(token: str) -> dict[str, Any]:
    """The token's header, once it asks for exactly what we issue: ES256, ``at+jwt``, a kid."""
    try:
        header = jws.get_unverified_header(token)
    except Exception as exc:  # the library parses attacker input; any failure means "not ours"
        raise TokenRejected(f"unreadable header: {type(exc).__name__}") from None
    if not isinstance(header, dict) or set(header) - _ALLOWED_HEADER:
        raise TokenRejected("unexpected header parameters")
    if header.get("alg") != ALGORITHM:
        raise TokenRejected(f"algorithm {header.get('alg')!r} refused")
    if header.get("typ") != TOKEN_TYPE:
        raise TokenRejected("not an access token")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("no key id")
    return header


def signing_kid(token: str) -> str:
    """The ``kid`` of an access token (to choose the key), after the same header checks as
    :func:`verify`, which makes them again: choosing a key is not verifying."""
    kid: str = _checked_header(token)["kid"]
    return kid


def verify(token: str, key: Key, *, issuer: str, audience: str, leeway: int) -> dict[str, Any]:
    """The claims of ``token`` once its header, ES256 signature (by ``key``) and time claims
    check out.

    Every check is here, so no caller can skip one: the header names exactly ``alg`` (ES256),
    ``typ`` (``at+jwt``) and ``kid``, and the kid is ``key``'s; ``iss``, ``aud``, ``sub``,
    ``iat``, ``nbf``, ``exp`` and ``jti`` are required. The caller checks the types and the
    remaining claims.
    """
    if _checked_header(token)["kid"] != key.kid:
        raise TokenRejected("signed by another key than the one named")
    options: dict[str, Any] = {f"require_{name}": True for name in REQUIRED_CLAIMS}
    options["leeway"] = leeway
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _verifying_key(key.secret),
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options=options,
        )
    except ExpiredSignatureError:
        raise TokenRejected("expired", expired=True) from None
    except Exception as exc:  # the library parses attacker input; any failure means "not ours"
        raise TokenRejected(f"{type(exc).__name__}: {exc}") from None
    return claims


def public_jwk(key: Key) -> dict[str, str]:
    """The public half of a signing key as a JWK (RFC 7517) for ``/.well-known/jwks.json``."""
    fields: dict[str, str] = _verifying_key(key.secret).to_dict()
    return {**fields, "kid": key.kid, "use": "sig", "alg": ALGORITHM}
