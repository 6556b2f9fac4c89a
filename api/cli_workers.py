"""``portfolio serve --workers N``: several uvicorn worker processes on one listening socket.

The parent process owns what there must be one of: the embedded store (started once, its
address handed to the workers through ``PORTFOLIO_MONGODB_URI``), the listening socket (bound
once, inherited by every worker), the demo data set and the start-up repair (both run here once,
before any worker takes a request). Each worker is the ordinary app (``worker_app``): it binds
the documents, loads the keys and runs the periodic background repair, whose lease in the
store lets the workers take turns, as several replicas already do.

A first SIGTERM or SIGINT asks every worker to stop (requests in flight get the graceful
shutdown time); a worker still running after ``STOP_DEADLINE_S`` is killed, then the store is
stopped. A worker that dies is replaced (uvicorn's supervisor); one that fails before it
serves stops the whole service, since its replacement would fail the same way.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import threading
import time
from datetime import timedelta

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from api import cli_runtime, logs
from api.app import create_app
from portfolio import bootstrap
from portfolio.bootstrap import DemoLogin
from portfolio.repair import repair
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, StoreError

log = logging.getLogger("portfolio.cli")

# The embedded store is restarted at most this often before serve gives up (as with one worker).
MAX_RESTARTS = 5
RESTART_WINDOW_S = 300.0


def worker_app() -> FastAPI:
    """One worker's app (uvicorn's factory, imported by name in each spawned worker): the
    settings come from the environment the parent left, the store's address included."""
    settings = Settings()
    logs.configure(settings.log_level)
    return create_app(settings, repair_after_grace=True)


async def prepare_once(settings: Settings, demo: bool) -> list[DemoLogin]:
    """What the workers must find done: documents and keys, the demo if asked, the start-up
    repair (so no worker serves before a crash's half-done work is finished)."""
    async with cli_runtime.command_runtime(settings) as runtime:
        finished = await repair(grace=timedelta(seconds=settings.repair_grace_seconds))
        log.info("repair at start-up", extra={"ran": finished.ran})
        if demo:
            return await bootstrap.load_demo(settings=settings, keyring=runtime.keyring)
    return []


class Workers(Multiprocess):
    """uvicorn's worker supervisor with a bounded stop: stragglers are killed."""

    def join_all(self) -> None:
        """Wait for every worker until the stop deadline, then kill what is left."""
        deadline = time.monotonic() + cli_runtime.STOP_DEADLINE_S
        for worker in self.processes:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                log.error("worker overran the stop deadline", extra={"pid": worker.pid})
                worker.kill()
                worker.process.join()

    def failed_to_start(self) -> bool:
        """True when a worker exited before it served (the service stopped for it)."""
        return any(worker.exitcode == STARTUP_FAILURE for worker in self.processes)


def _watch_store(store: EmbeddedStore, stopping: threading.Event) -> None:
    """Restart the embedded store if it dies, a bounded number of times (a thread: the main
    thread runs the supervisor). The store comes back on the same port, so the workers'
    clients reconnect by themselves."""
    restarts: collections.deque[float] = collections.deque()
    while not stopping.wait(1.0):
        if store.alive():
            continue
        now = time.monotonic()
        while restarts and now - restarts[0] > RESTART_WINDOW_S:
            restarts.popleft()
        if len(restarts) >= MAX_RESTARTS:
            log.error("embedded store keeps dying; stopping the service")
            stopping.set()
            return
        restarts.append(now)
        log.warning("embedded store died; restarting it", extra={"attempt": len(restarts)})
        try:
            store.restart()
            log.info("embedded store restarted")
        except StoreError as exc:
            log.error("embedded store restart failed", extra={"reason": str(exc)})


def serve_workers(
    settings: Settings,
    store: EmbeddedStore | None,
    config: uvicorn.Config,
) -> bool:
    """Run ``config.workers`` workers until a stop signal; False if one failed to start.

    ``config`` names the app by import string (``api.cli_workers:worker_app``, a factory)."""
    if store is not None and settings.mongodb_uri is not None:
        # The workers are spawned: they read their settings from this environment.
        os.environ["PORTFOLIO_MONGODB_URI"] = settings.mongodb_uri.get_secret_value()
    socket = config.bind_socket()
    supervisor = Workers(config, sockets=[socket])
    watcher = None
    if store is not None:
        watcher = threading.Thread(
            target=_watch_store, args=(store, supervisor.should_exit), name="store-watch"
        )
        watcher.start()
    try:
        supervisor.run()
    finally:
        supervisor.should_exit.set()
        if watcher is not None:
            watcher.join()
        socket.close()
    return not supervisor.failed_to_start()


def run_prepare(settings: Settings, demo: bool) -> list[DemoLogin]:
    """``prepare_once`` from synchronous code."""
    return asyncio.run(prepare_once(settings, demo))
