"""Plain factories for apprenticeship tests: an enterprise and an institution with users and
mentors, an employed apprentice, and agreements walked to any state through HTTP."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.apprenticeships.rules import earliest_completion, last_day_after_years
from portfolio.archives import EntryKind, Recorder, append_entry
from portfolio.settings import Settings
from tests.helpers import LoggedIn, log_in_as
from tests.training.factories import credit_code
from tests.workers.factories import Registered, register

_serial = itertools.count(1)
# The default of the ``apprenticeship_completion_tolerance_days`` setting.
TOLERANCE_DAYS = 30
WELDER = "6-18-02-04"


@dataclass(frozen=True)
class Org:
    """A registered organisation, one of its users and its credit code."""

    organisation_id: str
    credit_code: str
    user: LoggedIn


@dataclass(frozen=True)
class World:
    """An enterprise (Chengdu) and a school, their mentors, and the agency of the enterprise."""

    agency: LoggedIn
    enterprise: Org
    institution: Org
    enterprise_mentor: str
    school_mentor: str


@dataclass(frozen=True)
class Apprentice:
    """A registered worker employed by the world's enterprise, with a login."""

    registered: Registered
    name: str
    login: LoggedIn

    @property
    def archive_id(self) -> str:
        """The worker's archive id."""
        return self.registered.archive_id

    def ref(self) -> dict[str, str]:
        """The agreement form's apprentice object."""
        return {"id_type": "resident_id", "id_number": self.registered.id_number, "name": self.name}


def today() -> date:
    """Today in China, the service's reference day."""
    return clock.china_today()


async def make_org(
    client: AsyncClient, settings: Settings, agency: LoggedIn, *, kind: str, region: str
) -> Org:
    """``agency`` registers an organisation of ``kind``; a provider user joins it."""
    code = credit_code(region)
    response = await client.post(
        "/providers",
        json={
            "name": f"{kind} {next(_serial)}",
            "credit_code": code,
            "kind": kind,
            "region_code": region,
        },
        headers=agency.headers,
    )
    assert response.status_code == 201, response.text
    organisation_id = response.json()["id"]
    user = await log_in_as(client, settings, Role.PROVIDER, organisation_id=organisation_id)
    return Org(organisation_id, code, user)


async def make_mentor(
    client: AsyncClient, org: Org, *, name: str = "王师傅", level: str = "technician"
) -> str:
    """A mentor of ``org``; its id."""
    response = await client.post(
        "/mentors", json={"name": name, "level": level}, headers=org.user.headers
    )
    assert response.status_code == 201, response.text
    mentor_id: str = response.json()["id"]
    return mentor_id


async def make_world(
    client: AsyncClient,
    settings: Settings,
    *,
    region: str = "510104",
    agency: LoggedIn | None = None,
) -> World:
    """An enterprise in ``region`` and a technical school, each with a mentor, registered by
    ``agency`` (a new agency of the region's city when not given)."""
    if agency is None:
        agency = await log_in_as(client, settings, Role.AGENCY, region_prefix=region[:4])
    enterprise = await make_org(client, settings, agency, kind="enterprise", region=region)
    institution = await make_org(client, settings, agency, kind="technical_school", region=region)
    return World(
        agency=agency,
        enterprise=enterprise,
        institution=institution,
        enterprise_mentor=await make_mentor(client, enterprise),
        school_mentor=await make_mentor(client, institution, name="李老师", level="senior"),
    )


def employment_at(employer: Org, **fields: Any) -> dict[str, Any]:
    """An employment registration with ``employer``: since 400 days, contract for 3 years."""
    start = today() - timedelta(days=400)
    return {
        "kind": "employment",
        "start": start.isoformat(),
        "certificate_number": "5101042020000017",
        "employer_credit_code": employer.credit_code,
        "employer_name": "成都测试制造有限公司",
        "labour_contract_end": (start + timedelta(days=3 * 365)).isoformat(),
        **fields,
    }


async def make_apprentice(
    client: AsyncClient,
    settings: Settings,
    world: World,
    *,
    employed: bool = True,
    region: str = "510104",
    name: str = "张学徒",
    **employment: Any,
) -> Apprentice:
    """A worker registered by the world's agency, employed by its enterprise, logged in."""
    registered = await register(client, world.agency, region_code=region, name=name)
    if employed:
        response = await client.post(
            f"/workers/{registered.archive_id}/employment",
            json=employment_at(world.enterprise, **employment),
            headers=world.agency.headers,
        )
        assert response.status_code == 201, response.text
    login = await log_in_as(client, settings, Role.WORKER, archive_id=registered.archive_id)
    return Apprentice(registered, name, login)


