"""Every route that hands out a file: a name that looks like a formula comes out inert.

A policy named ``=HYPERLINK(...)`` once came out live in the CSV reports; the settlement file
used the same writer. Each export route is listed here in both formats.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from bson import ObjectId
from httpx import AsyncClient
from openpyxl import load_workbook

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.training.documents import Organisation
from tests.helpers import log_in_as
from tests.vouchers.claim_factories import claimed_vouchers
from tests.vouchers.factories import issued, make_policy
from tests.workers.factories import registered_worker

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _cells(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/csv"):
        assert response.content.startswith(b"\xef\xbb\xbf")
        text = response.content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def _assert_inert(cells: list[str], file_format: str) -> None:
    if file_format == "csv":  # an apostrophe in front: shown as text by spreadsheets
        assert FORMULA not in cells
        assert "'" + FORMULA in cells
    else:  # typed as text (no cell of the formula type, checked in _cells)
        assert FORMULA in cells


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
async def test_the_voucher_report_names_a_formula_policy_inertly(
    client: AsyncClient, runtime: Runtime, file_format: str
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency, name=FORMULA)
    worker = await registered_worker(client, agency)
    await issued(client, agency, policy["id"], worker.archive_id)
    month = clock.china_today().strftime("%Y-%m")
    response = await client.get(
        "/reports/vouchers",
        params={"group_by": "policy", "from": month, "to": month, "format": file_format},
        headers=agency.headers,
    )
    _assert_inert(_cells(response), file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
async def test_the_settlement_names_a_formula_provider_inertly(
    client: AsyncClient, runtime: Runtime, file_format: str
) -> None:
    world, trained = await claimed_vouchers(client, runtime, 1, amounts=[10_000])
    # The name as an agency might have typed it (registration does not refuse it).
    await Organisation.get_pymongo_collection().update_one(
        {"_id": ObjectId(world.provider.organisation_id)},
        {"$set": {"name": FORMULA}},
    )
    done = await client.post(
        f"/vouchers/{trained[0].voucher_id}/redeem", headers=world.agency.headers
    )
    assert done.status_code == 200, done.text
    today = clock.china_today().isoformat()
    response = await client.get(
        "/settlements",
        params={"from": today, "to": today, "format": file_format},
        headers=world.agency.headers,
    )
    _assert_inert(_cells(response), file_format)
