"""Password hashing with argon2id; the cost comes from settings (cheap in tests).

Hashing is CPU- and memory-heavy on purpose, so it runs in a worker thread (the event loop keeps
serving other requests) behind a semaphore: at most ``argon2_max_concurrent`` hashes or
verifications run at once in a process, so a burst of logins costs at most that many times
``argon2_memory_cost_kib`` of memory; the others wait their turn in the event loop, not in
threads.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portfolio.errors import ValidationFailed
from portfolio.settings import Settings

# Inputs longer than this are refused before hashing: an unbounded password is a cheap way to
# make the server hash megabytes.
MAX_PASSWORD_LENGTH = 1024

_dummy_hashes: dict[tuple[int, int, int], str] = {}

T = TypeVar("T")


class HashingGate:
    """Lets at most a given number of argon2 computations run at once, and counts them.

    One semaphore per event loop (an asyncio semaphore belongs to the loop it first waits
    on) and per limit (a changed setting takes effect at once). ``runs`` and ``peak`` (the
    most that ran at once) are for tests and metrics.
    """

    def __init__(self) -> None:
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()
        self.in_flight = 0
        self.peak = 0
        self.runs = 0

    def reset_counts(self) -> None:
        """Start counting ``runs`` and ``peak`` afresh."""
        self.peak = self.in_flight
        self.runs = 0

    @asynccontextmanager
    async def _slot(self, limit: int) -> AsyncIterator[None]:
        per_loop = self._semaphores.setdefault(asyncio.get_running_loop(), {})
        semaphore = per_loop.setdefault(limit, asyncio.Semaphore(limit))
        async with semaphore:
            self.in_flight += 1
            self.runs += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1

    async def run(self, limit: int, work: Callable[[], T]) -> T:
        """``work()`` in a worker thread once one of ``limit`` slots is free."""
        async with self._slot(limit):
            return await asyncio.to_thread(work)


# The process's gate: every hash and verification below goes through it.
GATE = HashingGate()


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
    hasher = _hasher(settings)
    return await GATE.run(settings.argon2_max_concurrent, lambda: hasher.hash(password))


async def verify_password(password: str, password_hash: str, *, settings: Settings) -> bool:
    """True when ``password`` matches ``password_hash``.

    An over-long password is never right, but is still checked (cut to the limit): answering
    it faster would tell a known username from an unknown one.
    """
    too_long = len(password) > MAX_PASSWORD_LENGTH
    candidate = password[:MAX_PASSWORD_LENGTH]
    hasher = _hasher(settings)

    def check() -> bool:
        try:
            return hasher.verify(password_hash, candidate)
        except (VerificationError, InvalidHashError):
            return False

    return await GATE.run(settings.argon2_max_concurrent, check) and not too_long


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
    dummy = await prepare_dummy_hash(settings)
    await verify_password(password, dummy, settings=settings)


async def prepare_dummy_hash(settings: Settings) -> str:
    """The hash an unknown username's password is checked against, made once per cost
    setting and process. A login makes sure of it before looking the username up, so the
    first login of a process is slower whichever username it names."""
    params = (
        settings.argon2_time_cost,
        settings.argon2_memory_cost_kib,
        settings.argon2_parallelism,
    )
    dummy = _dummy_hashes.get(params)
    if dummy is None:
        dummy = await hash_password("not a real password", settings=settings)
        _dummy_hashes[params] = dummy
    return dummy
