"""Demo apprenticeship: a Chengdu enterprise, its mentors, and demo worker-2 as its apprentice.

Worker-2 (李小红, Mianyang, a certified senior welder) took a job at the enterprise; the
enterprise and the Mianyang technical school (demo provider B) agreed to train her to 技师
(technician) over two years. The Chengdu agency approved, she confirmed, the enterprise
started it four months ago; she was off for two weeks after a work injury (a pause, so the
agency's subsidy figure leaves those days out). Recorded through the real services, so the
archive entries and the history are real.

The enterprise's steps are recorded by its demo login, ``enterprise`` (a provider user of the
enterprise), which a newcomer can use to see the enterprise's side. Loading twice changes
nothing: each step is done
only when the stored state says it is missing. The institution is demo provider B's
organisation; if the training demo has not made it, a stand-in school is made here.

A second agreement waits in the Chengdu agency's approval queue: worker-1's restaurant (his
employer, registered here as an enterprise) and provider A agreed a one-year chef
apprenticeship for him and both approved it; the agency has not yet.
"""

from __future__ import annotations

from datetime import date, timedelta

from beanie import PydanticObjectId
from stdnum.cn import uscc

from portfolio import clock
from portfolio.accounts import Actor, Principal, Role, actor_of
from portfolio.accounts.demo import (
    DEMO_ARCHIVE_WORKER_1,
    DEMO_ARCHIVE_WORKER_2,
    DEMO_ENTERPRISE,
    DEMO_ORGANISATION_A,
    DEMO_ORGANISATION_B,
)
from portfolio.apprenticeships import agreements, history, lifecycle
from portfolio.apprenticeships.documents import Apprenticeship, Mentor
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction
from portfolio.apprenticeships.rules import last_day_after_years
from portfolio.apprenticeships.views import DatedStep, Terms
from portfolio.archives import (
    RegistrationKind,
    WorkerRef,
    add_employment_registration,
    archive_by_id,
    close_employment_registration,
)
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.settings import Settings
from portfolio.training import Organisation, OrganisationKind, find_organisation
from portfolio.training.demo import ensure_organisation
from portfolio.vocabulary import SkillLevel

DEMO_STAND_IN_SCHOOL = "64d0000000000000000000e2"
DEMO_MENTOR_MASTER = "64d0000000000000000000e3"
DEMO_MENTOR_SENIOR_MASTER = "64d0000000000000000000e4"
DEMO_MENTOR_TEACHER = "64d0000000000000000000e5"
DEMO_APPRENTICESHIP = "64d0000000000000000000e6"
# A draft waiting for the Chengdu agency's approval: worker-1 at the restaurant employing him.
DEMO_RESTAURANT = "64d0000000000000000000e7"
DEMO_MENTOR_CHEF = "64d0000000000000000000e8"
DEMO_MENTOR_CHEF_TEACHER = "64d0000000000000000000e9"
DEMO_DRAFT = "64d0000000000000000000ea"
RESTAURANT_NAME = "成都锦江川菜餐饮有限公司"
RESTAURANT_CREDIT_CODE = "91510104MA6CXW3N7P"  # worker-1's employer (portfolio/archives/demo.py)
CHEF = "4-03-02-01"

ENTERPRISE_NAME = "成都龙泉汽车零部件制造有限公司"
ENTERPRISE_REGION = "510112"
WELDER = "6-18-02-04"


def _credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


ENTERPRISE_CREDIT_CODE = _credit_code("91510112MA6E00E1A")
STAND_IN_CREDIT_CODE = _credit_code("52510703MJ6E00E2B")


async def _actor(username: str) -> Actor:
    principal = await Principal.find_one({"username": username})
    if principal is None:
        raise RuntimeError(f"the demo account {username} must be loaded first")
    return actor_of(principal)


async def _mentor(
    mentor_id: str, name: str, level: SkillLevel, organisation: Organisation, by: str
) -> None:
    await insert_once(
        Mentor(
            id=PydanticObjectId(mentor_id),
            name=name,
            level=level,
            organisation_id=str(organisation.id),
            region_code=organisation.region_code,
            created_at=clock.now(),
            created_by=by,
        )
    )


