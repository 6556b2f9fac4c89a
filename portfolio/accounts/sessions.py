"""Sessions, access tokens and signing keys.

A login starts a *session* (a refresh token family). Each refresh exchanges the presented
refresh token for a new one; presenting an already exchanged token means two parties hold it,
so the whole session is revoked. Access tokens are short-lived ES256 JWTs naming their session
(``sid``); each request checks the session (revoked? expired?) and the principal (disabled?
token version bumped by logout-all or a password change? role, binding, sub-role changed?)
through the app instance's short-lived cache (``session_cache.py``): a revocation takes effect
at once in the process that made it and within ``session_cache_seconds`` (at most 30 s) in
every other.

Every time here is a security time (token ``iat``/``exp``, session and refresh expiry, key
retirement): it comes from the real clock (``clock.real_now()``), never from the domain clock a
test or a staged demo moves.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError
from pymongo import ReturnDocument

from portfolio import clock, ids
from portfolio.accounts import jose_tokens, session_cache
from portfolio.accounts.changes import principal_changed
from portfolio.accounts.documents import Principal, RefreshFamily, RefreshToken
from portfolio.accounts.jose_tokens import TokenRejected
from portfolio.accounts.keys import SIGNING_PURPOSE, make_signing_key
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.accounts.verified_tokens import Verified, VerifiedTokens, check_times
from portfolio.audit import AuditKind, Outcome, record
from portfolio.errors import AuthenticationFailed, NotFound
from portfolio.keyring import Key, Keyring
from portfolio.settings import Settings

log = logging.getLogger(__name__)

BAD_REFRESH = "the refresh token is not valid"

RevocationReason = Literal[
    "logout", "reuse-detected", "password-changed", "logout-all", "disabled", "removed", "stale"
]


@dataclass(frozen=True)
class IssuedTokens:
    """What a login or refresh hands out: an access token and the session's next refresh token."""

    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str


def _hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(principal: Principal) -> Actor:
    """The domain's view of a stored principal."""
    return Actor(
        principal_id=str(principal.id),
        username=principal.username,
        role=principal.role,
        archive_id=principal.archive_id,
        organisation_id=principal.organisation_id,
        region_prefix=principal.region_prefix,
        staff_role=principal.staff_role,
    )


async def start_session(
    principal: Principal, *, settings: Settings, keyring: Keyring
) -> IssuedTokens:
    """A new session for ``principal`` (already authenticated) and its first token pair."""
    now = clock.real_now()
    assert principal.id is not None
    family = RefreshFamily(
        id=secrets.token_urlsafe(16),
        principal_id=str(principal.id),
        token_version=principal.token_version,
        started_at=now,
        last_refreshed_at=now,
        expires_at=now + timedelta(seconds=settings.session_max_age_seconds),
    )
    await family.insert()
    return await _issue(principal, family, settings=settings, keyring=keyring, now=now)


async def _issue(
    principal: Principal,
    family: RefreshFamily,
    *,
    settings: Settings,
    keyring: Keyring,
    now: datetime,
) -> IssuedTokens:
    refresh_token = secrets.token_urlsafe(32)
    expires_at = min(now + timedelta(seconds=settings.refresh_token_ttl_seconds), family.expires_at)
    await RefreshToken(
        id=_hash_refresh_token(refresh_token),
        family_id=family.id,
        issued_at=now,
        expires_at=expires_at,
    ).insert()
    access_token = await _sign_access_token(
        principal, family.id, settings=settings, keyring=keyring, now=now
    )
    return IssuedTokens(
        access_token=access_token,
        expires_in=settings.access_token_ttl_seconds,
        refresh_token=refresh_token,
        session_id=family.id,
    )


