"""The purpose of a lookup or a full read as a code of the console's list and a note (the
same list the agency's pages offer): the worker reads the code's words and the note; an
unknown code, or "other" without a note, is refused naming the field, and nothing is logged."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import registered_worker


async def test_a_coded_purpose_reaches_the_access_log_in_words(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    number = worker.registered.id_number

    found = await client.post(
        "/workers/search",
        json={"id_number": number, "purpose_code": "subsidy_claim", "purpose_note": "申领 B-2"},
        headers=agency.headers,
    )
    assert found.status_code == 200, found.text
    shown = await client.post(
        f"/workers/{worker.archive_id}/reveal",
        json={"purpose_code": "counter"},
        headers=agency.headers,
    )
    assert shown.status_code == 200, shown.text
    unknown = await client.post(
        f"/workers/{worker.archive_id}/reveal",
        json={"purpose_code": "curiosity"},
        headers=agency.headers,
    )
    assert "body.purpose_code" in {e["field"] for e in assert_problem(unknown, 422)["errors"]}
    bare_other = await client.post(
        f"/workers/{worker.archive_id}/reveal",
        json={"purpose_code": "other"},
        headers=agency.headers,
    )
    assert assert_problem(bare_other, 422)["errors"][0]["field"] == "body.purpose"

    log = await client.get("/me/access-log", headers=worker.headers)
    assert [(i["action"], i["purpose"]) for i in log.json()["items"]] == [
        ("read_full", "劳动者本人在窗口办理业务"),
        ("search", "核对职业技能提升补贴申领：申领 B-2"),
    ]
