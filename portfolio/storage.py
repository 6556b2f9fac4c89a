"""The MongoDB client, Beanie initialisation and the embedded store's life cycle.

Without ``PORTFOLIO_MONGODB_URI`` the service runs on nx-27017, a MongoDB wire-protocol server
over SQLite, started here as a child process with every file it writes (data, pid, log) inside
the data directory. Portable (Linux, macOS, Alpine's musl) and safe with threads running (no
``preexec_fn``, no ``prctl``):

* the port: we bind the listening socket here and hand it to the child, so no other process
  can take the port between our choice and the child's start;
* no orphan: the child watches a pipe whose write end only we hold; when we close it or die
  in any way, the child reads end of file and stops (``portfolio.embedded_main``);
* one store per data directory: an ``flock`` on ``store.lock``, inherited by the child, so it
  holds for as long as the child lives, even past our own end. A start finding it held waits
  a moment (an old store whose parent just died is on its way out), then refuses, naming the
  store's pid.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
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
PID_FILE = "nx-27017.pid"
# How long a start waits for an old store to let go of the data directory.
LOCK_WAIT_S = 15.0
# How long a stop waits for the store to close SQLite before killing it: on a loaded machine
# (the tests saw it on two cores busy with other test runs) ten seconds were not always enough.
STOP_WAIT_S = 30.0


class StoreError(RuntimeError):
    """The embedded store could not be started (port, data directory or lock problem)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


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
    lock_wait_s: float = LOCK_WAIT_S
    _lock: IO[str] | None = field(default=None, repr=False)
    # Our end of the child's watch pipe: closing it (or our death) stops the child.
    _watch: int | None = field(default=None, repr=False)

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
            self._lock = self.acquire_lock()
        self._spawn(timeout_s)
        return self.uri

    def acquire_lock(self) -> IO[str]:
        """Lock the data directory (an ``flock`` held while the handle stays open), waiting
        up to ``lock_wait_s`` for an old store to let go; StoreError naming its pid if not."""
        handle = (self.data_dir / LOCK_FILE).open("a")
        deadline = time.monotonic() + self.lock_wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    handle.close()
                    holder = _read_pid(self.data_dir / PID_FILE)
                    raise StoreError(
                        f"another embedded store (pid {holder or 'unknown'}) already uses "
                        f"{self.data_dir}; stop it, or let commands use it through its "
                        f"{STORE_FILE}"
                    ) from exc
            time.sleep(0.2)

    def _listen(self) -> socket.socket:
        """The listening socket the child will serve: bound here, so the port is ours."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            raise StoreError(f"port {self.port} on {self.host} is not free: {exc}") from exc
        self.port = sock.getsockname()[1]
        return sock

    def _spawn(self, timeout_s: float) -> None:
        assert self._lock is not None
        listener = self._listen()
        watch_read, watch_write = os.pipe()
        logfile = (self.data_dir / "nx-27017.log").open("ab")
        command = [
            sys.executable,
            "-m",
            "portfolio.embedded_main",
            "--data-dir",
            str(self.data_dir / "mongo"),
            "--listen-fd",
            str(listener.fileno()),
            "--watch-fd",
            str(watch_read),
            "--lock-fd",
            str(self._lock.fileno()),
            "--pid-file",
            str(self.data_dir / PID_FILE),
            "--log-file",
            str(self.data_dir / "nx-27017.log"),
        ]
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command,
                stdout=logfile,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                pass_fds=(listener.fileno(), watch_read, self._lock.fileno()),
                # Ctrl-C in a terminal reaches us, not the store directly: we stop it.
                start_new_session=True,
            )
        except BaseException:
            os.close(watch_write)
            raise
        finally:
            logfile.close()
            listener.close()
            os.close(watch_read)
        self._watch = watch_write
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
        if self._watch is not None:
            # End of file on the child's watch pipe: it stops by itself, as on our death.
            with contextlib.suppress(OSError):
                os.close(self._watch)
            self._watch = None
        if self.process is None:
            return
        if self.process.poll() is None:
            # SIGTERM lets nx-27017 close SQLite cleanly; every acknowledged write is already
            # committed to the WAL, so even a SIGKILL after the timeout loses nothing acked.
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_WAIT_S)
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


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


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
