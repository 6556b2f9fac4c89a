"""The MongoDB client, Beanie initialisation and the embedded store's life cycle.

Without ``PORTFOLIO_MONGODB_URI`` the service runs on nx-27017, a MongoDB wire-protocol server
over SQLite, started here as a child process on a free loopback port with every file it writes
(data, pid, log) inside the data directory. A lock file makes sure two stores never open one
data directory; the child is told by the kernel to die with its parent so no orphan survives a
crash.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import PyMongoError

from portfolio.settings import Settings

log = logging.getLogger(__name__)

STORE_FILE = "store.json"
LOCK_FILE = "store.lock"
_PR_SET_PDEATHSIG = 1


class StoreError(RuntimeError):
    """The embedded store could not be started (port, data directory or lock problem)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def ping(uri: str, timeout_ms: int = 500) -> bool:
    """True when a MongoDB-wire server answers ``ping`` at ``uri``."""
    client: MongoClient[dict[str, Any]] = MongoClient(
        uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


@dataclass
class EmbeddedStore:
    """One nx-27017 child process serving ``data_dir``; start, watch, restart, stop."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _lock: IO[str] | None = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        """The connection string of the running store."""
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    def start(self, timeout_s: float = 30.0) -> str:
        """Lock the data directory, start the child and wait until it answers ``ping``."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            (self.data_dir / "mongo").mkdir(exist_ok=True)
            probe = self.data_dir / ".write-probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise StoreError(f"data directory {self.data_dir} is not usable: {exc}") from exc
        if self._lock is None:
            self._lock = self._acquire_lock()
        if not self.port:
            self.port = free_port(self.host)
        self._spawn(timeout_s)
        return self.uri

    def _acquire_lock(self) -> IO[str]:
        handle = (self.data_dir / LOCK_FILE).open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StoreError(
                f"another embedded store already uses {self.data_dir}; stop it or use its "
                f"{STORE_FILE}"
            ) from exc
        return handle

    def _spawn(self, timeout_s: float) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self.port))
            except OSError as exc:
                raise StoreError(f"port {self.port} on {self.host} is not free: {exc}") from exc
        logfile = (self.data_dir / "nx-27017.log").open("ab")
        command = [
            sys.executable,
            "-m",
            "portfolio.embedded_main",
            "--data-dir",
            str(self.data_dir / "mongo"),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--pid-file",
            str(self.data_dir / "nx-27017.pid"),
            "--log-file",
            str(self.data_dir / "nx-27017.log"),
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the store directly
        )
        logfile.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StoreError(
                    f"nx-27017 exited with code {self.process.returncode}; "
                    f"see {self.data_dir / 'nx-27017.log'}"
                )
            if ping(self.uri, timeout_ms=300):
                log.info("embedded store ready", extra={"port": self.port})
                return
            time.sleep(0.1)
        self.stop()
        raise StoreError(f"nx-27017 did not answer within {timeout_s:.0f} s")

    def alive(self) -> bool:
        """True while the child process runs."""
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        """Start the child again on the same port, so connected clients simply reconnect."""
        self._terminate()
        self._spawn(timeout_s=30.0)

    def _terminate(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            # SIGTERM lets nx-27017 close SQLite cleanly; every acknowledged write is already
            # committed to the WAL, so even a SIGKILL after the timeout loses nothing acked.
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Stop the child and release the data directory."""
        self._terminate()
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / STORE_FILE).unlink()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def publish(self) -> None:
        """Write ``store.json`` so other commands can use this running store."""
        payload = {"port": self.port, "host": self.host, "pid": os.getpid()}
        (self.data_dir / STORE_FILE).write_text(json.dumps(payload))


def running_store_uri(data_dir: Path) -> str | None:
    """The URI of a store that ``portfolio serve`` runs on ``data_dir``, if it is alive."""
    try:
        info = json.loads((data_dir / STORE_FILE).read_text())
        uri = f"mongodb://{info['host']}:{int(info['port'])}/?directConnection=true"
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return uri if ping(uri) else None


def make_client(uri: str, settings: Settings) -> AsyncMongoClient[dict[str, Any]]:
    """An async client that answers quickly (a 503, not a hang) when the database is gone,
    and does not give up on one that is only busy (``Settings.connect_timeout_ms``)."""
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
        connectTimeoutMS=settings.connect_timeout_ms,
        uuidRepresentation="standard",
    )


async def init_documents(
    client: AsyncMongoClient[dict[str, Any]], database: str, models: Sequence[type[Document]]
) -> None:
    """Bind Beanie to ``database`` and create the documents' indexes."""
    await init_beanie(database=client[database], document_models=list(models))
