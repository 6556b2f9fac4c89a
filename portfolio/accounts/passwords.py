"""Password hashing with argon2id; the cost comes from settings (cheap in tests).

Hashing is CPU- and memory-heavy on purpose, so it runs in a worker thread: the event loop keeps
serving other requests, and the default thread pool (a few threads) bounds how many hashes (and
how many times ``argon2_memory_cost_kib``) run at once.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portfolio.errors import ValidationFailed
from portfolio.settings import Settings

# Inputs longer than this are refused before hashing: an unbounded password is a cheap way to
# make the server hash megabytes.
MAX_PASSWORD_LENGTH = 1024

_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost_kib,
        parallelism=settings.argon2_parallelism,
    )


def check_policy(password: str, *, settings: Settings, username: str, field: str) -> None:
    """Raise ``ValidationFailed`` on ``field`` when ``password`` is too weak to be set."""
    if len(password) < settings.password_min_length:
        raise ValidationFailed.single(
            field, "min_length", f"must be at least {settings.password_min_length} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed.single(
            field, "max_length", f"must be at most {MAX_PASSWORD_LENGTH} characters"
        )
    if password.strip().lower() == username.lower():
        raise ValidationFailed.single(field, "equals_username", "must differ from the username")


async def hash_password(password: str, *, settings: Settings) -> str:
    """The argon2id hash (PHC string, salt included) of ``password``."""
    return await asyncio.to_thread(_hasher(settings).hash, password)


async def verify_password(password: str, password_hash: str, *, settings: Settings) -> bool:
    """True when ``password`` matches ``password_hash``."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return await asyncio.to_thread(_hasher(settings).verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, *, settings: Settings) -> bool:
    """True when the hash was made with other cost parameters than the current settings."""
    try:
        return _hasher(settings).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


async def burn_verification_time(password: str, *, settings: Settings) -> None:
    """Spend as long as a real verification, for a username that does not exist.

    Without this an unknown username would answer faster than a wrong password, telling an
    attacker which usernames exist.
    """
    params = (
        settings.argon2_time_cost,
        settings.argon2_memory_cost_kib,
        settings.argon2_parallelism,
    )
    dummy = _dummy_hashes.get(params)
    if dummy is None:
        dummy = await hash_password("not a real password", settings=settings)
        _dummy_hashes[params] = dummy
    await verify_password(password[:MAX_PASSWORD_LENGTH], dummy, settings=settings)
