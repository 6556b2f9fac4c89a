"""Whether an accreditation admits an assessment: occupation, level or norm, period, status.

An accreditation is *expired* from the day after ``valid_until`` (and not yet in force before
``valid_from``): the stored status says only active or suspended, the date says the rest, so
nothing has to move at midnight. Every reason it refuses is given at once, each naming the
field of the request it concerns.
"""

from __future__ import annotations

from datetime import date

from portfolio.errors import FieldError
from portfolio.recognition.documents import Accreditation
from portfolio.recognition.enums import AccreditationKind, AccreditationStatus
from portfolio.vocabulary import LevelRoad, SkillLevel

# The plan lets enterprises recognise outstanding front-line workers directly at these levels.
DIRECT_LEVELS = frozenset({SkillLevel.SENIOR, SkillLevel.TECHNICIAN, SkillLevel.SENIOR_TECHNICIAN})


def standing(accreditation: Accreditation, today: date) -> AccreditationStatus:
    """Active, suspended, or expired (outside its period) on ``today``."""
    if accreditation.status is AccreditationStatus.SUSPENDED:
        return AccreditationStatus.SUSPENDED
    if not accreditation.valid_from <= today <= accreditation.valid_until:
        return AccreditationStatus.EXPIRED
    return AccreditationStatus.ACTIVE


def road_of(accreditation: Accreditation, *, special: bool) -> LevelRoad:
    """The road an assessment under ``accreditation`` takes."""
    if special:
        return LevelRoad.SPECIAL_ABILITY
    if accreditation.kind is AccreditationKind.ENTERPRISE:
        return LevelRoad.ENTERPRISE
    return LevelRoad.ASSESSMENT


def refusals(
    accreditation: Accreditation,
    *,
    occupation_code: str,
    level: SkillLevel | None,
    norm_code: str,
    on: date,
) -> list[FieldError]:
    """Why ``accreditation`` does not cover this assessment on day ``on`` (empty: it does)."""
    errors: list[FieldError] = []
    state = standing(accreditation, on)
    if state is AccreditationStatus.SUSPENDED:
        errors.append(FieldError("accreditation_id", "suspended", "the accreditation is suspended"))
    elif state is AccreditationStatus.EXPIRED:
        errors.append(
            FieldError(
                "assessed_on",
                "outside_accreditation_period",
                f"the accreditation runs from {accreditation.valid_from} to "
                f"{accreditation.valid_until}",
            )
        )
    if norm_code:
        if norm_code not in accreditation.norm_codes:
            errors.append(
                FieldError("norm_code", "not_accredited", "the accreditation has not this norm")
            )
    else:
        if occupation_code not in accreditation.occupation_codes:
            errors.append(
                FieldError(
                    "occupation_code", "not_accredited", "the accreditation has not this occupation"
                )
            )
        if level is not None and level not in accreditation.levels:
            errors.append(
                FieldError("level", "not_accredited", "the accreditation has not this level")
            )
    return errors
