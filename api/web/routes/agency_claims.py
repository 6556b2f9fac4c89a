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

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
from api.web.claims_words import claim_words
from api.web.forms import forget_form_state, form_state
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio import ids
from portfolio.integrity import FlagCode, Thresholds
from portfolio.vouchers import claims, desk

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
    flagged, disputed, and waiting for a second approval."""
    found = await desk.desk(actor=actor)
    return await render(
        request,
        "agency/dashboard.html",
        {**page_words(request), **claim_words(request), "desk": found},
    )


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
) -> Response:
    """The claims waiting in the officer's region, as ``GET /claims`` lists them (newest
    first, or highest flag score first), filtered by provider, flag, flagged or disputed."""
    code = flag if flag in {f.value for f in FlagCode} else None
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
    )
    cursor_next = found.page.next_cursor
    more = f"{QUEUE}?{urlencode(_query(request, cursor=cursor_next))}" if cursor_next else None
    filters: dict[str, Any] = {
        "provider": provider,
        "flag": code or "",
        "flagged": flagged if flagged in _YES_NO else "",
        "disputed": disputed if disputed in _YES_NO else "",
        "sort": "flags" if sort == "flags" else "",
    }
    return await render(
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
        },
    )


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
