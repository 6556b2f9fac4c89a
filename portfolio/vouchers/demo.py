"""Demo voucher policies and vouchers in every state of part 1, for the demo workers.

Everything goes through the real services, as the demo agencies and workers, so each voucher's
history is a real chain of events:

* 四川省职业技能培训券 (province, 51): version 1 published about 400 days ago, version 2 (a
  higher face value) today. Under version 1 worker-1 got a voucher that was cancelled two days
  later (a clerk's mistake) and another that ran out unused (expired by the sweep); under
  version 2 worker-1 holds one bound to the class they attend today, worker-2 an issued one.
* 绵阳市失业人员就业技能培训券 (Mianyang, registered unemployed only): worker-2's, bound to
  the class they asked to join next month.
* 成都市失业保险参保职工技能提升培训券 (Chengdu, insured for unemployment 12 months or
  more): worker-1's, issued, with consent for the provider to bind it.

Claims and redemption (part 2), when the keyring is given: under 成都市就业技能培训券（川菜）
worker-1 took two more of provider A's Sichuan-cuisine classes in April, each with the voucher
bound before it started, fully attended and passed; provider A claimed both, and the Chengdu
agency redeemed the first (ledger entry and archive entry), the second awaits its decision.

The first two are back-dated (issued "as of" 400 days ago) so that one can have run out.
A voucher is bound only when the training demo's enrolment exists (it may load later: a
second run binds it then). Loading twice changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

from beanie import PydanticObjectId

from portfolio import clock, training
from portfolio.accounts import Actor, Principal, actor_of
from portfolio.accounts.demo import (
    DEMO_ARCHIVE_WORKER_1,
    DEMO_ARCHIVE_WORKER_2,
    DEMO_ORGANISATION_A,
    DEMO_ORGANISATION_B,
)
from portfolio.archives import WorkerRef
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.errors import Conflict
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.training import (
    CaptureMethod,
    CompletionResult,
    Course,
    Outcome,
    Presence,
    Session,
    complete_one,
    confirm_attendance,
    course_of,
    create_run,
    enrol,
    enrolments_of_worker,
    find_course,
    record_attendance,
    transition,
)
from portfolio.vocabulary import PriorityGroup, TrainingType
from portfolio.vouchers import (
    attestation,
    claims,
    demo_fraud,
    issuance,
    policies,
    redemption,
    transitions,
)
from portfolio.vouchers.documents import PolicyHead, Voucher, VoucherPolicy
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.inputs import PolicyContent, RulesContent
from portfolio.vouchers.rules import coverage_gaps

PROVINCE_POLICY = "64d000000000000000000e01"
MIANYANG_POLICY = "64d000000000000000000e02"
CHENGDU_POLICY = "64d000000000000000000e03"

CANCELLED_VOUCHER = "64d000000000000000000f01"
EXPIRED_VOUCHER = "64d000000000000000000f02"
BOUND_VOUCHER_1 = "64d000000000000000000f03"
CONSENTED_VOUCHER = "64d000000000000000000f04"
BOUND_VOUCHER_2 = "64d000000000000000000f05"
ISSUED_VOUCHER = "64d000000000000000000f06"
CLAIMS_POLICY = "64d000000000000000000e04"
# A policy aimed at priority groups (issue 27): worker-1 is recorded as a migrant worker.
PRIORITY_POLICY = "64d000000000000000000e27"
REDEEMED_VOUCHER = "64d000000000000000000f07"
CLAIMED_VOUCHER = "64d000000000000000000f08"

_PROVINCE = PolicyContent(
    name="四川省职业技能培训券（就业技能培训）",
    face_value_fen=120_000,
    quantity=10_000,
    validity_days=365,
    region_prefix="51",
    training_types=(TrainingType.EMPLOYMENT_SKILLS,),
    rules=RulesContent(min_age=16, max_age=60),
)
_PROVINCE_V2 = PolicyContent(
    name="四川省职业技能培训券（就业技能培训）",
    face_value_fen=150_000,
    quantity=10_000,
    validity_days=365,
    training_types=(TrainingType.EMPLOYMENT_SKILLS,),
    rules=RulesContent(min_age=16, max_age=60),
    change_note="面值由1200元提高到1500元",
)
_MIANYANG = PolicyContent(
    name="绵阳市失业人员就业技能培训券",
    face_value_fen=120_000,
    quantity=500,
    validity_days=180,
    region_prefix="5107",
    training_types=(TrainingType.EMPLOYMENT_SKILLS,),
    rules=RulesContent(registered_unemployed=True, min_age=16, max_age=60),
)
_CHENGDU_CHEF = PolicyContent(
    name="成都市就业技能培训券（川菜）",
    face_value_fen=100_000,
    quantity=1_000,
    validity_days=365,
    region_prefix="5101",
    training_types=(TrainingType.EMPLOYMENT_SKILLS,),
    rules=RulesContent(min_age=16, max_age=60),
)
_CHENGDU_PRIORITY = PolicyContent(
    name="成都市重点群体就业技能培训券（农民工、脱贫人口）",
    face_value_fen=150_000,
    quantity=800,
    validity_days=180,
    region_prefix="5101",
    training_types=(TrainingType.EMPLOYMENT_SKILLS,),
    rules=RulesContent(
        min_age=16,
        max_age=60,
        priority_groups=(PriorityGroup.MIGRANT_WORKER, PriorityGroup.LIFTED_FROM_POVERTY),
    ),
)
_CHENGDU = PolicyContent(
    name="成都市失业保险参保职工技能提升培训券",
    face_value_fen=180_000,
    quantity=2_000,
    validity_days=180,
    region_prefix="5101",
    training_types=(TrainingType.SKILL_UPGRADING,),
    rules=RulesContent(min_unemployment_insurance_months=12),
)


async def _actor(username: str) -> Actor:
    principal = await Principal.find_one({"username": username})
    if principal is None:
        raise RuntimeError(f"the demo account {username} must be loaded first")
    return actor_of(principal)


async def _policy(actor: Actor, policy_id: str, content: PolicyContent, at: datetime) -> None:
    if await VoucherPolicy.get(PydanticObjectId(policy_id)) is not None:
        return
    with contextlib.suppress(Conflict):  # another replica loading the demo made it first
        await policies.publish(actor=actor, content=content, now=at, policy_id=policy_id)


async def _current_version(policy_id: str) -> str:
    head = await PolicyHead.get(PydanticObjectId(policy_id))
    assert head is not None
    return head.current_version_id


async def _voucher(
    keyring: Keyring,
    actor: Actor,
    voucher_id: str,
    policy_id: str,
    archive_id: str,
    note: str,
    at: datetime,
) -> Voucher | None:
    """The demo voucher, issued once (None when the worker is not eligible after all)."""
    found = await Voucher.get(PydanticObjectId(voucher_id))
    if found is not None:
        return found
    with contextlib.suppress(Conflict):
        await issuance.issue(
            actor=actor,
            keyring=keyring,
            policy_id=policy_id,
            worker_id=archive_id,
            note=note,
            now=at,
            voucher_id=voucher_id,
        )
    return await Voucher.get(PydanticObjectId(voucher_id))


async def _bind_to_a_running_class(worker: Actor, voucher: Voucher | None) -> None:
    """Bind to the worker's first running enrolment the policy pays for, if there is one."""
    if voucher is None or voucher.status is not VoucherStatus.ISSUED:
        return
    for enrolment in await enrolments_of_worker(voucher.archive_id):
        if enrolment.status not in transitions.BINDABLE:
            continue
        course = await find_course(enrolment.course_id)
        if course is None or coverage_gaps(
            voucher.coverage,
            training_type=course.training_type.value,
            occupation_code=course.occupation_code,
            brand=course.brand.value if course.brand else None,
        ):
            continue
        try:
            await transitions.bind(
                actor=worker, voucher_id=str(voucher.id), enrolment_id=str(enrolment.id)
            )
            return
        except Conflict:
            continue  # that class holds another voucher already


