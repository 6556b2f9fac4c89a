"""The agency's settlement for a period: what its region owes each provider for the claims
it approved (``/agency/settlement``), and the same as the finance office's file (CSV or
.xlsx, ``/agency/settlement/file``), through the service and the single export writer that
``GET /settlements`` uses.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import urlencode

from fastapi import Query
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.downloads import download
from api.web.forms import FormState, PageError
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio import clock
from portfolio.errors import ValidationFailed
from portfolio.exports import export
from portfolio.vouchers import settlement

router = page_router()
_MESSAGES = {
    "from": N_("Enter the first day as a date, for example 2026-11-01"),
    "to": N_("Enter the last day as a date, for example 2026-11-30"),
    "before_from": N_("The last day comes before the first"),
    "too_long": N_("A period of at most 366 days"),
}


def _day(raw: str | None, default: date) -> date | None:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _period(
    request: Request, start: str | None, end: str | None
) -> tuple[date, date, list[PageError]]:
    """The period asked for (this month so far by default) and what is wrong with it."""
    today = clock.china_today()
    first, last = _day(start, today.replace(day=1)), _day(end, today)
    errors = [
        PageError(name, t(request, _MESSAGES[name]))
        for name, value in (("from", first), ("to", last))
        if value is None
    ]
    return first or today, last or today, errors


@router.get("/agency/settlement")
async def settlement_page(
    request: Request,
    actor: AgencyPage,
    start: str | None = Query(default=None, alias="from", max_length=20),
    end: str | None = Query(default=None, alias="to", max_length=20),
) -> Response:
    """The period's approved claims by provider, with the files to download."""
    first, last, errors = _period(request, start, end)
    result = None
    if not errors:
        try:
            result = await settlement.settlement(actor=actor, start=first, end=last)
        except ValidationFailed as failed:
            errors = [
                PageError("to", t(request, _MESSAGES[e.rule]) if e.rule in _MESSAGES else e.message)
                for e in failed.errors
            ]
    query = urlencode({"from": first.isoformat(), "to": last.isoformat()})
    return await render(
        request,
        "agency/settlement.html",
        {
            **page_words(request),
            "errors": errors,
            "error_of": FormState(errors=errors).error_of,
            "start": start if start is not None else first.isoformat(),
            "end": end if end is not None else last.isoformat(),
            "result": result,
            "csv_url": f"/agency/settlement/file?{query}&format=csv",
            "xlsx_url": f"/agency/settlement/file?{query}&format=xlsx",
        },
    )


@router.get("/agency/settlement/file")
async def settlement_file(
    actor: AgencyPage,
    start: date = Query(alias="from"),
    end: date = Query(alias="to"),
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """The settlement as a file: CSV (UTF-8 with a byte-order mark) or .xlsx, a total last."""
    result = await settlement.settlement(actor=actor, start=start, end=end)
    name = f"settlement-{result.region_prefix}-{start.isoformat()}-{end.isoformat()}"
    return download(export(settlement.as_sheet(result), file_format=format, basename=name))
