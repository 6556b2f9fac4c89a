"""The verification page (paste and upload) and the worker's credential downloads."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from api.runtime import Runtime
from portfolio.accounts import Role
from tests.credentials.test_credentials import _certified
from tests.helpers import DEFAULT_PASSWORD, log_in_as
from tests.web.pages import ORIGIN, sign_in


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """The app in-process over https:// (so ``Secure`` cookies are kept and sent)."""
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_a_worker_downloads_their_clr_and_anyone_verifies_it_on_the_page(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    _, _, person = await _certified(client, runtime)
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    await sign_in(web, worker.principal.username, DEFAULT_PASSWORD)
    page = await web.get("/my/certificates")
    assert 'href="/my/credentials/clr.jwt"' in page.text
    badges = await web.get("/my/credentials/badges.json")
    assert badges.status_code == 200
    assert {b["kind"] for b in json.loads(badges.text)} == {"certificate", "completion"}
    clr = await web.get("/my/credentials/clr.jwt")
    assert clr.headers["content-disposition"].startswith("attachment")

    web.cookies.clear()  # anyone: no session
    form = await web.get("/verify")
    assert form.status_code == 200
    pasted = await web.post("/verify", data={"credential": clr.text}, headers=ORIGIN)
    assert pasted.status_code == 200
    text = _text(pasted.text)
    assert "有效" in text
    assert "无效" not in text
    assert person.name not in pasted.text
    assert person.id_number not in pasted.text
    uploaded = await web.post(
        "/verify",
        files={"file": ("archive-clr.jwt", clr.text.encode(), "application/vc+jwt")},
        headers=ORIGIN,
    )
    assert "无效" not in _text(uploaded.text)
    tampered = clr.text[:-3] + ("AAA" if clr.text[-3:] != "AAA" else "BBB")
    refused = await web.post("/verify", data={"credential": tampered}, headers=ORIGIN)
    assert "无效" in _text(refused.text)
    empty = await web.post("/verify", data={"credential": ""}, headers=ORIGIN)
    assert "请粘贴凭证或选择其文件" in _text(empty.text)
    elsewhere = await web.post(
        "/verify", data={"credential": clr.text}, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403
