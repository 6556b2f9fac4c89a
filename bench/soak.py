"""``python -m bench soak`` (part of ``make fuzz``): the mixed workload at a sustained rate.

A seeded copy of ``BENCH_SOAK_ARCHIVES`` archives (default 2,000) is served by the API in its
own process; requests of the 70 / 20 / 10 mix (archive reads, completions, redemptions) are
started at ``BENCH_SOAK_RATE`` per second (default 25, open loop: a slow answer does not slow
the arrivals; at most 64 in flight) for ``BENCH_SOAK_SECONDS`` (default 180): about half of
what the same mix reaches flat out on the 2-core machine (about 46 requests/s at 16 concurrent
in ``make bench``), so the soak measures a steady state rather than a growing queue. The API
process's resident memory (VmRSS) is sampled every ``BENCH_SOAK_SAMPLE`` seconds (default 5).

It fails (exit status 1) when the error rate is 1 % or more, when any answer is a 5xx, or when
memory grows: after a warm-up (the first 30 s, or a sixth of a short run), the median RSS of
the last minute may exceed the median of the first minute by at most 10 % or 20 MiB,
whichever is larger (a shorter run compares its first and last thirds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.fixtures import API_ENV, DATABASE, Amounts, State, connected, prepare
from bench.harness import api_process
from bench.scenarios import Ctx, http_mix, http_mixed_operation
from bench.suite import RESULTS, copy_dir, machine

MAX_IN_FLIGHT = 64


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def flat(series: list[tuple[float, float]], duration: float) -> tuple[bool, float, float]:
    """Whether memory stayed flat: (verdict, first window median, last window median)."""
    warm = min(30.0, duration / 6)
    window = min(60.0, (duration - warm) / 3)
    first = [rss for t, rss in series if warm <= t < warm + window]
    last = [rss for t, rss in series if t >= duration - window]
    if not first or not last:
        return True, 0.0, 0.0
    a, b = statistics.median(first), statistics.median(last)
    return b - a <= max(0.10 * a, 20.0), a, b


def slope_mib_per_min(series: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time, MiB per minute."""
    if len(series) < 2:
        return 0.0
    ts = [t for t, _ in series]
    ys = [y for _, y in series]
    mt, my = statistics.fmean(ts), statistics.fmean(ys)
    var = sum((t - mt) ** 2 for t in ts)
    return 60 * sum((t - mt) * (y - my) for t, y in zip(ts, ys, strict=True)) / var if var else 0.0


