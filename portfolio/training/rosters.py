"""Lists of enrolments: a run's class list, a worker's own enrolments, a provider's
completions. Each is keyset-paged (``portfolio/paging.py``) and shows enrolment views."""

from __future__ import annotations

from portfolio import ids
from portfolio.accounts import Actor, Role
from portfolio.archives import log_reads
from portfolio.errors import Forbidden, NotFound
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.training.attendance import hours_attended, records_by_enrolment
from portfolio.training.documents import Enrolment, Run
from portfolio.training.enums import AttendanceStatus, CompletionResult, EnrolmentStatus
from portfolio.training.organisations import acting_organisation
from portfolio.training.views import AttendanceView, EnrolmentView, MyEnrolmentView


async def list_for_run(*, actor: Actor, run_id: str, page: PageRequest) -> Page[EnrolmentView]:
    """A run's class list, for its provider or an agency of the run's region, oldest first."""
    keys = by_id(page)
    run = await Run.get(ids.parse(run_id, "run"))
    visible = run is not None and (
        (actor.role is Role.PROVIDER and actor.organisation_id == str(run.organisation_id))
        or actor.covers_region(run.region_code)
    )
    if not visible:
        raise NotFound("no such run")
    shown = await id_page(Enrolment, {"run_id": run_id}, keys, view=lambda e: e)
    await log_reads(actor, [e.archive_id for e in shown.items], what="class list")
    return Page(items=[EnrolmentView.of(e) for e in shown.items], next_cursor=shown.next_cursor)


async def list_for_worker(*, actor: Actor, page: PageRequest) -> Page[MyEnrolmentView]:
    """The worker's own enrolments, newest first, each with the hours confirmed so far and
    the attendance records awaiting the worker's confirmation."""
    keys = by_id(page)
    if actor.role is not Role.WORKER or not actor.archive_id:
        raise Forbidden("only a worker may do this")
    found = await id_page(
        Enrolment, {"archive_id": actor.archive_id}, keys, view=lambda e: e, newest_first=True
    )
    records = await records_by_enrolment([str(e.id) for e in found.items])
    items = []
    for enrolment in found.items:
        own = records[str(enrolment.id)]
        awaiting = [AttendanceView.of(r) for r in own if r.status is AttendanceStatus.UNCONFIRMED]
        items.append(MyEnrolmentView.mine(enrolment, hours_attended(own), awaiting))
    return Page(items=items, next_cursor=found.next_cursor)


async def list_completions(
    *, actor: Actor, run_id: str | None, result: CompletionResult | None, page: PageRequest
) -> Page[EnrolmentView]:
    """The provider's completed enrolments, filtered by run and result, oldest first."""
    keys = by_id(page)
    organisation = await acting_organisation(actor, to_record=False)
    query: dict[str, object] = {
        "organisation_id": str(organisation.id),
        "status": EnrolmentStatus.COMPLETED.value,
    }
    if run_id:
        query["run_id"] = run_id
    if result is not None:
        query["result"] = result.value
    shown = await id_page(Enrolment, query, keys, view=lambda e: e)
    await log_reads(actor, [e.archive_id for e in shown.items], what="completions list")
    return Page(items=[EnrolmentView.of(e) for e in shown.items], next_cursor=shown.next_cursor)
