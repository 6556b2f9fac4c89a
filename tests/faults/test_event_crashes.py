"""A process killed between a write and the delivery of its domain event: the start-up repair
delivers it, and the reports count it exactly once.

The service runs as a subprocess on an embedded store of its own with the demo data; each
round arms one fault point (``portfolio.faults``), makes a write that dies there, starts the
service again without it and reads the agency's report: the write is counted once, whether the
process died right after recording the event, after the report markers moved, or after the
counters moved but before the subscriber's receipt.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import httpx

from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from tests.faults.serving import Served, on_embedded_store
from tests.faults.workload import login

CERTIFICATE_CHANGED = "training.certificate_changed"
VOUCHERS_CHANGED = "vouchers.changed"
YEAR = {"from": "2026-01", "to": "2026-12"}


def _total(http: httpx.Client, report: str, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get(f"/reports/{report}", params=YEAR, headers=headers)
    assert response.status_code == 200, response.text
    total: dict[str, Any] = response.json()["total"]
    return total


def _issue_a_certificate(http: httpx.Client, number: str) -> None:
    provider = login(http, "provider-a", DEMO_PASSWORD)
    passed = http.get("/completions", params={"result": "passed"}, headers=provider)
    enrolment_id = passed.json()["items"][0]["id"]
    with contextlib.suppress(httpx.HTTPError):  # it dies before answering: the point
        http.post(
            "/certificates",
            json={
                "enrolment_id": enrolment_id,
                "number": number,
                "certificate_type": "skill_level",
                "occupation_code": "4-03-02-01",
                # Junior: no higher than any demo course of provider A leads to (the time
                # rules refuse a certificate above its course's level).
                "level": "junior",
                "issuing_body": "测试",
                "issue_date": "2026-04-01",
            },
            headers=provider,
        )


def _cancel_a_voucher(http: httpx.Client) -> None:
    agency = login(http, "agency-sichuan", DEMO_PASSWORD)
    listed = http.get("/vouchers", params={"status": "issued"}, headers=agency)
    voucher_id = listed.json()["items"][0]["id"]
    with contextlib.suppress(httpx.HTTPError):
        http.post(f"/vouchers/{voucher_id}/cancel", json={"reason": "发放错误"}, headers=agency)


def _dies_at(served: Served, point: str, write: Any, *args: Any) -> None:
    served.env[FAULT_ENV] = point
    try:
        served.start()
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            write(http, *args)
        assert served.process is not None
        assert served.process.wait(timeout=30) == FAULT_EXIT_CODE, served.log_tail()
    finally:
        served.stop()
        del served.env[FAULT_ENV]


def _totals(served: Served) -> tuple[int, int]:
    """Certificates and cancelled vouchers counted for the province, once the service has
    started (and its start-up repair has run)."""
    served.start()
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            sichuan = login(http, "agency-sichuan", DEMO_PASSWORD)
            certificates = _total(http, "training", sichuan)["certificates"]
            cancelled = _total(http, "vouchers", sichuan)["cancelled"]
            return int(certificates), int(cancelled)
    finally:
        served.stop()


def test_writes_cut_off_before_their_event_was_delivered_count_once(tmp_path: Path) -> None:
    served = on_embedded_store(tmp_path / "var")
    served.env["PORTFOLIO_REPORT_MIN_CELL"] = "0"
    certificates, cancelled = _totals(served)  # the first start loads the demo

    points = [
        f"event:after_record:{CERTIFICATE_CHANGED}",
        f"reports:after_markers:{CERTIFICATE_CHANGED}",
        f"event:after_effect:{CERTIFICATE_CHANGED}:reports",
    ]
    for number, point in enumerate(points, start=1):
        _dies_at(served, point, _issue_a_certificate, f"CUT-{number:04d}")
        # The start-up repair (no grace here) delivers the event: counted once.
        assert _totals(served) == (certificates + number, cancelled), point
    _dies_at(served, f"event:after_record:{VOUCHERS_CHANGED}", _cancel_a_voucher)
    assert _totals(served) == (certificates + len(points), cancelled + 1)

    served.start()
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            provider = login(http, "provider-a", DEMO_PASSWORD)
            listed = http.get("/certificates", params={"limit": 100}, headers=provider).json()
            cut = [c for c in listed["items"] if c["number"].startswith("CUT-")]
            assert len(cut) == len(points)
            assert all(c["archive_entry_seq"] > 0 for c in cut)
    finally:
        served.stop()
