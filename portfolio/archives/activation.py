"""A worker turns an activation code into a login (``POST /auth/activate``).

The code is single use, so every refusal the worker can fix (a taken username, a weak
password, a malformed name) is decided *before* the code is used up: only then is it consumed
(one conditional update, so two racing activations cannot both win) and the login created.
If creating the login still fails after that (a username taken in the instant between the
check and the insert), the code is handed back, so the worker simply tries another name.

A code issued for an archive that already has a login (``POST /workers/{id}/activation-code``
for a forgotten password) sets a new password on that login and ends its sessions.

Without a chosen username the login is the registered phone number, stored under its keyed
name (``portfolio.accounts.logins``): the answer names the phone number to log in with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId
from pymongo import ReturnDocument

from portfolio import clock
from portfolio.accounts import (
    PHONE_LOGIN_PREFIX,
    USERNAME_PATTERN,
    Principal,
    Role,
    as_phone,
    check_password_policy,
    create_principal,
    hash_password,
    normalise_username,
    phone_login_name,
    principal_changed,
    revoke_sessions_of,
    stored_login_name,
)
from portfolio.archives.documents import AccountState, ActivationCode, Archive
from portfolio.archives.personal import open_phone
from portfolio.archives.registration import consume_activation_code, hash_code
from portfolio.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    FieldError,
    ValidationFailed,
)
from portfolio.identity import FieldProtection
from portfolio.keyring import Keyring
from portfolio.settings import Settings

log = logging.getLogger(__name__)

_BAD_CODE = "the activation code is wrong, used or expired"


@dataclass(frozen=True)
class Activated:
    """The login an activation made, or gave a new password (``created`` False)."""

    archive_id: str
    username: str
    created: bool


async def _pending_archive_id(code: str, now: datetime) -> str:
    """The archive of a usable code, without using it up."""
    found = await ActivationCode.get_pymongo_collection().find_one(
        {"_id": hash_code(code), "used": False, "expires_at": {"$gt": now}}, {"archive_id": 1}
    )
    if found is None:
        raise AuthenticationFailed(_BAD_CODE)
    archive_id: str = found["archive_id"]
    return archive_id


async def _hand_back(code: str, archive_id: str, *, was_pending: bool) -> None:
    """Undo a consumption whose login could not be made: the code works again."""
    await ActivationCode.get_pymongo_collection().update_one(
        {"_id": hash_code(code), "used": True, "outcome": "activated"},
        {"$set": {"used": False, "used_at": None, "outcome": ""}},
    )
    if was_pending:
        await Archive.get_pymongo_collection().update_one(
            {"_id": ObjectId(archive_id), "account_state": AccountState.ACTIVE.value},
            {"$set": {"account_state": AccountState.PENDING.value}},
        )


def _check_new_login(username: str, password: str, settings: Settings) -> None:
    errors: list[FieldError] = []
    if not USERNAME_PATTERN.match(username):
        errors.append(
            FieldError(
                "username",
                "format",
                "must be 3 to 64 characters: letters, digits, '.', '_', '@' or '-'",
            )
        )
    try:
        check_password_policy(password, settings=settings, username=username, field="password")
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    if errors:
        raise ValidationFailed(errors)


async def _create_login(
    *,
    settings: Settings,
    protection: FieldProtection,
    code: str,
    archive_id: str,
    username: str | None,
    password: str,
) -> Activated:
    archive = await Archive.get(ObjectId(archive_id))
    if archive is None:  # pragma: no cover - archives are never deleted
        raise AuthenticationFailed(_BAD_CODE)
    name = normalise_username(username) if username else await open_phone(archive, protection)
    _check_new_login(name, password, settings)
    stored = stored_login_name(name, protection)
    if await Principal.find_one({"username": stored}) is not None:
        raise Conflict("this username is already taken; choose another")
    await consume_activation_code(code=code)
    try:
        await create_principal(
            settings=settings,
            username=stored,
            password=password,
            role=Role.WORKER,
            created_by="activation",
            archive_id=archive_id,
        )
    except DomainError:
        await _hand_back(
            code, archive_id, was_pending=archive.account_state is AccountState.PENDING
        )
        raise
    log.info("worker account activated", extra={"archive": archive_id})
    return Activated(archive_id=archive_id, username=name, created=True)


async def _login_shown(principal: Principal, protection: FieldProtection) -> str:
    """The name the worker logs in with: their phone number for a phone login."""
    archive = await Archive.get(ObjectId(str(principal.archive_id)))
    if archive is not None and principal.username.startswith(PHONE_LOGIN_PREFIX):
        phone = await open_phone(archive, protection)
        if phone_login_name(protection, phone) == principal.username:
            return phone
    return principal.username


async def _reset_password(
    *,
    settings: Settings,
    protection: FieldProtection,
    code: str,
    principal: Principal,
    username: str | None,
    password: str,
) -> Activated:
    if username and stored_login_name(username, protection) != principal.username:
        raise ValidationFailed.single(
            "username", "fixed", "this worker has a login already; its name stays as it is"
        )
    shown = await _login_shown(principal, protection)
    check_password_policy(
        password, settings=settings, username=as_phone(shown) or shown, field="password"
    )
    fresh_hash = await hash_password(password, settings=settings)
    archive_id = str(principal.archive_id)
    await consume_activation_code(code=code)
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
        await _hand_back(code, archive_id, was_pending=False)
        raise Conflict("the account changed at the same time; try again")
    await principal_changed(
        principal, Principal.model_validate(after), reason="password set with an activation code"
    )
    await revoke_sessions_of(str(principal.id), "password-changed")
    log.info("worker password set by activation code", extra={"archive": archive_id})
    return Activated(archive_id=archive_id, username=shown, created=False)


async def activate(
    *,
    settings: Settings,
    keyring: Keyring,
    code: str,
    password: str,
    username: str | None = None,
    now: datetime | None = None,
) -> Activated:
    """Use an activation code: create the worker's login, or set a new password on it.

    A wrong, used, superseded or expired code is ``AuthenticationFailed``; a taken username
    ``Conflict``; a malformed username or weak password ``ValidationFailed``. None of these
    uses the code up.
    """
    # Codes expire on the real clock, as the store's TTL index removes them.
    archive_id = await _pending_archive_id(code, now or clock.real_now())
    protection = FieldProtection(keyring)
    existing = await Principal.find_one({"archive_id": archive_id, "role": Role.WORKER.value})
    if existing is not None:
        return await _reset_password(
            settings=settings,
            protection=protection,
            code=code,
            principal=existing,
            username=username,
            password=password,
        )
    return await _create_login(
        settings=settings,
        protection=protection,
        code=code,
        archive_id=archive_id,
        username=username,
        password=password,
    )
