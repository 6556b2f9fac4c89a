"""Credential throttling, counted in MongoDB so every API replica shares it.

Two limits, both answered with ``RateLimited`` (429 and ``Retry-After``):

* **Per client address, every attempt** (``POST /auth/token`` with either grant, a web login,
  ``POST /auth/activate``): a fixed window. The counter document's ``_id`` names the window, so
  a new window starts a new document and nothing is ever reset. Counting is one conditional
  ``$inc`` (``hits < limit``) on the window's document; when none matched, the first request of
  the window inserts it, and a duplicate key means the window is already full.
* **Per username, on failures** (a wrong password, or a username that does not exist: the two
  are counted alike, so the answers never tell them apart): after ``login_free_failures``
  failures naming a username, each failure makes the next attempt wait ``base * 2^(failures -
  free)`` seconds (up to ``login_backoff_max_seconds``) — but only for a client address that
  has itself failed on that username. A person typing the right password from a device that
  has not failed is never held up by someone else's guessing, so the throttle hands an attacker
  no lever against the account's owner (see SECURITY.md for what this costs against an
  attacker with many addresses). While a client waits, its attempts are not checked at all:
  the right password gets the same 429 as a wrong one. Failures are forgotten
  ``login_failure_memory_seconds`` after the last one; a success forgets the failures of that
  username from that address.

Counters never store a username or an address: their ``_id`` is an HMAC under the keyring's
``login-throttle`` key (people type passwords into the username field, and an unkeyed hash of a
guessable value is no protection). Windows and failure times are security times, on the real
clock (``clock.real_now()``), never the domain clock; failure times are epoch milliseconds,
which every store compares exactly. TTL indexes only clean up: reads filter on time themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio import clock
from portfolio.errors import RateLimited
from portfolio.once import insert_raw_once
from portfolio.settings import Settings

log = logging.getLogger(__name__)

# The one answer of every limit here, whichever limit and whatever the username.
TOO_MANY = "too many attempts; wait before trying again"

# Failure records are removed this long after their last failure (the most the memory
# setting allows); until then reads ignore those older than the setting.
_FAILURE_RECORD_TTL_S = 7 * 24 * 3600


class RateCounter(Document):
    """Requests counted in one window for one key (``_id`` = limit name, key HMAC, window)."""

    id: str  # type: ignore[assignment]
    hits: int
    expires_at: datetime

    class Settings:
        name = "rate_counters"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]


class LoginFailures(Document):
    """Recent failures naming one username (``user|…``), or one username from one client
    address (``pair|…``); the rest of ``_id`` is an HMAC of what is counted.

    ``last_ms`` is the real-clock epoch milliseconds of the latest failure (what the rules
    compare); ``seen_at`` is the same moment written by ``$currentDate``, for the TTL index.
    """

    id: str  # type: ignore[assignment]
    failures: int
    last_ms: int
    seen_at: datetime

    class Settings:
        name = "login_failures"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("seen_at", ASCENDING)], expireAfterSeconds=_FAILURE_RECORD_TTL_S),
        ]


def _mac(secret: bytes, *parts: str) -> str:
    message = "\x00".join(parts).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def normalised(username: str) -> str:
    """The form a username is counted under (as logins compare it: trimmed, lower-case)."""
    return username.strip().lower()


# --- per client address: a fixed window -----------------------------------------------------


async def hit(
    name: str,
    key: str,
    *,
    secret: bytes,
    limit: int,
    window_seconds: int,
    now: datetime | None = None,
) -> None:
    """Count one request of ``key`` under the limit ``name``; ``RateLimited`` past ``limit``.

    ``retry_after_seconds`` is the time left in the current window.
    """
    now = now or clock.real_now()
    epoch = now.timestamp()
    window = int(epoch // window_seconds)
    window_end = (window + 1) * window_seconds
    counter_id = f"{name}|{_mac(secret, name, key)}|{window}"
    collection = RateCounter.get_pymongo_collection()
    under_limit = {"_id": counter_id, "hits": {"$lt": limit}, "expires_at": {"$gt": now}}
    counted = await collection.update_one(under_limit, {"$inc": {"hits": 1}})
    if counted.matched_count:
        return
    first = {
        "_id": counter_id,
        "hits": 1,
        "expires_at": datetime.fromtimestamp(window_end, UTC) + timedelta(seconds=1),
    }
    if await insert_raw_once(collection, first):
        return
    # Another request of this window inserted its document first (two first requests racing):
    # count on it unless the window is full by now.
    counted = await collection.update_one(under_limit, {"$inc": {"hits": 1}})
    if not counted.matched_count:
        raise RateLimited(TOO_MANY, retry_after_seconds=max(1, math.ceil(window_end - epoch)))


async def check_client(
    *,
    secret: bytes,
    client: str | None,
    per_client: int,
    window_seconds: int,
    now: datetime | None = None,
) -> None:
    """Count a credential attempt against the caller's address (nothing without one)."""
    if client is not None:
        await hit(
            "client",
            client,
            secret=secret,
            limit=per_client,
            window_seconds=window_seconds,
            now=now,
        )


