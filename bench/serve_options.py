"""``python -m bench.serve_options``: ``GET /me/archive`` and ``GET /healthz`` under wrk, for
each way of serving: one or two workers, the asyncio loop with h11 or uvloop with httptools.

Each configuration serves the demo (``portfolio serve --demo``) on a fresh embedded store in
its own process, worker-1 logs in, then wrk loads each route for ``BENCH_WRK_SECONDS``
(default 10) over ``BENCH_WRK_CONNECTIONS`` (16) connections from ``BENCH_WRK_THREADS`` (2)
threads. The configurations run one after the other in one invocation, so they share the
machine's state; their ratios are the figures, not the absolute rates. ``BENCH_SERVE_CONFIGS``
picks some (``1:asyncio:h11,1:uvloop:httptools,2:uvloop:httptools``, the default being all
four combinations of 1 or 2 workers with the two loop/parser pairs).
"""

from __future__ import annotations

import os
import shutil
import sys

from bench.archive_page import JSON, WrkFigures, log_in_both_ways, run_wrk
from bench.harness import api_process, embedded_store

DATABASE = "portfolio_bench_serve_options"
DEFAULT = "1:asyncio:h11,1:uvloop:httptools,2:asyncio:h11,2:uvloop:httptools"


def measure(workers: int, loop: str, http: str) -> tuple[WrkFigures, WrkFigures, float]:
    """(archive read, healthz, peak RSS MiB of the API's processes) for one configuration."""
    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_WRK_CONNECTIONS", "16"))
    threads = int(os.environ.get("BENCH_WRK_THREADS", "2"))
    options = {"seconds": seconds, "connections": connections, "threads": threads}
    serve = [sys.executable, "-m", "api", "serve", "--demo"]
    serve += [f"--workers={workers}", f"--loop={loop}", f"--http={http}"]
    with embedded_store() as uri, api_process(uri, DATABASE, command=serve) as api:
        _, token = log_in_both_ways(api.base_url)
        bearer = f"Authorization: Bearer {token}"
        run_wrk("warm-up", api.base_url + JSON, bearer, **{**options, "seconds": 2})
        archive = run_wrk("GET /me/archive", api.base_url + JSON, bearer, **options)
        health = run_wrk("GET /healthz", api.base_url + "/healthz", bearer, **options)
        return archive, health, api.peak_rss_mib()


def main() -> int:
    """Measure every configuration asked for and print one table."""
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk")
        return 2
    lines = [
        "| workers | loop | http | /me/archive req/s | p50 ms | p90 ms | p99 ms | bad "
        "| /healthz req/s | healthz p50 ms | peak RSS MiB |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    failed = False
    for config in os.environ.get("BENCH_SERVE_CONFIGS", DEFAULT).split(","):
        workers, loop, http = config.split(":")
        archive, health, rss = measure(int(workers), loop, http)
        p = archive.percentiles_ms
        failed = failed or bool(archive.bad_answers or health.bad_answers)
        lines.append(
            f"| {workers} | {loop} | {http} | {archive.per_second:,.0f} | {p.get('p50', 0):.1f} "
            f"| {p.get('p90', 0):.1f} | {p.get('p99', 0):.1f} | {archive.bad_answers} "
            f"| {health.per_second:,.0f} | {health.percentiles_ms.get('p50', 0):.1f} "
            f"| {rss:,.0f} |"
        )
        print(lines[-1], flush=True)
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
