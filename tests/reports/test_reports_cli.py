"""``portfolio reports rebuild`` as a real process, on a data directory nobody serves."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId
from pymongo import MongoClient

from portfolio import clock
from portfolio.storage import EmbeddedStore
from tests.accounts.test_accounts_cli import portfolio


def _seed(data_dir: Path) -> None:
    """One finished run in 510104 (March 2026) with a passed and a failed completion."""
    store = EmbeddedStore(data_dir)
    try:
        client: MongoClient[dict[str, Any]] = MongoClient(store.start(), tz_aware=True)
        with client as raw:
            database = raw["portfolio"]
            course, run = ObjectId(), ObjectId()
            database["courses"].insert_one(
                {
                    "_id": course,
                    "organisation_id": "org",
                    "region_code": "510104",
                    "title": "中式烹调师",
                    "occupation_code": "4-03-02-01",
                    "digital": False,
                    "green": False,
                    "training_type": "employment_skills",
                    "brand": "sichuan_chef",
                    "target_level": "junior",
                    "planned_hours": 8,
                    "delivery": "in_person",
                    "subsidy_standard_fen": 100_000,
                    "created_at": clock.now(),
                    "created_by": "test",
                }
            )
            database["runs"].insert_one(
                {
                    "_id": run,
                    "course_id": str(course),
                    "organisation_id": "org",
                    "region_code": "510104",
                    "start_date": datetime(2026, 3, 2, tzinfo=UTC),
                    "end_date": datetime(2026, 3, 5, tzinfo=UTC),
                    "capacity": 2,
                    "seats_taken": 2,
                    "location": "教室",
                    "trainers": [],
                    "sessions": [],
                    "created_at": clock.now(),
                    "created_by": "test",
                }
            )
            for archive, result, hours in (("a1", "passed", 8), ("a2", "failed", 3)):
                database["enrolments"].insert_one(
                    {
                        "run_id": str(run),
                        "course_id": str(course),
                        "organisation_id": "org",
                        "archive_id": archive,
                        "status": "completed",
                        "result": result,
                        "hours_attended": hours,
                    }
                )
    finally:
        store.stop()


def test_rebuild_counts_the_stored_completions(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    empty = portfolio(data_dir, "reports", "rebuild")
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout.startswith("rebuilt 0 counter cell(s) from 0 completion(s)")

    _seed(data_dir)
    done = portfolio(data_dir, "reports", "rebuild")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("rebuilt 1 counter cell(s) from 2 completion(s)")
    store = EmbeddedStore(data_dir)
    try:
        client: MongoClient[dict[str, Any]] = MongoClient(store.start())
        with client as raw:
            database = raw["portfolio"]
            cells = {
                c["_id"]: c
                for name in (
                    "report_counters",
                    "report_totals",
                    "report_city_breakdowns",
                    "report_district_breakdowns",
                    "report_city_details",
                )
                for c in database[name].find({})
            }
            fine = [c["_id"] for c in database["report_counters"].find({})]
    finally:
        store.stop()
    # The fine cell and its rollups (by province, city and district, with and without
    # dimensions).
    assert sorted(cells) == [
        "training.r2+type+brand+occupation|51|2026-03|employment_skills|sichuan_chef|4-03-02-01",
        "training.r2+type+brand|51|2026-03|employment_skills|sichuan_chef",
        "training.r2|51|2026-03",
        "training.r4+type+brand+occupation|5101|2026-03|employment_skills|sichuan_chef|4-03-02-01",
        "training.r4+type+brand|5101|2026-03|employment_skills|sichuan_chef",
        "training.r4|5101|2026-03",
        "training.r6+type+brand|510104|2026-03|employment_skills|sichuan_chef",
        "training.r6|510104|2026-03",
        "training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01",
    ]
    cell = cells["training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01"]
    assert fine == [cell["_id"]]  # the rollups live apart from the fine cells
    figures = {k: cell[k] for k in ("completions", "passed", "minutes", "people")}
    assert figures == {"completions": 2, "passed": 1, "minutes": 660, "people": 1}
    assert (cell["region_code"], cell["month"]) == ("510104", "2026-03")
