"""The database and keys for one command-line command (``admin create-user``, ``keys rotate``…),
and the server that ``portfolio serve`` runs (:class:`StoppingServer`).

A command uses, in this order: ``PORTFOLIO_MONGODB_URI``; the embedded store that a running
``portfolio serve`` published in the data directory; or an embedded store of its own, started
for the command and stopped after it (the data directory's lock keeps two stores apart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager, contextmanager
from types import FrameType

import uvicorn

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.keyring import Keyring, load_master_secret
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, init_documents, make_client, running_store_uri

log = logging.getLogger("portfolio.cli")

# After a first stop signal, the longest the service may take to stop before it ends itself.
STOP_DEADLINE_S = 25.0
# Requests still in flight at a stop get this long to finish.
GRACEFUL_SHUTDOWN_S = 10


@asynccontextmanager
async def command_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Documents bound and keys loaded, as the app's lifespan has them; cleaned up after."""
    store: EmbeddedStore | None = None
    if settings.mongodb_uri is not None:
        uri = settings.mongodb_uri.get_secret_value()
    else:
        running = await asyncio.to_thread(running_store_uri, settings.data_dir)
        if running is None:
            store = EmbeddedStore(settings.data_dir)
            running = await asyncio.to_thread(store.start)
        uri = running
    client = make_client(uri, settings)
    try:
        await init_documents(client, settings.database, DOCUMENT_MODELS)
        keyring = Keyring(load_master_secret(settings))
        await keyring.load()
        await bootstrap.prepare(settings=settings, keyring=keyring)
        yield Runtime(settings=settings, client=client, keyring=keyring)
    finally:
        await client.close()
        if store is not None:
            store.stop()


class StoppingServer(uvicorn.Server):
    """A uvicorn server that stops the first time it is asked, and lets ``serve`` clean up.

    uvicorn's own signal capture re-raises a caught SIGTERM once the server has returned,
    which killed ``portfolio serve`` before its ``finally`` could stop the embedded store (left
    running as an orphan). Here a first SIGTERM or SIGINT asks the server to exit (requests in
    flight get ``timeout_graceful_shutdown`` to finish) and arms a watchdog thread: should the
    shutdown not be over within ``stop_deadline_s`` (an event loop stuck in a long call), it
    runs ``on_deadline`` (stop the store) and ends the process. A second signal forces the
    exit at once.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        stop_deadline_s: float = STOP_DEADLINE_S,
        on_deadline: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self.stop_deadline_s = stop_deadline_s
        self.on_deadline = on_deadline
        self.stop_signal: int | None = None
        self._finished = threading.Event()

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Install our handlers for the server's life; never re-raise the signal after."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in handled}
        try:
            yield
        finally:
            self._finished.set()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self.stop_signal is not None:
            self.force_exit = True
            return
        self.stop_signal = sig
        self.should_exit = True
        log.info("stop requested", extra={"signal": signal.Signals(sig).name})
        threading.Thread(target=self._watchdog, name="stop-watchdog", daemon=True).start()

    def _watchdog(self) -> None:
        if self._finished.wait(self.stop_deadline_s):
            return
        log.error(
            "shutdown overran its deadline; stopping now",
            extra={"seconds": self.stop_deadline_s},
        )
        if self.on_deadline is not None:
            with contextlib.suppress(Exception):
                self.on_deadline()
        logging.shutdown()
        os._exit(1)
