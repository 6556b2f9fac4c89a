"""The agency's claims review: the officer's dashboard (``/agency``), the queue of claims of
their region (``/agency/claims``) and each claim with all its evidence
(``/agency/claims/{voucher_id}``). The decisions on a claim are in ``agency_decisions.py``.

Each page calls one service of ``portfolio.vouchers.desk``, which reads through the same
functions as ``GET /claims`` and ``GET /claims/{id}``: the same region scope (another
region's claim is "not found"), the same filters and order.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Query
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
from api.web.agency_headline import headline
from api.web.claims_words import claim_words
from api.web.forms import FormState, PageError, forget_form_state, form_state
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio import ids
from portfolio.integrity import FlagCode, Thresholds
from portfolio.vouchers import claims, desk
from portfolio.vouchers.queue_filters import QueueFilter

router = page_router()
PAGE_SIZE = 25
QUEUE = "/agency/claims"

NOTICES = {
    "paid": N_("The claim is approved: the amount is owed to the provider."),
    "first": N_("Your first approval is recorded. Another officer gives the second approval."),
    "rejected": N_("The claim was sent back to the provider with your reason."),
    "counter": N_("The worker's confirmation at the counter is recorded."),
}
_YES_NO = {"yes": True, "no": False}


def _choice(value: str | None) -> bool | None:
    return _YES_NO.get(value or "")


@router.get("/agency")
async def agency_home(request: Request, actor: AgencyPage) -> Response:
    """The officer's dashboard: claims waiting with the money at stake (oldest first),
    flagged, disputed, and waiting for a second approval; the apprenticeships waiting and the
    region's headline figures (``api.web.agency_headline``)."""
    found = await desk.desk(actor=actor)
    return await render(
        request,
        "agency/dashboard.html",
        {
            **page_words(request),
            **claim_words(request),
            "desk": found,
            "headline": await headline(request, actor),
        },
    )


MESSAGES = {
    "min_yuan": N_("Enter the lowest amount as whole yuan, for example 500"),
    "max_yuan": N_("Enter the highest amount as whole yuan, for example 2000"),
    "days": N_("Enter the days waiting as a whole number, for example 7"),
    "below": N_("The highest amount must be at least the lowest"),
}


def _number(request: Request, name: str, raw: str, errors: list[PageError]) -> int | None:
    """A whole number of at most 9 digits typed in a filter; None when empty or bad (then
    the field's error is added)."""
    text = raw.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    errors.append(PageError(name, t(request, MESSAGES[name])))
    return None


def _query(request: Request, **changes: str) -> dict[str, str]:
    kept = {k: v for k, v in request.query_params.items() if v and k != "cursor"}
    return {**kept, **changes}


@router.get("/agency/claims")
async def claims_queue(
    request: Request,
    actor: AgencyPage,
    provider: str = "",
    flag: str = "",
    flagged: str = "",
    disputed: str = "",
    sort: str = "",
    cursor: str = "",
    course: str = Query(default="", max_length=64),
    min_yuan: str = Query(default="", max_length=12),
    max_yuan: str = Query(default="", max_length=12),
    days: str = Query(default="", max_length=6),
) -> Response:
    """The claims waiting in the officer's region, as ``GET /claims`` lists them (newest
    first, or highest flag score first), filtered by provider, course, flag, flagged,
    disputed, amount (in whole yuan) and days waiting. A bad number is named on the page
    (400) and the queue is not narrowed by it."""
    code = flag if flag in {f.value for f in FlagCode} else None
    errors: list[PageError] = []
    low = _number(request, "min_yuan", min_yuan, errors)
    high = _number(request, "max_yuan", max_yuan, errors)
    age = _number(request, "days", days, errors)
    if low is not None and high is not None and high < low:
        errors.append(PageError("max_yuan", t(request, MESSAGES["below"])))
        high = None
    narrow = QueueFilter(
        course_id=course if course and provider and ids.parse_or_none(course) else None,
        min_amount_fen=None if low is None else low * 100,
        max_amount_fen=None if high is None else high * 100,
        min_days_waiting=age,
    )
    found = await desk.queue(
        actor=actor,
        organisation_id=provider or None,
        flag=code,
        flagged=_choice(flagged),
        disputed=_choice(disputed),
        by_flags=sort == "flags",
        after=ids.parse_or_none(cursor),
        limit=PAGE_SIZE,
        min_share=get_runtime(request).settings.claim_min_attendance_share,
        narrow=narrow,
    )
    cursor_next = found.page.next_cursor
    more = f"{QUEUE}?{urlencode(_query(request, cursor=cursor_next))}" if cursor_next else None
    filters: dict[str, Any] = {
        "provider": provider,
        "flag": code or "",
        "flagged": flagged if flagged in _YES_NO else "",
        "disputed": disputed if disputed in _YES_NO else "",
        "sort": "flags" if sort == "flags" else "",
        "course": narrow.course_id or "",
        "min_yuan": min_yuan.strip(),
        "max_yuan": max_yuan.strip(),
        "days": days.strip(),
    }
    response = await render(
        request,
        "agency/queue.html",
        {
            **page_words(request),
            **claim_words(request),
            "queue": found,
            "provider_options": [
                (p.organisation_id, f"{p.name} ({p.waiting})") for p in found.providers
            ],
            "filters": filters,
            "filtered": any(filters.values()),
            "next_url": more,
            "first_url": f"{QUEUE}?{urlencode(_query(request))}" if cursor else None,
            "errors": errors,
            "error_of": FormState(errors=errors).error_of,
        },
    )
    if errors:
        response.status_code = 400
    return response


@router.get("/agency/claims/{voucher_id}")
async def claim_page(
    request: Request, actor: AgencyPage, voucher_id: str, notice: str = ""
) -> Response:
    """One claim with all its evidence and the officer's actions: approve (through a check
    of the answers), send back with a coded reason, record the worker at the counter."""
    found = await desk.claim_file(
        actor=actor,
        voucher_id=voucher_id,
        min_share=get_runtime(request).settings.claim_min_attendance_share,
    )
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/claim.html",
        {
            **page_words(request),
            **claim_words(request),
            "file": found,
            "claim": found.claim,
            "errors": state.errors,
            "error_of": state.error_of,
            "values": state.values,
            "notice": t(request, message) if message else None,
            "me": actor.principal_id,
        },
    )
    forget_form_state(request, response)
    return response


@router.get("/agency/claims/{voucher_id}/screening")
async def screening_page(request: Request, actor: AgencyPage, voucher_id: str) -> Response:
    """The fraud rules re-evaluated on the claim as its evidence stands now (a dry run, as
    ``POST /claims/{id}/screening``: nothing is written; the claim keeps its flags)."""
    runtime = get_runtime(request)
    flags = await claims.rescreen(
        actor=actor,
        voucher_id=voucher_id,
        keyring=runtime.keyring,
        limits=Thresholds.of(runtime.settings),
    )
    return await render(
        request,
        "agency/screening.html",
        {**claim_words(request), "flags": flags, "voucher_id": voucher_id},
    )
