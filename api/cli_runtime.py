"""The database and keys for one command-line command (``admin create-user``, ``keys rotate``…).

A command uses, in this order: ``PORTFOLIO_MONGODB_URI``; the embedded store that a running
``portfolio serve`` published in the data directory; or an embedded store of its own, started
for the command and stopped after it (the data directory's lock keeps two stores apart).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.keyring import Keyring, load_master_secret
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, init_documents, make_client, running_store_uri


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
