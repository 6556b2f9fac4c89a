"""Skills competitions (plan 三.(五)): events at each tier, their entrants, results and
rankings, and the level a result grants under the rule the event declared, stated in the
worker's archive.

The public face of the area: what other areas may use (they import from
``portfolio.competitions``, never from its modules).
"""

from portfolio.competitions.counting import (
    CompetitionFacts,
    EntrantFacts,
    competitions_to_count,
    entrants_to_count,
)
from portfolio.competitions.documents import Competition, Entrant
from portfolio.competitions.results import finish_entries
from portfolio.competitions.rules import TIER_LABELS, RuleStep, Tier

__all__ = [
    "TIER_LABELS",
    "Competition",
    "CompetitionFacts",
    "Entrant",
    "EntrantFacts",
    "RuleStep",
    "Tier",
    "competitions_to_count",
    "entrants_to_count",
    "finish_entries",
]
