"""Service keys (token signing, field encryption, blind index) kept in MongoDB.

Every key is stored wrapped (AES-256-GCM) under a key derived from the one master secret in
settings, so all API replicas share the same keys and a rotation made by one command reaches
all of them. Keys of a purpose are numbered (``jwt-0001``, ``jwt-0002``…); the newest is current,
older ones keep working for reading (verifying, decrypting) until they retire.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from beanie import Document
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from portfolio.settings import Settings

MASTER_KEY_FILE = "master.key"


class StoredKey(Document):
    """One wrapped key. ``_id`` is the key id (``kid``)."""

    id: str  # type: ignore[assignment]
    purpose: str
    number: int
    created_at: datetime
    nonce: bytes
    wrapped: bytes

    class Settings:
        name = "keys"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("purpose", ASCENDING)]),
            IndexModel([("purpose", ASCENDING), ("number", ASCENDING)], unique=True),
        ]


@dataclass(frozen=True)
class Key:
    """An unwrapped key: its id, its secret bytes and when it was made."""

    kid: str
    purpose: str
    number: int
    secret: bytes
    created_at: datetime


class MasterKeyMissing(RuntimeError):
    """Production mode without ``PORTFOLIO_MASTER_KEY``."""


def load_master_secret(settings: Settings) -> bytes:
    """The master secret: from settings, or (development only) generated once in data_dir."""
    if settings.master_key is not None and settings.master_key.get_secret_value():
        return settings.master_key.get_secret_value().encode()
    if settings.env == "production":
        raise MasterKeyMissing("PORTFOLIO_MASTER_KEY is required in production")
    path = Path(settings.data_dir) / MASTER_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip().encode()


def _wrapping_key(master_secret: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"portfolio key wrapping v1"
    ).derive(master_secret)
    return AESGCM(derived)


class Keyring:
    """The unwrapped keys of this process, reloaded from MongoDB on demand."""

    def __init__(self, master_secret: bytes) -> None:
        self._aead = _wrapping_key(master_secret)
        self._keys: dict[str, list[Key]] = {}

    async def load(self) -> None:
        """Read every stored key (call at start-up and after a rotation elsewhere)."""
        keys: dict[str, list[Key]] = {}
        async for stored in StoredKey.find_all().sort("+number"):
            secret = self._aead.decrypt(stored.nonce, stored.wrapped, stored.id.encode())
            keys.setdefault(stored.purpose, []).append(
                Key(stored.id, stored.purpose, stored.number, secret, stored.created_at)
            )
        self._keys = keys

    async def ensure(self, purpose: str, make: Callable[[], bytes]) -> Key:
        """The current key of ``purpose``, creating the first one if there is none."""
        if not self._keys.get(purpose):
            await self._insert(purpose, 1, make)
        return self.current(purpose)

    async def rotate(self, purpose: str, make: Callable[[], bytes]) -> Key:
        """Add a new current key; older keys keep working for reading until they retire."""
        await self.load()
        existing = self._keys.get(purpose, [])
        await self._insert(purpose, existing[-1].number + 1 if existing else 1, make)
        return self.current(purpose)

    async def _insert(self, purpose: str, number: int, make: Callable[[], bytes]) -> None:
        kid = f"{purpose}-{number:04d}"
        nonce = secrets.token_bytes(12)
        stored = StoredKey(
            id=kid,
            purpose=purpose,
            number=number,
            created_at=datetime.now(UTC),
            nonce=nonce,
            wrapped=self._aead.encrypt(nonce, make(), kid.encode()),
        )
        # A duplicate means another process created this very key first: use theirs.
        with contextlib.suppress(DuplicateKeyError):
            await stored.insert()
        await self.load()

    def current(self, purpose: str) -> Key:
        """The newest key of ``purpose`` (the one to sign or encrypt with)."""
        keys = self._keys.get(purpose)
        if not keys:
            raise LookupError(f"no key for {purpose}")
        return keys[-1]

    def get(self, purpose: str, kid: str) -> Key | None:
        """The key ``kid`` of ``purpose``, if this process knows it."""
        return next((k for k in self._keys.get(purpose, []) if k.kid == kid), None)

    def usable(self, purpose: str, retire_after: timedelta | None, now: datetime) -> list[Key]:
        """Keys still good for reading: a key retires ``retire_after`` past its successor."""
        keys = self._keys.get(purpose, [])
        if retire_after is None:
            return list(keys)
        return [
            key
            for key, successor in zip(keys, [*keys[1:], None], strict=True)
            if successor is None or now < successor.created_at + retire_after
        ]
