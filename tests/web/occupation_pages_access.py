"""The agency's occupation catalogue pages in the page access matrix
(tests/web/test_page_access.py): every agency searches and reads the report; the form adding
an occupation is for officers and admins (a city agency's see why they cannot add)."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_AGENCY = only(Role.AGENCY)
_ADDERS = only(Role.AGENCY, staff=(StaffRole.ADMIN, StaffRole.OFFICER))

OCCUPATION_PAGES: dict[Route, Access] = {
    ("GET", "/agency/occupations"): _AGENCY,
    ("GET", "/agency/occupations/uncatalogued"): _AGENCY,
    ("GET", "/agency/occupations/new"): _ADDERS,
    ("GET", "/agency/occupations/new/check"): _ADDERS,
    ("POST", "/agency/occupations/new"): _ADDERS,
}
