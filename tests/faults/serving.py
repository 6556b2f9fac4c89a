"""``python -m api serve`` as a real subprocess for the fault tests: start, wait, kill, log.

Two set-ups: on its own embedded store (``--demo``), where the test can kill the store; or on the
test session's database (``PORTFOLIO_MONGODB_URI`` + the session's database name and master
key), where the test prepares data in-process and inspects the database directly while killing
only the API.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from portfolio.settings import Settings
from portfolio.storage import free_port

READY_TIMEOUT_S = 120.0


@dataclass
class Served:
    """One serve process: its port, data directory and stderr log."""

    data_dir: Path
    env: dict[str, str]
    args: list[str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Its stderr (structured logs, tracebacks of 500s), one file per start."""
        return self.data_dir.parent / f"serve-{self.port}-{self.starts}.log"

    @property
    def pid(self) -> int:
        """The API process's pid."""
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        """Start and wait until ``/readyz`` answers 200 (start-up repair has run by then)."""
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
        env.update(self.env, PORTFOLIO_PORT=str(self.port))
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api", "serve", *self.args],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"serve exited with {self.process.returncode}: {self.log_tail()}"
                )
            try:
                if httpx.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        # Not left behind to hold its port and store after the failure.
        self.stop()
        raise AssertionError(f"serve did not become ready: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the API process, as a power cut would stop it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop it cleanly if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the current start's log, for assertion messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def log_records(self) -> list[dict[str, Any]]:
        """The current start's JSON log lines."""
        records = []
        for line in self.log_tail(chars=10_000_000).splitlines():
            with contextlib.suppress(ValueError):
                records.append(json.loads(line))
        return records

    def repaired_at_start(self) -> dict[str, Any]:
        """What the start-up repair of the current start finished (needs INFO logs)."""
        found = [r for r in self.log_records() if r.get("msg") == "repair at start-up"]
        assert found, f"no start-up repair logged: {self.log_tail()}"
        return found[0]

    def store_pid(self) -> int:
        """The embedded store's pid (``--demo`` set-up only)."""
        return int((self.data_dir / "nx-27017.pid").read_text().strip())

    def store_port(self) -> int:
        """The embedded store's port, from the ``store.json`` serve publishes."""
        port: int = json.loads((self.data_dir / "store.json").read_text())["port"]
        return port

    def store_uri(self) -> str:
        """The embedded store's URI."""
        return f"mongodb://127.0.0.1:{self.store_port()}/?directConnection=true"


_CHEAP = {
    "PORTFOLIO_REPAIR_GRACE_SECONDS": "0",
    "PORTFOLIO_LOG_LEVEL": "WARNING",
    "PORTFOLIO_ARGON2_TIME_COST": "1",
    "PORTFOLIO_ARGON2_MEMORY_COST_KIB": "8",
    "PORTFOLIO_ARGON2_PARALLELISM": "1",
    "PORTFOLIO_LOGIN_RATE_PER_CLIENT": "100000",
}


def on_embedded_store(data_dir: Path) -> Served:
    """Serve the demo on an embedded store of its own in ``data_dir``."""
    return Served(data_dir, {"PORTFOLIO_DATA_DIR": str(data_dir), **_CHEAP}, ["--demo"])


def on_session_database(settings: Settings, data_dir: Path, **extra: str) -> Served:
    """Serve the test session's database (same server, database name and master key)."""
    assert settings.mongodb_uri is not None
    assert settings.master_key is not None
    env = {
        "PORTFOLIO_DATA_DIR": str(data_dir),
        "PORTFOLIO_MONGODB_URI": settings.mongodb_uri.get_secret_value(),
        "PORTFOLIO_DATABASE": settings.database,
        "PORTFOLIO_MASTER_KEY": settings.master_key.get_secret_value(),
        **_CHEAP,
        **extra,
    }
    return Served(data_dir, env, [])
