"""The voucher area's domain event: ``vouchers.changed`` (the reports count it).

One event per transition of a voucher, ``_id`` ``voucher:<id>:v<version>``, published right
after the voucher's conditional update and its event row; one per bulk issue,
``vouchers:issued:<batch>``, listing every voucher it stored (the batch's ``IssueBatch`` is
written before the vouchers). A change states the voucher's facts at that moment and, for the
moves that concern the course the voucher is bound to (bind, release, claim, reject, redeem),
that course's training type and brand, so a subscriber never reads a voucher or a course that
may have moved on.

After a crash between the update and the publication, ``publish_missing`` (the repair
routine, over the vouchers changed and the batches issued since its last run) derives the same
events again: a voucher's current version from its ``last_event``, a bulk issue from its
stored vouchers (an issue's facts never change). A voucher that changed again before the
repair ran loses the event of the version in between, as it loses that version's event row;
``portfolio reports rebuild`` recounts from the rows that exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from portfolio import events, ids
from portfolio.training import courses_by_ids
from portfolio.training import enrolments_by_ids as training_enrolments
from portfolio.vocabulary import SkillBrand, TrainingType
from portfolio.vouchers.documents import EventRecord, IssueBatch, Voucher, VoucherEvent
from portfolio.vouchers.enums import VoucherAction

A = VoucherAction
# The moves that concern the course the voucher is (or was) bound to.
WITH_COURSE = frozenset({A.BIND, A.RELEASE, A.CLAIM, A.REJECT, A.REDEEM})


class VoucherChange(BaseModel):
    """One transition of one voucher, with the voucher's facts as they were then."""

    voucher_id: str
    version: int
    region_code: str
    policy_key: str
    policy_name: str
    face_value_fen: int
    issued_at: datetime
    # The enrolment the voucher is bound to after the change ("" if none).
    enrolment_id: str
    action: VoucherAction
    at: datetime
    details: dict[str, str]
    # The course the move concerns (None: the move concerns no course, or it is unknown).
    training_type: TrainingType | None = None
    brand: SkillBrand | None = None


class VouchersChanged(BaseModel):
    """Transitions of vouchers recorded together (one, or a whole bulk issue)."""

    NAME: ClassVar[str] = "vouchers.changed"

    changes: list[VoucherChange]


Kind = tuple[TrainingType | None, SkillBrand | None]


class CourseKinds:
    """The training type and brand of the course behind a move, each course read once."""

    def __init__(self) -> None:
        self._courses: dict[str, Kind] = {}
        self._enrolments: dict[str, str] = {}

    async def of(
        self, action: VoucherAction, details: Mapping[str, str], enrolment_id: str
    ) -> Kind:
        """``(type, brand)`` of the move's course; ``(None, None)`` when it concerns none."""
        if action not in WITH_COURSE:
            return None, None
        course_id = details.get("course_id", "")
        enrolment_id = details.get("enrolment_id") or enrolment_id
        if not course_id and enrolment_id:
            if enrolment_id not in self._enrolments:
                found = (
                    await training_enrolments([enrolment_id])
                    if ids.parse_or_none(enrolment_id)
                    else {}
                )
                self._enrolments[enrolment_id] = (
                    found[enrolment_id].course_id if enrolment_id in found else ""
                )
            course_id = self._enrolments[enrolment_id]
        if not course_id or ids.parse_or_none(course_id) is None:
            return None, None
        if course_id not in self._courses:
            course = (await courses_by_ids([course_id])).get(course_id)
            self._courses[course_id] = (
                (course.training_type, course.brand) if course else (None, None)
            )
        return self._courses[course_id]


async def change_of(voucher: Voucher, record: EventRecord, kinds: CourseKinds) -> VoucherChange:
    """The change ``record`` made to ``voucher`` (as stored right after it)."""
    training_type, brand = await kinds.of(record.action, record.details, voucher.enrolment_id)
    return VoucherChange(
        voucher_id=str(voucher.id),
        version=record.version,
        region_code=voucher.region_code,
        policy_key=voucher.policy_key,
        policy_name=voucher.policy_name,
        face_value_fen=voucher.face_value_fen,
        issued_at=voucher.created_at,
        enrolment_id=voucher.enrolment_id,
        action=record.action,
        at=record.at,
        details=dict(record.details),
        training_type=training_type,
        brand=brand,
    )


