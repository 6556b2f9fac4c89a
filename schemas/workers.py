"""Requests and responses of real-name registration, worker lookup, links and activation.

Identity numbers cross the wire only in request bodies (never in a URL, which logs keep) and
leave the service masked; full numbers appear only in ``revealed``, which is null unless the
caller is the worker or an agency that stated a purpose (and that read was logged).
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StrictBool, model_validator

from portfolio.archives.documents import AccountState, InsuranceScheme, RegistrationKind
from portfolio.archives.purposes import MAX_NOTE, ReadPurpose, stated_purpose
from portfolio.archives.views import InsuredSchemeInput
from portfolio.errors import ValidationFailed
from portfolio.identity.identifiers import IdType, Sex
from schemas.common import Input, Output

# Bounds before any parsing: the domain checks the exact formats and names the field.
Number = Annotated[str, Field(min_length=1, max_length=40)]
RegionCode = Annotated[str, Field(min_length=1, max_length=12)]
Purpose = Annotated[
    str,
    Field(
        min_length=2,
        max_length=200,
        description="Why the data is read; shown to the worker in their access log.",
    ),
]


class WorkerRegistrationIn(Input):
    """Register a worker by real name.

    Birth date and sex are derived from a resident ID number (give them only to have them
    checked); other documents need them.
    """

    name: Annotated[str, Field(min_length=1, max_length=64)]
    id_type: IdType = IdType.RESIDENT_ID
    id_number: Number
    nationality: Annotated[
        str | None, Field(max_length=3, description="ISO 3166 alpha-3, for passports")
    ] = None
    birth_date: date | None = None
    sex: Sex | None = None
    phone: Annotated[str, Field(min_length=1, max_length=20)]
    region_code: RegionCode


class CodedPurpose(Input):
    """A purpose as text, or as a code of the console's list and an optional note.

    ``purpose_code`` (with ``purpose_note``) stands for ``purpose``: the worker reads the
    code's words (Chinese) and the note in their access log, as from the agency's pages.
    """

    purpose: Purpose
    purpose_code: ReadPurpose | None = Field(
        default=None, description="Instead of `purpose`: a code of the list (`other` needs a note)"
    )
    purpose_note: Annotated[str | None, Field(max_length=MAX_NOTE)] = None

    @model_validator(mode="before")
    @classmethod
    def _purpose_of_code(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("purpose_code") and not data.get("purpose"):
            with contextlib.suppress(ValidationFailed):  # then "purpose" is the field missing
                data = {
                    **data,
                    "purpose": stated_purpose(data["purpose_code"], data.get("purpose_note")),
                }
        return data


class WorkerSearchIn(CodedPurpose):
    """Look a worker up by identity number or by social-security number (exactly one)."""

    id_type: IdType = IdType.RESIDENT_ID
    id_number: Number | None = None
    nationality: Annotated[str | None, Field(max_length=3)] = None
    social_security_number: Number | None = None
    reveal: StrictBool = Field(
        default=False, description="Return the full numbers too (logged with the purpose)."
    )


class RevealIn(CodedPurpose):
    """Why an agency reads a worker's full numbers."""


class TransferIn(Input):
    """Move a worker to another region (the agency must cover both)."""

    to_region_code: RegionCode
    reason: Annotated[str, Field(max_length=200)] = ""


class InsuredSchemeIn(Input):
    """Insured in one scheme since a month."""

    scheme: InsuranceScheme
    since: Annotated[str, Field(min_length=1, max_length=7, description="YYYY-MM")]

    def to_domain(self) -> InsuredSchemeInput:
        """The scheme as the domain checks it."""
        return InsuredSchemeInput(self.scheme, self.since)


class SocialSecurityIn(Input):
    """The social-security link; for a resident the number equals the identity number."""

    number: Number
    card_number: Annotated[str, Field(min_length=1, max_length=20)]
    issuing_region: RegionCode
    schemes: Annotated[list[InsuredSchemeIn], Field(max_length=len(InsuranceScheme))] = Field(
        default_factory=list
    )


class EmploymentRegistrationIn(Input):
    """An employment or unemployment registration (就业/失业登记)."""

    kind: RegistrationKind
    start: date
    end: date | None = None
    certificate_number: Annotated[
        str | None,
        Field(
            max_length=40,
            description="就业创业证 number: required the first time, replaces the stored one",
        ),
    ] = None
    employer_credit_code: Annotated[str | None, Field(max_length=40)] = None
    employer_name: Annotated[str | None, Field(max_length=200)] = None
    occupation_code: Annotated[str | None, Field(max_length=20)] = None
    labour_contract_end: date | None = None
    credit_code_override: StrictBool = Field(
        default=False,
        description="Accept an early credit code that fails the GB 32100 check (recorded).",
    )


class EmploymentCloseIn(Input):
    """End an open registration."""

    end: date


class ActivationIn(Input):
    """Turn an activation code into a login (or set a new password on an existing one)."""

    code: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    username: Annotated[
        str | None,
        Field(max_length=64, description="Login name; the registered phone number if omitted"),
    ] = None


class IdentityOut(Output):
    """Who the worker is (numbers masked; the birth date only to the worker or on a reveal)."""

    name: str
    id_type: IdType
    nationality: str | None
    id_number_masked: str = Field(
        description="Area code and last two characters (`510104**********37`) for 18-character "
        "numbers; never completable with what else is shown (SECURITY.md)"
    )
    birth_date: date | None = Field(
        description="The full date: for the worker themself and on a revealed (logged) read; "
        "null otherwise"
    )
    age_band: str = Field(description="Age today (China time) in a five-year band, `30-34`")
    sex: Sex
    phone_masked: str
    region_code: str


class InsuredSchemeOut(Output):
    """One insured scheme."""

    scheme: InsuranceScheme
    since: str


class SocialSecurityOut(Output):
    """The social-security link (numbers masked)."""

    number_masked: str
    card_number_masked: str
    issuing_region: str
    schemes: list[InsuredSchemeOut]


class EmploymentRegistrationOut(Output):
    """One employment or unemployment registration."""

    id: str
    kind: RegistrationKind
    employer_credit_code: str | None
    credit_code_overridden: bool
    employer_name: str | None
    start: date
    end: date | None
    occupation_code: str | None
    digital: bool
    green: bool
    labour_contract_end: date | None


class EmploymentOut(Output):
    """The employment certificate (masked) and the registrations."""

    certificate_number_masked: str | None
    registrations: list[EmploymentRegistrationOut]


class RevealedOut(Output):
    """The full values, for the worker or an agency that stated a purpose."""

    id_number: str
    phone: str
    social_security_number: str | None
    employment_certificate_number: str | None


class WorkerOut(Output):
    """A worker's archive header."""

    id: str
    identity: IdentityOut
    social_security: SocialSecurityOut | None
    employment: EmploymentOut | None
    account_state: AccountState
    entry_count: int
    version: int
    created_at: datetime
    revealed: RevealedOut | None = Field(
        default=None, description="Null unless full numbers were asked for and allowed."
    )


class ActivationCodeOut(Output):
    """A one-time activation code: shown once, hand it to the worker."""

    archive_id: str
    code: str
    expires_at: datetime


class RegisteredWorkerOut(Output):
    """The new archive and its first activation code."""

    worker: WorkerOut
    activation: ActivationCodeOut


class ActivationOut(Output):
    """The login the activation made (or gave a new password); log in with it."""

    archive_id: str
    username: str
    created: bool = Field(description="False when an existing login got a new password")
