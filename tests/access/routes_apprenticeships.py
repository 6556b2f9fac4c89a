"""Access rules of mentors and apprenticeship agreements.

An agency reaches agreements of employers (or workers) in its region: another region's agency
gets 404. A worker reaches only their own agreements. (Providers: another provider is refused
too, see tests/apprenticeships/test_apprenticeships_access.py; the matrix's provider
principals are bound to no registered organisation, so that case cannot be arranged here.)
"""

from __future__ import annotations

from beanie import PydanticObjectId
from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.apprenticeships.documents import Apprenticeship, EventNote, MentorRef, Plan
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction, Party
from portfolio.settings import Settings
from portfolio.vocabulary import SkillLevel
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.apprenticeships.factories import make_apprentice, make_world, step, walk
from tests.helpers import LoggedIn

STAFF = only(Role.PROVIDER, Role.AGENCY, Role.ADMIN)
# Agreements name their apprentice: not for an admin (no worker data).
WORKER_DATA_STAFF = only(Role.PROVIDER, Role.AGENCY)
WORKER_DATA_READERS = only(Role.WORKER, Role.PROVIDER, Role.AGENCY)
PROVIDER = only(Role.PROVIDER)

ROUTES: dict[Route, Access] = {
    ("POST", "/mentors"): PROVIDER,
    ("GET", "/mentors"): STAFF,
    ("GET", "/mentors/{mentor_id}"): STAFF,
    ("POST", "/apprenticeships"): PROVIDER,
    ("GET", "/apprenticeships"): WORKER_DATA_STAFF,
    ("GET", "/apprenticeships/{apprenticeship_id}"): WORKER_DATA_READERS,
    ("POST", "/apprenticeships/{apprenticeship_id}/approve"): only(Role.PROVIDER, Role.AGENCY),
    ("POST", "/apprenticeships/{apprenticeship_id}/start"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/pause"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/resume"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/stop"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/complete"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/changes"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/changes/{n}/accept"): PROVIDER,
    ("POST", "/apprenticeships/{apprenticeship_id}/changes/{n}/reject"): PROVIDER,
    ("GET", "/me/apprenticeships"): only(Role.WORKER),
    ("POST", "/me/apprenticeships/{apprenticeship_id}/confirm"): only(Role.WORKER),
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _agency_draft(client: AsyncClient, settings: Settings, owner: LoggedIn) -> str:
    """A draft between organisations the owner agency registered in its region."""
    world = await make_world(client, settings, agency=owner)
    apprentice = await make_apprentice(client, settings, world)
    draft = await walk(client, world, apprentice, "draft")
    for party in (world.enterprise.user, world.institution.user):
        approved = await step(client, party, draft["id"], "approve")
        assert approved.status_code == 200, approved.text
    ident: str = draft["id"]
    return ident


async def _read_as_agency(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    return Call("GET", f"/apprenticeships/{await _agency_draft(client, settings, owner)}")


async def _approve_as_agency(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    ident = await _agency_draft(client, settings, owner)
    return Call("POST", f"/apprenticeships/{ident}/approve")


async def _stored_for_worker(archive_id: str) -> str:
    """An approved agreement of the owner worker, written straight to storage.

    The matrix's worker principals are bound to an archive id that has no archive, so the
    agreement cannot be made through the API; only its reach is under test here.
    """
    now = clock.now()
    mentor = MentorRef(id=str(PydanticObjectId()), name="王师傅", level=SkillLevel.TECHNICIAN)
    agreement = Apprenticeship(
        employer_id=str(PydanticObjectId()),
        employer_name="矩阵测试企业",
        employer_credit_code="91510104MA6CXW3N7P",
        region_code="510104",
        institution_id=str(PydanticObjectId()),
        institution_name="矩阵测试学校",
        archive_id=archive_id,
        worker_name="张三",
        worker_masked_id="510104********1234",
        worker_region_code="510104",
        occupation_code="6-18-02-04",
        target_level=SkillLevel.TECHNICIAN,
        plan=Plan(
            planned_start="2026-01-01",
            planned_end="2027-12-31",
            extension_reason="",
            enterprise_hours=800,
            institution_hours=400,
            enterprise_mentor=mentor,
            school_mentor=mentor,
        ),
        subsidy_fen_per_year=500_000,
        status=ApprenticeshipStatus.APPROVED,
        last_event=EventNote(
            version=0,
            action=EventAction.CREATED,
            party=Party.EMPLOYER,
            on="",
            reason="",
            details={},
            by="matrix",
            at=now,
        ),
        created_at=now,
        created_by="matrix",
        updated_at=now,
    )
    await agreement.insert()
    return str(agreement.id)


async def _read_as_worker(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    ident = await _stored_for_worker(owner.principal.archive_id or "")
    return Call("GET", f"/apprenticeships/{ident}")


async def _confirm_as_worker(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    ident = await _stored_for_worker(owner.principal.archive_id or "")
    return Call("POST", f"/me/apprenticeships/{ident}/confirm")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's apprenticeship", (Role.AGENCY,), _read_as_agency, 200, _OTHER_REGION
    ),
    CrossOwnerCase(
        "approve another region's apprenticeship",
        (Role.AGENCY,),
        _approve_as_agency,
        200,
        _OTHER_REGION,
    ),
    CrossOwnerCase("read another worker's apprenticeship", (Role.WORKER,), _read_as_worker),
    CrossOwnerCase("confirm another worker's apprenticeship", (Role.WORKER,), _confirm_as_worker),
]
