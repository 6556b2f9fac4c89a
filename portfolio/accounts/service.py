"""Use cases of principals (accounts): creating and administering them, logging in, passwords.

Sessions, access tokens and signing keys are in ``sessions.py``; an organisation's own staff
(sub-roles) in ``staff.py``. When an account was made is domain time (``clock.now()``); the
lockout window after failed logins is a security time on the real clock.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument

from portfolio import clock, ids
from portfolio.accounts import passwords
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Actor, Role, StaffRole, default_staff_role, staff_roles_of
from portfolio.accounts.sessions import IssuedTokens, revoke_sessions_of, start_session
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import (
    AccountLocked,
    AuthenticationFailed,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
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


@dataclass(frozen=True)
class PrincipalPage:
    """One page of principals and the cursor of the next (None on the last page)."""

    items: list[Principal]
    next_cursor: str | None


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
    log.info("principal created", extra={"principal": str(principal.id), "role": role.value})
    return principal


async def admin_create_principal(
    *,
    actor: Actor,
    settings: Settings,
    username: str,
    password: str,
    role: Role,
    organisation_id: str | None = None,
    region_prefix: str | None = None,
    staff_role: StaffRole | None = None,
) -> Principal:
    """An admin creates a provider user, an agency user or another admin.

    This is how an organisation gets its first admin (``staff_role`` admin, the default for a
    provider or agency user); that admin then manages the organisation's staff. Worker accounts
    are never created here: a worker activates their own account with the code from real-name
    registration.
    """
    _require_admin(actor)
    if role is Role.WORKER:
        raise ValidationFailed.single(
            "role", "not_allowed", "worker accounts are created by activation"
        )
    principal = await create_principal(
        settings=settings,
        username=username,
        password=password,
        role=role,
        created_by=actor.principal_id,
        organisation_id=organisation_id,
        region_prefix=region_prefix,
        staff_role=staff_role,
    )
    await record(
        AuditKind.PRINCIPAL_CREATED,
        Outcome.SUCCESS,
        actor=actor,
        target=str(principal.id),
        target_role=role.value,
        target_staff_role=principal.staff_role.value if principal.staff_role else None,
        organisation_id=organisation_id,
        region_prefix=region_prefix,
    )
    return principal


def _require_admin(actor: Actor) -> None:
    # The route's dependency already checked; services do not trust their callers blindly.
    if actor.role is not Role.ADMIN:
        raise Forbidden("only an administrator may manage accounts")


async def get_principal(*, actor: Actor, principal_id: str) -> Principal:
    """One principal, for an admin."""
    _require_admin(actor)
    principal = await Principal.get(ids.parse(principal_id, "principal"))
    if principal is None:
        raise NotFound("no such principal")
    return principal


async def list_principals(
    *, actor: Actor, role: Role | None, limit: int, cursor: str | None
) -> PrincipalPage:
    """Principals in creation order, a page at a time (keyset paging on ``_id``)."""
    _require_admin(actor)
    query: dict[str, Any] = {}
    if role is not None:
        query["role"] = role.value
    if cursor is not None:
        after = ids.parse_or_none(cursor)
        if after is None:
            raise ValidationFailed.single("cursor", "format", "not a cursor from this list")
        query["_id"] = {"$gt": after}
    found = await Principal.find(query).sort("+_id").limit(limit + 1).to_list()
    items = found[:limit]
    next_cursor = str(items[-1].id) if len(found) > limit else None
    return PrincipalPage(items=items, next_cursor=next_cursor)


async def set_disabled(*, actor: Actor, principal_id: str, disabled: bool) -> Principal:
    """Disable (every session ends at once) or enable an account; repeating is harmless."""
    _require_admin(actor)
    if disabled and principal_id == actor.principal_id:
        raise Conflict("an administrator cannot disable their own account")
    target = await get_principal(actor=actor, principal_id=principal_id)
    if not disabled and target.removed:
        raise Conflict("this account was removed by its organisation; it stays disabled")
    update: dict[str, Any] = {"$set": {"disabled": disabled}, "$inc": {"version": 1}}
    if disabled:
        update["$inc"]["token_version"] = 1
    else:
        # A fresh start: failures counted before the account was disabled no longer apply.
        update["$set"].update({"failed_logins": 0, "locked_at": None})
    after = await Principal.get_pymongo_collection().find_one_and_update(
        {"_id": target.id, "disabled": not disabled},
        update,
        return_document=ReturnDocument.AFTER,
    )
    if after is None:
        return await get_principal(actor=actor, principal_id=principal_id)
    if disabled:
        await revoke_sessions_of(principal_id, "disabled")
    await record(
        AuditKind.PRINCIPAL_DISABLED if disabled else AuditKind.PRINCIPAL_ENABLED,
        Outcome.SUCCESS,
        actor=actor,
        target=principal_id,
        target_role=target.role.value,
    )
    log.info(
        "principal disabled" if disabled else "principal enabled",
        extra={"principal": principal_id, "by": actor.principal_id},
    )
    return _stored(after)


# --- logins and passwords -----------------------------------------------------------------


def locked_until(principal: Principal, *, settings: Settings) -> datetime | None:
    """When the account's login lock ends, or None when it is not locked (any more)."""
    if principal.locked_at is None:
        return None
    until = principal.locked_at + timedelta(seconds=settings.login_lockout_seconds)
    return until if until > clock.real_now() else None


def _refuse_if_locked(principal: Principal, settings: Settings) -> None:
    until = locked_until(principal, settings=settings)
    if until is not None:
        raise AccountLocked(
            "too many failed logins; this account is locked for a while",
            retry_after_seconds=int((until - clock.real_now()).total_seconds()) + 1,
        )


