"""The pages of the ways to a skill level in the page access matrix
(tests/web/test_page_access.py): the agency's hub and the provider's assessment pages."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_AGENCY = only(Role.AGENCY)
_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
_PROVIDER = only(Role.PROVIDER)

LEVELS_PAGES: dict[Route, Access] = {
    ("GET", "/agency/levels"): _AGENCY,
    ("POST", "/agency/levels/accreditations"): _OFFICER,
    ("POST", "/agency/levels/norms"): _OFFICER,
    ("GET", "/agency/levels/accreditations/{accreditation_id}"): _AGENCY,
    ("POST", "/agency/levels/accreditations/{accreditation_id}"): _OFFICER,
    ("GET", "/agency/levels/recognitions/{recognition_id}"): _AGENCY,
    ("POST", "/agency/levels/recognitions/{recognition_id}"): _OFFICER,
    ("GET", "/provider/levels"): _PROVIDER,
    ("POST", "/provider/levels"): _PROVIDER,
    ("GET", "/provider/levels/propose"): _PROVIDER,
    ("POST", "/provider/levels/propose"): _PROVIDER,
}
