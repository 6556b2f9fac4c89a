"""The words of the agency's worker, provider and staff pages for the domain's codes, and the
messages of their fields' errors.

A refused form names each field in error; ``field_errors`` turns the domain's
``ValidationFailed`` into page errors in the request's language: a message for the field and
rule where the rule tells the officer something (a wrong check character), else the field's.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request

from api.web.forms import PageError
from api.web.i18n import N_
from api.web.templating import t
from portfolio.accounts.principal import StaffRole
from portfolio.archives.documents import InsuranceScheme, RegistrationKind
from portfolio.archives.purposes import ReadPurpose
from portfolio.errors import ValidationFailed
from portfolio.identity import IdType, Sex
from portfolio.training.enums import OrganisationKind

PURPOSES: dict[str, str] = {
    ReadPurpose.COUNTER: N_("The worker is at the counter in person"),
    ReadPurpose.SUBSIDY_CLAIM: N_("Checking a training subsidy claim"),
    ReadPurpose.REGISTRATION: N_("Registration or a change of the worker's details"),
    ReadPurpose.SOCIAL_SECURITY: N_("Checking social-security details"),
    ReadPurpose.EMPLOYMENT_SERVICE: N_("Employment services"),
    ReadPurpose.COMPLAINT: N_("Handling a complaint or a report"),
    ReadPurpose.OTHER: N_("Other (say what in the note)"),
}
ID_TYPES: dict[str, str] = {
    IdType.RESIDENT_ID: N_("Resident identity card"),
    IdType.HMT_RESIDENCE_PERMIT: N_("Residence permit (Hong Kong, Macao, Taiwan)"),
    IdType.FOREIGN_PERMANENT_RESIDENCE: N_("Foreigner's permanent residence card"),
    IdType.PASSPORT: N_("Passport"),
}
SEXES: dict[str, str] = {Sex.MALE: N_("Male"), Sex.FEMALE: N_("Female")}
SCHEMES: dict[str, str] = {
    InsuranceScheme.PENSION: N_("Pension"),
    InsuranceScheme.MEDICAL: N_("Medical"),
    InsuranceScheme.UNEMPLOYMENT: N_("Unemployment"),
    InsuranceScheme.WORK_INJURY: N_("Work injury"),
    InsuranceScheme.MATERNITY: N_("Maternity"),
}
KINDS: dict[str, str] = {
    RegistrationKind.EMPLOYMENT: N_("Employment registration"),
    RegistrationKind.UNEMPLOYMENT: N_("Unemployment registration"),
}
STAFF_ROLES: dict[str, str] = {
    StaffRole.ADMIN: N_("Administrator"),
    StaffRole.OFFICER: N_("Officer"),
    StaffRole.REVIEWER: N_("Reviewer (second approvals)"),
    StaffRole.AUDITOR: N_("Auditor (reads only)"),
}

ORG_KINDS: dict[str, str] = {
    OrganisationKind.TECHNICAL_SCHOOL: N_("Technical school"),
    OrganisationKind.VOCATIONAL_COLLEGE: N_("Vocational college"),
    OrganisationKind.TRAINING_INSTITUTION: N_("Training institution"),
    OrganisationKind.ENTERPRISE: N_("Enterprise"),
    OrganisationKind.PUBLIC_TRAINING_BASE: N_("Public training base"),
    OrganisationKind.MASTER_STUDIO: N_("Master's studio"),
}

# By (field, rule) where the rule says more than the field's message.
_RULES: dict[tuple[str, str], str] = {
    ("id_number", "checksum"): N_(
        "The last character of the ID number does not match the others: check it with the card"
    ),
    ("id_number", "length"): N_("The ID number has the wrong length: a resident ID has 18"),
    ("id_number", "format"): N_("The ID number may have only digits (and X at the end)"),
    ("id_number", "birth_date"): N_("The birth date inside the ID number is impossible"),
    ("id_number", "future_birth"): N_("The birth date inside the ID number lies in the future"),
    ("id_number", "area_code"): N_("The area code at the start of the ID number is unknown"),
    ("id_number", "one_of"): N_("Enter the ID number or the social-security number (one)"),
    ("birth_date", "age_out_of_range"): N_(
        "The worker must be 14 to 100 years old at registration"
    ),
    ("region_code", "outside_scope"): N_("This region is outside your agency's"),
    ("to_region_code", "outside_scope"): N_("This region is outside your agency's"),
    ("to_region_code", "unchanged"): N_("The worker is in this region already"),
    ("end", "before_start"): N_("The end date cannot be before the start"),
    ("end", "future"): N_("The end date cannot be in the future"),
    ("start", "future"): N_("The start date cannot be in the future"),
    ("start", "before_birth"): N_("The start date is before the worker was born"),
    ("purpose_note", "required"): N_("Say in the note what the purpose is"),
    ("purpose_note", "personal_data"): N_("The note must not contain an identity number"),
}
_FIELDS: dict[str, str] = {
    "name": N_("Enter the worker's name as on the document"),
    "id_type": N_("Choose the document"),
    "id_number": N_("Enter the document's number"),
    "nationality": N_("Enter the nationality as three letters, for example GBR"),
    "birth_date": N_("Enter the birth date as on the document"),
    "sex": N_("Choose the sex as on the document"),
    "phone": N_("Enter a mainland mobile number of 11 digits"),
    "region_code": N_("Enter a six-digit region code of your region"),
    "to_region_code": N_("Enter a six-digit region code of your region"),
    "purpose": N_("Choose why you look the worker up"),
    "purpose_note": N_("The note may have up to 150 characters"),
    "social_security_number": N_("Enter a social-security number of 5 to 20 letters and digits"),
    "number": N_("For a resident, the social-security number is the ID number"),
    "card_number": N_("Enter the social-security card's number"),
    "issuing_region": N_("Enter the six-digit code of the region that issued the card"),
    "schemes": N_("Enter each month insured since as YYYY-MM, not in the future"),
    "kind": N_("Choose employment or unemployment"),
    "start": N_("Enter the start date"),
    "end": N_("Enter an end date on or after the start"),
    "certificate_number": N_("Enter the employment certificate's number (needed the first time)"),
    "employer_credit_code": N_("Enter the employer's 18-character unified social credit code"),
    "employer_name": N_("Enter the employer's name"),
    "occupation_code": N_("Enter an occupation code such as 6-25-04-01"),
    "labour_contract_end": N_("Enter a contract end date after the start (employment only)"),
    "reason": N_("Give a reason"),
}
CHECK_FIELD = N_("Check this field")


def field_errors(
    request: Request, failed: ValidationFailed, *, known: set[str] | None = None
) -> list[PageError]:
    """The refused fields as page errors (one per field, in the domain's order); a field the
    form has not (``known``) is shown on ``fallback``: the first known field."""
    shown: dict[str, str] = {}
    for error in failed.errors:
        field = error.field.split(".")[0]
        if known is not None and field not in known:
            field = next(iter(known))
        if field in shown:
            continue
        message = _RULES.get((field, error.rule)) or _FIELDS.get(field) or CHECK_FIELD
        shown[field] = t(request, message)
    return [PageError(field, message) for field, message in shown.items()]


def form_date(value: str, field: str) -> date | None:
    """A date field (``YYYY-MM-DD``, as ``<input type="date">`` sends it); None when empty."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.single(field, "format", "not a date") from None


def options(request: Request, words: dict[str, str]) -> list[tuple[str, str]]:
    """``words`` as (value, label) pairs for a select or radios, in the request's language."""
    return [(str(value), t(request, label)) for value, label in words.items()]
