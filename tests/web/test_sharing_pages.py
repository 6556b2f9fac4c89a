"""The share pages over the in-process client: making a link on the form, its address shown
once, the public page in scope only, an access code, revoking, the expired page, the zip."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap, clock
from tests.web.pages import ORIGIN, post_form, sign_in

DEMO_PASSWORD = "demo-password"
EN = {"Accept-Language": "en"}


@pytest.fixture
async def demo(runtime: Runtime) -> None:
    """The demo data set (the browser tests' data)."""
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def _make(web: AsyncClient, data: dict[str, str]) -> tuple[str, str]:
    made = await post_form(web, "/my/shares/new", page="/my/shares/new", data=data)
    assert made.status_code == 303, made.text
    page = await web.get(made.headers["location"])
    assert page.status_code == 200
    found = re.search(r'id="share-url">[^<]*/s/([A-Za-z0-9_-]+)<', page.text)
    assert found, "the new link's address is shown on its page"
    again = await web.get(made.headers["location"])
    assert found.group(1) not in again.text, "the address is shown only once"
    return made.headers["location"], found.group(1)


async def test_a_link_made_on_the_form_shows_its_scope_until_revoked(
    web: AsyncClient, app: object, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    form = await web.get("/my/shares/new")
    seqs = re.findall(r'name="entry-(\d+)"', form.text)
    assert len(seqs) >= 3
    certificate_seq = re.search(
        r'name="entry-(\d+)"[^>]*>\s*<label[^>]*>[^<]*(?:Certificate|证书)', form.text
    )
    assert certificate_seq is not None
    location, token = await _make(
        web,
        {
            "purpose": "job_application",
            "scope": "entries",
            f"entry-{certificate_seq.group(1)}": "on",
            "days": "10",
            "note": "成都某公司",
        },
    )
    public = await web.get(f"/s/{token}", headers=EN)
    assert public.status_code == 200
    text = _text(public.text)
    assert "王小明" in text
    assert text.count("Check this certificate with its issuer") == 1
    assert "Training completed" not in text
    assert "成都某公司" not in text  # the note is the worker's own
    listed = _text((await web.get("/my/shares", headers=EN)).text)
    assert "Times opened 1 " in listed
    revoke = await post_form(web, f"{location}/revoke", page=location)
    assert revoke.status_code == 303
    gone = await web.get(f"/s/{token}", headers=EN)
    assert gone.status_code == 410
    assert "This link has been revoked" in gone.text
    assert "王小明" not in gone.text
    log = _text((await web.get("/my/access-log", headers=EN)).text)
    assert "Opened your share link" in log


async def test_an_access_code_and_expiry_on_the_pages(web: AsyncClient, demo: None) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    _, token = await _make(
        web, {"purpose": "further_study", "days": "2", "access_code": "tiger-lily-7"}
    )
    asked = await web.get(f"/s/{token}", headers=EN)
    assert asked.status_code == 401
    assert "Enter the access code" in asked.text
    assert "王小明" not in asked.text
    wrong = await web.post(f"/s/{token}", data={"access_code": "nope-nope"}, headers=EN)
    assert wrong.status_code == 401
    assert "The access code is not right" in wrong.text
    right = await web.post(f"/s/{token}", data={"access_code": "tiger-lily-7"}, headers=EN)
    assert right.status_code == 200
    assert "王小明" in right.text
    clock.travel_to(clock.now() + timedelta(days=2, seconds=1))
    expired = await web.get(f"/s/{token}", headers=EN)
    assert expired.status_code == 410
    assert "This link has expired" in expired.text
    assert "Enter the access code" not in expired.text


async def test_the_form_refuses_a_bad_link(web: AsyncClient, demo: None) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    failed = await post_form(
        web,
        "/my/shares/new",
        page="/my/shares/new",
        data={"scope": "entries", "days": "120"},
        headers={**ORIGIN, **EN},
    )
    assert failed.status_code == 303
    assert failed.headers["location"] == "/my/shares/new"
    again = _text((await web.get("/my/shares/new", headers=EN)).text)
    assert "There is a problem" in again
    assert "Choose why you share your record" in again


async def test_the_export_holds_the_archive_and_its_papers(web: AsyncClient, demo: None) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    answer = await web.get("/my/export.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(bundle.namelist())
    assert "archive.json" in names
    assert "archive.pdf" in names
    assert len([n for n in names if n.startswith("certificates/")]) == 2
    document = json.loads(bundle.read("archive.json"))
    assert document["format"] == "portfolio-export/1"
    assert document["worker"]["identity"]["name"] == "王小明"
    seqs = [entry["seq"] for entry in document["entries"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert all(entry["hash"] for entry in document["entries"])
    # The whole archive as a signed CLR, which anyone can check with the public service.
    clr = bundle.read("credentials/archive-clr.jwt").decode()
    verdict = await web.post("/credentials/verify", json={"credential": clr})
    assert verdict.status_code == 200
    assert verdict.json()["ok"] is True, verdict.json()["checks"]
    assert verdict.json()["kind"] == "ClrCredential"
