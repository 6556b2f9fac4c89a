"""Dense rules of apprenticeships: the life cycle, the agreement's checks, the subsidy figure.

Pure functions of their arguments (no storage), so each rule is unit-tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction
from portfolio.archives import EmploymentRegistration, RegistrationKind
from portfolio.errors import FieldError, InvalidTransition
from portfolio.training import OrganisationKind
from portfolio.vocabulary import SkillLevel

S = ApprenticeshipStatus

# A mentor guides at most this many apprentices at once (active or paused agreements).
MENTOR_CAP = 8

# 中级工 .. 高级技师: the levels an apprenticeship may aim at.
TARGET_LEVELS = frozenset(
    level
    for level in SkillLevel
    if SkillLevel.INTERMEDIATE.rank <= level.rank <= SkillLevel.SENIOR_TECHNICIAN.rank
)

# Organisations that may be the training side of an agreement.
TRAINING_KINDS = frozenset(
    kind for kind in OrganisationKind if kind is not OrganisationKind.ENTERPRISE
)

# action -> (states it may start from, state it leads to). Approvals are special: the
# employer's and the institution's keep the draft a draft; the agency's makes it approved.
TRANSITIONS: dict[str, tuple[frozenset[ApprenticeshipStatus], ApprenticeshipStatus]] = {
    "approve": (frozenset({S.DRAFT}), S.APPROVED),
    "confirm": (frozenset({S.APPROVED}), S.CONFIRMED),
    "start": (frozenset({S.CONFIRMED}), S.ACTIVE),
    "pause": (frozenset({S.ACTIVE}), S.PAUSED),
    "resume": (frozenset({S.PAUSED}), S.ACTIVE),
    "stop": (frozenset({S.ACTIVE, S.PAUSED}), S.STOPPED),
    "complete": (frozenset({S.ACTIVE, S.PAUSED}), S.COMPLETED),
}

# States in which the agreement binds the worker and its mentors.
RUNNING = frozenset({S.ACTIVE, S.PAUSED})
# States in which the parties may still change dates, hours or mentors.
CHANGEABLE = frozenset({S.DRAFT, S.APPROVED, S.CONFIRMED, S.ACTIVE, S.PAUSED})


def next_state(action: str, current: ApprenticeshipStatus) -> ApprenticeshipStatus:
    """The state ``action`` leads to from ``current``, or InvalidTransition naming it."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise InvalidTransition(
            f"cannot {action} an apprenticeship that is {current.value}",
            current_state=current.value,
        )
    return target


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_day_after_years(start: date, years: int) -> date:
    """The last day of a period of ``years`` years beginning on ``start``."""
    return add_years(start, years) - timedelta(days=1)


def check_duration(start: date, end: date, extension_reason: str) -> list[FieldError]:
    """1 to 2 years; up to 3 with a recorded reason. ``end`` is the last day.

    A one-year apprenticeship from 2025-03-01 ends on 2026-02-28 at the earliest.
    """
    if end <= start:
        return [FieldError("planned_end", "before_start", "the end must lie after the start")]
    if end < last_day_after_years(start, 1):
        return [FieldError("planned_end", "too_short", "an apprenticeship lasts at least a year")]
    if end > last_day_after_years(start, 3):
        return [FieldError("planned_end", "too_long", "an apprenticeship lasts at most 3 years")]
    if end > last_day_after_years(start, 2) and not extension_reason.strip():
        return [
            FieldError(
                "extension_reason",
                "required",
                "an apprenticeship longer than 2 years needs a recorded reason",
            )
        ]
    return []


def check_target_level(level: SkillLevel) -> list[FieldError]:
    """The target is 中级工 (intermediate) to 高级技师 (senior technician)."""
    if level in TARGET_LEVELS:
        return []
    return [
        FieldError(
            "target_level",
            "out_of_range",
            "the target level must be intermediate (中级工) to senior technician (高级技师)",
        )
    ]


def check_hours(
    enterprise_hours: int, institution_hours: int, field: str = "hours"
) -> list[FieldError]:
    """A plan of at least one hour (on the job and at the institution together)."""
    if enterprise_hours + institution_hours <= 0:
        return [FieldError(field, "empty", "the hours plan needs at least one hour")]
    return []


def check_employment(
    registrations: Iterable[EmploymentRegistration], employer_credit_code: str, today: date
) -> list[FieldError]:
    """An active employment registration with the employer and a labour contract of a year.

    Active: an employment registration with the employer's credit code, started, and not
    ended before ``today``. The labour contract runs from the registration's start to its
    recorded ``labour_contract_end`` (the last day): at least one year, and not over.
    """
    active = [
        r
        for r in registrations
        if r.kind is RegistrationKind.EMPLOYMENT
        and r.employer_credit_code == employer_credit_code
        and r.start <= today
        and (r.end is None or r.end >= today)
    ]
    if not active:
        return [
            FieldError(
                "apprentice",
                "no_employment",
                "the worker has no active employment registration with the employer",
            )
        ]
    contracts = [r for r in active if r.labour_contract_end is not None]
    if not contracts:
        return [
            FieldError(
                "apprentice",
                "no_labour_contract",
                "the employment registration records no labour contract",
            )
        ]
    if not any(
        r.labour_contract_end is not None
        and r.labour_contract_end >= last_day_after_years(r.start, 1)
        for r in contracts
    ):
        return [
            FieldError(
                "apprentice",
                "labour_contract_too_short",
                "the labour contract with the employer must run at least one year",
            )
        ]
    if not any(
        r.labour_contract_end is not None and r.labour_contract_end >= today for r in contracts
    ):
        return [FieldError("apprentice", "labour_contract_ended", "the labour contract has ended")]
    return []


