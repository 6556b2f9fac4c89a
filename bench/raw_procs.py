"""The raw half of the archive read driven from several processes (``BENCH_RAW_PROCESSES``).

One bench process running PyMongo coroutines is itself Python-bound: at 1k and 10k archives on
a quiet machine it reached about 370 two-query reads/s while wrk drove the route to 440-520/s,
so "HTTP/raw" read above 1 and said more about the driver than the store. Here ``processes``
children (spawned, each with its own client and event loop) share the same shuffled work and
the same total concurrency; each connects and reads once before a common start, and the rate
is every child's operations over the span from the first start to the last finish, so the
store's own ceiling shows when the driver is not the limit.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from multiprocessing.synchronize import Event
from typing import Any

from bench.harness import Figures, _quantile


def _child(
    uri: str,
    database: str,
    archive_ids: list[str],
    concurrency: int,
    time_limit_s: float,
    ready: Any,
    start: Event,
    out: Any,
) -> None:
    from pymongo import AsyncMongoClient

    from bench import raw

    async def go() -> tuple[list[float], int, float, float]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            uri, tz_aware=True, uuidRepresentation="standard", maxPoolSize=concurrency
        )
        db = client[database]
        await raw.read_archive(db, archive_ids[0])  # connect and warm up before the start
        ready.put(1)
        await asyncio.to_thread(start.wait)
        latencies: list[float] = []
        errors = 0
        next_index = 0
        began = time.monotonic()
        deadline = began + time_limit_s

        async def worker() -> None:
            nonlocal next_index, errors
            while next_index < len(archive_ids) and time.monotonic() < deadline:
                index = next_index
                next_index += 1
                started = time.perf_counter()
                try:
                    ok = await raw.read_archive(db, archive_ids[index])
                except Exception:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += 0 if ok else 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        ended = time.monotonic()
        await client.close()
        return latencies, errors, began, ended

    out.put(asyncio.run(go()))


def read_archive(
    uri: str,
    database: str,
    order: list[str],
    *,
    processes: int,
    concurrency: int,
    time_limit_s: float,
) -> Figures:
    """``order``'s archive reads from ``processes`` processes, ``concurrency`` in flight in
    all; blocks (run it in a thread)."""
    context = multiprocessing.get_context("spawn")
    ready, out, start = context.Queue(), context.Queue(), context.Event()
    each = max(1, concurrency // processes)
    children = [
        context.Process(
            target=_child,
            args=(uri, database, order[p::processes], each, time_limit_s, ready, start, out),
            daemon=True,
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    try:
        for _ in children:
            ready.get(timeout=120)
        start.set()
        parts = [out.get(timeout=time_limit_s + 120) for _ in children]
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.terminate()
    latencies = sorted(v for part in parts for v in part[0])
    errors = sum(part[1] for part in parts)
    span = max(part[3] for part in parts) - min(part[2] for part in parts)
    return Figures(
        f"raw x{processes}",
        len(latencies),
        errors,
        span,
        statistics.median(latencies) if latencies else 0.0,
        _quantile(latencies, 0.95),
        _quantile(latencies, 0.99),
        _quantile(latencies, 0.90),
    )
