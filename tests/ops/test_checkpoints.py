"""Signed checkpoints: an untouched database matches; a record rewritten behind the service's
back, its chain recomputed to look whole, is named by the check; a forged checkpoint is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from beanie import PydanticObjectId
from pymongo import ASCENDING

from api.runtime import Runtime
from portfolio import audit, checkpoints
from portfolio.archives.chain import StoredEntry
from portfolio.archives.documents import Archive, ArchiveEntry, Recorder
from portfolio.archives.entries import append_entry
from portfolio.archives.kinds import EntryKind
from portfolio.audit import ChangeRecord
from portfolio.checkpoints import CheckpointError
from tests.archives.factories import register

RECORDER = Recorder(principal="p-1", role="provider", organisation="org-1")


async def _archive_with_entries(runtime: Runtime, awards: int) -> str:
    archive_id = (await register(runtime)).worker.archive_id
    for n in range(awards):
        await append_entry(
            archive_id=archive_id,
            kind=EntryKind.AWARD,
            payload={"title": f"award {n}"},
            recorded_by=RECORDER,
        )
    return archive_id


async def _rewrite_behind_the_back(archive_id: str, seq: int, title: str) -> None:
    """What someone with database access could do: change an entry, then recompute every
    later hash and the head so that the chain alone still verifies."""
    entries = ArchiveEntry.get_pymongo_collection()
    raw = await entries.find({"archive_id": archive_id}).sort("seq", ASCENDING).to_list()
    prev = raw[seq - 2]["hash"] if seq > 1 else "0" * 64
    for document in raw[seq - 1 :]:
        if document["seq"] == seq:
            document["payload"] = {**document["payload"], "title": title}
        new_hash = StoredEntry.from_raw({**document, "prev_hash": prev}).recompute(prev)
        await entries.update_one(
            {"_id": document["_id"]},
            {"$set": {"payload": document["payload"], "prev_hash": prev, "hash": new_hash}},
        )
        prev = new_hash
    await Archive.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(archive_id)},
        {"$set": {"head": {"seq": raw[-1]["seq"], "hash": prev}}},
    )


async def test_a_checkpoint_names_a_record_changed_behind_the_services_back(
    runtime: Runtime, tmp_path: Path
) -> None:
    key = checkpoints.load_key(tmp_path / "checkpoint.pem", create=True)
    assert (tmp_path / "checkpoint.pem").stat().st_mode & 0o077 == 0
    untouched = await _archive_with_entries(runtime, 2)
    tampered = await _archive_with_entries(runtime, 3)
    document = await checkpoints.export(key, runtime.settings.database)
    checkpoints.write(document, tmp_path / "cp.json")
    signed = checkpoints.read(tmp_path / "cp.json")

    clean = await checkpoints.check(signed, key.public_key())
    assert clean.ok, clean.differences
    assert len(signed["chains"]["archives"]) == 2
    # The trail's chains (registering a worker records changes) are signed as well.
    assert signed["chains"]["trail"]
    assert clean.chains_checked == 2 + len(signed["chains"]["trail"])

    # Entries appended after the checkpoint are fine: the signed prefix is unchanged.
    await append_entry(
        archive_id=untouched, kind=EntryKind.AWARD, payload={"title": "later"}, recorded_by=RECORDER
    )
    assert (await checkpoints.check(signed, key.public_key())).ok

    await _rewrite_behind_the_back(tampered, 2, "a forged award")
    # The chain alone still verifies: only the checkpoint can tell.
    assert (await checkpoints.check_chains()).ok
    result = await checkpoints.check(signed, key.public_key())
    assert [(d.source, d.chain, d.seq) for d in result.differences] == [("archives", tampered, 4)]


async def test_a_checkpoint_that_was_edited_or_signed_by_another_key_is_refused(
    runtime: Runtime, tmp_path: Path
) -> None:
    await _archive_with_entries(runtime, 1)
    key = checkpoints.load_key(tmp_path / "k.pem", create=True)
    other = checkpoints.load_key(tmp_path / "other.pem", create=True)
    document: dict[str, Any] = await checkpoints.export(key, runtime.settings.database)
    with pytest.raises(CheckpointError, match="does not verify"):
        await checkpoints.check(document, other.public_key())
    chain = document["chains"]["archives"][0]
    edited = {**document, "chains": {"archives": [[chain[0], chain[1], "f" * 64]]}}
    with pytest.raises(CheckpointError, match="does not verify"):
        await checkpoints.check(edited, key.public_key())
    with pytest.raises(CheckpointError, match="no checkpoint key"):
        checkpoints.load_key(tmp_path / "absent.pem")


async def test_a_broken_chain_is_named_by_the_chain_check(runtime: Runtime) -> None:
    archive_id = await _archive_with_entries(runtime, 2)
    await ArchiveEntry.get_pymongo_collection().update_one(
        {"archive_id": archive_id, "seq": 2}, {"$set": {"payload": {"title": "edited"}}}
    )
    result = await checkpoints.check_chains()
    assert [(d.chain, d.found) for d in result.differences] == [(archive_id, None)]


async def test_a_checkpoint_names_a_change_record_removed_from_the_trail(
    runtime: Runtime, tmp_path: Path
) -> None:
    await audit.changed("thing", "t-1", 0, None, {"colour": "red"})
    await audit.changed("thing", "t-1", 1, {"colour": "red"}, {"colour": "blue"})
    key = checkpoints.load_key(tmp_path / "checkpoint.pem", create=True)
    signed = await checkpoints.export(key, runtime.settings.database)
    assert ["thing:t-1", 1] in [head[:2] for head in signed["chains"]["trail"]]

    # Someone with database access removes the newest change and so hides it.
    await ChangeRecord.get_pymongo_collection().delete_one({"chain": "thing:t-1", "version": 1})
    result = await checkpoints.check(signed, key.public_key())
    assert [(d.source, d.chain, d.seq) for d in result.differences] == [("trail", "thing:t-1", 1)]
