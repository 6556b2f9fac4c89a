"""Verification is open to anyone but costs CPU: one client address gets a minute's share
(``verify_rate_per_minute``), then 429 with Retry-After, on the API and the page alike."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from api.runtime import Runtime


async def test_a_client_verifying_too_often_is_told_to_wait(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "verify_rate_per_minute", 3)
    answers = [
        await client.post("/credentials/verify", json={"credential": "not.a.jwt"}) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200] * 3
    assert all(a.json()["ok"] is False for a in answers)
    refused = await client.post("/credentials/verify", json={"credential": "not.a.jwt"})
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    # The page counts against the same share.
    page = await client.post("/verify", data={"credential": "not.a.jwt"})
    assert page.status_code == 429
