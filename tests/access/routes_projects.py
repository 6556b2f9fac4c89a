"""Access rules of project-based training (issue 27): an agency's officers buy projects and
decide milestones, every agency seat of the region and the provider read them, the provider
claims, the workers of the group attest. Another region's agency gets 404."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn
from tests.projects.factories import create, make_class

READERS = only(Role.AGENCY, Role.PROVIDER)
OFFICERS = only(Role.AGENCY, staff=(StaffRole.OFFICER,))

ROUTES: dict[Route, Access] = {
    ("POST", "/projects"): OFFICERS,
    ("GET", "/projects"): READERS,
    ("GET", "/projects/{project_id}"): READERS,
    ("POST", "/projects/{project_id}/milestones/{n}/claim"): only(Role.PROVIDER),
    ("POST", "/projects/{project_id}/milestones/{n}/decision"): OFFICERS,
    ("GET", "/me/projects"): only(Role.WORKER),
    ("POST", "/me/projects/{project_id}/attestation"): only(Role.WORKER),
}

_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _read_project(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    made = await make_class(client, cast(Runtime, SimpleNamespace(settings=settings)), size=1)
    one = [{"name": "结业", "amount_fen": 100_000, "condition": "completions", "threshold": 1}]
    created = await create(client, made, milestones=one)
    assert created.status_code == 201, created.text
    return Call("GET", f"/projects/{created.json()['id']}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's training project",
        (Role.AGENCY,),
        _read_project,
        200,
        _OTHER_REGION,
    ),
]
