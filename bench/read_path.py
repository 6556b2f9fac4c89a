"""The read path of issue 28: ``GET /me/archive`` beside the raw read it needs, and JWKS beside
``/healthz``, all in one run.

``python -m bench.read_path``: a fresh embedded store, the service started as ``portfolio serve
--demo`` starts it (its own process), ``worker-1`` logged in, then Debian's ``wrk``
(``BENCH_WRK_CONNECTIONS``, default 16; ``BENCH_WRK_THREADS``, default 2;
``BENCH_WRK_SECONDS`` each, default 10) against, one after the other:

* ``GET /me/archive`` with the worker's bearer token;
* the raw read that answer needs, issued straight through async PyMongo from this process with
  as many concurrent tasks as wrk has connections: the archive by ``_id`` and its newest 21
  entries (two round trips, no HTTP, no token, no JSON);
* ``GET /.well-known/jwks.json`` and ``GET /healthz``.

It prints each figure (requests/s, p50/p90/p99), the ratios route / raw (goal 0.75, with p99 at
most 3 x p50) and JWKS / healthz (goal 0.8), and the server's RSS. The machine has two cores
shared by wrk, the server, the store and (for the raw half) this process: absolute figures are
low and move with the machine's load, the ratios of one run are what compare.

``BENCH_ARCHIVES=N`` first seeds a province of N archives into the store (``portfolio seed``)
and measures the first seeded worker instead (its password is ``BENCH_SEED_PASSWORD``, the
seed's default unless given).
``BENCH_SERVER_DIR=<dir>`` serves the code of another checkout of the project (say, the
commit before a change, unpacked with ``git archive``) with this environment, so a change can
be measured against what it replaced under the same load.
``BENCH_PYSPY=<file>`` samples the server with ``py-spy`` (on PATH) during a second
``/me/archive`` run and writes the collapsed stacks to that file, then prints where the time
went (by our function, own and below).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import DESCENDING, AsyncMongoClient

from bench.archive_page import WrkFigures, log_in_both_ways, run_wrk
from bench.harness import BENCH_MASTER_KEY, api_process, drive, embedded_store
from portfolio.seed.accounts import worker_username

DATABASE = "portfolio_bench_read_path"
PAGE = 20  # the route's default page: it reads one more to know whether there is a next
SEED_PASSWORD = os.environ.get("BENCH_SEED_PASSWORD", "seed-password")


def _raw_read(db: Any, archive_id: str) -> Any:
    async def read(_: int) -> bool:
        archive = await db["archives"].find_one({"_id": ObjectId(archive_id)})
        entries = (
            await db["archive_entries"]
            .find({"archive_id": archive_id})
            .sort("seq", DESCENDING)
            .limit(PAGE + 1)
            .to_list()
        )
        return archive is not None and bool(entries)

    return read


async def _raw(uri: str, archive_id: str, *, seconds: int, connections: int) -> Any:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        return await drive(
            "raw: archive + newest 21 entries",
            _raw_read(client[DATABASE], archive_id),
            concurrency=connections,
            total=10**9,
            time_limit_s=seconds,
        )
    finally:
        await client.close()


def _seed(uri: str, archives: int, data_dir: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        PORTFOLIO_MONGODB_URI=uri,
        PORTFOLIO_DATABASE=DATABASE,
        PORTFOLIO_MASTER_KEY=BENCH_MASTER_KEY,
        PORTFOLIO_DATA_DIR=data_dir,
    )
    subprocess.run(
        [sys.executable, "-m", "api", "seed", "--archives", str(archives)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _seeded_token(base_url: str, password: str) -> str:
    """The access token of the first seeded worker that has a login."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for number in range(50):
            answer = http.post(
                "/auth/token",
                data={
                    "grant_type": "password",
                    "username": worker_username(number),
                    "password": password,
                },
            )
            if answer.status_code == 200:
                token: str = answer.json()["access_token"]
                return token
    raise RuntimeError("none of the first 50 seeded workers could log in")


def _archive_id(base_url: str, token: str) -> str:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        me = http.get("/me", headers={"Authorization": f"Bearer {token}"})
        me.raise_for_status()
        warm = http.get("/me/archive", headers={"Authorization": f"Bearer {token}"})
        warm.raise_for_status()
        archive_id: str = me.json()["archive_id"]
    return archive_id


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(pid: int, run: Callable[[], WrkFigures]) -> tuple[WrkFigures, float]:
    """``run``'s figures and the server's CPU milliseconds per request during it: a figure
    the machine's other load moves much less than requests per second."""
    before = cpu_seconds(pid)
    figures = run()
    used = cpu_seconds(pid) - before
    return figures, used * 1000 / figures.requests if figures.requests else 0.0


def _row(label: str, per_second: float, p50: float, p90: float, p99: float, bad: int) -> str:
    return f"| {label} | {per_second:,.0f} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {bad} |"


def _wrk_row(figures: WrkFigures) -> str:
    p = figures.percentiles_ms
    return _row(
        figures.label,
        figures.per_second,
        p.get("p50", 0),
        p.get("p90", 0),
        p.get("p99", 0),
        figures.bad_answers,
    )


_LIBRARIES = (
    "starlette",
    "fastapi",
    "pydantic",
    "pydantic_core",
    "pymongo",
    "uvicorn",
    "h11",
    "jose",
    "beanie",
    "asyncio",
    "ecdsa",
    "cryptography",
    "anyio",
    "bson",
)


