"""SIGTERM and SIGINT stop ``portfolio serve`` and its embedded store the first time, even
under load; an old store holding the data directory makes a start wait, then refuse.

Bounds here are generous on purpose: they check that a stop happens, not how fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from portfolio.storage import EmbeddedStore, StoreError, ping
from tests.faults.serving import on_embedded_store

GONE_WITHIN_S = 45.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of someone else still answers kill 0; its state says it is dead.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state not in ("Z", "X")


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _load(base_url: str, stop: threading.Event, answered: list[int]) -> None:
    with httpx.Client(base_url=base_url, timeout=5) as http:
        while not stop.is_set():
            try:
                answered.append(http.get("/catalogue/runs").status_code)
            except httpx.HTTPError:
                answered.append(0)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["term", "int"])
def test_one_signal_stops_serve_and_its_store_under_load(
    tmp_path: Path, signum: signal.Signals
) -> None:
    served = on_embedded_store(tmp_path / "var")
    served.env["PORTFOLIO_LOG_LEVEL"] = "INFO"
    # The background repair is running too (grace 1 s, then every second).
    served.env["PORTFOLIO_REPAIR_GRACE_SECONDS"] = "1"
    served.env["PORTFOLIO_REPAIR_INTERVAL_SECONDS"] = "1"
    served.start()
    try:
        store_pid = served.store_pid()
        stop = threading.Event()
        answered: list[int] = []
        workers = [
            threading.Thread(target=_load, args=(served.base_url, stop, answered)) for _ in range(6)
        ]
        for worker in workers:
            worker.start()
        time.sleep(2.5)
        assert 200 in answered, answered[:20]
        served.process.send_signal(signum)  # type: ignore[union-attr]
        try:
            code = served.process.wait(timeout=GONE_WITHIN_S)  # type: ignore[union-attr]
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
        assert code == 0, served.log_tail()
        assert _gone_within(store_pid, 10), "the embedded store outlived serve"
        log = served.log_tail(chars=10_000_000)
        assert "SystemExit" not in log
        assert not (served.data_dir / "store.json").exists()
        messages = [r.get("msg") for r in served.log_records()]
        assert "stop requested" in messages
        store_log = (served.data_dir / "nx-27017.log").read_text()
        assert "SystemExit" not in store_log
        assert "embedded store stopped" in store_log
    finally:
        served.stop()


_ORPHAN_PARENT = """
import sys, time
from pathlib import Path
from portfolio.storage import EmbeddedStore
store = EmbeddedStore(Path(sys.argv[1]))
store.start()
print(store.process.pid, store.port, flush=True)
time.sleep(600)
"""


def test_a_killed_parent_leaves_no_store_and_the_next_start_recovers(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_PARENT, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        store_pid, port = (int(x) for x in parent.stdout.readline().split())
        uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        assert ping(uri)
        parent.kill()  # no clean-up at all, as a power cut or the OOM killer would
        parent.wait(timeout=10)
        # The store reads end of file on its watch pipe and stops by itself.
        assert _gone_within(store_pid, 20), "orphaned store kept running"
        store = EmbeddedStore(data_dir)
        try:
            assert ping(store.start())
        finally:
            store.stop()
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def test_a_start_refuses_while_a_live_store_holds_the_directory(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "var")
    first.start()
    try:
        assert first.process is not None
        began = time.monotonic()
        with pytest.raises(StoreError, match=rf"pid {first.process.pid}\) already uses"):
            EmbeddedStore(tmp_path / "var", lock_wait_s=1.0).start()
        assert time.monotonic() - began >= 1.0  # it gave the old store a moment first
    finally:
        first.stop()
    # Released at once by a clean stop: the next start needs no wait.
    second = EmbeddedStore(tmp_path / "var", lock_wait_s=0.0)
    try:
        second.start()
    finally:
        second.stop()


def test_the_store_is_started_without_preexec_fn_or_prctl() -> None:
    source = (Path(__file__).resolve().parents[2] / "portfolio" / "storage.py").read_text()
    assert "preexec_fn=" not in source
    assert "ctypes" not in source
    assert "libc.so" not in source
