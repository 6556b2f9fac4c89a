"""Who may reach which archive, and the shared pieces of every archive use case.

Object-level reach (DESIGN.md convention 2): a wrong role is ``Forbidden``; an archive outside
the caller's reach is ``NotFound``, exactly as if it did not exist. A worker reaches only their
own archive; an agency the archives whose region code lies in its prefix range (an indexed
range query, never a regex).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from beanie.odm.utils.encoder import Encoder
from bson import ObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives.documents import AccessAction, AccessLogEntry, Archive
from portfolio.archives.personal import (
    BIRTH_DATE_FIELD,
    PHONE_FIELD,
    open_birth_date,
    open_phone,
)
from portfolio.archives.views import (
    EmploymentRegistrationView,
    EmploymentView,
    IdentityView,
    InsuredSchemeInput,
    SocialSecurityView,
    WorkerView,
)
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from portfolio.identity import FieldProtection, age_band, associated_data, mask_document_number

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# A purpose is free text the worker reads; a long run of digits in it is probably an
# identity number typed in the wrong box, and would be stored in plaintext.
_NUMBER_RUN = re.compile(r"[0-9Xx]{15,}")
_NOT_FOUND = "no such worker"

ID_NUMBER_FIELD = "id_number"
SSN_FIELD = "social_security.number"
CERTIFICATE_FIELD = "employment.certificate_number"


def require_agency(actor: Actor) -> str:
    """The agency's region prefix; any other role is forbidden."""
    if actor.role is not Role.AGENCY or not actor.region_prefix:
        raise Forbidden("only an agency may do this")
    return actor.region_prefix


def require_worker(actor: Actor) -> PydanticObjectId:
    """The worker's own archive id; any other role is forbidden."""
    if actor.role is not Role.WORKER or not actor.archive_id:
        raise Forbidden("only a worker may do this")
    return ids.parse(actor.archive_id, "worker")


async def _read_archive(query: dict[str, Any]) -> Archive | None:
    # The driver's find_one and one validation: Beanie's own find_one/get cost 0.6-1 ms more
    # per call on the request path of every archive read (bench/read_path.py).
    raw = await Archive.get_pymongo_collection().find_one(query)
    return None if raw is None else Archive.model_validate(raw)


async def archive_for_agency(actor: Actor, archive_id: str | ObjectId) -> Archive:
    """The archive if it lies in the agency's region, else NotFound."""
    prefix = require_agency(actor)
    found = await _read_archive(
        {"_id": ids.parse(archive_id, "worker"), "region_code": region_range(prefix)}
    )
    if found is None:
        raise NotFound(_NOT_FOUND)
    return found


async def archive_for_reader(actor: Actor, archive_id: str | ObjectId | None) -> Archive:
    """The archive a worker (their own) or an agency (in its region) may read."""
    if actor.role is Role.WORKER:
        own = require_worker(actor)
        if archive_id is not None and ids.parse(archive_id, "worker") != own:
            raise NotFound(_NOT_FOUND)
        found = await _read_archive({"_id": own})
        if found is None:
            raise NotFound(_NOT_FOUND)
        return found
    if actor.role is Role.AGENCY:
        if archive_id is None:
            raise NotFound(_NOT_FOUND)
        return await archive_for_agency(actor, archive_id)
    raise Forbidden("only the worker or an agency of the region may read an archive")


