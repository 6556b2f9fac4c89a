"""The report counters follow the domain events exactly once, however often and however
interrupted the events are delivered (``portfolio.events``, ``portfolio.reports.events``).

A bit of everything is done through the HTTP API (a class sheet, a certificate issued,
corrected and voided, vouchers issued in bulk and one by one, bound, claimed, redeemed and
rejected, an agreement walked to a pause); the counters it left are the reference. Then the
counters are wiped and every event is delivered again from the outbox, each one first cut off
at another step (right after it was recorded, after its markers moved, after its effect but
before its receipt): the counters come back the same, and a further delivery of every event
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock, events
from portfolio.events import DomainEvent, Receipt
from portfolio.repair import repair
from portfolio.reports import handle_event
from portfolio.reports.counters import GUARD
from portfolio.reports.documents import CELL_DOCUMENTS, ReportMarker
from portfolio.reports.events import changes_of
from portfolio.reports.rebuild import rebuild
from portfolio.training.documents import Certificate
from tests.apprenticeships import factories as apprenticeships
from tests.reports import snapshots
from tests.training.factories import leave_completion_half_done, trained_class
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import issued, make_world
from tests.workers.factories import registered_worker

NO_GRACE = timedelta(0)
CERTIFICATE = {
    "number": "E0001",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定中心",
    "issue_date": "2026-04-01",
}


@pytest.fixture(autouse=True)
def no_threshold(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)


async def _training(client: AsyncClient, runtime: Runtime) -> None:
    # A course leading to senior: the correction below raises a certificate to that level.
    provider, run, enrolments, _ = await trained_class(
        client, runtime, people=3, target_level="senior"
    )
    rows = [
        {"enrolment_id": enrolments[0]["id"], "result": "passed"},
        {"enrolment_id": enrolments[1]["id"], "result": "passed"},
        {"enrolment_id": enrolments[2]["id"], "result": "failed"},
    ]
    sheet = await client.post(
        f"/runs/{run['id']}/completions", json={"rows": rows}, headers=provider.user.headers
    )
    assert sheet.status_code == 200, sheet.text
    headers = provider.user.headers
    certificates = []
    for number, enrolment in (("E0001", enrolments[0]), ("E0002", enrolments[1])):
        made = await client.post(
            "/certificates",
            json={**CERTIFICATE, "number": number, "enrolment_id": enrolment["id"]},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        certificates.append(made.json())
    corrected = await client.post(
        f"/certificates/{certificates[0]['id']}/correct",
        json={**CERTIFICATE, "level": "senior", "reason": "等级录入错误"},
        headers=headers,
    )
    assert corrected.status_code == 200, corrected.text
    voided = await client.post(
        f"/certificates/{certificates[1]['id']}/void", json={"reason": "考核舞弊"}, headers=headers
    )
    assert voided.status_code == 200, voided.text


async def _vouchers(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    agency = world.agency.headers
    listed = [await registered_worker(client, world.agency) for _ in range(2)]
    bulk = await client.post(
        "/vouchers/bulk",
        json={
            "policy_id": world.policy["id"],
            "rows": [{"worker_id": w.archive_id} for w in listed],
        },
        headers=agency,
    )
    assert bulk.json()["issued"] == 2, bulk.text
    cancelled = await client.post(
        f"/vouchers/{bulk.json()['rows'][0]['voucher']['id']}/cancel",
        json={"reason": "发放错误"},
        headers=agency,
    )
    assert cancelled.status_code == 200, cancelled.text
    first = await train(client, world, await registered_worker(client, world.agency))
    second = await train(client, world, await registered_worker(client, world.agency))
    await issued(client, world.agency, world.policy["id"], listed[0].archive_id)
    for trained, amount in ((first, 80_000), (second, 60_000)):
        assert (await claim(client, world, trained.voucher_id, amount)).status_code == 200
    redeemed = await client.post(
        f"/vouchers/{first.voucher_id}/redeem", json={"note": "材料齐全"}, headers=agency
    )
    rejected = await client.post(
        f"/vouchers/{second.voucher_id}/reject",
        json={"reason": "insufficient_attendance"},
        headers=agency,
    )
    assert (redeemed.status_code, rejected.status_code) == (200, 200)


async def _apprenticeships(client: AsyncClient, runtime: Runtime) -> None:
    world = await apprenticeships.make_world(client, runtime.settings)
    apprentice = await apprenticeships.make_apprentice(client, runtime.settings, world)
    await apprenticeships.walk(client, world, apprentice, "paused")


async def _counted() -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    return await snapshots.counters(), await snapshots.markers()


async def _wipe_counters() -> None:
    for document in (*CELL_DOCUMENTS, ReportMarker):
        await document.get_pymongo_collection().delete_many({})


async def _reopen(report_events: list[DomainEvent], *, forget_receipts: bool) -> None:
    """Every event open for the reports again (its receipt gone too: never delivered)."""
    keys = [e.id for e in report_events]
    await DomainEvent.get_pymongo_collection().update_many(
        {"_id": {"$in": keys}}, {"$set": {"pending": ["reports"], "open": True}}
    )
    if forget_receipts:
        await Receipt.get_pymongo_collection().delete_many(
            {"_id": {"$in": [events.receipt_id("reports", key) for key in keys]}}
        )


async def _guards_left() -> list[str]:
    """The cells still holding an event's guard."""
    return [
        str(cell["_id"])
        for cells in CELL_DOCUMENTS
        async for cell in cells.get_pymongo_collection().find({})
        if cell.get(GUARD)
    ]


