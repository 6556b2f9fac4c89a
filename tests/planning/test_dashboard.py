"""GET /targets: the plan's figures measured from the records, checked against counts the test
makes itself from the certificates, platforms and class lists it reads back through the API.

The cast: an assessment body of Chengdu (510104) certifies four workers over the years (a
worker's second certificate is not "new"; a special-ability certificate makes a worker new
but not "skilled"; a voided one counts for nothing); a master studio and a high-skill base
with a class of three linked to one of them; the province's targets and the employed counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.vocabulary import SkillLevel
from tests.helpers import LoggedIn, assert_problem
from tests.planning.factories import TARGETS, create_platform, key
from tests.recognition.factories import (
    LIQUOR_NORM,
    Roads,
    accredit,
    assessment,
    make_roads,
    post,
)
from tests.training.factories import trained_class
from tests.training.test_completions import _complete
from tests.workers.factories import register

# (worker, level or None for the special-ability norm, assessed on, voided afterwards)
CERTIFICATES = (
    ("李四", "intermediate", date(2022, 5, 10), False),
    ("李四", "senior", date(2024, 3, 1), False),
    ("张三", None, date(2023, 4, 2), False),
    ("王五", "intermediate", date(2026, 2, 3), False),
    ("赵六", "senior", date(2021, 6, 1), True),
)


async def _certify(client: AsyncClient, roads: Roads) -> None:
    norm = {"code": LIQUOR_NORM, "title": "四川白酒酿造", "occupation_code": "6-02-06-01"}
    assert (await post(client, roads.province, "/ability-norms", norm)).status_code == 201
    body = await accredit(
        client,
        roads,
        roads.body,
        norm_codes=[LIQUOR_NORM],
        valid_from="2021-01-01",
        levels=["intermediate", "senior"],
    )
    numbers = {"李四": roads.worker.id_number}
    for name in ("张三", "王五", "赵六"):
        numbers[name] = (
            await register(client, roads.officer, region_code="510104", name=name)
        ).id_number
    for n, (name, level, day, voided) in enumerate(CERTIFICATES):
        fields: dict[str, Any] = {
            "id_number": numbers[name],
            "name": name,
            "assessed_on": day.isoformat(),
            "certificate_number": f"PJ-T-{n}",
            "level": level,
        }
        if level is None:
            fields |= {"occupation_code": "", "norm_code": LIQUOR_NORM}
        made = await post(
            client, roads.body.user, "/assessments", assessment(roads, body, **fields)
        )
        assert made.status_code == 201, made.text
        if voided:
            listed = await client.get("/certificates", headers=roads.body.user.headers)
            found = next(c for c in listed.json()["items"] if c["number"] == f"PJ-T-{n}")
            void = await post(
                client, roads.body.user, f"/certificates/{found['id']}/void", {"reason": "有误"}
            )
            assert void.status_code == 200, void.text


async def _counted_by_hand(
    client: AsyncClient, roads: Roads, period: range, year: int
) -> dict[str, int]:
    """New skilled workers in the period, skilled and high-skill people at the end of the
    year, from the body's certificate list (all its holders live in 510104)."""
    listed = await client.get(
        "/certificates", params={"limit": 200}, headers=roads.body.user.headers
    )
    valid = [c for c in listed.json()["items"] if c["status"] == "valid"]
    first: dict[str, date] = {}
    levels: dict[str, list[SkillLevel]] = {}
    for c in valid:
        day = date.fromisoformat(c["issue_date"])
        name = c["holder_name"]
        first[name] = min(first.get(name, day), day)
        if c["level"] and day <= date(year, 12, 31):
            levels.setdefault(name, []).append(SkillLevel(c["level"]))
    return {
        "new": sum(1 for day in first.values() if day.year in period),
        "skilled": len(levels),
        "high": sum(1 for held in levels.values() if max(held, key=lambda x: x.rank).is_high_skill),
    }


def _figures(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in body["figures"]}


