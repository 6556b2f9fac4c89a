"""The credentials tests start from an empty issuer-key collection, as a fresh service does."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from portfolio import credentials


@pytest.fixture(autouse=True)
async def _fresh_issuer_keys(client: AsyncClient) -> None:
    # The process keeps its unwrapped keys; the last test's teardown emptied the collection.
    await credentials.reload_keys()
