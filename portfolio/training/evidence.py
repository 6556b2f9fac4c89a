"""What the voucher area's integrity rules read of training: runs, sessions, attendance.

The voucher time rule and the fraud rules (``portfolio/integrity``) decide on facts about a
class: when its first session starts, which registered trainers teach it and when, who was
recorded present at each session, by whom, from which device, how late, and whether the
worker confirmed it. This module gives those facts as plain values and is the only place the
integrity rules read training documents from. It reads the raw stored documents with
defaults (``doc.get(...)``) for the fields added by the time rules (``trainer_ids``,
``entered_by``, ``device_hash``, ``late``, ``historical``), so it answers the same on records
written before those fields existed (they read as a provider's entry, no device, not late).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portfolio import clock, ids
from portfolio.training.documents import AttendanceRecord, Enrolment, Organisation, Run
from portfolio.training.enums import AttendanceStatus, CaptureMethod

# Statuses of a record that still says something (a rejected or voided one is withdrawn).
_STANDING = frozenset({AttendanceStatus.CONFIRMED.value, AttendanceStatus.UNCONFIRMED.value})


def _aware(value: Any) -> datetime | None:
    """A stored moment as an aware UTC datetime (the driver may hand back a naive one)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def session_start(day: date, start: str) -> datetime:
    """The moment (UTC) a session starts: its day and "HH:MM", China time."""
    hours, minutes = (int(part) for part in start.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=clock.CHINA_TIME).astimezone(UTC)


@dataclass(frozen=True)
class SessionSlot:
    """One session of a run in time, with the registered trainers who teach it."""

    run_id: str
    n: int
    start: datetime
    end: datetime
    trainer_ids: tuple[str, ...]

    def overlaps(self, other: SessionSlot) -> bool:
        """Whether the two sessions share any moment."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class RunFacts:
    """A run as the integrity rules see it."""

    run_id: str
    organisation_id: str
    trainer_ids: tuple[str, ...]
    sessions: tuple[SessionSlot, ...]
    historical: bool

    @property
    def first_start(self) -> datetime | None:
        """When the first session starts (None for a run without sessions)."""
        return min((s.start for s in self.sessions), default=None)

    def session(self, n: int) -> SessionSlot | None:
        """The session numbered ``n``."""
        return next((s for s in self.sessions if s.n == n), None)


@dataclass(frozen=True)
class AttendanceFact:
    """One standing statement of presence (the latest of its enrolment and session)."""

    record_id: str
    enrolment_id: str
    archive_id: str
    session_n: int
    hours: float
    status: str
    capture_method: str
    entered_by: str
    recorded_at: datetime
    confirmed_at: datetime | None
    device_hash: str
    late: bool
    late_approved_by: str
    confirmed_at_ms: int = 0

    @property
    def confirmed(self) -> bool:
        """Whether the record counts towards hours attended."""
        return self.status == AttendanceStatus.CONFIRMED.value

    @property
    def worker_confirmed(self) -> bool:
        """Whether the worker themself stands behind it: their own check-in, or their
        confirmation of the provider's entry (``confirmed_at_ms``, the domain clock's moment
        of it). Before the time rules a check-in method the provider reported (face, e-ID)
        confirmed a record at the moment it was written (``confirmed_at`` = ``recorded_at``,
        no ``confirmed_at_ms``): that is the provider's word, not the worker's."""
        if self.entered_by == "worker":
            return True
        if not self.confirmed:
            return False
        if self.confirmed_at_ms > 0:
            return True
        return self.capture_method == CaptureMethod.MANUAL.value or (
            self.confirmed_at is not None and self.confirmed_at != self.recorded_at
        )


def _slots(run_id: str, raw: Mapping[str, Any], trainer_ids: tuple[str, ...]) -> list[SessionSlot]:
    slots = []
    for session in raw.get("sessions") or []:
        start = session_start(_day(session["day"]), str(session["start"]))
        end = start + timedelta(hours=float(session["hours"]))
        slots.append(SessionSlot(run_id, int(session["n"]), start, end, trainer_ids))
    return slots


def _run_facts(raw: Mapping[str, Any], *, enrolment_historical: bool = False) -> RunFacts:
    run_id = str(raw["_id"])
    trainer_ids = tuple(str(t) for t in raw.get("trainer_ids") or [])
    return RunFacts(
        run_id=run_id,
        organisation_id=str(raw.get("organisation_id", "")),
        trainer_ids=trainer_ids,
        sessions=tuple(_slots(run_id, raw, trainer_ids)),
        historical=bool(raw.get("historical", False)) or enrolment_historical,
    )


async def run_facts(run_id: str, *, enrolment_id: str | None = None) -> RunFacts | None:
    """The run's sessions and trainers; ``historical`` also when the enrolment (if given) was
    entered by a historical import. None when there is no such run."""
    raw = await Run.get_pymongo_collection().find_one({"_id": ids.parse(run_id, "run")})
    if raw is None:
        return None
    historical = False
    if enrolment_id is not None:
        enrolment = await Enrolment.get_pymongo_collection().find_one(
            {"_id": ids.parse(enrolment_id, "enrolment")}, {"historical": 1}
        )
        historical = bool((enrolment or {}).get("historical", False))
    return _run_facts(raw, enrolment_historical=historical)


async def trainer_sessions(
    organisation_id: str, trainer_ids: Iterable[str], *, except_run: str
) -> list[SessionSlot]:
    """The sessions of the provider's other runs taught by any of these trainers (trainers are
    registered per provider, so their runs are the provider's: an indexed read)."""
    wanted = set(trainer_ids)
    if not wanted:
        return []
    found: list[SessionSlot] = []
    async for raw in Run.get_pymongo_collection().find({"organisation_id": organisation_id}):
        if str(raw["_id"]) == except_run:
            continue
        theirs = tuple(str(t) for t in raw.get("trainer_ids") or [])
        if wanted.intersection(theirs):
            found += _slots(str(raw["_id"]), raw, theirs)
    return found


