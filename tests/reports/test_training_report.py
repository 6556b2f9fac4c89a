"""GET /reports/training over the fixed data set of ``factories.py``, figures worked out by hand.

The cells of the data set (threshold 0):

* A 510104 2026-03 employment_skills/sichuan_chef 4-03-02-01: completions 7 (A1: 6, A2: 1),
  passed 6, hours 5*4 + 2 + 4 = 26, people 5 (w1 passed twice in the cell: counted once);
  certificates w1 junior, w2 technician (corrected from junior), w4 senior (w3's voided):
  3, certified 3, high-skill 2.
* B 510104 2026-06 skill_upgrading/tianfu_technician 6-31-01-03: 2 completions, 2 passed, 8 h,
  people 2; w7 intermediate: 1 certificate, certified 1, high-skill 0.
* C 510107 2026-03 employment_skills/no brand 4-03-02-01: 3, 3, 12 h, people 3; none.
* D 510703 2026-05 skill_upgrading/tianfu_technician 6-18-02-04: 5, 4 passed, 20 h, people 4;
  senior, technician, intermediate, one without level: 4, certified 3, high-skill 2.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.reports import factories

YEAR = {"from": "2026-01", "to": "2026-12"}
NO_LEVELS = {
    "junior": 0,
    "intermediate": 0,
    "senior": 0,
    "technician": 0,
    "senior_technician": 0,
    "principal_technician": 0,
    "chief_technician": 0,
    "none": 0,
}


def levels(**counts: int) -> dict[str, int]:
    return {**NO_LEVELS, **counts}


@pytest.fixture
def no_threshold(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)


async def agency(client: AsyncClient, runtime: Runtime, prefix: str) -> LoggedIn:
    return await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix=prefix)


async def report(client: AsyncClient, who: LoggedIn, **params: str) -> dict[str, Any]:
    response = await client.get("/reports/training", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def brief(row: dict[str, Any]) -> tuple[Any, ...]:
    """people, completions, passed, hours, certificates, certified, high-skill."""
    return (
        row["people_trained"],
        row["completions"],
        row["passed"],
        row["training_hours"],
        row["certificates"],
        row["certified_workers"],
        row["high_skill_workers"],
    )


def rows_by_key(body: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {row["key"]: brief(row) for row in body["rows"]}


async def test_province_agency_sees_its_cities_and_every_grouping(
    client: AsyncClient, runtime: Runtime, no_threshold: None
) -> None:
    await factories.build(client, runtime)
    sichuan = await agency(client, runtime, "51")

    body = await report(client, sichuan, **YEAR)
    assert (body["scope"], body["region"], body["group_by"]) == ("51", "51", "region")
    assert (body["month_from"], body["month_to"], body["suppression_threshold"]) == (
        "2026-01",
        "2026-12",
        0,
    )
    assert body["rows"] == [
        {
            "key": "5101",
            "label": "5101",
            "people_trained": 10,
            "completions": 12,
            "passed": 11,
            "completion_rate": 0.9167,
            "training_hours": 46.0,
            "certificates": 4,
            "certificates_by_level": levels(junior=1, intermediate=1, senior=1, technician=1),
            "certified_workers": 4,
            "high_skill_workers": 2,
            "high_skill_share": 0.5,
            "suppressed": [],
        },
        {
            "key": "5107",
            "label": "5107",
            "people_trained": 4,
            "completions": 5,
            "passed": 4,
            "completion_rate": 0.8,
            "training_hours": 20.0,
            "certificates": 4,
            "certificates_by_level": levels(intermediate=1, senior=1, technician=1, none=1),
            "certified_workers": 3,
            "high_skill_workers": 2,
            "high_skill_share": 0.6667,
            "suppressed": [],
        },
    ]
    assert body["total"] == {
        "key": "total",
        "label": "合计",
        "people_trained": 14,
        "completions": 17,
        "passed": 15,
        "completion_rate": 0.8824,
        "training_hours": 66.0,
        "certificates": 8,
        "certificates_by_level": levels(junior=1, intermediate=2, senior=2, technician=2, none=1),
        "certified_workers": 7,
        "high_skill_workers": 4,
        "high_skill_share": 0.5714,
        "suppressed": [],
    }

    by_month = await report(client, sichuan, group_by="month", **YEAR)
    assert rows_by_key(by_month) == {
        "2026-03": (8, 10, 9, 38.0, 3, 3, 2),
        "2026-05": (4, 5, 4, 20.0, 4, 3, 2),
        "2026-06": (2, 2, 2, 8.0, 1, 1, 0),
    }
    by_type = await report(client, sichuan, group_by="type", **YEAR)
    assert rows_by_key(by_type) == {
        "employment_skills": (8, 10, 9, 38.0, 3, 3, 2),
        "skill_upgrading": (6, 7, 6, 28.0, 5, 4, 2),
    }
    assert [r["label"] for r in by_type["rows"]] == ["就业技能培训", "岗位技能提升培训"]
    assert [r["completion_rate"] for r in by_type["rows"]] == [0.9, 0.8571]
    by_brand = await report(client, sichuan, group_by="brand", **YEAR)
    assert rows_by_key(by_brand) == {
        "none": (3, 3, 3, 12.0, 0, 0, 0),
        "sichuan_chef": (5, 7, 6, 26.0, 3, 3, 2),
        "tianfu_technician": (6, 7, 6, 28.0, 5, 4, 2),
    }
    assert [r["label"] for r in by_brand["rows"]] == ["无品牌", "川菜大师傅", "天府技工"]
    assert by_brand["rows"][0]["high_skill_share"] is None  # no certified workers: no share
    by_occupation = await report(client, sichuan, group_by="occupation", **YEAR)
    assert rows_by_key(by_occupation) == {
        "4-03-02-01": (8, 10, 9, 38.0, 3, 3, 2),
        "6-18-02-04": (4, 5, 4, 20.0, 4, 3, 2),
        "6-31-01-03": (2, 2, 2, 8.0, 1, 1, 0),
    }


async def test_filters_narrow_the_cells(
    client: AsyncClient, runtime: Runtime, no_threshold: None
) -> None:
    await factories.build(client, runtime)
    sichuan = await agency(client, runtime, "51")

    employment = await report(client, sichuan, type="employment_skills", **YEAR)
    assert rows_by_key(employment) == {"5101": (8, 10, 9, 38.0, 3, 3, 2)}
    assert employment["filters"]["type"] == "employment_skills"
    technician = await report(client, sichuan, brand="tianfu_technician", **YEAR)
    assert rows_by_key(technician) == {
        "5101": (2, 2, 2, 8.0, 1, 1, 0),
        "5107": (4, 5, 4, 20.0, 4, 3, 2),
    }
    welders = await report(client, sichuan, occupation="6-18-02-04", **YEAR)
    assert rows_by_key(welders) == {"5107": (4, 5, 4, 20.0, 4, 3, 2)}
    spring = await report(client, sichuan, **{"from": "2026-04", "to": "2026-06"})
    assert rows_by_key(spring) == {
        "5101": (2, 2, 2, 8.0, 1, 1, 0),
        "5107": (4, 5, 4, 20.0, 4, 3, 2),
    }
    march = await report(client, sichuan, **{"from": "2026-03", "to": "2026-03"})
    assert rows_by_key(march) == {"5101": (8, 10, 9, 38.0, 3, 3, 2)}
    both = await report(client, sichuan, type="employment_skills", brand="sichuan_chef", **YEAR)
    assert brief(both["total"]) == (5, 7, 6, 26.0, 3, 3, 2)
    nothing = await report(client, sichuan, **{"from": "2025-01", "to": "2025-12"})
    assert nothing["rows"] == []
    assert brief(nothing["total"]) == (0, 0, 0, 0.0, 0, 0, 0)
    assert nothing["total"]["completion_rate"] is None


async def test_csv_has_a_bom_a_header_and_the_same_figures(
    client: AsyncClient, runtime: Runtime, no_threshold: None
) -> None:
    await factories.build(client, runtime)
    sichuan = await agency(client, runtime, "51")
    response = await client.get(
        "/reports/training",
        params={**YEAR, "group_by": "brand", "format": "csv"},
        headers=sichuan.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *lines = table
    assert header[:7] == ["分组", "名称", "培训人数", "结业人次", "合格人次", "合格率", "培训学时"]
    assert "证书·高级工" in header
    assert "高技能人才占比" in header
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert list(rows) == ["none", "sichuan_chef", "tianfu_technician", "total"]
    chef = rows["sichuan_chef"]
    assert (chef["名称"], chef["培训人数"], chef["结业人次"], chef["合格人次"]) == (
        "川菜大师傅",
        "5",
        "7",
        "6",
    )
    assert (chef["合格率"], chef["培训学时"], chef["证书数"], chef["证书·技师"]) == (
        "0.8571",
        "26.0",
        "3",
        "1",
    )
    assert (chef["持证人数"], chef["高技能人数"], chef["高技能人才占比"]) == ("3", "2", "0.6667")
    assert rows["none"]["名称"] == "无品牌"
    assert rows["none"]["高技能人才占比"] == ""  # nothing to compute a share from
    assert (rows["total"]["名称"], rows["total"]["培训人数"], rows["total"]["证书数"]) == (
        "合计",
        "14",
        "8",
    )


async def test_region_scope_city_and_district_agencies(
    client: AsyncClient, runtime: Runtime, no_threshold: None
) -> None:
    await factories.build(client, runtime)
    chengdu = await agency(client, runtime, "5101")
    city = await report(client, chengdu, **YEAR)
    assert rows_by_key(city) == {
        "510104": (7, 9, 8, 34.0, 4, 4, 2),
        "510107": (3, 3, 3, 12.0, 0, 0, 0),
    }
    assert brief(city["total"]) == (10, 12, 11, 46.0, 4, 4, 2)
    district = await report(client, chengdu, region="510104", **YEAR)
    assert rows_by_key(district) == {"510104": (7, 9, 8, 34.0, 4, 4, 2)}

    mianyang = await agency(client, runtime, "5107")
    own = await report(client, mianyang, **YEAR)
    assert rows_by_key(own) == {"510703": (4, 5, 4, 20.0, 4, 3, 2)}
    assert brief(own["total"]) == (4, 5, 4, 20.0, 4, 3, 2)
    for region in ("5101", "510104", "51"):
        response = await client.get(
            "/reports/training", params={**YEAR, "region": region}, headers=mianyang.headers
        )
        assert_problem(response, 404)
    # Grouped any way, Mianyang's report holds nothing of Chengdu's.
    for group_by in ("month", "type", "brand", "occupation"):
        body = await report(client, mianyang, group_by=group_by, **YEAR)
        assert brief(body["total"]) == (4, 5, 4, 20.0, 4, 3, 2)


async def test_small_cells_are_hidden(client: AsyncClient, runtime: Runtime) -> None:
    await factories.build(client, runtime)
    assert runtime.settings.report_min_cell == 5
    sichuan = await agency(client, runtime, "51")
    body = await report(client, sichuan, **YEAR)
    chengdu, mianyang = body["rows"]
    # Mianyang trained 4 people: hidden; Chengdu's 10 too, or 14 - 10 would give the 4 away.
    assert (mianyang["people_trained"], chengdu["people_trained"]) == (None, None)
    assert "people_trained" in mianyang["suppressed"]
    assert "people_trained" in chengdu["suppressed"]
    assert body["total"]["people_trained"] == 14
    # 12 and 5 completions are shown; 4 passed (and so 11, and both rates) are not.
    assert (chengdu["completions"], mianyang["completions"]) == (12, 5)
    assert (chengdu["passed"], mianyang["passed"]) == (None, None)
    assert (chengdu["completion_rate"], mianyang["completion_rate"]) == (None, None)
    assert (body["total"]["passed"], body["total"]["completion_rate"]) == (15, 0.8824)
    # Hours follow completions (shown); certificates (4 each) hidden with their levels.
    assert (chengdu["training_hours"], mianyang["training_hours"]) == (46.0, 20.0)
    assert mianyang["certificates"] is None
    assert mianyang["certificates_by_level"]["senior"] is None
    assert "certificates_by_level.senior" in mianyang["suppressed"]
    assert mianyang["certificates_by_level"]["junior"] == 0  # zero singles no one out
    assert mianyang["high_skill_share"] is None
    assert body["total"]["certificates"] == 8

    csv_body = await client.get(
        "/reports/training", params={**YEAR, "format": "csv"}, headers=sichuan.headers
    )
    lines = list(csv.reader(io.StringIO(csv_body.content.decode("utf-8-sig"))))
    header = lines[0]
    mianyang_line = dict(zip(header, lines[2], strict=True))
    assert (mianyang_line["分组"], mianyang_line["培训人数"], mianyang_line["结业人次"]) == (
        "5107",
        "<5",
        "5",
    )
    assert mianyang_line["证书·初级工"] == "0"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"from": "2026-13"}, 422, "from"),
        ({"to": "26-01"}, 422, "to"),
        ({"from": "2026-06", "to": "2026-05"}, 422, "from"),
        ({"region": "5"}, 422, "region"),
        ({"group_by": "policy"}, 422, "group_by"),
        ({"occupation": "4-03"}, 422, "occupation"),
        ({"region": "5107"}, 404, None),
    ],
)
async def test_bad_requests(
    client: AsyncClient,
    runtime: Runtime,
    params: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    chengdu = await agency(client, runtime, "5101")
    response = await client.get("/reports/training", params=params, headers=chengdu.headers)
    problem = assert_problem(response, status)
    if field is not None:
        assert field in {error["field"] for error in problem["errors"]}, problem


async def test_default_months_are_the_last_twelve(client: AsyncClient, runtime: Runtime) -> None:
    chengdu = await agency(client, runtime, "5101")
    body = await report(client, chengdu, to="2026-03")
    assert (body["month_from"], body["month_to"]) == ("2025-04", "2026-03")
    assert body["rows"] == []
