"""The words of the training, voucher and apprenticeship pages for the domain's codes.

Stored values are English slugs; a page says them in words, in the request's language
(``word(value)`` in the templates), and with a status tag's kind where the value is a state
(``tag_kind(value)``: never colour alone, the word is always there). Also the cities of
Sichuan, which the catalogue is searched by (region prefixes of four digits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from api.web.i18n import N_
from api.web.templating import t

# By (kind, value): the same slug may mean different things in different vocabularies.
WORDS: dict[tuple[str, str], str] = {
    # enrolments
    ("enrolment", "requested"): N_("Applied, awaiting the provider"),
    ("enrolment", "accepted"): N_("Accepted"),
    ("enrolment", "refused"): N_("Refused"),
    ("enrolment", "in_training"): N_("In training"),
    ("enrolment", "completed"): N_("Completed"),
    ("enrolment", "withdrawn"): N_("Withdrawn"),
    ("withdraw", "worker"): N_("by you"),
    ("withdraw", "provider"): N_("by the provider"),
    ("withdraw", "agency"): N_("by the agency"),
    ("withdraw", "no_show"): N_("did not attend"),
    ("withdraw", "other"): N_("other reason"),
    ("result", "passed"): N_("Passed"),
    ("result", "failed"): N_("Not passed"),
    # attendance
    ("attendance", "unconfirmed"): N_("Awaiting your answer"),
    ("attendance", "confirmed"): N_("Confirmed"),
    ("attendance", "rejected"): N_("You said you were not there"),
    ("attendance", "voided"): N_("Withdrawn by the provider"),
    ("capture", "manual"): N_("entered by the provider"),
    ("capture", "face"): N_("face check-in"),
    ("capture", "qr_code"): N_("QR code check-in"),
    ("capture", "e_id"): N_("electronic ID check-in"),
    # courses
    ("funding", "unemployment_insurance"): N_("Unemployment insurance fund"),
    ("funding", "employment_subsidy"): N_("Employment subsidy fund"),
    ("funding", "other"): N_("Other funds"),
    ("funding", "unspecified"): N_("Fund not specified"),
    ("type", "employment_skills"): N_("Employment skills training"),
    ("type", "skill_upgrading"): N_("On-the-job skill upgrading"),
    ("type", "entrepreneurship"): N_("Entrepreneurship training"),
    ("brand", "tianfu_new_farmer"): N_("Tianfu New Farmer"),
    ("brand", "tianfu_builder"): N_("Tianfu Builder"),
    ("brand", "sichuan_chef"): N_("Sichuan Chef"),
    ("brand", "tianfu_technician"): N_("Tianfu Technician"),
    ("brand", "tianfu_digital_craftsman"): N_("Tianfu Digital Craftsman"),
    ("brand", "local_labour"): N_("Local labour brand"),
    ("delivery", "in_person"): N_("In person"),
    ("delivery", "online"): N_("Online"),
    ("delivery", "blended"): N_("In person and online"),
    ("closed", "ended"): N_("This class has ended."),
    ("closed", "full"): N_("This class is full."),
    ("closed", "provider_inactive"): N_("This provider is not taking applications at the moment."),
    # vouchers
    ("voucher", "issued"): N_("Ready to use"),
    ("voucher", "bound"): N_("Reserved for a class"),
    ("voucher", "claimed"): N_("Claimed by the provider"),
    ("voucher", "redeemed"): N_("Used"),
    ("voucher", "cancelled"): N_("Cancelled"),
    ("voucher", "expired"): N_("Expired"),
    # apprenticeships
    ("apprenticeship", "draft"): N_("Being agreed"),
    ("apprenticeship", "approved"): N_("Approved, awaiting your confirmation"),
    ("apprenticeship", "confirmed"): N_("Confirmed, not started"),
    ("apprenticeship", "active"): N_("Under way"),
    ("apprenticeship", "paused"): N_("Paused"),
    ("apprenticeship", "stopped"): N_("Ended early"),
    ("apprenticeship", "completed"): N_("Completed"),
    ("party", "employer"): N_("The employer"),
    ("party", "institution"): N_("The training institution"),
    ("party", "agency"): N_("The agency"),
    ("party", "worker"): N_("You"),
    ("event", "created"): N_("Proposed"),
    ("event", "approved"): N_("Approved"),
    ("event", "confirmed"): N_("Confirmed"),
    ("event", "started"): N_("Started"),
    ("event", "paused"): N_("Paused"),
    ("event", "resumed"): N_("Resumed"),
    ("event", "stopped"): N_("Ended early"),
    ("event", "completed"): N_("Completed"),
    ("event", "change_proposed"): N_("Change proposed"),
    ("event", "change_accepted"): N_("Change accepted"),
    ("event", "change_rejected"): N_("Change rejected"),
    ("event", "sent_back"): N_("Sent back by the agency"),
    # the ways to a skill level
    ("road", "course"): N_("A course and its assessment"),
    ("road", "assessment"): N_("An accredited assessment body"),
    ("road", "enterprise"): N_("Enterprise self-assessment"),
    ("road", "direct_recognition"): N_("Direct recognition"),
    ("road", "special_ability"): N_("Special vocational ability"),
    ("road", "apprenticeship"): N_("Apprenticeship"),
    ("accreditation_kind", "assessment_body"): N_("Assessment body"),
    ("accreditation_kind", "enterprise"): N_("Enterprise self-assessment"),
    ("accreditation", "active"): N_("Active"),
    ("accreditation", "suspended"): N_("Suspended"),
    ("accreditation", "expired"): N_("Outside its period"),
    ("norm", "published"): N_("Published"),
    ("norm", "withdrawn"): N_("Withdrawn"),
    ("recognition", "proposed"): N_("Waiting for the agency"),
    ("recognition", "confirmed"): N_("Confirmed"),
    ("recognition", "refused"): N_("Refused"),
}

_KINDS = {
    ("enrolment", "requested"): "info",
    ("enrolment", "accepted"): "ok",
    ("enrolment", "refused"): "bad",
    ("enrolment", "in_training"): "info",
    ("enrolment", "completed"): "ok",
    ("attendance", "unconfirmed"): "warn",
    ("attendance", "confirmed"): "ok",
    ("attendance", "rejected"): "bad",
    ("voucher", "issued"): "ok",
    ("voucher", "bound"): "info",
    ("voucher", "claimed"): "info",
    ("voucher", "cancelled"): "bad",
    ("apprenticeship", "approved"): "warn",
    ("apprenticeship", "active"): "ok",
    ("apprenticeship", "paused"): "warn",
    ("apprenticeship", "stopped"): "bad",
    ("apprenticeship", "completed"): "ok",
    ("accreditation", "active"): "ok",
    ("accreditation", "suspended"): "bad",
    ("accreditation", "expired"): "warn",
    ("norm", "withdrawn"): "bad",
    ("recognition", "proposed"): "warn",
    ("recognition", "confirmed"): "ok",
    ("recognition", "refused"): "bad",
}

# The cities and prefectures of Sichuan (GB/T 2260), by the four digits of their region codes.
CITIES: dict[str, str] = {
    "5101": N_("Chengdu"),
    "5103": N_("Zigong"),
    "5104": N_("Panzhihua"),
    "5105": N_("Luzhou"),
    "5106": N_("Deyang"),
    "5107": N_("Mianyang"),
    "5108": N_("Guangyuan"),
    "5109": N_("Suining"),
    "5110": N_("Neijiang"),
    "5111": N_("Leshan"),
    "5113": N_("Nanchong"),
    "5114": N_("Meishan"),
    "5115": N_("Yibin"),
    "5116": N_("Guang'an"),
    "5117": N_("Dazhou"),
    "5118": N_("Ya'an"),
    "5119": N_("Bazhong"),
    "5120": N_("Ziyang"),
    "5132": N_("Ngawa"),
    "5133": N_("Garzê"),
    "5134": N_("Liangshan"),
}


def word_of(request: Request) -> Callable[[str, Any], str]:
    """``word(kind, value)`` in the request's language (the value itself when unknown)."""

    def word(kind: str, value: Any) -> str:
        key = (kind, str(getattr(value, "value", value)))
        known = WORDS.get(key)
        return t(request, known) if known else key[1]

    return word


def tag_kind(kind: str, value: Any) -> str:
    """The status tag's kind of a state (``neutral`` for the quiet ones)."""
    return _KINDS.get((kind, str(getattr(value, "value", value))), "neutral")


def city_of(request: Request) -> Callable[[str], str]:
    """``city(region_code)``: the city's name in the request's language, else the code."""

    def city(region_code: str) -> str:
        known = CITIES.get(region_code[:4])
        return t(request, known) if known else region_code

    return city


def page_words(request: Request) -> dict[str, Any]:
    """What every training page's template gets: ``word``, ``tag_kind`` and ``city``."""
    return {"word": word_of(request), "tag_kind": tag_kind, "city": city_of(request)}
