"""A worker challenges an entry; the organisation that wrote it answers, or else the agency.

1. The worker files a challenge of one entry of their own archive, in their words (2 to 1,000
   characters). It goes to the provider that wrote the entry, or straight to the agency of the
   worker's region when an agency wrote it.
2. Unanswered after ``challenge_answer_days`` (a setting, 15 by default) it goes to the agency
   of the worker's *current* region: ``escalate_due`` moves every due one, deterministically on
   the domain clock; every list and every answer calls it first, so no background job is needed.
3. Whoever holds it answers once: a correction (an archive entry ``challenge_corrected`` that
   corrects the challenged entry) or a refusal with reasons (``challenge_refused``). Both are
   appended to the archive: nothing is overwritten. The answer is one conditional update of the
   challenge (its version and ``open`` status: exactly one answer wins), then the entry; a
   process that dies between them leaves ``answer_seq`` None, which ``finish_answers`` (a step of
   the repair routine) completes.

Every change is recorded in the change trail (``portfolio.audit.changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument

from portfolio import audit, clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import (
    EntryKind,
    Recorder,
    append_entry,
    archive_by_id,
    entry_about,
    entry_at,
    log_reads,
    require_worker,
)
from portfolio.challenges.documents import Challenge, ChallengeStatus, Holder
from portfolio.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portfolio.settings import Settings

KIND = "challenge"
MAX_LIMIT = 100
_NOT_FOUND = "no such challenge"


@dataclass(frozen=True)
class Answer:
    """An answer: ``correct`` (the correction, in words) or a refusal (the reasons)."""

    correct: bool
    text: str


@dataclass(frozen=True)
class ChallengeView:
    """A challenge as the worker and the answering organisation see it."""

    id: str
    archive_id: str
    entry_seq: int
    entry_kind: str
    words: str
    status: ChallengeStatus
    holder: Holder
    organisation_id: str | None
    region_code: str
    due_at: datetime
    created_at: datetime
    answer_text: str | None
    answered_at: datetime | None
    answer_seq: int | None

    @classmethod
    def of(cls, c: Challenge) -> ChallengeView:
        """The view of a stored challenge."""
        return cls(
            id=str(c.id),
            archive_id=c.archive_id,
            entry_seq=c.entry_seq,
            entry_kind=c.entry_kind,
            words=c.words,
            status=c.status,
            holder=c.holder,
            organisation_id=c.organisation_id,
            region_code=c.region_code,
            due_at=clock.from_epoch_ms(c.due_ms),
            created_at=c.created_at,
            answer_text=c.answer_text,
            answered_at=None if c.answered_ms is None else clock.from_epoch_ms(c.answered_ms),
            answer_seq=c.answer_seq,
        )


def _shown(c: Challenge) -> dict[str, Any]:
    return {
        "archive_id": c.archive_id,
        "entry_seq": c.entry_seq,
        "status": c.status.value,
        "holder": c.holder.value,
        "organisation_id": c.organisation_id,
        "region_code": c.region_code,
        "words": c.words,
        "answer_text": c.answer_text,
        "answer_seq": c.answer_seq,
    }


async def _record(before: Challenge | None, after: Challenge, reason: str) -> None:
    await audit.changed(
        KIND,
        str(after.id),
        after.version,
        None if before is None else _shown(before),
        _shown(after),
        reason=reason,
        region=after.region_code,
        personal=("words",),
    )


def check_limit(limit: int) -> int:
    """A page size within 1..MAX_LIMIT."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.single("limit", "range", f"limit must be 1 to {MAX_LIMIT}")
    return limit


def _text(raw: str, field: str, *, low: int = 2, high: int = 1000) -> str:
    text = " ".join((raw or "").split())
    if not low <= len(text) <= high:
        raise ValidationFailed.single(field, "length", f"write {low} to {high} characters")
    return text


