"""The worker's inbox: what waits for the worker to act on, as a list of notices.

Each kind of notice comes from one *source*: an async function of the worker's actor that
returns that kind's notices. :data:`SOURCES` lists them; :func:`inbox` asks each and merges the
answers, newest first. Another area adds a kind by writing a source in its own module (a
voucher binding to consent to, an apprenticeship to confirm, an answer to an application...)
and appending it to :data:`SOURCES`; the pages name each kind (its words and its link) by
``Notice.kind``.

A notice says what and when; ``subject_id`` names the object to act on and ``details`` what a
person needs to recognise it (plain JSON values, never an identity number).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from portfolio import ids
from portfolio.accounts.principal import Actor
from portfolio.archives.scope import require_worker
from portfolio.lookups import find_each
from portfolio.training.documents import AttendanceRecord, Course, Run
from portfolio.training.enums import AttendanceStatus

Detail = str | int | float | bool | date | None


class NoticeKind(StrEnum):
    """The kinds of notice (other areas add theirs here with their source)."""

    ATTENDANCE_TO_CONFIRM = "attendance_to_confirm"


@dataclass(frozen=True)
class Notice:
    """One thing that waits for the worker: its kind, the object, when it arose, details."""

    kind: str
    subject_id: str
    at: datetime
    details: Mapping[str, Detail] = field(default_factory=dict)


NoticeSource = Callable[[Actor], Awaitable[list[Notice]]]


async def attendance_to_confirm(actor: Actor) -> list[Notice]:
    """Records of the worker's presence a provider entered and nobody has confirmed yet.

    A record another record supersedes (the provider corrected it) waits for nobody: only the
    latest statement of a session is the worker's to confirm or reject.
    """
    archive_id = str(require_worker(actor))
    records = await AttendanceRecord.find({"archive_id": archive_id}).to_list()
    superseded = {r.supersedes for r in records if r.supersedes}
    waiting = [
        r
        for r in records
        if r.status is AttendanceStatus.UNCONFIRMED and str(r.id) not in superseded
    ]
    if not waiting:
        return []
    runs = {str(r.id): r for r in await find_each(Run, "_id", [_oid(w.run_id) for w in waiting])}
    course_ids = [_oid(run.course_id) for run in runs.values()]
    courses = {str(c.id): c for c in await find_each(Course, "_id", course_ids)}
    notices = []
    for record in waiting:
        run = runs.get(record.run_id)
        course = courses.get(run.course_id) if run is not None else None
        session = next((s for s in run.sessions if s.n == record.session_n), None) if run else None
        notices.append(
            Notice(
                kind=NoticeKind.ATTENDANCE_TO_CONFIRM.value,
                subject_id=str(record.id),
                at=record.recorded_at,
                details={
                    "enrolment_id": record.enrolment_id,
                    "course_title": course.title if course is not None else None,
                    "session": record.session_n,
                    "day": session.day if session is not None else None,
                    "hours": record.hours,
                },
            )
        )
    return notices


def _oid(raw: str) -> object:
    # Runs and courses are referenced by their ids' hex; a malformed one finds nothing.
    return ids.parse_or_none(raw) or raw


# Every kind's source, asked in this order (append yours).
SOURCES: list[NoticeSource] = [attendance_to_confirm]


async def inbox(*, actor: Actor, sources: list[NoticeSource] | None = None) -> list[Notice]:
    """Everything that waits for the worker, newest first."""
    require_worker(actor)
    notices: list[Notice] = []
    for source in SOURCES if sources is None else sources:
        notices.extend(await source(actor))
    return sorted(notices, key=lambda n: n.at, reverse=True)
