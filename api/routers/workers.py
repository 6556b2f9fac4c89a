"""Workers on the agency side: real-name registration, lookup, activation codes, links.

Identity numbers travel only in request bodies: a lookup by number is ``POST /workers/search``
and a full read of a known worker is ``POST /workers/{id}/reveal``, both with a stated purpose
that the worker reads in their access log. Those two are reads and take no
``Idempotency-Key``: a stored replay would keep the revealed numbers in plaintext.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.archives import links, reading, registration
from schemas.workers import (
    ActivationCodeOut,
    EmploymentCloseIn,
    EmploymentRegistrationIn,
    RegisteredWorkerOut,
    RevealIn,
    SocialSecurityIn,
    TransferIn,
    WorkerOut,
    WorkerRegistrationIn,
    WorkerSearchIn,
)

router = APIRouter(tags=["workers"])

_AGENCY_ONLY: Responses = {
    403: {"description": "Not an agency (problem+json)"},
    404: {"description": "No such worker in your region"},
}
NOT_FOUND: Responses = {**READ_ERRORS, **_AGENCY_ONLY}
LINK_ERRORS: Responses = {**WRITE_ERRORS, **_AGENCY_ONLY}
# Full values are never cached by a browser or a proxy.
_NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/workers",
    status_code=201,
    summary="Register a worker by real name",
    response_model=RegisteredWorkerOut,
    responses={
        **AUTH_ERRORS,
        403: {"description": "Not an agency"},
        409: {
            "description": "This person has an archive already; `region_code` names its region "
            "(ask that region for a transfer)"
        },
        422: {"description": "Invalid fields, each named with its rule (`outside_scope`...)"},
    },
)
async def register_worker(
    body: WorkerRegistrationIn, actor: AgencyUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Create the worker's archive in a region of the agency; returns a one-time activation
    code to hand to the worker (``POST /auth/activate``)."""

    async def act() -> RegisteredWorkerOut:
        registered = await registration.register_worker(
            actor=actor, keyring=runtime.keyring, settings=runtime.settings, **body.model_dump()
        )
        return RegisteredWorkerOut.from_view(registered)

    return await idem.run(act, status_code=201)


@router.post(
    "/workers/search",
    summary="Find a worker of your region by ID number or social-security number",
    responses={
        **NOT_FOUND,
        404: {"description": "No worker with that number in your region"},
        422: {"description": "Invalid number or purpose, or not exactly one number given"},
    },
)
async def search_worker(
    body: WorkerSearchIn, actor: AgencyUser, runtime: RuntimeDep, response: Response
) -> WorkerOut:
    """Look the worker up through the blind index; the hit is logged with the purpose in the
    worker's access log. ``reveal`` returns the full numbers too."""
    view = await reading.search_worker(
        actor=actor,
        keyring=runtime.keyring,
        **body.model_dump(exclude={"purpose_code", "purpose_note"}),
    )
    response.headers.update(_NO_STORE)
    return WorkerOut.from_view(view)


@router.get(
    "/workers/{archive_id}", summary="A worker of your region (masked)", responses=NOT_FOUND
)
async def get_worker(archive_id: str, actor: AgencyUser, runtime: RuntimeDep) -> WorkerOut:
    """The worker's archive header with masked numbers and an age band (no birth date)."""
    view = await reading.get_worker(actor=actor, keyring=runtime.keyring, archive_id=archive_id)
    return WorkerOut.from_view(view)


@router.post(
    "/workers/{archive_id}/reveal",
    summary="Read a worker's full numbers, stating why",
    responses={**NOT_FOUND, 422: {"description": "No usable purpose"}},
)
async def reveal_worker(
    archive_id: str, body: RevealIn, actor: AgencyUser, runtime: RuntimeDep, response: Response
) -> WorkerOut:
    """The worker's header with full numbers and the birth date; the read and its purpose go
    to the worker's access log before the data is returned."""
    view = await reading.get_worker(
        actor=actor,
        keyring=runtime.keyring,
        archive_id=archive_id,
        reveal=True,
        purpose=body.purpose,
    )
    response.headers.update(_NO_STORE)
    return WorkerOut.from_view(view)


@router.post(
    "/workers/{archive_id}/activation-code",
    status_code=201,
    summary="Issue a new activation code (lost code, forgotten password)",
    response_model=ActivationCodeOut,
    responses=NOT_FOUND,
)
async def issue_activation_code(
    archive_id: str, actor: AgencyUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """A fresh one-time code for a worker of your region; every older code stops working.
    Used on an archive that has a login, it sets a new password on that login."""

    async def act() -> ActivationCodeOut:
        issued = await registration.issue_activation_code(
            actor=actor, settings=runtime.settings, archive_id=archive_id
        )
        return ActivationCodeOut.from_view(issued)

    return await idem.run(act, status_code=201)


@router.post(
    "/workers/{archive_id}/transfer",
    summary="Move a worker to another region",
    response_model=WorkerOut,
    responses=LINK_ERRORS,
)
async def transfer_worker(
    archive_id: str, body: TransferIn, actor: AgencyUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """An agency covering both regions moves the worker; an archive entry records it."""

    async def act() -> WorkerOut:
        moved = await registration.transfer_worker(
            actor=actor, keyring=runtime.keyring, archive_id=archive_id, **body.model_dump()
        )
        return WorkerOut.from_view(moved)

    return await idem.run(act)


@router.put(
    "/workers/{archive_id}/social-security",
    summary="Record or replace the social-security link",
    response_model=WorkerOut,
    responses=LINK_ERRORS,
)
async def put_social_security(
    archive_id: str,
    body: SocialSecurityIn,
    actor: AgencyUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """Social-security number (a resident's equals the ID number), card, issuing region and
    insured schemes; the change is an archive entry."""

    async def act() -> WorkerOut:
        linked = await links.set_social_security(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            **body.model_dump(exclude={"schemes"}),
            schemes=[scheme.to_domain() for scheme in body.schemes],
        )
        return WorkerOut.from_view(linked)

    return await idem.run(act)


@router.post(
    "/workers/{archive_id}/employment",
    status_code=201,
    summary="Add an employment or unemployment registration",
    response_model=WorkerOut,
    responses=LINK_ERRORS,
)
async def add_employment(
    archive_id: str,
    body: EmploymentRegistrationIn,
    actor: AgencyUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """A registration with the 就业创业证 number, employer (credit code checked by GB 32100),
    dates and occupation; an archive entry records it."""

    async def act() -> WorkerOut:
        linked = await links.add_employment_registration(
            actor=actor, keyring=runtime.keyring, archive_id=archive_id, **body.model_dump()
        )
        return WorkerOut.from_view(linked)

    return await idem.run(act, status_code=201)


@router.post(
    "/workers/{archive_id}/employment/{registration_id}/close",
    summary="End an open employment or unemployment registration",
    response_model=WorkerOut,
    responses={**LINK_ERRORS, 404: {"description": "No such worker or registration"}},
)
async def close_employment(
    archive_id: str,
    registration_id: str,
    body: EmploymentCloseIn,
    actor: AgencyUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """Set the registration's end date (not before its start); an archive entry records it."""

    async def act() -> WorkerOut:
        closed = await links.close_employment_registration(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            registration_id=registration_id,
            **body.model_dump(),
        )
        return WorkerOut.from_view(closed)

    return await idem.run(act)
