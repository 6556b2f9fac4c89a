"""The plan's demo: targets for both periods, employed counts, four platforms with training
linked to two of them; the dashboard shows every figure; loading twice changes nothing."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.audit import ChangeRecord
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_the_demo_shows_targets_counts_and_platforms_with_training(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    trail = await ChangeRecord.find_all().count()
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    assert await ChangeRecord.find_all().count() == trail  # nothing written twice

    province = await _headers(client, "agency-sichuan")
    platforms = (await client.get("/platforms", headers=province)).json()
    assert sorted(p["kind"] for p in platforms) == [
        "competition_base",
        "high_skill_base",
        "master_studio",
        "public_base",
    ]
    linked = [p for p in platforms if p["links"]]
    assert len(linked) == 2
    assert sum(p["enrolled"] for p in platforms) > 0
    for period in ("14", "15"):
        body = (await client.get("/targets", params={"period": period}, headers=province)).json()
        assert body["targets"]["new_skilled_workers"] > 0
        assert body["employed"] is not None
        figures = {f["key"]: f for f in body["figures"]}
        assert all(f["formula"] for f in figures.values())
    fourteen = (await client.get("/targets", params={"period": "14"}, headers=province)).json()
    assert {f["key"]: f["measured"] for f in fourteen["figures"]}["master_studios"] == 1
    counts = (await client.get("/employed-counts", headers=province)).json()
    assert {c["region_code"] for c in counts} == {"51", "5101"}
    chengdu = await _headers(client, "officer-chengdu")
    assert {
        p["region_code"][:4] for p in (await client.get("/platforms", headers=chengdu)).json()
    } == {"5101"}
