"""Plain factories for the roads to a level: an agency officer, an assessment body and an
enterprise of its region, a worker, a norm and accreditations, all through HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.apprenticeships.factories import Org, make_org
from tests.helpers import LoggedIn, log_in_as
from tests.workers.factories import Registered, register

COOK = "4-03-02-01"
WELDER = "6-18-02-04"
LIQUOR_NORM = "51ZX-BJ-001"


@dataclass(frozen=True)
class Roads:
    """A province officer (norms), a Chengdu officer, a body, an enterprise and a worker."""

    province: LoggedIn
    officer: LoggedIn
    body: Org
    enterprise: Org
    worker: Registered
    worker_name: str

    def worker_ref(self, **changes: Any) -> dict[str, Any]:
        """The worker as a form names them: number and name."""
        return {"id_number": self.worker.id_number, "name": self.worker_name, **changes}


def today() -> date:
    """Today in China."""
    return clock.china_today()


async def make_roads(client: AsyncClient, settings: Settings) -> Roads:
    """The cast of every road, in Chengdu (5101)."""
    province = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.OFFICER
    )
    officer = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    body = await make_org(client, settings, officer, kind="training_institution", region="510104")
    enterprise = await make_org(client, settings, officer, kind="enterprise", region="510104")
    worker = await register(client, officer, region_code="510104", name="李四")
    return Roads(province, officer, body, enterprise, worker, "李四")


async def post(client: AsyncClient, who: LoggedIn, path: str, body: dict[str, Any]) -> Any:
    """POST ``body`` as ``who``; the response."""
    return await client.post(path, json=body, headers=who.headers)


async def accredit(
    client: AsyncClient, roads: Roads, org: Org, *, kind: str = "assessment_body", **fields: Any
) -> dict[str, Any]:
    """The officer accredits ``org`` for cooks, intermediate and senior, for a year."""
    body = {
        "organisation_id": org.organisation_id,
        "kind": kind,
        "occupation_codes": [COOK],
        "levels": ["intermediate", "senior"],
        "valid_from": (today() - timedelta(days=30)).isoformat(),
        "valid_until": (today() + timedelta(days=335)).isoformat(),
        **fields,
    }
    response = await post(client, roads.officer, "/accreditations", body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def assessment(roads: Roads, accreditation: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A passed assessment of the worker as a senior cook today."""
    return {
        **roads.worker_ref(),
        "accreditation_id": accreditation["id"],
        "occupation_code": COOK,
        "level": "senior",
        "passed": True,
        "score": 86,
        "assessed_on": today().isoformat(),
        "assessors": "王考评员, 赵考评员",
        "certificate_number": "PJ5101260001",
        **fields,
    }
