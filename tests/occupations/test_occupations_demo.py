"""The demo data: the province agency's added occupations, shown by the catalogue."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.audit import ChangeRecord


async def test_the_demo_shows_occupations_the_province_added(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    added = (await client.get("/occupations", params={"q": "4-04-05-09"})).json()["items"]
    assert [(row["source"], row["digital"]) for row in added] == [("added", True)]
    assert "2024" in added[0]["source_document"]
    records = await ChangeRecord.find({"object_kind": "occupation"}).to_list()
    assert sorted(r.object_id for r in records) == ["4-04-05-09", "6-31-07-05"]
