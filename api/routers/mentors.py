"""Mentors of enterprises and schools (师傅 / 导师): register them, read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import Idempotent, ProviderUser, require_roles
from api.paging import IdCursor, Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS
from portfolio.accounts.principal import Actor, Role
from portfolio.apprenticeships import mentors
from schemas.apprenticeships import MentorIn, MentorOut
from schemas.common import Page

router = APIRouter(tags=["apprenticeships"])

Staff = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))]


@router.post(
    "/mentors",
    status_code=201,
    summary="Register a mentor of your organisation",
    response_model=MentorOut,
    responses=WRITE_ERRORS,
)
async def register_mentor(body: MentorIn, actor: ProviderUser, idem: Idempotent) -> Response:
    """An enterprise registers its masters (师傅), a school its teachers; each guides at most
    eight apprentices at once."""

    async def act() -> MentorOut:
        return MentorOut.from_view(await mentors.register(actor=actor, mentor=body.to_domain()))

    return await idem.run(act, status_code=201)


@router.get("/mentors", summary="Mentors within your reach", responses=AUTH_ERRORS)
async def list_mentors(actor: Staff, limit: Limit = 50, cursor: IdCursor = None) -> Page[MentorOut]:
    """A provider's own mentors; an agency's region's; all for an admin."""
    found = await mentors.list_visible(actor=actor, after=cursor, limit=limit)
    return Page[MentorOut].model_validate(found, from_attributes=True)


@router.get("/mentors/{mentor_id}", summary="One mentor", responses=READ_ERRORS)
async def get_mentor(mentor_id: str, actor: Staff) -> MentorOut:
    """A mentor within your reach, with the apprentices they guide now."""
    return MentorOut.from_view(await mentors.get_visible(actor=actor, mentor_id=mentor_id))