def check_step_date(
    on: date, *, today: date, started: date | None, last: date | None, field: str = "on"
) -> list[FieldError]:
    """A life-cycle date: not in the future, not before the start, not before the last step."""
    if on > today:
        return [FieldError(field, "future", "the date lies in the future")]
    if started is not None and on < started:
        return [FieldError(field, "before_start", "the date lies before the start")]
    if last is not None and on < last:
        return [
            FieldError(field, "before_last_step", "the date lies before the previous step's date")
        ]
    return []


def earliest_completion(planned_end: date, tolerance_days: int) -> date:
    """The first day an apprenticeship may complete: its planned end minus the tolerance."""
    return planned_end - timedelta(days=tolerance_days)


def check_completion_day(
    on: date, *, planned_end: date, tolerance_days: int, field: str = "on"
) -> list[FieldError]:
    """A completion not before ``planned_end`` minus ``tolerance_days`` (that day is allowed).

    Ending earlier is a stop with a reason, not a completion.
    """
    earliest = earliest_completion(planned_end, tolerance_days)
    if on >= earliest:
        return []
    return [
        FieldError(
            field,
            "before_completion_window",
            f"an apprenticeship completes on {earliest.isoformat()} at the earliest (the planned"
            f" end {planned_end.isoformat()} minus {tolerance_days} days); end it earlier as a"
            " stop with a reason",
        )
    ]


def is_below_plan(level_reached: SkillLevel, target_level: SkillLevel) -> bool:
    """Whether the level reached lies below the level the agreement aimed at."""
    return level_reached.rank < target_level.rank


# --- the subsidy figure ---------------------------------------------------------------------

# The mean month in days, 30.4375 = 365.25 / 12, as an exact fraction.
_MONTH_NUMERATOR = 304_375
_MONTH_DENOMINATOR = 10_000


@dataclass(frozen=True)
class Milestone:
    """A dated step of an agreement's history that starts or ends an active stretch."""

    action: EventAction
    on: date


@dataclass(frozen=True)
class Subsidy:
    """The subsidy owed for an agreement as of a day."""

    per_year_fen: int
    active_days: int
    months: int
    owed_fen: int
    as_of: date


def active_days(milestones: Sequence[Milestone], *, as_of: date, planned_end: date) -> int:
    """Days the apprenticeship was active, pauses excluded, within the planned period.

    A stretch is active from a start or a resumption (that day included) until a pause (that
    day excluded: the apprentice paused on it), or a stop or completion (that day included),
    or, while still active, ``as_of`` (included). Days after ``planned_end`` never count.
    """
    total = 0
    since: date | None = None
    last_day = min(as_of, planned_end)

    def stretch(first: date, last: date) -> int:
        return max(0, (min(last, planned_end) - first).days + 1)

    for step in milestones:
        if step.action in (EventAction.STARTED, EventAction.RESUMED):
            since = step.on
        elif step.action is EventAction.PAUSED and since is not None:
            total += stretch(since, step.on - timedelta(days=1))
            since = None
        elif step.action in (EventAction.STOPPED, EventAction.COMPLETED):
            if since is not None:
                total += stretch(since, step.on)
            return total
    if since is not None:
        total += stretch(since, last_day)
    return total


def subsidy(
    milestones: Sequence[Milestone], *, per_year_fen: int, as_of: date, planned_end: date
) -> Subsidy:
    """The subsidy owed: whole months of active days, each month a twelfth of a year's.

    Month counting: ``months = floor(active_days / 30.4375)`` (30.4375 = 365.25 / 12, the mean
    month), computed in integers; ``owed = floor(per_year_fen * months / 12)``. Only whole
    months count, so 60 active days are 1 month (60 / 30.4375 = 1.97) and 61 days 2 months.
    Pauses are excluded day by day (see ``active_days``).
    """
    days = active_days(milestones, as_of=as_of, planned_end=planned_end)
    months = days * _MONTH_DENOMINATOR // _MONTH_NUMERATOR
    return Subsidy(
        per_year_fen=per_year_fen,
        active_days=days,
        months=months,
        owed_fen=per_year_fen * months // 12,
        as_of=as_of,
    )


def subsidy_standard(default_fen: int, by_region: Mapping[str, int], region_code: str) -> int:
    """The subsidy per apprentice per year for an employer in ``region_code``.

    ``by_region`` maps region-code prefixes to a standard in fen; the longest prefix that
    matches wins, and ``default_fen`` applies where none does.
    """
    matching = [prefix for prefix in by_region if region_code.startswith(prefix)]
    if not matching:
        return default_fen
    return by_region[max(matching, key=len)]
