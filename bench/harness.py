"""Shared benchmark machinery: a store, the API in its own process, a bounded load driver.

The API runs under uvicorn in a separate process and is driven over loopback from this one, so
the figures include HTTP, serialisation and the event loop as a client would see them. Every
loop is bounded by a request count and a time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from portfolio import bootstrap
from portfolio.keyring import Keyring
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, free_port, init_documents, make_client

BENCH_MASTER_KEY = "bench-master-key-not-a-secret"
# How the bench serves the API: ``portfolio serve`` options from the environment
# (BENCH_WORKERS=2, BENCH_LOOP=asyncio|uvloop, BENCH_HTTP=h11|httptools; default: serve's own).
SERVE_OPTIONS = [
    f"--{name}={os.environ[f'BENCH_{name.upper()}']}"
    for name in ("workers", "loop", "http")
    if os.environ.get(f"BENCH_{name.upper()}")
]


@dataclass(frozen=True)
class Figures:
    """What one measured run gives."""

    label: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p90_ms: float = 0.0

    @property
    def per_second(self) -> float:
        """Completed operations per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        """One Markdown table row."""
        return (
            f"| {self.label} | {self.requests} | {self.errors} | {self.per_second:,.0f} | "
            f"{self.p50_ms:.1f} | {self.p95_ms:.1f} | {self.p99_ms:.1f} |"
        )


TABLE_HEADER = (
    "| scenario | ops | errors | ops/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|"
)


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


async def drive(
    label: str,
    operation: Callable[[int], Awaitable[bool]],
    *,
    concurrency: int,
    total: int,
    time_limit_s: float = 60.0,
) -> Figures:
    """Run ``operation(i)`` ``total`` times from ``concurrency`` tasks; it returns success."""
    latencies: list[float] = []
    errors = 0
    next_index = 0
    deadline = time.perf_counter() + time_limit_s

    async def worker() -> None:
        nonlocal next_index, errors
        while next_index < total and time.perf_counter() < deadline:
            index = next_index
            next_index += 1
            started = time.perf_counter()
            try:
                ok = await operation(index)
            except Exception:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return Figures(
        label,
        len(latencies),
        errors,
        elapsed,
        statistics.median(ordered) if ordered else 0.0,
        _quantile(ordered, 0.95),
        _quantile(ordered, 0.99),
        _quantile(ordered, 0.90),
    )


@contextlib.contextmanager
def embedded_store(data_dir: Path | None = None) -> Iterator[str]:
    """A fresh embedded store for one benchmark; yields its URI."""
    with tempfile.TemporaryDirectory(prefix="portfolio-bench-") as scratch:
        store = EmbeddedStore(data_dir or Path(scratch) / "var")
        try:
            yield store.start()
        finally:
            store.stop()


@dataclass
class ApiProcess:
    """The API served by uvicorn in a child process."""

    process: subprocess.Popen[bytes]
    base_url: str

    def pids(self) -> list[int]:
        """The API process and its workers, if any."""
        return self._pids()

    def _pids(self) -> list[int]:
        """The API process and its descendants (``serve --workers N``: the workers)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
        return found

    def _status_kib(self, field: str) -> int:
        total = 0
        for pid in self._pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(field):
                        total += int(line.split()[1])
        return total

    def peak_rss_mib(self) -> float:
        """The peak resident memory so far (VmHWM), summed over the API's processes."""
        return self._status_kib("VmHWM:") / 1024

    def rss_mib(self) -> float:
        """The resident memory now (VmRSS), summed over the API's processes."""
        return self._status_kib("VmRSS:") / 1024


@contextlib.contextmanager
def api_process(
    uri: str,
    database: str,
    extra_env: dict[str, str] | None = None,
    command: list[str] | None = None,
    ready_timeout_s: float = float(os.environ.get("BENCH_READY_TIMEOUT", "1800")),
) -> Iterator[ApiProcess]:
    """Serve the API on ``uri``/``database`` in a child process until the block ends.

    ``extra_env`` adds settings (``PORTFOLIO_*``) for this process only; ``command`` replaces
    ``python -m api serve`` (the profiler wraps it)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    with tempfile.TemporaryDirectory(prefix="portfolio-bench-api-") as data_dir:
        env.update(
            PORTFOLIO_MONGODB_URI=uri,
            PORTFOLIO_DATABASE=database,
            PORTFOLIO_DATA_DIR=data_dir,
            PORTFOLIO_MASTER_KEY=BENCH_MASTER_KEY,
            PORTFOLIO_PORT=str(port),
            PORTFOLIO_LOG_LEVEL="WARNING",
            **(extra_env or {}),
        )
        process = subprocess.Popen(
            command or [sys.executable, "-m", "api", "serve", *SERVE_OPTIONS],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        api = ApiProcess(process, f"http://127.0.0.1:{port}")
        try:
            deadline = time.monotonic() + ready_timeout_s
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"the API exited with {process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(api.base_url + "/readyz", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
            else:
                raise RuntimeError(f"the API did not become ready within {ready_timeout_s:.0f} s")
            yield api
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass(frozen=True)
class BenchStore:
    """A fresh embedded store with the service's documents bound and keys made."""

    uri: str
    database: str
    settings: Settings
    client: AsyncMongoClient[dict[str, Any]]
    keyring: Keyring


@contextlib.asynccontextmanager
async def bench_store(database: str) -> AsyncIterator[BenchStore]:
    """A store for one benchmark, set up as the app's lifespan does (cheap password hashing:
    logins are set-up in a benchmark, not what it measures)."""
    with embedded_store() as uri, tempfile.TemporaryDirectory(prefix="bench-data-") as data:
        settings = Settings(
            _env_file=None,
            mongodb_uri=SecretStr(uri),
            database=database,
            master_key=SecretStr(BENCH_MASTER_KEY),
            data_dir=Path(data),
            argon2_time_cost=1,
            argon2_memory_cost_kib=8,
            argon2_parallelism=1,
        )
        client = make_client(uri, settings)
        try:
            await init_documents(client, database, DOCUMENT_MODELS)
            keyring = Keyring(BENCH_MASTER_KEY.encode())
            await keyring.load()
            await bootstrap.prepare(settings=settings, keyring=keyring)
            yield BenchStore(uri, database, settings, client, keyring)
        finally:
            await client.close()
