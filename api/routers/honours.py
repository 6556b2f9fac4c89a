"""Honours: an agency records an honour conferred on a worker of its region, and corrects or
voids it with a reason; each is stated in the worker's archive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.honours import service
from schemas.competitions import VoidIn
from schemas.honours import HonourCorrectionIn, HonourIn, HonourOut

router = APIRouter(prefix="/honours", tags=["honours"])

Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]


@router.post(
    "",
    status_code=201,
    summary="Record an honour for a worker of my region",
    response_model=HonourOut,
    responses=WRITE_ERRORS,
)
async def record_honour(
    body: HonourIn, actor: Officer, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """天府卓越工程师, 天府工匠, 四川技能大师, 四川省技术能手 (province agency) or a city honour
    (``city`` with its ``city_title``), with the year, nominating body and decision. An
    unknown number, a wrong name and a worker outside the region get one and the same 422."""

    async def act() -> HonourOut:
        found = await service.record(
            actor=actor, keyring=runtime.keyring, worker=body.to_domain(), content=body.content()
        )
        return HonourOut.from_view(found)

    return await idem.run(act, status_code=201)


@router.get("", summary="The honours of my region's workers", responses=READ_ERRORS)
async def list_honours(actor: AgencyUser) -> list[HonourOut]:
    """Latest year first, at most 200; the look is written to the workers' access logs."""
    return [HonourOut.from_view(h) for h in await service.list_visible(actor=actor)]


@router.get("/{honour_id}", summary="One honour", responses=READ_ERRORS)
async def get_honour(honour_id: str, actor: AgencyUser) -> HonourOut:
    """For an agency whose region covers the worker (404 otherwise)."""
    return HonourOut.from_view(await service.get(actor=actor, honour_id=honour_id))


@router.post(
    "/{honour_id}/correct",
    summary="Correct an honour, with a reason",
    response_model=HonourOut,
    responses=WRITE_ERRORS,
)
async def correct_honour(
    honour_id: str, body: HonourCorrectionIn, actor: Officer, idem: Idempotent
) -> Response:
    """A new archive entry replaces the old one (which stays)."""

    async def act() -> HonourOut:
        found = await service.correct(
            actor=actor, honour_id=honour_id, content=body.content(), reason=body.reason
        )
        return HonourOut.from_view(found)

    return await idem.run(act)


@router.post(
    "/{honour_id}/void",
    summary="Void an honour, with a reason",
    response_model=HonourOut,
    responses=WRITE_ERRORS,
)
async def void_honour(honour_id: str, body: VoidIn, actor: Officer, idem: Idempotent) -> Response:
    """The archive says it is withdrawn, and why."""

    async def act() -> HonourOut:
        return HonourOut.from_view(
            await service.void(actor=actor, honour_id=honour_id, reason=body.reason)
        )

    return await idem.run(act)
