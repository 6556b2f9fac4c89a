"""The page face of the auth split: the page principal source, page gates and page idempotency.

The web session cookie belongs to the page layer; here a stand-in resolver (registered through
the same hook, ``register_page_resolver``) finds the session from a test header carrying an
access token, and delegates every other request to whatever resolver was there before. Probe
routes under ``/_test/`` use the real page aliases, so what is tested is what pages get.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from httpx import AsyncClient

from api.deps import (
    PAGE_RESOLVER_STATE,
    Admits,
    PageIdempotent,
    PagePrincipal,
    ProviderPage,
    declared_access,
    page_principal,
    register_page_resolver,
    require_page_roles,
)
from api.runtime import Runtime
from portfolio.accounts import sessions
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import AuthenticationFailed, Conflict, DomainError
from portfolio.settings import Settings
from tests.helpers import LoggedIn, assert_problem, log_in_as

TEST_SESSION_HEADER = "x-test-page-session"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]

_done = itertools.count(1)
_runs: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _page_probes(app: FastAPI, runtime: Runtime) -> Iterator[None]:
    """Probe page routes, and a resolver that knows the test header (and nothing else)."""
    previous = getattr(app.state, PAGE_RESOLVER_STATE, None)

    async def resolver(request: Request) -> Actor | None:
        token = request.headers.get(TEST_SESSION_HEADER)
        if token is None:
            return await previous(request) if previous is not None else None
        try:
            return await sessions.resolve_access_token(
                token, settings=runtime.settings, keyring=runtime.keyring
            )
        except AuthenticationFailed:
            return None

    async def anyone(actor: PagePrincipal) -> dict[str, Any]:
        return {"id": actor.principal_id, "role": actor.role, "staff_role": actor.staff_role}

    async def provider(actor: ProviderPage) -> dict[str, Any]:
        return {"id": actor.principal_id}

    async def officer(actor: OfficerPage) -> dict[str, Any]:
        return {"id": actor.principal_id}

    async def form(
        request: Request,
        actor: ProviderPage,
        idem: PageIdempotent,
        note: Annotated[str, Form()] = "",
        fail: Annotated[str, Form()] = "",
    ) -> Response:
        async def act() -> Response:
            _runs.append(note)
            if fail:
                raise Conflict("the form cannot be done now")
            return RedirectResponse(f"/_test/page/done/{next(_done)}", status_code=303)

        async def form_again(error: DomainError) -> Response:
            return HTMLResponse(f"<p>{error.detail}</p>", status_code=409)

        return await idem.run(act, on_error=None if fail == "raise" else form_again)

    for path, endpoint, methods in (
        ("/_test/page/any", anyone, ["GET"]),
        ("/_test/page/provider", provider, ["GET", "POST"]),
        ("/_test/page/officer", officer, ["GET"]),
        ("/_test/page/form", form, ["POST"]),
    ):
        app.add_api_route(path, endpoint, methods=methods, include_in_schema=False)
    register_page_resolver(app, resolver)
    yield
    setattr(app.state, PAGE_RESOLVER_STATE, previous)


def _page(session: LoggedIn) -> dict[str, str]:
    return {TEST_SESSION_HEADER: session.access_token}


async def _denials(client: AsyncClient, settings: Settings, **params: str) -> list[Any]:
    root = await log_in_as(client, settings, Role.ADMIN)
    response = await client.get(
        "/admin/audit-events", params={"kind": "request.denied", **params}, headers=root.headers
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["details"]["route"].startswith("/_test/")]


async def test_a_page_without_a_session_redirects_to_the_login_page_and_is_audited(
    client: AsyncClient, settings: Settings
) -> None:
    response = await client.get("/_test/page/provider", params={"tab": "runs"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F_test%2Fpage%2Fprovider%3Ftab%3Druns"
    stale = await client.get("/_test/page/any", headers={TEST_SESSION_HEADER: "not-a-token"})
    assert (stale.status_code, stale.headers["location"]) == (
        303,
        "/login?next=%2F_test%2Fpage%2Fany",
    )
    # A form post cannot be repeated by a redirect: the login page starts over.
    posted = await client.post("/_test/page/provider")
    assert (posted.status_code, posted.headers["location"]) == (303, "/login")
    # A bearer token is no web session.
    bearer = await log_in_as(client, settings, Role.PROVIDER)
    assert (await client.get("/_test/page/any", headers=bearer.headers)).status_code == 303

    denied = await _denials(client, settings)
    assert sorted((e["details"]["route"], e["details"]["status"]) for e in denied) == [
        ("/_test/page/any", 401),
        ("/_test/page/any", 401),
        ("/_test/page/provider", 401),
        ("/_test/page/provider", 401),
    ]
    assert all(e["principal_id"] is None for e in denied)


async def test_page_gates_admit_exactly_their_seats_and_audit_the_rest(
    client: AsyncClient, settings: Settings
) -> None:
    worker = await log_in_as(client, settings, Role.WORKER)
    clerk = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    officer = await log_in_as(client, settings, Role.AGENCY, staff_role=StaffRole.OFFICER)
    reviewer = await log_in_as(client, settings, Role.AGENCY, staff_role=StaffRole.REVIEWER)

    mine = await client.get("/_test/page/any", headers=_page(clerk))
    assert mine.json() == {"id": clerk.id, "role": "provider", "staff_role": "clerk"}
    assert (await client.get("/_test/page/provider", headers=_page(clerk))).status_code == 200
    assert (await client.get("/_test/page/officer", headers=_page(officer))).status_code == 200

    assert_problem(await client.get("/_test/page/provider", headers=_page(worker)), 403)
    assert_problem(await client.get("/_test/page/officer", headers=_page(clerk)), 403)
    refused = assert_problem(await client.get("/_test/page/officer", headers=_page(reviewer)), 403)
    assert refused["detail"] == "this action is for: agency (officer)"

    denied = await _denials(client, settings)
    assert sorted((e["principal_id"], e["staff_role"], e["details"]["status"]) for e in denied) == (
        sorted(
            [
                (worker.id, None, 403),
                (clerk.id, "clerk", 403),
                (reviewer.id, "reviewer", 403),
            ]
        )
    )


def test_the_matrix_can_read_a_page_routes_source_and_seats(app: FastAPI) -> None:
    routes = {getattr(r, "path", None): r for r in app.routes}
    officer = declared_access(routes["/_test/page/officer"].dependant)
    assert officer.source is page_principal
    assert officer.seats == frozenset({(Role.AGENCY, StaffRole.OFFICER)})
    anyone = declared_access(routes["/_test/page/any"].dependant)
    assert (anyone.source, anyone.seats) == (page_principal, None)


async def test_a_double_submitted_form_does_one_thing_and_replays_its_redirect(
    client: AsyncClient, settings: Settings
) -> None:
    clerk = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    _runs.clear()
    form = {"idempotency_key": "render-1", "note": "第一次"}
    first = await client.post("/_test/page/form", data=form, headers=_page(clerk))
    second = await client.post("/_test/page/form", data=form, headers=_page(clerk))
    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _runs == ["第一次"]

    # Another rendering of the form (another key) is another submission.
    other = await client.post(
        "/_test/page/form", data={**form, "idempotency_key": "render-2"}, headers=_page(clerk)
    )
    assert other.headers["location"] != first.headers["location"]
    # The same key with another form is refused, naming the form's field.
    changed = await client.post(
        "/_test/page/form", data={**form, "note": "changed"}, headers=_page(clerk)
    )
    problem = assert_problem(changed, 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [
        ("form.idempotency_key", "reused_with_different_body")
    ]
    malformed = await client.post(
        "/_test/page/form", data={**form, "idempotency_key": "has space"}, headers=_page(clerk)
    )
    assert assert_problem(malformed, 422)["errors"][0]["field"] == "form.idempotency_key"
    # Without a key the form simply runs.
    for _ in range(2):
        await client.post("/_test/page/form", data={"note": "no key"}, headers=_page(clerk))
    assert _runs == ["第一次", "第一次", "no key", "no key"]


async def test_a_forms_domain_error_is_its_page_or_frees_the_key(
    client: AsyncClient, settings: Settings
) -> None:
    clerk = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    _runs.clear()
    failing = {"idempotency_key": "render-fail", "note": "x", "fail": "1"}
    first = await client.post("/_test/page/form", data=failing, headers=_page(clerk))
    again = await client.post("/_test/page/form", data=failing, headers=_page(clerk))
    assert (first.status_code, again.status_code) == (409, 409)
    assert first.text == again.text == "<p>the form cannot be done now</p>"
    assert again.headers["content-type"].startswith("text/html")
    assert again.headers["idempotent-replayed"] == "true"
    assert _runs == ["x"]

    # Without an error page, the error goes to the app's handler and the key is freed.
    raising = {"idempotency_key": "render-raise", "note": "y", "fail": "raise"}
    for _ in range(2):
        raised = await client.post("/_test/page/form", data=raising, headers=_page(clerk))
        assert_problem(raised, 409)
    assert _runs == ["x", "y", "y"]


def test_gates_refuse_sub_roles_their_roles_do_not_have() -> None:
    with pytest.raises(ValueError, match="sub-roles"):
        Admits.of([Role.PROVIDER], [StaffRole.OFFICER])
    with pytest.raises(ValueError, match="no sub-role of agency"):
        Admits.of([Role.PROVIDER, Role.AGENCY], [StaffRole.CLERK])
    with pytest.raises(ValueError, match="at least one role"):
        Admits.of([])
    both = Admits.of([Role.PROVIDER, Role.AGENCY, Role.ADMIN], [StaffRole.ADMIN])
    assert both.seats == {
        (Role.PROVIDER, StaffRole.ADMIN),
        (Role.AGENCY, StaffRole.ADMIN),
        (Role.ADMIN, None),
    }
    assert both.describe() == "admin, agency (admin), provider (admin)"
    assert Admits.of([Role.PROVIDER]).describe() == "provider"