def _frame_label(frame: str) -> str | None:
    """``function (file)`` for our own code, ``[library]`` for a library's, None for the rest
    (py-spy names a frame ``function (package/module.py:line)``)."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    top = path.split("/", 1)[0]
    if top in ("portfolio", "api", "schemas"):
        if name in ("<module>", "main", "serve"):
            return None  # the process's own frames: on every stack
        return f"{name} ({path})"
    if top in _LIBRARIES:
        return f"[{top}]"
    if path.endswith(("selectors.py", "base_events.py")) and name in ("select", "_run_once"):
        return "[event loop: select]" if name == "select" else "[event loop]"
    return None


def summarise_profile(path: Path, top: int = 30) -> str:
    """The share of samples with each of our functions (and each library) on the stack, from
    collapsed stacks (``py-spy record --format raw``), biggest first."""
    total = 0
    inclusive: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        labels = {_frame_label(frame) for frame in stack.split(";")}
        for label in labels - {None}:
            inclusive[str(label)] += samples
    if not total:
        return "no samples"
    lines = [f"{total} samples; share of samples with the function on the stack:"]
    for label, samples in inclusive.most_common(top):
        lines.append(f"  {samples / total:6.1%}  {label}")
    return "\n".join(lines)


def _profile(pid: int, url: str, header: str, out: Path, **options: int) -> str:
    seconds = options["seconds"]
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    sampler = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run_wrk("profiled", url, header, **options)
    sampler.wait(timeout=seconds + 60)
    return summarise_profile(out)


def main() -> int:
    """Serve, log in, load the routes and the raw read, print the figures (see the docstring)."""
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk")
        return 2
    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_WRK_CONNECTIONS", "16"))
    threads = int(os.environ.get("BENCH_WRK_THREADS", "2"))
    archives = int(os.environ.get("BENCH_ARCHIVES", "0"))
    options = {"seconds": seconds, "connections": connections, "threads": threads}
    serve = [sys.executable, "-m", "api", "serve"] + ([] if archives else ["--demo"])
    server_dir = os.environ.get("BENCH_SERVER_DIR")
    if server_dir:
        # ``python -m api`` from that checkout: its packages come first on the path.
        start = (
            f"import os, runpy, sys; os.chdir({server_dir!r}); sys.path.insert(0, {server_dir!r});"
            " runpy.run_module('api', run_name='__main__', alter_sys=True)"
        )
        serve = [sys.executable, "-c", start, *serve[3:]]
    profile = os.environ.get("BENCH_PYSPY")
    with embedded_store() as uri:
        if archives:
            with tempfile.TemporaryDirectory(prefix="bench-read-path-") as data_dir:
                _seed(uri, archives, data_dir)
        with api_process(uri, DATABASE, command=serve) as api:
            if archives:
                token = _seeded_token(api.base_url, SEED_PASSWORD)
            else:
                token = log_in_both_ways(api.base_url)[1]
            archive_id = _archive_id(api.base_url, token)
            bearer = f"Authorization: Bearer {token}"
            pid = api.process.pid
            route, route_cpu = _measured(
                pid,
                lambda: run_wrk("GET /me/archive", api.base_url + "/me/archive", bearer, **options),
            )
            started_cpu = time.process_time()
            raw = asyncio.run(_raw(uri, archive_id, seconds=seconds, connections=connections))
            raw_cpu = (time.process_time() - started_cpu) * 1000 / max(raw.requests, 1)
            plain = "Accept: application/json"
            jwks, jwks_cpu = _measured(
                pid,
                lambda: run_wrk(
                    "GET /.well-known/jwks.json",
                    api.base_url + "/.well-known/jwks.json",
                    plain,
                    **options,
                ),
            )
            health, health_cpu = _measured(
                pid, lambda: run_wrk("GET /healthz", api.base_url + "/healthz", plain, **options)
            )
            rss = api.rss_mib()
            profiled = (
                _profile(
                    api.process.pid, api.base_url + "/me/archive", bearer, Path(profile), **options
                )
                if profile
                else None
            )
    scale = f"{archives:,} seeded archives" if archives else "the demo data"
    if server_dir:
        scale += f", the server's code from {server_dir}"
    print(f"{scale}; wrk {seconds} s each, {connections} connections, {threads} threads")
    print("| what | req/s | p50 ms | p90 ms | p99 ms | bad |\n|---|---|---|---|---|---|")
    print(_wrk_row(route))
    print(
        _row(raw.label, raw.per_second, raw.p50_ms, raw.p95_ms, raw.p99_ms, raw.errors)
        + " (raw: p95 in the p90 column)"
    )
    print(_wrk_row(jwks))
    print(_wrk_row(health))
    ratio = route.per_second / raw.per_second if raw.per_second else 0.0
    p50 = route.percentiles_ms.get("p50", 0.0)
    spread = route.percentiles_ms.get("p99", 0.0) / p50 if p50 else 0.0
    keys = jwks.per_second / health.per_second if health.per_second else 0.0
    print(f"\n/me/archive / raw: {ratio:.2f} (goal 0.75); p99 / p50: {spread:.1f} (goal <= 3)")
    print(f"JWKS / healthz: {keys:.2f} (goal 0.80); server RSS {rss:.0f} MiB")
    print(
        f"server CPU per request: /me/archive {route_cpu:.2f} ms, JWKS {jwks_cpu:.2f} ms, "
        f"healthz {health_cpu:.2f} ms; the raw read's client CPU {raw_cpu:.2f} ms"
    )
    if profiled:
        print(f"\npy-spy of /me/archive under wrk ({profile}):\n{profiled}")
    bad = route.bad_answers + jwks.bad_answers + health.bad_answers + raw.errors
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
