"""GET /reports/vouchers: events counted through the hook, figures worked out by hand, and a
rebuild from the stored vouchers and events giving the same counters.

The voucher service calls ``portfolio.reports.vouchers.event_recorded`` once its transitions
are wired; here the events are fed to the hook as the service would, and the same vouchers and
event rows are written to their collections for the rebuild.

Policy p1 "成都培训券" (face 1,200 yuan), policy p2 "绵阳培训券" (face 800 yuan):

====  ======  ==================================================================================
v     region  events (2026, China dates)
====  ======  ==================================================================================
v1    510104  p1 issued 03-05, bound 03-10 (chef course, via its real enrolment), claimed 04-01
              (1,000 yuan), redeemed 04-15 (1,000 yuan): 41 days
v2    510104  p1 issued 03-05, bound 03-12 (chef), claimed 04-02 (1,200), rejected 04-05, claimed
              04-08 (1,100), redeemed 05-04 (1,100): 60 days
v3    510104  p1 issued 03-20, expired 06-20
v4    510104  p1 issued 04-02, cancelled 04-03
v5    510703  p2 issued 03-06, bound 03-10 (electrician, a real enrolment), released 03-15,
              expired 09-06
v6    510104  p1 issued 02-10, bound 02-11 (chef), claimed 02-20 (no amount: the face value),
              redeemed 03-01 (no amount): 19 days
====  ======  ==================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pytest
from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.reports import vouchers as voucher_reports
from portfolio.reports.rebuild import rebuild
from portfolio.reports.vouchers import VoucherFacts
from tests.helpers import assert_problem
from tests.reports import snapshots
from tests.reports.test_training_report import YEAR, agency
from tests.training.factories import (
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
)

P1, P2 = "65f000000000000000000001", "65f000000000000000000002"
NAMES = {P1: "成都培训券", P2: "绵阳培训券"}
FACE = {P1: 120_000, P2: 80_000}


@dataclass
class FakeVoucher:
    """A voucher as the service holds it after each event."""

    id: str
    region_code: str
    policy_key: str
    policy_name: str
    face_value_fen: int
    created_at: datetime
    enrolment_id: str = ""
    status: str = "issued"
    version: int = 0


@dataclass(frozen=True)
class FakeEvent:
    """One event as the service records it."""

    action: str
    at: datetime
    details: dict[str, str] = field(default_factory=dict)


def day(month: int, number: int) -> datetime:
    """10:00 China time that day in 2026."""
    return datetime(2026, month, number, 2, tzinfo=UTC)


class Ledger:
    """Feeds events to the hook and keeps the rows the voucher service would store."""

    STATES: ClassVar[dict[str, str]] = {
        "bind": "bound",
        "release": "issued",
        "claim": "claimed",
        "reject": "bound",
        "redeem": "redeemed",
        "expire": "expired",
        "cancel": "cancelled",
    }

    def __init__(self) -> None:
        self.vouchers: dict[str, FakeVoucher] = {}
        self.rows: list[dict[str, Any]] = []

    async def issue(self, region: str, policy: str, at: datetime) -> FakeVoucher:
        voucher = FakeVoucher(
            str(PydanticObjectId()), region, policy, NAMES[policy], FACE[policy], at
        )
        self.vouchers[voucher.id] = voucher
        await self._record(voucher, FakeEvent("issue", at, {"policy_id": policy}))
        return voucher

    async def event(self, voucher: FakeVoucher, action: str, at: datetime, **details: str) -> None:
        if action == "bind":
            voucher.enrolment_id = details["enrolment_id"]
        if action == "release":
            voucher.enrolment_id = ""
        voucher.status = self.STATES[action]
        voucher.version += 1
        await self._record(voucher, FakeEvent(action, at, details))

    async def _record(self, voucher: FakeVoucher, event: FakeEvent) -> None:
        self.rows.append(
            {
                "_id": f"{voucher.id}:{voucher.version}",
                "voucher_id": voucher.id,
                "region_code": voucher.region_code,
                "version": voucher.version,
                "action": event.action,
                "at": event.at,
                "details": event.details,
            }
        )
        facts: VoucherFacts = voucher
        await voucher_reports.event_recorded(facts, event)

    async def store(self, runtime: Runtime) -> None:
        """Write the vouchers (as they are now) and every event row."""
        database = runtime.client[runtime.settings.database]
        await database["vouchers"].insert_many(
            [
                {
                    "_id": PydanticObjectId(v.id),
                    "region_code": v.region_code,
                    "policy_key": v.policy_key,
                    "policy_name": v.policy_name,
                    "face_value_fen": v.face_value_fen,
                    "created_at": v.created_at,
                    "enrolment_id": v.enrolment_id,
                    "status": v.status,
                    "holding_key": f"free|{v.id}",
                    "binding_key": f"free|{v.id}",
                }
                for v in self.vouchers.values()
            ]
        )
        await database["voucher_events"].insert_many(self.rows)


async def record_the_data_set(client: AsyncClient, runtime: Runtime) -> Ledger:
    provider = await make_provider(client, runtime)
    chef = await make_course(client, provider)
    electrician = await make_course(
        client, provider, training_type="skill_upgrading", brand="tianfu_technician"
    )
    run = await make_run(client, provider, chef["id"], start=date(2026, 3, 2))
    person = await make_person(runtime)
    # Each worker is enrolled while the run runs (the time rules refuse an ended run).
    with clock.stopped_at(during_session(run, 1)):
        enrolled = await client.post(
            f"/runs/{run['id']}/enrolments", json=person.ref(), headers=provider.user.headers
        )
    assert enrolled.status_code == 201, enrolled.text
    v1_enrolment = enrolled.json()["id"]
    wiring = await make_run(client, provider, electrician["id"], start=date(2026, 3, 9))
    other_person = await make_person(runtime, name="李四")
    with clock.stopped_at(during_session(wiring, 1)):
        enrolled = await client.post(
            f"/runs/{wiring['id']}/enrolments",
            json=other_person.ref(),
            headers=provider.user.headers,
        )
    assert enrolled.status_code == 201, enrolled.text
    v5_enrolment = enrolled.json()["id"]

    ledger = Ledger()
    v1 = await ledger.issue("510104", P1, day(3, 5))
    await ledger.event(v1, "bind", day(3, 10), enrolment_id=v1_enrolment, course_id=chef["id"])
    # No course in the details: the hook finds it through the voucher's enrolment.
    await ledger.event(v1, "claim", day(4, 1), amount_fen="100000")
    await ledger.event(v1, "redeem", day(4, 15), amount_fen="100000")
    v2 = await ledger.issue("510104", P1, day(3, 5))
    other = str(PydanticObjectId())
    await ledger.event(v2, "bind", day(3, 12), enrolment_id=other, course_id=chef["id"])
    await ledger.event(v2, "claim", day(4, 2), amount_fen="120000", course_id=chef["id"])
    await ledger.event(v2, "reject", day(4, 5), course_id=chef["id"])
    await ledger.event(v2, "claim", day(4, 8), amount_fen="110000", course_id=chef["id"])
    await ledger.event(v2, "redeem", day(5, 4), amount_fen="110000", course_id=chef["id"])
    v3 = await ledger.issue("510104", P1, day(3, 20))
    await ledger.event(v3, "expire", day(6, 20))
    v4 = await ledger.issue("510104", P1, day(4, 2))
    await ledger.event(v4, "cancel", day(4, 3), reason="发错")
    v5 = await ledger.issue("510703", P2, day(3, 6))
    await ledger.event(
        v5, "bind", day(3, 10), enrolment_id=v5_enrolment, course_id=electrician["id"]
    )
    # As the service records a release: the enrolment only (the course is found through it).
    await ledger.event(v5, "release", day(3, 15), enrolment_id=v5_enrolment)
    await ledger.event(v5, "expire", day(9, 6))
    v6 = await ledger.issue("510104", P1, day(2, 10))
    await ledger.event(v6, "bind", day(2, 11), enrolment_id=other, course_id=chef["id"])
    await ledger.event(v6, "claim", day(2, 20), course_id=chef["id"])
    await ledger.event(v6, "redeem", day(3, 1), course_id=chef["id"])
    return ledger


FIGURES = (
    "issued",
    "issued_fen",
    "bound",
    "bound_fen",
    "released",
    "claimed",
    "claimed_fen",
    "claims_rejected",
    "redeemed",
    "redeemed_fen",
    "expired",
    "expired_fen",
    "cancelled",
    "cancelled_fen",
    "redeemed_of_issued",
    "uptake_rate",
    "median_days_to_redemption",
)


def figures(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in FIGURES if row[name]}


async def report(client: AsyncClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get("/reports/vouchers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def no_threshold(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)


async def test_voucher_figures_by_region_month_policy_and_type(
    client: AsyncClient, runtime: Runtime, no_threshold: None
) -> None:
    await record_the_data_set(client, runtime)
    sichuan = (await agency(client, runtime, "51")).headers
    body = await report(client, sichuan, **YEAR)
    rows = {row["key"]: figures(row) for row in body["rows"]}
    assert rows == {
        "5101": {
            "issued": 5,
            "issued_fen": 600_000,
            "bound": 3,
            "bound_fen": 360_000,
            "claimed": 4,
            "claimed_fen": 100_000 + 120_000 + 110_000 + 120_000,
            "claims_rejected": 1,
            "redeemed": 3,
            "redeemed_fen": 100_000 + 110_000 + 120_000,
            "expired": 1,
            "expired_fen": 120_000,
            "cancelled": 1,
            "cancelled_fen": 120_000,
            "redeemed_of_issued": 3,
            "uptake_rate": 0.6,
            "median_days_to_redemption": 41.0,
        },
        "5107": {
            "issued": 1,
            "issued_fen": 80_000,
            "bound": 1,
            "bound_fen": 80_000,
            "released": 1,
            "expired": 1,
            "expired_fen": 80_000,
        },
    }
    assert body["rows"][1]["uptake_rate"] == 0.0
    assert body["rows"][1]["median_days_to_redemption"] is None
    total = figures(body["total"])
    assert (total["issued"], total["issued_fen"], total["redeemed"]) == (6, 680_000, 3)
    assert (total["uptake_rate"], total["median_days_to_redemption"]) == (0.5, 41.0)

    by_month = await report(client, sichuan, group_by="month", **YEAR)
    months = {row["key"]: figures(row) for row in by_month["rows"]}
    assert months["2026-02"] == {
        "issued": 1,
        "issued_fen": 120_000,
        "bound": 1,
        "bound_fen": 120_000,
        "claimed": 1,
        "claimed_fen": 120_000,
        "redeemed_of_issued": 1,
        "uptake_rate": 1.0,
    }
    assert months["2026-03"] == {
        "issued": 4,
        "issued_fen": 3 * 120_000 + 80_000,
        "bound": 3,
        "bound_fen": 2 * 120_000 + 80_000,
        "released": 1,
        "redeemed": 1,
        "redeemed_fen": 120_000,
        "redeemed_of_issued": 2,
        "uptake_rate": 0.5,
        "median_days_to_redemption": 19.0,
    }
    assert months["2026-04"] == {
        "issued": 1,
        "issued_fen": 120_000,
        "claimed": 3,
        "claimed_fen": 330_000,
        "claims_rejected": 1,
        "redeemed": 1,
        "redeemed_fen": 100_000,
        "cancelled": 1,
        "cancelled_fen": 120_000,
        "median_days_to_redemption": 41.0,
    }
    assert months["2026-05"] == {
        "redeemed": 1,
        "redeemed_fen": 110_000,
        "median_days_to_redemption": 60.0,
    }
    assert months["2026-06"] == {"expired": 1, "expired_fen": 120_000}
    assert months["2026-09"] == {"expired": 1, "expired_fen": 80_000}

    by_policy = await report(client, sichuan, group_by="policy", **YEAR)
    assert [(r["key"], r["label"], r["issued"]) for r in by_policy["rows"]] == [
        (P1, "成都培训券", 5),
        (P2, "绵阳培训券", 1),
    ]
    chef_only = await report(client, sichuan, type="employment_skills", **YEAR)
    assert figures(chef_only["total"]) == {
        "bound": 3,
        "bound_fen": 360_000,
        "claimed": 4,
        "claimed_fen": 450_000,
        "claims_rejected": 1,
        "redeemed": 3,
        "redeemed_fen": 330_000,
        "median_days_to_redemption": 41.0,
    }
    assert chef_only["total"]["uptake_rate"] is None  # issue counts under no course
    technician = await report(client, sichuan, brand="tianfu_technician", **YEAR)
    assert [(r["key"], r["bound"], r["released"]) for r in technician["rows"]] == [("5107", 1, 1)]
    assert figures((await report(client, sichuan, policy=P2, **YEAR))["total"])["issued"] == 1

    mianyang = (await agency(client, runtime, "5107")).headers
    own = await report(client, mianyang, **YEAR)
    assert [(r["key"], r["issued"]) for r in own["rows"]] == [("510703", 1)]
    assert_problem(
        await client.get("/reports/vouchers", params={"region": "5101"}, headers=mianyang), 404
    )
    assert_problem(
        await client.get("/reports/vouchers", params={"group_by": "level"}, headers=mianyang), 422
    )


async def test_rebuild_from_vouchers_and_events_equals_the_live_counters(
    client: AsyncClient, runtime: Runtime
) -> None:
    ledger = await record_the_data_set(client, runtime)
    live = await snapshots.counters()
    assert live
    await ledger.store(runtime)
    done = await rebuild()
    assert done.voucher_events == len(ledger.rows)
    assert await snapshots.counters() == live


async def test_small_voucher_counts_are_hidden(client: AsyncClient, runtime: Runtime) -> None:
    await record_the_data_set(client, runtime)
    sichuan = (await agency(client, runtime, "51")).headers
    body = await report(client, sichuan, **YEAR)
    chengdu, mianyang = body["rows"]
    # 1 issued in Mianyang: hidden, and Chengdu's 5 with it (6 - 5 would give it away).
    assert (chengdu["issued"], mianyang["issued"], body["total"]["issued"]) == (None, None, 6)
    assert mianyang["issued_fen"] is None  # money follows its count
    assert chengdu["redeemed"] is None
    assert chengdu["median_days_to_redemption"] is None
    assert "median_days_to_redemption" in chengdu["suppressed"]