# --- per username: backoff on failures ------------------------------------------------------


def _user_id(secret: bytes, username: str) -> str:
    return f"user|{_mac(secret, 'user', normalised(username))}"


def _pair_id(secret: bytes, username: str, client: str | None) -> str:
    return f"pair|{_mac(secret, 'pair', normalised(username), client or '')}"


def wait_seconds(failures: int, settings: Settings) -> int:
    """How long an attempt waits after ``failures`` recent failures (0: it need not)."""
    beyond = failures - settings.login_free_failures
    if beyond < 0:
        return 0
    # Capped before the power, so a long attack cannot make a huge number.
    wait: int = settings.login_backoff_base_seconds * 2 ** min(beyond, 32)
    return min(wait, settings.login_backoff_max_seconds)


def _now_ms(now: datetime | None) -> int:
    return clock.epoch_ms(now or clock.real_now())


async def check_username(
    *,
    secret: bytes,
    username: str,
    client: str | None,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """``RateLimited`` when this client, having failed on ``username``, must wait first.

    Known and unknown usernames go through exactly the same reads.
    """
    now_ms = _now_ms(now)
    recent = {"$gt": now_ms - settings.login_failure_memory_seconds * 1000}
    collection = LoginFailures.get_pymongo_collection()
    user = await collection.find_one({"_id": _user_id(secret, username), "last_ms": recent})
    if user is None:
        return
    until_ms = user["last_ms"] + wait_seconds(user["failures"], settings) * 1000
    if until_ms <= now_ms:
        return
    pair = await collection.find_one(
        {"_id": _pair_id(secret, username, client), "last_ms": recent}, {"_id": 1}
    )
    if pair is None:
        return  # this client has not failed on this username: it is not the one guessing
    raise RateLimited(TOO_MANY, retry_after_seconds=max(1, math.ceil((until_ms - now_ms) / 1000)))


async def record_failure(
    *,
    secret: bytes,
    username: str,
    client: str | None,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Count a failure naming ``username`` (whether or not it exists) from ``client``."""
    now_ms = _now_ms(now)
    cutoff_ms = now_ms - settings.login_failure_memory_seconds * 1000
    for counter_id in (_user_id(secret, username), _pair_id(secret, username, client)):
        await _count_failure(counter_id, now_ms, cutoff_ms)


async def _count_failure(counter_id: str, now_ms: int, cutoff_ms: int) -> None:
    """One more failure on a recent record, a fresh count on a forgotten one, or a new record.

    Each step is one conditional write; a step lost to a racing request moves on to the next,
    and a lost insert means the record exists now, so the loop counts on it.
    """
    collection = LoginFailures.get_pymongo_collection()
    for _ in range(3):
        counted = await collection.update_one(
            {"_id": counter_id, "last_ms": {"$gt": cutoff_ms}},
            {
                "$inc": {"failures": 1},
                "$max": {"last_ms": now_ms},
                "$currentDate": {"seen_at": True},
            },
        )
        if counted.matched_count:
            return
        restarted = await collection.update_one(
            {"_id": counter_id, "last_ms": {"$lte": cutoff_ms}},
            {"$set": {"failures": 1, "last_ms": now_ms}, "$currentDate": {"seen_at": True}},
        )
        if restarted.matched_count:
            return
        first = {"_id": counter_id, "failures": 1, "last_ms": now_ms, "seen_at": clock.real_now()}
        if await insert_raw_once(collection, first):
            return
    log.warning("a failed login could not be counted", extra={"counter": counter_id[:4]})


async def record_success(*, secret: bytes, username: str, client: str | None) -> None:
    """The right password from ``client``: its failures on ``username`` are forgotten.

    The username's own count stays: others' guesses go on costing them their wait.
    """
    await LoginFailures.get_pymongo_collection().delete_one(
        {"_id": _pair_id(secret, username, client)}
    )
