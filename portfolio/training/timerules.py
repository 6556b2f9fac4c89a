"""Time rules of training (issue 20): dates a record may carry, and when a step may happen.

Each rule reads the domain clock (``portfolio.clock``), so tests, the demo data and a staged
month of training move through time the same way real use does: a past is built by moving the
clock back, writing, and moving it forward, never by back-dating a record. Every rule is listed
in ``docs/integrity-time.md`` with its error code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from portfolio import clock
from portfolio.errors import FieldError, ValidationFailed
from portfolio.training.documents import Run, Session
from portfolio.training.rules import slots_of
from portfolio.vocabulary import SkillLevel

# How far back and ahead a run (and each of its sessions) may be dated when it is scheduled:
# one day back so a class opened at midnight is not refused, two years ahead.
RUN_DAYS_BACK = 1
RUN_DAYS_AHEAD = 2 * 365 + 1
DEFAULT_ATTENDANCE_WINDOW_DAYS = 3


def plausible_date_errors(field: str, value: date) -> list[FieldError]:
    """A date no record may carry, whatever its field: year 1 or 9999 (placeholders)."""
    if value.year <= 1 or value.year >= 9999:
        return [FieldError(field, "date_out_of_range", "is not a plausible date")]
    return []


def check_run_dates(*, start: date, end: date, sessions: Sequence[Session]) -> None:
    """A run and its sessions lie within [today - 1 day, today + 2 years] when scheduled."""
    today = clock.china_today()
    earliest = today - timedelta(days=RUN_DAYS_BACK)
    latest = today + timedelta(days=RUN_DAYS_AHEAD)
    message = f"must lie between {earliest.isoformat()} and {latest.isoformat()}"
    errors: list[FieldError] = []
    named = [("start_date", start), ("end_date", end)]
    named += [(f"sessions.{i}.day", s.day) for i, s in enumerate(sessions)]
    for field, value in named:
        if not earliest <= value <= latest:
            errors.append(FieldError(field, "date_out_of_range", message))
    if errors:
        raise ValidationFailed(errors)


def check_run_not_ended(run: Run, *, field: str = "run_id", now: datetime | None = None) -> None:
    """No enrolment into a run whose last day has passed."""
    if run.end_date < clock.china_today(now):
        raise ValidationFailed.single(
            field, "run_ended", f"the run ended on {run.end_date.isoformat()}"
        )


def session_bounds(run: Run, session_n: int) -> tuple[datetime, datetime] | None:
    """When session ``session_n`` of ``run`` starts and ends (UTC), or None if there is none."""
    assert run.id is not None
    for session, slot in zip(run.sessions, slots_of(str(run.id), run.sessions), strict=True):
        if session.n == session_n:
            return slot.starts, slot.ends
    return None


def last_session_end(run: Run) -> datetime | None:
    """When the run's last session ends (UTC); None for a run without sessions."""
    ends = [slot.ends for slot in slots_of(str(run.id), run.sessions)]
    return max(ends) if ends else None


def attendance_window_error(
    run: Run, session_n: int, *, now: datetime, window_days: int, field: str = "session_n"
) -> FieldError | None:
    """Attendance is recorded for a session that has started, within ``window_days`` after its
    end; outside that, only a late correction an agency officer approved."""
    bounds = session_bounds(run, session_n)
    if bounds is None:
        return None  # the unknown session is reported by the caller's own check
    starts, ends = bounds
    if now < starts:
        return FieldError(field, "session_not_started", "the session has not started yet")
    closes = ends + timedelta(days=window_days)
    if now > closes:
        return FieldError(
            field,
            "attendance_window_closed",
            f"attendance closed {window_days} days after the session; a late correction needs "
            "an agency officer's approval",
        )
    return None


def check_run_over(run: Run, now: datetime) -> FieldError | None:
    """A completion only after the run's last session has ended."""
    last = last_session_end(run)
    if clock.china_today(now) < run.end_date or (last is not None and now < last):
        return FieldError(
            "run",
            "run_not_ended",
            f"the run ends on {run.end_date.isoformat()}; complete it after its last session",
        )
    return None


def certificate_level_error(
    level: SkillLevel | None, target: SkillLevel | None
) -> FieldError | None:
    """A certificate from a course result is at most at the level the course leads to."""
    if level is None or target is None or level.rank <= target.rank:
        return None
    return FieldError(
        "level",
        "above_course_level",
        f"the course leads to {target.value}; a certificate from it cannot be above that",
    )
