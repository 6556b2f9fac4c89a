"""Enterprise new-type apprenticeships (企业新型学徒制): mentors, agreements, life cycle.

The public face of the area: what other areas may use (they import from
``portfolio.apprenticeships``, never from its modules). The area tells others of every change
of an agreement through its event (``apprenticeships.agreement_changed``, counted by the
reports).
"""

from portfolio.apprenticeships.events import (
    AgreementChanged,
    agreements_to_count,
    owed_for,
    publish_missing,
)
from portfolio.apprenticeships.occupation_codes import stored_occupation_codes
from portfolio.apprenticeships.recount import MENTOR_COUNTER as MENTOR_COUNTER
from portfolio.apprenticeships.repair import finish_entries

__all__ = [
    "AgreementChanged",
    "agreements_to_count",
    "finish_entries",
    "owed_for",
    "publish_missing",
    "stored_occupation_codes",
]
