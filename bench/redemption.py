"""Round trips and throughput of a voucher redemption: ``python -m bench.redemption BASE``.

BASE is a data directory ``bench.fixtures.prepare`` left (``make bench`` keeps one per size
under ``BENCH_WORK_DIR``); it is copied first, so the base keeps its claimed vouchers.

1. Commands per redemption, each kind with its mean time (a PyMongo ``CommandListener``
   registered for every client of this process): the raw path (``bench.raw.redeem``, the
   same writes without HTTP), then ``POST /vouchers/{id}/redeem`` through the whole app
   in-process (token check, idempotency record, the route, the response).
2. Throughput in the same run, ``BENCH_REDEEM_CONCURRENCY`` (16) at a time: the raw path,
   then HTTP to the API in its own process over loopback; their ratio.

A figure printer, not a test. The machine's load is printed with the figures.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from pymongo import monitoring

from bench import raw
from bench.commands import Tally
from bench.fixtures import API_ENV, DATABASE, State, bench_settings, connected
from bench.harness import api_process, drive

COUNTED = int(os.environ.get("BENCH_REDEEM_COUNTED", "30"))
TIMED = int(os.environ.get("BENCH_REDEEM_TIMED", "600"))
CONCURRENCY = int(os.environ.get("BENCH_REDEEM_CONCURRENCY", "16"))
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "60"))


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


async def _counted(state: State, base: Path, tally: Tally) -> None:
    """Part 1: commands per redemption, raw then HTTP in-process."""
    from api.app import create_app

    async with connected(base) as conn:
        db = conn.db
        raw_ids = state.vouchers_raw[:COUNTED]
        await raw.redeem(db, state.agency_id, state.vouchers_raw[COUNTED])  # warm
        tally.reset()
        done = sum([await raw.redeem(db, state.agency_id, v) for v in raw_ids])
        print(f"raw path: {tally.total() / max(done, 1):.1f} commands per redemption ({done})")
        print("\n".join(tally.lines(max(done, 1))))
        settings = bench_settings(conn.uri, base)
        app = create_app(settings)
        headers = {"Authorization": f"Bearer {state.agency_token}"}
        async with LifespanManager(app, startup_timeout=600) as managed:
            transport = httpx.ASGITransport(app=managed.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                ids = state.vouchers_http[: COUNTED + 1]
                await http.post(f"/vouchers/{ids[-1]}/redeem", headers=headers)  # warm
                tally.reset()
                codes = [
                    (
                        await http.post(
                            f"/vouchers/{v}/redeem",
                            headers={**headers, "Idempotency-Key": f"count-{v}"},
                        )
                    ).status_code
                    for v in ids[:-1]
                ]
        ok = codes.count(200)
        print(
            f"HTTP in-process: {tally.total() / max(ok, 1):.1f} commands per redemption "
            f"({ok} of {len(codes)} answered 200)"
        )
        print("\n".join(tally.lines(max(ok, 1))))


async def _timed(state: State, base: Path, tally: Tally) -> None:
    """Part 2: raw and HTTP throughput in the same run."""
    tally.enabled = False
    first = COUNTED + 1
    raw_ids = state.vouchers_raw[first : first + TIMED]
    http_ids = state.vouchers_http[first : first + TIMED]
    async with connected(base) as conn:
        db = conn.db

        async def raw_one(i: int) -> bool:
            return await raw.redeem(db, state.agency_id, raw_ids[i])

        raw_f = await drive(
            "raw", raw_one, concurrency=CONCURRENCY, total=len(raw_ids), time_limit_s=TIME_LIMIT
        )
        with api_process(conn.uri, DATABASE, API_ENV) as api:
            headers = {"Authorization": f"Bearer {state.agency_token}"}
            async with httpx.AsyncClient(base_url=api.base_url, timeout=120) as http:

                async def call(i: int) -> bool:
                    response = await http.post(
                        f"/vouchers/{http_ids[i]}/redeem",
                        headers={**headers, "Idempotency-Key": f"timed-{http_ids[i]}"},
                    )
                    return response.status_code == 200

                http_f = await drive(
                    "http",
                    call,
                    concurrency=CONCURRENCY,
                    total=len(http_ids),
                    time_limit_s=TIME_LIMIT,
                )
    ratio = http_f.per_second / raw_f.per_second if raw_f.per_second else 0.0
    print(f"throughput, {CONCURRENCY} at a time ({_load()}):")
    for f in (raw_f, http_f):
        print(
            f"  {f.label:<5} {f.requests} redemptions, {f.errors} errors, {f.per_second:.1f}/s, "
            f"p50 {f.p50_ms:.0f} ms, p99 {f.p99_ms:.0f} ms"
        )
    print(f"  HTTP/raw {ratio:.2f}")


async def main(source: Path) -> None:
    """Copy ``source`` and print both parts."""
    state = State.load(source)
    tally = Tally()
    monitoring.register(tally)
    with tempfile.TemporaryDirectory(prefix="bench-redemption-") as scratch:
        base = Path(scratch) / "base"
        shutil.copytree(source, base, ignore=shutil.ignore_patterns("*.lock", "store.json"))
        print(f"{state.archives:,} archives ({_load()})")
        await _counted(state, base, tally)
        await _timed(state, base, tally)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
