"""The fraud rules over one claim's evidence. Pure: the voucher area gathers, these decide.

Each rule is written with its honest case in mind (a false positive costs a real provider
real money and an officer's time): the class register a clerk fills with "all present" is
normal use and flags nothing by itself; a worker who confirmed their own presence is the
best evidence there is; a provider's first busy month after registration is not a surge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio.integrity.flags import Flag, FlagCode, Thresholds
from portfolio.training import evidence


@dataclass(frozen=True)
class ClaimCase:
    """Everything the rules look at for one claim (gathered by the voucher area)."""

    archive_id: str
    enrolment_id: str
    run: evidence.RunFacts
    # The provider's other sessions taught by this run's trainers.
    trainer_sessions: Sequence[evidence.SessionSlot]
    # The standing records of the whole run (every enrolment, every session).
    attendance: Sequence[evidence.AttendanceFact]
    # The worker as the archive tells at the first session: their age and sex ("" unknown),
    # and the policy rules they did not meet then (code, reason), region and held vouchers
    # left out (a worker who moved since is not a fraud).
    age: int | None
    sex: str
    failed_policy_rules: Sequence[tuple[str, str]]
    # Enrolments the provider made in the surge window, in the quiet period before it, and
    # when it was registered.
    enrolments_recent: int
    enrolments_before: int
    provider_since: datetime | None
    # Claims for this worker under the policy in the last 365 days, this one included, and how
    # many the policy allows.
    claims_in_year: int
    claims_allowed: int
    now: datetime


def _flag(code: FlagCode, score: int, reason: str, **evidence_: object) -> Flag:
    return Flag(
        code=code, score=score, reason=reason, evidence={k: str(v) for k, v in evidence_.items()}
    )


def trainer_double_booked(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """A registered trainer of this run teaches another session at an overlapping time."""
    clashes = []
    for session in case.run.sessions:
        for other in case.trainer_sessions:
            shared = set(session.trainer_ids) & set(other.trainer_ids)
            if shared and session.overlaps(other):
                clashes.append(
                    f"session {session.n} {session.start.isoformat()} and run {other.run_id} "
                    f"session {other.n} {other.start.isoformat()} (trainer "
                    f"{', '.join(sorted(shared))})"
                )
    if not clashes:
        return []
    return [
        _flag(
            FlagCode.TRAINER_DOUBLE_BOOKED,
            60,
            f"a trainer of this class taught {len(clashes)} overlapping session(s) elsewhere",
            run_id=case.run.run_id,
            clashes="; ".join(clashes[:10]),
            count=len(clashes),
        )
    ]


def late_attendance(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """The worker's attendance was recorded (or approved as late) long after the session."""
    allowed = timedelta(days=limits.late_attendance_days)
    late = []
    for fact in case.attendance:
        session = case.run.session(fact.session_n)
        if fact.enrolment_id != case.enrolment_id or session is None or not fact.confirmed:
            continue
        delay = fact.recorded_at - session.end
        if delay > allowed:
            late.append((fact, delay))
    if not late:
        return []
    worst = max(delay for _, delay in late)
    return [
        _flag(
            FlagCode.LATE_ATTENDANCE,
            40,
            f"attendance of {len(late)} session(s) was recorded up to {worst.days} days after "
            f"the session (more than {limits.late_attendance_days})",
            sessions=",".join(str(f.session_n) for f, _ in late),
            records=",".join(f.record_id for f, _ in late),
            max_days_late=worst.days,
            approved_by=",".join(sorted({f.late_approved_by for f, _ in late} - {""})),
        )
    ]


