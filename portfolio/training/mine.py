"""The worker's own classes, as their pages show them: each enrolment with its course,
provider and dates, and one class in full with each session's attendance.

Only the signed-in worker's enrolments are reached (another's is "not found"). The course,
run and provider of a page of enrolments are looked up value by value (``find_each``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import TypeVar

from beanie import Document

from portfolio import ids
from portfolio.accounts import Actor
from portfolio.archives import require_worker
from portfolio.errors import NotFound
from portfolio.lookups import find_each
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.training.applications import WITHDRAWABLE
from portfolio.training.attendance import hours_attended, records_by_enrolment, records_of
from portfolio.training.course_versions import terms_of_runs
from portfolio.training.documents import (
    AttendanceRecord,
    Course,
    Enrolment,
    Organisation,
    Run,
)
from portfolio.training.enums import AttendanceStatus
from portfolio.training.lifecycle import visible_enrolment
from portfolio.training.views import AttendanceView, EnrolmentView, SessionView
from portfolio.vocabulary import SkillLevel

D = TypeVar("D", bound=Document)


@dataclass(frozen=True)
class MyClassView:
    """One of the worker's enrolments with its class: what their list of classes shows."""

    enrolment: EnrolmentView
    course_title: str
    occupation_code: str
    target_level: SkillLevel | None
    planned_hours: float
    provider_name: str
    start_date: date | None
    end_date: date | None
    location: str
    hours_confirmed: float
    awaiting_confirmation: int

    @property
    def id(self) -> str:
        """The enrolment's id (the page's address)."""
        return self.enrolment.id

    @property
    def withdrawable(self) -> bool:
        """True while the worker may take the application back (not yet in training)."""
        return self.enrolment.status in WITHDRAWABLE


@dataclass(frozen=True)
class SessionLineView:
    """One session of the class and the latest record of the worker's presence at it."""

    session: SessionView
    record: AttendanceView | None


@dataclass(frozen=True)
class MyClassDetailView(MyClassView):
    """One class in full: its run, each session's attendance, and the records awaiting the
    worker's answer (each session's latest, when unconfirmed)."""

    run_id: str
    trainers: list[str]
    sessions: list[SessionLineView]
    awaiting: list[AttendanceView]


def _latest_by_session(records: list[AttendanceRecord]) -> dict[int, AttendanceRecord]:
    """Each session's latest record, whatever its status (the one that says where it stands;
    an older record a correction superseded is asked about no more)."""
    latest: dict[int, AttendanceRecord] = {}
    for item in records:
        known = latest.get(item.session_n)
        if known is None or (item.recorded_at, str(item.id)) > (known.recorded_at, str(known.id)):
            latest[item.session_n] = item
    return latest


def _class_view(
    enrolment: Enrolment,
    run: Run | None,
    course: Course | None,
    organisation: Organisation | None,
    records: list[AttendanceRecord],
) -> MyClassView:
    latest = _latest_by_session(records).values()
    return MyClassView(
        enrolment=EnrolmentView.of(enrolment),
        course_title=course.title if course else "",
        occupation_code=course.occupation_code if course else "",
        target_level=course.target_level if course else None,
        planned_hours=course.planned_hours if course else 0,
        provider_name=organisation.name if organisation else "",
        start_date=run.start_date if run else None,
        end_date=run.end_date if run else None,
        location=run.location if run else "",
        hours_confirmed=hours_attended(records),
        awaiting_confirmation=sum(1 for r in latest if r.status is AttendanceStatus.UNCONFIRMED),
    )


async def _by_id(model: type[D], keys: set[str], what: str) -> dict[str, D]:
    found = await find_each(model, "_id", [ids.parse(key, what) for key in keys])
    return {str(item.id): item for item in found}


async def list_my_classes(*, actor: Actor, page: PageRequest) -> Page[MyClassView]:
    """The worker's enrolments, newest first, each with its class (any status)."""
    keys = by_id(page)
    archive_id = str(require_worker(actor))
    found = await id_page(
        Enrolment, {"archive_id": archive_id}, keys, view=lambda e: e, newest_first=True
    )
    runs = await _by_id(Run, {e.run_id for e in found.items}, "run")
    # Each class's course as its run was scheduled (course_versions.py), by run id.
    courses = await terms_of_runs(list(runs.values()))
    providers = await _by_id(Organisation, {e.organisation_id for e in found.items}, "provider")
    records = await records_by_enrolment([str(e.id) for e in found.items])
    items = [
        _class_view(
            e,
            runs.get(e.run_id),
            courses.get(e.run_id),
            providers.get(e.organisation_id),
            records[str(e.id)],
        )
        for e in found.items
    ]
    return Page(items=items, next_cursor=found.next_cursor)


async def my_class(*, actor: Actor, enrolment_id: str) -> MyClassDetailView:
    """One of the worker's classes in full (another worker's is not found)."""
    require_worker(actor)
    enrolment = await visible_enrolment(actor, enrolment_id)
    run = await Run.get(ids.parse(enrolment.run_id, "run"))
    course = (await terms_of_runs([run])).get(str(run.id)) if run is not None else None
    organisation = await Organisation.get(ids.parse(enrolment.organisation_id, "organisation"))
    if run is None:
        raise NotFound("no such enrolment")
    records = await records_of(str(enrolment.id))
    latest = _latest_by_session(records)
    listed = _class_view(enrolment, run, course, organisation, records)
    return MyClassDetailView(
        **{f.name: getattr(listed, f.name) for f in fields(MyClassView)},
        run_id=str(run.id),
        trainers=list(run.trainers),
        sessions=[
            SessionLineView(
                session=SessionView.of(s),
                record=AttendanceView.of(latest[s.n]) if s.n in latest else None,
            )
            for s in run.sessions
        ],
        awaiting=[
            AttendanceView.of(r)
            for r in sorted(latest.values(), key=lambda r: r.session_n)
            if r.status is AttendanceStatus.UNCONFIRMED
        ],
    )