async def _institution(chengdu: Actor) -> tuple[Organisation, Actor]:
    """Provider B's organisation and its user, or the stand-in school and its demo actor."""
    found = await find_organisation(DEMO_ORGANISATION_B)
    if found is not None:
        return found, await _actor("provider-b")
    await ensure_organisation(
        DEMO_STAND_IN_SCHOOL,
        "绵阳市技师学院（学徒制合作）",
        STAND_IN_CREDIT_CODE,
        OrganisationKind.TECHNICAL_SCHOOL,
        "510703",
        chengdu,
    )
    stand_in = await find_organisation(DEMO_STAND_IN_SCHOOL)
    assert stand_in is not None
    actor = Actor(
        principal_id="demo-school-e2",
        username="demo-school",
        role=Role.PROVIDER,
        organisation_id=DEMO_STAND_IN_SCHOOL,
    )
    return stand_in, actor


async def _employ_worker_2(*, keyring: Keyring, hired: date) -> None:
    """Worker-2's unemployment ends; her employment at the enterprise is registered."""
    archive = await archive_by_id(DEMO_ARCHIVE_WORKER_2)
    if archive is None:
        raise RuntimeError("the demo archives must be loaded first")
    registrations = archive.employment.registrations if archive.employment else []
    if any(r.employer_credit_code == ENTERPRISE_CREDIT_CODE for r in registrations):
        return
    mianyang = await _actor("agency-mianyang")
    for registration in registrations:
        if registration.kind is RegistrationKind.UNEMPLOYMENT and registration.end is None:
            await close_employment_registration(
                actor=mianyang,
                keyring=keyring,
                archive_id=DEMO_ARCHIVE_WORKER_2,
                registration_id=registration.registration_id,
                end=hired - timedelta(days=1),
            )
    await add_employment_registration(
        actor=mianyang,
        keyring=keyring,
        archive_id=DEMO_ARCHIVE_WORKER_2,
        kind=RegistrationKind.EMPLOYMENT,
        start=hired,
        employer_credit_code=ENTERPRISE_CREDIT_CODE,
        employer_name=ENTERPRISE_NAME,
        occupation_code=WELDER,
        labour_contract_end=last_day_after_years(hired, 3),
    )