def issue_of(voucher: Voucher) -> VoucherChange:
    """The issue of ``voucher`` (its facts never change: derivable at any later version)."""
    return VoucherChange(
        voucher_id=str(voucher.id),
        version=0,
        region_code=voucher.region_code,
        policy_key=voucher.policy_key,
        policy_name=voucher.policy_name,
        face_value_fen=voucher.face_value_fen,
        issued_at=voucher.created_at,
        enrolment_id="",
        action=A.ISSUE,
        at=voucher.created_at,
        details={"policy_id": voucher.policy_id, "policy_version": str(voucher.policy_version)},
    )


def voucher_event_id(voucher_id: str, version: int) -> str:
    """The ``_id`` of the event of a voucher's move to ``version``."""
    return f"voucher:{voucher_id}:v{version}"


def issue_event_id(batch: str) -> str:
    """The ``_id`` of the event of a bulk issue."""
    return f"vouchers:issued:{batch}"


async def publish_change(voucher: Voucher, record: EventRecord) -> None:
    """Publish one transition of ``voucher`` (as stored right after it)."""
    facts = VouchersChanged(changes=[await change_of(voucher, record, CourseKinds())])
    await events.publish(voucher_event_id(str(voucher.id), record.version), facts.NAME, facts)


async def publish_issue(batch: str, vouchers: Sequence[Voucher]) -> None:
    """Publish the vouchers one bulk issue stored."""
    if vouchers:
        facts = VouchersChanged(changes=[issue_of(v) for v in vouchers])
        await events.publish(issue_event_id(batch), facts.NAME, facts)


async def publish_missing(vouchers: Sequence[Voucher], *, batched: set[str]) -> int:
    """Publish the events the outbox lacks of these vouchers' current versions (except the
    issues of the vouchers in ``batched``: their bulk issue has its own event); how many it
    published (the repair routine's step)."""
    wanted = {
        voucher_event_id(str(v.id), v.version): v
        for v in vouchers
        if v.last_event.version == v.version and not (v.version == 0 and str(v.id) in batched)
    }
    present = await events.recorded(list(wanted))
    published = 0
    for key, voucher in wanted.items():
        if key not in present:
            await publish_change(voucher, voucher.last_event)
            published += 1
    return published


async def publish_missing_issues(batches: Sequence[IssueBatch]) -> int:
    """Publish the events the outbox lacks of these bulk issues, from their stored vouchers;
    how many it published."""
    present = await events.recorded([issue_event_id(b.id) for b in batches])
    published = 0
    for batch in batches:
        if issue_event_id(batch.id) in present:
            continue
        oids = [ids.parse(v, "voucher") for v in batch.voucher_ids]
        stored = await Voucher.find({"_id": {"$in": oids}}).sort("+_id").to_list()
        await publish_issue(batch.id, stored)
        published += 1
    return published


# The recount reads the event rows a thousand at a time.
CHUNK = 1000


async def _row_chunks() -> AsyncIterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    async for row in VoucherEvent.get_pymongo_collection().find({}):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def changes_to_count() -> AsyncIterator[VoucherChange]:
    """Every stored event row with its voucher as it is now, for the reports' recount
    (``portfolio reports rebuild``): the rows are the history; the voucher gives its facts."""
    kinds = CourseKinds()
    vouchers = Voucher.get_pymongo_collection()
    async for chunk in _row_chunks():
        wanted = list({ids.parse(row["voucher_id"], "voucher") for row in chunk})
        stored = {str(v["_id"]): v async for v in vouchers.find({"_id": {"$in": wanted}})}
        for row in chunk:
            raw = stored.get(row["voucher_id"])
            if raw is None:
                continue
            action = VoucherAction(row["action"])
            details = row.get("details") or {}
            enrolment_id = raw.get("enrolment_id", "")
            training_type, brand = await kinds.of(action, details, enrolment_id)
            yield VoucherChange(
                voucher_id=row["voucher_id"],
                version=int(row.get("version", 0)),
                region_code=raw["region_code"],
                policy_key=raw["policy_key"],
                policy_name=raw.get("policy_name", ""),
                face_value_fen=int(raw["face_value_fen"]),
                issued_at=raw["created_at"],
                enrolment_id=enrolment_id,
                action=action,
                at=row["at"],
                details=details,
                training_type=training_type,
                brand=brand,
            )
