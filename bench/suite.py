"""``make bench``: every scenario at every size, one JSON file and one Markdown table.

For each size in ``BENCH_SIZES`` (archives; default ``1000,10000,100000``) the province is
seeded ONCE into a base data directory (``bench.fixtures.prepare``); then each scenario runs
on a copy of it made while no store runs on it: the read-only scenarios (archive read, reports,
login) share one copy and one API process, every writing scenario gets its own. The copies live
under ``BENCH_WORK_DIR`` (default: a temporary directory) and are removed after use.

Output: ``bench/results/latest.json`` (every figure, the machine, the sizes' seeding times)
and ``bench/results/latest.md`` (the table, also printed).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import loadgen
from bench.fixtures import API_ENV, DATABASE, Amounts, State, connected, prepare
from bench.harness import SERVE_OPTIONS, api_process
from bench.scenarios import SCENARIOS, WRK_CONNECTIONS, WRK_SECONDS, WRK_THREADS, Ctx, Result

RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or Path(__file__).parent / "results")
DEFAULT_SIZES = "1000,10000,100000"


def machine() -> dict[str, Any]:
    """Cores, memory, Python and platform of this run."""
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def sizes() -> list[int]:
    """The sizes asked for (``BENCH_SIZES``)."""
    return [int(v) for v in os.environ.get("BENCH_SIZES", DEFAULT_SIZES).split(",") if v]


def copy_dir(source: Path, target: Path) -> float:
    """Copy a stopped store's data directory; returns the seconds it took."""
    started = time.perf_counter()
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("store.json", "store.lock"))
    return time.perf_counter() - started


def _api_command(label: str) -> list[str] | None:
    # BENCH_PROFILE=<file>: the API process runs under cProfile and writes its stats to
    # <file>.<label> when it stops.
    profile = os.environ.get("BENCH_PROFILE")
    return [sys.executable, "-m", "bench.profiled_api", f"{profile}.{label}"] if profile else None


async def run_scenarios(names: list[str], data_dir: Path, archives: int) -> list[Result]:
    """Scenarios one after another on the store in ``data_dir``, served by ONE API process.

    The read-only scenarios share one process: at 100,000 archives the API's start-up (its
    repair pass over every voucher) takes minutes, so it is paid once for all of them. The
    peak RSS of a shared process is the peak so far."""
    state = State.load(data_dir)
    # keep-alive shorter than uvicorn's 5 s, so no request goes out on a connection it closes
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=2)
    results: list[Result] = []
    async with connected(data_dir) as conn:
        with api_process(conn.uri, DATABASE, API_ENV, command=_api_command("+".join(names))) as api:
            async with httpx.AsyncClient(base_url=api.base_url, limits=limits, timeout=120) as http:
                for name in names:
                    function, _ = SCENARIOS[name]
                    results.extend(await function(Ctx(archives, state, conn, api, http)))
    return results


async def bench_size(
    archives: int,
    names: list[str],
    work: Path,
    log: list[str],
    results: list[Result],
    progress: Callable[[], None],
) -> None:
    """Seed one size once, then run the read-only ``names`` together on one copy and each
    writing one on its own copy."""
    # BENCH_BASE_DIR: seeded bases are kept there between runs (and a seed begun there by
    # ``python -m bench.fixtures`` is resumed); otherwise each is made in ``work`` and removed.
    kept = os.environ.get("BENCH_BASE_DIR")
    base = (Path(kept) if kept else work) / f"base-{archives}"
    state = await prepare(base, archives, Amounts.from_env())
    log.append(
        f"{archives:,} archives: seeded by {state.source} in {state.seed_seconds:,.0f} s, "
        f"bench work items and logins in {state.topup_seconds:,.0f} s ({state.phases})"
    )
    print(log[-1], flush=True)
    progress()
    reads = [n for n in names if not SCENARIOS[n][1]]
    groups = ([reads] if reads else []) + [[n] for n in names if SCENARIOS[n][1]]
    try:
        for group in groups:
            target = work / f"{'+'.join(group)}-{archives}"
            seconds = copy_dir(base, target)
            started = time.perf_counter()
            try:
                rows = await run_scenarios(group, target, archives)
            finally:
                shutil.rmtree(target, ignore_errors=True)
            took = time.perf_counter() - started
            log.append(f"  {', '.join(group)}: copy {seconds:.1f} s, run {took:.0f} s")
            print(log[-1], flush=True)
            for row in rows:
                print(f"    {markdown_row(row)}", flush=True)
            results.extend(rows)
            progress()  # a partial table survives a later failure
    finally:
        if not kept:
            shutil.rmtree(base, ignore_errors=True)


