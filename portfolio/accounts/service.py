"""Use cases of principals (accounts): creating and administering them, logging in, passwords.

Sessions, access tokens and signing keys are in ``sessions.py``; an organisation's own staff
(sub-roles) in ``staff.py``; the throttling of password guesses in ``throttle.py``. When an
account was made is domain time (``clock.now()``); throttling windows are security times on
the real clock.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument

from portfolio import clock, ids
from portfolio.accounts import passwords, throttle
from portfolio.accounts.changes import principal_changed
from portfolio.accounts.documents import Principal
from portfolio.accounts.keys import throttle_secret
from portfolio.accounts.logins import find_login
from portfolio.accounts.principal import Actor, Role, StaffRole, default_staff_role, staff_roles_of
from portfolio.accounts.sessions import IssuedTokens, revoke_sessions_of, start_session
from portfolio.audit import AuditKind, Outcome, record, request_client
from portfolio.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    RateLimited,
    ValidationFailed,
)
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.settings import Settings

log = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
REGION_PREFIX_PATTERN = re.compile(r"^\d{2}(?:\d{2}){0,2}$")  # province, city or county
ORGANISATION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ARCHIVE_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")

# The one answer to a failed login, whether the username exists or not.
BAD_LOGIN = "invalid username or password"


def _stored(raw: dict[str, Any]) -> Principal:
    """A principal from a raw document that ``find_one_and_update`` returned."""
    principal: Principal = Principal.model_validate(raw)
    return principal


def normalise_username(raw: str) -> str:
    """Usernames compare case-insensitively: stored and looked up lower-case."""
    return raw.strip().lower()


# --- principals ---------------------------------------------------------------------------


def _binding_errors(
    role: Role, archive_id: str | None, organisation_id: str | None, region_prefix: str | None
) -> list[FieldError]:
    """Each role is bound to exactly one kind of thing (an admin to none)."""
    wanted = {
        Role.WORKER: "archive_id",
        Role.PROVIDER: "organisation_id",
        Role.AGENCY: "region_prefix",
        Role.ADMIN: None,
    }[role]
    given = {
        "archive_id": archive_id,
        "organisation_id": organisation_id,
        "region_prefix": region_prefix,
    }
    patterns = {
        "archive_id": (ARCHIVE_ID_PATTERN, "24 lower-case hex digits"),
        "organisation_id": (ORGANISATION_ID_PATTERN, "1 to 64 letters, digits, '-' or '_'"),
        "region_prefix": (REGION_PREFIX_PATTERN, "2, 4 or 6 digits of a region code"),
    }
    errors: list[FieldError] = []
    for field, value in given.items():
        if field != wanted and value is not None:
            errors.append(FieldError(field, "not_allowed", f"not used for role {role.value}"))
        elif field == wanted and value is None:
            errors.append(FieldError(field, "missing", f"required for role {role.value}"))
        elif field == wanted and value is not None:
            pattern, shape = patterns[field]
            if not pattern.match(value):
                errors.append(FieldError(field, "format", f"must be {shape}"))
    return errors


def _staff_role_errors(role: Role, staff_role: StaffRole | None) -> list[FieldError]:
    """A sub-role must be one of the role's own (workers and service admins have none)."""
    if staff_role is None or staff_role in staff_roles_of(role):
        return []
    allowed = ", ".join(sorted(staff_roles_of(role))) or "none"
    return [FieldError("staff_role", "not_allowed", f"a {role.value} may be: {allowed}")]


