"""Access rules of recognition across borders (issue 27): an agency's records of its workers'
certificates from Chongqing and abroad.

Officers record, decide, correct and void; every agency seat reads and counts; the worker
submits and reads their own. Another region's agency gets 404 (the cross-owner case).
"""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.crossborder.factories import chongqing, officer, record
from tests.helpers import LoggedIn
from tests.workers.factories import register

READERS = only(Role.AGENCY)
OFFICERS = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
WORKER = only(Role.WORKER)

ROUTES: dict[Route, Access] = {
    ("POST", "/border-recognitions"): OFFICERS,
    ("GET", "/border-recognitions"): READERS,
    ("GET", "/border-recognitions/{border_id}"): only(Role.AGENCY, Role.WORKER),
    ("POST", "/border-recognitions/{border_id}/decide"): OFFICERS,
    ("POST", "/border-recognitions/{border_id}/correct"): OFFICERS,
    ("POST", "/border-recognitions/{border_id}/void"): OFFICERS,
    ("POST", "/me/border-recognitions"): WORKER,
    ("GET", "/me/border-recognitions"): WORKER,
    ("GET", "/reports/cross-border"): READERS,
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _read_record(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    agency = await officer(client, settings)
    worker = await register(client, agency)
    made = await record(client, agency, worker, chongqing())
    return Call("GET", f"/border-recognitions/{made['id']}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's cross-border record",
        (Role.AGENCY,),
        _read_record,
        200,
        _OTHER_REGION,
    ),
]
