"""The access-control matrix, generated from the app's routes.

Every route must be classified (public, or the roles it admits) in an area's table. Then every
role tries every protected route: an admitted role gets past authorisation (neither 401 nor
403), any other role gets 403, and no token or a bad token gets 401. Finally each cross-owner
case checks that a principal cannot reach an object of another principal of the same role (404).

To add an area: write ``tests/access/routes_<area>.py`` (see ``matrix.py``) and list it in
``AREAS`` below.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from httpx import AsyncClient

from api.deps import get_current_principal
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.access import (
    routes_accounts,
    routes_apprenticeships,
    routes_audit,
    routes_reports,
    routes_training,
    routes_vouchers,
    routes_workers,
)
from tests.access.matrix import (
    PLACEHOLDER,
    PUBLIC,
    Access,
    Call,
    CrossOwnerCase,
    Route,
)
from tests.helpers import LoggedIn, assert_problem, log_in_as

# Later areas: add their routes_<area> module here.
AREAS = (
    routes_accounts,
    routes_training,
    routes_workers,
    routes_vouchers,
    routes_reports,
    routes_apprenticeships,
    routes_audit,
)

# Routes that tests add to the session's app to probe error handling; not part of the service.
_TEST_PROBE = re.compile(r"^/_test/")


def _merge_tables() -> dict[Route, Access]:
    table: dict[Route, Access] = {}
    for area in AREAS:
        for route, access in area.ROUTES.items():
            assert route not in table, f"{route} is classified twice"
            table[route] = access
    return table


TABLE = _merge_tables()
CASES: list[CrossOwnerCase] = [case for area in AREAS for case in area.CROSS_OWNER_CASES]


def _declared_roles(route: Any) -> str:
    """What a route's dependencies say about who may call it (for the failure message)."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    role_sets: list[frozenset[Role]] = []
    authenticated = False
    while stack:
        dependency = stack.pop()
        roles = getattr(dependency.call, "allowed_roles", None)
        if roles is not None:
            role_sets.append(roles)
        authenticated = authenticated or dependency.call is get_current_principal
        stack.extend(dependency.dependencies)
    if role_sets:
        allowed = frozenset.intersection(*role_sets)
        return "only(" + ", ".join(f"Role.{r.name}" for r in sorted(allowed)) + ")"
    return "ANY_ROLE" if authenticated else "PUBLIC"


def app_routes(app: FastAPI) -> dict[Route, Any]:
    """Every (method, path) the app serves, with its route object."""
    found: dict[Route, Any] = {}
    for route in iter_route_contexts(app.routes):
        if route.path is None or _TEST_PROBE.match(route.path):
            continue
        if getattr(route.original_route, "is_page", False):  # pages: tests/web/test_page_access.py
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            found[(method, route.path)] = route
    return found


def test_every_route_is_classified(app: FastAPI) -> None:
    served = app_routes(app)
    unclassified = sorted(set(served) - set(TABLE))
    suggestions = "\n".join(
        f"    {route!r}: {_declared_roles(served[route])}," for route in unclassified
    )
    assert not unclassified, (
        "routes missing from the access matrix (add them to your area's table in "
        f"tests/access/; suggested from their dependencies):\n{suggestions}"
    )
    stale = sorted(set(TABLE) - set(served))
    assert not stale, f"the access matrix lists routes the app does not serve: {stale}"


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", PLACEHOLDER, template)


def _protected() -> list[tuple[Route, frozenset[Role]]]:
    return [(route, access) for route, access in sorted(TABLE.items()) if access != PUBLIC]


def _public() -> list[Route]:
    return [route for route, access in sorted(TABLE.items()) if access == PUBLIC]


@pytest.fixture
async def one_per_role(client: AsyncClient, settings: Settings) -> dict[Role, LoggedIn]:
    return {role: await log_in_as(client, settings, role) for role in Role}


@pytest.mark.parametrize(
    ("route", "allowed"), _protected(), ids=[f"{m} {p}" for (m, p), _ in _protected()]
)
async def test_protected_route_admits_exactly_its_roles(
    client: AsyncClient,
    one_per_role: dict[Role, LoggedIn],
    route: Route,
    allowed: frozenset[Role],
) -> None:
    method, template = route
    path = _path(template)
    assert_problem(await client.request(method, path), 401)
    garbage = {"Authorization": "Bearer not-a-token"}
    assert_problem(await client.request(method, path, headers=garbage), 401)
    for role, session in one_per_role.items():
        response = await client.request(method, path, headers=session.headers)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert_problem(response, 403)


@pytest.mark.parametrize("route", _public(), ids=[f"{m} {p}" for m, p in _public()])
async def test_public_route_needs_no_token(client: AsyncClient, route: Route) -> None:
    method, template = route
    response = await client.request(method, _path(template))
    assert response.status_code not in (401, 403), response.text


@pytest.mark.parametrize(
    ("case", "role"),
    [(case, role) for case in CASES for role in case.roles],
    ids=[f"{case.name} as {role.value}" for case in CASES for role in case.roles],
)
async def test_object_of_another_principal_of_the_same_role_is_not_found(
    client: AsyncClient, settings: Settings, case: CrossOwnerCase, role: Role
) -> None:
    owner = await log_in_as(client, settings, role)
    other = await log_in_as(client, settings, role, **case.other_binding.get(role, {}))
    call: Call = await case.arrange(client, settings, owner)
    foreign = await client.request(call.method, call.path, json=call.json, headers=other.headers)
    assert_problem(foreign, 404)
    own = await client.request(call.method, call.path, json=call.json, headers=owner.headers)
    assert own.status_code == case.owner_status, own.text