async def create_principal(
    *,
    settings: Settings,
    username: str,
    password: str,
    role: Role,
    created_by: str,
    archive_id: str | None = None,
    organisation_id: str | None = None,
    region_prefix: str | None = None,
    staff_role: StaffRole | None = None,
) -> Principal:
    """Create an account of any role (the command line, the demo data, worker activation).

    A provider or agency user without ``staff_role`` becomes its organisation's admin.
    Raises ``ValidationFailed`` for a malformed username, binding, sub-role or weak password
    and ``Conflict`` when the username is taken or the archive already has an account.
    """
    name = normalise_username(username)
    errors: list[FieldError] = []
    if not USERNAME_PATTERN.match(name):
        errors.append(
            FieldError(
                "username",
                "format",
                "must be 3 to 64 characters: letters, digits, '.', '_', '@' or '-'",
            )
        )
    errors.extend(_binding_errors(role, archive_id, organisation_id, region_prefix))
    errors.extend(_staff_role_errors(role, staff_role))
    try:
        passwords.check_policy(password, settings=settings, username=name, field="password")
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    principal = Principal(
        username=name,
        password_hash=await passwords.hash_password(password, settings=settings),
        role=role,
        archive_id=archive_id,
        organisation_id=organisation_id,
        region_prefix=region_prefix,
        staff_role=staff_role or default_staff_role(role),
        binding_key=f"archive:{archive_id}" if role is Role.WORKER else f"user:{name}",
        created_at=now,
        created_by=created_by,
        password_changed_at=now,
    )
    if not await insert_once(principal):
        if await Principal.find_one({"username": name}) is not None:
            raise Conflict("this username is already taken")
        raise Conflict("this archive already has an account")
    await principal_changed(None, principal, reason="account created")
    log.info("principal created", extra={"principal": str(principal.id), "role": role.value})
    return principal


async def _rehash_if_needed(principal: Principal, password: str, settings: Settings) -> None:
    if passwords.needs_rehash(principal.password_hash, settings=settings):
        # Raised cost settings reach stored hashes at the next login; only if unchanged since.
        fresh = await passwords.hash_password(password, settings=settings)
        await Principal.get_pymongo_collection().update_one(
            {"_id": principal.id, "password_hash": principal.password_hash},
            {"$set": {"password_hash": fresh}},
        )


async def _audit_login(principal: Principal, outcome: Outcome, reason: str | None = None) -> None:
    kind = AuditKind.LOGIN_SUCCEEDED if outcome is Outcome.SUCCESS else AuditKind.LOGIN_FAILED
    await record(
        kind,
        outcome,
        principal_id=str(principal.id),
        username=principal.username,
        role=principal.role.value,
        staff_role=principal.staff_role.value if principal.staff_role else None,
        reason=reason,
    )


@dataclass(frozen=True)
class _Guesser:
    """Who is typing a password for a username, as the throttle counts them."""

    secret: bytes
    username: str
    client: str | None

    async def may_try(self, settings: Settings) -> None:
        """``RateLimited`` (recorded) when this client must wait before its next guess."""
        try:
            await throttle.check_username(
                secret=self.secret, username=self.username, client=self.client, settings=settings
            )
        except RateLimited as limited:
            await record(
                AuditKind.LOGIN_RATE_LIMITED,
                Outcome.DENIED,
                limit="username",
                retry_after=limited.retry_after_seconds,
            )
            raise

    async def failed(self, settings: Settings) -> None:
        """Count a wrong password (or an unknown username: the same)."""
        await throttle.record_failure(
            secret=self.secret, username=self.username, client=self.client, settings=settings
        )

    async def succeeded(self) -> None:
        """The right password: this client's failures on the username are forgotten."""
        await throttle.record_success(
            secret=self.secret, username=self.username, client=self.client
        )


async def _guesser(keyring: Keyring, username: str, client: str | None) -> _Guesser:
    # The address the request came from, unless the caller names one.
    address = client if client is not None else request_client()
    return _Guesser(await throttle_secret(keyring), normalise_username(username), address)


DISABLED_ACCOUNT = "this account is disabled; ask an administrator"


async def authenticate(
    *,
    settings: Settings,
    keyring: Keyring,
    username: str,
    password: str,
    client: str | None = None,
) -> Principal:
    """The account these credentials open, for the token login and the web login alike.

    A known and an unknown username go through the same steps (the throttle's reads, one
    password verification, against a dummy hash for an unknown name, the throttle's writes)
    and get the same answers: 401, or 429 once this client has failed too often on the name
    (``throttle.py``). A disabled account says so only to someone who knows its password.
    ``client`` is the caller's address (by default the running request's).
    """
    guesser = await _guesser(keyring, username, client)
    await guesser.may_try(settings)
    await passwords.prepare_dummy_hash(settings)
    principal = await find_login(username, keyring)
    if principal is None:
        await passwords.burn_verification_time(password, settings=settings)
        await guesser.failed(settings)
        # Not the name: people type their password into the username field.
        log.info("login with an unknown username")
        await record(AuditKind.LOGIN_FAILED, Outcome.FAILURE, reason="unknown-username")
        raise AuthenticationFailed(BAD_LOGIN)
    if not await passwords.verify_password(password, principal.password_hash, settings=settings):
        await guesser.failed(settings)
        log.info("wrong password", extra={"principal": str(principal.id)})
        await _audit_login(principal, Outcome.FAILURE, reason="wrong-password")
        raise AuthenticationFailed(BAD_LOGIN)
    await guesser.succeeded()
    await _rehash_if_needed(principal, password, settings)
    if principal.disabled:
        await _audit_login(principal, Outcome.DENIED, reason="disabled")
        raise AuthenticationFailed(DISABLED_ACCOUNT)
    return principal


