"""Where the time goes while a scenario runs: CPU seconds per operation of the API and of the
store, and (``BENCH_PYSPY=<dir>``) py-spy samples of both processes during a second run.

The CPU figures are read from ``/proc`` before and after a run, so they cost nothing and the
machine's other load moves them much less than it moves operations per second. On the
embedded store (nx-27017: one Python process, every command under one lock per database),
"store CPU per operation" bounds what any client can reach: 1 / that many operations per
second of one core.

The samples are py-spy's collapsed stacks (``--format raw``, non-blocking, 100 Hz, idle
threads left out), written to ``<dir>/<name>.api.txt`` and ``<dir>/<name>.store.txt``; the
summaries (the share of samples with each function on the stack, and each function's own
share) are printed and written beside them as ``.summary.txt``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PYSPY_DIR = os.environ.get("BENCH_PYSPY", "")
RATE = 100
OUTER = 0.97


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes ``pids`` have used so far (gone ones: 0)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load() -> str:
    """The load average (1, 5, 15 minutes) now."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Cpu:
    """CPU seconds used by the API and by the store during one run, and its wall time."""

    api_s: float = 0.0
    store_s: float = 0.0
    wall_s: float = 0.0
    load: str = ""

    def per_op(self, ops: int) -> str:
        """``API a ms + store s ms CPU per op; store busy b% of a core; load ...``."""
        if not ops or not self.wall_s:
            return f"load {self.load}"
        return (
            f"CPU per op: API {self.api_s * 1000 / ops:.2f} ms, store "
            f"{self.store_s * 1000 / ops:.2f} ms; store busy {self.store_s / self.wall_s:.0%} "
            f"of a core, API {self.api_s / self.wall_s:.0%}; load {self.load}"
        )


@contextmanager
def measured(api_pids: list[int], store_pid: int | None) -> Iterator[Cpu]:
    """``with measured(...) as cpu: run()``: then ``cpu`` holds what the run used."""
    import time

    stores = [store_pid] if store_pid else []
    cpu = Cpu(load=load())
    api0, store0, wall0 = cpu_seconds(api_pids), cpu_seconds(stores), time.perf_counter()
    try:
        yield cpu
    finally:
        cpu.api_s = cpu_seconds(api_pids) - api0
        cpu.store_s = cpu_seconds(stores) - store0
        cpu.wall_s = time.perf_counter() - wall0


def _spy() -> str:
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


def available() -> bool:
    """Whether profiles are asked for and py-spy is there."""
    return bool(PYSPY_DIR) and Path(_spy()).exists()


@contextmanager
def sampled(name: str, pids: dict[str, int], seconds: float) -> Iterator[None]:
    """py-spy on each of ``pids`` ({"api": pid, "store": pid}) for ``seconds`` while the body
    runs; then the summaries are printed and written (see the module docstring)."""
    out = Path(PYSPY_DIR)
    out.mkdir(parents=True, exist_ok=True)
    samplers = {
        role: subprocess.Popen(
            [
                _spy(),
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(max(1, round(seconds))),
                "--rate",
                str(RATE),
                "--format",
                "raw",
                "--output",
                str(out / f"{name}.{role}.txt"),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for role, pid in pids.items()
    }
    try:
        yield
    finally:
        for role, sampler in samplers.items():
            sampler.wait(timeout=seconds + 60)
            stacks = out / f"{name}.{role}.txt"
            if stacks.exists():
                text = summarise(stacks, seconds)
                (out / f"{name}.{role}.summary.txt").write_text(text + "\n")
                print(f"py-spy {name} {role}:\n{text}", flush=True)


def _label(frame: str) -> str:
    """``function (package/module.py)`` without the line."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rstrip(')').rsplit(':', 1)[0]})"


def summarise(path: Path, seconds: float, top: int = 25) -> str:
    """Samples against the ones a busy thread would give (one thread's share of a core), then
    the functions by inclusive share (on the stack) and by own share (the sampled frame)."""
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        samples = int(count)
        total += samples
        frames = [_label(f) for f in stack.split(";") if f]
        for label in set(frames):
            inclusive[label] += samples
        own[frames[-1]] += samples
    if not total:
        return "no samples"
    lines = [
        f"{total} samples of non-idle threads in {seconds:.0f} s at {RATE} Hz "
        f"({total / (seconds * RATE):.0%} of one thread busy all the time)",
        "on the stack:",
        *(
            f"  {n / total:6.1%}  {label}"
            for label, n in inclusive.most_common(top + 10)
            if n / total < OUTER  # leaves out the frames every stack has (the loop, main)
        ),
        "own (the frame sampled):",
        *(f"  {n / total:6.1%}  {label}" for label, n in own.most_common(top)),
    ]
    return "\n".join(lines)
