"""Plain factories for priority-group tests."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.helpers import LoggedIn, log_in_as

_keys = itertools.count(1)
DISABILITY_SOURCE = "残疾人证 第5101040042号"


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": f"priority-{next(_keys)}"}


async def officer(
    client: AsyncClient, settings: Settings, prefix: str = "5101", **extra: Any
) -> LoggedIn:
    """An agency officer of ``prefix``."""
    return await log_in_as(
        client, settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER, **extra
    )


def membership(group: str, **changes: Any) -> dict[str, Any]:
    """A ``POST /workers/{id}/priority-groups`` body."""
    source = DISABILITY_SOURCE if group == "disabled" else "退役军人优待证 川0012345"
    return {"group": group, "source": source, "since": "2024-03-01", **changes}


async def record(
    client: AsyncClient, agency: LoggedIn, archive_id: str, group: str, **changes: Any
) -> dict[str, Any]:
    """A membership recorded through HTTP (asserts 201)."""
    response = await client.post(
        f"/workers/{archive_id}/priority-groups",
        json=membership(group, **changes),
        headers={**agency.headers, **key()},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


REVEAL = {"purpose_code": "subsidy_claim"}
