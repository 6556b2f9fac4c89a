"""Reading one object's change records as an agency auditor (newest first)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import LoggedIn, log_in_as


async def auditor_of(client: AsyncClient, runtime: Runtime, prefix: str = "51") -> LoggedIn:
    """An agency auditor of ``prefix``."""
    return await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.AUDITOR
    )


async def records_of(
    client: AsyncClient, reader: LoggedIn, kind: str, object_id: str
) -> list[dict[str, Any]]:
    """The object's change records as ``reader`` reads them, newest first; its chain intact."""
    answer = await client.get(
        "/audit/changes",
        params={"object_kind": kind, "object_id": object_id},
        headers=reader.headers,
    )
    assert answer.status_code == 200, answer.text
    assert await audit.check_chain(f"{kind}:{object_id}") == []
    items: list[dict[str, Any]] = answer.json()["items"]
    return items
