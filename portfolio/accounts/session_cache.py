"""What an app instance remembers about sessions and principals between requests, briefly.

Each access token names its principal (``sub``) and its session (``sid``), and every request
checks both: the session neither revoked nor expired, the principal enabled, with the token's
version, role and binding. Reading both from MongoDB on every request would cost two round
trips, so each app instance keeps what it read for at most ``session_cache_seconds`` (30 s at
most, a setting). Hence the revocation bound:

* a revocation made by this app instance takes effect here at once: the code that revokes
  (``sessions._revoke_family``, ``sessions.revoke_sessions_of``, the account services) tells
  the cache to forget what it revoked;
* one made by another process (another replica, the command line) takes effect here when the
  entry runs out, at most ``session_cache_seconds`` later.

There is one cache per app instance: per keyring, since each app loads its own. The code that
revokes does not know which app runs it, so a request names its app's cache (:func:`serve`)
when it authenticates or counts a credential attempt; code running outside any request forgets
in every cache of the process. Entry ages are on the monotonic clock (a TTL, not a date:
``clock.monotonic``, which a test moves forward to show the bound).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Generic, TypeVar

from portfolio import clock
from portfolio.accounts.documents import Principal, RefreshFamily
from portfolio.keyring import Keyring

T = TypeVar("T")

# Enough for every session active within a TTL on a busy replica; beyond it the oldest entries
# go (they are read again when needed), so a flood of valid tokens cannot grow memory.
MAX_ENTRIES = 100_000


class _Store(Generic[T]):
    """Values read at a known moment, oldest first, at most ``MAX_ENTRIES`` of them."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()

    async def get(self, key: str, ttl: float, load: Callable[[], Awaitable[T]]) -> T:
        now = clock.monotonic()
        found = self._entries.get(key)
        if found is not None and now - found[0] < ttl:
            return found[1]
        value = await load()
        self._entries[key] = (now, value)
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
        return value

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def forget_where(self, matches: Callable[[T], bool]) -> None:
        for key in [k for k, (_, value) in self._entries.items() if matches(value)]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


class SessionStateCache:
    """One app instance's recently read sessions (by id) and principals (by id)."""

    def __init__(self) -> None:
        self._sessions: _Store[RefreshFamily | None] = _Store()
        self._principals: _Store[Principal | None] = _Store()

    async def session(
        self, session_id: str, ttl: float, load: Callable[[], Awaitable[RefreshFamily | None]]
    ) -> RefreshFamily | None:
        """The session ``session_id`` as read at most ``ttl`` seconds ago (``load`` reads it)."""
        return await self._sessions.get(session_id, ttl, load)

    async def principal(
        self, principal_id: str, ttl: float, load: Callable[[], Awaitable[Principal | None]]
    ) -> Principal | None:
        """The principal ``principal_id`` as read at most ``ttl`` seconds ago."""
        return await self._principals.get(principal_id, ttl, load)

    def forget_session(self, session_id: str) -> None:
        """The next request with this session reads it again."""
        self._sessions.forget(session_id)

    def forget_principal(self, principal_id: str) -> None:
        """The next request of this principal, in any of its sessions, reads them again."""
        self._principals.forget(principal_id)
        self._sessions.forget_where(
            lambda family: family is not None and family.principal_id == principal_id
        )

    @property
    def size(self) -> int:
        """How many entries are held (sessions and principals)."""
        return len(self._sessions) + len(self._principals)


_caches: weakref.WeakKeyDictionary[Keyring, SessionStateCache] = weakref.WeakKeyDictionary()
_serving: ContextVar[SessionStateCache | None] = ContextVar("session_cache", default=None)


def cache_for(keyring: Keyring) -> SessionStateCache:
    """The cache of the app instance that owns ``keyring``."""
    cache = _caches.get(keyring)
    if cache is None:
        cache = _caches[keyring] = SessionStateCache()
    return cache


def serve(keyring: Keyring) -> SessionStateCache:
    """Name the cache of ``keyring``'s app as the running request's (see the module text)."""
    cache = cache_for(keyring)
    _serving.set(cache)
    return cache


def _targets() -> list[SessionStateCache]:
    serving = _serving.get()
    return [serving] if serving is not None else list(_caches.values())


def forget_session(session_id: str) -> None:
    """This process has just revoked ``session_id``: stop trusting what was read of it."""
    for cache in _targets():
        cache.forget_session(session_id)


def forget_principal(principal_id: str) -> None:
    """This process has just changed ``principal_id`` (disabled, token version, sub-role…)
    or ended its sessions: stop trusting what was read of it and of its sessions."""
    for cache in _targets():
        cache.forget_principal(principal_id)
