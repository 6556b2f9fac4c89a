"""The agency's statistics pages over the in-process client: each report by each of its
groupings as a chart and a table, the downloads through the export writer (CSV with a
byte-order mark, .xlsx), a month typed wrong, and another region (404, as ``GET /reports``)."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from api.web.report_pages import VALUE_ROOM, WIDTH
from portfolio.accounts.principal import Role
from tests.helpers import log_in_as
from tests.vouchers.factories import issued, make_world
from tests.web.pages import sign_in
from tests.workers.factories import registered_worker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_reports_as_chart_table_and_files(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)

    for report, groups in (
        ("training", ("region", "month", "type", "brand", "occupation")),
        ("vouchers", ("region", "month", "policy", "type", "brand")),
        ("apprenticeships", ("region", "month", "occupation", "level")),
    ):
        for group in groups:
            page = await web.get(f"/agency/statistics?report={report}&group_by={group}")
            assert page.status_code == 200, (report, group, page.text)
            assert "<svg" in page.text or "Nothing was counted" in page.text
            assert '<table class="table">' in page.text

    vouchers = await web.get("/agency/statistics?report=vouchers&group_by=month&figure=issued")
    assert "Vouchers issued" in vouchers.text
    # One voucher this month: a figure below the threshold is hidden, in the chart too.
    assert "&lt;5" in vouchers.text
    assert 'class="chart__bar"' not in vouchers.text
    # Five: the month's bar is drawn at full length, its figure beside it and in the table.
    for _ in range(4):
        worker = await registered_worker(client, world.agency)
        await issued(client, world.agency, world.policy["id"], worker.archive_id)
    five = await web.get("/agency/statistics?report=vouchers&group_by=month&figure=issued")
    assert f'class="chart__bar" x="0" y="21" width="{WIDTH - VALUE_ROOM}"' in five.text
    assert '<td data-label="Vouchers issued">5</td>' in five.text

    csv = await web.get("/agency/statistics/file?report=vouchers&group_by=month&format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert "发放张数" in csv.content.decode("utf-8-sig")
    xlsx = await web.get("/agency/statistics/file?report=training&format=xlsx")
    assert xlsx.headers["content-type"] == XLSX
    assert xlsx.content.startswith(b"PK")

    wrong = await web.get("/agency/statistics?report=training&from=2026-13")
    assert wrong.status_code == 200
    assert 'href="#from"' in wrong.text
    backwards = await web.get("/agency/statistics?report=training&from=2026-10&to=2026-01")
    assert 'href="#from"' in backwards.text


async def test_another_region_is_not_found(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    other = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    web.headers["Accept-Language"] = "en"
    await sign_in(web, other.principal.username, other.password)
    assert (await web.get("/agency/statistics?region=5101")).status_code == 404
    assert (await web.get("/agency/statistics/file?region=510104&format=csv")).status_code == 404
    own = await web.get("/agency/statistics?region=510703")
    assert own.status_code == 200
