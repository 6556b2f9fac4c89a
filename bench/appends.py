"""Where a contended archive append spends its time: ``python -m bench.appends DATA_DIR``.

Runs on a seeded data directory (``PORTFOLIO_DATA_DIR=DIR portfolio seed --archives N``; the
appends are written into it, so use a throwaway copy). Prints, per phase:

* each command of one uncontended ``append_entry`` and its mean time, then the commands of
  the lost-race path alone (a duplicate insert, the highest-seq read, ``advance_head``);
* ``WRITERS`` concurrent ``append_entry`` calls on ``HOT`` archives (as the bench's
  ``append_contended``): appends/s, p50/p99, commands and duplicate inserts per append.

A figure printer, not a test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bson import ObjectId
from pymongo import monitoring
from pymongo.errors import DuplicateKeyError

from bench.commands import Tally
from portfolio.archives.documents import Archive, ArchiveEntry, Recorder
from portfolio.archives.entries import advance_head, append_entry, highest_entry
from portfolio.archives.kinds import EntryKind
from portfolio.errors import Conflict
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, init_documents

HOT = int(os.environ.get("BENCH_HOT", "8"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "32"))
APPENDS = int(os.environ.get("BENCH_APPENDS", "256"))
COMPLETIONS = int(os.environ.get("BENCH_COMPLETIONS", "800"))
BY = Recorder(principal="bench", role="provider", organisation="bench-org")


def _payload(i: int) -> dict[str, Any]:
    return {"title": f"bench award {i}"}


async def _one(archive_id: str, i: int) -> None:
    await append_entry(
        archive_id=archive_id, kind=EntryKind.AWARD, payload=_payload(i), recorded_by=BY
    )


async def _uncontended(tally: Tally, archive_id: str) -> None:
    await _one(archive_id, -1)
    tally.reset()
    rounds = 20
    for i in range(rounds):
        await _one(archive_id, i)
    print(f"one append, uncontended (mean of {rounds}):")
    print("\n".join(tally.lines(rounds)))
    # The lost-race path on its own: a duplicate insert, then what a loser reads and writes.
    oid = ObjectId(archive_id)
    top = await highest_entry(oid)
    assert top is not None
    stored = await ArchiveEntry.get_pymongo_collection().find_one(
        {"archive_id": archive_id, "seq": top["seq"]}
    )
    assert stored is not None
    stored.pop("_id")
    tally.reset()
    for _ in range(rounds):
        with contextlib.suppress(DuplicateKeyError):
            await ArchiveEntry.get_pymongo_collection().insert_one(dict(stored))
        await advance_head(oid)
    print(f"the lost-race path (duplicate insert + advance_head; mean of {rounds}):")
    print("\n".join(tally.lines(rounds)))


async def _contended(tally: Tally, hot: list[str]) -> None:
    latencies: list[float] = []
    failures = 0
    queue = asyncio.Queue[int]()
    for i in range(APPENDS):
        queue.put_nowait(i)

    async def writer() -> None:
        nonlocal failures
        while not queue.empty():
            i = queue.get_nowait()
            started = time.perf_counter()
            try:
                await _one(hot[i % len(hot)], i)
            except Conflict:
                failures += 1
            latencies.append((time.perf_counter() - started) * 1000)

    tally.reset()
    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    lost = sum(tally.write_errors.values())
    print(
        f"{WRITERS} writers on {len(hot)} archives, {APPENDS} appends: "
        f"{APPENDS / seconds:.1f} appends/s, p50 {statistics.median(ordered):.0f} ms, "
        f"p99 {p99:.0f} ms, {failures} gave up; {tally.total() / APPENDS:.1f} commands and "
        f"{lost / APPENDS:.2f} lost inserts per append"
    )
    print("\n".join(tally.lines(APPENDS)))


async def main(data_dir: Path) -> None:
    """Start the store on ``data_dir`` and print the figures."""
    settings = Settings(data_dir=data_dir)
    store = EmbeddedStore(data_dir)
    uri = await asyncio.to_thread(store.start)
    tally = Tally()
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        uri, tz_aware=True, event_listeners=[tally], maxPoolSize=WRITERS + 4
    )
    try:
        await init_documents(client, settings.database, DOCUMENT_MODELS)
        archives = await Archive.get_pymongo_collection().estimated_document_count()
        entries = await ArchiveEntry.get_pymongo_collection().estimated_document_count()
        print(f"store: {archives:,} archives, {entries:,} entries")
        hot = [
            str(raw["_id"])
            async for raw in Archive.get_pymongo_collection().find({}, {"_id": 1}).limit(HOT)
        ]
        await _uncontended(tally, hot[0])
        await _contended(tally, hot)
    finally:
        await client.close()
        await asyncio.to_thread(store.stop)


async def completions(source: Path) -> None:
    """The bench's ``append_contended`` raw half (``bench.raw.complete_one``) on a copy of a
    prepared base: commands per completion alone, then 32 at a time on the hot archives."""
    import shutil
    import tempfile

    from bench import raw
    from bench.fixtures import State, connected

    state = State.load(source)
    tally = Tally()
    monitoring.register(tally)
    with tempfile.TemporaryDirectory(prefix="bench-appends-") as scratch:
        base = Path(scratch) / "base"
        shutil.copytree(source, base, ignore=shutil.ignore_patterns("*.lock", "store.json"))
        async with connected(base) as conn:
            classes = raw.Classes(state.provider_id, state.organisation_id)
            work = (list(state.hot_raw) + list(state.hot_http))[:COMPLETIONS]
            entries = await conn.db["archive_entries"].estimated_document_count()
            print(f"{state.archives:,} archives, {entries:,} entries; {len(work)} completions")
            alone = work[:10]
            await raw.complete_one(conn.db, classes, alone[0])
            tally.reset()
            for enrolment_id in alone[1:]:
                await raw.complete_one(conn.db, classes, enrolment_id)
            print(f"one completion alone (mean of {len(alone) - 1}):")
            print("\n".join(tally.lines(len(alone) - 1)))
            rest = work[len(alone) :]
            tally.reset()
            latencies: list[float] = []
            started = time.perf_counter()

            async def one(enrolment_id: str) -> None:
                began = time.perf_counter()
                await raw.complete_one(conn.db, classes, enrolment_id)
                latencies.append((time.perf_counter() - began) * 1000)

            queue = list(rest)

            async def writer() -> None:
                while queue:
                    await one(queue.pop())

            await asyncio.gather(*(writer() for _ in range(WRITERS)))
            seconds = time.perf_counter() - started
            ordered = sorted(latencies)
            print(
                f"{WRITERS} at a time on {len(state.hot_archives)} archives: "
                f"{len(rest) / seconds:.1f} completions/s, p50 {statistics.median(ordered):.0f} ms"
                f", max {ordered[-1]:.0f} ms"
            )
            print("\n".join(tally.lines(len(rest))))


if __name__ == "__main__":
    if sys.argv[1] == "completions":
        asyncio.run(completions(Path(sys.argv[2])))
    else:
        asyncio.run(main(Path(sys.argv[1])))
