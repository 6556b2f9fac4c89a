"""Plain functions for the competitions and honours tests: an event, an entrant, a worker."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import LoggedIn, log_in_as
from tests.workers.factories import Registered

_keys = itertools.count(1)
OCCUPATION = "6-18-02-04"


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": f"contest-{next(_keys)}"}


def event(**fields: Any) -> dict[str, Any]:
    """A city competition of 510104 whose first place grants 技师 and ranks 2-3 one level up."""
    return {
        "tier": "city",
        "name": f"成都市焊工技能大赛 {next(_keys)}",
        "occupation_code": OCCUPATION,
        "organiser": "成都市人力资源和社会保障局",
        "start_date": "2026-05-10",
        "end_date": "2026-05-12",
        "region_code": "510104",
        "level_rule": [
            {"up_to_rank": 1, "grant": "technician"},
            {"up_to_rank": 3, "grant": "one_up"},
        ],
        **fields,
    }


async def create_event(client: AsyncClient, agency: LoggedIn, **fields: Any) -> dict[str, Any]:
    """``POST /competitions``; asserts 201."""
    response = await client.post(
        "/competitions", json=event(**fields), headers={**agency.headers, **key()}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def worker_ref(worker: Registered) -> dict[str, str]:
    """How a form names the registered worker."""
    return {"id_number": worker.id_number, "name": "张三"}


async def enter(
    client: AsyncClient, agency: LoggedIn, competition_id: str, worker: Registered
) -> dict[str, Any]:
    """``POST /competitions/{id}/entrants``; asserts 201."""
    response = await client.post(
        f"/competitions/{competition_id}/entrants",
        json=worker_ref(worker),
        headers={**agency.headers, **key()},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def honour(**fields: Any) -> dict[str, Any]:
    """A 天府工匠 honour of 2025."""
    return {
        "title": "tianfu_craftsman",
        "year": 2025,
        "nominated_by": "成都市人力资源和社会保障局",
        "decision_number": "川人社发〔2025〕12号",
        "decision_date": "2025-11-20",
        **fields,
    }


async def contest_records(
    client: AsyncClient, runtime: Runtime, agency: LoggedIn, worker: Registered
) -> dict[str, str]:
    """A competition ``worker`` entered and a city honour of theirs, recorded by an officer
    of ``agency``'s region: their ids (``competition_id``, ``honour_id``)."""
    officer = await log_in_as(
        client,
        runtime.settings,
        Role.AGENCY,
        region_prefix=agency.principal.region_prefix or "5101",
        staff_role=StaffRole.OFFICER,
    )
    region = (agency.principal.region_prefix or "5101").ljust(6, "0")[:4] + "04"
    created = await create_event(client, officer, region_code=region)
    await enter(client, officer, created["id"], worker)
    recorded = await client.post(
        "/honours",
        json={**worker_ref(worker), **honour(title="city", city_title="成都工匠")},
        headers={**officer.headers, **key()},
    )
    assert recorded.status_code == 201, recorded.text
    return {"competition_id": created["id"], "honour_id": recorded.json()["id"]}