HEADER = (
    "| archives | scenario | ops | errors | ops/s | p50 ms | p90 ms | p99 ms | API peak RSS MiB "
    "| raw ops/s | raw p50 ms | HTTP/raw |\n"
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def markdown_row(r: Result) -> str:
    """One table row."""
    return (
        f"| {r.archives:,} | {r.label} | {r.ops:,} | {r.errors} | {r.per_second:,.1f} | "
        f"{r.p50_ms:,.1f} | {r.p90_ms:,.1f} | {r.p99_ms:,.1f} | {r.peak_rss_mib:,.0f} | "
        f"{r.raw_per_second:,.1f} | {r.raw_p50_ms:,.1f} | {r.ratio:.2f} |"
    )


def markdown(results: list[Result], info: dict[str, Any], log: list[str]) -> str:
    """The report: the machine, the table, the notes, the run log."""
    m = info["machine"]
    lines = [
        f"# Benchmark {info['started'][:10]}",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Python "
        f"{m['python']}, {m['platform']}; embedded store (nx-27017). The API runs as "
        f"`{' '.join(['portfolio serve', *info['serve_options']])}` in its own process;"
        + " its HTTP half is driven by wrk over loopback (reads: "
        f"{WRK_CONNECTIONS} connections from {WRK_THREADS} threads for {WRK_SECONDS:.0f} s; "
        "writes: each work item once, one connection per wrk thread), its raw half by "
        "PyMongo from the bench process in the same run. p50/p90/p99 are wrk's for HTTP. "
        f"Wall time {info['wall_seconds']:,.0f} s.",
        "",
        HEADER,
        *(markdown_row(r) for r in results),
        "",
        "Notes:",
        "",
        *(f"- {r.archives:,} {r.label}: {r.note}" for r in results if r.note),
        "",
        "Run:",
        "",
        *(f"- {line.strip()}" for line in log),
        "",
    ]
    return "\n".join(lines)


def write(results: list[Result], info: dict[str, Any], log: list[str]) -> str:
    """Write latest.json and latest.md; returns the Markdown."""
    RESULTS.mkdir(exist_ok=True)
    payload = {**info, "log": log, "results": [asdict(r) for r in results]}
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    text = markdown(results, info, log)
    (RESULTS / "latest.md").write_text(text)
    return text


async def run(names: list[str]) -> str:
    """Every size, the scenarios ``names``; returns the Markdown written."""
    started = time.perf_counter()
    info: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": sizes(),
        "scenarios": names,
        "serve_options": SERVE_OPTIONS,
    }
    log: list[str] = []
    results: list[Result] = []
    root = os.environ.get("BENCH_WORK_DIR")
    with tempfile.TemporaryDirectory(prefix="portfolio-bench-", dir=root) as scratch:

        def progress() -> None:
            info["wall_seconds"] = time.perf_counter() - started
            write(results, info, log)

        for archives in sizes():
            await bench_size(archives, names, Path(scratch), log, results, progress)
    info["wall_seconds"] = time.perf_counter() - started
    return write(results, info, log)


def main(names: list[str]) -> int:
    """``python -m bench [SCENARIO ...]``."""
    if not loadgen.available():
        print("wrk is missing: `make browser` installs it (apt-get install wrk)")
        return 2
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        return 2
    print(asyncio.run(run(names or list(SCENARIOS))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
