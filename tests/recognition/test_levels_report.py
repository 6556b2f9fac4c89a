"""GET /reports/levels: new levels by road, region and year, counted as certificates of every
road are issued and voided, checked against a count made straight from the stored
certificates, and the same after a rebuild."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.reports.rebuild import rebuild
from portfolio.training import Certificate
from tests.recognition.factories import LIQUOR_NORM, accredit, assessment, make_roads, post, today
from tests.recognition.test_direct_recognition import proposal


async def _every_road(client: AsyncClient, runtime: Runtime) -> Any:
    roads = await make_roads(client, runtime.settings)
    norm = {"code": LIQUOR_NORM, "title": "四川白酒酿造", "occupation_code": "6-02-06-01"}
    assert (await post(client, roads.province, "/ability-norms", norm)).status_code == 201
    body = await accredit(client, roads, roads.body, norm_codes=[LIQUOR_NORM])
    firm = await accredit(client, roads, roads.enterprise, kind="enterprise")
    made = [
        await post(client, roads.body.user, "/assessments", assessment(roads, body)),
        await post(
            client,
            roads.body.user,
            "/assessments",
            assessment(roads, body, level="intermediate", certificate_number="PJ2", score=70)
            | {"assessors": "另一场"},
        ),
        await post(
            client,
            roads.body.user,
            "/assessments",
            assessment(
                roads,
                body,
                occupation_code="",
                level=None,
                norm_code=LIQUOR_NORM,
                certificate_number="ZX1",
            ),
        ),
        await post(
            client,
            roads.enterprise.user,
            "/assessments",
            assessment(roads, firm, level="intermediate", certificate_number="QY1"),
        ),
    ]
    assert [m.status_code for m in made] == [201] * 4, [m.text for m in made]
    recognition = await post(
        client, roads.enterprise.user, "/direct-recognitions", proposal(roads, firm)
    )
    decided = await post(
        client,
        roads.officer,
        f"/direct-recognitions/{recognition.json()['id']}/decision",
        {"confirm": True, "reason": "同意"},
    )
    assert decided.status_code == 200, decided.text
    # The enterprise's own certificate is voided: it leaves the counts.
    own = (await client.get("/certificates", headers=roads.enterprise.user.headers)).json()
    voided = next(c for c in own["items"] if c["road"] == "enterprise")
    void = await post(
        client, roads.enterprise.user, f"/certificates/{voided['id']}/void", {"reason": "有误"}
    )
    assert void.status_code == 200, void.text
    return roads


async def _by_hand() -> tuple[Counter[str], int]:
    """Valid certificates per road, and those at senior or above, read from storage."""
    roads: Counter[str] = Counter()
    high = 0
    async for raw in Certificate.get_pymongo_collection().find({"status": "valid"}):
        roads[raw.get("road", "course")] += 1
        high += raw["level"] in ("senior", "technician", "senior_technician")
    return roads, high


def _granted(report: dict[str, Any]) -> dict[str, int]:
    """The rows that count something (a voided certificate leaves a row of zero behind)."""
    return {row["key"]: row["granted"] for row in report["rows"] if row["granted"]}


async def test_levels_by_road_and_year_match_the_stored_certificates(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)  # one certificate is shown
    roads = await _every_road(client, runtime)
    expected, high = await _by_hand()
    assert expected == {"assessment": 2, "special_ability": 1, "direct_recognition": 1}
    assert high == 2

    async def read(**params: str) -> dict[str, Any]:
        response = await client.get("/reports/levels", params=params, headers=roads.officer.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    by_road = await read(group_by="road")
    assert _granted(by_road) == dict(expected)
    assert by_road["total"]["granted"] == sum(expected.values())
    assert by_road["total"]["high_skill"] == high
    assert by_road["total"]["by_road"]["enterprise"] == 0
    year = str(today().year)
    by_year = await read(group_by="year", road="assessment")
    assert [(row["key"], row["granted"]) for row in by_year["rows"]] == [(year, 2)]
    by_region = await read(group_by="region")
    assert [row["key"] for row in by_region["rows"]] == ["510104"]
    # A rebuild from the stored certificates gives the same figures.
    await rebuild()
    rebuilt = await read(group_by="road")
    assert _granted(rebuilt) == dict(expected)
    assert rebuilt["total"] == by_road["total"]