async def test_every_event_delivered_again_and_cut_off_anywhere_counts_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    await _training(client, runtime)
    await _vouchers(client, runtime)
    await _apprenticeships(client, runtime)
    counted = await _counted()
    report_events = await DomainEvent.find(
        {"name": {"$in": [n for n, s in events.ROUTES.items() if "reports" in s]}}
    ).to_list()
    names = {e.name for e in report_events}
    assert names == {n for n, s in events.ROUTES.items() if "reports" in s}, names
    assert not any(e.open for e in report_events)

    # Back to "recorded, never delivered", then each event cut off at another step.
    await _wipe_counters()
    await _reopen(report_events, forget_receipts=True)
    for position, event in enumerate(report_events):
        if position % 3 == 1:
            await changes_of(event)  # its markers moved, then the process died
        elif position % 3 == 2:
            await handle_event(event)  # its cells too, then it died before the receipt
    # After the newest event (training recorded through the clock seam may lie ahead of now).
    later = max(clock.now(), *(clock.from_epoch_ms(e.at_ms) for e in report_events))
    later += timedelta(minutes=1)
    assert await events.deliver_open(recorded_before=later) == len(report_events)
    assert await _counted() == counted
    assert await _guards_left() == []

    # Delivered once more with their receipts stored: nothing moves.
    await _reopen(report_events, forget_receipts=False)
    assert await events.deliver_open(recorded_before=later) == len(report_events)
    assert await _counted() == counted
    await rebuild()
    assert await _counted() == counted


async def test_a_change_that_never_published_its_event_is_counted_once_by_repair(
    client: AsyncClient, runtime: Runtime
) -> None:
    # A completion and a certificate voiding, each left by a process killed right after its
    # conditional write: no event, no archive entry.
    provider, _, [done, half], _ = await trained_class(client, runtime, people=2)
    passed = await client.post(
        f"/enrolments/{done['id']}/completion",
        json={"result": "passed"},
        headers=provider.user.headers,
    )
    assert passed.status_code == 200, passed.text
    made = await client.post(
        "/certificates",
        json={**CERTIFICATE, "enrolment_id": done["id"]},
        headers=provider.user.headers,
    )
    assert made.status_code == 201, made.text
    await leave_completion_half_done(half["id"])
    stored = await Certificate.get(ObjectId(made.json()["id"]))
    assert stored is not None
    await Certificate.get_pymongo_collection().update_one(
        {"_id": stored.id},
        {
            "$set": {
                "status": "voided",
                "void_reason": "考核舞弊",
                "entry_seq": 0,
                "corrects_seq": stored.entry_seq,
                "changed_by": stored.recorded_by,
                "changed_at_ms": clock.epoch_ms(clock.now() - timedelta(minutes=5)),
            },
            "$inc": {"version": 1},
        },
    )
    before = await snapshots.counters("training")

    first = await repair(grace=NO_GRACE)
    second = await repair(grace=NO_GRACE)

    assert (first.events_published, second.events_published) == (1, 0)
    assert first.certificates_finished == 1
    live = await snapshots.counters("training")
    assert live != before
    [fine] = [c for key, c in live.items() if key.startswith("training|")]
    assert (fine["completions"], fine["passed"], fine["people"]) == (2, 2, 2)
    assert "certificates" not in fine  # issued, then voided
    await rebuild()
    assert await snapshots.counters("training") == live
