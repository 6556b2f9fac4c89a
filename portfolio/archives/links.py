"""Identifier links of an archive: social security and employment registrations.

Each change is one conditional update of the archive (filter on its version, ``$set`` of the
whole link: no sub-document ``$push``), followed by a ``link_added`` / ``link_changed`` entry
whose payload carries only masked numbers.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.archives.changes import archive_changed
from portfolio.archives.documents import (
    Archive,
    EmploymentLink,
    EmploymentRegistration,
    InsuredScheme,
    Recorder,
    RegistrationKind,
    SocialSecurityLink,
)
from portfolio.archives.entries import append_entry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.personal import open_birth_date
from portfolio.archives.reading import parse_ssn, ssn_lookup_key
from portfolio.archives.registration import SSN_IS_ID_NUMBER
from portfolio.archives.scope import (
    CERTIFICATE_FIELD,
    SSN_FIELD,
    archive_for_agency,
    to_bson,
    worker_view,
)
from portfolio.archives.views import InsuredSchemeInput, WorkerView
from portfolio.errors import Conflict, FieldError, NotFound, ValidationFailed
from portfolio.identity import (
    FieldProtection,
    associated_data,
    china_today,
    mask_document_number,
    mask_identity_number,
    parse_credit_code,
    parse_generic_number,
    parse_identity,
    parse_occupation_code,
    parse_region_code,
)
from portfolio.keyring import Keyring
from portfolio.occupations import catalogue_errors

# A lifetime of registrations fits easily; the list is rewritten whole on every change.
MAX_REGISTRATIONS = 100
MAX_EMPLOYER_NAME = 100
# Registrations may be recorded ahead of a start date agreed with the employer.
MAX_DAYS_AHEAD = 366


def _month(value: str, field: str) -> date:
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed.single(field, "format", "a month is written YYYY-MM") from None


async def _save_link(
    archive: Archive, update: dict[str, Any], now: datetime, *, reason: str
) -> None:
    """One conditional update on the archive's version; a lost race is a Conflict.

    ``updated_at`` goes through ``$currentDate``: nx-27017 0.8.1 stores a top-level datetime
    given to ``$set`` as a naive string (tests/storage/test_account_patterns.py).
    """
    update["$currentDate"] = {"updated_at": True}
    update["$inc"] = {"version": 1}
    try:
        result = await Archive.get_pymongo_collection().update_one(
            {"_id": archive.id, "version": archive.version}, update
        )
    except DuplicateKeyError:
        raise Conflict("this social-security number is recorded on another archive") from None
    if result.modified_count != 1:
        raise Conflict("the archive changed meanwhile; reload and retry")
    await archive_changed(archive, reason=reason)


async def _reloaded(archive: Archive, keyring: Keyring) -> WorkerView:
    assert archive.id is not None
    stored = await Archive.get(archive.id)
    if stored is None:  # pragma: no cover - archives are never deleted
        raise NotFound("no such worker")
    return await worker_view(stored, FieldProtection(keyring))


async def set_social_security(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str,
    number: str,
    card_number: str,
    issuing_region: str,
    schemes: Sequence[InsuredSchemeInput],
    now: datetime | None = None,
) -> WorkerView:
    """Record (or replace) the worker's social-security link (``PUT .../social-security``).

    For a resident (and a residence-permit holder) the social-security number is the
    identity number and must match it. Schemes: each at most once, with the month insured
    since (not in the future, not before birth). The change is an archive entry.
    """
    archive = await archive_for_agency(actor, archive_id)
    assert archive.id is not None
    now = now or clock.now()
    today = china_today(now)
    protection = FieldProtection(keyring)
    birth = await open_birth_date(archive, protection)
    errors: list[FieldError] = []

    ssn = ""
    try:
        if archive.id_type in SSN_IS_ID_NUMBER:
            identity = parse_identity(archive.id_type, number, field="number", today=today)
            if protection.blind_index(identity.lookup_key) != archive.id_index:
                raise ValidationFailed.single(
                    "number", "mismatch", "for a citizen it must equal the identity number"
                )
            ssn = identity.number
        else:
            ssn = parse_ssn(number, field="number")
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    card = ""
    try:
        card = parse_generic_number(
            card_number, field="card_number", what="card number", min_length=6, max_length=12
        )
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    region = ""
    try:
        region = parse_region_code(issuing_region, field="issuing_region")
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    seen: set[str] = set()
    checked: list[InsuredScheme] = []
    for i, item in enumerate(schemes):
        field = f"schemes.{i}.since"
        try:
            month = _month(item.since, field)
        except ValidationFailed as failed:
            errors.extend(failed.errors)
            continue
        if item.scheme.value in seen:
            errors.append(FieldError(f"schemes.{i}.scheme", "duplicate", "listed twice"))
        elif month > today.replace(day=1):
            errors.append(FieldError(field, "future", "the month lies in the future"))
        elif month < birth.replace(day=1):
            errors.append(FieldError(field, "before_birth", "the month is before birth"))
        seen.add(item.scheme.value)
        checked.append(InsuredScheme(scheme=item.scheme, since=month.strftime("%Y-%m")))
    if errors:
        raise ValidationFailed(errors)

    masked = mask_identity_number(ssn)
    link = SocialSecurityLink(
        number=protection.seal(ssn, aad=associated_data("archives", SSN_FIELD, str(archive.id))),
        number_masked=masked,
        card_number=card,
        issuing_region=region,
        schemes=sorted(checked, key=lambda s: s.scheme.value),
        updated_at=now,
    )
    kind = EntryKind.LINK_ADDED if archive.social_security is None else EntryKind.LINK_CHANGED
    await _save_link(
        archive,
        {
            "$set": {
                "social_security": to_bson(link),
                "ssn_index": protection.blind_index(ssn_lookup_key(ssn)),
            }
        },
        now,
        reason="social-security link recorded",
    )
    await append_entry(
        archive_id=archive.id,
        kind=kind,
        payload={
            "link": "social_security",
            "number_masked": masked,
            "card_number_masked": mask_document_number(card),
            "issuing_region": region,
            "schemes": [{"scheme": s.scheme.value, "since": s.since} for s in link.schemes],
        },
        recorded_by=Recorder.of(actor),
        now=now,
    )
    return await _reloaded(archive, keyring)


def _check_registration_dates(
    *,
    errors: list[FieldError],
    birth: date,
    start: date,
    end: date | None,
    labour_contract_end: date | None,
    today: date,
) -> None:
    if start < birth:
        errors.append(FieldError("start", "before_birth", "the start lies before the birth date"))
    if start > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.append(FieldError("start", "future", "the start lies more than a year ahead"))
    if end is not None and end < start:
        errors.append(FieldError("end", "before_start", "the end lies before the start"))
    if labour_contract_end is not None and labour_contract_end < start:
        errors.append(
            FieldError("labour_contract_end", "before_start", "the contract ends before start")
        )


async def add_employment_registration(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str,
    kind: RegistrationKind,
    start: date,
    certificate_number: str | None = None,
    employer_credit_code: str | None = None,
    employer_name: str | None = None,
    end: date | None = None,
    occupation_code: str | None = None,
    labour_contract_end: date | None = None,
    credit_code_override: bool = False,
    now: datetime | None = None,
) -> WorkerView:
    """Add an employment or unemployment registration (``POST /workers/{id}/employment``).

    The employment certificate number is required the first time (and replaces the stored
    one when a different one is given). An employment registration needs the employer's
    credit code (GB 32100; ``credit_code_override`` records an agency's acceptance of an
    early code that fails the check) and name; the occupation code is optional. At most one
    open unemployment registration, and one open employment registration per employer.
    """
    archive = await archive_for_agency(actor, archive_id)
    assert archive.id is not None
    now = now or clock.now()
    today = china_today(now)
    protection = FieldProtection(keyring)
    errors: list[FieldError] = []
    current = archive.employment or EmploymentLink(
        certificate_number=None, certificate_masked=None, registrations=[]
    )

    certificate: str | None = None
    if certificate_number is not None and certificate_number.strip():
        try:
            certificate = parse_generic_number(
                certificate_number,
                field="certificate_number",
                what="employment certificate number",
                min_length=8,
                max_length=20,
            )
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    elif current.certificate_number is None:
        errors.append(
            FieldError("certificate_number", "required", "the certificate number is required")
        )

    credit = None
    name = " ".join((employer_name or "").split()) or None
    if kind is RegistrationKind.EMPLOYMENT or employer_credit_code:
        try:
            credit = parse_credit_code(
                employer_credit_code,
                field="employer_credit_code",
                allow_checksum_override=credit_code_override,
            )
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    if kind is RegistrationKind.EMPLOYMENT and name is None:
        errors.append(FieldError("employer_name", "required", "the employer's name is required"))
    if name is not None and len(name) > MAX_EMPLOYER_NAME:
        errors.append(FieldError("employer_name", "length", "the employer's name is too long"))
    occupation = None
    if occupation_code is not None and occupation_code.strip():
        try:
            occupation = parse_occupation_code(occupation_code, field="occupation_code")
        except ValidationFailed as failed:
            errors.extend(failed.errors)
        # catalogue: a registration recorded now names a catalogued occupation, if any.
        errors.extend(await catalogue_errors({"occupation_code": occupation_code}))
    if kind is RegistrationKind.UNEMPLOYMENT and labour_contract_end is not None:
        errors.append(
            FieldError("labour_contract_end", "not_allowed", "only for employment registrations")
        )
    _check_registration_dates(
        errors=errors,
        birth=await open_birth_date(archive, protection),
        start=start,
        end=end,
        labour_contract_end=labour_contract_end,
        today=today,
    )
    if errors:
        raise ValidationFailed(errors)

    open_ones = [r for r in current.registrations if r.end is None] if end is None else []
    if kind is RegistrationKind.UNEMPLOYMENT and any(
        r.kind is RegistrationKind.UNEMPLOYMENT for r in open_ones
    ):
        raise Conflict("an unemployment registration is open already; close it first")
    if credit is not None and any(
        r.kind is RegistrationKind.EMPLOYMENT and r.employer_credit_code == credit.code
        for r in open_ones
    ):
        raise Conflict("an employment registration with this employer is open already")
    if len(current.registrations) >= MAX_REGISTRATIONS:
        raise Conflict("the archive holds the maximum number of registrations")

    registration = EmploymentRegistration(
        registration_id=secrets.token_hex(8),
        kind=kind,
        employer_credit_code=credit.code if credit else None,
        credit_code_overridden=bool(credit and credit.overridden),
        employer_name=name,
        start=start,
        end=end,
        occupation_code=occupation.code if occupation else None,
        digital=bool(occupation and occupation.digital),
        green=bool(occupation and occupation.green),
        labour_contract_end=labour_contract_end,
        recorded_at=now,
    )
    sealed = current.certificate_number
    masked = current.certificate_masked
    if certificate is not None:
        sealed = protection.seal(
            certificate, aad=associated_data("archives", CERTIFICATE_FIELD, str(archive.id))
        )
        masked = mask_document_number(certificate)
    link = EmploymentLink(
        certificate_number=sealed,
        certificate_masked=masked,
        registrations=[*current.registrations, registration],
    )
    await _save_link(
        archive,
        {"$set": {"employment": to_bson(link)}},
        now,
        reason="employment registration recorded",
    )
    await append_entry(
        archive_id=archive.id,
        kind=EntryKind.LINK_ADDED,
        payload={
            "link": "employment",
            "certificate_number_masked": masked,
            "registration_id": registration.registration_id,
            "registration_kind": kind.value,
            "employer_credit_code": registration.employer_credit_code,
            "credit_code_overridden": registration.credit_code_overridden,
            "employer_name": name,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
            "occupation_code": registration.occupation_code,
            "labour_contract_end": (
                labour_contract_end.isoformat() if labour_contract_end else None
            ),
        },
        recorded_by=Recorder.of(actor),
        now=now,
    )
    return await _reloaded(archive, keyring)


async def close_employment_registration(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str,
    registration_id: str,
    end: date,
    now: datetime | None = None,
) -> WorkerView:
    """End an open registration on ``end`` (not before its start); a ``link_changed`` entry."""
    archive = await archive_for_agency(actor, archive_id)
    assert archive.id is not None
    now = now or clock.now()
    registrations = archive.employment.registrations if archive.employment else []
    target = next((r for r in registrations if r.registration_id == registration_id), None)
    if target is None or archive.employment is None:
        raise NotFound("no such registration")
    if target.end is not None:
        raise Conflict("the registration is closed already")
    if end < target.start:
        raise ValidationFailed.single("end", "before_start", "the end lies before the start")
    if end > china_today(now) + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed.single("end", "future", "the end lies more than a year ahead")
    link = archive.employment.model_copy(
        update={
            "registrations": [
                r.model_copy(update={"end": end}) if r.registration_id == registration_id else r
                for r in registrations
            ]
        }
    )
    await _save_link(
        archive,
        {"$set": {"employment": to_bson(link)}},
        now,
        reason="employment registration closed",
    )
    await append_entry(
        archive_id=archive.id,
        kind=EntryKind.LINK_CHANGED,
        payload={
            "link": "employment",
            "registration_id": registration_id,
            "registration_kind": target.kind.value,
            "end": end.isoformat(),
        },
        recorded_by=Recorder.of(actor),
        now=now,
    )
    return await _reloaded(archive, keyring)
