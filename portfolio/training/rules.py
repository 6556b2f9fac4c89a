"""Dense rules of the training area: the enrolment life cycle, sessions and their overlaps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from portfolio.errors import FieldError, InvalidTransition, ValidationFailed
from portfolio.training.documents import Session
from portfolio.training.enums import EnrolmentStatus

S = EnrolmentStatus

# action -> (states it may start from, state it leads to)
ENROLMENT_TRANSITIONS: dict[str, tuple[frozenset[EnrolmentStatus], EnrolmentStatus]] = {
    "accept": (frozenset({S.REQUESTED}), S.ACCEPTED),
    "refuse": (frozenset({S.REQUESTED}), S.REFUSED),
    "start": (frozenset({S.ACCEPTED}), S.IN_TRAINING),
    "withdraw": (frozenset({S.REQUESTED, S.ACCEPTED, S.IN_TRAINING}), S.WITHDRAWN),
    "complete": (frozenset({S.IN_TRAINING}), S.COMPLETED),
}

# States that hold a seat and a place in the worker's schedule.
HOLDS_SEAT = frozenset({S.REQUESTED, S.ACCEPTED, S.IN_TRAINING, S.COMPLETED})

MAX_SESSION_HOURS = 12.0
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Sessions are local Beijing time; slots are compared as UTC instants.
_CHINA = timedelta(hours=8)


def next_enrolment_state(action: str, current: EnrolmentStatus) -> EnrolmentStatus:
    """The state ``action`` leads to from ``current``, or InvalidTransition naming it."""
    allowed, target = ENROLMENT_TRANSITIONS[action]
    if current not in allowed:
        raise InvalidTransition(
            f"cannot {action} an enrolment that is {current.value}", current_state=current.value
        )
    return target


def check_sessions(sessions: list[Session], *, start: date, end: date) -> None:
    """Sessions are numbered 1..n in order, inside the run's dates, with sane times and hours."""
    errors: list[FieldError] = []
    if end < start:
        errors.append(FieldError("end_date", "before_start", "must not be before start_date"))
    for index, session in enumerate(sessions):
        where = f"sessions.{index}"
        if session.n != index + 1:
            errors.append(FieldError(f"{where}.n", "sequence", f"must be {index + 1}"))
        if not start <= session.day <= end:
            errors.append(
                FieldError(f"{where}.day", "outside_run", "must lie within the run's dates")
            )
        if not _CLOCK.match(session.start):
            errors.append(FieldError(f"{where}.start", "format", "must be HH:MM (24-hour)"))
        if not 0 < session.hours <= MAX_SESSION_HOURS:
            errors.append(
                FieldError(
                    f"{where}.hours", "range", f"must be above 0 and at most {MAX_SESSION_HOURS}"
                )
            )
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class Slot:
    """A booked session: which run, and when (UTC instants)."""

    run_id: str
    starts: datetime
    ends: datetime

    def encode(self) -> str:
        """The stored form: ``run|start|end``."""
        return f"{self.run_id}|{self.starts.isoformat()}|{self.ends.isoformat()}"

    @classmethod
    def decode(cls, value: str) -> Slot:
        """Inverse of ``encode``."""
        run_id, starts, ends = value.split("|")
        return cls(run_id, datetime.fromisoformat(starts), datetime.fromisoformat(ends))


def slots_of(run_id: str, sessions: list[Session]) -> list[Slot]:
    """The time slots a run's sessions occupy."""
    slots = []
    for session in sessions:
        hour, minute = (int(part) for part in session.start.split(":"))
        local = datetime(session.day.year, session.day.month, session.day.day, hour, minute)
        starts = local.replace(tzinfo=UTC) - _CHINA
        slots.append(Slot(run_id, starts, starts + timedelta(hours=session.hours)))
    return slots


def first_clash(booked: list[Slot], wanted: list[Slot]) -> Slot | None:
    """The first booked slot (of another run) that overlaps a wanted one, if any."""
    for mine in booked:
        for new in wanted:
            if mine.run_id != new.run_id and mine.starts < new.ends and new.starts < mine.ends:
                return mine
    return None
