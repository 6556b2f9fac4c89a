"""The public catalogue of classes, and a worker's applications to them.

Anyone may search the classes open for applications; a worker sending their token also learns
which of their vouchers pay for each class (and may search by them). A worker applies to a
class (an enrolment in state ``requested``, which the provider accepts or refuses with
``POST /enrolments/{id}/accept|refuse``) and may withdraw the application before training.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import Idempotent, MaybePrincipal, WorkerUser
from api.paging import Paged
from api.responses import WRITE_ERRORS, Responses
from portfolio.training import applications, catalogue
from schemas.catalogue import (
    ApplicationIn,
    CatalogueParams,
    CatalogueRunDetailOut,
    CatalogueRunOut,
)
from schemas.common import Page
from schemas.enrolments import EnrolmentOut

router = APIRouter(tags=["catalogue"])

SEARCH_ERRORS: Responses = {
    401: {"description": "A token that is not valid, or a voucher search without a worker's"},
    403: {"description": "A voucher search by someone who is not a worker"},
    404: {"description": "The voucher named is not yours"},
    422: {"description": "A malformed occupation, region, date range or cursor"},
}
APPLY_ERRORS: Responses = {
    **WRITE_ERRORS,
    409: {
        "description": "Refused, with a `reason`: already_applied, refused, ended, full, "
        "provider_inactive or overlap (with the clashing run)"
    },
}


@router.get("/catalogue/runs", summary="Classes open for applications", responses=SEARCH_ERRORS)
async def search_catalogue(
    params: Annotated[CatalogueParams, Query()], page: Paged, actor: MaybePrincipal
) -> Page[CatalogueRunOut]:
    """Public. Classes not ended, with a seat left, of an active provider, soonest first,
    by occupation, level, region and start dates; with a worker's token each says whether
    one of the worker's usable (issued, unexpired) vouchers pays for it, and `voucher_pays`
    or `voucher` keeps only those."""
    found = await catalogue.search(actor=actor, search=params.to_domain(), page=page)
    return Page[CatalogueRunOut].from_view(found)


@router.get(
    "/catalogue/runs/{run_id}",
    summary="One class: course, provider, sessions, seats",
    responses={
        401: {"description": "A token was sent, and it is not valid"},
        404: {"description": "No such class"},
    },
)
async def get_catalogue_run(run_id: str, actor: MaybePrincipal) -> CatalogueRunDetailOut:
    """Public, ended and full classes too (`open` and `closed` say so); with a worker's token
    it also names the worker's vouchers that pay for it and their application, if any."""
    return CatalogueRunDetailOut.from_view(await catalogue.run_detail(actor=actor, run_id=run_id))


@router.post(
    "/me/applications",
    status_code=201,
    summary="Apply to a class",
    response_model=EnrolmentOut,
    responses=APPLY_ERRORS,
)
async def apply_to_run(body: ApplicationIn, actor: WorkerUser, idem: Idempotent) -> Response:
    """An enrolment in state `requested` that the provider accepts or refuses. Refused (409,
    with a `reason`) when you applied already, the provider refused you for this class, the
    class has ended or is full, its provider is suspended, or a session overlaps one of a
    class you are booked in. After withdrawing you may apply again."""

    async def act() -> EnrolmentOut:
        applied = await applications.apply(actor=actor, run_id=body.run_id)
        return EnrolmentOut.from_view(applied)

    return await idem.run(act, status_code=201)


@router.post(
    "/me/applications/{enrolment_id}/withdraw",
    summary="Withdraw my application",
    response_model=EnrolmentOut,
    responses=WRITE_ERRORS,
)
async def withdraw_application(enrolment_id: str, actor: WorkerUser, idem: Idempotent) -> Response:
    """Requested, or accepted before training starts (then use the enrolment's withdraw);
    frees the seat, and a voucher bound to it goes back to you."""

    async def act() -> EnrolmentOut:
        withdrawn = await applications.withdraw(actor=actor, enrolment_id=enrolment_id)
        return EnrolmentOut.from_view(withdrawn)

    return await idem.run(act)
