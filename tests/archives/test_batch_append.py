"""Appending to many archives at once: one entry each, chains intact, lost races retried."""

from __future__ import annotations

import pytest

from api.runtime import Runtime
from portfolio.archives.documents import Archive, Recorder
from portfolio.archives.entries import (
    NewEntry,
    append_entry,
    append_many,
    commit_entries,
    plan_entries,
    verify_chain,
)
from portfolio.archives.kinds import EntryKind
from tests.archives.factories import register

RECORDER = Recorder(principal="p-1", role="provider", organisation="org-1")


def _award(archive_id: str, title: str) -> NewEntry:
    return NewEntry(archive_id, EntryKind.AWARD, {"title": title}, RECORDER)


async def test_append_many_appends_one_entry_to_each_archive(runtime: Runtime) -> None:
    ids = [(await register(runtime)).worker.archive_id for _ in range(3)]
    seqs = await append_many([_award(i, f"award {n}") for n, i in enumerate(ids)])
    assert seqs == [2, 2, 2]  # each archive's registration is seq 1
    for archive_id in ids:
        assert (await verify_chain(archive_id)).ok
        archive = await Archive.get(archive_id)
        assert archive is not None
        assert (archive.head.seq, archive.counters["award"]) == (2, 1)


async def test_an_entry_whose_seq_was_taken_meanwhile_is_appended_after_it(
    runtime: Runtime,
) -> None:
    ids = [(await register(runtime)).worker.archive_id for _ in range(3)]
    planned = await plan_entries([_award(i, "batch") for i in ids])
    # Another appender takes archive 1's planned seq between the plan and the commit.
    racing = await append_entry(
        archive_id=ids[1], kind=EntryKind.AWARD, payload={"title": "racer"}, recorded_by=RECORDER
    )
    assert racing.seq == planned[1].seq
    assert await commit_entries(planned) == [2, 3, 2]
    for archive_id in ids:
        report = await verify_chain(archive_id)
        assert report.ok, report


async def test_two_entries_for_one_archive_are_refused(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    with pytest.raises(ValueError, match="one entry per archive"):
        await append_many([_award(archive_id, "a"), _award(archive_id, "b")])
