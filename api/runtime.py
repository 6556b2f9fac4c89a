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


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
