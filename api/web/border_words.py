"""The cross-border recognition pages' words: origins, states and the messages of their forms,
in the page's language (``t``)."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request

from api.web.formatting import level
from api.web.forms import PageError
from api.web.i18n import N_
from api.web.templating import language_of, t
from portfolio.crossborder import BorderStatus, Origin
from portfolio.crossborder.rules import BorderContent
from portfolio.errors import FieldError, ValidationFailed
from portfolio.vocabulary import SkillLevel

ORIGINS = {
    Origin.CHONGQING: N_("Chongqing (Sichuan-Chongqing mutual recognition)"),
    Origin.FOREIGN: N_("Abroad, Hong Kong, Macao or Taiwan"),
}
STATES = {
    BorderStatus.PENDING: N_("Waiting for the decision"),
    BorderStatus.RECOGNISED: N_("Recognised"),
    BorderStatus.REFUSED: N_("Not recognised"),
    BorderStatus.VOIDED: N_("Voided"),
}
TAGS = {"pending": "neutral", "recognised": "good", "refused": "bad", "voided": "bad"}
# A field's rule broken -> what the page says (the domain's words are English only).
FIELD_MESSAGES = {
    "origin": N_("Choose where the certificate comes from"),
    "certificate_number": N_("Enter the certificate number (up to 60 characters)"),
    "issuing_body": N_("Enter the issuing body (up to 120 characters)"),
    "issuer_region_code": N_("Enter the issuing body's Chongqing region code, 50 and four digits"),
    "country": N_("Enter the country as an ISO 3166 three-letter code other than CHN, e.g. DEU"),
    "title": N_("Enter the qualification's title (up to 120 characters)"),
    "occupation_code": N_("Enter a catalogued occupation code, for example 6-18-02-04"),
    "level": N_("Choose a level from junior worker up"),
    "issue_date": N_("Enter the date of issue, not in the future and from 1990"),
    "scan_description": N_("Describe the scan you hold (up to 500 characters)"),
    "worker": N_("No registered worker of your region has this ID number and name"),
    "id_number": N_("Enter the ID number"),
    "check_reference": N_("Enter the reference of the check with Chongqing (up to 60 characters)"),
    "reason": N_("Give the reason (up to 500 characters)"),
    "outcome": N_("Choose whether to recognise it"),
    "void_reason": N_("Give the reason (up to 500 characters)"),
}
TWICE = N_("This certificate is already recorded for this worker, or changed a moment ago.")
CONTENT_FIELDS = (
    "origin",
    "certificate_number",
    "issuing_body",
    "issuer_region_code",
    "country",
    "title",
    "occupation_code",
    "level",
    "issue_date",
    "scan_description",
)


def words(request: Request) -> dict[str, object]:
    """What every cross-border template gets."""
    language = language_of(request)
    return {
        "origins": {k.value: t(request, v) for k, v in ORIGINS.items()},
        "border_states": {k.value: t(request, v) for k, v in STATES.items()},
        "border_tags": TAGS,
        "level_options": [
            (lv.value, level(lv, language)) for lv in SkillLevel if lv is not SkillLevel.APPRENTICE
        ],
    }


def page_errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    """The domain's errors in the page's words, each on its field (the worker on the number)."""
    found = []
    for error in failed.errors:
        field = "id_number" if error.field == "worker" else error.field
        message = FIELD_MESSAGES.get(error.field)
        found.append(PageError(field, t(request, message) if message else error.message))
    return found


def content_of(form: dict[str, str], errors: list[FieldError]) -> BorderContent:
    """The posted form as the domain checks it; a malformed choice or date is an error here."""
    origin = form.get("origin", "")
    if origin not in Origin._value2member_map_:
        errors.append(FieldError("origin", "unknown", "an origin"))
    chosen = form.get("level", "")
    if chosen not in SkillLevel._value2member_map_:
        errors.append(FieldError("level", "unknown", "a level"))
    try:
        issued = date.fromisoformat(form.get("issue_date", ""))
    except ValueError:
        errors.append(FieldError("issue_date", "format", "a date"))
        issued = date(2000, 1, 1)
    return BorderContent(
        origin=Origin(origin) if origin in Origin._value2member_map_ else Origin.FOREIGN,
        certificate_number=form.get("certificate_number", ""),
        issuing_body=form.get("issuing_body", ""),
        issuer_region_code=form.get("issuer_region_code", ""),
        country=form.get("country", ""),
        title=form.get("title", ""),
        occupation_code=form.get("occupation_code", ""),
        level=SkillLevel(chosen) if chosen in SkillLevel._value2member_map_ else SkillLevel.JUNIOR,
        issue_date=issued,
        scan_description=form.get("scan_description", ""),
    )
