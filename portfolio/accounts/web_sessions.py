"""Web sessions: a browser's login, kept on the server as the same record as an API login.

A browser holds one random secret in its session cookie and nothing else. The session record
is a :class:`RefreshFamily` of kind ``web`` whose ``_id`` is the SHA-256 of that secret, so
the secret itself is never stored, a request finds its session with one read by ``_id``, and
the session appears in the API's ``GET /auth/sessions`` beside the token logins: ending it
there, "sign out everywhere", a password change or a disabled account end it as they end the
others. A web session has no refresh tokens; its ``last_refreshed_at`` is its last use.

It ends after :data:`IDLE_TIMEOUT` without use and :data:`MAX_AGE` after the login, whichever
comes first. These are security times: they run on the real clock (``clock.real_now``), and
"last used" is written with ``$currentDate`` (the store's clock, which nx-27017 keeps as a
date) at most once per :data:`TOUCH_EVERY`, so a busy page costs no write per request.

Login applies exactly the checks of the token login (``service.login``): the same failed-login
count and lock, the same answer for an unknown username and a wrong password, the same audit
events (with ``channel="web"``). Throttling by address and username stays in the HTTP layer,
shared with the token route.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio import clock, ids
from portfolio.accounts import service, session_cache
from portfolio.accounts.documents import Principal, RefreshFamily
from portfolio.accounts.principal import Actor
from portfolio.accounts.session_cache import SessionStateCache
from portfolio.accounts.sessions import actor_of
from portfolio.audit import AuditKind, Outcome, record
from portfolio.keyring import Keyring
from portfolio.settings import Settings

log = logging.getLogger(__name__)

IDLE_TIMEOUT = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)
DISABLED_ACCOUNT = service.DISABLED_ACCOUNT


@dataclass(frozen=True)
class WebSession:
    """A session that just started: the cookie's secret (shown once) and who it is for."""

    secret: str
    session_id: str
    actor: Actor


def session_id_of(secret: str) -> str:
    """The session record's id for a cookie secret (the secret is never stored)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def _audit(principal: Principal, outcome: Outcome, reason: str | None = None) -> None:
    kind = AuditKind.LOGIN_SUCCEEDED if outcome is Outcome.SUCCESS else AuditKind.LOGIN_FAILED
    await record(
        kind,
        outcome,
        principal_id=str(principal.id),
        username=principal.username,
        role=principal.role.value,
        reason=reason,
        channel="web",
    )


async def login(
    *, settings: Settings, keyring: Keyring, username: str, password: str
) -> WebSession:
    """A new web session for valid credentials (a new secret every time: no fixation).

    The same checks, throttling and answers as the token login (``service.authenticate``):
    ``AuthenticationFailed`` (one answer for an unknown username and a wrong password;
    "disabled" only to whoever knows the password) and ``RateLimited``.
    """
    principal = await service.authenticate(
        settings=settings, keyring=keyring, username=username, password=password
    )
    started = await _start(principal)
    await _audit(principal, Outcome.SUCCESS)
    return started


async def _start(principal: Principal) -> WebSession:
    now = clock.real_now()
    secret = secrets.token_urlsafe(32)
    assert principal.id is not None
    family = RefreshFamily(
        id=session_id_of(secret),
        principal_id=str(principal.id),
        token_version=principal.token_version,
        started_at=now,
        last_refreshed_at=now,
        expires_at=now + MAX_AGE,
        kind="web",
    )
    await family.insert()
    return WebSession(secret=secret, session_id=family.id, actor=actor_of(principal))


async def change_password(
    *, settings: Settings, keyring: Keyring, actor: Actor, current_password: str, new_password: str
) -> WebSession:
    """Change the caller's password as ``POST /auth/password`` does (the current one checked
    and counted like a login, the new one against the policy); every session of the caller
    ends, this browser's included, and this browser gets a new one."""
    principal = await service.replace_password(
        actor=actor,
        settings=settings,
        keyring=keyring,
        current_password=current_password,
        new_password=new_password,
    )
    return await _start(principal)


async def resolve(
    secret: str,
    *,
    now: datetime | None = None,
    cache: SessionStateCache | None = None,
    ttl: float = 0.0,
) -> Actor | None:
    """The actor of a live web session, or None (unknown, ended, idle too long, too old).

    The account is checked on every use, as an access token is: disabled, or its token
    version bumped (sign out everywhere, password change), and the session is over. With the
    app instance's ``cache`` the session and the account may be what was read at most ``ttl``
    seconds ago, under the same revocation bound as access tokens (``session_cache.py``); a
    "no" from what was remembered is read again, so only a "yes" is ever stale.
    """
    if not secret or len(secret) > 200:
        return None
    now = now or clock.real_now()
    session_id = session_id_of(secret)

    async def read_session() -> RefreshFamily | None:
        return await RefreshFamily.get(session_id)

    async def read_principal(principal_id: str) -> Principal | None:
        oid = ids.parse_or_none(principal_id)
        return await Principal.get(oid) if oid is not None else None

    async def live(fresh_for: float) -> tuple[RefreshFamily, Principal] | None:
        if cache is None or fresh_for <= 0:
            family = await read_session()
        else:
            family = await cache.session(session_id, fresh_for, read_session)
        if (
            family is None
            or family.kind != "web"
            or family.revoked
            or family.expires_at <= now
            or family.last_refreshed_at + IDLE_TIMEOUT <= now
        ):
            return None
        principal_id = family.principal_id

        async def load() -> Principal | None:
            return await read_principal(principal_id)

        if cache is None or fresh_for <= 0:
            principal = await load()
        else:
            principal = await cache.principal(principal_id, fresh_for, load)
        if (
            principal is None
            or principal.disabled
            or principal.token_version != family.token_version
        ):
            return None
        return family, principal

    found = await live(ttl)
    if found is None and cache is not None and ttl > 0:
        found = await live(0)
    if found is None:
        return None
    family, principal = found
    if family.last_refreshed_at + TOUCH_EVERY <= now:
        await RefreshFamily.get_pymongo_collection().update_one(
            {"_id": family.id, "revoked": False}, {"$currentDate": {"last_refreshed_at": True}}
        )
        # The remembered copy is touched too, or every request would touch it until it expires.
        family.last_refreshed_at = now
    return actor_of(principal)


async def logout(secret: str) -> None:
    """End the web session of a cookie secret in the database (unknown or ended: nothing)."""
    if not secret or len(secret) > 200:
        return
    session_id = session_id_of(secret)
    await RefreshFamily.get_pymongo_collection().update_one(
        {"_id": session_id, "kind": "web", "revoked": False},
        {
            "$set": {"revoked": True, "revoked_reason": "logout"},
            "$currentDate": {"revoked_at": True},
        },
    )
    # After the write: a request between the two would otherwise remember it unrevoked.
    session_cache.forget_session(session_id)