async def _read(client: AsyncClient, who: LoggedIn, **params: str) -> dict[str, Any]:
    response = await client.get("/targets", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_dashboard_matches_counts_made_from_the_records(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    await _certify(client, roads)
    province = roads.province
    entered = await client.post("/targets/14", json=TARGETS, headers={**province.headers, **key()})
    assert entered.status_code == 200, entered.text
    for region, year, employed in (("51", 2025, 1000), ("51", 2026, 800), ("5101", 2026, 400)):
        counted = await client.post(
            "/employed-counts",
            json={"region_code": region, "year": year, "employed": employed, "source": "统计年鉴"},
            headers={**province.headers, **key()},
        )
        assert counted.status_code == 200, counted.text

    # Platforms: a studio of 2024 (14th period), a base of 2026 (15th) later closed; a class
    # of three in March 2026 linked to the base (two completed, one passed).
    studio = await create_platform(client, roads.officer)
    base = await create_platform(
        client, roads.officer, kind="high_skill_base", leader="", approved_on="2026-01-05"
    )
    provider, run, enrolments, _ = await trained_class(client, runtime, people=3)
    for enrolment, result in zip(enrolments[:2], ("passed", "failed"), strict=True):
        done = await _complete(client, provider, enrolment["id"], result=result, score=50)
        assert done.status_code == 200, done.text
    linked = await client.post(
        f"/platforms/{base['id']}/links",
        json={"kind": "run", "target_id": run["id"]},
        headers={**roads.officer.headers, **key()},
    )
    assert linked.status_code == 200, linked.text
    closed = await client.post(
        f"/platforms/{base['id']}/close",
        json={"closed_on": "2026-06-30", "reason": "合并"},
        headers={**roads.officer.headers, **key()},
    )
    assert closed.status_code == 200, closed.text

    # What the test counts itself, from the lists it reads back.
    platforms = (await client.get("/platforms", headers=roads.officer.headers)).json()
    class_list = (
        await client.get(f"/runs/{run['id']}/enrolments", headers=provider.user.headers)
    ).json()
    items = class_list["items"] if isinstance(class_list, dict) else class_list
    trained = [
        e for e in items if e["status"] in ("accepted", "in_training", "completed", "withdrawn")
    ]
    completed = [e for e in trained if e["status"] == "completed"]
    passed = [e for e in completed if e["result"] == "passed"]

    fourteen = await _read(client, province, period="14", year="2025")
    hand = await _counted_by_hand(client, roads, range(2021, 2026), 2025)
    assert hand == {"new": 2, "skilled": 1, "high": 1}  # the cast is what it says
    figures = _figures(fourteen)
    assert figures["new_skilled_workers"]["measured"] == hand["new"]
    assert figures["new_skilled_workers"]["target"] == 2_800_000
    assert "first" in figures["new_skilled_workers"]["formula"]
    assert {y["year"]: y["count"] for y in fourteen["new_skilled_by_year"]} == {
        2021: 0,
        2022: 1,
        2023: 1,
        2024: 0,
        2025: 0,
    }
    share = figures["skilled_share"]
    assert (share["numerator"], share["denominator"]) == (hand["skilled"], 1000)
    assert share["measured"] == round(hand["skilled"] * 1000 / 1000)
    high = figures["high_skill_share"]
    assert (high["numerator"], high["denominator"]) == (hand["high"], hand["skilled"])
    assert high["measured"] == 1000
    in_14 = [p for p in platforms if p["approved_on"][:4] in {str(y) for y in range(2021, 2026)}]
    assert figures["master_studios"]["measured"] == sum(p["kind"] == "master_studio" for p in in_14)
    assert figures["high_skill_bases"]["measured"] == 0
    assert fourteen["enrolled"] == 0  # the linked class ran in 2026

    fifteen = await _read(client, province, period="15", year="2026")
    hand = await _counted_by_hand(client, roads, range(2026, 2031), 2026)
    assert hand == {"new": 1, "skilled": 2, "high": 1}
    figures = _figures(fifteen)
    assert fifteen["targets"] is None
    assert figures["new_skilled_workers"]["measured"] == hand["new"]
    assert figures["new_skilled_workers"]["target"] is None
    assert figures["skilled_share"]["measured"] == round(hand["skilled"] * 1000 / 800)
    assert figures["high_skill_share"]["measured"] == round(hand["high"] * 1000 / hand["skilled"])
    bases = [p for p in platforms if p["kind"] == "high_skill_base" and p["approved_on"] >= "2026"]
    assert figures["high_skill_bases"]["measured"] == len(bases) == 1
    assert figures["high_skill_bases"]["closed"] == sum(p["status"] == "closed" for p in bases)
    assert (fifteen["enrolled"], fifteen["completed"], fifteen["passed"]) == (
        len(trained),
        len(completed),
        len(passed),
    )
    assert (len(trained), len(completed), len(passed)) == (3, 2, 1)
    through = next(p for p in platforms if p["id"] == base["id"])
    assert (through["enrolled"], through["completed"], through["passed"]) == (3, 2, 1)
    assert studio["id"] in {p["id"] for p in platforms}

    # Chengdu's own view: the same people (they all live in 510104), its own employed count;
    # another city's view is empty; a region outside the agency's is refused.
    chengdu = await _read(client, roads.officer, period="15", year="2026")
    assert chengdu["region"] == "5101"
    assert _figures(chengdu)["skilled_share"]["denominator"] == 400
    mianyang = await _read(client, province, period="15", year="2026", region="5107")
    assert _figures(mianyang)["new_skilled_workers"]["measured"] == 0
    assert mianyang["employed"] is None
    assert_problem(
        await client.get("/targets", params={"region": "5107"}, headers=roads.officer.headers), 422
    )
    assert_problem(
        await client.get("/targets", params={"period": "13"}, headers=province.headers), 422
    )
    assert_problem(
        await client.get(
            "/targets", params={"period": "14", "year": "2026"}, headers=province.headers
        ),
        422,
    )


async def test_a_worker_who_moved_is_new_where_the_first_certificate_was(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    body = await accredit(
        client, roads, roads.body, valid_from="2021-01-01", levels=["intermediate", "senior"]
    )
    moved = await register(client, roads.province, region_code="510703", name="钱七")
    ref = {"id_number": moved.id_number, "name": "钱七"}
    first = assessment(
        roads, body, **ref, level="intermediate", assessed_on="2022-03-01", certificate_number="M1"
    )
    assert (await post(client, roads.body.user, "/assessments", first)).status_code == 201
    transfer = await client.post(
        f"/workers/{moved.archive_id}/transfer",
        json={"to_region_code": "510104", "reason": "工作调动"},
        headers={**roads.province.headers, **key()},
    )
    assert transfer.status_code == 200, transfer.text
    second = assessment(
        roads, body, **ref, level="senior", assessed_on="2025-03-01", certificate_number="M2"
    )
    assert (await post(client, roads.body.user, "/assessments", second)).status_code == 201
    listed = (await client.get("/certificates", headers=roads.body.user.headers)).json()["items"]
    assert sorted(c["issue_date"] for c in listed if c["holder_name"] == "钱七") == [
        "2022-03-01",
        "2025-03-01",
    ]

    chengdu = _figures(await _read(client, roads.province, period="14", year="2025", region="5101"))
    mianyang = _figures(
        await _read(client, roads.province, period="14", year="2025", region="5107")
    )
    # New where the first certificate was stated; skilled (and high-skill) where the latest is.
    assert chengdu["new_skilled_workers"]["measured"] == 0
    assert mianyang["new_skilled_workers"]["measured"] == 1
    assert (chengdu["skilled_share"]["numerator"], chengdu["high_skill_share"]["numerator"]) == (
        1,
        1,
    )
    assert mianyang["skilled_share"]["numerator"] == 0
    earlier = _figures(await _read(client, roads.province, period="14", year="2023", region="5107"))
    assert earlier["skilled_share"]["numerator"] == 1  # before the move: in Mianyang