def check_limit(limit: int) -> int:
    """A page size within 1..MAX_LIMIT."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.single("limit", "range", f"limit must be 1 to {MAX_LIMIT}")
    return limit


def check_purpose(purpose: str | None, *, field: str = "purpose") -> str:
    """A stated purpose: 2 to 200 characters, no identity-number-like run of digits."""
    text = " ".join((purpose or "").split())
    if not text:
        raise ValidationFailed.single(field, "required", "state the purpose of this read")
    if not 2 <= len(text) <= 200:
        raise ValidationFailed.single(field, "length", "the purpose must have 2-200 characters")
    if _NUMBER_RUN.search(text):
        raise ValidationFailed.single(
            field, "personal_data", "the purpose must not contain an identity number"
        )
    return text


def to_bson(value: Any) -> Any:
    """A pydantic value encoded the way Beanie stores it (for raw conditional updates)."""
    return Encoder(to_db=True).encode(value)


async def log_access(
    *,
    actor: Actor,
    archive: Archive,
    action: AccessAction,
    purpose: str,
    fields: list[str],
    now: datetime,
) -> None:
    """Append one line to the worker's access log (before the data is returned)."""
    assert archive.id is not None
    await AccessLogEntry(
        archive_id=str(archive.id),
        at=now,
        principal_id=actor.principal_id,
        username=actor.username,
        role=actor.role.value,
        organisation_id=actor.organisation_id,
        region_prefix=actor.region_prefix,
        action=action,
        purpose=purpose,
        fields=fields,
    ).insert()


async def worker_view(
    archive: Archive, protection: FieldProtection, *, reveal: bool = False, own: bool = False
) -> WorkerView:
    """The archive header as shown; full numbers are decrypted only when ``reveal``.

    The birth date is shown in full to the worker (``own``) and on a revealed read; everyone
    else gets the age band (see ``portfolio.identity.masking`` for why not the birth year).
    """
    archive_id = str(archive.id)
    full_id: str | None = None
    phone: str | None = None
    if reveal:
        full_id = await protection.open(
            archive.id_number, aad=associated_data("archives", ID_NUMBER_FIELD, archive_id)
        )
        phone = await open_phone(archive, protection)
    birth = await open_birth_date(archive, protection)
    identity = IdentityView(
        name=archive.name,
        id_type=archive.id_type,
        nationality=archive.nationality,
        id_number_masked=archive.id_masked,
        id_number_full=full_id,
        birth_date=birth if reveal or own else None,
        age_band=age_band(birth, clock.china_today()),
        sex=archive.sex,
        phone_masked=archive.phone_masked,
        phone_full=phone,
        region_code=archive.region_code,
    )
    social: SocialSecurityView | None = None
    if archive.social_security is not None:
        link = archive.social_security
        social = SocialSecurityView(
            number_masked=link.number_masked,
            number_full=(
                await protection.open(
                    link.number, aad=associated_data("archives", SSN_FIELD, archive_id)
                )
                if reveal
                else None
            ),
            card_number_masked=mask_document_number(link.card_number),
            issuing_region=link.issuing_region,
            schemes=[InsuredSchemeInput(s.scheme, s.since) for s in link.schemes],
        )
    employment: EmploymentView | None = None
    if archive.employment is not None:
        job = archive.employment
        certificate_full: str | None = None
        if reveal and job.certificate_number is not None:
            certificate_full = await protection.open(
                job.certificate_number,
                aad=associated_data("archives", CERTIFICATE_FIELD, archive_id),
            )
        employment = EmploymentView(
            certificate_number_masked=job.certificate_masked,
            certificate_number_full=certificate_full,
            registrations=[
                EmploymentRegistrationView(
                    registration_id=r.registration_id,
                    kind=r.kind,
                    employer_credit_code=r.employer_credit_code,
                    credit_code_overridden=r.credit_code_overridden,
                    employer_name=r.employer_name,
                    start=r.start,
                    end=r.end,
                    occupation_code=r.occupation_code,
                    digital=r.digital,
                    green=r.green,
                    labour_contract_end=r.labour_contract_end,
                )
                for r in job.registrations
            ],
        )
    return WorkerView(
        archive_id=archive_id,
        identity=identity,
        social_security=social,
        employment=employment,
        account_state=archive.account_state,
        entry_count=archive.head.seq,
        version=archive.version,
        created_at=archive.created_at,
    )


def revealed_fields(archive: Archive) -> list[str]:
    """The names of the full values a revealed view of ``archive`` contains."""
    fields = [ID_NUMBER_FIELD, PHONE_FIELD, BIRTH_DATE_FIELD]
    if archive.social_security is not None:
        fields.append(SSN_FIELD)
    if archive.employment is not None and archive.employment.certificate_number is not None:
        fields.append(CERTIFICATE_FIELD)
    return fields
