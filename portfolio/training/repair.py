"""Finish what a crash left half-done in the training area (for ``portfolio.repair``).

The repair routine decides the windows (the completions and enrolments changed since its last
run, less a grace period for requests still at work) and calls these; each is safe to run
twice, or beside the request it finishes:

* a passed completion whose "training completed" entry was never written: it looks for the
  entry first (the request may have got that far), appends it if missing, notes its seq;
* completions whose event was never published: each request's batch is derived again from the
  enrolments that carry it (``completion_batch``) and published under the same id;
* an enrolment that ended early whose event was never published: published again, as done by
  the system (who ended it is not stored on the enrolment);
* a certificate whose last change has no entry yet (``entry_seq`` 0): its event and its entry
  (``certificates.finish_entry``).
"""

from __future__ import annotations

from datetime import datetime

from portfolio import events
from portfolio.archives import EntryKind, Recorder, append_entry, entry_about
from portfolio.training.certificates import finish_entry
from portfolio.training.completions import facts_of_run, training_payload
from portfolio.training.documents import Certificate, Enrolment
from portfolio.training.enums import CompletionResult, EnrolmentStatus
from portfolio.training.events import (
    completions_event_id,
    enrolment_event_id,
    publish_completions,
    publish_enrolment_ended,
)
from portfolio.training.lifecycle import ENDED_EARLY

# Who ended an enrolment whose event the repair routine publishes.
SYSTEM = Recorder(principal="system", role="system")


def _completed_between(since: datetime, until: datetime) -> dict[str, object]:
    return {
        "status": EnrolmentStatus.COMPLETED.value,
        "completed_at": {"$gte": since, "$lte": until},
    }


async def finish_completion_entries(*, since: datetime, until: datetime) -> int:
    """Append the missing "training completed" entries of the passes recorded in the window;
    how many it appended."""
    finished = 0
    query = {**_completed_between(since, until), "result": CompletionResult.PASSED.value}
    async for enrolment in Enrolment.find(query):
        seq = await entry_about(
            enrolment.archive_id,
            EntryKind.TRAINING_COMPLETED,
            "enrolment_id",
            str(enrolment.id),
        )
        if seq is None:
            facts = await facts_of_run(enrolment.run_id)
            entry = await append_entry(
                archive_id=enrolment.archive_id,
                kind=EntryKind.TRAINING_COMPLETED,
                payload=training_payload(facts, enrolment),
                recorded_by=Recorder(
                    principal=enrolment.completed_by,
                    role="provider",
                    organisation=enrolment.organisation_id,
                ),
            )
            seq = entry.seq
            finished += 1
        if seq != enrolment.entry_seq:
            await Enrolment.get_pymongo_collection().update_one(
                {"_id": enrolment.id}, {"$set": {"entry_seq": seq}}
            )
    return finished


async def publish_missing_completions(*, since: datetime, until: datetime) -> int:
    """Publish the completions events the outbox lacks for the completions recorded in the
    window (a batch's enrolments were all completed at one moment); how many it published."""
    batches: dict[tuple[str, str], list[Enrolment]] = {}
    async for enrolment in Enrolment.find(_completed_between(since, until)):
        # A completion recorded before this version (no batch) was counted then.
        if enrolment.completion_batch:
            key = (enrolment.run_id, enrolment.completion_batch)
            batches.setdefault(key, []).append(enrolment)
    wanted = {completions_event_id(run_id, batch): (run_id, batch) for run_id, batch in batches}
    present = await events.recorded(list(wanted))
    published = 0
    for event_key, (run_id, batch) in wanted.items():
        if event_key in present:
            continue
        facts = await facts_of_run(run_id)
        await publish_completions(facts.run, facts.course, batch, batches[(run_id, batch)])
        published += 1
    return published


async def publish_missing_endings(*, since: datetime, until: datetime) -> int:
    """Publish the events the outbox lacks of the enrolments that ended early in the window;
    how many it published."""
    ended = [
        enrolment
        async for enrolment in Enrolment.find({"updated_at": {"$gte": since, "$lte": until}})
        if enrolment.status in ENDED_EARLY
    ]
    wanted = {enrolment_event_id(str(e.id), e.version): e for e in ended}
    present = await events.recorded(list(wanted))
    published = 0
    for key, enrolment in wanted.items():
        if key not in present:
            await publish_enrolment_ended(enrolment, SYSTEM)
            published += 1
    return published


async def finish_certificates(*, changed_before: datetime) -> int:
    """Finish every certificate change whose entry was never noted (seq 0) and that is older
    than ``changed_before``: its event, then its entry; how many entries it wrote."""
    finished = 0
    async for certificate in Certificate.find({"entry_seq": 0}):
        finished += await finish_entry(certificate, changed_before=changed_before)
    return finished
