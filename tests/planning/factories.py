"""Plain functions for the planning tests: officers, platforms, targets."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.helpers import LoggedIn, log_in_as

_keys = itertools.count(1)


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": f"planning-{next(_keys)}"}


async def officer(client: AsyncClient, settings: Settings, prefix: str) -> LoggedIn:
    """An officer of an agency of ``prefix``."""
    return await log_in_as(
        client, settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )


def platform(**fields: Any) -> dict[str, Any]:
    """A provincial master studio in 510104 approved in 2024."""
    return {
        "kind": "master_studio",
        "tier": "provincial",
        "name": "王焊技能大师工作室",
        "host": "成都焊接职业培训学校",
        "leader": "王焊",
        "approved_on": "2024-03-01",
        "valid_until": "2027-02-28",
        "region_code": "510104",
        **fields,
    }


async def create_platform(client: AsyncClient, who: LoggedIn, **fields: Any) -> dict[str, Any]:
    """A platform recorded by ``who``."""
    response = await client.post(
        "/platforms", json=platform(**fields), headers={**who.headers, **key()}
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


TARGETS = {
    "new_skilled_workers": 2_800_000,
    "skilled_share_permille": 300,
    "high_skill_share_permille": 300,
    "high_skill_bases": 10,
    "master_studios": 20,
    "public_bases": 5,
    "competition_bases": 3,
    "honours": 50,
}
