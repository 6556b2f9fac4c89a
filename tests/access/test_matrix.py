"""The access-control matrix, generated from the app's routes.

Every route must be classified (public, or the seats it admits: roles and staff sub-roles) in
an area's table, and the table may not admit a seat the route's own gates shut out (read from
its dependencies with ``api.deps.declared_access``). Then every seat tries every protected
route: an admitted seat gets past authorisation (neither 401 nor 403), any other gets 403, and
no credentials or bad ones get 401 (an API route) or a redirect to the login page (a page).
Finally each cross-owner case checks that a principal cannot reach an object of another
principal of the same role (404).

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

from api.deps import PrincipalSource, declared_access, page_principal
from portfolio.accounts.principal import Role, Seat
from portfolio.settings import Settings
from tests.access import (
    routes_accounts,
    routes_apprenticeships,
    routes_audit,
    routes_borders,
    routes_challenges,
    routes_contests,
    routes_credentials,
    routes_levels_occupations,
    routes_planning,
    routes_priority,
    routes_projects,
    routes_recognition,
    routes_reports,
    routes_sharing,
    routes_training,
    routes_vouchers,
    routes_workers,
)
from tests.access.matrix import (
    ANY_ROLE,
    PLACEHOLDER,
    PUBLIC,
    SEATS,
    Access,
    Call,
    CrossOwnerCase,
    Route,
    seat_name,
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
    routes_sharing,
    routes_credentials,
    routes_challenges,
    routes_levels_occupations,
    routes_contests,
    routes_recognition,
    routes_priority,
    routes_projects,
    routes_planning,
    routes_borders,
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


def _declared(route: Any) -> tuple[PrincipalSource | None, frozenset[Seat] | None]:
    access = declared_access(getattr(route, "dependant", None))
    return access.source, access.seats


def _as_code(source: PrincipalSource | None, seats: frozenset[Seat] | None) -> str:
    """A route's declared access written as a table entry (for the failure message)."""
    if source is None:
        return "PUBLIC"
    if seats is None or seats == ANY_ROLE:
        return "ANY_ROLE"
    roles = sorted({role for role, _ in seats})
    args = ", ".join(f"Role.{r.name}" for r in roles)
    narrowed = sorted({staff for _, staff in seats if staff is not None})
    whole = {seat for seat in ANY_ROLE if seat[0] in roles}
    if seats != whole:
        args += ", staff=(" + ", ".join(f"StaffRole.{s.name}" for s in narrowed) + ",)"
    return f"only({args})"


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
        f"    {route!r}: {_as_code(*_declared(served[route]))}," for route in unclassified
    )
    assert not unclassified, (
        "routes missing from the access matrix (add them to your area's table in "
        f"tests/access/; suggested from their dependencies):\n{suggestions}"
    )
    stale = sorted(set(TABLE) - set(served))
    assert not stale, f"the access matrix lists routes the app does not serve: {stale}"


def test_no_route_admits_more_than_its_gates_declare(app: FastAPI) -> None:
    """A table may narrow what a route's gates admit (a service refuses more), never widen it;
    a public route needs no credentials and a protected one asks for them."""
    wider: list[str] = []
    for route_key, route in app_routes(app).items():
        access = TABLE.get(route_key)
        if access is None:
            continue  # reported by the test above
        source, seats = _declared(route)
        if access == PUBLIC:
            if source is not None:
                wider.append(f"{route_key}: PUBLIC, but it asks for credentials")
            continue
        if source is None:
            wider.append(f"{route_key}: protected, but it asks for no credentials")
        elif seats is not None and not access <= seats:
            extra = sorted(seat_name(seat) for seat in access - seats)
            wider.append(f"{route_key}: admits {extra}, which its gates refuse")
    assert not wider, "\n".join(wider)


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", PLACEHOLDER, template)


def _protected() -> list[tuple[Route, frozenset[Seat]]]:
    return [(route, access) for route, access in sorted(TABLE.items()) if access != PUBLIC]


def _public() -> list[Route]:
    return [route for route, access in sorted(TABLE.items()) if access == PUBLIC]


@pytest.fixture
async def one_per_seat(client: AsyncClient, settings: Settings) -> dict[Seat, LoggedIn]:
    return {
        (role, staff): await log_in_as(client, settings, role, staff_role=staff)
        for role, staff in SEATS
    }


async def _credentials(
    source: PrincipalSource | None, client: AsyncClient, session: LoggedIn
) -> dict[str, str]:
    """The headers that make ``session`` the caller of a route of ``source``."""
    if source is page_principal:
        # The page layer's session cookie: its tests show the matrix how to log in to a page.
        raise NotImplementedError("the matrix cannot open a web session yet")
    return session.headers


def _assert_refused_without_credentials(source: PrincipalSource | None, response: Any) -> None:
    if source is page_principal:
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith("/login")
    else:
        assert_problem(response, 401)


@pytest.mark.parametrize(
    ("route", "allowed"), _protected(), ids=[f"{m} {p}" for (m, p), _ in _protected()]
)
async def test_protected_route_admits_exactly_its_seats(
    app: FastAPI,
    client: AsyncClient,
    one_per_seat: dict[Seat, LoggedIn],
    route: Route,
    allowed: frozenset[Seat],
) -> None:
    method, template = route
    path = _path(template)
    source, _ = _declared(app_routes(app)[route])
    _assert_refused_without_credentials(source, await client.request(method, path))
    garbage = {"Authorization": "Bearer not-a-token", "Cookie": "__Host-session=not-a-session"}
    _assert_refused_without_credentials(source, await client.request(method, path, headers=garbage))
    for seat, session in one_per_seat.items():
        headers = await _credentials(source, client, session)
        response = await client.request(method, path, headers=headers)
        if seat in allowed:
            assert response.status_code not in (401, 403), (seat_name(seat), response.text)
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
