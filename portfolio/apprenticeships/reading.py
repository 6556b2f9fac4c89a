"""Reading agreements: the lists within reach, and one agreement with its story and subsidy.

Lists and single reads apply the same reach (``access.agreement_reach``): an agency lists the
agreements of employers *and* of workers in its region, exactly those it may open one by one.
"""

from __future__ import annotations

from datetime import date

from beanie import PydanticObjectId

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.apprenticeships import history
from portfolio.apprenticeships.access import agreement_reach, get_visible, listed
from portfolio.apprenticeships.changes import changes_of
from portfolio.apprenticeships.documents import Apprenticeship, ApprenticeshipEvent
from portfolio.apprenticeships.enums import ApprenticeshipStatus
from portfolio.apprenticeships.rules import Subsidy, subsidy
from portfolio.apprenticeships.views import (
    ApprenticeshipDetailView,
    ApprenticeshipView,
    EventView,
    ViewPage,
    page_of,
)
from portfolio.archives import log_reads


async def list_visible(
    *,
    actor: Actor,
    after: PydanticObjectId | None,
    limit: int,
    status: ApprenticeshipStatus | None = None,
) -> ViewPage[ApprenticeshipView]:
    """Agreements within reach, oldest first, keyset-paged on ``_id``.

    A provider's as the employer or the institution; an agency's of employers or workers in
    its region (``?status=draft`` of its employers is its approval queue); every one for an
    admin. Each way of reaching them is its own indexed query, merged (no ``$or``).
    """
    base = {"status": status.value} if status is not None else {}
    found = await listed(Apprenticeship, agreement_reach(actor), base, after=after, limit=limit)
    await log_reads(actor, [a.archive_id for a in found], what="apprenticeship list")
    return page_of([ApprenticeshipView.of(a) for a in found], limit)


async def list_for_worker(
    *, actor: Actor, after: PydanticObjectId | None, limit: int
) -> ViewPage[ApprenticeshipView]:
    """The worker's own agreements, newest first (drafts too: the worker sees what is coming)."""
    found = await listed(
        Apprenticeship, agreement_reach(actor), {}, after=after, limit=limit, newest_first=True
    )
    return page_of([ApprenticeshipView.of(a) for a in found], limit)


def subsidy_of(
    apprenticeship: Apprenticeship, events: list[ApprenticeshipEvent], today: date
) -> Subsidy:
    """The subsidy owed as of today (or as of the last day, once stopped or completed)."""
    as_of = date.fromisoformat(apprenticeship.ended_on) if apprenticeship.ended_on else today
    return subsidy(
        history.milestones(events),
        per_year_fen=apprenticeship.subsidy_fen_per_year,
        as_of=as_of,
        planned_end=date.fromisoformat(apprenticeship.plan.planned_end),
    )


async def detail(*, actor: Actor, apprenticeship_id: str) -> ApprenticeshipDetailView:
    """One agreement within reach, with its history, change requests and subsidy figure."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    events = await history.events_of(apprenticeship)
    await log_reads(actor, [apprenticeship.archive_id], what="apprenticeship")
    return ApprenticeshipDetailView.with_story(
        ApprenticeshipView.of(apprenticeship),
        subsidy=subsidy_of(apprenticeship, events, clock.china_today()),
        history=[EventView.of(e) for e in events],
        changes=changes_of(apprenticeship, events),
    )
