"""Real-name registration, activation codes and transfers between regions.

Registration is three idempotent steps, each one write: insert the archive (its unique blind
index makes "one archive per person" hold under any race), append the ``registered`` entry,
store an activation code. A crash (or a database outage) after the first leaves an archive
whose head is 0; the agency registering again gets the Conflict and issues a new activation
code, and that repeated registration appends the missing ``registered`` entry once the archive
is older than the repair grace period.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from beanie import PydanticObjectId
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.archives.changes import archive_changed, archive_created
from portfolio.archives.documents import (
    AccountState,
    ActivationCode,
    Archive,
    Recorder,
)
from portfolio.archives.entries import advance_head, append_entry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.personal import seal_birth_date, seal_phone
from portfolio.archives.reading import ssn_lookup_key
from portfolio.archives.scope import (
    ID_NUMBER_FIELD,
    archive_for_agency,
    require_agency,
    worker_view,
)
from portfolio.archives.views import ActivationCodeIssued, RegisteredWorker, WorkerView
from portfolio.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    ValidationFailed,
)
from portfolio.identity import (
    FieldProtection,
    IdentityNumber,
    IdType,
    Sex,
    associated_data,
    china_today,
    mask_identity_number,
    mask_phone,
    normalise,
    parse_identity,
    parse_phone,
    parse_region_code,
    reconcile_birth_and_sex,
)
from portfolio.keyring import Keyring
from portfolio.settings import Settings

# Crockford base32 without I, L, O, U: nothing to misread when typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits
MAX_NAME_LENGTH = 64
# Document types whose number is also the social-security number (for citizens and, since
# 2018, Hong Kong, Macao and Taiwan residents holding a residence permit).
SSN_IS_ID_NUMBER = frozenset({IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT})

T = TypeVar("T")


def _attempt(errors: list[FieldError], check: Callable[[], T]) -> T | None:
    """Run one field's check, collecting its errors so that all fields are reported at once."""
    try:
        return check()
    except ValidationFailed as failed:
        errors.extend(failed.errors)
        return None


def check_name(raw: str | None) -> str:
    """A person's name as on the document: trimmed, inner spaces collapsed, 1-64 chars."""
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationFailed.single("name", "required", "the name is required")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed.single("name", "length", "the name is too long")
    if any(not ch.isprintable() for ch in name):
        raise ValidationFailed.single("name", "format", "the name contains control characters")
    return name