async def refresh(*, settings: Settings, keyring: Keyring, refresh_token: str) -> IssuedTokens:
    """The refresh grant: exchange a refresh token for a new pair (the old one stops working).

    A token that was already exchanged means two parties hold it: its whole session is revoked
    and both must log in again.
    """
    now = clock.real_now()
    token_hash = _hash_refresh_token(refresh_token)
    stored = await RefreshToken.find_one({"_id": token_hash, "expires_at": {"$gt": now}})
    if stored is None:
        raise AuthenticationFailed(BAD_REFRESH)
    family = await RefreshFamily.find_one({"_id": stored.family_id, "expires_at": {"$gt": now}})
    if family is None or family.revoked:
        raise AuthenticationFailed(BAD_REFRESH)
    if stored.rotated:
        await _revoke_family(family.id, "reuse-detected")
        raise AuthenticationFailed("this refresh token was already used; the session has ended")
    principal_oid = ids.parse_or_none(family.principal_id)
    principal = await Principal.get(principal_oid) if principal_oid is not None else None
    if principal is None or principal.disabled or principal.token_version != family.token_version:
        await _revoke_family(family.id, "stale")
        raise AuthenticationFailed(BAD_REFRESH)
    won = await RefreshToken.get_pymongo_collection().update_one(
        {"_id": token_hash, "rotated": False},
        {"$set": {"rotated": True}, "$currentDate": {"rotated_at": True}},
    )
    if won.modified_count != 1:
        # Someone exchanged the same token a moment ago: the same theft signal.
        await _revoke_family(family.id, "reuse-detected")
        raise AuthenticationFailed("this refresh token was already used; the session has ended")
    await RefreshFamily.get_pymongo_collection().update_one(
        {"_id": family.id}, {"$currentDate": {"last_refreshed_at": True}}
    )
    return await _issue(principal, family, settings=settings, keyring=keyring, now=now)


async def revoke_refresh_token(*, refresh_token: str, keyring: Keyring | None = None) -> None:
    """End the session of a refresh token (RFC 7009: unknown tokens are silently ignored).

    ``keyring`` names the app instance that serves the request (no access token named it):
    its cache forgets the session at once.
    """
    if keyring is not None:
        session_cache.serve(keyring)
    stored = await RefreshToken.find_one({"_id": _hash_refresh_token(refresh_token)})
    if stored is not None:
        await _revoke_family(stored.family_id, "logout")