async def _claimed(
    *, keyring: Keyring, voucher_id: str, start: date, redeem: bool, now: datetime
) -> None:
    """Worker-1 trained with a voucher in one more cooking class of provider A, claimed (and
    redeemed when ``redeem``). Done once: an existing voucher only gets its redemption."""
    chengdu = await _actor("agency-chengdu")
    found = await Voucher.get(PydanticObjectId(voucher_id))
    if found is not None:
        if redeem and found.status is VoucherStatus.CLAIMED:
            with contextlib.suppress(Conflict):
                await redemption.redeem(actor=chengdu, voucher_id=voucher_id, now=now)
        return
    cooking = await course_of(DEMO_ORGANISATION_A, "4-03-02-01")
    if cooking is None:
        return  # the training demo is not loaded
    provider = await _actor("provider-a")
    worker = await _actor("worker-1")
    # The past is built through the clock seam: the voucher is issued a week before the class,
    # each session is attended at its time, the completion follows the last one.
    issued_at = training.evidence.session_start(start, "09:00") - timedelta(days=7)
    voucher = await _voucher(
        keyring,
        chengdu,
        voucher_id,
        CLAIMS_POLICY,
        DEMO_ARCHIVE_WORKER_1,
        "川菜烹饪就业技能培训",
        issued_at,
    )
    if voucher is None or voucher.status is not VoucherStatus.ISSUED:
        return
    with clock.stopped_at(issued_at):
        enrolment_id = await _booked(keyring, provider, worker, voucher_id, cooking, start)
    run_sessions = [
        Session(n=n + 1, day=start + timedelta(days=n), start="14:00", hours=6) for n in range(4)
    ]
    for session in run_sessions:
        with clock.stopped_at(
            training.evidence.session_start(session.day, session.start) + timedelta(hours=1)
        ):
            recorded = await record_attendance(
                actor=provider,
                enrolment_id=enrolment_id,
                presence=Presence(
                    session.n, session.hours, CaptureMethod.FACE, f"face-{voucher_id}-{session.n}"
                ),
            )
            # The honest provider's face check-ins: the worker confirms each on their page.
            await confirm_attendance(recorded.id)
    finished = training.evidence.session_start(run_sessions[-1].day, "22:00")
    with clock.stopped_at(finished):
        await complete_one(
            actor=provider,
            enrolment_id=enrolment_id,
            outcome=Outcome(CompletionResult.PASSED, 87),
            now=finished,
        )
    await claims.claim(
        actor=provider,
        voucher_id=voucher_id,
        amount_fen=min(voucher.face_value_fen, cooking.subsidy_standard_fen),
        min_share=1.0,
        note="全勤结业，申请兑付",
        keyring=keyring,
        now=now,
    )
    await attestation.attest(actor=worker, voucher_id=voucher_id, took_part=True, words="", now=now)
    if redeem:
        await redemption.redeem(actor=chengdu, voucher_id=voucher_id, now=now)


