"""The statistics page's filters (issue 23): each report offers the filters its counters have
(training: type, occupation; vouchers: type, policy; apprenticeships: occupation, level), the
chart, the table and the downloads follow them, and a bad value is named on its field."""

from __future__ import annotations

import html

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from tests.vouchers.factories import issued, make_world
from tests.web.pages import sign_in


async def test_the_statistics_follow_the_filters(
    client: AsyncClient, web: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)  # one voucher is shown
    world = await make_world(client, runtime)
    await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    key = world.policy["policy_key"]
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)
    issued_cell = '<td data-label="Vouchers issued">1</td>'

    base = "/agency/statistics?report=vouchers&group_by=month&figure=issued"
    page = await web.get(f"{base}&policy={key}")
    assert page.status_code == 200, page.text
    assert issued_cell in page.text
    assert 'id="policy"' in page.text
    assert 'id="type"' in page.text
    assert 'id="level"' not in page.text  # the voucher counters have no level
    links = html.unescape(page.text)
    assert "/agency/statistics/file?report=vouchers&group_by=month" in links
    assert f"policy={key}&format=csv" in links  # the download follows the filter
    csv = await web.get(f"/agency/statistics/file?report=vouchers&group_by=month&policy={key}")
    assert csv.status_code == 200
    other = await web.get(f"{base}&policy=no-such-policy")
    assert issued_cell not in other.text
    # An issue concerns no course: a training type narrows to bound and claimed vouchers.
    typed = await web.get(f"{base}&type=employment_skills")
    assert issued_cell not in typed.text
    # A filter left from another report is ignored, not refused.
    kept = await web.get(f"{base}&level=junior")
    assert issued_cell in kept.text

    bad_type = await web.get(f"{base}&type=cooking")
    assert 'href="#type"' in bad_type.text
    assert "Choose one of the training types" in bad_type.text
    bad_level = await web.get("/agency/statistics?report=apprenticeships&level=grand")
    assert 'href="#level"' in bad_level.text
    bad_code = await web.get("/agency/statistics?report=training&occupation=cook")
    assert 'href="#occupation"' in bad_code.text
    training = await web.get("/agency/statistics?report=training&occupation=4-03-02-01")
    assert training.status_code == 200
    assert 'id="occupation"' in training.text
    assert 'id="policy"' not in training.text
    bad_file = await web.get("/agency/statistics/file?report=training&type=cooking")
    assert bad_file.status_code == 422