def shared_device(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """The worker checked in from a device that checked in many different workers of the
    class (one phone ticking off a whole register)."""
    workers: dict[str, set[str]] = defaultdict(set)
    for fact in case.attendance:
        if fact.device_hash:
            workers[fact.device_hash].add(fact.archive_id)
    own = {f.device_hash for f in case.attendance if f.archive_id == case.archive_id}
    shared = {
        device: len(workers[device])
        for device in own - {""}
        if len(workers[device]) >= limits.shared_device_workers
    }
    if not shared:
        return []
    return [
        _flag(
            FlagCode.SHARED_DEVICE,
            70,
            f"the worker's check-ins came from a device that checked in {max(shared.values())} "
            f"different workers of this class (threshold {limits.shared_device_workers})",
            devices=",".join(d[:12] for d in sorted(shared)),
            workers=max(shared.values()),
        )
    ]


def outside_policy_group(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """The archive says the worker was outside the policy's group when the class began: a
    policy rule they did not meet (age band, unemployment, insurance), or past retirement."""
    reasons = [f"{code}: {reason}" for code, reason in case.failed_policy_rules]
    retirement = {"male": limits.retirement_age_male, "female": limits.retirement_age_female}
    limit = retirement.get(case.sex)
    if case.age is not None and limit is not None and case.age >= limit:
        reasons.append(f"retirement_age: {case.age} at the first session (retirement at {limit})")
    if not reasons:
        return []
    return [
        _flag(
            FlagCode.OUTSIDE_POLICY_GROUP,
            80,
            "the worker was outside the policy's group when the class began",
            archive_id=case.archive_id,
            age="" if case.age is None else case.age,
            failed="; ".join(reasons),
        )
    ]


def enrolment_surge(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """A provider that enrolled nobody for months suddenly enrols many. A provider younger
    than the quiet period had no months to be quiet in: its first classes are not a surge."""
    if not evidence.is_surge(
        recent=case.enrolments_recent,
        before=case.enrolments_before,
        provider_since=case.provider_since,
        now=case.now,
        limits=limits.surge,
    ):
        return []
    return [
        _flag(
            FlagCode.ENROLMENT_SURGE,
            30,
            f"{case.enrolments_recent} enrolments in {limits.surge_window_days} days after "
            f"none in the {limits.surge_quiet_days} days before",
            organisation_id=case.run.organisation_id,
            recent=case.enrolments_recent,
            before=case.enrolments_before,
        )
    ]


def claimed_too_often(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """One worker claimed for more often in a year than the policy allows."""
    if case.claims_in_year <= case.claims_allowed:
        return []
    return [
        _flag(
            FlagCode.CLAIMED_TOO_OFTEN,
            50,
            f"{case.claims_in_year} claims for this worker under the policy in 365 days "
            f"(the policy allows {case.claims_allowed})",
            archive_id=case.archive_id,
            claims=case.claims_in_year,
            allowed=case.claims_allowed,
        )
    ]


def identical_attendance(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """Every session of a class of several shows the same provider-entered register and no
    worker confirmed any of it. "All present" by itself is normal use: a class whose workers
    confirmed (their own check-in, or confirming the entry) is not flagged."""
    registers: dict[int, set[tuple[str, float]]] = defaultdict(set)
    for fact in case.attendance:
        if fact.worker_confirmed or fact.entered_by == "worker":
            return []
        registers[fact.session_n].add((fact.enrolment_id, fact.hours))
    sessions = [n for n in (s.n for s in case.run.sessions) if n in registers]
    if len(sessions) < limits.identical_min_sessions or len(sessions) < len(case.run.sessions):
        return []
    first = registers[sessions[0]]
    # One worker present at every session is simply a good attendee: the pattern means
    # something only across a class of several.
    if len(first) < limits.identical_min_workers or any(
        registers[n] != first for n in sessions[1:]
    ):
        return []
    return [
        _flag(
            FlagCode.IDENTICAL_ATTENDANCE,
            60,
            f"all {len(sessions)} sessions show the same provider-entered register of "
            f"{len(first)} workers and no worker confirmed any of it",
            run_id=case.run.run_id,
            sessions=len(sessions),
            workers=len(first),
        )
    ]


RULES: tuple[Callable[[ClaimCase, Thresholds], list[Flag]], ...] = (
    trainer_double_booked,
    late_attendance,
    shared_device,
    outside_policy_group,
    enrolment_surge,
    claimed_too_often,
    identical_attendance,
)


def evaluate(case: ClaimCase, limits: Thresholds) -> list[Flag]:
    """Every rule over the claim's evidence; the flags they raise, highest score first."""
    flags = [flag for rule in RULES for flag in rule(case, limits)]
    return sorted(flags, key=lambda f: -f.score)