async def _record_failure(principal: Principal, settings: Settings) -> None:
    """Count a wrong password; the failure that reaches the limit locks the account."""
    collection = Principal.get_pymongo_collection()
    after = await collection.find_one_and_update(
        {"_id": principal.id},
        {"$inc": {"failed_logins": 1}},
        return_document=ReturnDocument.AFTER,
    )
    log.info("wrong password", extra={"principal": str(principal.id)})
    if after is None or after["failed_logins"] < settings.login_max_failures:
        return
    # Conditional on the count just seen: of several racing failures, the last one locks.
    await collection.update_one(
        {"_id": principal.id, "failed_logins": after["failed_logins"]},
        {"$set": {"failed_logins": 0}, "$currentDate": {"locked_at": True}},
    )
    log.warning("account locked after failed logins", extra={"principal": str(principal.id)})
    await record(
        AuditKind.LOGIN_LOCKED_OUT,
        Outcome.DENIED,
        principal_id=str(principal.id),
        username=principal.username,
        role=principal.role.value,
        staff_role=principal.staff_role.value if principal.staff_role else None,
        target=str(principal.id),
        lockout_seconds=settings.login_lockout_seconds,
    )
    raise AccountLocked(
        "too many failed logins; this account is locked for a while",
        retry_after_seconds=settings.login_lockout_seconds,
    )


async def _record_success(principal: Principal, password: str, settings: Settings) -> None:
    collection = Principal.get_pymongo_collection()
    if principal.failed_logins or principal.locked_at is not None:
        await collection.update_one(
            {"_id": principal.id}, {"$set": {"failed_logins": 0, "locked_at": None}}
        )
    if passwords.needs_rehash(principal.password_hash, settings=settings):
        # Raised cost settings reach stored hashes at the next login; only if unchanged since.
        fresh = await passwords.hash_password(password, settings=settings)
        await collection.update_one(
            {"_id": principal.id, "password_hash": principal.password_hash},
            {"$set": {"password_hash": fresh}},
        )


async def _check_password(principal: Principal, password: str, settings: Settings) -> bool:
    """Verify a password of a known principal, counting failures and honouring the lock."""
    _refuse_if_locked(principal, settings)
    if await passwords.verify_password(password, principal.password_hash, settings=settings):
        await _record_success(principal, password, settings)
        return True
    await _record_failure(principal, settings)
    return False


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


async def login(
    *, settings: Settings, keyring: Keyring, username: str, password: str
) -> IssuedTokens:
    """The password grant: a new session for valid credentials.

    An unknown username and a wrong password get the same answer after the same work. A locked
    account answers ``AccountLocked`` without looking at the password; a disabled account says
    so only to someone who knows its password.
    """
    principal = await Principal.find_one({"username": normalise_username(username)})
    if principal is None:
        await passwords.burn_verification_time(password, settings=settings)
        # Not the name: people type their password into the username field.
        log.info("login with an unknown username")
        await record(AuditKind.LOGIN_FAILED, Outcome.FAILURE, reason="unknown-username")
        raise AuthenticationFailed(BAD_LOGIN)
    try:
        checked = await _check_password(principal, password, settings)
    except AccountLocked:
        await _audit_login(principal, Outcome.DENIED, reason="locked")
        raise
    if not checked:
        await _audit_login(principal, Outcome.FAILURE, reason="wrong-password")
        raise AuthenticationFailed(BAD_LOGIN)
    if principal.disabled:
        await _audit_login(principal, Outcome.DENIED, reason="disabled")
        raise AuthenticationFailed("this account is disabled; ask an administrator")
    issued = await start_session(principal, settings=settings, keyring=keyring)
    await _audit_login(principal, Outcome.SUCCESS)
    return issued


async def confirm_password(
    *, actor: Actor, settings: Settings, password: str, field: str = "password"
) -> Principal:
    """The caller's live account once ``password`` is checked as a login checks it (a wrong
    one counts towards the lock): for a change that must not ride on a session alone."""
    principal = await _live_principal(actor)
    if not await _check_password(principal, password, settings):
        raise ValidationFailed.single(field, "incorrect", "is not your password")
    return principal


async def replace_password(
    *, actor: Actor, settings: Settings, current_password: str, new_password: str
) -> Principal:
    """Set a new password after checking the current one; every session of the caller ends.

    Returns the account as stored after the change (its new token version), for the caller's
    new session: a token pair (``change_password``) or a web session.
    """
    principal = await confirm_password(
        actor=actor, settings=settings, password=current_password, field="current_password"
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
            "$set": {
                "password_hash": fresh_hash,
                "failed_logins": 0,
                "locked_at": None,
            },
            "$currentDate": {"password_changed_at": True},
            "$inc": {"token_version": 1, "version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    if after is None:
        raise Conflict("the account changed at the same time; try again")
    await revoke_sessions_of(actor.principal_id, "password-changed")
    log.info("password changed", extra={"principal": actor.principal_id})
    return _stored(after)


async def change_password(
    *,
    actor: Actor,
    settings: Settings,
    keyring: Keyring,
    current_password: str,
    new_password: str,
) -> IssuedTokens:
    """Change one's own password; every session ends and the caller gets a new one.

    The current password is required (a stolen access token alone cannot take the account
    over) and wrong guesses count towards the lock like failed logins.
    """
    principal = await replace_password(
        actor=actor,
        settings=settings,
        current_password=current_password,
        new_password=new_password,
    )
    return await start_session(principal, settings=settings, keyring=keyring)


async def _live_principal(actor: Actor) -> Principal:
    oid = ids.parse_or_none(actor.principal_id)
    principal = await Principal.get(oid) if oid is not None else None
    if principal is None or principal.disabled:
        raise AuthenticationFailed("this account is no longer active")
    return principal
