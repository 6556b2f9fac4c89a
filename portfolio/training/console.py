"""What the provider's console reads: the dashboard, a course's runs, a run with its class.

The console's pages (api/web/routes/provider_*.py) write through the same use cases as the JSON
API (``courses``, ``enrolments``, ``lifecycle``); this module only gathers, for one provider,
what a page shows at once, with each run's state derived from its dates and the China day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import log_reads
from portfolio.errors import NotFound
from portfolio.training.course_versions import CourseVersionView, list_versions
from portfolio.training.documents import Course, Enrolment, Run, Trainer
from portfolio.training.enums import EnrolmentStatus
from portfolio.training.organisations import acting_organisation
from portfolio.training.trainers import ACTIVE, TrainerView, names_on
from portfolio.training.views import (
    CourseView,
    EnrolmentView,
    OrganisationView,
    RunView,
    SessionView,
)

RunState = Literal["planned", "in_progress", "ended"]
# A desk page, not an export: the newest runs and waiting applications a clerk acts on.
RUNS_SHOWN = 200
APPLICATIONS_SHOWN = 50
# A class list on one page: runs hold tens of workers, a large one a few hundred.
CLASS_SHOWN = 1000
# Trainers a class form offers: a provider's registry holds tens.
TRAINERS_SHOWN = 200


def run_state(start: date, end: date, today: date) -> RunState:
    """Planned before its first day, in progress until its last, ended after."""
    if today < start:
        return "planned"
    if today <= end:
        return "in_progress"
    return "ended"


@dataclass(frozen=True)
class RunLine:
    """A run in a list: the run, its course's title and its state today."""

    run: RunView
    course_title: str
    state: RunState


@dataclass(frozen=True)
class SessionToday:
    """A session held today, with its run."""

    line: RunLine
    session: SessionView


@dataclass(frozen=True)
class Dashboard:
    """The provider's desk: its status, current runs, today's sessions, waiting applications."""

    organisation: OrganisationView
    runs: list[RunLine]
    in_progress: int
    planned: int
    sessions_today: list[SessionToday]
    applications: list[EnrolmentView]


@dataclass(frozen=True)
class CourseRuns:
    """A course with its runs, newest first, and its versions, the current one first."""

    course: CourseView
    runs: list[RunLine]
    versions: list[CourseVersionView]


@dataclass(frozen=True)
class RunForm:
    """What the form scheduling a class of a course offers: the course and the active
    trainers of the registry to name."""

    course: CourseView
    trainers: list[TrainerView]


@dataclass(frozen=True)
class RunDetail:
    """A run with its course, state and class list (applications first)."""

    line: RunLine
    course: CourseView
    applications: list[EnrolmentView]
    enrolments: list[EnrolmentView]
    # The run's registered trainers by name (removed ones too: they taught it), then the
    # free-text names of runs scheduled before the registry.
    trainer_names: list[str]


def _line(run: Run, titles: dict[str, str], today: date) -> RunLine:
    return RunLine(
        run=RunView.of(run),
        course_title=titles.get(run.course_id, ""),
        state=run_state(run.start_date, run.end_date, today),
    )


async def _titles(course_ids: set[str]) -> dict[str, str]:
    wanted = [ids.parse(c, "course") for c in course_ids if ids.parse_or_none(c)]
    if not wanted:
        return {}
    found = Course.get_pymongo_collection().find({"_id": {"$in": wanted}}, {"title": 1})
    return {str(c["_id"]): c["title"] async for c in found}


async def dashboard(*, actor: Actor) -> Dashboard:
    """The provider's dashboard (a suspended organisation still reads its desk)."""
    organisation = await acting_organisation(actor, to_record=False)
    today = clock.china_today()
    runs = (
        await Run.find({"organisation_id": str(organisation.id)})
        .sort("-_id")
        .limit(RUNS_SHOWN)
        .to_list()
    )
    # A class from a historical import (paper records) is history, not a class to run.
    runs = [r for r in runs if not r.historical]
    titles = await _titles({r.course_id for r in runs})
    lines = [_line(r, titles, today) for r in runs]
    current = [line for line in lines if line.state != "ended"]
    today_sessions = [
        SessionToday(line=line, session=session)
        for line in current
        for session in line.run.sessions
        if session.day == today
    ]
    waiting = (
        await Enrolment.find(
            {"organisation_id": str(organisation.id), "status": EnrolmentStatus.REQUESTED.value}
        )
        .sort("+_id")
        .limit(APPLICATIONS_SHOWN)
        .to_list()
    )
    return Dashboard(
        organisation=OrganisationView.of(organisation),
        runs=current,
        in_progress=sum(1 for line in current if line.state == "in_progress"),
        planned=sum(1 for line in current if line.state == "planned"),
        sessions_today=sorted(today_sessions, key=lambda s: s.session.start),
        applications=[EnrolmentView.of(e) for e in waiting],
    )


async def _own_course(actor: Actor, course_id: str) -> Course:
    organisation = await acting_organisation(actor, to_record=False)
    course = await Course.find_one(
        {"_id": ids.parse(course_id, "course"), "organisation_id": str(organisation.id)}
    )
    if course is None:
        raise NotFound("no such course")
    return course


async def course_runs(*, actor: Actor, course_id: str) -> CourseRuns:
    """One of the provider's courses with its runs, newest first."""
    course = await _own_course(actor, course_id)
    runs = (
        await Run.find({"course_id": str(course.id), "organisation_id": course.organisation_id})
        .sort("-_id")
        .limit(RUNS_SHOWN)
        .to_list()
    )
    today = clock.china_today()
    titles = {str(course.id): course.title}
    return CourseRuns(
        course=CourseView.of(course),
        runs=[_line(r, titles, today) for r in runs],
        versions=await list_versions(actor=actor, course_id=course_id),
    )


async def run_form(*, actor: Actor, course_id: str) -> RunForm:
    """One of the provider's courses with its active trainers, for scheduling a class."""
    course = await _own_course(actor, course_id)
    found = (
        await Trainer.find({"organisation_id": course.organisation_id, "status": ACTIVE})
        .sort("+_id")
        .limit(TRAINERS_SHOWN)
        .to_list()
    )
    return RunForm(course=CourseView.of(course), trainers=[TrainerView.of(t) for t in found])


async def run_detail(*, actor: Actor, run_id: str) -> RunDetail:
    """One of the provider's runs: sessions, seats, trainers, state and its class list."""
    organisation = await acting_organisation(actor, to_record=False)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    course = await _own_course(actor, run.course_id)
    enrolments = (
        await Enrolment.find({"run_id": str(run.id)}).sort("+_id").limit(CLASS_SHOWN).to_list()
    )
    await log_reads(actor, [e.archive_id for e in enrolments], what="class list")
    views = [EnrolmentView.of(e) for e in enrolments]
    return RunDetail(
        line=_line(run, {str(course.id): course.title}, clock.china_today()),
        course=CourseView.of(course),
        applications=[v for v in views if v.status is EnrolmentStatus.REQUESTED],
        enrolments=[v for v in views if v.status is not EnrolmentStatus.REQUESTED],
        trainer_names=await names_on(run),
    )
