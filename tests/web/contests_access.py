"""The competitions and honours pages (agency_competitions.py, agency_honours.py) in the page
access matrix (tests/web/test_page_access.py): officers write, every agency seat reads."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
_AGENCY = only(Role.AGENCY)

CONTEST_PAGES: dict[Route, Access] = {
    ("GET", "/agency/competitions"): _AGENCY,
    ("GET", "/agency/competitions/new"): _OFFICER,
    ("POST", "/agency/competitions/new"): _OFFICER,
    ("GET", "/agency/competitions/{competition_id}"): _AGENCY,
    ("POST", "/agency/competitions/{competition_id}/entrants"): _OFFICER,
    ("POST", "/agency/competitions/{competition_id}/results"): _OFFICER,
    ("GET", "/agency/competitions/{competition_id}/publish"): _OFFICER,
    ("POST", "/agency/competitions/{competition_id}/publish"): _OFFICER,
    ("GET", "/agency/competitions/{competition_id}/entrants/{entrant_id}"): _AGENCY,
    ("POST", "/agency/competitions/{competition_id}/entrants/{entrant_id}/correct"): _OFFICER,
    ("POST", "/agency/competitions/{competition_id}/entrants/{entrant_id}/void"): _OFFICER,
    ("GET", "/agency/honours"): _AGENCY,
    ("GET", "/agency/honours/new"): _OFFICER,
    ("POST", "/agency/honours/new"): _OFFICER,
    ("GET", "/agency/honours/{honour_id}"): _AGENCY,
    ("POST", "/agency/honours/{honour_id}/correct"): _OFFICER,
    ("POST", "/agency/honours/{honour_id}/void"): _OFFICER,
}