async def challenge_entry(
    *, actor: Actor, settings: Settings, entry_seq: int, words: str
) -> ChallengeView:
    """The worker challenges entry ``entry_seq`` of their archive; one open challenge per entry."""
    archive_id = str(require_worker(actor))
    said = _text(words, "words")
    entry = await entry_at(archive_id, entry_seq)
    if entry is None:
        raise NotFound("no such entry in your archive")
    if entry.kind in (EntryKind.CHALLENGE_CORRECTED, EntryKind.CHALLENGE_REFUSED):
        raise ValidationFailed.single("entry_seq", "answer", "an answer cannot be challenged")
    archive = await archive_by_id(archive_id)
    if archive is None:  # pragma: no cover - a worker's archive is never deleted
        raise NotFound("no such entry in your archive")
    if await Challenge.find_one(
        {"archive_id": archive_id, "entry_seq": entry_seq, "status": ChallengeStatus.OPEN.value}
    ):
        raise Conflict("this entry is challenged already; wait for the answer")
    writer = entry.recorded_by
    organisation = writer.get("organisation") if writer.get("role") == Role.PROVIDER else None
    now = clock.truncate_to_millis(clock.now())
    challenge = Challenge(
        archive_id=archive_id,
        entry_seq=entry_seq,
        entry_kind=entry.kind,
        words=said,
        holder=Holder.ORGANISATION if organisation else Holder.AGENCY,
        organisation_id=organisation,
        region_code=archive.region_code,
        due_ms=clock.epoch_ms(now + timedelta(days=settings.challenge_answer_days)),
        created_at=now,
    )
    await challenge.insert()
    await _record(None, challenge, "challenged by the worker")
    return ChallengeView.of(challenge)


