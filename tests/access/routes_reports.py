"""Access rules of the agency reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn

ROUTES: dict[Route, Access] = {
    ("GET", "/reports/training"): only(Role.AGENCY),
    ("GET", "/reports/vouchers"): only(Role.AGENCY),
    ("GET", "/reports/apprenticeships"): only(Role.AGENCY),
    ("GET", "/reports/distinctions"): only(Role.AGENCY),
    ("GET", "/reports/priority-groups"): only(Role.AGENCY),
    ("GET", "/reports/levels"): only(Role.AGENCY),
}


def _region_report(path: str) -> Callable[[AsyncClient, Settings, LoggedIn], Awaitable[Call]]:
    async def arrange(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
        """The owner's own region (5101); an agency of 5107 must not reach it."""
        return Call("GET", f"{path}?region=5101")

    return arrange


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        name=f"read the {area} report of another region",
        roles=(Role.AGENCY,),
        arrange=_region_report(f"/reports/{area}"),
        other_binding={Role.AGENCY: {"region_prefix": "5107"}},
    )
    for area in ("training", "vouchers", "apprenticeships", "levels")
]
