"""Public check links of certificates: an unguessable token per certificate, for its QR code.

A certificate's QR code opens ``/c/<token>``, the public check of exactly that certificate
(valid or voided, level, occupation, issuer, date), with no name or identity number in the
URL. The token is::

    base64url( certificate id (12 bytes) || HMAC-SHA256(key, "certificate-link|" || id)[:16] )

38 characters, under a keyring key of its own (``certificate-link``, wrapped by the master
secret like every key, created on first use).

Why a MAC over the id, not a random token stored with the certificate:

* nothing to store or migrate: every certificate ever issued has its link at once, without a
  write to the training area's documents (and a GET never writes);
* unguessable all the same: without the key, a valid token for a given (or any) certificate
  is a 128-bit forgery; the id alone, which the token shows, opens nothing;
* one read to check it: the id comes out of the token, the MAC is compared in constant time,
  then the certificate is read by ``_id``.

The key never rotates (pinned by id, like the blind index): a printed certificate's QR code
must keep working for the holder's working life. Taking a single link back is not needed: the
page shows what the issuer says now, so a voided certificate reads "voided". What the token
gives away is the certificate's id, whose only content is when its record was made.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from bson import ObjectId
from bson.errors import InvalidId

from portfolio.keyring import Keyring
from portfolio.training.documents import Certificate
from portfolio.training.enums import CertificateStatus
from portfolio.training.views import CertificateCheckView

PURPOSE = "certificate-link"
# The key in use, pinned: should a rotation ever add a newer one, old links keep working.
KID = f"{PURPOSE}-0001"
_ID_BYTES = 12
_MAC_BYTES = 16
TOKEN_LENGTH = 38  # base64url of 28 bytes, unpadded


def _new_key() -> bytes:
    return secrets.token_bytes(32)


async def _key(keyring: Keyring) -> bytes:
    await keyring.ensure(PURPOSE, _new_key)
    key = keyring.get(PURPOSE, KID)
    if key is None:  # another process made it a moment ago: read the keys again
        await keyring.load()
        key = keyring.get(PURPOSE, KID)
    if key is None:
        raise LookupError(f"the {KID} key is missing")
    return key.secret


def _mac(secret: bytes, raw_id: bytes) -> bytes:
    return hmac.new(secret, b"certificate-link|" + raw_id, hashlib.sha256).digest()[:_MAC_BYTES]


async def token_for(keyring: Keyring, certificate_id: str) -> str | None:
    """The check link token of a certificate id (None for a value that is not an id)."""
    try:
        raw_id = ObjectId(certificate_id).binary
    except (InvalidId, TypeError):
        return None
    secret = await _key(keyring)
    return _encode(raw_id + _mac(secret, raw_id))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def certificate_of(keyring: Keyring, token: str) -> Certificate | None:
    """The certificate a token opens, or None for any token we did not give out."""
    if len(token) != TOKEN_LENGTH or not token.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return None
    # One spelling per token: the last character's unused bits must be zero.
    if len(raw) != _ID_BYTES + _MAC_BYTES or _encode(raw) != token:
        return None
    raw_id, mac = raw[:_ID_BYTES], raw[_ID_BYTES:]
    if not hmac.compare_digest(mac, _mac(await _key(keyring), raw_id)):
        return None
    return await Certificate.get(ObjectId(raw_id))


async def check_by_token(*, keyring: Keyring, token: str) -> CertificateCheckView:
    """What the public may learn through a certificate's link: valid or voided, the level,
    occupation, issuer and date; "unknown" for a token we did not give out."""
    certificate = await certificate_of(keyring, token)
    if certificate is None:
        return CertificateCheckView("unknown")
    return CertificateCheckView(
        status="voided" if certificate.status is CertificateStatus.VOIDED else "valid",
        certificate_type=certificate.certificate_type,
        occupation_code=certificate.occupation_code,
        level=certificate.level,
        issuing_body=certificate.issuing_body,
        issue_date=certificate.issue_date,
    )
