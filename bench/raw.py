"""The raw PyMongo half of each scenario: the service's own reads and writes, issued directly.

Each function does what one API request of its scenario makes the service do against the
database (same filters, same conditional updates, same inserts, same number of round trips
where it matters), without HTTP, authentication, validation or response models, so the ratio
HTTP / raw is the price of everything above the database. Report-counter increments are made
with the service's own counter functions (themselves one PyMongo bulk write); a report's raw
half is the service's ``read`` of the counter cells.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from portfolio.accounts.principal import Actor, Role
from portfolio.archives.chain import entry_hash, hashed_content
from portfolio.archives.documents import Recorder
from portfolio.archives.entries import advance_head
from portfolio.archives.kinds import EntryKind
from portfolio.archives.scope import to_bson
from portfolio.clock import truncate_to_millis
from portfolio.reports import training as training_reports
from portfolio.reports import vouchers as voucher_reports
from portfolio.reports.query import ReportQuery, resolve
from portfolio.reports.tables import read as read_groups
from portfolio.settings import Settings
from portfolio.training.documents import Course, Enrolment, Organisation, Run
from portfolio.vouchers.documents import EventRecord, Voucher
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.rules import epoch_ms

PAGE = 20


async def read_archive(db: Any, archive_id: str) -> bool:
    """``GET /me/archive?limit=20``: the archive (its summary kept on it, current while the
    head has not moved: ``portfolio/archives/kept_summary.py``) and the newest page; two
    round trips, as the service makes once the summary is kept (no scan of summary entries)."""
    archive = await db["archives"].find_one({"_id": ObjectId(archive_id)})
    await (
        db["archive_entries"]
        .find({"archive_id": archive_id})
        .sort("seq", DESCENDING)
        .limit(PAGE + 1)
        .to_list()
    )
    return archive is not None


async def append(
    db: Any, archive_id: str, kind: EntryKind, payload: Mapping[str, Any], by: Recorder
) -> int:
    """The two writes of an append (entry on the head read, then the head moved), retried
    on a lost seq on the highest stored entry (as ``append_entry``); returns the seq."""
    oid = ObjectId(archive_id)
    recorder = by.model_dump()
    raw = await db["archives"].find_one({"_id": oid}, {"head": 1})
    head_seq, head_hash = int(raw["head"]["seq"]), str(raw["head"]["hash"])
    for attempt in range(64):
        now = truncate_to_millis(datetime.now(UTC))
        content = hashed_content(
            archive_id=archive_id,
            seq=head_seq + 1,
            kind=kind.value,
            recorded_at=now,
            recorded_by=recorder,
            payload=dict(payload),
            corrects=None,
        )
        digest = entry_hash(head_hash, content)
        try:
            await db["archive_entries"].insert_one(
                {
                    "archive_id": archive_id,
                    "seq": head_seq + 1,
                    "kind": kind.value,
                    "recorded_at": now,
                    "recorded_by": recorder,
                    "payload": dict(payload),
                    "corrects": None,
                    "prev_hash": head_hash,
                    "hash": digest,
                }
            )
        except DuplicateKeyError:
            # As append_entry: the next attempt is built on the highest stored entry.
            top = (
                await db["archive_entries"]
                .find({"archive_id": archive_id}, {"seq": 1, "hash": 1})
                .sort("seq", DESCENDING)
                .limit(1)
                .to_list()
            )
            head_seq, head_hash = int(top[0]["seq"]), str(top[0]["hash"])
            await asyncio.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
            continue
        moved = await db["archives"].update_one(
            {"_id": oid, "head.seq": head_seq},
            {
                "$set": {"head": {"seq": head_seq + 1, "hash": digest}},
                "$inc": {f"counters.{kind.value}": 1},
            },
        )
        if moved.modified_count != 1:
            await advance_head(oid)
        return head_seq + 1
    raise RuntimeError("the archive stayed busy")


@dataclass
class Classes:
    """The bench provider, and the run / course / organisation models its counter updates
    need (read once; the raw reads the service makes per request are still made)."""

    provider_id: str
    organisation_id: str
    runs: dict[str, tuple[Run, Course, Organisation]] = field(default_factory=dict)

    async def fetch(self, db: Any, run_id: str) -> tuple[Run, Course, Organisation]:
        """The organisation, the run and its course: three reads, as the service makes them."""
        await db["organisations"].find_one({"_id": ObjectId(self.organisation_id)})
        run_raw = await db["runs"].find_one(
            {"_id": ObjectId(run_id), "organisation_id": self.organisation_id}
        )
        await db["courses"].find_one({"_id": ObjectId(run_raw["course_id"])})
        if run_id not in self.runs:
            run = await Run.get(ObjectId(run_id))
            assert run is not None
            course = await Course.get(ObjectId(run.course_id))
            organisation = await Organisation.get(ObjectId(run.organisation_id))
            assert course is not None
            assert organisation is not None
            self.runs[run_id] = (run, course, organisation)
        return self.runs[run_id]


def _payload(
    run: Run, course: Course, organisation: Organisation, enrolment_id: str
) -> dict[str, Any]:
    return {
        "enrolment_id": enrolment_id,
        "run_id": str(run.id),
        "course_id": str(course.id),
        "course_title": course.title,
        "occupation_code": course.occupation_code,
        "training_type": course.training_type.value,
        "brand": None,
        "digital": course.digital,
        "target_level": course.target_level.value,
        "hours": 8.0,
        "score": 80.0,
        "provider_id": str(organisation.id),
        "provider_name": organisation.name,
        "region_code": organisation.region_code,
        "run_end_date": run.end_date.isoformat(),
    }


async def complete_one(db: Any, classes: Classes, enrolment_id: str) -> bool:
    """``POST /enrolments/{id}/completion`` (passed): reads, one conditional update, the
    archive append, the entry's seq noted, the report counters."""
    oid = ObjectId(enrolment_id)
    enrolment = await db["enrolments"].find_one(
        {"_id": oid, "organisation_id": classes.organisation_id}
    )
    if enrolment is None:
        return False
    run, course, organisation = await classes.fetch(db, enrolment["run_id"])
    await db["attendance"].find({"enrolment_id": enrolment_id}).to_list()
    moved = await db["enrolments"].update_one(
        {"_id": oid, "status": "in_training", "version": enrolment["version"]},
        {
            "$set": {
                "status": "completed",
                "result": "passed",
                "score": 80.0,
                "hours_attended": 8.0,
                "completed_by": classes.provider_id,
            },
            "$currentDate": {"completed_at": True, "updated_at": True},
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        return False
    fresh = await db["enrolments"].find_one({"_id": oid})
    by = Recorder(
        principal=classes.provider_id, role="provider", organisation=classes.organisation_id
    )
    seq = await append(
        db,
        enrolment["archive_id"],
        EntryKind.TRAINING_COMPLETED,
        _payload(run, course, organisation, enrolment_id),
        by,
    )
    await db["enrolments"].update_one({"_id": oid, "entry_seq": 0}, {"$set": {"entry_seq": seq}})
    fresh = await db["enrolments"].find_one({"_id": oid})
    await training_reports.completions_recorded(run, course, [Enrolment.model_validate(fresh)])
    return True


async def complete_sheet(
    db: Any, classes: Classes, run_id: str, enrolment_ids: Sequence[str]
) -> int:
    """``POST /runs/{id}/completions`` (all passed): the class list, attendance, the heads,
    one bulk update, one insert of all entries, one bulk move of the heads, the counters.
    Returns the rows recorded."""
    run, course, organisation = await classes.fetch(db, run_id)
    class_list = {str(e["_id"]): e async for e in db["enrolments"].find({"run_id": run_id})}
    # As portfolio.lookups.find_each: one equality per enrolment (nx-27017 scans for $in).
    for enrolment_id in enrolment_ids:
        await db["attendance"].find({"enrolment_id": enrolment_id}).to_list()
    targets = [class_list[i] for i in enrolment_ids if class_list[i]["status"] == "in_training"]
    heads = {
        str(a["_id"]): (a["head"]["seq"], a["head"]["hash"])
        async for a in db["archives"].find(
            {"_id": {"$in": [ObjectId(e["archive_id"]) for e in targets]}}, {"head": 1}
        )
    }
    by = Recorder(
        principal=classes.provider_id, role="provider", organisation=classes.organisation_id
    ).model_dump()
    now = truncate_to_millis(datetime.now(UTC))
    entries = []
    for e in targets:
        seq, prev = heads[e["archive_id"]]
        payload = _payload(run, course, organisation, str(e["_id"]))
        content = hashed_content(
            archive_id=e["archive_id"],
            seq=seq + 1,
            kind=EntryKind.TRAINING_COMPLETED.value,
            recorded_at=now,
            recorded_by=by,
            payload=payload,
            corrects=None,
        )
        entries.append(
            {
                "archive_id": e["archive_id"],
                "seq": seq + 1,
                "kind": EntryKind.TRAINING_COMPLETED.value,
                "recorded_at": now,
                "recorded_by": by,
                "payload": payload,
                "corrects": None,
                "prev_hash": prev,
                "hash": entry_hash(prev, content),
            }
        )
    batch = ObjectId().binary.hex()
    if not targets:
        return 0
    await db["enrolments"].bulk_write(
        [
            UpdateOne(
                {"_id": e["_id"], "status": "in_training", "version": e["version"]},
                {
                    "$set": {
                        "status": "completed",
                        "result": "passed",
                        "score": 80.0,
                        "hours_attended": 8.0,
                        "completed_by": classes.provider_id,
                        "completion_batch": batch,
                        "entry_seq": heads[e["archive_id"]][0] + 1,
                    },
                    "$currentDate": {"completed_at": True, "updated_at": True},
                    "$inc": {"version": 1},
                },
            )
            for e in targets
        ],
        ordered=False,
    )
    stored = [e async for e in db["enrolments"].find({"_id": {"$in": [e["_id"] for e in targets]}})]
    with contextlib.suppress(BulkWriteError):
        await db["archive_entries"].insert_many(entries, ordered=False)
    await db["archives"].bulk_write(
        [
            UpdateOne(
                {"_id": ObjectId(d["archive_id"]), "head.seq": d["seq"] - 1},
                {
                    "$set": {"head": {"seq": d["seq"], "hash": d["hash"]}},
                    "$inc": {f"counters.{d['kind']}": 1},
                },
            )
            for d in entries
        ],
        ordered=False,
    )
    won = [Enrolment.model_validate(e) for e in stored if e.get("completion_batch") == batch]
    await training_reports.completions_recorded(run, course, won)
    return len(won)


def _agency_recorder(agency_id: str) -> Recorder:
    return Recorder(principal=agency_id, role="agency", region="51")


async def redeem(db: Any, agency_id: str, voucher_id: str) -> bool:
    """``POST /vouchers/{id}/redeem``: the read, ONE conditional update that returns the
    voucher it wrote, the event row, the ledger entry, the archive entry (after looking for
    one), its seq noted, the counters."""
    oid = ObjectId(voucher_id)
    voucher = await db["vouchers"].find_one({"_id": oid})
    if voucher is None or voucher["status"] != VoucherStatus.CLAIMED.value:
        return False
    now = truncate_to_millis(datetime.now(UTC))
    by = _agency_recorder(agency_id)
    record = EventRecord(
        version=voucher["version"] + 1,
        action=VoucherAction.REDEEM,
        from_state=VoucherStatus.CLAIMED,
        to_state=VoucherStatus.REDEEMED,
        reason="",
        by=by,
        at=now,
        details={
            "amount_fen": str(voucher["claimed_amount_fen"]),
            "enrolment_id": voucher["enrolment_id"],
            "organisation_id": voucher["organisation_id"],
        },
    )
    fresh = await db["vouchers"].find_one_and_update(
        {"_id": oid, "status": VoucherStatus.CLAIMED.value, "version": voucher["version"]},
        {
            "$set": {
                "status": VoucherStatus.REDEEMED.value,
                "last_event": to_bson(record),
                "holding_key": f"free|{voucher_id}",
                "redeemed_amount_fen": voucher["claimed_amount_fen"],
                "redeemed_at_ms": epoch_ms(now),
            },
            "$inc": {"version": 1},
            "$currentDate": {"updated_at": True},
        },
        return_document=ReturnDocument.AFTER,
    )
    if fresh is None:
        return False
    with contextlib.suppress(DuplicateKeyError):
        await db["voucher_events"].insert_one(
            {
                "_id": f"{voucher_id}:{record.version}",
                "voucher_id": voucher_id,
                "archive_id": voucher["archive_id"],
                "region_code": voucher["region_code"],
                **to_bson(record),
            }
        )
    with contextlib.suppress(DuplicateKeyError):
        await db["ledger"].insert_one(
            {
                "_id": f"redeem:{voucher_id}",
                "kind": "redeem",
                "voucher_id": voucher_id,
                "region_code": voucher["region_code"],
                "organisation_id": voucher["organisation_id"],
                "archive_id": voucher["archive_id"],
                "enrolment_id": voucher["enrolment_id"],
                "policy_key": voucher["policy_key"],
                "amount_fen": voucher["claimed_amount_fen"],
                "at": now,
                "at_ms": epoch_ms(now),
                "by": by.model_dump(),
            }
        )
    await (
        db["archive_entries"]
        .find(
            {"archive_id": voucher["archive_id"], "kind": EntryKind.VOUCHER_REDEEMED.value},
            {"seq": 1, "payload": 1},
        )
        .to_list()
    )
    seq = await append(
        db,
        voucher["archive_id"],
        EntryKind.VOUCHER_REDEEMED,
        {
            "voucher_id": voucher_id,
            "amount_fen": voucher["claimed_amount_fen"],
            "policy_key": voucher["policy_key"],
            "policy_name": voucher["policy_name"],
            "enrolment_id": voucher["enrolment_id"],
            "provider_id": voucher["organisation_id"],
            "region_code": voucher["region_code"],
        },
        by,
    )
    await db["vouchers"].update_one(
        {"_id": oid, "redeemed_entry_seq": 0}, {"$set": {"redeemed_entry_seq": seq}}
    )
    model = Voucher.model_validate(fresh)
    await voucher_reports.event_recorded(model, model.last_event)
    return True


async def contend(db: Any, voucher_id: str) -> bool:
    """One of many racing redemptions reduced to its deciding write: True if it won."""
    oid = ObjectId(voucher_id)
    voucher = await db["vouchers"].find_one({"_id": oid})
    if voucher is None or voucher["status"] != VoucherStatus.CLAIMED.value:
        return False
    moved = await db["vouchers"].update_one(
        {"_id": oid, "status": VoucherStatus.CLAIMED.value, "version": voucher["version"]},
        {"$set": {"status": VoucherStatus.REDEEMED.value}, "$inc": {"version": 1}},
    )
    return bool(moved.modified_count == 1)


async def report(agency: Actor, kind: Any, query: ReportQuery) -> int:
    """A report's reads: the counter cells of its scope, grouped (``tables.read``)."""
    scope = resolve(agency, query, groups=kind.GROUPS, filters=kind.FILTERS, now=datetime.now(UTC))
    return len(await read_groups(kind.COUNTERS, scope))


def agency_actor(agency_id: str) -> Actor:
    """The bench's province agency as the domain sees it."""
    return Actor(
        principal_id=agency_id, username="bench-agency-51", role=Role.AGENCY, region_prefix="51"
    )


async def log_in(db: Any, settings: Settings, username: str, password: str) -> bool:
    """``POST /auth/token``'s costly part: the account read and the argon2 check."""
    principal = await db["principals"].find_one({"username": username})
    if principal is None:
        return False
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost_kib,
        parallelism=settings.argon2_parallelism,
    )
    try:
        return await asyncio.to_thread(hasher.verify, principal["password_hash"], password)
    except VerifyMismatchError:
        return False
