"""The training demo shows every training feature to each role at once."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_PASSWORD
from portfolio.archives.demo import DEMO_WORKERS
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_demo_workers_are_trained_certified_and_attending(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    worker_1 = await _headers(client, "worker-1")
    summary = (await client.get("/me/archive", headers=worker_1)).json()["summary"]
    levels = {x["occupation_code"]: x["level"] for x in summary["highest_levels"]}
    assert levels == {"4-03-02-01": "junior", "6-31-01-03": "intermediate"}
    # Cooking (4 x 6 h), electrician (4 x 8 h), the voucher demo's two April cooking classes
    # (4 x 6 h each) that its claimed and redeemed vouchers paid for, and the 2018 paper
    # record of a cooking class (60 h) a historical import brought in.
    assert summary["training_hours"] == 4 * 6 + 4 * 8 + 2 * 4 * 6 + 60
    entries = (await client.get("/me/entries", headers=worker_1)).json()["items"]
    [imported] = [e for e in entries if e["payload"].get("imported")]
    assert imported["payload"]["evidence"]["reference"] == "天府职培档 2018-041"
    enrolled = (await client.get("/me/enrolments", headers=worker_1)).json()["items"]
    assert sorted(e["status"] for e in enrolled) == ["completed"] * 5 + [
        "in_training",
        "withdrawn",
    ]
    current = next(e for e in enrolled if e["status"] == "in_training")
    assert len(current["awaiting_confirmation"]) == 2
    assert current["hours_confirmed"] == 4
    # Worker-1 withdrew from next month's class; provider-a can enrol them in it again.
    gone = next(e for e in enrolled if e["status"] == "withdrawn")
    assert gone["withdraw_reason"] == "worker"
    provider_a = await _headers(client, "provider-a")
    worker = next(w for w in DEMO_WORKERS if w.archive_id == DEMO_ARCHIVE_WORKER_1)
    again = await client.post(
        f"/runs/{gone['run_id']}/enrolments",
        json={"id_type": "resident_id", "id_number": worker.id_number, "name": worker.name},
        headers=provider_a,
    )
    assert (again.status_code, again.json()["id"]) == (201, gone["id"]), again.text

    worker_2 = await _headers(client, "worker-2")
    summary = (await client.get("/me/archive", headers=worker_2)).json()["summary"]
    assert [x["level"] for x in summary["highest_levels"]] == ["senior"]
    mine = (await client.get("/me/enrolments", headers=worker_2)).json()["items"]
    # Her senior welding class and next month's request; the fraud demo's two welding classes
    # of provider B (portfolio/vouchers/demo_fraud.py) are completed too.
    assert sorted(e["status"] for e in mine) == ["completed"] * 3 + ["requested"]

    assert len((await client.get("/courses", headers=provider_a)).json()["items"]) == 3
    certified = (await client.get("/certificates", headers=provider_a)).json()["items"]
    assert len(certified) == 2
    provider_b = await _headers(client, "provider-b")
    assert len((await client.get("/courses", headers=provider_b)).json()["items"]) == 1

    check = await client.get(
        "/certificates/check", params={"number": "S5107030526000033", "name": "李小红"}
    )
    assert (check.json()["status"], check.json()["level"]) == ("valid", "senior")
    mianyang = await _headers(client, "agency-mianyang")
    seen = (await client.get("/providers", headers=mianyang)).json()["items"]
    assert [p["name"] for p in seen] == ["绵阳市技师学院"]
