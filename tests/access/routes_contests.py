"""Access rules of competitions and honours (issue 26, part 3): an agency's records.

Officers write; every agency seat reads; another region's agency gets 404 (the cross-owner
cases). Workers see their results and honours in their own archive only.
"""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.competitions.factories import create_event, honour, key, worker_ref
from tests.helpers import LoggedIn, log_in_as
from tests.workers.factories import register

READERS = only(Role.AGENCY)
OFFICERS = only(Role.AGENCY, staff=(StaffRole.OFFICER,))

ROUTES: dict[Route, Access] = {
    ("POST", "/competitions"): OFFICERS,
    ("GET", "/competitions"): READERS,
    ("GET", "/competitions/{competition_id}"): READERS,
    ("POST", "/competitions/{competition_id}/entrants"): OFFICERS,
    ("POST", "/competitions/{competition_id}/results"): OFFICERS,
    ("POST", "/competitions/{competition_id}/publish"): OFFICERS,
    ("POST", "/competitions/{competition_id}/entrants/{entrant_id}/correct"): OFFICERS,
    ("POST", "/competitions/{competition_id}/entrants/{entrant_id}/void"): OFFICERS,
    ("POST", "/honours"): OFFICERS,
    ("GET", "/honours"): READERS,
    ("GET", "/honours/{honour_id}"): READERS,
    ("POST", "/honours/{honour_id}/correct"): OFFICERS,
    ("POST", "/honours/{honour_id}/void"): OFFICERS,
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _officer(client: AsyncClient, settings: Settings) -> LoggedIn:
    """An officer of the owner's region (the owner is its agency admin, who reads only)."""
    return await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )


async def _read_event(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    officer = await _officer(client, settings)
    created = await create_event(client, officer)
    return Call("GET", f"/competitions/{created['id']}")


async def _read_honour(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    officer = await _officer(client, settings)
    worker = await register(client, officer)
    response = await client.post(
        "/honours",
        json={**worker_ref(worker), **honour(title="city", city_title="成都工匠")},
        headers={**officer.headers, **key()},
    )
    assert response.status_code == 201, response.text
    return Call("GET", f"/honours/{response.json()['id']}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's competition", (Role.AGENCY,), _read_event, 200, _OTHER_REGION
    ),
    CrossOwnerCase(
        "read another region's honour", (Role.AGENCY,), _read_honour, 200, _OTHER_REGION
    ),
]
