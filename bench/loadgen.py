"""The HTTP half of every scenario, driven by Debian's ``wrk`` instead of Python.

A Python load generator shares the two cores with the server and measured itself as much as
the service (``make bench`` read 0.21 of raw at 1k archives where wrk read 0.44). wrk is a C
event loop: it costs the cores far less per request. A scenario describes its requests
(``Call``: method, path, which bearer token, body, Idempotency-Key, group); ``run`` writes
them to a plan file that ``bench/wrk/plan.lua`` reads, runs wrk and returns what it counted:
the statuses (per group too: a contended redemption's winners per voucher), wrk's latency
percentiles and socket errors.

Two modes. ``cycle``: wrk's connections repeat the calls until the duration ends (reads).
``once``: every call is sent exactly once (writes use their work items up), one connection per
wrk thread, so each thread knows which call a response answers and stops after its last; wrk
is interrupted when every thread has stopped (it would sleep out its duration otherwise) and
the run is timed from its start to then. A once-run cut by its time limit leaves the calls in
flight at that moment unanswered (the server may still finish them).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Figures

SCRIPT = Path(__file__).parent / "wrk" / "plan.lua"
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
_FIELD = re.compile(r"[\t\r\n]")


@dataclass(frozen=True)
class Call:
    """One request of a plan."""

    method: str
    path: str
    token: int | None = None  # index into the plan's token pool
    body: str = ""
    content_type: str = ""
    idempotency_key: str = ""
    group: str = ""  # statuses are also counted per group


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run counted."""

    answered: int
    seconds: float
    statuses: Counter[str]
    grouped: dict[str, Counter[str]]
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    samples: tuple[str, ...] = ()  # each thread's first answer and first one of 300 or more

    @property
    def per_second(self) -> float:
        """Answers per second."""
        return self.answered / self.seconds if self.seconds else 0.0

    def count(self, statuses: Collection[int]) -> int:
        """Answers with one of ``statuses``."""
        return sum(self.statuses[str(s)] for s in statuses)

    def figures(self, label: str, ok: Collection[int] = (200,)) -> Figures:
        """As the suite's figures: errors are answers outside ``ok`` plus socket errors."""
        errors = self.answered - self.count(ok) + self.socket_errors
        return Figures(
            label,
            self.answered,
            errors,
            self.seconds,
            self.p50_ms,
            self.p99_ms,  # no p95 from wrk's percentiles here: the report shows p90
            self.p99_ms,
            self.p90_ms,
        )


def available() -> bool:
    """True when wrk is installed (``make browser`` installs it)."""
    return shutil.which("wrk") is not None


def _field(value: str) -> str:
    if _FIELD.search(value):
        raise ValueError(f"a plan field holds a tab or newline: {value[:60]!r}")
    return value


def write_plan(path: Path, tokens: Sequence[str], calls: Sequence[Call]) -> None:
    """The plan file ``plan.lua`` reads (see its header)."""
    lines = [f"T\t{_field(t)}" for t in tokens]
    for c in calls:
        fields = [
            c.method,
            c.path,
            "" if c.token is None else str(c.token + 1),
            c.content_type,
            c.idempotency_key,
            c.group,
            c.body,
        ]
        lines.append("\t".join(_field(f) for f in fields))
    path.write_text("\n".join(lines) + "\n")


def parse(output: str) -> WrkResult:
    """The ``WRK_JSON`` line ``done()`` printed."""
    found = re.search(r"^WRK_JSON (\{.*\})$", output, re.M)
    if found is None:
        raise RuntimeError(f"wrk printed no figures:\n{output[-2000:]}")
    raw = json.loads(found.group(1))
    statuses: Counter[str] = Counter()
    grouped: dict[str, Counter[str]] = {}
    for key, count in raw["statuses"].items():
        if "|" in key:
            group, status = key.rsplit("|", 1)
            grouped.setdefault(group, Counter())[status] += count
        else:
            statuses[key] += count
    latency = raw["latency_us"]
    return WrkResult(
        answered=raw["answered"],
        seconds=raw["duration_us"] / 1e6,
        statuses=statuses,
        grouped=grouped,
        socket_errors=sum(raw["errors"].values()),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
    )


def run(
    base_url: str,
    tokens: Sequence[str],
    calls: Sequence[Call],
    *,
    connections: int,
    seconds: float,
    once: bool,
    threads: int = 2,
    timeout_s: float = 120.0,
) -> WrkResult:
    """Run wrk with these calls for at most ``seconds`` (see the module docstring)."""
    if not calls:
        raise ValueError("a plan without calls")
    if once:
        # One connection per thread, never more threads than calls (a thread without a
        # call could not stop itself before the duration ends).
        connections = threads = max(1, min(connections, len(calls)))
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as scratch:
        plan = Path(scratch) / "plan.tsv"
        finished = Path(scratch) / "finished"
        write_plan(plan, tokens, calls)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, math.ceil(seconds))}s",
            f"--timeout={max(1, math.ceil(timeout_s))}s",
            "-s",
            str(SCRIPT),
            base_url,
            "--",
            str(plan),
            "once" if once else "cycle",
            str(threads),
            str(finished),
        ]
        started = time.monotonic()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        took = _wait_for_threads(process, finished, threads, started) if once else None
        stdout, stderr = process.communicate(timeout=seconds + 120)
        sample_file = Path(f"{finished}.sample")
        samples = (
            tuple(sample_file.read_text(errors="replace").splitlines())
            if sample_file.exists()
            else ()
        )
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}: {stderr[-2000:]}")
    result = dataclasses.replace(parse(stdout), samples=samples)
    if took is not None:
        result = dataclasses.replace(result, seconds=took)
    return result


def _wait_for_threads(
    process: subprocess.Popen[str], finished: Path, threads: int, started: float
) -> float | None:
    """Seconds until every wrk thread wrote its line to ``finished``, then SIGINT wrk;
    None when wrk ended first (its duration: the time limit cut the run)."""
    while process.poll() is None:
        try:
            lines = len(finished.read_text().split())
        except FileNotFoundError:
            lines = 0
        if lines >= threads:
            took = time.monotonic() - started
            process.send_signal(signal.SIGINT)
            return took
        time.sleep(0.01)
    return None
