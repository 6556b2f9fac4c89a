"""The plan's targets and platforms (issue 27): plan periods, the province's targets for each,
the employed counts from the statistics, training platforms with the training linked to them,
and the dashboard measuring the plan's figures from the records.

The public face of the area: what other areas may use (they import from
``portfolio.planning``, never from its modules).
"""

from portfolio.planning.documents import (
    EmployedCount,
    LinkKind,
    PlanTargets,
    Platform,
    PlatformKind,
    PlatformLink,
    PlatformStatus,
    PlatformTier,
)
from portfolio.planning.rules import FORMULAS, KIND_LABELS, PERIODS, TIER_LABELS

__all__ = [
    "FORMULAS",
    "KIND_LABELS",
    "PERIODS",
    "TIER_LABELS",
    "EmployedCount",
    "LinkKind",
    "PlanTargets",
    "Platform",
    "PlatformKind",
    "PlatformLink",
    "PlatformStatus",
    "PlatformTier",
]
