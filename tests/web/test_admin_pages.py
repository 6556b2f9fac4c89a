"""The service administrator's pages over the in-process client: the provider and agency
accounts (disable, enable, never a worker's account), the signing keys (rotate: a double
submit rotates once), the audit log without worker data, and the gate (an officer gets the
403 page on every one of them)."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import DEFAULT_PASSWORD, create_principal, log_in_as
from tests.web.pages import ORIGIN, hidden_fields, sign_in

PAGES = (
    "/admin",
    "/admin/accounts",
    "/admin/accounts?role=provider",
    "/admin/keys",
    "/admin/audit",
)


async def test_accounts_keys_and_audit_log(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    officer = await create_principal(runtime.settings, Role.AGENCY, region_prefix="5107")
    worker = await create_principal(runtime.settings, Role.WORKER)
    admin = await create_principal(runtime.settings, Role.ADMIN)
    web.headers["Accept-Language"] = "en"
    await sign_in(web, admin.username, DEFAULT_PASSWORD)
    for path in PAGES:
        page = await web.get(path)
        assert page.status_code == 200, (path, page.text)
        assert worker.username not in page.text, path

    agencies = await web.get("/admin/accounts?role=agency")
    assert officer.username in agencies.text
    fields = hidden_fields(agencies.text)
    disabled = await web.post(f"/admin/accounts/{officer.id}/disable", data=fields, headers=ORIGIN)
    assert disabled.headers["location"].endswith("notice=disabled")
    shown = await web.get(disabled.headers["location"])
    assert f"Enable {officer.username}" in shown.text
    enabled = await web.post(
        f"/admin/accounts/{officer.id}/enable", data=hidden_fields(shown.text), headers=ORIGIN
    )
    assert enabled.headers["location"].endswith("notice=enabled")
    # A worker's account is not one of these pages' accounts.
    refused = await web.post(
        f"/admin/accounts/{worker.id}/disable", data=hidden_fields(shown.text), headers=ORIGIN
    )
    assert refused.status_code == 404

    keys = await web.get("/admin/keys")
    before = keys.text.count('<td data-label="Key id">jwt-')
    form = hidden_fields(keys.text)
    rotated = await web.post("/admin/keys/rotate", data=form, headers=ORIGIN)
    assert rotated.headers["location"].endswith("notice=rotated")
    again = await web.post("/admin/keys/rotate", data=form, headers=ORIGIN)
    assert again.headers["location"] == rotated.headers["location"]
    after = await web.get("/admin/keys")
    assert after.text.count('<td data-label="Key id">jwt-') == before + 1
    assert "Signs new tokens" in after.text

    log = await web.get("/admin/audit?kind=key.rotated")
    assert "key.rotated" in log.text
    assert "principal.disabled" in (await web.get("/admin/audit")).text


async def test_only_the_admin_reaches_the_admin_pages(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    officer = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    web.headers["Accept-Language"] = "en"
    await sign_in(web, officer.principal.username, officer.password)
    for path in PAGES:
        assert (await web.get(path)).status_code == 403, path
    fields = hidden_fields((await web.get("/agency")).text)
    for action in ("/admin/keys/rotate", f"/admin/accounts/{officer.principal.id}/disable"):
        assert (await web.post(action, data=fields, headers=ORIGIN)).status_code == 403
