"""A flag, the codes of the rules that raise them, and the rules' thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from portfolio.settings import Settings
from portfolio.training.evidence import SurgeLimits


class FlagCode(StrEnum):
    """The fraud rules, by the code their flags carry."""

    TRAINER_DOUBLE_BOOKED = "trainer_double_booked"
    LATE_ATTENDANCE = "late_attendance"
    SHARED_DEVICE = "shared_device"
    OUTSIDE_POLICY_GROUP = "outside_policy_group"
    ENROLMENT_SURGE = "enrolment_surge"
    CLAIMED_TOO_OFTEN = "claimed_too_often"
    IDENTICAL_ATTENDANCE = "identical_attendance"


class Flag(BaseModel):
    """What one rule found: its code, why in plain words, the evidence it saw, a score.

    Stored on the claim (a short list, written whole by the claim's conditional update);
    ``evidence`` values are strings so the stored shape never depends on the rule.
    """

    code: FlagCode
    score: int
    reason: str
    evidence: dict[str, str]


def total_score(flags: Iterable[Flag]) -> int:
    """The claim's score: the sum of its flags' (the queue sorts on it)."""
    return sum(f.score for f in flags)


@dataclass(frozen=True)
class Thresholds:
    """Each rule's threshold, from the settings (``fraud_*``, defaults in settings.py)."""

    late_attendance_days: int
    shared_device_workers: int
    retirement_age_male: int
    retirement_age_female: int
    surge_quiet_days: int
    surge_window_days: int
    surge_min_enrolments: int
    max_claims_per_year: int
    identical_min_sessions: int
    identical_min_workers: int

    @property
    def surge(self) -> SurgeLimits:
        """The enrolment-surge thresholds as the training area's decision takes them."""
        return SurgeLimits(self.surge_window_days, self.surge_quiet_days, self.surge_min_enrolments)

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        """The thresholds a running service uses."""
        return cls(
            late_attendance_days=settings.fraud_late_attendance_days,
            shared_device_workers=settings.fraud_shared_device_workers,
            retirement_age_male=settings.fraud_retirement_age_male,
            retirement_age_female=settings.fraud_retirement_age_female,
            surge_quiet_days=settings.fraud_surge_quiet_days,
            surge_window_days=settings.fraud_surge_window_days,
            surge_min_enrolments=settings.fraud_surge_min_enrolments,
            max_claims_per_year=settings.fraud_max_claims_per_year,
            identical_min_sessions=settings.fraud_identical_min_sessions,
            identical_min_workers=settings.fraud_identical_min_workers,
        )

    @classmethod
    def defaults(cls) -> Thresholds:
        """The settings' defaults (for callers without settings: the demo data)."""
        return cls.of(Settings.model_construct())