async def soak(archives: int, rate: float, seconds: float, sample_s: float) -> dict[str, Any]:
    """Seed, copy, serve, drive at ``rate`` for ``seconds``; return the figures."""
    requests = int(rate * seconds)
    # Enough work items for every completion and redemption of the run (and some spare).
    amounts = Amounts(
        hot_runs=2,
        classes=2 * (-(-requests // 5 // 40) + 2),
        big_classes=0,
        vouchers=requests // 10 * 6 // 5 + 200,
        contended=2,
    )
    root = os.environ.get("BENCH_WORK_DIR")
    with tempfile.TemporaryDirectory(prefix="portfolio-soak-", dir=root) as scratch:
        base = Path(scratch) / "base"
        started = time.perf_counter()
        await prepare(base, archives, amounts)
        prepared_s = time.perf_counter() - started
        target = Path(scratch) / "soak"
        copy_dir(base, target)
        state = State.load(target)
        # This run's completions come from the 40-person classes only.
        async with connected(target) as conn:
            with api_process(conn.uri, DATABASE, API_ENV) as api:
                limits = httpx.Limits(
                    max_connections=MAX_IN_FLIGHT,
                    max_keepalive_connections=MAX_IN_FLIGHT,
                    keepalive_expiry=2,
                )
                async with httpx.AsyncClient(
                    base_url=api.base_url, limits=limits, timeout=30
                ) as http:
                    ctx = Ctx(archives, state, conn, api, http)
                    mix = http_mix(state)
                    requests = min(requests, mix.capacity())
                    operation = http_mixed_operation(ctx, mix)
                    statuses: Counter[int] = Counter()
                    latencies: list[float] = []
                    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
                    series: list[tuple[float, float]] = []
                    t0 = time.perf_counter()
                    done = asyncio.Event()

                    async def sampler() -> None:
                        while not done.is_set():
                            series.append((time.perf_counter() - t0, api.rss_mib()))
                            with contextlib.suppress(TimeoutError):
                                await asyncio.wait_for(done.wait(), sample_s)

                    async def one(i: int) -> None:
                        async with gate:
                            begun = time.perf_counter()
                            _, status = await operation(i)
                            latencies.append((time.perf_counter() - begun) * 1000)
                            statuses[status] += 1

                    sampling = asyncio.create_task(sampler())
                    tasks = []
                    for i in range(requests):
                        due = t0 + i / rate
                        delay = due - time.perf_counter()
                        if delay > 0:
                            await asyncio.sleep(delay)
                        tasks.append(asyncio.create_task(one(i)))
                    await asyncio.gather(*tasks)
                    elapsed = time.perf_counter() - t0
                    series.append((elapsed, api.rss_mib()))
                    done.set()
                    await sampling
                    peak = api.peak_rss_mib()
        shutil.rmtree(target, ignore_errors=True)
    total = sum(statuses.values())
    errors = total - statuses[200]
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    is_flat, first, last = flat(series, elapsed)
    ordered = sorted(latencies)
    rss = [r for _, r in series]
    return {
        "archives": archives,
        "rate_per_s": rate,
        "planned_seconds": seconds,
        "seconds": round(elapsed, 1),
        "prepare_seconds": round(prepared_s, 1),
        "requests": total,
        "achieved_per_s": round(total / elapsed, 1) if elapsed else 0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors,
        "error_rate": round(errors / total, 5) if total else 1.0,
        "server_errors": server_errors,
        "p50_ms": round(statistics.median(ordered), 1) if ordered else 0,
        "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 1)
        if ordered
        else 0,
        "rss_first_mib": round(rss[0], 1),
        "rss_last_mib": round(rss[-1], 1),
        "rss_max_mib": round(max(rss), 1),
        "rss_peak_vmhwm_mib": round(peak, 1),
        "rss_first_window_median_mib": round(first, 1),
        "rss_last_window_median_mib": round(last, 1),
        "rss_slope_mib_per_min": round(slope_mib_per_min(series), 2),
        "rss_series": [(round(t, 1), round(r, 1)) for t, r in series],
        "memory_flat": is_flat,
    }


def main() -> int:
    """Run the soak, print the figures, exit 1 if a criterion fails."""
    figures = asyncio.run(
        soak(
            archives=int(_env("BENCH_SOAK_ARCHIVES", 2000)),
            rate=_env("BENCH_SOAK_RATE", 25),
            seconds=_env("BENCH_SOAK_SECONDS", 180),
            sample_s=_env("BENCH_SOAK_SAMPLE", 5),
        )
    )
    failures = []
    if figures["error_rate"] >= 0.01:
        failures.append(f"error rate {figures['error_rate']:.2%} >= 1 %")
    if figures["server_errors"]:
        failures.append(f"{figures['server_errors']} answers were 5xx")
    if not figures["memory_flat"]:
        failures.append(
            f"memory grew: {figures['rss_first_window_median_mib']} MiB -> "
            f"{figures['rss_last_window_median_mib']} MiB"
        )
    figures["machine"] = machine()
    figures["failures"] = failures
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(figures, indent=2))
    series = ", ".join(f"{t:.0f}s {r:.0f}" for t, r in figures["rss_series"])
    print(
        f"soak: {figures['requests']} requests in {figures['seconds']} s "
        f"({figures['achieved_per_s']}/s of {figures['rate_per_s']}/s planned) on "
        f"{figures['archives']:,} archives\n"
        f"  statuses {figures['statuses']}; error rate {figures['error_rate']:.3%}; "
        f"5xx {figures['server_errors']}; p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms\n"
        f"  API RSS MiB: first {figures['rss_first_mib']}, last {figures['rss_last_mib']}, "
        f"max {figures['rss_max_mib']}, slope {figures['rss_slope_mib_per_min']} MiB/min; "
        f"first-window median {figures['rss_first_window_median_mib']}, last-window median "
        f"{figures['rss_last_window_median_mib']}: "
        f"{'flat' if figures['memory_flat'] else 'GROWING'}\n"
        f"  series (s MiB): {series}"
    )
    if failures:
        print("soak FAILED: " + "; ".join(failures))
        return 1
    print("soak passed")
    return 0
