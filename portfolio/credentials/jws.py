"""VC-JWT as compact JWS, ES256, written with ``cryptography`` alone.

The header is exactly ``alg``, ``kid`` and ``typ`` (OB 3.0 "VC-JWT"); a token asking for
anything else is refused rather than half understood. The signature is the raw ``r || s``
pair JWS uses (RFC 7518 section 3.4), not DER.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

ALGORITHM = "ES256"
TYPE = "JWT"
HEADER_KEYS = frozenset({"alg", "kid", "typ"})


class BadCredential(ValueError):
    """A token that is not a well-formed, correctly signed credential of ours."""


def b64url(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Decode base64url without padding; BadCredential when it is not."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise BadCredential("not base64url") from None


def _compact(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def sign(claims: Mapping[str, Any], private: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """The compact JWS of ``claims``, ES256, header exactly ``alg``, ``kid``, ``typ``."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": TYPE}
    signing_input = f"{b64url(_compact(header))}.{b64url(_compact(claims))}"
    r, s = decode_dss_signature(private.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _json_part(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(unb64url(text))
    except (ValueError, UnicodeDecodeError):
        raise BadCredential(f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadCredential(f"the {what} is not a JSON object")
    return value


def header_of(token: str) -> dict[str, Any]:
    """The checked header: exactly ES256, a kid and typ JWT."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise BadCredential("not a compact JWS")
    header = _json_part(parts[0], "header")
    if set(header) != HEADER_KEYS:
        raise BadCredential("unexpected header parameters")
    if header["alg"] != ALGORITHM or header["typ"] != TYPE or not isinstance(header["kid"], str):
        raise BadCredential("not an ES256 VC-JWT")
    return header


def verify(token: str, public: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """The claims once the signature checks with ``public``; BadCredential otherwise."""
    header_of(token)
    head, body, signature = token.strip().split(".")
    raw = unb64url(signature)
    if len(raw) != 64:
        raise BadCredential("the signature has the wrong length")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadCredential("the signature does not match") from None
    return _json_part(body, "payload")
