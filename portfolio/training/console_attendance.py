"""What the provider's console shows of one session: its class list with each worker's latest
record of presence there (hours, check-in method, the worker's confirmation state).

Recording goes through ``attendance.record_session`` and voiding through
``attendance.void``, as through the JSON API; this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio import ids
from portfolio.accounts import Actor
from portfolio.archives import log_reads
from portfolio.errors import NotFound
from portfolio.training.attendance import RECORDABLE, records_by_enrolment
from portfolio.training.console import CLASS_SHOWN
from portfolio.training.documents import Course, Enrolment, Run
from portfolio.training.organisations import acting_organisation
from portfolio.training.trainers import names_on
from portfolio.training.views import AttendanceView, EnrolmentView, RunView, SessionView


@dataclass(frozen=True)
class SheetRow:
    """A worker in training and their latest record at the session (None: none yet)."""

    enrolment: EnrolmentView
    latest: AttendanceView | None


@dataclass(frozen=True)
class SessionSheet:
    """One session of a run, its course's title, and the class list with their records."""

    run: RunView
    course_title: str
    session: SessionView
    rows: list[SheetRow]
    # Who teaches it, by name (``trainers.names_on``).
    trainer_names: list[str]


async def session_sheet(*, actor: Actor, run_id: str, session_n: int) -> SessionSheet:
    """The class list of one session of the provider's run, with the records made there."""
    organisation = await acting_organisation(actor, to_record=False)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    session = next((s for s in run.sessions if s.n == session_n), None) if run else None
    if run is None or session is None:
        raise NotFound("no such session")
    course = await Course.get(ids.parse(run.course_id, "course"))
    enrolments = (
        await Enrolment.find(
            {"run_id": str(run.id), "status": {"$in": [s.value for s in RECORDABLE]}}
        )
        .sort("+_id")
        .limit(CLASS_SHOWN)
        .to_list()
    )
    records = await records_by_enrolment([str(e.id) for e in enrolments])
    await log_reads(actor, [e.archive_id for e in enrolments], what="attendance sheet")
    rows = []
    for enrolment in enrolments:
        here = [r for r in records[str(enrolment.id)] if r.session_n == session_n]
        latest = max(here, key=lambda r: (r.recorded_at, str(r.id)), default=None)
        rows.append(
            SheetRow(
                enrolment=EnrolmentView.of(enrolment),
                latest=AttendanceView.of(latest) if latest else None,
            )
        )
    return SessionSheet(
        run=RunView.of(run),
        course_title=course.title if course else "",
        session=SessionView.of(session),
        rows=rows,
        trainer_names=await names_on(run),
    )
