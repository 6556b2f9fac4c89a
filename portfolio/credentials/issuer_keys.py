"""The issuer's signing keys for credentials, apart from the session-token keys.

They live in their own collection (``issuer_keys``), wrapped with AES-256-GCM under a key
derived from the master secret with their own HKDF label, so a session-key rotation never
touches them and theirs never touches sessions. Keys are numbered ``key-1``, ``key-2``…; the
newest signs, and every key ever made stays published (DID document and JWKS), because a
credential signed years ago must still verify: an issuer key never retires.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from beanie import Document
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pymongo.errors import DuplicateKeyError

from portfolio import clock

# How stale a process's view of the keys may be before signing reads them again.
RELOAD_SECONDS = 60.0


class IssuerKey(Document):
    """One wrapped issuer key; ``_id`` is its fragment (``key-N``)."""

    id: str  # type: ignore[assignment]
    number: int
    created_at: datetime
    nonce: bytes
    wrapped: bytes

    class Settings:
        name = "issuer_keys"


@dataclass(frozen=True)
class SigningKey:
    """An unwrapped issuer key: its fragment id and the EC P-256 private key."""

    fragment: str
    number: int
    private: ec.EllipticCurvePrivateKey

    @property
    def public(self) -> ec.EllipticCurvePublicKey:
        """The public half (what verifiers get)."""
        return self.private.public_key()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(key: ec.EllipticCurvePublicKey, kid: str) -> dict[str, Any]:
    """The public key as an RFC 7517 JWK (P-256, ES256)."""
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
        "kid": kid,
        "alg": "ES256",
        "use": "sig",
    }


def key_from_jwk(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    """An EC P-256 public key from a JWK (a saved JWKS for offline checks); ValueError else."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("not an EC P-256 key")

    def number(name: str) -> int:
        raw = str(jwk[name])
        return int.from_bytes(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)), "big")

    return ec.EllipticCurvePublicNumbers(number("x"), number("y"), ec.SECP256R1()).public_key()


@lru_cache(maxsize=8)
def _aead(master_secret: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"portfolio issuer key wrapping v1"
    ).derive(master_secret)
    return AESGCM(derived)


class IssuerKeys:
    """The issuer keys of this process, loaded from their collection on demand."""

    def __init__(self, master_secret: bytes) -> None:
        self._aead = _aead(master_secret)
        self._keys: list[SigningKey] = []
        self._loaded_at = 0.0

    async def load(self) -> list[SigningKey]:
        """Read every stored key, oldest first (after a rotation made elsewhere too)."""
        keys: list[SigningKey] = []
        async for stored in IssuerKey.find_all().sort("+number"):
            pem = self._aead.decrypt(stored.nonce, stored.wrapped, stored.id.encode())
            private = serialization.load_pem_private_key(pem, password=None)
            assert isinstance(private, ec.EllipticCurvePrivateKey)
            keys.append(SigningKey(stored.id, stored.number, private))
        self._keys = keys
        self._loaded_at = time.monotonic()
        return keys

    async def all(self, *, fresh: bool = False) -> list[SigningKey]:
        """Every key, oldest first; the first one is made on first use. ``fresh`` reads the
        collection again (what is published must include a rotation made by another process);
        signing reads it again at most every ``RELOAD_SECONDS``."""
        if fresh or not self._keys or time.monotonic() - self._loaded_at > RELOAD_SECONDS:
            await self.load()
        if not self._keys:
            await self._insert(1)
        return list(self._keys)

    async def published_version(self) -> tuple[object, ...]:
        """What tells the stored keys apart (each one's id and random nonce, oldest first), read
        in one small query without unwrapping a key: what the DID document and the key set
        publish changes exactly when this does."""
        found = IssuerKey.get_pymongo_collection().find({}, {"nonce": 1}).sort("number", 1)
        return tuple([(str(raw["_id"]), bytes(raw["nonce"])) async for raw in found])

    async def current(self) -> SigningKey:
        """The key that signs new credentials (the newest)."""
        return (await self.all())[-1]

    async def rotate(self) -> SigningKey:
        """Add a new signing key; the older ones stay published for verification."""
        keys = await self.load()
        await self._insert(keys[-1].number + 1 if keys else 1)
        return self._keys[-1]

    async def _insert(self, number: int) -> None:
        fragment = f"key-{number}"
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        nonce = secrets.token_bytes(12)
        stored = IssuerKey(
            id=fragment,
            number=number,
            created_at=clock.now(),
            nonce=nonce,
            wrapped=self._aead.encrypt(nonce, pem, fragment.encode()),
        )
        # A duplicate means another process made this key first: use theirs.
        with contextlib.suppress(DuplicateKeyError):
            await stored.insert()
        await self.load()
