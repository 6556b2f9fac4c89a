"""Challenges: a worker disputes an entry; the writer (then the agency) corrects or refuses."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import WorkerUser, require_roles
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio import challenges
from portfolio.accounts import Actor, Role
from portfolio.challenges import ChallengeStatus
from schemas.challenges import AnswerIn, ChallengeIn, ChallengeOut
from schemas.common import Page

router = APIRouter(tags=["challenges"])
Answerer = Depends(require_roles(Role.PROVIDER, Role.AGENCY))
Reader = Depends(require_roles(Role.WORKER, Role.PROVIDER, Role.AGENCY))


@router.post(
    "/me/challenges", status_code=201, summary="Challenge an entry", responses=WRITE_ERRORS
)
async def file_challenge(body: ChallengeIn, actor: WorkerUser, runtime: RuntimeDep) -> ChallengeOut:
    """Challenge one entry of your archive in your words; it goes to whoever wrote it."""
    view = await challenges.challenge_entry(
        actor=actor, settings=runtime.settings, entry_seq=body.entry_seq, words=body.words
    )
    return ChallengeOut.from_view(view)


@router.get("/me/challenges", summary="My challenges", responses=AUTH_ERRORS)
async def my_challenges(actor: WorkerUser) -> Page[ChallengeOut]:
    """Your challenges, newest first, with where each stands."""
    found = await challenges.list_mine(actor=actor)
    return Page[ChallengeOut](items=[ChallengeOut.from_view(v) for v in found], next_cursor=None)


@router.get("/challenges", summary="Challenges to answer", responses=AUTH_ERRORS)
async def challenges_to_answer(
    status: ChallengeStatus | None = ChallengeStatus.OPEN, actor: Actor = Answerer
) -> Page[ChallengeOut]:
    """A provider: challenges of the entries it wrote; an agency: those that went to it."""
    found = await challenges.list_for_organisation(actor=actor, status=status)
    return Page[ChallengeOut](items=[ChallengeOut.from_view(v) for v in found], next_cursor=None)


@router.get("/challenges/{challenge_id}", summary="One challenge", responses=READ_ERRORS)
async def get_challenge(challenge_id: str, actor: Actor = Reader) -> ChallengeOut:
    """Its worker, the organisation that wrote the entry, or the agency holding it."""
    view = await challenges.get_challenge(actor=actor, challenge_id=challenge_id)
    return ChallengeOut.from_view(view)


@router.post(
    "/challenges/{challenge_id}/answer", summary="Answer a challenge", responses=WRITE_ERRORS
)
async def answer_challenge(
    challenge_id: str, body: AnswerIn, actor: Actor = Answerer
) -> ChallengeOut:
    """Correct the entry or refuse with reasons; either is appended to the worker's archive."""
    view = await challenges.answer(actor=actor, challenge_id=challenge_id, reply=body.to_domain())
    return ChallengeOut.from_view(view)
