"""`portfolio serve` as a real process: embedded store start, supervision, restart, clean stop."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from portfolio.storage import free_port


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    data_dir: Path

    def store_pid(self) -> int:
        return int((self.data_dir / "nx-27017.pid").read_text().strip())

    def store_uri(self) -> str:
        import json

        info = json.loads((self.data_dir / "store.json").read_text())
        return f"mongodb://{info['host']}:{info['port']}/?directConnection=true"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.split(") ", 1)[1][0] != "Z"
    return False


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.HTTPError:
        return None


@contextlib.contextmanager
def serve(data_dir: Path) -> Iterator[Served]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    # A short server selection lets readyz refuse before the supervisor restarts a killed store.
    env.update(
        PORTFOLIO_DATA_DIR=str(data_dir),
        PORTFOLIO_PORT=str(port),
        PORTFOLIO_SERVER_SELECTION_TIMEOUT_MS="300",
    )
    with (data_dir.parent / f"serve-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
    served = Served(process, f"http://127.0.0.1:{port}", data_dir)
    try:

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"serve exited with {process.returncode}")
            return _status(served.base_url + "/readyz") == 200

        _wait_for(ready, 60, "readyz 200")
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _first_unready_answer(base_url: str, within_s: float) -> httpx.Response:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        response = httpx.get(base_url + "/readyz", timeout=5)
        if response.status_code != 200:
            return response
        time.sleep(0.05)
    raise AssertionError("readyz never reported the killed store")


def test_serve_supervises_the_embedded_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    with serve(data_dir) as served:
        assert _status(served.base_url + "/healthz") == 200
        with MongoClient(served.store_uri()) as raw:
            raw["portfolio"]["persistence_probe"].insert_one({"_id": "kept", "n": 1})

        first_pid = served.store_pid()
        os.kill(first_pid, signal.SIGKILL)
        # The supervisor notices within a second and restarts the store, so the probe is
        # sampled until the first refusal: a single probe could land after the restart.
        unready = _first_unready_answer(served.base_url, within_s=30)
        assert unready.status_code == 503
        assert unready.headers["content-type"] == "application/problem+json"
        _wait_for(lambda: _status(served.base_url + "/readyz") == 200, 30, "store restarted")
        restarted_pid = served.store_pid()
        assert restarted_pid != first_pid

        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=30) == 0
        _wait_for(lambda: not _alive(restarted_pid), 10, "store stopped with serve")
        assert not (data_dir / "store.json").exists()

    # A second start finds the data written before.
    with serve(data_dir) as served, MongoClient(served.store_uri()) as raw:
        assert raw["portfolio"]["persistence_probe"].find_one({"_id": "kept"}) == {
            "_id": "kept",
            "n": 1,
        }


def test_store_dies_with_a_killed_serve(tmp_path: Path) -> None:
    with serve(tmp_path / "var") as served:
        store_pid = served.store_pid()
        served.process.kill()
        served.process.wait(timeout=10)
        _wait_for(lambda: not _alive(store_pid), 10, "orphaned store to die")


def test_two_stores_never_share_a_data_directory(tmp_path: Path) -> None:
    from portfolio.storage import EmbeddedStore, StoreError

    first = EmbeddedStore(tmp_path / "var")
    first.start()
    try:
        with pytest.raises(StoreError, match="already uses"):
            EmbeddedStore(tmp_path / "var", lock_wait_s=1.0).start()
    finally:
        first.stop()
