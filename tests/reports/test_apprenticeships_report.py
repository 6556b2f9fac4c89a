"""GET /reports/apprenticeships: agreement changes counted through the hook, figures worked out
by hand, and a rebuild from the stored agreements and events giving the same counters.

Subsidy 5,000 yuan a year; owed = whole months of active days (days / 30.4375) / 12 of it.

====  ======  ===========  =======  ===================================================
a     region  occupation   target   life
====  ======  ===========  =======  ===================================================
a1    510104  6-31-01-03   inter.   created 2025-08-15, started 2025-09-01, completed
                                    2026-08-31 (its planned end) at intermediate: 365 days,
                                    11 months, owed 500000 * 11 // 12 = 458333 fen
a2    510104  6-31-01-03   senior   created 2026-02-10, started 03-01, paused 05-01,
                                    resumed 06-01, stopped 07-31: 61 + 61 = 122 days,
                                    4 months, owed 166666 fen
a3    510104  4-03-02-01   senior   created 2026-03-05, a draft (one approval so far)
a4    510703  6-18-02-04   techn.   created 2026-04-01, started 04-15, active
a5    510104  4-03-02-01   techn.   created 2025-03-01, started 03-10, completed 2026-02-20
                                    (planned end 2026-03-09 minus 17 days, within the
                                    tolerance) at senior: below the plan; 348 days,
                                    11 months, owed 458333 fen
====  ======  ===========  =======  ===================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.reports import apprenticeships as apprenticeship_reports
from portfolio.reports.apprenticeships import AgreementFacts
from portfolio.reports.documents import ReportCounter
from portfolio.reports.rebuild import rebuild
from tests.helpers import assert_problem
from tests.reports import snapshots
from tests.reports.test_training_report import YEAR, agency

PER_YEAR = 500_000


@dataclass
class FakeAgreement:
    """An agreement as the service holds it after each change."""

    id: str
    region_code: str
    occupation_code: str
    target_level: str
    created_at: datetime
    planned_end: str
    status: str = "draft"
    level_reached: str | None = None
    below_plan: bool = False
    ended_on: str = ""
    version: int = 0


class Ledger:
    """Feeds changes to the hook and keeps the rows the apprenticeship service would store."""

    def __init__(self) -> None:
        self.agreements: dict[str, FakeAgreement] = {}
        self.events: list[dict[str, Any]] = []

    async def create(
        self, region: str, occupation: str, target: str, created: str, planned_end: str
    ) -> FakeAgreement:
        agreement = FakeAgreement(
            str(PydanticObjectId()),
            region,
            occupation,
            target,
            datetime.fromisoformat(f"{created}T02:00:00+00:00").astimezone(UTC),
            planned_end,
        )
        self.agreements[agreement.id] = agreement
        self._row(agreement, "created", "")
        facts: AgreementFacts = agreement
        await apprenticeship_reports.agreement_changed(None, facts)
        return agreement

    async def step(
        self,
        agreement: FakeAgreement,
        action: str,
        status: str,
        on: str = "",
        *,
        owed: int = 0,
        level: str | None = None,
        below_plan: bool = False,
    ) -> None:
        before = agreement.status
        agreement.status = status
        agreement.version += 1
        if status in ("stopped", "completed"):
            agreement.ended_on = on
            agreement.level_reached = level
            agreement.below_plan = below_plan
        self._row(agreement, action, on)
        await apprenticeship_reports.agreement_changed(before, agreement, subsidy_owed_fen=owed)

    def _row(self, agreement: FakeAgreement, action: str, on: str) -> None:
        self.events.append(
            {
                "_id": f"{agreement.id}:{agreement.version}",
                "apprenticeship_id": agreement.id,
                "version": agreement.version,
                "action": action,
                "on": on,
            }
        )

    async def store(self, runtime: Runtime) -> None:
        """Write the agreements as they are now, and all but each one's last event row (the
        rebuild must take the last one from the agreement's ``last_event``)."""
        database = runtime.client[runtime.settings.database]
        last = {e["apprenticeship_id"]: e for e in self.events}
        await database["apprenticeships"].insert_many(
            [
                {
                    "_id": PydanticObjectId(a.id),
                    "region_code": a.region_code,
                    "occupation_code": a.occupation_code,
                    "target_level": a.target_level,
                    "status": a.status,
                    "level_reached": a.level_reached,
                    "below_plan": a.below_plan,
                    "created_at": a.created_at,
                    "ended_on": a.ended_on,
                    "subsidy_fen_per_year": PER_YEAR,
                    "plan": {"planned_start": "", "planned_end": a.planned_end},
                    "last_event": {
                        "version": a.version,
                        "action": last[a.id]["action"],
                        "on": last[a.id]["on"],
                    },
                }
                for a in self.agreements.values()
            ]
        )
        lasts = {id(row) for row in last.values()}
        await database["apprenticeship_events"].insert_many(
            [e for e in self.events if id(e) not in lasts]
        )


