"""Field encryption (AES-256-GCM) and the keyed blind index: identity numbers, birth dates, phones.

Both keys live in the keyring (MongoDB, wrapped by the master secret), so every replica uses
the same ones:

* ``field-encryption`` rotates. Each ciphertext carries the id of the key that sealed it, so
  after ``portfolio keys rotate`` new values are sealed with the new key and old ones still
  open with theirs (``keyring.get(purpose, kid)``); re-sealing old values is a background job.
* ``blind-index`` never rotates. The index is an equality key: it backs the unique index "one
  archive per person" and every lookup by number. Values indexed under two keys would no
  longer collide, so the same person could register twice and a lookup would have to try
  every key. Replacing this key is a planned migration (decrypt each number with the field
  key, recompute every index, swap), not a rotation.

Associated data binds a ciphertext to where it belongs (collection, field and archive id), so
a ciphertext copied into another record or field fails to open instead of revealing a number
in the wrong place.

Nonces: the service draws a random 96-bit nonce per seal. Bulk writers that must write the
same document twice (``portfolio seed`` is deterministic and resumable) use
``seal_deterministic``: the nonce is an HMAC of the associated data and the plaintext under a
key derived from the field key (a synthetic IV, as in SIV modes), so it reveals nothing to
whoever lacks the key: the same value of the same record seals to the same ciphertext, two
values never share a nonce, and a guessed number cannot be confirmed against a stored nonce.
Both kinds are ordinary AES-GCM with the nonce stored beside the ciphertext, so ``open`` reads
either without a format marker. (The seeder's nonce was once an unkeyed hash of the public seed
and the plaintext, which let anyone confirm a guess: ``portfolio migrate`` re-seals those.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict

from portfolio.keyring import Keyring

FIELD_ENCRYPTION = "field-encryption"
BLIND_INDEX = "blind-index"
KEY_BYTES = 32
NONCE_BYTES = 12
# The blind-index key in use, pinned by id: should a rotation ever add a newer key of this
# purpose (by mistake), indexes keep being computed with the key they were stored under.
BLIND_INDEX_KID = f"{BLIND_INDEX}-0001"
_SYNTHETIC_NONCE_INFO = b"portfolio field-encryption synthetic nonce v1"


class Sealed(BaseModel):
    """An encrypted field value: the key id, the nonce and the ciphertext (with its tag)."""

    model_config = ConfigDict(frozen=True)

    kid: str
    nonce: bytes
    ciphertext: bytes


class KeyUnavailable(RuntimeError):
    """A ciphertext names a key that no longer exists (or the data is not ours)."""


class Tampered(RuntimeError):
    """A ciphertext fails authentication: edited, or moved to another record or field."""


def _new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


async def ensure_keys(keyring: Keyring) -> None:
    """Create the field-encryption and blind-index keys if they do not exist yet."""
    await keyring.ensure(FIELD_ENCRYPTION, _new_key)
    await keyring.ensure(BLIND_INDEX, _new_key)


def associated_data(collection: str, field: str, owner_id: str) -> bytes:
    """The associated data for one field of one record."""
    return f"{collection}|{field}|{owner_id}".encode()


@lru_cache(maxsize=16)
def _nonce_key(field_key: bytes) -> bytes:
    """The HMAC key of synthetic nonces, derived from (and rotating with) a field key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SYNTHETIC_NONCE_INFO).derive(
        field_key
    )


def synthetic_nonce(field_key: bytes, plaintext: str, aad: bytes) -> bytes:
    """HMAC-SHA256 of the associated data and the plaintext under a key derived from
    ``field_key``, cut to a GCM nonce. The length prefix keeps ``(aad, plaintext)`` pairs
    apart whatever bytes they contain."""
    message = len(aad).to_bytes(4, "big") + aad + plaintext.encode()
    return hmac.new(_nonce_key(field_key), message, hashlib.sha256).digest()[:NONCE_BYTES]


class FieldProtection:
    """Seal, open and index sensitive field values with the keyring's keys."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def seal(self, plaintext: str, *, aad: bytes) -> Sealed:
        """Encrypt ``plaintext`` with the current field key, bound to ``aad``."""
        key = self._keyring.current(FIELD_ENCRYPTION)
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = AESGCM(key.secret).encrypt(nonce, plaintext.encode(), aad)
        return Sealed(kid=key.kid, nonce=nonce, ciphertext=ciphertext)

    def seal_deterministic(self, plaintext: str, *, aad: bytes) -> Sealed:
        """Encrypt with a synthetic nonce: the same value of the same record, under the same
        key, always gives the same ciphertext (for deterministic, resumable bulk writers)."""
        key = self._keyring.current(FIELD_ENCRYPTION)
        nonce = synthetic_nonce(key.secret, plaintext, aad)
        ciphertext = AESGCM(key.secret).encrypt(nonce, plaintext.encode(), aad)
        return Sealed(kid=key.kid, nonce=nonce, ciphertext=ciphertext)

    async def open(self, sealed: Sealed, *, aad: bytes) -> str:
        """Decrypt ``sealed`` (with whichever key sealed it), checking ``aad``."""
        key = self._keyring.get(FIELD_ENCRYPTION, sealed.kid)
        if key is None:
            # Another replica may have rotated since this process loaded its keys.
            await self._keyring.load()
            key = self._keyring.get(FIELD_ENCRYPTION, sealed.kid)
        if key is None:
            raise KeyUnavailable(f"field key {sealed.kid} is unknown")
        try:
            plaintext = AESGCM(key.secret).decrypt(sealed.nonce, sealed.ciphertext, aad)
        except InvalidTag:
            raise Tampered("a sealed field failed authentication") from None
        return plaintext.decode()

    def blind_index(self, lookup_key: str) -> str:
        """HMAC-SHA256 of a normalised value under the blind-index key, hex."""
        key = self._keyring.get(BLIND_INDEX, BLIND_INDEX_KID)
        if key is None:
            raise KeyUnavailable("the blind-index key is missing; run start-up first")
        return hmac.new(key.secret, lookup_key.encode(), hashlib.sha256).hexdigest()