async def _booked(
    keyring: Keyring, provider: Actor, worker: Actor, voucher_id: str, cooking: Course, start: date
) -> str:
    """A class of the cooking course from ``start``, worker-1 enrolled, the voucher bound and
    the training started; the enrolment's id."""
    demo_worker = next(w for w in DEMO_WORKERS if w.archive_id == DEMO_ARCHIVE_WORKER_1)
    run = await create_run(
        actor=provider,
        course_id=str(cooking.id),
        start_date=start,
        end_date=start + timedelta(days=3),
        capacity=30,
        location="教学楼 3 楼实训室",
        trainers=["陈师傅"],
        sessions=[
            Session(n=n + 1, day=start + timedelta(days=n), start="14:00", hours=6)
            for n in range(4)
        ],
    )
    enrolment = await enrol(
        actor=provider,
        keyring=keyring,
        run_id=str(run.id),
        worker=WorkerRef(IdType.RESIDENT_ID, demo_worker.id_number, demo_worker.name),
        accept=True,
    )
    await transitions.bind(actor=worker, voucher_id=voucher_id, enrolment_id=str(enrolment.id))
    await transition(actor=provider, enrolment_id=str(enrolment.id), action="start")
    return str(enrolment.id)


async def ensure_demo_vouchers(*, keyring: Keyring) -> None:
    """Load the voucher demo (after the demo accounts, archives and, ideally, training);
    with the keyring, the claimed and redeemed vouchers too."""
    now = clock.now()
    long_ago = now - timedelta(days=400)
    sichuan = await _actor("agency-sichuan")
    chengdu = await _actor("agency-chengdu")
    mianyang = await _actor("agency-mianyang")
    worker_1 = await _actor("worker-1")
    worker_2 = await _actor("worker-2")

    await _policy(sichuan, PROVINCE_POLICY, _PROVINCE, long_ago)
    await _policy(mianyang, MIANYANG_POLICY, _MIANYANG, now)
    await _policy(chengdu, CHENGDU_POLICY, _CHENGDU, now)
    await _policy(chengdu, PRIORITY_POLICY, _CHENGDU_PRIORITY, now)

    # Version 1 of the province's policy, long ago: one voucher cancelled, one left to expire.
    mistake = await _voucher(
        keyring,
        chengdu,
        CANCELLED_VOUCHER,
        PROVINCE_POLICY,
        DEMO_ARCHIVE_WORKER_1,
        "年度培训券",
        long_ago + timedelta(hours=2),
    )
    if mistake is not None and mistake.status is VoucherStatus.ISSUED:
        with contextlib.suppress(Conflict):
            await transitions.cancel(
                actor=chengdu,
                voucher_id=CANCELLED_VOUCHER,
                reason="发放对象信息录入有误，已作废重发",
                now=long_ago + timedelta(days=2),
            )
    lapsed = await _voucher(
        keyring,
        chengdu,
        EXPIRED_VOUCHER,
        PROVINCE_POLICY,
        DEMO_ARCHIVE_WORKER_1,
        "年度培训券（重发）",
        long_ago + timedelta(days=2, hours=1),
    )
    if lapsed is not None:
        await transitions.expire(lapsed, by=transitions.SYSTEM, now=now)

    head = await PolicyHead.get(PydanticObjectId(PROVINCE_POLICY))
    if head is not None and head.version_no == 1:
        with contextlib.suppress(Conflict):
            await policies.publish_version(
                actor=sichuan,
                policy_id=PROVINCE_POLICY,
                content=_PROVINCE_V2,
                now=now,
            )
    province_now = await _current_version(PROVINCE_POLICY)

    bound_1 = await _voucher(
        keyring, chengdu, BOUND_VOUCHER_1, province_now, DEMO_ARCHIVE_WORKER_1, "年度培训券", now
    )
    await _bind_to_a_running_class(worker_1, bound_1)
    consented = await _voucher(
        keyring,
        chengdu,
        CONSENTED_VOUCHER,
        CHENGDU_POLICY,
        DEMO_ARCHIVE_WORKER_1,
        "失业保险参保满12个月，可参加岗位技能提升培训",
        now,
    )
    if consented is not None and not consented.provider_may_bind:
        with contextlib.suppress(Conflict):
            await transitions.consent(
                actor=worker_1, voucher_id=CONSENTED_VOUCHER, provider_may_bind=True
            )

    bound_2 = await _voucher(
        keyring,
        mianyang,
        BOUND_VOUCHER_2,
        MIANYANG_POLICY,
        DEMO_ARCHIVE_WORKER_2,
        "登记失业人员就业技能培训",
        now,
    )
    await _bind_to_a_running_class(worker_2, bound_2)
    await _voucher(
        keyring, mianyang, ISSUED_VOUCHER, province_now, DEMO_ARCHIVE_WORKER_2, "年度培训券", now
    )

    if keyring is not None:
        await _policy(chengdu, CLAIMS_POLICY, _CHENGDU_CHEF, long_ago)
        await _claimed(
            keyring=keyring,
            voucher_id=REDEEMED_VOUCHER,
            start=date(2026, 4, 6),
            redeem=True,
            now=now,
        )
        await _claimed(
            keyring=keyring,
            voucher_id=CLAIMED_VOUCHER,
            start=date(2026, 4, 20),
            redeem=False,
            now=now,
        )
        trainee = next(w for w in DEMO_WORKERS if w.archive_id == DEMO_ARCHIVE_WORKER_2)
        cast = demo_fraud.Cast(
            DEMO_ORGANISATION_B,
            DEMO_ARCHIVE_WORKER_2,
            WorkerRef(IdType.RESIDENT_ID, trainee.id_number, trainee.name),
            holder=worker_2,
            agency=mianyang,
            provider=await _actor("provider-b"),
        )
        await demo_fraud.ensure_demo_fraud(keyring=keyring, cast=cast)