async def record_the_data_set() -> Ledger:
    ledger = Ledger()
    a1 = await ledger.create("510104", "6-31-01-03", "intermediate", "2025-08-15", "2026-08-31")
    await ledger.step(a1, "approved", "approved")
    await ledger.step(a1, "confirmed", "confirmed")
    await ledger.step(a1, "started", "active", "2025-09-01")
    await ledger.step(
        a1, "completed", "completed", "2026-08-31", owed=458_333, level="intermediate"
    )
    a2 = await ledger.create("510104", "6-31-01-03", "senior", "2026-02-10", "2027-02-28")
    await ledger.step(a2, "approved", "approved")
    await ledger.step(a2, "confirmed", "confirmed")
    await ledger.step(a2, "started", "active", "2026-03-01")
    await ledger.step(a2, "paused", "paused", "2026-05-01")
    await ledger.step(a2, "resumed", "active", "2026-06-01")
    await ledger.step(a2, "stopped", "stopped", "2026-07-31", owed=166_666)
    a3 = await ledger.create("510104", "4-03-02-01", "senior", "2026-03-05", "2027-03-04")
    await ledger.step(a3, "approved", "draft")  # the employer's approval: still a draft
    a4 = await ledger.create("510703", "6-18-02-04", "technician", "2026-04-01", "2028-03-31")
    await ledger.step(a4, "approved", "approved")
    await ledger.step(a4, "confirmed", "confirmed")
    await ledger.step(a4, "started", "active", "2026-04-15")
    a5 = await ledger.create("510104", "4-03-02-01", "technician", "2025-03-01", "2026-03-09")
    await ledger.step(a5, "approved", "approved")
    await ledger.step(a5, "confirmed", "confirmed")
    await ledger.step(a5, "started", "active", "2025-03-10")
    await ledger.step(
        a5, "completed", "completed", "2026-02-20", owed=458_333, level="senior", below_plan=True
    )
    return ledger


def figures(row: dict[str, Any]) -> dict[str, Any]:
    found = {k: v for k, v in row.items() if isinstance(v, int) and v}
    for nested in ("agreements_by_state", "completed_by_level"):
        found |= {f"{nested}.{k}": v for k, v in row[nested].items() if v}
    return found