async def login(
    *,
    settings: Settings,
    keyring: Keyring,
    username: str,
    password: str,
    client: str | None = None,
) -> IssuedTokens:
    """The password grant: a new session for valid credentials (see :func:`authenticate`)."""
    principal = await authenticate(
        settings=settings, keyring=keyring, username=username, password=password, client=client
    )
    issued = await start_session(principal, settings=settings, keyring=keyring)
    await _audit_login(principal, Outcome.SUCCESS)
    return issued


async def confirm_password(
    *,
    actor: Actor,
    settings: Settings,
    keyring: Keyring,
    password: str,
    field: str = "password",
    client: str | None = None,
) -> Principal:
    """The caller's live account once ``password`` is checked, for a change that must not ride
    on a session alone. Wrong guesses are throttled like failed logins of the account's
    username: 422 for a wrong one, 429 once this client must wait."""
    principal = await _live_principal(actor)
    guesser = await _guesser(keyring, principal.username, client)
    await guesser.may_try(settings)
    if not await passwords.verify_password(password, principal.password_hash, settings=settings):
        await guesser.failed(settings)
        raise ValidationFailed.single(field, "incorrect", "is not your password")
    await guesser.succeeded()
    return principal


async def replace_password(
    *,
    actor: Actor,
    settings: Settings,
    keyring: Keyring,
    current_password: str,
    new_password: str,
    client: str | None = None,
) -> Principal:
    """Set a new password after checking the current one; every session of the caller ends.

    Returns the account as stored after the change (its new token version), for the caller's
    new session: a token pair (``change_password``) or a web session.
    """
    principal = await confirm_password(
        actor=actor,
        settings=settings,
        keyring=keyring,
        password=current_password,
        field="current_password",
        client=client,
    )
    passwords.check_policy(
        new_password, settings=settings, username=principal.username, field="new_password"
    )
    if new_password == current_password:
        raise ValidationFailed.single(
            "new_password", "unchanged", "must differ from the current password"
        )
    fresh_hash = await passwords.hash_password(new_password, settings=settings)
    after = await Principal.get_pymongo_collection().find_one_and_update(
        {"_id": principal.id, "version": principal.version},
        {
            "$set": {"password_hash": fresh_hash},
            "$currentDate": {"password_changed_at": True},
            "$inc": {"token_version": 1, "version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    if after is None:
        raise Conflict("the account changed at the same time; try again")
    changed = _stored(after)
    await principal_changed(principal, changed, reason="password changed by its holder")
    await revoke_sessions_of(actor.principal_id, "password-changed")
    log.info("password changed", extra={"principal": actor.principal_id})
    return changed


async def change_password(
    *,
    actor: Actor,
    settings: Settings,
    keyring: Keyring,
    current_password: str,
    new_password: str,
    client: str | None = None,
) -> IssuedTokens:
    """Change one's own password; every session ends and the caller gets a new one.

    The current password is required (a stolen access token alone cannot take the account
    over); see :func:`confirm_password` for wrong guesses.
    """
    principal = await replace_password(
        actor=actor,
        settings=settings,
        keyring=keyring,
        current_password=current_password,
        new_password=new_password,
        client=client,
    )
    return await start_session(principal, settings=settings, keyring=keyring)


async def _live_principal(actor: Actor) -> Principal:
    oid = ids.parse_or_none(actor.principal_id)
    principal = await Principal.get(oid) if oid is not None else None
    if principal is None or principal.disabled:
        raise AuthenticationFailed("this account is no longer active")
    return principal
