"""The priority-groups report, checked against counts the test keeps itself: memberships by
group and by the worker's city, vouchers issued to members while members (a worker in two
groups counted once in the city's row, once in each group's row), an ended membership outside
the period not counted, and small cells hidden."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from tests.priority.factories import key, officer, record
from tests.vouchers.factories import issued, make_policy
from tests.workers.factories import register


async def test_the_priority_report_counts_what_was_recorded(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)
    province = await officer(client, runtime.settings, "51")
    chengdu = [await register(client, province, region_code="510104") for _ in range(2)]
    mianyang = await register(client, province, region_code="510703")
    both = chengdu[0].archive_id
    await record(client, province, both, "veteran", since="2024-01-01")
    await record(client, province, both, "disabled", since="2024-01-01")
    await record(client, province, chengdu[1].archive_id, "veteran", since="2024-01-01")
    old = await record(client, province, mianyang.archive_id, "migrant_worker", since="2020-01-01")
    ended = await client.post(
        f"/priority-groups/{old['id']}/end",
        json={"until": "2021-12-31", "reason": "已返乡就业"},
        headers={**province.headers, **key()},
    )
    assert ended.status_code == 200, ended.text
    await record(client, province, mianyang.archive_id, "village_craftsman", since="2024-05-01")
    policy = await make_policy(
        client, province, name="退役军人专项培训券", rules={"priority_groups": ["veteran"]}
    )
    await issued(client, province, policy["id"], both)

    month = clock.china_today().strftime("%Y-%m")
    params = {"from": "2024-01", "to": month}
    by_region = await client.get(
        "/reports/priority-groups", params=params, headers=province.headers
    )
    assert by_region.status_code == 200, by_region.text
    rows = {row["key"]: row for row in by_region.json()["rows"]}
    assert set(rows) == {"5101", "5107"}
    assert rows["5101"]["members"] == 3
    assert rows["5101"]["members_by_group"]["disabled"] == 1
    assert rows["5101"]["vouchers"] == 1  # one voucher, one worker in two groups
    assert rows["5107"]["members"] == 1  # the migrant membership ended before 2024
    assert rows["5107"]["members_by_group"]["village_craftsman"] == 1
    assert by_region.json()["total"]["members"] == 4

    by_group = await client.get(
        "/reports/priority-groups",
        params={**params, "group_by": "priority_group"},
        headers=province.headers,
    )
    groups = {row["key"]: row for row in by_group.json()["rows"]}
    assert {k: g["members"] for k, g in groups.items()} == {
        "veteran": 2,
        "disabled": 1,
        "village_craftsman": 1,
    }
    assert groups["veteran"]["vouchers"] == 1
    assert groups["disabled"]["vouchers"] == 1
    assert groups["veteran"]["label"] == "退役军人"

    monkeypatch.setattr(runtime.settings, "report_min_cell", 5)
    hidden = await client.get(
        "/reports/priority-groups",
        params={**params, "group_by": "priority_group"},
        headers=province.headers,
    )
    disabled = next(r for r in hidden.json()["rows"] if r["key"] == "disabled")
    assert disabled["members"] is None
    assert "members" in disabled["suppressed"]
