"""Access rules of the roads to a level: accreditations, norms, assessments, recognitions.

Agency officers accredit, publish norms and decide recognitions; a provider's staff record
assessments and propose recognitions for their own organisation; both read what is theirs
(an agency: its region's). Another region's agency gets 404 for an accreditation.
"""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import ANY_ROLE, Access, Call, CrossOwnerCase, Route, only
from tests.apprenticeships.factories import make_org
from tests.helpers import LoggedIn, log_in_as

OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
PROVIDER = only(Role.PROVIDER)
PARTIES = only(Role.PROVIDER, Role.AGENCY)

ROUTES: dict[Route, Access] = {
    ("POST", "/accreditations"): OFFICER,
    ("GET", "/accreditations"): PARTIES,
    ("GET", "/accreditations/{accreditation_id}"): PARTIES,
    ("POST", "/accreditations/{accreditation_id}/suspend"): OFFICER,
    ("POST", "/accreditations/{accreditation_id}/reinstate"): OFFICER,
    ("POST", "/ability-norms"): OFFICER,
    ("GET", "/ability-norms"): ANY_ROLE,
    ("POST", "/ability-norms/{code}/withdraw"): OFFICER,
    ("POST", "/assessments"): PROVIDER,
    ("GET", "/assessments"): PROVIDER,
    ("POST", "/direct-recognitions"): PROVIDER,
    ("GET", "/direct-recognitions"): PARTIES,
    ("GET", "/direct-recognitions/{recognition_id}"): PARTIES,
    ("POST", "/direct-recognitions/{recognition_id}/decision"): OFFICER,
}


async def _accreditation_of_region(
    client: AsyncClient, settings: Settings, owner: LoggedIn
) -> Call:
    """An accreditation an officer of the owner's region (5101) made."""
    officer = await log_in_as(
        client,
        settings,
        Role.AGENCY,
        region_prefix=str(owner.principal.region_prefix),
        staff_role=StaffRole.OFFICER,
    )
    org = await make_org(client, settings, officer, kind="enterprise", region="510104")
    day = clock.china_today()
    made = await client.post(
        "/accreditations",
        json={
            "organisation_id": org.organisation_id,
            "kind": "enterprise",
            "occupation_codes": ["4-03-02-01"],
            "levels": ["senior"],
            "valid_from": day.isoformat(),
            "valid_until": (day + timedelta(days=30)).isoformat(),
        },
        headers=officer.headers,
    )
    assert made.status_code == 201, made.text
    return Call("GET", f"/accreditations/{made.json()['id']}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        name="read another region's accreditation",
        roles=(Role.AGENCY,),
        arrange=_accreditation_of_region,
        other_binding={Role.AGENCY: {"region_prefix": "5107"}},
    )
]
