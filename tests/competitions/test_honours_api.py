"""Honours through the API: recorded for a worker of the region, stated in the archive,
corrected and voided with a reason; provincial titles need a province-level agency."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.competitions.factories import honour, key, worker_ref
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.workers.factories import register, registered_worker


async def _officer(client: AsyncClient, settings: Settings, prefix: str) -> LoggedIn:
    return await log_in_as(
        client, settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )


async def test_an_honour_is_stated_corrected_and_voided_in_the_archive(
    client: AsyncClient, settings: Settings
) -> None:
    province = await _officer(client, settings, "51")
    worker = await registered_worker(client, province)
    recorded = await client.post(
        "/honours",
        json={**worker_ref(worker.registered), **honour()},
        headers={**province.headers, **key()},
    )
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["title_text"] == "天府工匠"
    assert body["worker_masked_id"] != worker.registered.id_number
    twice = await client.post(
        "/honours", json={**worker_ref(worker.registered), **honour()}, headers=province.headers
    )
    assert_problem(twice, 409)
    path = f"/honours/{body['id']}"
    corrected = await client.post(
        f"{path}/correct",
        json={**honour(decision_number="川人社发〔2025〕21号"), "reason": "文号录入有误"},
        headers={**province.headers, **key()},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["decision_number"] == "川人社发〔2025〕21号"
    voided = await client.post(
        f"{path}/void", json={"reason": "评选结果撤销"}, headers={**province.headers, **key()}
    )
    assert voided.json()["status"] == "voided"
    again = await client.post(f"{path}/void", json={"reason": "x"}, headers=province.headers)
    assert_problem(again, 409)

    archive = (await client.get("/me/archive", headers=worker.headers)).json()
    entries = archive["entries"]["items"]
    assert [e["kind"] for e in entries[:3]] == ["honour_voided", "honour_corrected", "honour"]
    assert entries[2]["payload"]["title"] == "天府工匠"
    assert entries[2]["payload"]["nominated_by"] == "成都市人力资源和社会保障局"
    assert entries[1]["corrects"] == entries[2]["seq"]
    assert entries[0]["payload"]["reason"] == "评选结果撤销"


async def test_who_may_record_which_honour_for_whom(
    client: AsyncClient, settings: Settings
) -> None:
    city = await _officer(client, settings, "5101")
    local = await register(client, city)
    provincial = await client.post(
        "/honours", json={**worker_ref(local), **honour()}, headers=city.headers
    )
    assert ("title", "province_only") in {
        (e["field"], e["rule"]) for e in assert_problem(provincial, 422)["errors"]
    }
    untitled = await client.post(
        "/honours", json={**worker_ref(local), **honour(title="city")}, headers=city.headers
    )
    assert ("city_title", "required") in {
        (e["field"], e["rule"]) for e in assert_problem(untitled, 422)["errors"]
    }
    recorded = await client.post(
        "/honours",
        json={**worker_ref(local), **honour(title="city", city_title="成都工匠")},
        headers=city.headers,
    )
    assert recorded.status_code == 201, recorded.text
    mianyang = await _officer(client, settings, "5107")
    outsider = await client.post(
        "/honours",
        json={**worker_ref(local), **honour(title="city", city_title="绵阳工匠")},
        headers=mianyang.headers,
    )
    assert assert_problem(outsider, 422)["errors"][0]["rule"] == "no_match"
    assert_problem(
        await client.get(f"/honours/{recorded.json()['id']}", headers=mianyang.headers), 404
    )
    listed = await client.get("/honours", headers=city.headers)
    assert [h["id"] for h in listed.json()] == [recorded.json()["id"]]
