"""Demo data for the fraud rules: a dishonest provider whose claims an officer sees flagged.

Provider A's claims (``demo.py``) are the honest ones: vouchers issued before the class, every
session attended at its time, the worker's own confirmation. Provider B (绵阳市技师学院) here
claims twice for worker-2 under a Mianyang welding policy that allows one claim a year, and
had the second class's attendance entered twelve days after each session (as late corrections
an officer approved on a paper sheet): its second claim is
flagged ``claimed_too_often`` and ``late_attendance``, awaits the worker, and (above the
policy's amount) needs two officers. Built through the services and the clock seam; loading
twice changes nothing. A refusal (a rule of the time rules the history does not meet) leaves
that claim out rather than failing the demo.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from beanie import PydanticObjectId

from portfolio import clock, training
from portfolio.accounts import Actor
from portfolio.archives import WorkerRef
from portfolio.errors import Conflict, DomainError
from portfolio.keyring import Keyring
from portfolio.training import (
    CaptureMethod,
    CompletionResult,
    Outcome,
    Presence,
    Session,
    complete_one,
    confirm_attendance,
    course_of,
    create_run,
    enrol,
    record_attendance,
    record_late_attendance,
    transition,
)
from portfolio.vocabulary import TrainingType
from portfolio.vouchers import claims, issuance, policies, transitions
from portfolio.vouchers.documents import Voucher, VoucherPolicy
from portfolio.vouchers.inputs import ClaimTermsContent, PolicyContent, RulesContent

WELDING_POLICY = "64d000000000000000000e05"
FIRST_CLAIM = "64d000000000000000000f09"
SECOND_CLAIM = "64d000000000000000000f0a"

_WELDING = PolicyContent(
    name="绵阳市焊工技能提升培训券",
    face_value_fen=250_000,
    quantity=500,
    validity_days=365,
    region_prefix="5107",
    training_types=(TrainingType.SKILL_UPGRADING,),
    rules=RulesContent(one_unused_voucher=False),
    claim_terms=ClaimTermsContent(max_claims_per_year=1, two_approvals_above_fen=200_000),
)


async def _class(
    *,
    keyring: Keyring,
    agency: Actor,
    provider: Actor,
    voucher_id: str,
    start: date,
    late_days: int,
    cast: Cast,
    now: datetime,
) -> None:
    """Worker-2 in one welding class of provider B with a voucher, claimed at ``now``."""
    if await Voucher.get(PydanticObjectId(voucher_id)) is not None:
        return
    welding = await course_of(cast.organisation_id, "6-18-02-04")
    if welding is None:
        return  # the training demo is not loaded
    sessions = [
        Session(n=n + 1, day=start + timedelta(days=n), start="08:30", hours=8) for n in range(5)
    ]
    issued_at = training.evidence.session_start(start, "08:30") - timedelta(days=5)
    with clock.stopped_at(issued_at):
        await issuance.issue(
            actor=agency,
            keyring=keyring,
            policy_id=WELDING_POLICY,
            worker_id=cast.archive_id,
            note="焊工技能提升",
            now=issued_at,
            voucher_id=voucher_id,
        )
        run = await create_run(
            actor=provider,
            course_id=str(welding.id),
            start_date=start,
            end_date=sessions[-1].day,
            capacity=20,
            location="绵阳市技师学院 焊接实训车间",
            trainers=["赵师傅"],
            sessions=sessions,
        )
        enrolment = await enrol(
            actor=provider,
            keyring=keyring,
            run_id=str(run.id),
            worker=cast.worker,
            accept=True,
        )
        holder = cast.holder
        await transitions.bind(actor=holder, voucher_id=voucher_id, enrolment_id=str(enrolment.id))
        await transition(actor=provider, enrolment_id=str(enrolment.id), action="start")
    for session in sessions:
        moment = training.evidence.session_start(session.day, session.start) + timedelta(
            days=late_days, hours=2
        )
        presence = Presence(session.n, 8, CaptureMethod.FACE, f"b-{voucher_id}-{session.n}")
        with clock.stopped_at(moment):
            if late_days <= 0:
                recorded = await record_attendance(
                    actor=provider, enrolment_id=str(enrolment.id), presence=presence
                )
            else:
                # Past the attendance window only an officer may record it, as a late
                # correction: the provider's paper sheet "turned up" and an officer approved it.
                recorded = await record_late_attendance(
                    actor=agency,
                    enrolment_id=str(enrolment.id),
                    presence=presence,
                    reason="机构补交纸质签到表",
                )
            # The provider's entries count only once the worker confirms them; worker-2 does.
            await confirm_attendance(recorded.id)
    finished = training.evidence.session_start(sessions[-1].day, "20:00") + timedelta(
        days=late_days
    )
    with clock.stopped_at(finished):
        await complete_one(
            actor=provider,
            enrolment_id=str(enrolment.id),
            outcome=Outcome(CompletionResult.PASSED, 80),
            now=finished,
        )
    await claims.claim(
        actor=provider,
        voucher_id=voucher_id,
        amount_fen=250_000,
        min_share=0.8,
        note="结业合格，申请兑付",
        keyring=keyring,
        now=now,
    )


@dataclass(frozen=True)
class Cast:
    """Who plays in the dishonest provider's claims (the demo's ids, passed in by demo.py)."""

    organisation_id: str
    archive_id: str
    worker: WorkerRef
    holder: Actor
    agency: Actor
    provider: Actor


async def ensure_demo_fraud(*, keyring: Keyring, cast: Cast) -> None:
    """Load the dishonest provider's claims (after the training demo and the voucher demo)."""
    now = clock.now()
    mianyang, provider_b = cast.agency, cast.provider
    if await VoucherPolicy.get(PydanticObjectId(WELDING_POLICY)) is None:
        with contextlib.suppress(Conflict):
            await policies.publish(
                actor=mianyang,
                content=_WELDING,
                now=now - timedelta(days=400),
                policy_id=WELDING_POLICY,
            )
    for voucher_id, start, late in (
        (FIRST_CLAIM, date(2026, 8, 3), 0),
        (SECOND_CLAIM, date(2026, 9, 7), 12),
    ):
        with contextlib.suppress(DomainError):
            await _class(
                keyring=keyring,
                agency=mianyang,
                provider=provider_b,
                voucher_id=voucher_id,
                start=start,
                late_days=late,
                cast=cast,
                now=now,
            )
