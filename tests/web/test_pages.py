"""The pages over the in-process client: headers, static files, languages, role gates, and
which errors are pages and which stay problem+json."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from api.web.static import IMMUTABLE
from portfolio.accounts.principal import Role
from portfolio.audit.documents import AuditEvent
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, PROBLEM, create_principal
from tests.web.pages import sign_in, worker_with_archive

HTML = "text/html; charset=utf-8"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def test_pages_carry_the_security_headers(web: AsyncClient) -> None:
    for path in ("/", "/login", "/certificate-check", "/no-such-page"):
        response = await web.get(path, headers={"Accept": BROWSER_ACCEPT})
        csp = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in csp
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        # Nothing from another host: every src and href is a path of ours (or a fragment).
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', response.text):
            assert url.startswith(("/", "#")), url
            assert not url.startswith("//"), url


async def test_static_files_have_hashed_names_and_a_long_lifetime(web: AsyncClient) -> None:
    home = await web.get("/")
    css = re.search(r'href="(/static/site\.[0-9a-f]{12}\.css)"', home.text)
    assert css is not None
    served = await web.get(css.group(1))
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/css")
    assert served.headers["cache-control"] == IMMUTABLE
    # UI.md's budget: a page with its stylesheet under 100 KB.
    assert len(home.content) + len(served.content) < 100_000
    assert (await web.get("/static/site.css")).status_code == 404
    assert (await web.get("/static/site.000000000000.css")).status_code == 404


async def test_the_language_follows_the_cookie_then_accept_language(web: AsyncClient) -> None:
    chinese = await web.get("/")
    assert '<html lang="zh-Hans">' in chinese.text
    english = await web.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert '<html lang="en">' in english.text
    weighted = await web.get("/", headers={"Accept-Language": "en;q=0.4,zh-TW;q=0.8"})
    assert '<html lang="zh-Hans">' in weighted.text

    switched = await web.get("/language?to=en&next=/certificate-check")
    assert switched.status_code == 303
    assert switched.headers["location"] == "/certificate-check"
    cookie = switched.headers["set-cookie"]
    assert cookie.startswith("lang=en;")
    assert "Secure" in cookie
    after = await web.get("/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in after.text
    assert 'href="/language?to=zh_Hans&amp;next=/"' in after.text


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil"]
)
async def test_the_language_link_never_leaves_the_site(web: AsyncClient, target: str) -> None:
    switched = await web.get("/language", params={"to": "en", "next": target})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"


async def test_unknown_paths_are_pages_for_browsers_and_problems_for_the_api(
    web: AsyncClient,
) -> None:
    api = await web.get("/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == PROBLEM
    page = await web.get("/no-such-thing", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 404
    assert page.headers["content-type"] == HTML
    assert page.headers["x-request-id"] in page.text
    # The JSON API's own errors stay problem+json, whatever the client accepts.
    denied = await web.get("/me", headers={"Accept": BROWSER_ACCEPT})
    assert denied.status_code == 401
    assert denied.headers["content-type"] == PROBLEM
    # A wrong method on a page is a page too.
    wrong = await web.put("/login")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == HTML


async def test_pages_are_left_out_of_the_openapi_document(web: AsyncClient) -> None:
    paths = (await web.get("/openapi.json")).json()["paths"]
    assert not {"/", "/login", "/logout", "/my", "/certificate-check"} & set(paths)


async def test_a_page_for_signed_in_people_sends_visitors_to_sign_in(web: AsyncClient) -> None:
    for path in ("/my", "/provider", "/agency", "/administration"):
        response = await web.get(path, params={"tab": "1"})
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}%3Ftab%3D1"


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.WORKER, "/my"),
        (Role.PROVIDER, "/provider"),
        (Role.AGENCY, "/agency"),
        (Role.ADMIN, "/administration"),
    ],
)
async def test_each_role_lands_on_its_page_and_no_other(
    web: AsyncClient, settings: Settings, role: Role, landing: str
) -> None:
    # A worker's home reads their archive: a worker has one.
    principal = (
        await worker_with_archive(settings)
        if role is Role.WORKER
        else await create_principal(settings, role)
    )
    await sign_in(web, principal.username, DEFAULT_PASSWORD)
    assert (await web.get("/login")).headers["location"] == landing
    own = await web.get(landing)
    assert own.status_code == 200
    assert principal.username in own.text
    for other in {"/my", "/provider", "/agency", "/administration"} - {landing}:
        refused = await web.get(other)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == HTML
    denied = await AuditEvent.find(
        {"kind": "request.denied", "principal_id": str(principal.id)}
    ).count()
    assert denied == 3


async def test_login_goes_on_to_the_page_asked_for_and_only_within_the_site(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await create_principal(settings, Role.WORKER)
    page = await web.get("/login?next=/my%3Fx%3D1")
    assert 'name="next" value="/my?x=1"' in page.text
    evil = await web.get("/login?next=//evil.example")
    assert 'name="next" value=""' in evil.text
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    assert (await web.get("/login?next=/certificate-check")).headers[
        "location"
    ] == "/certificate-check"


async def test_the_certificate_check_page_validates_without_looking_anything_up(
    web: AsyncClient,
) -> None:
    empty = await web.get("/certificate-check", params={"number": "", "name": ""})
    assert empty.status_code == 200
    assert 'href="#number"' in empty.text
    assert 'href="#name"' in empty.text
    assert 'aria-invalid="true"' in empty.text
    long = await web.get("/certificate-check", params={"number": "S" * 41, "name": "王"})
    assert 'href="#number"' in long.text
    unknown = await web.get("/certificate-check", params={"number": "S1", "name": "王小明"})
    assert "未查到证书" in unknown.text
