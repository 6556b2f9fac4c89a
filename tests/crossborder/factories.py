"""Plain functions for the cross-border tests: the bodies of a Chongqing certificate and a
foreign qualification, an officer, a record made through the API."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.helpers import LoggedIn, log_in_as
from tests.workers.factories import Registered

_numbers = itertools.count(1)
OCCUPATION = "6-18-02-04"  # 焊工 (catalogued)


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": f"border-{next(_numbers)}"}


def chongqing(**fields: Any) -> dict[str, Any]:
    """A 中级工 certificate issued in Chongqing's 渝北区 (500112), a fresh number each call."""
    return {
        "origin": "chongqing",
        "certificate_number": f"S0000500112{next(_numbers):07d}",
        "issuing_body": "重庆市渝北区职业技能鉴定中心",
        "issuer_region_code": "500112",
        "occupation_code": OCCUPATION,
        "level": "intermediate",
        "issue_date": "2024-06-18",
        **fields,
    }


def foreign(**fields: Any) -> dict[str, Any]:
    """A German welder's qualification claimed as 高级工."""
    return {
        "origin": "foreign",
        "issuing_body": "Handwerkskammer München",
        "country": "DEU",
        "title": f"Schweißer Gesellenbrief {next(_numbers)}",
        "occupation_code": OCCUPATION,
        "level": "senior",
        "issue_date": "2019-07-01",
        **fields,
    }


def worker_ref(worker: Registered) -> dict[str, str]:
    """How a form names the registered worker."""
    return {"id_number": worker.id_number, "name": "张三"}


async def officer(client: AsyncClient, settings: Settings, prefix: str = "5101") -> LoggedIn:
    """An agency officer of ``prefix``."""
    return await log_in_as(
        client, settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )


async def record(
    client: AsyncClient, agency: LoggedIn, worker: Registered, body: dict[str, Any]
) -> dict[str, Any]:
    """``POST /border-recognitions``; asserts 201."""
    response = await client.post(
        "/border-recognitions",
        json={**worker_ref(worker), **body},
        headers={**agency.headers, **key()},
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def decide(
    client: AsyncClient, agency: LoggedIn, border_id: str, **decision: Any
) -> dict[str, Any]:
    """``POST /border-recognitions/{id}/decide``; asserts 200."""
    response = await client.post(
        f"/border-recognitions/{border_id}/decide",
        json=decision,
        headers={**agency.headers, **key()},
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found
