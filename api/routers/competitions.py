"""Skills competitions: an agency records events, enters workers and their results, publishes
them into the workers' archives, and corrects or voids a published result with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.competitions import holding, results
from schemas.competitions import (
    CompetitionIn,
    CompetitionOut,
    EntrantOut,
    ResultCorrectionIn,
    ResultsIn,
    VoidIn,
)
from schemas.enrolments import WorkerRefIn

router = APIRouter(prefix="/competitions", tags=["competitions"])

# Written by an agency's officers (not its reviewers or auditors).
Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]


@router.post(
    "",
    status_code=201,
    summary="Record a competition (agency; world, national and 四川工匠杯: province agency)",
    response_model=CompetitionOut,
    responses=WRITE_ERRORS,
)
async def create_competition(body: CompetitionIn, actor: Officer, idem: Idempotent) -> Response:
    """The event with the level rule it declares (steps of ranks, each granting a level or
    ``one_up``); its region must lie in the agency's. The same tier, name and start date are
    recorded once (409)."""

    async def act() -> CompetitionOut:
        created = await holding.create(actor=actor, new=body.to_domain())
        return CompetitionOut.from_view(created)

    return await idem.run(act, status_code=201)


@router.get("", summary="The competitions of my region", responses=READ_ERRORS)
async def list_competitions(actor: AgencyUser) -> list[CompetitionOut]:
    """Latest first, at most 200 (without their entrants)."""
    return [CompetitionOut.from_view(c) for c in await holding.list_visible(actor=actor)]


@router.get("/{competition_id}", summary="One competition with its entrants", responses=READ_ERRORS)
async def get_competition(competition_id: str, actor: AgencyUser) -> CompetitionOut:
    """Entrants best rank first; each look is written to the entrants' access logs."""
    found = await holding.get(actor=actor, competition_id=competition_id)
    return CompetitionOut.from_view(await results.read_entrants(actor, found))


@router.post(
    "/{competition_id}/entrants",
    status_code=201,
    summary="Enter a worker of my region (ID number and name)",
    response_model=EntrantOut,
    responses=WRITE_ERRORS,
)
async def add_entrant(
    competition_id: str, body: WorkerRefIn, actor: Officer, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """While the event is open. An unknown number, a wrong name and a worker outside the
    region get one and the same 422; a worker entered twice 409."""

    async def act() -> EntrantOut:
        entrant = await results.add_entrant(
            actor=actor,
            keyring=runtime.keyring,
            competition_id=competition_id,
            worker=body.to_domain(),
        )
        return EntrantOut.from_view(entrant)

    return await idem.run(act, status_code=201)


@router.post(
    "/{competition_id}/results",
    summary="Enter ranks and awards (while open)",
    response_model=CompetitionOut,
    responses=WRITE_ERRORS,
)
async def enter_results(
    competition_id: str, body: ResultsIn, actor: Officer, idem: Idempotent
) -> Response:
    """All rows or none; nothing reaches an archive before publication."""

    async def act() -> CompetitionOut:
        found = await results.enter_results(
            actor=actor, competition_id=competition_id, rows=body.to_domain()
        )
        return CompetitionOut.from_view(found)

    return await idem.run(act)


@router.post(
    "/{competition_id}/publish",
    summary="Publish the results into the entrants' archives",
    response_model=CompetitionOut,
    responses=WRITE_ERRORS,
)
async def publish_results(competition_id: str, actor: Officer, idem: Idempotent) -> Response:
    """Closes the event; each entrant's archive gets a ``competition_result`` entry with the
    level the rule grants from the level held then. Publishing again finishes what an
    interrupted publication left and doubles nothing."""

    async def act() -> CompetitionOut:
        found = await results.publish(actor=actor, competition_id=competition_id)
        return CompetitionOut.from_view(found)

    return await idem.run(act)


@router.post(
    "/{competition_id}/entrants/{entrant_id}/correct",
    summary="Correct a published result, with a reason",
    response_model=EntrantOut,
    responses=WRITE_ERRORS,
)
async def correct_result(
    competition_id: str,
    entrant_id: str,
    body: ResultCorrectionIn,
    actor: Officer,
    idem: Idempotent,
) -> Response:
    """A new archive entry replaces the old one (which stays); the level is worked out again."""

    async def act() -> EntrantOut:
        entrant = await results.correct(
            actor=actor,
            competition_id=competition_id,
            entrant_id=entrant_id,
            rank=body.rank,
            award=body.award,
            reason=body.reason,
        )
        return EntrantOut.from_view(entrant)

    return await idem.run(act)


@router.post(
    "/{competition_id}/entrants/{entrant_id}/void",
    summary="Void a published result, with a reason",
    response_model=EntrantOut,
    responses=WRITE_ERRORS,
)
async def void_result(
    competition_id: str, entrant_id: str, body: VoidIn, actor: Officer, idem: Idempotent
) -> Response:
    """The result and the level it granted are withdrawn (an archive entry says so)."""

    async def act() -> EntrantOut:
        entrant = await results.void(
            actor=actor, competition_id=competition_id, entrant_id=entrant_id, reason=body.reason
        )
        return EntrantOut.from_view(entrant)

    return await idem.run(act)
