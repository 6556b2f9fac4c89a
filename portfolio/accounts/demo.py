"""The demo accounts: one or more per role, all with the same well-known password.

The provider organisations and worker archives do not exist yet when these accounts are made:
the accounts are bound to fixed ids, and the areas that own organisations and archives create
their demo objects under exactly these ids (import the constants below).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from portfolio.accounts import service
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.accounts.sessions import actor_of
from portfolio.errors import Conflict
from portfolio.settings import Settings

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed to the newcomer on purpose

DEMO_ORGANISATION_A = "64d0000000000000000000b1"
DEMO_ORGANISATION_B = "64d0000000000000000000b2"
DEMO_ARCHIVE_WORKER_1 = "64d0000000000000000000a1"
DEMO_ARCHIVE_WORKER_2 = "64d0000000000000000000a2"
# The Chengdu enterprise that employs worker-2 as an apprentice (portfolio.apprenticeships.demo).
DEMO_ENTERPRISE = "64d0000000000000000000e1"
# The Chengdu assessment body the agency accredited (portfolio.recognition.demo).
DEMO_ASSESSMENT_BODY = "64d0000000000000000000c1"


@dataclass(frozen=True)
class DemoAccount:
    """One demo account and a line saying what it is for."""

    username: str
    role: Role
    description: str
    archive_id: str | None = None
    organisation_id: str | None = None
    region_prefix: str | None = None
    staff_role: StaffRole | None = None  # None: the organisation's admin


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.ADMIN, "administrator: accounts and keys"),
    DemoAccount("agency-sichuan", Role.AGENCY, "agency, Sichuan province (51)", region_prefix="51"),
    DemoAccount("agency-chengdu", Role.AGENCY, "agency, Chengdu (5101)", region_prefix="5101"),
    DemoAccount("agency-mianyang", Role.AGENCY, "agency, Mianyang (5107)", region_prefix="5107"),
    DemoAccount(
        "officer-chengdu",
        Role.AGENCY,
        "agency officer, Chengdu (5101): decides past training records",
        region_prefix="5101",
        staff_role=StaffRole.OFFICER,
    ),
    DemoAccount(
        "officer-sichuan",
        Role.AGENCY,
        "agency officer, Sichuan province (51): competitions, honours, ability norms",
        region_prefix="51",
        staff_role=StaffRole.OFFICER,
    ),
    DemoAccount(
        "reviewer-mianyang",
        Role.AGENCY,
        "agency reviewer, Mianyang (5107): second approvals",
        region_prefix="5107",
        staff_role=StaffRole.REVIEWER,
    ),
    DemoAccount(
        "provider-a", Role.PROVIDER, "training provider A", organisation_id=DEMO_ORGANISATION_A
    ),
    DemoAccount(
        "provider-b", Role.PROVIDER, "training provider B", organisation_id=DEMO_ORGANISATION_B
    ),
    DemoAccount(
        "enterprise",
        Role.PROVIDER,
        "enterprise employing an apprentice",
        organisation_id=DEMO_ENTERPRISE,
    ),
    DemoAccount(
        "assessor",
        Role.PROVIDER,
        "accredited assessment body: records assessments, issues certificates",
        organisation_id=DEMO_ASSESSMENT_BODY,
    ),
    DemoAccount("worker-1", Role.WORKER, "worker 1", archive_id=DEMO_ARCHIVE_WORKER_1),
    DemoAccount("worker-2", Role.WORKER, "worker 2", archive_id=DEMO_ARCHIVE_WORKER_2),
)


async def ensure_demo_accounts(*, settings: Settings) -> tuple[DemoAccount, ...]:
    """Create every missing demo account (a second run changes nothing)."""
    for account in DEMO_ACCOUNTS:
        if await Principal.find_one({"username": account.username}) is not None:
            continue
        # Conflict: another replica loading the demo at the same moment made it first.
        with contextlib.suppress(Conflict):
            await service.create_principal(
                settings=settings,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                created_by="demo",
                archive_id=account.archive_id,
                organisation_id=account.organisation_id,
                region_prefix=account.region_prefix,
                staff_role=account.staff_role,
            )
    return DEMO_ACCOUNTS


async def demo_actor(username: str) -> Actor:
    """The actor of a loaded demo account (what the areas' demos record their steps as)."""
    principal = await Principal.find_one({"username": username})
    if principal is None:
        raise RuntimeError(f"the demo account {username} must be loaded first")
    return actor_of(principal)
