"""``seed_province``: write a whole synthetic province, resumably, and rebuild its counters.

Phases, each a number of batches recorded in ``seed_runs``:

1. ``catalogue`` (one batch): agency and provider logins, organisations, courses, mentors,
   voucher policies and their heads;
2. ``workers`` (one batch per ``batch_size`` workers): archives and their chains, worker
   logins, runs, enrolments, schedules, attendance, certificates, vouchers with their events
   and ledger rows, mentors and apprenticeships with their events and guards;
3. ``finish`` (one batch): the policy heads' issued counters, then every report counter
   rebuilt by ``portfolio.reports.rebuild`` (the ``portfolio reports rebuild`` code path).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher

from portfolio.apprenticeships.rules import subsidy_standard
from portfolio.errors import Conflict
from portfolio.identity.protection import FieldProtection
from portfolio.keyring import Keyring
from portfolio.reports.rebuild import rebuild
from portfolio.seed.catalogue import Catalogue, build_catalogue
from portfolio.seed.cohort import CohortBuilder
from portfolio.seed.identities import derive
from portfolio.seed.people import PersonFactory, identity_of
from portfolio.seed.progress import RUN_ID, SeedRun, insert_all, mark_done
from portfolio.settings import Settings
from portfolio.vouchers.documents import PolicyHead, Voucher

PHASES = ("catalogue", "workers", "finish")
DEFAULT_BATCH = 1000
# The catalogue's history begins this long before the as-of day.
HISTORY_DAYS = 1600

Progress = Callable[[str, int, int, dict[str, int]], None]
"""``progress(phase, batches_done, batches_total, documents_written_so_far)``."""


class SeedRefused(Conflict):
    """The database holds another synthetic province (other archives or seed)."""


@dataclass(frozen=True)
class SeedSummary:
    """What a call of ``seed_province`` left in the database."""

    archives: int
    seed: int
    as_of: datetime
    finished: bool
    counts: dict[str, int]
    seconds: float
    batches_written: int

    @property
    def documents(self) -> int:
        """Documents written in all (by every call that worked on this province)."""
        return sum(self.counts.values())


def as_of_day(moment: datetime) -> datetime:
    """Midnight UTC of ``moment``'s day: the province's history ends there."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


async def _run_document(
    *, archives: int, seed: int, as_of: datetime | None, batch_size: int
) -> SeedRun:
    """The progress document: created on the first run, checked on every later one."""
    existing = await SeedRun.get(RUN_ID)
    if existing is not None:
        if existing.archives != archives or existing.seed != seed:
            raise SeedRefused(
                f"this database already holds the synthetic province of "
                f"{existing.archives} archives with seed {existing.seed}; seed an empty "
                f"database (or another PORTFOLIO_DATABASE) for {archives} archives with seed "
                f"{seed}",
                archives=existing.archives,
                seed=existing.seed,
            )
        return existing
    run = SeedRun(
        id=RUN_ID,
        archives=archives,
        seed=seed,
        as_of=as_of_day(as_of or datetime.now(UTC)),
        batch_size=batch_size,
        done=dict.fromkeys(PHASES, 0),
        counts={},
        started_at=datetime.now(UTC).replace(microsecond=0),
    )
    await run.insert()
    return run


def password_hash(password: str, *, settings: Settings, seed: int) -> str:
    """The argon2id hash every seeded login shares: computed once, with a salt fixed by the
    seed so that a resumed run writes the same documents."""
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost_kib,
        parallelism=settings.argon2_parallelism,
    )
    return hasher.hash(password, salt=derive(seed, "salt")[:16])