async def logout_all(*, actor: Actor) -> None:
    """End every session of the caller: its access tokens stop working at once here (within
    the cache bound in other processes)."""
    oid = ids.parse_or_none(actor.principal_id)
    if oid is None:
        raise AuthenticationFailed("this account is no longer active")
    # Any bump ends every token issued before it, so this needs no precondition.
    after = await Principal.get_pymongo_collection().find_one_and_update(
        {"_id": oid},
        {"$inc": {"token_version": 1, "version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if after is not None:
        # Only the version moves: the shown state is the same before and after.
        ended = Principal.model_validate(after)
        await principal_changed(ended, ended, reason="signed out everywhere")
    await revoke_sessions_of(actor.principal_id, "logout-all")
    log.info("all sessions ended", extra={"principal": actor.principal_id})


async def list_sessions(*, actor: Actor) -> list[RefreshFamily]:
    """The caller's live sessions, newest first."""
    live = {"revoked": False, "expires_at": {"$gt": clock.real_now()}}
    families = await RefreshFamily.find({"principal_id": actor.principal_id, **live}).to_list()
    return sorted(families, key=lambda f: f.started_at, reverse=True)


async def revoke_session(*, actor: Actor, session_id: str) -> None:
    """End one of the caller's own sessions; another principal's session is not found."""
    family = await RefreshFamily.find_one({"_id": session_id, "principal_id": actor.principal_id})
    if family is None:
        raise NotFound("no such session")
    await _revoke_family(family.id, "logout")


async def _revoke_family(family_id: str, reason: RevocationReason) -> None:
    result = await RefreshFamily.get_pymongo_collection().update_one(
        {"_id": family_id, "revoked": False},
        {"$set": {"revoked": True, "revoked_reason": reason}, "$currentDate": {"revoked_at": True}},
    )
    # Its access tokens: refused from the next request on, here; elsewhere within the bound.
    session_cache.forget_session(family_id)
    if result.modified_count and reason == "reuse-detected":
        log.warning("refresh token reuse: session revoked", extra={"session": family_id})
        family = await RefreshFamily.get(family_id)
        await record(
            AuditKind.TOKEN_REUSE,
            Outcome.DENIED,
            principal_id=family.principal_id if family is not None else None,
            target=family_id,
        )


async def revoke_sessions_of(principal_id: str, reason: RevocationReason) -> None:
    """End every session of a principal (its token version should be bumped too).

    Every change to a principal that ends its tokens (disabled, removed, password changed,
    logout-all) comes through here, so this is also where the process forgets what it read
    of the principal and of its sessions.
    """
    await RefreshFamily.get_pymongo_collection().update_many(
        {"principal_id": principal_id, "revoked": False},
        {"$set": {"revoked": True, "revoked_reason": reason}, "$currentDate": {"revoked_at": True}},
    )
    session_cache.forget_principal(principal_id)


# --- access tokens ------------------------------------------------------------------------


class _AccessClaims(BaseModel):
    """Exactly the claims we issue, with exact JSON types (no ``"123"`` for a number)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: StrictStr
    aud: StrictStr
    sub: StrictStr
    role: Role
    iat: StrictInt
    nbf: StrictInt
    exp: StrictInt
    jti: StrictStr
    tv: StrictInt
    sid: StrictStr
    archive: StrictStr | None = None
    org: StrictStr | None = None
    region: StrictStr | None = None
    staff: StaffRole | None = None


# The access tokens this process has verified (any app instance: an entry holds the key bytes).
_verified: VerifiedTokens[_AccessClaims] = VerifiedTokens()


def _binding_claims(principal: Principal) -> dict[str, str]:
    """What the principal is bound to, and its staff sub-role: each must still hold."""
    claims = {
        "archive": principal.archive_id,
        "org": principal.organisation_id,
        "region": principal.region_prefix,
        "staff": principal.staff_role.value if principal.staff_role is not None else None,
    }
    return {name: value for name, value in claims.items() if value is not None}


async def _sign_access_token(
    principal: Principal, session_id: str, *, settings: Settings, keyring: Keyring, now: datetime
) -> str:
    await _refresh_keys(keyring, settings)
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(principal.id),
        "role": principal.role.value,
        "iat": issued,
        "nbf": issued,
        "exp": issued + settings.access_token_ttl_seconds,
        "jti": secrets.token_urlsafe(16),
        "tv": principal.token_version,
        "sid": session_id,
        **_binding_claims(principal),
    }
    return jose_tokens.sign(claims, keyring.current(SIGNING_PURPOSE))


async def resolve_access_token(token: str, *, settings: Settings, keyring: Keyring) -> Actor:
    """The actor an access token speaks for, or ``AuthenticationFailed``.

    Checks, in order: the header (ES256, ``at+jwt``, a ``kid`` among our usable keys), the
    signature and registered claims, the exact claim set and types; then the principal (it must
    exist, be enabled, and have the token's role, binding and token version) and the session
    (not revoked, not expired, the principal's), as this app instance read them at most
    ``session_cache_seconds`` ago.
    """
    try:
        return await _resolve(token, settings=settings, keyring=keyring)
    except TokenRejected as rejected:
        # The reason stays in the log; the caller only learns "not valid" or "expired".
        log.info("access token rejected", extra={"reason": rejected.reason})
        raise


async def _verified_claims(token: str, *, settings: Settings, keyring: Keyring) -> _AccessClaims:
    """The claims of ``token``: checked in full the first time, and on a repeat of a token this
    process verified, only what can have changed since (``verified_tokens.py``)."""
    seen = _verified.get(token)
    if seen is not None:
        key = await _verification_key(seen.kid, keyring=keyring, settings=settings)
        claims = seen.claims
        ours = (claims.iss, claims.aud) == (settings.jwt_issuer, settings.jwt_audience)
        if key.secret == seen.key_secret and ours:
            check_times(seen, now=time.time(), leeway=settings.jwt_leeway_seconds)
            return claims
    kid = jose_tokens.signing_kid(token)
    key = await _verification_key(kid, keyring=keyring, settings=settings)
    raw = jose_tokens.verify(
        token,
        key,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway=settings.jwt_leeway_seconds,
    )
    try:
        claims = _AccessClaims.model_validate(raw)
    except ValidationError:
        raise TokenRejected("claims of the wrong shape") from None
    _verified.put(token, Verified(claims, kid, key.secret, claims.nbf, claims.exp))
    return claims


async def _resolve(token: str, *, settings: Settings, keyring: Keyring) -> Actor:
    claims = await _verified_claims(token, settings=settings, keyring=keyring)
    if claims.iat > time.time() + settings.jwt_leeway_seconds:
        raise TokenRejected("issued in the future")
    oid = ids.parse_or_none(claims.sub)
    if oid is None:
        raise TokenRejected("unknown subject")
    cache = session_cache.serve(keyring)
    reads = 0

    async def read_principal() -> Principal | None:
        nonlocal reads
        reads += 1
        return await Principal.get(oid)

    async def read_session() -> RefreshFamily | None:
        nonlocal reads
        reads += 1
        return await RefreshFamily.get(claims.sid)

    async def check(ttl: float) -> Principal:
        principal = await cache.principal(claims.sub, ttl, read_principal)
        family = await cache.session(claims.sid, ttl, read_session)
        _check_state(claims, principal, family)
        assert principal is not None
        return principal

    try:
        principal = await check(settings.session_cache_seconds)
    except TokenRejected:
        if reads == 2:
            raise
        # What was remembered says no: read again, so that only a "yes" is ever stale (an
        # account enabled, or a token minted, by another process since works at once).
        principal = await check(0)
    return actor_of(principal)


def _check_state(
    claims: _AccessClaims, principal: Principal | None, family: RefreshFamily | None
) -> None:
    """Refuse a token whose principal or session no longer stands behind it."""
    if principal is None:
        raise TokenRejected("unknown subject")
    if principal.disabled:
        raise TokenRejected("principal disabled")
    if principal.token_version != claims.tv:
        raise TokenRejected("token version superseded")
    bound = claims.model_dump(
        mode="json", include={"archive", "org", "region", "staff"}, exclude_none=True
    )
    if principal.role is not claims.role or bound != _binding_claims(principal):
        raise TokenRejected("role, binding or sub-role changed")
    if family is None or family.principal_id != claims.sub:
        raise TokenRejected("unknown session")
    if family.revoked or family.expires_at <= clock.real_now():
        raise TokenRejected("session ended")


# --- signing keys -------------------------------------------------------------------------

# When each keyring was last read from MongoDB (per keyring, so tests and tools with their own
# keyring do not share the clock).
_keys_read_at: weakref.WeakKeyDictionary[Keyring, float] = weakref.WeakKeyDictionary()
# An unknown kid re-reads the keys (a rotation elsewhere) at most this often, so a flood of
# made-up kids cannot turn into a flood of queries.
_UNKNOWN_KID_RELOAD_S = 1.0


async def _refresh_keys(keyring: Keyring, settings: Settings, *, soon: bool = False) -> None:
    """Re-read the keys when they are older than the refresh interval (``soon``: 1 s)."""
    now = time.monotonic()
    read_at = _keys_read_at.get(keyring)
    interval = _UNKNOWN_KID_RELOAD_S if soon else settings.signing_key_refresh_seconds
    if read_at is not None and now - read_at < interval:
        return
    _keys_read_at[keyring] = now
    await keyring.load()


def _usable_keys(keyring: Keyring, settings: Settings) -> list[Key]:
    return keyring.usable(
        SIGNING_PURPOSE,
        retire_after=timedelta(seconds=settings.signing_key_retire_after_seconds),
        now=clock.real_now(),
    )


async def _verification_key(kid: str, *, keyring: Keyring, settings: Settings) -> Key:
    await _refresh_keys(keyring, settings)
    key = next((k for k in _usable_keys(keyring, settings) if k.kid == kid), None)
    if key is None and keyring.get(SIGNING_PURPOSE, kid) is None:
        # Perhaps a key rotated in by another process since we last looked.
        await _refresh_keys(keyring, settings, soon=True)
        key = next((k for k in _usable_keys(keyring, settings) if k.kid == kid), None)
    if key is None:
        raise TokenRejected("unknown or retired key id")
    return key


async def rotate_signing_key(*, keyring: Keyring) -> Key:
    """Make a new current signing key; older keys keep verifying until they retire."""
    key = await keyring.rotate(SIGNING_PURPOSE, make_signing_key)
    log.info("signing key rotated", extra={"kid": key.kid})
    await record(AuditKind.KEY_ROTATED, Outcome.SUCCESS, target=key.kid, purpose=SIGNING_PURPOSE)
    return key


async def public_keys(*, settings: Settings, keyring: Keyring) -> list[dict[str, str]]:
    """The public JWKs of every signing key that still verifies."""
    await _refresh_keys(keyring, settings)
    return [jose_tokens.public_jwk(key) for key in _usable_keys(keyring, settings)]


async def key_set_version(*, settings: Settings, keyring: Keyring) -> tuple[object, ...]:
    """What tells the verifying keys apart (each one's id and creation time, oldest first):
    what ``public_keys`` lists changes exactly when this does (a rotation, here or seen on
    the periodic re-read, or a retirement), so a published key set can be kept under it."""
    await _refresh_keys(keyring, settings)
    return tuple((key.kid, key.created_at) for key in _usable_keys(keyring, settings))
