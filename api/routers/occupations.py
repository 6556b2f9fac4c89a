"""The occupation catalogue (职业分类大典 2022 and the occupations published since).

Anyone may search it and read one code; a province-level agency's officer or admin adds an
occupation the ministry has published; agencies (their region) and the service admin (all)
read which stored codes the catalogue lacks. New writes elsewhere refuse an uncatalogued
code with the rule ``not_catalogued``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import Idempotent, require_roles
from api.paging import Paged
from api.responses import READ_ERRORS, WRITE_ERRORS, Responses
from portfolio import occupations, reports
from portfolio.accounts import Actor, Role
from portfolio.accounts.principal import StaffRole
from portfolio.errors import NotFound
from schemas.common import Page
from schemas.occupations import (
    OccupationIn,
    OccupationOut,
    OccupationSearchParams,
    UncataloguedOut,
)

router = APIRouter(tags=["occupations"])

Adder = Annotated[
    Actor,
    Depends(require_roles(Role.AGENCY, staff=(StaffRole.ADMIN, StaffRole.OFFICER))),
]
Reporter = Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.ADMIN))]
SEARCH_ERRORS: Responses = {422: {"description": "A query too long, or a malformed cursor"}}
ADD_ERRORS: Responses = {
    **WRITE_ERRORS,
    409: {"description": "The code is catalogued already (with other details if added)"},
}


@router.get("/occupations", summary="Search the occupation catalogue", responses=SEARCH_ERRORS)
async def search_occupations(
    params: Annotated[OccupationSearchParams, Query()], page: Paged
) -> Page[OccupationOut]:
    """Public. Catalogue rows in code order (major groups, middle and minor groups,
    occupations), by a code prefix or part of a name, and by tier."""
    found = await occupations.search(search=params.to_domain(), page=page)
    return Page[OccupationOut].from_view(found)


@router.get(
    "/occupations/uncatalogued",
    summary="Stored occupation codes the catalogue lacks",
    responses=READ_ERRORS,
)
async def list_uncatalogued(actor: Reporter) -> UncataloguedOut:
    """Codes stored before the catalogue (or before an occupation was added to it), with how
    many courses, certificates, apprenticeships and voucher policies name each: an agency's
    region, or everything for the service admin. They are reported, never refused."""
    return UncataloguedOut.from_view(await reports.uncatalogued_codes(actor=actor))


@router.get(
    "/occupations/{code}",
    summary="One occupation or group by its code",
    responses={404: {"description": "No such code in the catalogue"}},
)
async def get_occupation(code: str) -> OccupationOut:
    """Public. A major group (4), middle group (4-03), minor group (4-03-02) or occupation
    (4-03-02-01) of the catalogue."""
    found = await occupations.find_occupation(code)
    if found is None:
        raise NotFound("no such code in the occupation catalogue")
    return OccupationOut.from_view(found)


@router.post(
    "/occupations",
    status_code=201,
    summary="Add a newly published occupation",
    response_model=OccupationOut,
    responses=ADD_ERRORS,
)
async def add_occupation(body: OccupationIn, actor: Adder, idem: Idempotent) -> Response:
    """A province-level agency (region prefix of two digits), its officer or admin, adds an
    occupation the ministry has published, naming the publication. Never edited afterwards;
    adding the same again returns it."""

    async def act() -> OccupationOut:
        view = await occupations.add_occupation(actor=actor, addition=body.to_domain())
        return OccupationOut.from_view(view)

    return await idem.run(act, status_code=201)
