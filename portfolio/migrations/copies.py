"""The steps of ``privacy-2`` outside the archive: copies of the masked number, voucher grounds,
phone-number logins and the audit trail's copies of their names.

Each step turns one raw document into the ``$set`` (or nothing) that brings it to the new
form; the runner walks the collections and writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portfolio.accounts.documents import Principal
from portfolio.accounts.logins import as_phone, phone_login_name
from portfolio.identity.masking import remask_legacy
from portfolio.identity.protection import FieldProtection
from portfolio.vouchers.enums import RuleCode
from portfolio.vouchers.rules import age_band_outcome

# The age-band reasons as they were written before: they stated the exact age.
_OLD_AGE_ZH = re.compile(r"年龄\d+岁，(?:不)?符合本政策(?P<band>.+)的要求。")
_OLD_AGE_EN = re.compile(r"Aged \d+(?:;|, but) the policy is for people aged (?P<band>.+)\.")


def masked_copy(document: Mapping[str, Any]) -> dict[str, Any]:
    """The ``$set`` of an enrolment, voucher or apprenticeship: its copy of the masked number
    in the new form, and for a voucher the grounds without the exact age."""
    update: dict[str, Any] = {}
    masked = document.get("worker_masked_id")
    if isinstance(masked, str) and remask_legacy(masked) != masked:
        update["worker_masked_id"] = remask_legacy(masked)
    grounds = document.get("grounds")
    if isinstance(grounds, list):
        rewritten = [_ground(g) for g in grounds]
        if rewritten != grounds:
            update["grounds"] = rewritten
    return update


def _ground(outcome: Any) -> Any:
    if not isinstance(outcome, Mapping) or outcome.get("rule") != RuleCode.AGE_BAND.value:
        return outcome
    zh = _OLD_AGE_ZH.fullmatch(str(outcome.get("reason_zh", "")))
    en = _OLD_AGE_EN.fullmatch(str(outcome.get("reason_en", "")))
    if zh is None or en is None:
        return outcome
    fresh = age_band_outcome(bool(outcome["passed"]), zh["band"], en["band"])
    return {**outcome, "reason_zh": fresh.reason_zh, "reason_en": fresh.reason_en}


def phone_login(document: Mapping[str, Any], protection: FieldProtection) -> dict[str, Any]:
    """The ``$set`` of a worker principal named by a phone number: its keyed name."""
    phone = as_phone(str(document.get("username", "")))
    if document.get("role") != "worker" or phone is None:
        return {}
    return {"username": phone_login_name(protection, phone)}


class AuditNames:
    """Rewrites the audit trail's copies of the phone-number logins that were renamed."""

    def __init__(self, protection: FieldProtection) -> None:
        self._protection = protection
        self._still_used: dict[str, bool] = {}

    async def update(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """The ``$set`` of one audit event (empty when it names no renamed login)."""
        name = document.get("username")
        phone = as_phone(name) if isinstance(name, str) else None
        if phone is None or not isinstance(name, str):
            return {}
        if name not in self._still_used:
            # An account an administrator named like a phone number keeps its name.
            self._still_used[name] = await Principal.find_one({"username": name}) is not None
        if self._still_used[name]:
            return {}
        return {"username": phone_login_name(self._protection, phone)}
