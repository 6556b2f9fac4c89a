"""Access rules of priority groups (issue 27): officers record, end and (with a purpose)
reveal the sensitive ones; every agency seat reads the others; another region's agency gets
404. Workers read their own at ``/me``; providers and admins never reach any group.
"""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn
from tests.workers.factories import register

READERS = only(Role.AGENCY)
OFFICERS = only(Role.AGENCY, staff=(StaffRole.OFFICER,))

ROUTES: dict[Route, Access] = {
    ("POST", "/workers/{archive_id}/priority-groups"): OFFICERS,
    ("GET", "/workers/{archive_id}/priority-groups"): READERS,
    ("POST", "/workers/{archive_id}/priority-groups/reveal"): OFFICERS,
    ("POST", "/priority-groups/{membership_id}/end"): OFFICERS,
    ("GET", "/me/priority-groups"): only(Role.WORKER),
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _read_groups(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call("GET", f"/workers/{registered.archive_id}/priority-groups")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's worker's priority groups",
        (Role.AGENCY,),
        _read_groups,
        200,
        _OTHER_REGION,
    ),
]