@dataclass(frozen=True)
class PersonRef:
    """A worker as the employer's clerk types them: number and name."""

    id_number: str
    name: str

    def ref(self) -> dict[str, str]:
        """The agreement form's apprentice object."""
        return {"id_type": "resident_id", "id_number": self.id_number, "name": self.name}


def terms(world: World, person: Apprentice | PersonRef, **changes: Any) -> dict[str, Any]:
    """A valid agreement body: two years from 30 days ago, welding, target technician."""
    start = today() - timedelta(days=30)
    return {
        "institution_id": world.institution.organisation_id,
        "apprentice": person.ref(),
        "occupation_code": "6-18-02-04",
        "target_level": "technician",
        "planned_start": start.isoformat(),
        "planned_end": last_day_after_years(start, 2).isoformat(),
        "enterprise_hours": 800,
        "institution_hours": 400,
        "enterprise_mentor_id": world.enterprise_mentor,
        "school_mentor_id": world.school_mentor,
        **changes,
    }


async def create(
    client: AsyncClient, world: World, person: Apprentice | PersonRef, **changes: Any
) -> Any:
    """``POST /apprenticeships`` as the enterprise; the raw response."""
    return await client.post(
        "/apprenticeships",
        json=terms(world, person, **changes),
        headers=world.enterprise.user.headers,
    )


async def step(
    client: AsyncClient, who: LoggedIn, apprenticeship_id: str, action: str, **body: Any
) -> Any:
    """``POST /apprenticeships/{id}/{action}`` (or the worker's confirm); the raw response."""
    if action == "confirm":
        path = f"/me/apprenticeships/{apprenticeship_id}/confirm"
    else:
        path = f"/apprenticeships/{apprenticeship_id}/{action}"
    return await client.post(path, json=body or None, headers=who.headers)


async def walk(
    client: AsyncClient,
    world: World,
    apprentice: Apprentice,
    until: str,
    **changes: Any,
) -> dict[str, Any]:
    """An agreement walked to ``until`` (draft, approved, confirmed, active, paused)."""
    created = await create(client, world, apprentice, **changes)
    assert created.status_code == 201, created.text
    current: dict[str, Any] = created.json()
    ident = current["id"]
    steps: list[tuple[LoggedIn, str, dict[str, Any]]] = [
        (world.enterprise.user, "approve", {}),
        (world.institution.user, "approve", {}),
        (world.agency, "approve", {}),
        (apprentice.login, "confirm", {}),
        (world.enterprise.user, "start", {}),
        (world.enterprise.user, "pause", {"reason": "病假"}),
    ]
    order = ["draft", "approved", "confirmed", "active", "paused"]
    wanted = order.index(until)
    taken = {"draft": 0, "approved": 3, "confirmed": 4, "active": 5, "paused": 6}[until]
    for who, action, body in steps[:taken]:
        response = await step(client, who, ident, action, **body)
        assert response.status_code == 200, response.text
        current = response.json()
    assert current["status"] == order[wanted], current
    return current


async def certify(
    apprentice: Apprentice | str, level: str = "technician", *, occupation: str = WELDER
) -> int:
    """A skill-level certificate of ``level`` in the worker's archive (``apprentice``'s or the
    archive id given), as an assessment body writes it; its entry's seq."""
    archive_id = apprentice if isinstance(apprentice, str) else apprentice.archive_id
    entry = await append_entry(
        archive_id=archive_id,
        kind=EntryKind.CERTIFICATE_ISSUED,
        payload={
            "certificate_number": f"S51010400{next(_serial):05d}",
            "certificate_type": "skill_level",
            "occupation_code": occupation,
            "level": level,
        },
        recorded_by=Recorder(principal="assessor", role="provider"),
    )
    return entry.seq


def first_completion_day(agreement: dict[str, Any]) -> date:
    """The first day ``agreement`` (its JSON) may complete: planned end minus the tolerance."""
    return earliest_completion(date.fromisoformat(agreement["plan"]["planned_end"]), TOLERANCE_DAYS)


def move_clock_to(day: date) -> None:
    """Move the domain clock (running) so that today in China is ``day``."""
    clock.advance(timedelta(days=(day - today()).days))


async def ready_to_complete(
    apprentice: Apprentice, agreement: dict[str, Any], level: str = "technician"
) -> dict[str, Any]:
    """A certificate of ``level`` for the worker, the clock moved to the first day the
    agreement may complete; the completion's body."""
    seq = await certify(apprentice, level)
    move_clock_to(first_completion_day(agreement))
    return {"level_reached": level, "certificate_entry_seq": seq}
