"""The voucher policy form of the agency's pages: its fields as plain text (a query string on
the way to "check your answers", hidden fields on the way to publishing), read into the
domain's ``PolicyContent`` with an error per field, and the domain's own refusals (from
``policies.publish``) put back on the fields the officer typed.

Every field is single-valued (the training types are one checkbox each, ``type_<value>``),
so the same text travels unchanged through the check page's hidden fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from starlette.requests import Request

from api.web.forms import PageError
from api.web.i18n import N_
from api.web.occupation_words import NOT_IN_CATALOGUE
from api.web.templating import t
from portfolio.errors import FieldError
from portfolio.occupations import NOT_CATALOGUED
from portfolio.vocabulary import FundingSource, PriorityGroup, TrainingType
from portfolio.vouchers.inputs import ClaimTermsContent, PolicyContent, RulesContent
from portfolio.vouchers.views import PolicyView

TEXT_FIELDS = (
    "name",
    "face_value",
    "quantity",
    "validity_days",
    "valid_until",
    "occupation_codes",
    "min_age",
    "max_age",
    "insured_months",
    "change_note",
    "funding_source",
)
FLAG_FIELDS = (
    "unemployed",
    "one_unused",
    *(f"type_{kind.value}" for kind in TrainingType),
    *(f"group_{group.value}" for group in PriorityGroup),
)
FIELDS = (*TEXT_FIELDS, *FLAG_FIELDS)

MESSAGES = {
    "name": N_("Enter the policy's name, in at most 200 characters"),
    "face_value": N_("Enter the value in yuan, for example 800 or 800.50, at most 100,000"),
    "quantity": N_("Enter how many vouchers the policy may issue, a whole number from 1"),
    "validity_days": N_("Enter a number of days from 1 to 3650"),
    "valid_until": N_("Enter the last day as a date that has not passed, for example 2027-06-30"),
    "validity": N_("Give either the number of days or the last day, not both"),
    "occupation_codes": N_("Occupation codes separated by commas, for example 6-04-05-01"),
    "min_age": N_("An age from 16 to 100"),
    "max_age": N_("An age from 16 to 100, not below the lowest age"),
    "insured_months": N_("A number of months from 1 to 600"),
    "change_note": N_("Say what the new version changes, in at most 500 characters"),
    "funding_source": N_("Choose the fund that pays the vouchers"),
    "outside_scope": N_("The policy's region lies outside your region"),
}
# The domain's field names, as the form names them.
_DOMAIN_FIELDS = {
    "face_value_fen": "face_value",
    "rules.max_age": "max_age",
    "rules.min_age": "min_age",
    "rules.min_unemployment_insurance_months": "insured_months",
    "region_prefix": "name",
}
MAX_FEN = 10_000_000


@dataclass(frozen=True)
class PolicyForm:
    """The form's text: ``values`` by field name (flags are "yes" or absent)."""

    values: dict[str, str]

    @classmethod
    def of(cls, given: Mapping[str, str]) -> PolicyForm:
        """The form's fields out of a query string or a posted form (others ignored)."""
        return cls({name: given.get(name, "").strip()[:500] for name in FIELDS if given.get(name)})

    @classmethod
    def blank(cls) -> PolicyForm:
        """A new policy's form: one unused voucher at a time, as the API's default."""
        return cls({"one_unused": "yes"})

    @classmethod
    def of_policy(cls, policy: PolicyView) -> PolicyForm:
        """A version's content, to edit into the next version (the change note left blank)."""
        fen = policy.face_value_fen
        values = {
            "name": policy.name,
            "face_value": f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}",
            "quantity": str(policy.quantity),
            "validity_days": str(policy.validity_days or ""),
            "valid_until": policy.valid_until.isoformat() if policy.valid_until else "",
            "occupation_codes": ", ".join(policy.occupation_codes),
            "min_age": str(policy.rules.min_age or ""),
            "max_age": str(policy.rules.max_age or ""),
            "insured_months": str(policy.rules.min_unemployment_insurance_months or ""),
            "unemployed": "yes" if policy.rules.registered_unemployed else "",
            "one_unused": "yes" if policy.rules.one_unused_voucher else "",
            "funding_source": policy.funding_source.value,
        }
        for kind in policy.training_types:
            values[f"type_{kind.value}"] = "yes"
        for group in policy.rules.priority_groups:
            values[f"group_{group.value}"] = "yes"
        return cls({k: v for k, v in values.items() if v})

    def get(self, name: str) -> str:
        """A field's text ('' when empty)."""
        return self.values.get(name, "")

    @property
    def training_types(self) -> list[TrainingType]:
        """The training types ticked (none: any type)."""
        return [kind for kind in TrainingType if self.get(f"type_{kind.value}") == "yes"]

    @property
    def priority_groups(self) -> list[PriorityGroup]:
        """The priority groups ticked (none: the rule is not part of the policy)."""
        return [group for group in PriorityGroup if self.get(f"group_{group.value}") == "yes"]

    @property
    def occupation_codes(self) -> list[str]:
        """The occupation codes typed, in order, without repeats."""
        codes = [c.strip() for c in self.get("occupation_codes").replace("，", ",").split(",")]
        return list(dict.fromkeys(c for c in codes if c))


