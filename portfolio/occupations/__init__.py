"""The occupation catalogue (职业分类大典 2022 and the occupations published since).

The face of the area: other areas validate occupation codes of new writes with
:func:`require_catalogued` (or :func:`catalogue_errors`), the reports ask which stored codes
are :func:`uncatalogued`, the HTTP layer searches, reads and adds.
"""

from portfolio.occupations.additions import NewOccupation, add_occupation, is_province_agency
from portfolio.occupations.catalogue import Tier, published
from portfolio.occupations.documents import AddedOccupation
from portfolio.occupations.lookup import (
    NOT_CATALOGUED,
    Search,
    catalogue_errors,
    find_occupation,
    is_catalogued,
    require_catalogued,
    search,
    suggestions,
    uncatalogued,
)
from portfolio.occupations.views import OccupationView

__all__ = [
    "NOT_CATALOGUED",
    "AddedOccupation",
    "NewOccupation",
    "OccupationView",
    "Search",
    "Tier",
    "add_occupation",
    "catalogue_errors",
    "find_occupation",
    "is_catalogued",
    "is_province_agency",
    "published",
    "require_catalogued",
    "search",
    "suggestions",
    "uncatalogued",
]