async def escalate_due(*, now: datetime | None = None) -> int:
    """Hand every challenge unanswered past its time to the agency of the worker's current
    region; the number moved. Safe to run any number of times, from any number of places."""
    now_ms = clock.epoch_ms(now or clock.now())
    moved = 0
    due = Challenge.find(
        {"status": ChallengeStatus.OPEN.value, "holder": Holder.ORGANISATION.value}
    )
    async for c in due:
        if c.due_ms > now_ms:
            continue
        archive = await archive_by_id(c.archive_id)
        region = archive.region_code if archive is not None else c.region_code
        after = await Challenge.get_pymongo_collection().find_one_and_update(
            {"_id": c.id, "version": c.version, "status": ChallengeStatus.OPEN.value},
            {
                "$set": {"holder": Holder.AGENCY.value, "region_code": region},
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        if after is not None:
            moved += 1
            await _record(c, Challenge.model_validate(after), "unanswered in time: to the agency")
    return moved


def _holds(actor: Actor, c: Challenge) -> bool:
    if c.holder is Holder.ORGANISATION:
        return actor.role is Role.PROVIDER and actor.organisation_id == c.organisation_id
    return actor.role is Role.AGENCY and actor.covers_region(c.region_code)


def _sees(actor: Actor, c: Challenge) -> bool:
    # The writer keeps seeing a challenge it let go to the agency (and its answer).
    if actor.role is Role.PROVIDER:
        return actor.organisation_id is not None and actor.organisation_id == c.organisation_id
    if actor.role is Role.WORKER:
        return actor.archive_id == c.archive_id
    return _holds(actor, c)


async def get_challenge(*, actor: Actor, challenge_id: str) -> ChallengeView:
    """One challenge: its worker, the organisation that wrote the entry, or the agency holding
    it."""
    await escalate_due()
    found = await Challenge.get(ids.parse(challenge_id, "challenge"))
    if found is None or not _sees(actor, found):
        raise NotFound(_NOT_FOUND)
    await log_reads(actor, [found.archive_id], what="challenge")
    return ChallengeView.of(found)


async def list_mine(*, actor: Actor, limit: int = 50) -> list[ChallengeView]:
    """The worker's own challenges, newest first."""
    archive_id = str(require_worker(actor))
    await escalate_due()
    found = (
        await Challenge.find({"archive_id": archive_id})
        .sort("-_id")
        .limit(check_limit(limit))
        .to_list()
    )
    return [ChallengeView.of(c) for c in found]


async def list_for_organisation(
    *, actor: Actor, status: ChallengeStatus | None = ChallengeStatus.OPEN, limit: int = 50
) -> list[ChallengeView]:
    """The challenges a provider or an agency is to answer (or has), newest first."""
    await escalate_due()
    query: dict[str, Any]
    if actor.role is Role.PROVIDER and actor.organisation_id:
        query = {"organisation_id": actor.organisation_id}
    elif actor.role is Role.AGENCY and actor.region_prefix:
        query = {"region_code": region_range(actor.region_prefix), "holder": Holder.AGENCY.value}
    else:
        raise Forbidden("only a provider or an agency answers challenges")
    if status is not None:
        query["status"] = status.value
    found = await Challenge.find(query).sort("-_id").limit(check_limit(limit)).to_list()
    await log_reads(actor, [c.archive_id for c in found], what="challenge list")
    return [ChallengeView.of(c) for c in found]


async def answer(*, actor: Actor, challenge_id: str, reply: Answer) -> ChallengeView:
    """Correct or refuse (with reasons) a challenge the actor holds; once."""
    if actor.role not in (Role.PROVIDER, Role.AGENCY):
        raise Forbidden("only a provider or an agency answers challenges")
    text = _text(reply.text, "text")
    await escalate_due()
    found = await Challenge.get(ids.parse(challenge_id, "challenge"))
    if found is None or not _sees(actor, found):
        raise NotFound(_NOT_FOUND)
    if found.status is not ChallengeStatus.OPEN:
        raise Conflict("this challenge was answered already")
    if not _holds(actor, found):
        raise Conflict("this challenge went to the agency: it answers now")
    status = ChallengeStatus.CORRECTED if reply.correct else ChallengeStatus.REFUSED
    after = await Challenge.get_pymongo_collection().find_one_and_update(
        {"_id": found.id, "version": found.version, "status": ChallengeStatus.OPEN.value},
        {
            "$set": {
                "status": status.value,
                "answer_text": text,
                "answered_by": actor.principal_id,
                "answered_ms": clock.epoch_ms(clock.now()),
                "recorder": Recorder.of(actor).model_dump(),
            },
            "$inc": {"version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    if after is None:
        raise Conflict("the challenge changed at the same time; reload it")
    answered = Challenge.model_validate(after)
    await _record(found, answered, f"{status.value} by the holder")
    return ChallengeView.of(await _append_answer(answered))


async def finish_answers(*, since: datetime, until: datetime) -> int:
    """Append the archive entry of every challenge answered in ``[since, until)`` whose entry a
    crash kept from being written (the repair routine's step); the number finished."""
    window = {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}
    finished = 0
    async for c in Challenge.find({"answered_ms": window}):
        if c.answer_seq is not None or c.status is ChallengeStatus.OPEN:
            continue
        await _append_answer(c)
        finished += 1
    return finished


async def _append_answer(c: Challenge) -> Challenge:
    """Append the answer's archive entry (once: an entry naming the challenge counts)."""
    assert c.id is not None
    kind = (
        EntryKind.CHALLENGE_CORRECTED
        if c.status is ChallengeStatus.CORRECTED
        else EntryKind.CHALLENGE_REFUSED
    )
    written = await entry_about(c.archive_id, kind, "challenge_id", str(c.id))
    if written is not None:
        return await _note_answer(c, written)
    if c.status is ChallengeStatus.CORRECTED:
        entry = await append_entry(
            archive_id=c.archive_id,
            kind=EntryKind.CHALLENGE_CORRECTED,
            payload={"challenge_id": str(c.id), "correction": c.answer_text or ""},
            recorded_by=Recorder.model_validate(c.recorder),
            corrects=c.entry_seq,
        )
    else:
        entry = await append_entry(
            archive_id=c.archive_id,
            kind=EntryKind.CHALLENGE_REFUSED,
            payload={
                "challenge_id": str(c.id),
                "reasons": c.answer_text or "",
                "entry_seq": c.entry_seq,
            },
            recorded_by=Recorder.model_validate(c.recorder),
        )
    return await _note_answer(c, entry.seq)


async def _note_answer(c: Challenge, seq: int) -> Challenge:
    after = await Challenge.get_pymongo_collection().find_one_and_update(
        {"_id": c.id, "version": c.version},
        {"$set": {"answer_seq": seq}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if after is None:  # pragma: no cover - nothing else changes an answered challenge
        return c
    done: Challenge = Challenge.model_validate(after)
    await _record(c, done, "answer appended to the archive")
    return done
