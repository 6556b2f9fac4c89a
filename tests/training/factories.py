"""Plain factories for training tests: an organisation with a provider user, courses, runs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId
from httpx import AsyncClient
from stdnum.cn import uscc

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Actor, Role
from portfolio.archives.documents import Archive
from portfolio.archives.personal import seal_birth_date, seal_phone
from portfolio.identity.identifiers import IdType, Sex, parse_resident_id
from portfolio.identity.masking import mask_identity_number, mask_phone
from portfolio.identity.protection import FieldProtection, associated_data
from portfolio.training import attendance
from portfolio.training.documents import AttendanceRecord, Enrolment
from tests.archives.factories import fresh_resident_id, register
from tests.helpers import LoggedIn, log_in_as

_serial = itertools.count(1)


def credit_code(region: str = "510104") -> str:
    """A valid unified social credit code no other call returns (per session)."""
    body = f"91{region}MA6{next(_serial):06d}"
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class Provider:
    """A registered organisation, its provider user and the agency that registered it."""

    organisation_id: str
    user: LoggedIn
    agency: LoggedIn


async def make_provider(
    client: AsyncClient, runtime: Runtime, *, region: str = "510104", agency_prefix: str = "5101"
) -> Provider:
    """An agency of ``agency_prefix`` registers an organisation; a provider user joins it."""
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix=agency_prefix)
    response = await client.post(
        "/providers",
        json={
            "name": f"培训学校 {next(_serial)}",
            "credit_code": credit_code(region),
            "kind": "training_institution",
            "region_code": region,
        },
        headers=agency.headers,
    )
    assert response.status_code == 201, response.text
    organisation_id = response.json()["id"]
    user = await log_in_as(client, runtime.settings, Role.PROVIDER, organisation_id=organisation_id)
    return Provider(organisation_id, user, agency)


COURSE = {
    "title": "中式烹调师（初级）",
    "occupation_code": "4-03-02-01",
    "training_type": "employment_skills",
    "brand": "sichuan_chef",
    "target_level": "junior",
    "planned_hours": 16,
    "delivery": "in_person",
    "subsidy_standard_fen": 120_000,
}


async def make_course(client: AsyncClient, provider: Provider, **changes: Any) -> dict[str, Any]:
    """A course of ``provider`` (the default is a Sichuan-cuisine class)."""
    response = await client.post(
        "/courses", json={**COURSE, **changes}, headers=provider.user.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def sessions(
    start: date, count: int = 4, hours: float = 4, at: str = "09:00"
) -> list[dict[str, Any]]:
    """``count`` daily sessions from ``start``."""
    return [
        {"n": n + 1, "day": (start + timedelta(days=n)).isoformat(), "start": at, "hours": hours}
        for n in range(count)
    ]


def china_moment(day: date, at: str = "09:00") -> datetime:
    """``day`` at ``at`` (HH:MM) Beijing time, as a UTC moment."""
    hour, minute = (int(part) for part in at.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def is_plausible_run_start(start: date, count: int) -> bool:
    """Whether a run from ``start`` may be scheduled today (the time rules' window)."""
    today = clock.china_today()
    return start >= today - timedelta(days=1) and start + timedelta(
        days=count
    ) <= today + timedelta(days=730)


def during_session(run: dict[str, Any], n: int = 1, *, minutes: int = 30) -> datetime:
    """A moment ``minutes`` after session ``n`` of ``run`` started (attendance may be taken)."""
    session = run["sessions"][n - 1]
    return china_moment(date.fromisoformat(session["day"]), session["start"]) + timedelta(
        minutes=minutes
    )


def to_last_session(run: dict[str, Any]) -> None:
    """Move the clock into ``run``'s last session: every session has started, the first is
    still within the default attendance window (a run of up to 4 daily sessions)."""
    clock.travel_to(during_session(run, len(run["sessions"])))


def after_run(run: dict[str, Any]) -> datetime:
    """A moment after ``run``'s last session ended (it may be completed), still within the
    attendance window of that session."""
    last = run["sessions"][-1]
    return china_moment(date.fromisoformat(last["day"]), last["start"]) + timedelta(
        hours=last["hours"], minutes=30
    )


async def make_run(
    client: AsyncClient,
    provider: Provider,
    course_id: str,
    *,
    start: date | None = None,
    capacity: int = 40,
    count: int = 4,
    at: str = "09:00",
) -> dict[str, Any]:
    """A run of ``count`` daily sessions from ``start`` (default: a week from the clock's today).

    A run dated in the past is scheduled as it was then: the clock travels back to the day
    before ``start``, the run is written, and the clock comes back (the time rules refuse a run
    scheduled after the fact).
    """
    if start is None:
        start = clock.china_today() + timedelta(days=7)
    if is_plausible_run_start(start, count):
        return await _post_run(client, provider, course_id, start, capacity, count, at)
    with clock.stopped_at(china_moment(start - timedelta(days=1))):
        return await _post_run(client, provider, course_id, start, capacity, count, at)


async def _post_run(
    client: AsyncClient,
    provider: Provider,
    course_id: str,
    start: date,
    capacity: int,
    count: int,
    at: str,
) -> dict[str, Any]:
    response = await client.post(
        f"/courses/{course_id}/runs",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=count - 1)).isoformat(),
            "capacity": capacity,
            "location": "成都市武侯区",
            "trainers": ["李师傅"],
            "sessions": sessions(start, count, at=at),
        },
        headers=provider.user.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True)
