"""Access rules of the occupation catalogue (issue #26, part 1): anyone searches and reads it,
a province-level agency's officer or admin adds to it (a city agency gets 403 from the
domain: ``tests/occupations``), agencies and the service admin read the uncatalogued report
(an agency its own region only, also tested there). The pages are in
``tests/web/occupation_pages_access.py``."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import PUBLIC, Access, CrossOwnerCase, Route, only

ADDERS = (StaffRole.ADMIN, StaffRole.OFFICER)

ROUTES: dict[Route, Access] = {
    ("GET", "/occupations"): PUBLIC,
    ("GET", "/occupations/{code}"): PUBLIC,
    ("POST", "/occupations"): only(Role.AGENCY, staff=ADDERS),
    ("GET", "/occupations/uncatalogued"): only(Role.AGENCY, Role.ADMIN),
}

CROSS_OWNER_CASES: list[CrossOwnerCase] = []