def fen_of(raw: str) -> int | None:
    """Yuan with at most two decimals as integer fen (no float on money)."""
    whole, _, cents = raw.replace(",", "").partition(".")
    if not whole.isdigit() or len(cents) > 2 or (cents and not cents.isdigit()):
        return None
    return int(whole) * 100 + int(cents.ljust(2, "0") or "0")


def _whole(raw: str, low: int, high: int) -> int | None:
    return int(raw) if raw.isdigit() and low <= int(raw) <= high else None


def _optional(form: PolicyForm, name: str, low: int, high: int, wrong: list[str]) -> int | None:
    raw = form.get(name)
    if not raw:
        return None
    number = _whole(raw, low, high)
    if number is None:
        wrong.append(name)
    return number


def read(
    form: PolicyForm, *, base: PolicyView | None = None
) -> tuple[PolicyContent | None, list[str]]:
    """The content the form states, or the names of its fields in error (in form order).

    For a new version (``base``: the current one) what the form does not show is kept from
    ``base``: the skill brands, the sub-region rule and the claim terms (the API sets them).
    """
    versioned = base is not None
    wrong: list[str] = []
    if not form.get("name") or len(form.get("name")) > 200:
        wrong.append("name")
    fen = fen_of(form.get("face_value"))
    if fen is None or not 1 <= fen <= MAX_FEN:
        wrong.append("face_value")
    quantity = _whole(form.get("quantity"), 1, 10_000_000)
    if quantity is None:
        wrong.append("quantity")
    days = _optional(form, "validity_days", 1, 3650, wrong)
    until: date | None = None
    if form.get("valid_until"):
        try:
            until = date.fromisoformat(form.get("valid_until"))
        except ValueError:
            wrong.append("valid_until")
    if (days is None) == (until is None) and not {"validity_days", "valid_until"} & set(wrong):
        wrong.append("validity")
    if len(form.occupation_codes) > 200 or any(len(c) > 20 for c in form.occupation_codes):
        wrong.append("occupation_codes")
    low = _optional(form, "min_age", 16, 100, wrong)
    high = _optional(form, "max_age", 16, 100, wrong)
    if low is not None and high is not None and high < low:
        wrong.append("max_age")
    months = _optional(form, "insured_months", 1, 600, wrong)
    source = FundingSource.UNSPECIFIED
    if form.get("funding_source"):
        try:
            source = FundingSource(form.get("funding_source"))
        except ValueError:
            wrong.append("funding_source")
    if versioned and not form.get("change_note"):
        wrong.append("change_note")
    if wrong or fen is None or quantity is None:
        return None, wrong
    content = PolicyContent(
        name=form.get("name"),
        face_value_fen=fen,
        quantity=quantity,
        validity_days=days,
        fixed_end=until,
        training_types=form.training_types,
        occupation_codes=form.occupation_codes,
        brands=base.brands if base else (),
        rules=RulesContent(
            registered_unemployed=form.get("unemployed") == "yes",
            min_unemployment_insurance_months=months,
            min_age=low,
            max_age=high,
            region_prefix=base.rules.region_prefix if base else None,
            one_unused_voucher=form.get("one_unused") == "yes",
            priority_groups=tuple(form.priority_groups),
        ),
        claim_terms=_terms(base),
        funding_source=source,
        change_note=form.get("change_note"),
    )
    return content, []


def _terms(base: PolicyView | None) -> ClaimTermsContent:
    if base is None:
        return ClaimTermsContent()
    terms = base.claim_terms
    return ClaimTermsContent(
        retroactive_days=terms.retroactive_days,
        max_claims_per_year=terms.max_claims_per_year,
        two_approvals_above_fen=terms.two_approvals_above_fen,
        attestation_wait_days=terms.attestation_wait_days,
    )


def page_errors(request: Request, names: list[str]) -> list[PageError]:
    """The fields in error with what each must hold (the summary links to the field)."""
    target = {"validity": "validity_days"}
    return [PageError(target.get(n, n), t(request, MESSAGES[n])) for n in dict.fromkeys(names)]


def domain_errors(request: Request, errors: list[FieldError]) -> list[PageError]:
    """The service's refusals on the form's fields, in the officer's words."""
    found: list[PageError] = []
    for error in errors:
        name = _DOMAIN_FIELDS.get(error.field, error.field)
        if error.rule == NOT_CATALOGUED:
            found.append(PageError("occupation_codes", t(request, NOT_IN_CATALOGUE)))
        elif error.rule == "outside_scope":
            found.append(PageError("name", t(request, MESSAGES["outside_scope"])))
        elif error.rule == "one_of":
            found.append(PageError("validity_days", t(request, MESSAGES["validity"])))
        elif name in MESSAGES:
            found.append(PageError(name, t(request, MESSAGES[name])))
        else:
            found.append(PageError("name", error.message))
    return found
