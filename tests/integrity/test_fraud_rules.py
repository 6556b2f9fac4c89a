"""Each fraud rule over hand-made evidence: a case that triggers it, and the honest case next
to it that must not (a false positive costs a real provider real money)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from portfolio.integrity import ClaimCase, FlagCode, Thresholds, evaluate
from portfolio.integrity import rules as r
from portfolio.training.evidence import AttendanceFact, RunFacts, SessionSlot

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
LIMITS = Thresholds.defaults()
START = NOW - timedelta(days=10)


def _run(run_id: str = "run-a", trainers: tuple[str, ...] = ("t1",), count: int = 4) -> RunFacts:
    sessions = tuple(
        SessionSlot(
            run_id,
            n + 1,
            START + timedelta(days=n),
            START + timedelta(days=n, hours=4),
            trainers,
        )
        for n in range(count)
    )
    return RunFacts(run_id, "org", trainers, sessions, historical=False)


def _fact(
    worker: int,
    n: int,
    *,
    entered_by: str = "provider",
    confirmed: bool = True,
    by_worker: bool = False,
    late_days: float = 0,
    device: str = "",
) -> AttendanceFact:
    recorded = START + timedelta(days=n - 1, hours=4 + 24 * late_days)
    return AttendanceFact(
        record_id=f"rec-{worker}-{n}",
        enrolment_id=f"enr-{worker}",
        archive_id=f"arc-{worker}",
        session_n=n,
        hours=4,
        status="confirmed" if confirmed else "unconfirmed",
        capture_method="face",
        entered_by=entered_by,
        recorded_at=recorded,
        confirmed_at=(recorded + timedelta(minutes=5)) if by_worker else recorded,
        device_hash=device,
        late=late_days > 0,
        late_approved_by="officer-1" if late_days > 0 else "",
    )


def _case(**changes: object) -> ClaimCase:
    honest = ClaimCase(
        archive_id="arc-0",
        enrolment_id="enr-0",
        run=_run(),
        trainer_sessions=[],
        attendance=[_fact(0, n, by_worker=True) for n in range(1, 5)],
        age=35,
        sex="female",
        failed_policy_rules=[],
        enrolments_recent=3,
        enrolments_before=12,
        provider_since=NOW - timedelta(days=800),
        claims_in_year=1,
        claims_allowed=2,
        now=NOW,
    )
    return replace(honest, **changes)  # type: ignore[arg-type]


def _codes(case: ClaimCase) -> set[FlagCode]:
    return {f.code for f in evaluate(case, LIMITS)}


def test_an_honest_claim_raises_no_flag() -> None:
    assert evaluate(_case(), LIMITS) == []


def test_a_trainer_in_two_overlapping_sessions_is_flagged() -> None:
    other = _run("run-b", ("t1",))
    [flag] = r.trainer_double_booked(_case(trainer_sessions=list(other.sessions)), LIMITS)
    assert flag.code is FlagCode.TRAINER_DOUBLE_BOOKED
    assert flag.evidence["count"] == "4"
    assert "run-b" in flag.evidence["clashes"]


def test_a_trainer_teaching_elsewhere_at_other_times_is_not_flagged() -> None:
    later = [
        replace(s, start=s.start + timedelta(hours=5), end=s.end + timedelta(hours=5))
        for s in _run("run-b", ("t1",)).sessions
    ]
    other_trainer = list(_run("run-c", ("t2",)).sessions)
    assert r.trainer_double_booked(_case(trainer_sessions=later + other_trainer), LIMITS) == []


def test_attendance_approved_long_after_the_session_is_flagged() -> None:
    facts = [_fact(0, n, late_days=10 if n == 2 else 0, by_worker=True) for n in range(1, 5)]
    [flag] = r.late_attendance(_case(attendance=facts), LIMITS)
    assert flag.code is FlagCode.LATE_ATTENDANCE
    assert (flag.evidence["sessions"], flag.evidence["approved_by"]) == ("2", "officer-1")


def test_attendance_corrected_within_the_threshold_is_not_flagged() -> None:
    facts = [_fact(0, n, late_days=2 if n == 2 else 0, by_worker=True) for n in range(1, 5)]
    assert r.late_attendance(_case(attendance=facts), LIMITS) == []


def test_one_device_checking_in_many_workers_is_flagged() -> None:
    facts = [_fact(w, n, entered_by="worker", device="phone-x") for w in range(3) for n in (1, 2)]
    [flag] = r.shared_device(_case(attendance=facts), LIMITS)
    assert (flag.code, flag.evidence["workers"]) == (FlagCode.SHARED_DEVICE, "3")


def test_two_workers_sharing_a_phone_is_not_flagged() -> None:
    facts = [_fact(w, n, entered_by="worker", device="phone-x") for w in range(2) for n in (1, 2)]
    facts += [_fact(w + 2, 1, entered_by="worker", device=f"own-{w}") for w in range(5)]
    assert r.shared_device(_case(attendance=facts), LIMITS) == []


def test_a_worker_past_retirement_age_is_flagged() -> None:
    [flag] = r.outside_policy_group(_case(age=61, sex="male"), LIMITS)
    assert flag.code is FlagCode.OUTSIDE_POLICY_GROUP
    assert "retirement_age" in flag.evidence["failed"]


def test_a_failed_policy_rule_at_the_first_session_is_flagged() -> None:
    failed = [("age_band", "aged 66, the policy asks 16 to 60")]
    [flag] = r.outside_policy_group(_case(failed_policy_rules=failed), LIMITS)
    assert "age_band" in flag.evidence["failed"]


def test_a_worker_within_the_group_is_not_flagged() -> None:
    assert r.outside_policy_group(_case(age=59, sex="male"), LIMITS) == []
    assert r.outside_policy_group(_case(age=54, sex="female"), LIMITS) == []


def test_a_surge_after_months_without_enrolments_is_flagged() -> None:
    [flag] = r.enrolment_surge(_case(enrolments_recent=40, enrolments_before=0), LIMITS)
    assert (flag.code, flag.evidence["recent"]) == (FlagCode.ENROLMENT_SURGE, "40")


def test_a_new_providers_first_classes_and_a_busy_regular_are_not_a_surge() -> None:
    new = _case(enrolments_recent=40, enrolments_before=0, provider_since=NOW - timedelta(30))
    busy = _case(enrolments_recent=40, enrolments_before=25)
    assert r.enrolment_surge(new, LIMITS) == []
    assert r.enrolment_surge(busy, LIMITS) == []


def test_a_worker_claimed_more_often_than_the_policy_allows_is_flagged() -> None:
    [flag] = r.claimed_too_often(_case(claims_in_year=3, claims_allowed=2), LIMITS)
    assert (flag.evidence["claims"], flag.evidence["allowed"]) == ("3", "2")


def test_claims_up_to_the_policys_number_are_not_flagged() -> None:
    assert r.claimed_too_often(_case(claims_in_year=2, claims_allowed=2), LIMITS) == []


def test_identical_provider_registers_nobody_confirmed_are_flagged() -> None:
    facts = [_fact(w, n) for w in range(6) for n in range(1, 5)]
    [flag] = r.identical_attendance(_case(attendance=facts), LIMITS)
    assert (flag.evidence["sessions"], flag.evidence["workers"]) == ("4", "6")


def test_bulk_all_present_that_workers_confirmed_is_not_flagged() -> None:
    facts = [_fact(w, n, by_worker=(w == 0 and n == 1)) for w in range(6) for n in range(1, 5)]
    assert r.identical_attendance(_case(attendance=facts), LIMITS) == []


def test_a_small_class_always_present_is_not_flagged() -> None:
    facts = [_fact(w, n) for w in range(2) for n in range(1, 5)]
    assert r.identical_attendance(_case(attendance=facts), LIMITS) == []


def test_flags_come_highest_score_first() -> None:
    case = _case(age=70, sex="male", claims_in_year=5)
    assert [f.code for f in evaluate(case, LIMITS)] == [
        FlagCode.OUTSIDE_POLICY_GROUP,
        FlagCode.CLAIMED_TOO_OFTEN,
    ]
    assert _codes(_case()) == set()


def test_the_workers_confirmation_is_read_on_the_clock_seam() -> None:
    # A face entry the provider reports, confirmed by the worker: the moment is the clock
    # seam's (confirmed_at_ms), whatever the database's own confirmed_at says.
    legacy = _fact(0, 1)  # confirmed as it was written, by the capture method alone
    assert not legacy.worker_confirmed
    seam = replace(legacy, confirmed_at_ms=int(legacy.recorded_at.timestamp() * 1000))
    assert seam.worker_confirmed
    waiting = replace(_fact(0, 1, confirmed=False), confirmed_at=None)
    assert not waiting.worker_confirmed
    assert _fact(0, 1, entered_by="worker").worker_confirmed