async def _write(database: Any, documents: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, docs in documents.items():
        if docs:
            await insert_all(database, name, docs)
            counts[name] = len(docs)
    return counts


async def _finish() -> None:
    """Counters that are the sum over every batch: policy heads, then the report cells."""
    rows = await (
        await Voucher.get_pymongo_collection().aggregate(
            [{"$group": {"_id": "$policy_key", "n": {"$sum": 1}}}]
        )
    ).to_list()
    issued = {row["_id"]: row["n"] for row in rows}
    async for head in PolicyHead.get_pymongo_collection().find({}, {"_id": 1}):
        await PolicyHead.get_pymongo_collection().update_one(
            {"_id": head["_id"]}, {"$set": {"issued": issued.get(str(head["_id"]), 0)}}
        )
    await rebuild()


async def seed_province(
    settings: Settings,
    keyring: Keyring,
    *,
    archives: int,
    seed: int,
    password: str,
    progress: Progress | None = None,
    as_of: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
    stop_after: int | None = None,
) -> SeedSummary:
    """Write (or continue writing) the synthetic province of ``archives`` workers.

    Beanie must be initialised (``DOCUMENT_MODELS`` plus ``SeedRun``) and the keys prepared.
    ``as_of`` (default: today) and ``batch_size`` are fixed by the first call and read back
    by later ones. ``stop_after`` stops after that many batches of any phase (tests of
    resumption). A database holding another province is refused (``SeedRefused``).
    """
    if archives < 1:
        raise ValueError("archives must be at least 1")
    started = time.perf_counter()
    run = await _run_document(archives=archives, seed=seed, as_of=as_of, batch_size=batch_size)
    database = SeedRun.get_pymongo_collection().database
    hashed = password_hash(password, settings=settings, seed=seed)
    start = run.as_of - timedelta(days=HISTORY_DAYS)
    catalogue: Catalogue = build_catalogue(
        seed=seed, archives=archives, start=start, password_hash=hashed
    )
    counts = dict(run.counts)
    written = 0
    total_batches = -(-archives // run.batch_size)
    totals = {"catalogue": 1, "workers": total_batches, "finish": 1}

    def report(phase: str) -> None:
        if progress is not None:
            progress(phase, done.get(phase, 0), totals[phase], dict(counts))

    def stopping() -> bool:
        return stop_after is not None and written >= stop_after

    done = dict(run.done)
    for phase in PHASES:
        report(phase)
    if done.get("catalogue", 0) < 1 and not stopping():
        batch_counts = await _write(database, catalogue.documents)
        await mark_done("catalogue", 1, batch_counts)
        done["catalogue"] = 1
        _add(counts, batch_counts)
        written += 1
        report("catalogue")

    factory = PersonFactory(
        seed=seed,
        as_of=run.as_of,
        catalogue=catalogue,
        protection=FieldProtection(keyring),
        # Deterministic (a resumed run writes the same documents), keyed (the public seed
        # confirms no guess): see portfolio.identity.protection.
        seal=FieldProtection(keyring).seal_deterministic,
        taken=set(),
    )
    first_batch = done.get("workers", 0)
    # Replay the identity numbers of the batches done, so new numbers stay unique.
    for n in range(min(archives, first_batch * run.batch_size)):
        identity_of(seed, n, factory.taken)

    def subsidy(region: str) -> int:
        return subsidy_standard(
            settings.apprenticeship_subsidy_fen, settings.apprenticeship_subsidy_by_region, region
        )

    def builder(index: int) -> CohortBuilder:
        first = index * run.batch_size
        return CohortBuilder(
            seed=seed,
            as_of=run.as_of,
            catalogue=catalogue,
            factory=factory,
            password_hash=hashed,
            subsidy_for=subsidy,
            index=index,
            first=first,
            size=min(run.batch_size, archives - first),
        )

    # The next batch is built in a thread while this one is written: the store, not this
    # process, is the bottleneck of a write. Batches are still built one after the other (in
    # order), so the identity numbers they draw stay the same.
    pending = (
        asyncio.create_task(asyncio.to_thread(builder(first_batch).build))
        if first_batch < total_batches and not stopping()
        else None
    )
    for index in range(first_batch, total_batches):
        if pending is None:
            break
        batch = await pending
        pending = None
        if index + 1 < total_batches and (stop_after is None or written + 1 < stop_after):
            pending = asyncio.create_task(asyncio.to_thread(builder(index + 1).build))
        batch_counts = await _write(database, batch.documents)
        await mark_done("workers", index + 1, batch_counts)
        done["workers"] = index + 1
        _add(counts, batch_counts)
        written += 1
        report("workers")

    finished = done.get("workers", 0) >= total_batches and done.get("finish", 0) >= 1
    if done.get("workers", 0) >= total_batches and not finished and not stopping():
        await _finish()
        await mark_done("finish", 1, {})
        done["finish"] = 1
        written += 1
        finished = True
        report("finish")
    elapsed = time.perf_counter() - started
    collection = SeedRun.get_pymongo_collection()
    await collection.update_one(
        {"_id": RUN_ID}, {"$set": {"finished": finished}, "$inc": {"seconds": elapsed}}
    )
    return SeedSummary(
        archives=archives,
        seed=seed,
        as_of=run.as_of,
        finished=finished,
        counts=counts,
        seconds=elapsed,
        batches_written=written,
    )


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for name, n in more.items():
        counts[name] = counts.get(name, 0) + n
