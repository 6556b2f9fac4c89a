"""Bulk issuance at the row cap of issue 12: 10,000 rows in one request work end to end
(within the bulk body limit), and one row more is a 422 naming the rule.

Issuing costs per voucher (encoding, insert, event, the answer's row): 10,000 issued vouchers
took 21 s on a quiet 2-core machine and 47 s beside other suites. ``make test`` therefore sends
10,000 rows of which 1,000 name real workers (the rest unknown ids, each answered as an error
row); with ``PORTFOLIO_FUZZ_EXAMPLES`` set (the deep runs) all 10,000 are real and issued.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from bson import ObjectId
from httpx import AsyncClient
from pydantic import BaseModel

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.vouchers.documents import Voucher, VoucherEvent
from schemas.completions import ClassCompletionIn
from schemas.enrolments import BulkEnrolmentIn, SessionAttendanceIn
from schemas.vouchers import BulkVoucherIn
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import seed_people
from tests.vouchers.factories import make_policy

ROWS = 10_000
REAL = ROWS if os.environ.get("PORTFOLIO_FUZZ_EXAMPLES") else 1_000


@pytest.mark.parametrize(
    "model",
    [BulkVoucherIn, BulkEnrolmentIn, ClassCompletionIn, SessionAttendanceIn],
    ids=lambda m: m.__name__,
)
def test_every_bulk_body_takes_at_least_10000_rows(model: type[BaseModel]) -> None:
    """Issue 12: every bulk route (vouchers, class files, class sheets, a session's
    attendance) takes a list of at least 10,000 rows."""
    assert model.model_json_schema()["properties"]["rows"]["maxItems"] >= ROWS


async def test_10000_rows_issue_in_one_request(client: AsyncClient, runtime: Runtime) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency, quantity=ROWS)
    people = await seed_people(runtime, REAL)
    # Half by archive id, half by ID number and name (the way a clerk's list names them).
    rows: list[dict[str, Any]] = [
        {"worker_id": p.archive_id} if n % 2 else {"id_number": p.id_number, "name": p.name}
        for n, p in enumerate(people)
    ]
    rows += [{"worker_id": str(ObjectId())} for _ in range(ROWS - REAL)]
    body = {"policy_id": policy["id"], "note": "批量发放", "rows": rows}
    started = time.perf_counter()
    response = await client.post("/vouchers/bulk", json=body, headers=agency.headers)
    elapsed = time.perf_counter() - started
    print(
        f"\n{ROWS:,}-row bulk issue, {REAL:,} issued: {elapsed:.2f} s, "
        f"{len(json.dumps(body)):,} bytes in, {len(response.content):,} bytes out"
    )
    assert response.status_code == 200, response.text[:500]
    out = response.json()
    assert (out["issued"], out["not_eligible"], out["failed"]) == (REAL, 0, ROWS - REAL)
    assert [r["row"] for r in out["rows"]] == list(range(ROWS))
    assert {r["voucher"]["worker_id"] for r in out["rows"][:REAL]} == {p.archive_id for p in people}
    assert {r["detail"] for r in out["rows"][REAL:]} <= {"no such worker in your region"}
    stored = Voucher.get_pymongo_collection()
    events = VoucherEvent.get_pymongo_collection()
    match = {"$match": {"policy_key": policy["policy_key"]}}
    [counted] = await (await stored.aggregate([match, {"$count": "n"}])).to_list()
    assert counted["n"] == REAL
    [counted] = await (await events.aggregate([{"$count": "n"}])).to_list()
    assert counted["n"] == REAL
    shown = await client.get(f"/voucher-policies/{policy['id']}", headers=agency.headers)
    assert (shown.json()["issued"], shown.json()["remaining"]) == (REAL, ROWS - REAL)


async def test_10001_rows_are_refused_naming_the_rule(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency)
    rows = [{"worker_id": "64d000000000000000000001"}] * (ROWS + 1)
    response = await client.post(
        "/vouchers/bulk", json={"policy_id": policy["id"], "rows": rows}, headers=agency.headers
    )
    problem = assert_problem(response, 422)
    assert problem["errors"] == [
        {
            "field": "body.rows",
            "rule": "too_long",
            "message": f"List should have at most {ROWS} items after validation, not {ROWS + 1}",
        }
    ]
    assert await Voucher.get_pymongo_collection().count_documents({}) == 0
