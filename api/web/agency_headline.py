"""The dashboard's headline figures of the officer's region (issue 23), read from the report
counters (``portfolio.reports``: one indexed read each, never a scan of vouchers or training):
vouchers issued and redeemed this month (count and money), and this year's training
(people trained, completions, certificates). Small cells are hidden exactly as on the
statistics pages (``<N``). Apprenticeships waiting for approval are counted up to a page of
the approval queue (``portfolio.apprenticeships.reading``; more shows as ``N+``)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from api.runtime import get_runtime
from api.web.report_pages import cell
from portfolio import clock
from portfolio.accounts import Actor
from portfolio.apprenticeships import reading
from portfolio.apprenticeships.enums import ApprenticeshipStatus
from portfolio.reports import training, vouchers
from portfolio.reports.query import ReportQuery

APPRENTICESHIPS_COUNTED = 50


@dataclass(frozen=True)
class Headline:
    """The figures as text, ready to show."""

    month: str
    year: str
    issued: str
    issued_money: str
    redeemed: str
    redeemed_money: str
    people_trained: str
    completions: str
    certificates: str
    apprenticeships_waiting: str


async def headline(request: Request, actor: Actor) -> Headline:
    """The region's headline figures (see the module's docstring)."""
    threshold = get_runtime(request).settings.report_min_cell
    today = clock.china_today()
    month = f"{today.year:04d}-{today.month:02d}"
    year_from = f"{today.year:04d}-01"
    money = await vouchers.report(
        actor=actor, query=ReportQuery(month_from=month, month_to=month), threshold=threshold
    )
    taught = await training.report(
        actor=actor, query=ReportQuery(month_from=year_from, month_to=month), threshold=threshold
    )
    drafts = await reading.list_visible(
        actor=actor, after=None, limit=APPRENTICESHIPS_COUNTED, status=ApprenticeshipStatus.DRAFT
    )
    waiting = f"{len(drafts.items)}{'+' if drafts.next_cursor else ''}"

    def of_money(name: str) -> str:
        return cell(request, money, money.total, name)

    def of_training(name: str) -> str:
        return cell(request, taught, taught.total, name)

    return Headline(
        month=month,
        year=str(today.year),
        issued=of_money("issued"),
        issued_money=of_money("issued_fen"),
        redeemed=of_money("redeemed"),
        redeemed_money=of_money("redeemed_fen"),
        people_trained=of_training("people_trained"),
        completions=of_training("completions"),
        certificates=of_training("certificates"),
        apprenticeships_waiting=waiting,
    )
