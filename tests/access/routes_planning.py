"""Access rules of the plan's targets and platforms (issue 27, part 1): officers write (the
targets need a province officer: the route admits every officer, the rule refuses a city's
with 403, tested in tests/planning); every agency seat reads; another region's agency gets 404
for a platform (the cross-owner case)."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn
from tests.planning.factories import create_platform, officer

READERS = only(Role.AGENCY)
OFFICERS = only(Role.AGENCY, staff=(StaffRole.OFFICER,))

ROUTES: dict[Route, Access] = {
    ("GET", "/targets"): READERS,
    ("POST", "/targets/{period}"): OFFICERS,
    ("POST", "/employed-counts"): OFFICERS,
    ("GET", "/employed-counts"): READERS,
    ("POST", "/platforms"): OFFICERS,
    ("GET", "/platforms"): READERS,
    ("GET", "/platforms/{platform_id}"): READERS,
    ("POST", "/platforms/{platform_id}/correct"): OFFICERS,
    ("POST", "/platforms/{platform_id}/close"): OFFICERS,
    ("POST", "/platforms/{platform_id}/links"): OFFICERS,
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _read_platform(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    made = await create_platform(client, await officer(client, settings, "5101"))
    return Call("GET", f"/platforms/{made['id']}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's platform", (Role.AGENCY,), _read_platform, 200, _OTHER_REGION
    ),
]