def hash_code(code: str) -> str:
    """The stored form of an activation code (as typed: case, spaces, hyphens ignored)."""
    return hashlib.sha256(normalise(code).replace("-", "").encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


async def _store_code(
    archive_id: ObjectId, *, created_by: str, settings: Settings, now: datetime
) -> ActivationCodeIssued:
    code = _new_code()
    # The store's TTL index removes expired codes, so their expiry is on the real clock.
    issued_at = clock.truncate_to_millis(clock.real_now())
    expires_at = issued_at + timedelta(seconds=settings.activation_code_ttl_seconds)
    # Older codes stop working: only the newest one handed out may activate.
    await ActivationCode.get_pymongo_collection().update_many(
        {"archive_id": str(archive_id), "used": False},
        {"$set": {"used": True, "outcome": "superseded"}, "$currentDate": {"used_at": True}},
    )
    await ActivationCode(
        id=hash_code(code),
        archive_id=str(archive_id),
        created_at=now,
        created_by=created_by,
        expires_at=expires_at,
    ).insert()
    return ActivationCodeIssued(archive_id=str(archive_id), code=code, expires_at=expires_at)


# A worker is registered from 14 (the youngest age for vocational training and apprenticeship)
# to 100; a birth date before 1901 is a placeholder, never a person's.
MIN_AGE_AT_REGISTRATION = 14
MAX_AGE_AT_REGISTRATION = 100
EARLIEST_BIRTH_YEAR = 1901


def birth_date_errors(birth: date, today: date) -> list[FieldError]:
    """The birth-date plausibility rules of registration (docs/integrity-time.md)."""
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if birth.year < EARLIEST_BIRTH_YEAR or birth.year >= 9999:
        return [FieldError("birth_date", "date_out_of_range", "must be after 1900")]
    if not MIN_AGE_AT_REGISTRATION <= age <= MAX_AGE_AT_REGISTRATION:
        return [
            FieldError(
                "birth_date",
                "age_out_of_range",
                f"the worker must be {MIN_AGE_AT_REGISTRATION} to "
                f"{MAX_AGE_AT_REGISTRATION} years old at registration",
            )
        ]
    return []


@dataclass(frozen=True)
class CheckedRegistration:
    """A registration's fields, each checked: what would be written."""

    name: str
    identity: IdentityNumber
    phone: str
    region_code: str
    birth_date: date
    sex: Sex


def validate_registration(
    *,
    prefix: str,
    name: str,
    id_type: IdType,
    id_number: str,
    phone: str,
    region_code: str,
    nationality: str | None,
    birth_date: date | None,
    sex: Sex | None,
    today: date,
) -> CheckedRegistration:
    """Check every field of a registration (all errors at once), then the region's scope."""
    errors: list[FieldError] = []
    checked_name = _attempt(errors, lambda: check_name(name))
    identity = _attempt(
        errors,
        lambda: parse_identity(
            id_type, id_number, nationality=nationality, field="id_number", today=today
        ),
    )
    checked_phone = _attempt(errors, lambda: parse_phone(phone))
    checked_region = _attempt(errors, lambda: parse_region_code(region_code))
    resolved = None
    if identity is not None:
        found = identity
        resolved = _attempt(
            errors,
            lambda: reconcile_birth_and_sex(found, birth_date=birth_date, sex=sex, today=today),
        )
    if resolved is not None:
        errors.extend(birth_date_errors(resolved[0], today))
    if (
        errors
        or checked_name is None
        or identity is None
        or checked_phone is None
        or checked_region is None
        or resolved is None
    ):
        raise ValidationFailed(errors)
    if not checked_region.startswith(prefix):
        raise ValidationFailed.outside_scope("region_code")
    return CheckedRegistration(
        checked_name, identity, checked_phone, checked_region, resolved[0], resolved[1]
    )


async def register_worker(
    *,
    actor: Actor,
    keyring: Keyring,
    settings: Settings,
    name: str,
    id_type: IdType,
    id_number: str,
    phone: str,
    region_code: str,
    nationality: str | None = None,
    birth_date: date | None = None,
    sex: Sex | None = None,
    now: datetime | None = None,
    archive_id: str | None = None,
) -> RegisteredWorker:
    """Register a worker by real name in the agency's region; return the archive and a code.

    Birth date and sex come from the number where it encodes them (given values must match).
    Every invalid field is reported at once; a valid region outside the agency's scope is
    then a 422 of its own (``outside_scope``). The same person registered before (any spelling
    of the same number) is a Conflict whose only detail is the existing archive's region code,
    so the agency knows to ask that region for a transfer. ``archive_id`` fixes the new
    archive's id (demo data only).
    """
    prefix = require_agency(actor)
    now = now or clock.now()
    checked = validate_registration(
        prefix=prefix,
        name=name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
        region_code=region_code,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        today=china_today(now),
    )
    identity, checked_name, checked_phone = checked.identity, checked.name, checked.phone
    checked_region, resolved = checked.region_code, (checked.birth_date, checked.sex)
    protection = FieldProtection(keyring)
    new_id = PydanticObjectId(archive_id) if archive_id else PydanticObjectId()
    id_index = protection.blind_index(identity.lookup_key)
    ssn_index = (
        protection.blind_index(ssn_lookup_key(identity.number))
        if identity.id_type in SSN_IS_ID_NUMBER
        else f"unset:{new_id}"
    )
    archive = Archive(
        id=new_id,
        name=checked_name,
        id_type=identity.id_type,
        nationality=identity.nationality,
        id_number=protection.seal(
            identity.number, aad=associated_data("archives", ID_NUMBER_FIELD, str(new_id))
        ),
        id_index=id_index,
        id_masked=mask_identity_number(identity.number),
        birth_date=seal_birth_date(protection, resolved[0], str(new_id)),
        sex=resolved[1],
        phone=seal_phone(protection, checked_phone, str(new_id)),
        phone_masked=mask_phone(checked_phone),
        region_code=checked_region,
        ssn_index=ssn_index,
        created_at=now,
        created_by=actor.principal_id,
        updated_at=now,
    )
    try:
        await archive.insert()
        await archive_created(archive)
    except DuplicateKeyError:
        existing = await Archive.find_one({"id_index": id_index})
        if existing is None:
            # Only the social-security number collided (recorded on another archive).
            existing = await Archive.find_one({"ssn_index": ssn_index})
        elif existing.head.seq == 0 and existing.created_at <= now - timedelta(
            seconds=settings.repair_grace_seconds
        ):
            await _finish_registration(existing, now)
        raise Conflict(
            "this person already has an archive; ask its region for a transfer",
            region_code=existing.region_code if existing else None,
        ) from None
    await append_entry(
        archive_id=new_id,
        kind=EntryKind.REGISTERED,
        payload=_registered_payload(archive),
        recorded_by=Recorder.of(actor),
        now=now,
    )
    activation = await _store_code(
        new_id, created_by=actor.principal_id, settings=settings, now=now
    )
    stored = await Archive.get(new_id)
    assert stored is not None
    return RegisteredWorker(worker=await worker_view(stored, protection), activation=activation)


def _registered_payload(archive: Archive) -> dict[str, str | None]:
    # No birth date: an entry is stored in the clear and hashed for ever, beside the masked
    # number (the archive keeps the date sealed).
    return {
        "name": archive.name,
        "id_type": archive.id_type.value,
        "id_number_masked": archive.id_masked,
        "nationality": archive.nationality,
        "sex": archive.sex.value,
        "region_code": archive.region_code,
    }


async def _finish_registration(archive: Archive, now: datetime) -> None:
    """Finish the ``registered`` entry a crash (or a database outage) kept from an archive.

    Only for an archive older than the repair grace period, so not while its own request may
    still be appending it. The entry may have been stored without its head move: the head is
    healed first (``advance_head``), and the entry appended only if there is none.
    """
    assert archive.id is not None
    if await advance_head(archive.id) == 0:
        await append_entry(
            archive_id=archive.id,
            kind=EntryKind.REGISTERED,
            payload=_registered_payload(archive),
            recorded_by=Recorder(principal=archive.created_by, role="agency"),
            now=now,
        )


async def issue_activation_code(
    *, actor: Actor, settings: Settings, archive_id: str, now: datetime | None = None
) -> ActivationCodeIssued:
    """A new one-time activation code for a worker of the agency's region.

    For a lost code or a forgotten password; every older unused code stops working.
    """
    archive = await archive_for_agency(actor, archive_id)
    assert archive.id is not None
    return await _store_code(
        archive.id, created_by=actor.principal_id, settings=settings, now=now or clock.now()
    )


async def consume_activation_code(*, code: str, now: datetime | None = None) -> str:
    """Use up an activation code and return its archive id (for the accounts area).

    One conditional update: unused and unexpired, so two racing requests cannot both
    succeed. A wrong, used, superseded or expired code is the same AuthenticationFailed.
    Expiry is on the real clock (``now`` defaults to it), as the TTL index's is.
    """
    now = now or clock.real_now()
    used = await ActivationCode.get_pymongo_collection().find_one_and_update(
        {"_id": hash_code(code), "used": False, "expires_at": {"$gt": now}},
        {"$set": {"used": True, "outcome": "activated"}, "$currentDate": {"used_at": True}},
    )
    if used is None:
        raise AuthenticationFailed("the activation code is wrong, used or expired")
    archive_id: str = used["archive_id"]
    await Archive.get_pymongo_collection().update_one(
        {"_id": ObjectId(archive_id), "account_state": AccountState.PENDING.value},
        {
            "$set": {"account_state": AccountState.ACTIVE.value},
            "$currentDate": {"updated_at": True},
        },
    )
    return archive_id


async def transfer_worker(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str,
    to_region_code: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> WorkerView:
    """Move a worker to another region; the agency must cover both (an entry records it).

    Outside the agency's region the worker is NotFound; a destination outside it is a 422
    naming ``to_region_code`` (as for registration).
    """
    archive = await archive_for_agency(actor, archive_id)
    assert archive.id is not None
    prefix = require_agency(actor)
    target = parse_region_code(to_region_code, field="to_region_code")
    if not target.startswith(prefix):
        raise ValidationFailed.outside_scope("to_region_code")
    if target == archive.region_code:
        raise ValidationFailed.single("to_region_code", "unchanged", "the worker is there already")
    note = " ".join((reason or "").split())[:200]
    now = now or clock.now()
    moved = await Archive.get_pymongo_collection().update_one(
        {"_id": archive.id, "region_code": archive.region_code, "version": archive.version},
        {
            "$set": {"region_code": target},
            "$currentDate": {"updated_at": True},
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the archive changed meanwhile; reload and retry")
    await archive_changed(archive, reason=note or "transferred to another region")
    await append_entry(
        archive_id=archive.id,
        kind=EntryKind.TRANSFERRED,
        payload={"from_region": archive.region_code, "to_region": target, "reason": note},
        recorded_by=Recorder.of(actor),
        now=now,
    )
    stored = await Archive.get(archive.id)
    assert stored is not None
    return await worker_view(stored, FieldProtection(keyring))