class Person:
    """A registered worker as a provider's clerk would type them."""

    archive_id: str
    id_number: str
    name: str

    def ref(self) -> dict[str, str]:
        """The enrolment form's worker fields."""
        return {"id_type": "resident_id", "id_number": self.id_number, "name": self.name}


async def make_person(runtime: Runtime, *, name: str = "王小明", region: str = "510104") -> Person:
    """A worker registered by an agency of the region."""
    number = fresh_resident_id()
    registered = await register(runtime, id_number=number, name=name, region_code=region)
    return Person(registered.worker.archive_id, number, name)


async def seed_people(runtime: Runtime, count: int, *, region: str = "510104") -> list[Person]:
    """``count`` archives written in one batch (no entries): for tests of whole class files."""
    protection = FieldProtection(runtime.keyring)
    now = datetime.now(UTC)
    people: list[Person] = []
    archives: list[Archive] = []
    for n in range(count):
        number = fresh_resident_id(area=region, birth=date(1985, 6, 1))
        identity = parse_resident_id(number)
        archive_id = PydanticObjectId()
        name = f"学员{n:05d}"
        archives.append(
            Archive(
                id=archive_id,
                name=name,
                id_type=IdType.RESIDENT_ID,
                nationality=identity.nationality,
                id_number=protection.seal(
                    number, aad=associated_data("archives", "id_number", str(archive_id))
                ),
                id_index=protection.blind_index(identity.lookup_key),
                id_masked=mask_identity_number(number),
                birth_date=seal_birth_date(
                    protection, identity.birth_date or date(1985, 6, 1), str(archive_id)
                ),
                sex=identity.sex or Sex.MALE,
                phone=seal_phone(protection, "13800138000", str(archive_id)),
                phone_masked=mask_phone("13800138000"),
                region_code=region,
                ssn_index=f"unset:{archive_id}",
                created_at=now,
                created_by="seed",
                updated_at=now,
            )
        )
        people.append(Person(str(archive_id), number, name))
    await Archive.insert_many(archives)
    return people


async def trained_class(
    client: AsyncClient,
    runtime: Runtime,
    *,
    people: int = 1,
    hours: float = 4,
    start: date = date(2026, 3, 2),
    target_level: str = "junior",
) -> tuple[Provider, dict[str, Any], list[dict[str, Any]], list[Person]]:
    """A run with ``people`` in training, each with one confirmed session of ``hours``."""
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider, target_level=target_level)
    run = await make_run(client, provider, course["id"], start=start)
    persons = [await make_person(runtime, name=f"结业{i}") for i in range(people)]
    # The class is enrolled and its first session taken while it runs; the clock then comes
    # back (a run in the past is then ready to be completed).
    with clock.stopped_at(during_session(run, 1)):
        enrolments = await _start_class(client, provider, run, persons, hours)
    return provider, run, enrolments, persons


async def _start_class(
    client: AsyncClient,
    provider: Provider,
    run: dict[str, Any],
    persons: list[Person],
    hours: float,
) -> list[dict[str, Any]]:
    enrolments = []
    for person in persons:
        enrolment = (
            await client.post(
                f"/runs/{run['id']}/enrolments",
                json={**person.ref(), "accept": True},
                headers=provider.user.headers,
            )
        ).json()
        await client.post(f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers)
        if hours:
            recorded = await client.post(
                f"/enrolments/{enrolment['id']}/attendance",
                json={
                    "session_n": 1,
                    "hours": hours,
                    "capture_method": "face",
                    "check_in_ref": "f",
                },
                headers=provider.user.headers,
            )
            assert recorded.status_code == 201, recorded.text
        enrolments.append(enrolment)
    await workers_confirm(run["id"])
    return enrolments


async def leave_completion_half_done(enrolment_id: str) -> None:
    """What a process killed right after a completion's conditional update leaves behind: the
    enrolment completed (passed) by a batch of its own, its event and its archive entry never
    written."""
    await Enrolment.get_pymongo_collection().update_one(
        {"_id": ObjectId(enrolment_id)},
        {
            "$set": {
                "status": "completed",
                "result": "passed",
                "hours_attended": 4.0,
                "completion_batch": f"half-done-{enrolment_id}",
            },
            "$currentDate": {"completed_at": True},
        },
    )


async def workers_confirm(run_id: str) -> int:
    """Each worker of the run confirms the records of their presence awaiting them (what
    ``POST /me/attendance/{id}/confirm`` does, without logging every worker in): a provider's
    entry, face or e-ID included, counts only once the worker stands behind it. How many."""
    waiting = await AttendanceRecord.find({"run_id": run_id, "status": "unconfirmed"}).to_list()
    for record in waiting:
        worker = Actor(
            principal_id=f"worker-of-{record.archive_id}",
            username="worker",
            role=Role.WORKER,
            archive_id=record.archive_id,
        )
        await attendance.confirm(actor=worker, record_id=str(record.id))
    return len(waiting)
