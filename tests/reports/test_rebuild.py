"""Counters kept live agree with a rebuild from the sources, after random sequences of events.

Each example sets up three finished runs (two of one course, so two runs share a cell, and one
in another region), six workers in each, and then plays a random sequence of completions (one
at a time, by class sheet, two identical requests racing), certificates issued, corrected (to
another level, month or occupation) and voided, many of them refused by the services (a second
completion, a certificate for a failed training...). Whatever happened, the counters must be
what ``rebuild`` computes from the stored enrolments and certificates.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from beanie import PydanticObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Actor, Role
from portfolio.errors import DomainError
from portfolio.reports.documents import CELL_DOCUMENTS, ReportMarker
from portfolio.reports.rebuild import rebuild
from portfolio.training import certificates, completions
from portfolio.training.documents import (
    AttendanceRecord,
    Certificate,
    Course,
    Enrolment,
    Organisation,
    Run,
    Session,
)
from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    CertificateType,
    CompletionResult,
    Delivery,
    EnrolmentStatus,
    OrganisationKind,
)
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType
from tests.reports import snapshots
from tests.reports.test_vouchers_report import P1, P2, Ledger
from tests.training.factories import seed_people

PEOPLE = 6
RUNS = 3
_numbers = itertools.count(1)

LEVELS = st.sampled_from(
    [SkillLevel.JUNIOR, SkillLevel.INTERMEDIATE, SkillLevel.SENIOR, SkillLevel.TECHNICIAN, None]
)
ENROLMENT = st.integers(0, PEOPLE * RUNS - 1)
OPERATIONS = st.one_of(
    st.tuples(st.just("one"), ENROLMENT, st.booleans()),
    st.tuples(
        st.just("sheet"),
        st.integers(0, RUNS - 1),
        # A sheet naming one worker twice is refused by the class completion itself.
        st.lists(
            st.tuples(st.integers(0, PEOPLE - 1), st.booleans()),
            max_size=PEOPLE,
            unique_by=lambda row: row[0],
        ),
    ),
    st.tuples(st.just("race"), ENROLMENT),
    st.tuples(st.just("issue"), ENROLMENT, LEVELS),
    st.tuples(
        st.just("correct"),
        st.integers(0, 50),
        LEVELS,
        st.sampled_from([date(2026, 3, 20), date(2026, 4, 2)]),
        st.sampled_from(["4-03-02-01", "4-03-02-02"]),
    ),
    st.tuples(st.just("void"), st.integers(0, 50)),
)

TRAINING_COLLECTIONS = (
    Organisation,
    Course,
    Run,
    Enrolment,
    AttendanceRecord,
    Certificate,
    *CELL_DOCUMENTS,
    ReportMarker,
)


async def _organisation(region: str) -> Actor:
    organisation = Organisation(
        name=f"学校{region}",
        credit_code=f"91{region}MA6{next(_numbers):06d}X",
        credit_code_override_reason="test",
        kind=OrganisationKind.TRAINING_INSTITUTION,
        region_code=region,
        created_at=clock.now(),
        created_by="test",
    )
    await organisation.insert()
    return Actor("test", "provider", Role.PROVIDER, organisation_id=str(organisation.id))


async def _course(provider: Actor, region: str, kind: TrainingType, brand: SkillBrand) -> Course:
    course = Course(
        organisation_id=str(provider.organisation_id),
        region_code=region,
        title="课程",
        occupation_code="4-03-02-01",
        digital=False,
        green=False,
        training_type=kind,
        brand=brand,
        # The highest level the examples certify: a certificate above the course's target
        # level is refused by the time rules, which is not what these examples are about.
        target_level=SkillLevel.TECHNICIAN,
        planned_hours=8,
        delivery=Delivery.IN_PERSON,
        subsidy_standard_fen=100_000,
        created_at=clock.now(),
        created_by="test",
    )
    await course.insert()
    return course


async def _run(course: Course, day: date, people: list[str]) -> list[Enrolment]:
    """A finished one-day run with ``people`` in training, one confirmed session each."""
    now = clock.now()
    run = Run(
        course_id=str(course.id),
        organisation_id=course.organisation_id,
        region_code=course.region_code,
        start_date=day,
        end_date=day,
        capacity=PEOPLE,
        seats_taken=PEOPLE,
        location="教室",
        trainers=[],
        sessions=[Session(n=1, day=day, start="09:00", hours=8)],
        created_at=now,
        created_by="test",
    )
    await run.insert()
    enrolments = [
        Enrolment(
            id=PydanticObjectId(),
            run_id=str(run.id),
            course_id=str(course.id),
            organisation_id=course.organisation_id,
            archive_id=archive_id,
            worker_name="学员",
            worker_masked_id="510104********0000",
            worker_region_code="510104",
            status=EnrolmentStatus.IN_TRAINING,
            created_at=now,
            created_by="test",
            updated_at=now,
        )
        for archive_id in people
    ]
    await Enrolment.insert_many(enrolments)
    await AttendanceRecord.insert_many(
        [
            AttendanceRecord(
                enrolment_id=str(e.id),
                run_id=str(run.id),
                organisation_id=course.organisation_id,
                archive_id=e.archive_id,
                session_n=1,
                hours=2.5 + n,
                status=AttendanceStatus.CONFIRMED,
                capture_method=CaptureMethod.FACE,
                check_in_ref="test",
                supersedes=None,
                recorded_by="test",
                recorded_at=now,
                confirmed_at=now,
            )
            for n, e in enumerate(enrolments)
        ]
    )
    return enrolments


def _content(level: SkillLevel | None, issued: date, occupation: str) -> Any:
    return certificates.CertificateContent(
        number=f"HYP{next(_numbers):08d}",
        certificate_type=CertificateType.SPECIAL_ABILITY
        if level is None
        else (CertificateType.SKILL_LEVEL),
        occupation_code=occupation,
        level=level,
        issuing_body="鉴定中心",
        issue_date=issued,
    )


def _outcome(passed: bool) -> completions.Outcome:
    return completions.Outcome(CompletionResult.PASSED if passed else CompletionResult.FAILED, 70)


class World:
    """The runs, their enrolments and the certificates issued so far."""

    def __init__(self, runtime: Runtime, actors: list[Actor], runs: list[list[Enrolment]]) -> None:
        self.runtime = runtime
        self.actors = actors  # the provider of each run
        self.runs = runs
        self.certificates: list[tuple[Actor, str]] = []

    def enrolment(self, index: int) -> tuple[Actor, Enrolment]:
        run = index // PEOPLE
        return self.actors[run], self.runs[run][index % PEOPLE]

    async def play(self, operation: tuple[Any, ...]) -> None:
        now = clock.now()
        match operation:
            case ("one", index, passed):
                actor, enrolment = self.enrolment(index)
                await completions.complete_one(
                    actor=actor, enrolment_id=str(enrolment.id), outcome=_outcome(passed), now=now
                )
            case ("sheet", run, rows):
                await completions.complete_class(
                    actor=self.actors[run],
                    keyring=self.runtime.keyring,
                    run_id=self.runs[run][0].run_id,
                    rows=[
                        completions.CompletionRow(
                            _outcome(passed), enrolment_id=str(self.runs[run][person].id)
                        )
                        for person, passed in rows
                    ],
                    now=now,
                )
            case ("race", index):
                actor, enrolment = self.enrolment(index)
                await asyncio.gather(
                    *(
                        completions.complete_one(
                            actor=actor,
                            enrolment_id=str(enrolment.id),
                            outcome=_outcome(True),
                            now=now,
                        )
                        for _ in range(2)
                    ),
                    return_exceptions=True,
                )
            case ("issue", index, level):
                actor, enrolment = self.enrolment(index)
                issued = await certificates.issue(
                    actor=actor,
                    enrolment_id=str(enrolment.id),
                    content=_content(level, date(2026, 3, 20), "4-03-02-01"),
                    now=now,
                )
                self.certificates.append((actor, str(issued.id)))
            case ("correct", pick, level, issued, occupation) if self.certificates:
                actor, certificate_id = self.certificates[pick % len(self.certificates)]
                await certificates.correct(
                    actor=actor,
                    certificate_id=certificate_id,
                    content=_content(level, issued, occupation),
                    reason="更正",
                    now=now,
                )
            case ("void", pick) if self.certificates:
                actor, certificate_id = self.certificates[pick % len(self.certificates)]
                await certificates.void(actor=actor, certificate_id=certificate_id, reason="撤销")


async def _world(runtime: Runtime) -> World:
    for document in TRAINING_COLLECTIONS:
        await document.get_pymongo_collection().delete_many({})
    chengdu = await _organisation("510104")
    mianyang = await _organisation("510703")
    chef = await _course(chengdu, "510104", TrainingType.EMPLOYMENT_SKILLS, SkillBrand.SICHUAN_CHEF)
    welder = await _course(
        mianyang, "510703", TrainingType.SKILL_UPGRADING, SkillBrand.TIANFU_TECHNICIAN
    )
    people = [p.archive_id for p in await seed_people(runtime, PEOPLE)]
    runs = [
        await _run(chef, date(2026, 3, 2), people),
        await _run(chef, date(2026, 3, 9), people),
        await _run(welder, date(2026, 5, 11), people),
    ]
    return World(runtime, [chengdu, chengdu, mianyang], runs)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=14))
async def test_live_counters_equal_a_rebuild(
    runtime: Runtime, operations: list[tuple[Any, ...]]
) -> None:
    world = await _world(runtime)
    for operation in operations:
        # Refused by the service: it must have counted nothing.
        with contextlib.suppress(DomainError):
            await world.play(operation)
    live = await snapshots.counters()
    live_markers = await snapshots.markers()
    await rebuild()
    assert await snapshots.counters() == live
    assert await snapshots.markers() == live_markers


async def test_a_worked_example_of_the_same(runtime: Runtime) -> None:
    """One fixed sequence, so a failure here names the operations plainly."""
    world = await _world(runtime)
    for operation in [
        ("sheet", 0, [(0, True), (1, True), (2, False)]),
        ("one", 6, True),  # person 0 again, in the second run of the same course and month
        ("race", 7),
        ("race", 12),
        ("issue", 0, SkillLevel.JUNIOR),
        ("issue", 6, SkillLevel.SENIOR),
        ("issue", 12, None),
        ("correct", 0, SkillLevel.TECHNICIAN, date(2026, 4, 2), "4-03-02-02"),
        ("void", 1),
    ]:
        await world.play(operation)
    live = await snapshots.counters()
    chef = "training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01"
    assert {k: v for k, v in live[chef].items() if isinstance(v, int)} == {
        "completions": 5,
        "passed": 4,
        "minutes": round((2.5 + 3.5 + 4.5 + 2.5 + 3.5) * 60),
        "people": 2,  # persons 0 and 1 passed in both runs of the cell, 2 failed
    }
    # Person 0's junior certificate, corrected to technician in April under another
    # occupation, left March; the senior one of the second run was voided.
    assert "certificates" not in live[chef]
    april = "training|510104|2026-04|employment_skills|sichuan_chef|4-03-02-02"
    assert {k: v for k, v in live[april].items() if isinstance(v, int)} == {
        "certificates": 1,
        "cert_technician": 1,
        "certified": 1,
        "high_skill": 1,
    }
    await rebuild()
    assert await snapshots.counters() == live


VOUCHER_STEPS = st.lists(
    st.tuples(
        st.integers(0, 3),  # which voucher
        st.sampled_from(["bind", "release", "claim", "reject", "redeem", "expire", "cancel"]),
        st.integers(0, 120),  # days after its issue
        st.integers(50_000, 120_000),  # amount of a claim or redemption
    ),
    max_size=20,
)
# What each action needs the voucher to be (the voucher life cycle of DOMAIN.md).
VOUCHER_FROM = {
    "bind": {"issued"},
    "release": {"bound"},
    "claim": {"bound"},
    "reject": {"claimed"},
    "redeem": {"claimed"},
    "expire": {"issued", "bound"},
    "cancel": {"issued", "bound"},
}


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    issued=st.lists(
        st.tuples(st.sampled_from(["510104", "510703"]), st.integers(1, 300)),
        min_size=1,
        max_size=4,
    ),
    steps=VOUCHER_STEPS,
)
async def test_live_voucher_counters_equal_a_rebuild(
    runtime: Runtime, issued: list[tuple[str, int]], steps: list[tuple[int, str, int, int]]
) -> None:
    database = runtime.client[runtime.settings.database]
    for name in ("vouchers", "voucher_events"):
        await database[name].delete_many({})
    for document in (Organisation, Course, *CELL_DOCUMENTS, ReportMarker):
        await document.get_pymongo_collection().delete_many({})
    provider = await _organisation("510104")
    course = await _course(
        provider, "510104", TrainingType.SKILL_UPGRADING, SkillBrand.TIANFU_BUILDER
    )
    ledger = Ledger()
    start = datetime(2025, 12, 31, 20, tzinfo=UTC)  # 04:00 on 1 January in China
    vouchers = [
        await ledger.issue(region, P1 if region == "510104" else P2, start + timedelta(days=day))
        for region, day in issued
    ]
    for pick, action, days, amount in steps:
        voucher = vouchers[pick % len(vouchers)]
        if voucher.status not in VOUCHER_FROM[action]:
            continue
        at = voucher.created_at + timedelta(days=days, hours=pick)
        details = {"course_id": str(course.id)}
        if action == "bind":
            details["enrolment_id"] = str(PydanticObjectId())
        if action in ("claim", "redeem"):
            details["amount_fen"] = str(amount)
        await ledger.event(voucher, action, at, **details)
    live = await snapshots.counters()
    await ledger.store(runtime)
    await rebuild()
    assert await snapshots.counters() == live