def _months_ago(today: date, months: int) -> date:
    """The first day of the month ``months`` before ``today``'s."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


async def ensure_demo_apprenticeships(*, settings: Settings, keyring: Keyring) -> None:
    """Load the apprenticeship demo once (see the module docstring)."""
    chengdu = await _actor("agency-chengdu")
    enterprise = await _actor("enterprise")
    await ensure_organisation(
        DEMO_ENTERPRISE,
        ENTERPRISE_NAME,
        ENTERPRISE_CREDIT_CODE,
        OrganisationKind.ENTERPRISE,
        ENTERPRISE_REGION,
        chengdu,
    )
    employer = await find_organisation(DEMO_ENTERPRISE)
    assert employer is not None
    institution, school = await _institution(chengdu)
    await _mentor(
        DEMO_MENTOR_MASTER, "张建国", SkillLevel.TECHNICIAN, employer, enterprise.username
    )
    await _mentor(
        DEMO_MENTOR_SENIOR_MASTER,
        "刘卫东",
        SkillLevel.SENIOR_TECHNICIAN,
        employer,
        enterprise.username,
    )
    await _mentor(
        DEMO_MENTOR_TEACHER, "何静", SkillLevel.SENIOR_TECHNICIAN, institution, school.username
    )

    today = clock.china_today()
    started = _months_ago(today, 4)
    await _employ_worker_2(keyring=keyring, hired=_months_ago(today, 6))
    if await Apprenticeship.get(PydanticObjectId(DEMO_APPRENTICESHIP)) is None:
        worker = next(w for w in DEMO_WORKERS if w.archive_id == DEMO_ARCHIVE_WORKER_2)
        await agreements.create(
            actor=enterprise,
            keyring=keyring,
            settings=settings,
            terms=Terms(
                institution_id=str(institution.id),
                apprentice=WorkerRef(IdType.RESIDENT_ID, worker.id_number, worker.name),
                occupation_code=WELDER,
                target_level=SkillLevel.TECHNICIAN,
                planned_start=started,
                planned_end=last_day_after_years(started, 2),
                enterprise_hours=1200,
                institution_hours=400,
                enterprise_mentor_id=DEMO_MENTOR_MASTER,
                school_mentor_id=DEMO_MENTOR_TEACHER,
            ),
            apprenticeship_id=DEMO_APPRENTICESHIP,
        )
    await _walk(enterprise=enterprise, school=school, chengdu=chengdu, started=started)
    await _waiting_for_approval(keyring=keyring, settings=settings, chengdu=chengdu, today=today)


async def _waiting_for_approval(
    *, keyring: Keyring, settings: Settings, chengdu: Actor, today: date
) -> None:
    """Worker-1's restaurant and provider A agreed a one-year chef apprenticeship for him: a
    draft both parties approved, waiting for the Chengdu agency (its approval queue)."""
    school_org = await find_organisation(DEMO_ORGANISATION_A)
    if school_org is None:
        return  # the training demo makes provider A
    await ensure_organisation(
        DEMO_RESTAURANT,
        RESTAURANT_NAME,
        RESTAURANT_CREDIT_CODE,
        OrganisationKind.ENTERPRISE,
        "510104",
        chengdu,
    )
    restaurant_org = await find_organisation(DEMO_RESTAURANT)
    assert restaurant_org is not None
    restaurant = Actor(
        principal_id="demo-restaurant-e7",
        username="demo-restaurant",
        role=Role.PROVIDER,
        organisation_id=DEMO_RESTAURANT,
    )
    school = await _actor("provider-a")
    await _mentor(
        DEMO_MENTOR_CHEF, "陈国华", SkillLevel.SENIOR_TECHNICIAN, restaurant_org, "demo-restaurant"
    )
    await _mentor(
        DEMO_MENTOR_CHEF_TEACHER, "周敏", SkillLevel.TECHNICIAN, school_org, school.username
    )
    if await Apprenticeship.get(PydanticObjectId(DEMO_DRAFT)) is None:
        worker = next(w for w in DEMO_WORKERS if w.archive_id == DEMO_ARCHIVE_WORKER_1)
        start = _months_ago(today, -1)
        await agreements.create(
            actor=restaurant,
            keyring=keyring,
            settings=settings,
            terms=Terms(
                institution_id=DEMO_ORGANISATION_A,
                apprentice=WorkerRef(IdType.RESIDENT_ID, worker.id_number, worker.name),
                occupation_code=CHEF,
                target_level=SkillLevel.SENIOR,
                planned_start=start,
                planned_end=last_day_after_years(start, 1),
                enterprise_hours=900,
                institution_hours=300,
                enterprise_mentor_id=DEMO_MENTOR_CHEF,
                school_mentor_id=DEMO_MENTOR_CHEF_TEACHER,
            ),
            apprenticeship_id=DEMO_DRAFT,
        )
    draft = await Apprenticeship.get(PydanticObjectId(DEMO_DRAFT))
    assert draft is not None
    if draft.status is ApprenticeshipStatus.DRAFT and not draft.employer_approved:
        await agreements.approve(actor=restaurant, apprenticeship_id=DEMO_DRAFT)
    draft = await Apprenticeship.get(PydanticObjectId(DEMO_DRAFT))
    assert draft is not None
    if draft.status is ApprenticeshipStatus.DRAFT and not draft.institution_approved:
        await agreements.approve(actor=school, apprenticeship_id=DEMO_DRAFT)


async def _walk(*, enterprise: Actor, school: Actor, chengdu: Actor, started: date) -> None:
    """Take every step the stored agreement still lacks, in order."""
    ident = DEMO_APPRENTICESHIP

    async def current() -> Apprenticeship:
        found = await Apprenticeship.get(PydanticObjectId(ident))
        assert found is not None
        return found

    agreement = await current()
    if agreement.status is ApprenticeshipStatus.DRAFT:
        if not agreement.employer_approved:
            await agreements.approve(actor=enterprise, apprenticeship_id=ident)
        if not (await current()).institution_approved:
            await agreements.approve(actor=school, apprenticeship_id=ident)
        await agreements.approve(actor=chengdu, apprenticeship_id=ident)
    if (await current()).status is ApprenticeshipStatus.APPROVED:
        worker_2 = await _actor("worker-2")
        await agreements.confirm(actor=worker_2, apprenticeship_id=ident)
    if (await current()).status is ApprenticeshipStatus.CONFIRMED:
        await lifecycle.start(actor=enterprise, apprenticeship_id=ident, step=DatedStep(on=started))
    injured = started + timedelta(days=45)
    agreement = await current()
    paused_before = any(e.action is EventAction.PAUSED for e in await history.events_of(agreement))
    if agreement.status is ApprenticeshipStatus.ACTIVE and not paused_before:
        await lifecycle.pause(
            actor=enterprise,
            apprenticeship_id=ident,
            step=DatedStep(on=injured, reason="工伤休养（左手烫伤）"),
        )
    if (await current()).status is ApprenticeshipStatus.PAUSED:
        await lifecycle.resume(
            actor=enterprise,
            apprenticeship_id=ident,
            step=DatedStep(on=injured + timedelta(days=14)),
        )