async def report(client: AsyncClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get("/reports/apprenticeships", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def no_threshold(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)


async def test_agreements_completions_and_subsidy(
    client: AsyncClient, runtime: Runtime, no_threshold: None
) -> None:
    await record_the_data_set()
    sichuan = (await agency(client, runtime, "51")).headers
    body = await report(client, sichuan, **YEAR)
    rows = {row["key"]: figures(row) for row in body["rows"]}
    # a1 and a5 were created in 2025: their intake is outside the year, their completion in.
    assert rows == {
        "5101": {
            "agreements": 2,
            "agreements_by_state.stopped": 1,
            "agreements_by_state.draft": 1,
            "completed": 2,
            "completed_by_level.intermediate": 1,
            "completed_by_level.senior": 1,
            "completed_below_plan": 1,
            "stopped": 1,
            "subsidy_owed_fen": 458_333 + 166_666 + 458_333,
        },
        "5107": {"agreements": 1, "agreements_by_state.active": 1},
    }
    by_month = await report(client, sichuan, group_by="month", **YEAR)
    assert {row["key"]: figures(row) for row in by_month["rows"]} == {
        "2026-02": {
            "agreements": 1,
            "agreements_by_state.stopped": 1,
            "completed": 1,
            "completed_by_level.senior": 1,
            "completed_below_plan": 1,
            "subsidy_owed_fen": 458_333,
        },
        "2026-03": {"agreements": 1, "agreements_by_state.draft": 1},
        "2026-04": {"agreements": 1, "agreements_by_state.active": 1},
        "2026-07": {"stopped": 1, "subsidy_owed_fen": 166_666},
        "2026-08": {
            "completed": 1,
            "completed_by_level.intermediate": 1,
            "subsidy_owed_fen": 458_333,
        },
    }
    by_level = await report(client, sichuan, group_by="level", **YEAR)
    assert [(r["key"], r["label"], r["agreements"]) for r in by_level["rows"]] == [
        ("intermediate", "中级工", 0),
        ("senior", "高级工", 2),
        ("technician", "技师", 1),
    ]
    welders = await report(client, sichuan, occupation="6-18-02-04", **YEAR)
    assert figures(welders["total"]) == {"agreements": 1, "agreements_by_state.active": 1}
    seniors = await report(client, sichuan, level="senior", **YEAR)
    assert figures(seniors["total"]) == {
        "agreements": 2,
        "agreements_by_state.stopped": 1,
        "agreements_by_state.draft": 1,
        "stopped": 1,
        "subsidy_owed_fen": 166_666,
    }
    since_2025 = await report(client, sichuan, **{"from": "2025-01", "to": "2026-12"})
    assert figures(since_2025["total"])["agreements_by_state.completed"] == 2

    mianyang = (await agency(client, runtime, "5107")).headers
    own = await report(client, mianyang, **YEAR)
    assert [(r["key"], r["agreements"]) for r in own["rows"]] == [("510703", 1)]
    assert own["total"]["subsidy_owed_fen"] == 0
    for params in ({"type": "skill_upgrading"}, {"brand": "tianfu_technician"}):
        problem = assert_problem(
            await client.get("/reports/apprenticeships", params=params, headers=mianyang), 422
        )
        assert {e["field"] for e in problem["errors"]} == set(params)


async def test_rebuild_from_agreements_and_events_equals_the_live_counters(
    runtime: Runtime,
) -> None:
    ledger = await record_the_data_set()
    live = await snapshots.counters()
    await ledger.store(runtime)
    done = await rebuild()
    assert done.agreements == 5
    assert await snapshots.counters() == live


async def test_small_apprenticeship_counts_are_hidden(
    client: AsyncClient, runtime: Runtime
) -> None:
    await record_the_data_set()
    sichuan = (await agency(client, runtime, "51")).headers
    body = await report(client, sichuan, **YEAR)
    chengdu = body["rows"][0]
    assert chengdu["agreements"] is None
    assert chengdu["subsidy_owed_fen"] is None  # follows completions and stops (1 each)
    assert body["total"]["agreements_by_state"]["draft"] is None
    assert body["total"]["agreements_by_state"]["paused"] == 0


async def test_the_hook_works_out_the_subsidy_owed_when_not_given(runtime: Runtime) -> None:
    ledger = Ledger()
    a2 = await ledger.create("510104", "6-31-01-03", "senior", "2026-02-10", "2027-02-28")
    await ledger.step(a2, "approved", "approved")
    await ledger.step(a2, "confirmed", "confirmed")
    await ledger.step(a2, "started", "active", "2026-03-01")
    await ledger.step(a2, "paused", "paused", "2026-05-01")
    await ledger.step(a2, "resumed", "active", "2026-06-01")
    # The service stores the stop (the agreement and its event) and then calls the hook.
    a2.status, a2.ended_on, a2.version = "stopped", "2026-07-31", a2.version + 1
    ledger.events.append(
        {
            "_id": f"{a2.id}:{a2.version}",
            "apprenticeship_id": a2.id,
            "version": a2.version,
            "action": "stopped",
            "on": "2026-07-31",
        }
    )
    await ledger.store(runtime)
    await apprenticeship_reports.agreement_changed("active", a2)
    ended = await ReportCounter.get_pymongo_collection().find_one(  # the fine cell
        {"_id": "apprenticeships|510104|2026-07|6-31-01-03|senior"}
    )
    assert ended is not None
    assert (ended["stopped"], ended["subsidy_owed_fen"]) == (1, 166_666)
