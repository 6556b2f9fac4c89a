"""Demo training data: two providers, their courses and classes, and the demo workers' path
through them (enrolled, attending, completed, certified), recorded through the real services
so every archive entry is a real link of its chain.

Provider A (成都, 510104) trained worker-1 as a Sichuan-cuisine cook and an electrician (whose
certificate it later corrected: the date was typed wrong, so the archive shows a correction),
and runs a class in progress today in which worker-1 confirmed the first session's QR
check-in the provider reported and has two records awaiting their confirmation, and one next
month that worker-1 withdrew from (to be enrolled again, or to apply to again) and worker-2
asked for. Provider B (绵阳, 510703) certified worker-2 as a senior (high-skill) welder.
Provider A names its classes' trainers from its registry (one trainer removed) and lowered the
cooking course's subsidy standard (version 1: the March class keeps version 0). Both providers
have classes open for applications in the
catalogue. Loading twice changes nothing: when provider A's organisation exists, the demo has
been loaded. Worker-1's 2018 cooking class on provider A's paper register came in by a
historical import a Chengdu officer approved: the archive shows it as imported, with its
evidence, and no voucher can pay for it; its 2016 electrician class waits, submitted, for a
Chengdu officer's decision.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from beanie import PydanticObjectId
from stdnum.cn import uscc

from portfolio import clock
from portfolio.accounts import Actor, Principal, actor_of
from portfolio.accounts.demo import (
    DEMO_ARCHIVE_WORKER_1,
    DEMO_ARCHIVE_WORKER_2,
    DEMO_ORGANISATION_A,
    DEMO_ORGANISATION_B,
)
from portfolio.archives import WorkerRef
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.training import (
    attendance,
    certificates,
    completions,
    course_versions,
    courses,
    enrolments,
    historical,
    lifecycle,
    trainers,
)
from portfolio.training.courses import NewCourse, NewRun
from portfolio.training.documents import Certificate, Organisation, Session
from portfolio.training.enums import (
    CaptureMethod,
    CertificateType,
    CompletionResult,
    Delivery,
    OrganisationKind,
    WithdrawReason,
)
from portfolio.training.trainers import NewTrainer
from portfolio.training.views import RunView
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType


def _credit_code(region: str, serial: str) -> str:
    body = f"52{region}MJ{serial}"
    return body + uscc.calc_check_digit(body)


async def _actor(username: str) -> Actor:
    principal = await Principal.find_one({"username": username})
    if principal is None:
        raise RuntimeError(f"the demo account {username} must be loaded first")
    return actor_of(principal)


async def ensure_organisation(
    organisation_id: str, name: str, code: str, kind: OrganisationKind, region: str, by: Actor
) -> None:
    """A demo organisation under a fixed id (other areas' demos make theirs here too)."""
    # Not inserted again: another replica loading the demo made it first.
    await insert_once(
        Organisation(
            id=PydanticObjectId(organisation_id),
            name=name,
            credit_code=code,
            credit_code_override_reason="",
            kind=kind,
            region_code=region,
            created_at=clock.now(),
            created_by=by.principal_id,
        )
    )


async def _organisation(
    organisation_id: str, name: str, kind: OrganisationKind, region: str, by: Actor
) -> None:
    code = _credit_code(region, organisation_id[-7:].upper())
    await ensure_organisation(organisation_id, name, code, kind, region, by)


def _daily(start: date, count: int, hours: float, at: str = "09:00") -> list[Session]:
    return [
        Session(n=n + 1, day=start + timedelta(days=n), start=at, hours=hours) for n in range(count)
    ]


def _moment(day: date, at: str = "09:00", *, hours: float = 0) -> datetime:
    """``day`` at ``at`` Beijing time plus ``hours``, as a UTC moment (where the clock goes)."""
    hour, minute = (int(part) for part in at.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.CHINA_TIME)
    return (local + timedelta(hours=hours)).astimezone(UTC)


def _past_or_now(moment: datetime) -> contextlib.AbstractContextManager[None]:
    """The clock stopped at ``moment`` when it lies in the past, else left as it is: the demo
    builds its history by going back in time and writing it then, never by back-dating."""
    if moment < clock.now():
        return clock.stopped_at(moment)
    return contextlib.nullcontext()


async def _run(
    provider: Actor,
    course_id: str,
    start: date,
    count: int,
    hours: float,
    capacity: int = 40,
    location: str = "教学楼 3 楼实训室",
    trainer_ids: Sequence[str] = (),
) -> RunView:
    # Provider A names its registered trainers; their names stay as text too, for the pages
    # that show the free-text list (the catalogue, the worker's class).
    run = NewRun(
        start_date=start,
        end_date=start + timedelta(days=count - 1),
        capacity=capacity,
        location=location,
        trainers=["陈师傅", "刘老师"],
        sessions=_daily(start, count, hours),
        trainer_ids=trainer_ids,
    )
    # Scheduled the day before it starts (or now, for a class still ahead).
    with _past_or_now(_moment(start - timedelta(days=1))):
        return await courses.schedule_run(actor=provider, course_id=course_id, run=run)


async def _trainers(provider: Actor) -> list[str]:
    """Provider A's trainer registry: two trainers (the ids its classes name) and one who
    left (removed: no new class may name him)."""
    with _past_or_now(_moment(date(2026, 2, 2))):
        chen = await trainers.add(
            actor=provider, trainer=NewTrainer("陈师傅", "中式烹调师 高级技师", "GZ510100190032")
        )
        liu = await trainers.add(
            actor=provider, trainer=NewTrainer("刘老师", "电工 技师", "GZ510100210117")
        )
        left = await trainers.add(
            actor=provider, trainer=NewTrainer("周师傅", "焊工 高级工", "GZ510100170045")
        )
        await trainers.remove(actor=provider, trainer_id=left.id)
    return [chen.id, liu.id]


def _worker(archive_id: str) -> WorkerRef:
    demo = next(w for w in DEMO_WORKERS if w.archive_id == archive_id)
    return WorkerRef(IdType.RESIDENT_ID, demo.id_number, demo.name)


async def _trained(
    *,
    provider: Actor,
    keyring: Keyring,
    run: RunView,
    worker: WorkerRef,
    score: float,
    certificate: certificates.CertificateContent | None,
) -> None:
    """Enrol, start, attend every session (face check-in), pass and optionally certify, each
    step at the time it happened (the certificate on its issue date)."""
    first, last = run.sessions[0], run.sessions[-1]
    with _past_or_now(_moment(first.day, first.start, hours=-1)):
        enrolment = await enrolments.enrol(
            actor=provider, keyring=keyring, run_id=str(run.id), worker=worker, accept=True
        )
        await lifecycle.transition(actor=provider, enrolment_id=str(enrolment.id), action="start")
    for session in run.sessions:
        with _past_or_now(_moment(session.day, session.start, hours=session.hours)):
            recorded = await attendance.record(
                actor=provider,
                enrolment_id=str(enrolment.id),
                presence=attendance.Presence(
                    session.n, session.hours, CaptureMethod.FACE, f"face-{run.id}-{session.n}"
                ),
            )
            # A face check-in the provider reports counts once the worker confirms it.
            await attendance.confirm_as_worker(recorded.id)
    completed_at = _moment(last.day, last.start, hours=last.hours + 1)
    with _past_or_now(completed_at):
        await completions.complete_one(
            actor=provider,
            enrolment_id=str(enrolment.id),
            outcome=completions.Outcome(CompletionResult.PASSED, score),
        )
    if certificate is not None:
        issued_at = max(_moment(certificate.issue_date, "10:00"), completed_at)
        with _past_or_now(issued_at):
            await certificates.issue(
                actor=provider, enrolment_id=str(enrolment.id), content=certificate
            )


async def ensure_demo_training(*, keyring: Keyring) -> None:
    """Load the training demo once (see the module docstring)."""
    if await Organisation.get(PydanticObjectId(DEMO_ORGANISATION_A)) is not None:
        return
    chengdu = await _actor("agency-chengdu")
    mianyang = await _actor("agency-mianyang")
    provider_a = await _actor("provider-a")
    provider_b = await _actor("provider-b")
    await _organisation(
        DEMO_ORGANISATION_A,
        "成都天府职业技能培训学校",
        OrganisationKind.TRAINING_INSTITUTION,
        "510104",
        chengdu,
    )
    await _organisation(
        DEMO_ORGANISATION_B, "绵阳市技师学院", OrganisationKind.TECHNICAL_SCHOOL, "510703", mianyang
    )
    team = await _trainers(provider_a)

    cooking = await courses.create_course(
        actor=provider_a,
        course=NewCourse(
            title="中式烹调师（初级）· 川菜大师傅",
            occupation_code="4-03-02-01",
            training_type=TrainingType.EMPLOYMENT_SKILLS,
            brand=SkillBrand.SICHUAN_CHEF,
            target_level=SkillLevel.JUNIOR,
            planned_hours=24,
            delivery=Delivery.IN_PERSON,
            subsidy_standard_fen=120_000,
        ),
    )
    electrician = await courses.create_course(
        actor=provider_a,
        course=NewCourse(
            title="电工（中级）岗位技能提升",
            occupation_code="6-31-01-03",
            training_type=TrainingType.SKILL_UPGRADING,
            brand=SkillBrand.TIANFU_TECHNICIAN,
            target_level=SkillLevel.INTERMEDIATE,
            planned_hours=32,
            delivery=Delivery.BLENDED,
            subsidy_standard_fen=180_000,
        ),
    )
    ai_trainer = await courses.create_course(
        actor=provider_a,
        course=NewCourse(
            title="人工智能训练师 · 天府数智工匠",
            occupation_code="4-04-05-05S",
            training_type=TrainingType.EMPLOYMENT_SKILLS,
            brand=SkillBrand.TIANFU_DIGITAL_CRAFTSMAN,
            target_level=SkillLevel.JUNIOR,
            planned_hours=28,
            delivery=Delivery.ONLINE,
            subsidy_standard_fen=150_000,
        ),
    )
    welding = await courses.create_course(
        actor=provider_b,
        course=NewCourse(
            title="焊工（高级）· 天府技工",
            occupation_code="6-18-02-04",
            training_type=TrainingType.SKILL_UPGRADING,
            brand=SkillBrand.TIANFU_TECHNICIAN,
            target_level=SkillLevel.SENIOR,
            planned_hours=40,
            delivery=Delivery.IN_PERSON,
            subsidy_standard_fen=250_000,
        ),
    )

    worker_1 = _worker(DEMO_ARCHIVE_WORKER_1)
    worker_2 = _worker(DEMO_ARCHIVE_WORKER_2)
    await _trained(
        provider=provider_a,
        keyring=keyring,
        run=await _run(provider_a, str(cooking.id), date(2026, 3, 2), 4, 6, trainer_ids=team),
        worker=worker_1,
        score=91,
        certificate=certificates.CertificateContent(
            number="S5101040326000101",
            certificate_type=CertificateType.SKILL_LEVEL,
            occupation_code="4-03-02-01",
            level=SkillLevel.JUNIOR,
            issuing_body="成都天府职业技能培训学校（职业技能等级认定社会培训评价组织）",
            issue_date=date(2026, 3, 20),
        ),
    )
    electrician_certificate = certificates.CertificateContent(
        number="S5101040626000207",
        certificate_type=CertificateType.SKILL_LEVEL,
        occupation_code="6-31-01-03",
        level=SkillLevel.INTERMEDIATE,
        issuing_body="成都天府职业技能培训学校（职业技能等级认定社会培训评价组织）",
        issue_date=date(2026, 6, 30),
    )
    await _trained(
        provider=provider_a,
        keyring=keyring,
        run=await _run(provider_a, str(electrician.id), date(2026, 6, 1), 4, 8, trainer_ids=team),
        worker=worker_1,
        score=84,
        certificate=replace(electrician_certificate, issue_date=date(2026, 6, 3)),
    )
    # The date was typed wrong: provider A restates the certificate; the archive keeps both
    # statements and the reason (worker-1's certificates page shows the correction).
    typo = await Certificate.find_one({"number": electrician_certificate.number})
    assert typo is not None
    await certificates.correct(
        actor=provider_a,
        certificate_id=str(typo.id),
        content=electrician_certificate,
        reason="颁证日期录入有误，按证书原件更正",
    )
    await _trained(
        provider=provider_b,
        keyring=keyring,
        run=await _run(provider_b, str(welding.id), date(2026, 5, 11), 5, 8),
        worker=worker_2,
        score=88,
        certificate=certificates.CertificateContent(
            number="S5107030526000033",
            certificate_type=CertificateType.SKILL_LEVEL,
            occupation_code="6-18-02-04",
            level=SkillLevel.SENIOR,
            issuing_body="绵阳市技师学院",
            issue_date=date(2026, 6, 5),
        ),
    )

    # The subsidy catalogue lowered the cooking standard: version 1 of the course (made now,
    # as the courses were). The March class keeps version 0; next month's class is version 1.
    await course_versions.edit_course(
        actor=provider_a,
        course_id=str(cooking.id),
        edit=course_versions.CourseEdit(
            based_on=0,
            occupation_code="4-03-02-01",
            target_level=SkillLevel.JUNIOR,
            planned_hours=24,
            subsidy_standard_fen=110_000,
            note="按2026年补贴标准目录调整",
        ),
    )

    # A class in progress today: worker-1 attends; one record awaits their confirmation.
    today = clock.china_today()
    current = await _run(
        provider_a, str(ai_trainer.id), today - timedelta(days=3), 7, 4, trainer_ids=team
    )
    first = current.sessions[0]
    with _past_or_now(_moment(first.day, first.start, hours=-1)):
        enrolment = await enrolments.enrol(
            actor=provider_a, keyring=keyring, run_id=str(current.id), worker=worker_1, accept=True
        )
        await lifecycle.transition(actor=provider_a, enrolment_id=str(enrolment.id), action="start")
    for session_n, hours, method, ref in (
        (1, 4, CaptureMethod.QR_CODE, "qr-check-in-0001"),
        (2, 3.5, CaptureMethod.MANUAL, ""),
        (3, 4, CaptureMethod.MANUAL, ""),
    ):
        session = current.sessions[session_n - 1]
        with _past_or_now(_moment(session.day, session.start, hours=session.hours)):
            recorded = await attendance.record(
                actor=provider_a,
                enrolment_id=str(enrolment.id),
                presence=attendance.Presence(session_n, hours, method, ref),
            )
            if method is not CaptureMethod.MANUAL:
                # A check-in the provider reports counts once worker-1 confirms it (they did).
                await attendance.confirm_as_worker(recorded.id)
    # A class next month with a seat requested by worker-2 (across regions: training is open).
    upcoming = await _run(
        provider_a, str(cooking.id), today + timedelta(days=30), 4, 6, trainer_ids=team
    )
    await enrolments.enrol(
        actor=provider_a, keyring=keyring, run_id=str(upcoming.id), worker=worker_2, accept=False
    )
    # Worker-1 withdrew from that class; provider-a can enrol them again (the same enrolment,
    # reopened; the withdrawal stays on record).
    changed_mind = await enrolments.enrol(
        actor=provider_a, keyring=keyring, run_id=str(upcoming.id), worker=worker_1, accept=True
    )
    await lifecycle.transition(
        actor=provider_a,
        enrolment_id=str(changed_mind.id),
        action="withdraw",
        reason="与在岗排班冲突",
        withdraw_reason=WithdrawReason.WORKER,
    )
    # Classes open for applications in the catalogue: electricians in two weeks (Chengdu) and
    # welders next month (Mianyang), both paid for by worker-1's Chengdu skill-upgrading
    # voucher; and a short electricians' class from tomorrow, which overlaps the class
    # worker-1 attends (applying to it is refused, naming the clash).
    await _run(provider_a, str(electrician.id), today + timedelta(days=14), 4, 8, capacity=30)
    await _run(
        provider_b,
        str(welding.id),
        today + timedelta(days=21),
        5,
        8,
        capacity=20,
        location="绵阳市技师学院焊接实训中心",
    )
    await _run(provider_a, str(electrician.id), today + timedelta(days=1), 2, 8, capacity=12)
    await _paper_history(keyring, provider_a, chengdu, str(cooking.id), worker_1)
    await _paper_waiting(keyring, provider_a, str(electrician.id), worker_1)


async def _paper_history(
    keyring: Keyring, provider: Actor, officer: Actor, course_id: str, worker: WorkerRef
) -> None:
    """Worker-1's 2018 Sichuan-cuisine class, on provider A's paper register from before the
    service: submitted by provider A, approved by a Chengdu officer (historical import)."""
    submitted = await historical.submit(
        actor=provider,
        keyring=keyring,
        record=historical.HistoricalRecord(
            worker=worker,
            course_id=course_id,
            start_date=date(2018, 4, 9),
            end_date=date(2018, 4, 27),
            hours=60,
            result=CompletionResult.PASSED,
            score=82,
            evidence_description="2018年纸质培训签到台账及结业考核成绩单（机构存档原件）",
            evidence_reference="天府职培档 2018-041",
        ),
    )
    await historical.approve(
        actor=officer, import_id=submitted.id, reason="已核对纸质台账原件与结业成绩单"
    )


async def _paper_waiting(
    keyring: Keyring, provider: Actor, course_id: str, worker: WorkerRef
) -> None:
    """Worker-1's 2016 electrician class from provider A's older paper register, submitted and
    waiting for a Chengdu officer's decision (the agency's "past training" queue)."""
    await historical.submit(
        actor=provider,
        keyring=keyring,
        record=historical.HistoricalRecord(
            worker=worker,
            course_id=course_id,
            start_date=date(2016, 9, 5),
            end_date=date(2016, 9, 23),
            hours=64,
            result=CompletionResult.PASSED,
            score=78,
            evidence_description="2016年电工培训纸质签到表及结业考试试卷（机构存档原件）",
            evidence_reference="天府职培档 2016-112",
        ),
    )
