"""The voucher and apprenticeship services feed the report counters as they act.

Unlike the figures tests (which record a hand-made data set straight into the counters),
these walk real vouchers and agreements through the HTTP API and read the reports: every
transition must show at once, and what the services counted must equal a rebuild.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.reports.rebuild import rebuild
from tests.apprenticeships import factories as apprenticeships
from tests.reports import snapshots
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import issued, make_world
from tests.workers.factories import registered_worker


@pytest.fixture(autouse=True)
def no_threshold(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)


async def _total(client: AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    total: dict[str, Any] = response.json()["total"]
    return total


async def test_voucher_transitions_count_as_they_happen(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    agency = world.agency.headers
    # Two vouchers by bulk issue, three one by one (two of them trained, bound and claimed).
    listed = [await registered_worker(client, world.agency) for _ in range(2)]
    bulk = await client.post(
        "/vouchers/bulk",
        json={
            "policy_id": world.policy["id"],
            "rows": [{"worker_id": w.archive_id} for w in listed],
        },
        headers=agency,
    )
    assert bulk.status_code == 200, bulk.text
    assert bulk.json()["issued"] == 2
    cancelled = await client.post(
        f"/vouchers/{bulk.json()['rows'][0]['voucher']['id']}/cancel",
        json={"reason": "发放错误"},
        headers=agency,
    )
    assert cancelled.status_code == 200, cancelled.text
    first = await train(client, world, await registered_worker(client, world.agency))
    second = await train(client, world, await registered_worker(client, world.agency))
    await issued(client, world.agency, world.policy["id"], listed[0].archive_id)
    for trained, amount in ((first, 80_000), (second, 60_000)):
        assert (await claim(client, world, trained.voucher_id, amount)).status_code == 200
    decided = [
        await client.post(
            f"/vouchers/{first.voucher_id}/redeem", json={"note": "材料齐全"}, headers=agency
        ),
        await client.post(
            f"/vouchers/{second.voucher_id}/reject",
            json={"reason": "insufficient_attendance"},
            headers=agency,
        ),
    ]
    assert [r.status_code for r in decided] == [200, 200], [r.text for r in decided]

    total = await _total(client, "/reports/vouchers", agency)
    assert {name: total[name] for name in ("issued", "bound", "claimed", "redeemed")} == {
        "issued": 5,
        "bound": 2,
        "claimed": 2,
        "redeemed": 1,
    }
    assert (total["cancelled"], total["claims_rejected"]) == (1, 1)
    assert (total["claimed_fen"], total["redeemed_fen"]) == (140_000, 80_000)
    live = await snapshots.counters("vouchers")
    await rebuild()
    assert await snapshots.counters("vouchers") == live


async def test_agreement_moves_count_as_they_happen(client: AsyncClient, runtime: Runtime) -> None:
    world = await apprenticeships.make_world(client, runtime.settings)
    apprentice = await apprenticeships.make_apprentice(client, runtime.settings, world)
    await apprenticeships.walk(client, world, apprentice, "paused")
    second = await apprenticeships.make_apprentice(client, runtime.settings, world)
    created = await apprenticeships.create(client, world, second)
    assert created.status_code == 201, created.text

    total = await _total(client, "/reports/apprenticeships", world.agency.headers)
    assert total["agreements"] == 2
    assert (total["agreements_by_state"]["paused"], total["agreements_by_state"]["draft"]) == (1, 1)
    live = await snapshots.counters("apprenticeships")
    await rebuild()
    assert await snapshots.counters("apprenticeships") == live