def _fact(raw: Mapping[str, Any]) -> AttendanceFact:
    recorded_at = _aware(raw.get("recorded_at")) or clock.from_epoch_ms(0)
    return AttendanceFact(
        record_id=str(raw["_id"]),
        enrolment_id=str(raw.get("enrolment_id", "")),
        archive_id=str(raw.get("archive_id", "")),
        session_n=int(raw.get("session_n", 0)),
        hours=float(raw.get("hours", 0)),
        status=str(raw.get("status", "")),
        capture_method=str(raw.get("capture_method", CaptureMethod.MANUAL.value)),
        entered_by=str(raw.get("entered_by") or "provider"),
        recorded_at=recorded_at,
        confirmed_at=_aware(raw.get("confirmed_at")),
        device_hash=str(raw.get("device_hash") or ""),
        late=bool(raw.get("late", False)),
        late_approved_by=str(raw.get("late_approved_by") or ""),
        confirmed_at_ms=int(raw.get("confirmed_at_ms") or 0),
    )


async def run_attendance(run_id: str) -> list[AttendanceFact]:
    """The standing statement of each enrolment at each session of the run: the latest record
    of each (enrolment, session), when it is not withdrawn (one indexed read)."""
    latest: dict[tuple[str, int], AttendanceFact] = {}
    async for raw in AttendanceRecord.get_pymongo_collection().find({"run_id": run_id}):
        fact = _fact(raw)
        key = (fact.enrolment_id, fact.session_n)
        known = latest.get(key)
        if known is None or (fact.recorded_at, fact.record_id) > (
            known.recorded_at,
            known.record_id,
        ):
            latest[key] = fact
    return [f for f in latest.values() if f.status in _STANDING]


async def enrolments_created(organisation_id: str, start: datetime, end: datetime) -> int:
    """How many enrolments the provider made from ``start`` up to ``end`` (a counted
    aggregation on the indexed organisation)."""
    rows = await (
        await Enrolment.get_pymongo_collection().aggregate(
            [
                {
                    "$match": {
                        "organisation_id": organisation_id,
                        "created_at": {"$gte": start, "$lt": end},
                    }
                },
                {"$count": "n"},
            ]
        )
    ).to_list()
    return int(rows[0]["n"]) if rows else 0


async def organisation_since(organisation_id: str) -> datetime | None:
    """When the provider was registered (None when unknown)."""
    oid = ids.parse_or_none(organisation_id)
    if oid is None:
        return None
    raw = await Organisation.get_pymongo_collection().find_one({"_id": oid}, {"created_at": 1})
    return _aware((raw or {}).get("created_at"))


@dataclass(frozen=True)
class SurgeLimits:
    """The enrolment-surge thresholds (``fraud_surge_*`` settings)."""

    window_days: int
    quiet_days: int
    min_enrolments: int


def is_surge(
    *, recent: int, before: int, provider_since: datetime | None, now: datetime, limits: SurgeLimits
) -> bool:
    """Whether a provider's enrolments make a surge: ``recent`` in the window up to ``now``
    reach the minimum after none (``before``) in the quiet period ahead of it. A provider
    younger than the quiet period had no months to be quiet in: its first classes are not a
    surge. The one decision of the fraud rule (``integrity.rules.enrolment_surge``) and of the
    class-file preview's dry run (``class_files``)."""
    quiet_since = now - timedelta(days=limits.window_days + limits.quiet_days)
    established = provider_since is not None and provider_since <= quiet_since
    return established and before == 0 and recent >= limits.min_enrolments
