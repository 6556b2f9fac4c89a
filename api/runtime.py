"""What the app holds while it runs: settings, the database client, the keyring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo import AsyncMongoClient

from portfolio.keyring import Keyring
from portfolio.settings import Settings


@dataclass
class Runtime:
    """Created by the lifespan, read by dependencies; one per app."""

    settings: Settings
    client: AsyncMongoClient[dict[str, Any]]
    keyring: Keyring


def get_runtime(request: Request) -> Runtime:
    """The running app's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def runtime_of_request(request: Request) -> Runtime:
    """:func:`get_runtime` as a dependency: ``async`` so FastAPI calls it on the event loop
    (a plain function dependency runs in the thread pool: two thread hops per request)."""
    return get_runtime(request)


RuntimeDep = Annotated[Runtime, Depends(runtime_of_request)]
