"""The demo data set records its completions and certificates through the services, so the
demo agencies see figures as soon as it is loaded."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.reports.rebuild import rebuild
from tests.helpers import auth_headers, request_tokens
from tests.reports import snapshots
from tests.reports.test_training_report import YEAR, brief


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_demo_agencies_see_the_demo_training(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    sichuan = await _headers(client, "agency-sichuan")

    # A handful of people per city in the demo: with the default threshold (5), a count under
    # it is hidden and one at or above it shown.
    hidden = (await client.get("/reports/training", params=YEAR, headers=sichuan)).json()
    assert [row["key"] for row in hidden["rows"]] == ["5101", "5107"]

    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)
    body = (await client.get("/reports/training", params=YEAR, headers=sichuan)).json()
    small = 0
    masked_cells = [*hidden["rows"], hidden["total"]]
    for masked, true in zip(masked_cells, [*body["rows"], body["total"]], strict=True):
        if true["people_trained"] < 5:
            small += 1
            assert masked["people_trained"] is None, masked
            assert "people_trained" in masked["suppressed"]
        else:
            assert masked["people_trained"] == true["people_trained"], masked
    assert small >= 1
    chengdu, mianyang = body["rows"]
    # The training demo alone: worker-1 passed cooking (junior) and electrician (intermediate)
    # in Chengdu, worker-2 welding (senior, high-skill) in Mianyang; other areas' demos
    # (vouchers...) may train more people on top.
    assert chengdu["people_trained"] >= 2
    assert chengdu["certificates_by_level"]["junior"] >= 1
    assert chengdu["certificates_by_level"]["intermediate"] >= 1
    assert mianyang["completions"] >= 1
    assert mianyang["certificates_by_level"]["senior"] >= 1
    assert mianyang["high_skill_workers"] >= 1
    assert body["total"]["completions"] >= 3
    # Mianyang's own report shows what the province sees of Mianyang, and nothing else.
    own = (
        await client.get(
            "/reports/training", params=YEAR, headers=await _headers(client, "agency-mianyang")
        )
    ).json()
    assert [row["key"] for row in own["rows"]] == ["510703"]
    assert brief(own["total"]) == brief(mianyang)
    # The counters the demo's services moved (training, vouchers, apprenticeships) are the
    # ones a rebuild computes from the stored documents.
    kinds = ("training", "vouchers", "apprenticeships")
    live = {kind: await snapshots.counters(kind) for kind in kinds}
    assert all(live.values())
    await rebuild()
    assert {kind: await snapshots.counters(kind) for kind in kinds} == live
