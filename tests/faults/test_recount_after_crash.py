"""A process killed between a record and its counter: the repair's recount puts it right.

The agency withdraws a worker from a class; the service records the withdrawal and its event,
then dies (``event:after_record:training.enrolment_ended``) before giving the seat back, so
the run counts a seat nobody holds. The next start's repair recounts every stored counter,
corrects the run's seats from its enrolments and says so in its report.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.events import AFTER_RECORD
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.training.rules import HOLDS_SEAT
from tests.faults.serving import on_embedded_store
from tests.faults.workload import login

HOLDING = [status.value for status in HOLDS_SEAT]


def _seats(database: Any, run_id: Any) -> tuple[int, int]:
    """(seats the run stores, its enrolments that hold a seat)."""
    run = database["runs"].find_one({"_id": run_id}, {"seats_taken": 1})
    holding = database["enrolments"].count_documents(
        {"run_id": str(run_id), "status": {"$in": HOLDING}}
    )
    return int(run["seats_taken"]), holding


def test_a_seat_left_taken_by_a_crash_is_recounted_at_the_next_start(tmp_path: Path) -> None:
    served = on_embedded_store(tmp_path / "var")
    served.env["PORTFOLIO_LOG_LEVEL"] = "INFO"
    # The demo withdraws someone itself: loaded first, without the fault armed.
    served.start()
    served.stop()
    served.env[FAULT_ENV] = f"{AFTER_RECORD}:training.enrolment_ended"
    try:
        served.start()
        with MongoClient(served.store_uri()) as raw:
            database = raw["portfolio"]
            enrolment = database["enrolments"].find_one({"status": "in_training"})
            assert enrolment is not None
            run_id = database["runs"].find_one({"_id": _oid(enrolment["run_id"])})["_id"]
            stored, holding = _seats(database, run_id)
            assert stored == holding
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            agency = login(http, "agency-sichuan", DEMO_PASSWORD)
            with contextlib.suppress(httpx.HTTPError):  # it dies before answering: the point
                http.post(
                    f"/enrolments/{enrolment['_id']}/withdraw",
                    json={"reason_code": "agency", "reason": "登记错误"},
                    headers=agency,
                )
        assert served.process is not None
        assert served.process.wait(timeout=30) == FAULT_EXIT_CODE, served.log_tail()
    finally:
        served.stop()
        del served.env[FAULT_ENV]

    # Between the two starts the store is down; the next start's repair runs before ready.
    served.start()
    try:
        with MongoClient(served.store_uri()) as raw:
            database = raw["portfolio"]
            withdrawn = database["enrolments"].find_one({"_id": enrolment["_id"]})
            assert withdrawn["status"] == "withdrawn"
            assert _seats(database, run_id) == (holding - 1, holding - 1)
        repaired = served.repaired_at_start()
        assert repaired["recounted"] == {"run_seats": 1}, repaired
    finally:
        served.stop()


def _oid(hex_id: str) -> Any:
    from bson import ObjectId

    return ObjectId(hex_id)
