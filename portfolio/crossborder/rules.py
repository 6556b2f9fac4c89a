"""What a cross-border record must state, and what a decision needs.

Every broken rule is named at once, each on the field of the request it concerns:

* both: the issuing body, a catalogued occupation (the Chongqing certificate's, or the
  Sichuan occupation a foreign qualification is taken as), a level (初级工 and up: the level on
  a Chongqing certificate, the equivalent a foreign one claims), an issue date not in the
  future nor before 1990;
* Chongqing: the certificate number and the issuing body's region code, which must be
  Chongqing's (``50....``);
* foreign: the country (ISO 3166-1 alpha-3, not ``CHN``: a certificate from elsewhere in China
  is not foreign) and the qualification's title;
* a worker's submission also describes the scan they hold (the agency's check starts there).

Recognising a Chongqing certificate needs the reference of the check with Chongqing's records
(川渝互认核验); recognising a foreign one states the level it is recognised at (the claimed
one unless the officer says otherwise); refusing needs a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from portfolio import clock
from portfolio.crossborder.documents import Origin
from portfolio.errors import FieldError, ValidationFailed
from portfolio.identity import ISO_ALPHA3, parse_occupation_code, parse_region_code
from portfolio.occupations import catalogue_errors
from portfolio.vocabulary import SkillLevel

CHONGQING = "50"
MAX_TEXT = 120
MAX_NUMBER = 60
MAX_REASON = 500
FIRST_YEAR = 1990


@dataclass(frozen=True)
class BorderContent:
    """What a certificate or qualification from outside Sichuan states (a correction restates
    all of it)."""

    origin: Origin
    certificate_number: str
    issuing_body: str
    issuer_region_code: str
    country: str
    title: str
    occupation_code: str
    level: SkillLevel
    issue_date: date
    scan_description: str = ""


@dataclass(frozen=True)
class Decision:
    """The agency's decision: recognised (at ``level`` for a foreign one, with the check's
    reference for a Chongqing one) or refused with ``reason``."""

    recognised: bool
    level: SkillLevel | None = None
    check_reference: str = ""
    reason: str = ""


def clean(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    return " ".join(text.split())


def _text(errors: list[FieldError], field: str, value: str, most: int, required: bool) -> None:
    if (required and not value) or len(value) > most:
        rule = "required" if not value else "length"
        errors.append(FieldError(field, rule, f"1 to {most} characters"))


async def checked_content(
    content: BorderContent, now: datetime, *, by_worker: bool, kept_occupation: str = ""
) -> BorderContent:
    """``content`` cleaned, or every broken rule at once."""
    chongqing = content.origin is Origin.CHONGQING
    cleaned = replace(
        content,
        certificate_number=clean(content.certificate_number).upper(),
        issuing_body=clean(content.issuing_body),
        issuer_region_code=clean(content.issuer_region_code) if chongqing else "",
        country="CHN" if chongqing else clean(content.country).upper(),
        title="" if chongqing else clean(content.title),
        scan_description=clean(content.scan_description),
    )
    errors: list[FieldError] = []
    _text(errors, "certificate_number", cleaned.certificate_number, MAX_NUMBER, chongqing)
    _text(errors, "issuing_body", cleaned.issuing_body, MAX_TEXT, True)
    _text(errors, "scan_description", cleaned.scan_description, MAX_REASON, by_worker)
    if chongqing:
        try:
            region = parse_region_code(cleaned.issuer_region_code, field="issuer_region_code")
            if not region.startswith(CHONGQING):
                errors.append(
                    FieldError(
                        "issuer_region_code", "not_chongqing", "a Chongqing region code (50....)"
                    )
                )
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    else:
        if cleaned.country == "CHN":
            errors.append(FieldError("country", "not_foreign", "a country other than China"))
        elif cleaned.country not in ISO_ALPHA3:
            errors.append(FieldError("country", "iso_3166", "an ISO 3166-1 alpha-3 code"))
        _text(errors, "title", cleaned.title, MAX_TEXT, True)
    try:
        code = parse_occupation_code(content.occupation_code, field="occupation_code").code
        cleaned = replace(cleaned, occupation_code=code)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    kept = [kept_occupation] if kept_occupation else []
    errors.extend(await catalogue_errors({"occupation_code": cleaned.occupation_code}, kept=kept))
    if content.level is SkillLevel.APPRENTICE:
        errors.append(FieldError("level", "not_a_level", "初级工 (junior) or above"))
    if content.issue_date > clock.china_today(now):
        errors.append(FieldError("issue_date", "future", "must not be in the future"))
    elif content.issue_date.year < FIRST_YEAR:
        errors.append(FieldError("issue_date", "range", f"from {FIRST_YEAR}"))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def checked_decision(origin: Origin, claimed: SkillLevel, decision: Decision) -> Decision:
    """``decision`` completed (the level recognised) and cleaned, or every broken rule."""
    errors: list[FieldError] = []
    reason = clean(decision.reason)
    reference = clean(decision.check_reference)
    _text(errors, "reason", reason, MAX_REASON, not decision.recognised)
    _text(errors, "check_reference", reference, MAX_NUMBER, False)
    level: SkillLevel | None = None
    if decision.recognised:
        if origin is Origin.CHONGQING:
            # Mutual recognition: the level the certificate states, once Chongqing confirms it.
            level = claimed
            if decision.level is not None and decision.level is not claimed:
                errors.append(
                    FieldError("level", "as_certified", "a Chongqing certificate keeps its level")
                )
            if not reference:
                errors.append(
                    FieldError("check_reference", "required", "the reference of the check")
                )
        else:
            level = decision.level or claimed
            if level is SkillLevel.APPRENTICE:
                errors.append(FieldError("level", "not_a_level", "初级工 (junior) or above"))
    if errors:
        raise ValidationFailed(errors)
    return Decision(decision.recognised, level, reference, reason)
