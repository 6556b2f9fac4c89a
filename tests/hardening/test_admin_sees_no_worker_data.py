"""The admin role sees no worker data: no route it may call answers with any, and neither the
account list nor the audit trail shows a worker's login name (often their phone number).

Should an admin ever need worker data, the route must take a stated purpose and log the read
(as an agency's reveal does) and be added to ``ADMIN_ROUTES`` below with that reason.
"""

from __future__ import annotations

import re
import typing
from datetime import UTC, datetime
from typing import Any

from beanie import PydanticObjectId
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from httpx import AsyncClient
from pydantic import BaseModel

from api.deps import declared_access
from api.runtime import Runtime
from portfolio.accounts.principal import Actor, Role
from portfolio.apprenticeships.access import agreement_reach
from portfolio.audit.documents import AuditEvent
from portfolio.settings import Settings
from portfolio.training.documents import Enrolment
from portfolio.training.lifecycle import can_see
from tests.helpers import log_in_as

ADMIN = (Role.ADMIN, None)

# Every route an admin may call, and why each carries no worker data.
ADMIN_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/auth/password"): "its own account",
    ("POST", "/auth/logout-all"): "its own sessions",
    ("GET", "/auth/sessions"): "its own sessions",
    ("POST", "/auth/sessions/{session_id}/revoke"): "its own sessions",
    ("GET", "/me"): "itself",
    ("GET", "/ability-norms"): "published assessment norms",
    ("POST", "/admin/principals"): "accounts (a worker's login name withheld)",
    ("GET", "/admin/principals"): "accounts (a worker's login name withheld)",
    ("GET", "/admin/principals/{principal_id}"): "accounts (a worker's login name withheld)",
    ("POST", "/admin/principals/{principal_id}/disable"): "accounts",
    ("POST", "/admin/principals/{principal_id}/enable"): "accounts",
    ("GET", "/admin/audit-events"): "security events (a worker's login name withheld)",
    ("GET", "/audit/changes"): "the change trail, keys marked personal left out",
    ("GET", "/audit-trail"): "the change trail's page, keys marked personal left out",
    ("POST", "/providers"): "organisations",
    ("GET", "/providers"): "organisations",
    ("GET", "/providers/{organisation_id}"): "organisations",
    ("POST", "/providers/{organisation_id}/suspend"): "organisations",
    ("POST", "/providers/{organisation_id}/reinstate"): "organisations",
    ("GET", "/courses"): "courses",
    ("GET", "/courses/{course_id}"): "courses",
    ("GET", "/runs/{run_id}"): "a class's schedule and seat count, not who is in it",
    ("GET", "/mentors"): "an organisation's mentors (its staff), not workers' archives",
    ("GET", "/mentors/{mentor_id}"): "an organisation's mentors",
    ("POST", "/vouchers/expire"): "a count of vouchers marked expired",
    ("GET", "/administration"): "the administrator's landing page: who is signed in",
    # The administrator's pages (api/web/routes/admin_pages.py): never a worker's account.
    ("GET", "/admin"): "the administrator's pages' start: links",
    ("GET", "/admin/accounts"): "provider and agency accounts; worker accounts are not listed",
    ("POST", "/admin/accounts/{principal_id}/disable"): "a provider or agency account only",
    ("POST", "/admin/accounts/{principal_id}/enable"): "a provider or agency account only",
    ("GET", "/admin/keys"): "signing keys' ids and dates",
    ("POST", "/admin/keys/rotate"): "a new signing key",
    ("GET", "/admin/audit"): "security events: about a worker, no login name and no target",
    ("GET", "/occupations/uncatalogued"): "occupation codes and counts of records",
}

# Field names that carry worker data, and response models that are about workers.
_WORKER_FIELD = re.compile(r"^worker_|id_number|birth|phone|^sex$|^identity$|attendance|archive$")
_WORKER_MODEL = re.compile(r"Worker|Identity|Archive|Entry|Enrolment|Attendance|Apprentice|Voucher")


def _models(annotation: Any, seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """Every pydantic model reachable from a response annotation."""
    found: set[type[BaseModel]] = set()
    for argument in typing.get_args(annotation):
        found |= _models(argument, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return found
        seen.add(annotation)
        found.add(annotation)
        for field in annotation.model_fields.values():
            found |= _models(field.annotation, seen)
    return found


def _admin_routes(app: FastAPI) -> dict[tuple[str, str], Any]:
    routes: dict[tuple[str, str], Any] = {}
    for route in iter_route_contexts(app.routes):
        access = declared_access(getattr(route, "dependant", None))
        if route.path is None or access.source is None or route.path.startswith("/_test/"):
            continue
        if access.seats is None or ADMIN in access.seats:
            for method in (route.methods or set()) - {"HEAD", "OPTIONS"}:
                routes[(method, route.path)] = route
    return routes


def test_every_route_an_admin_may_call_is_listed_with_its_reason(app: FastAPI) -> None:
    assert sorted(_admin_routes(app)) == sorted(ADMIN_ROUTES)


def test_no_route_an_admin_may_call_answers_with_worker_data(app: FastAPI) -> None:
    leaks = []
    for key, route in _admin_routes(app).items():
        for model in _models(getattr(route, "response_model", None), set()):
            fields = [name for name in model.model_fields if _WORKER_FIELD.search(name)]
            if fields or _WORKER_MODEL.search(model.__name__):
                leaks.append(f"{key}: {model.__name__} {fields}")
    assert not leaks, "\n".join(leaks)


def test_the_domain_shows_an_admin_no_enrolment_or_agreement() -> None:
    admin = Actor(principal_id=str(PydanticObjectId()), username="root", role=Role.ADMIN)
    enrolment = Enrolment.model_construct(
        organisation_id=PydanticObjectId(),
        archive_id=PydanticObjectId(),
        worker_region_code="510104",
    )
    assert not can_see(admin, enrolment)
    assert not agreement_reach(admin).admits(object())
    assert agreement_reach(admin).queries({}) == []


async def test_the_admin_sees_no_workers_login_name_in_accounts_or_the_trail(
    client: AsyncClient, settings: Settings, runtime: Runtime
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    worker = await log_in_as(client, settings, Role.WORKER)
    provider = await log_in_as(client, settings, Role.PROVIDER)
    # A worker's failed login and a denied request, as well as their logins, are recorded.
    failed = await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": worker.principal.username, "password": "no!"},
    )
    assert failed.status_code == 401
    assert (await client.get("/admin/audit-events", headers=worker.headers)).status_code == 403
    # An event stored before this rule, with the name in it.
    await AuditEvent(
        at=datetime.now(UTC),
        kind="login.succeeded",
        outcome="success",
        principal_id=worker.id,
        username=worker.principal.username,
        role="worker",
        staff_role=None,
        target=None,
        request_id="old",
        client=None,
        details={},
    ).insert()

    listed = await client.get("/admin/principals", params={"limit": 100}, headers=admin.headers)
    by_id = {p["id"]: p for p in listed.json()["items"]}
    assert by_id[worker.id]["username"] is None
    assert by_id[provider.id]["username"] == provider.principal.username
    one = await client.get(f"/admin/principals/{worker.id}", headers=admin.headers)
    assert one.json()["username"] is None

    trail = await client.get("/admin/audit-events", params={"limit": 200}, headers=admin.headers)
    workers_events = [e for e in trail.json()["items"] if e["principal_id"] == worker.id]
    assert {e["kind"] for e in workers_events} >= {
        "login.succeeded",
        "login.failed",
        "request.denied",
    }
    assert all(e["username"] is None for e in workers_events)
    assert worker.principal.username not in trail.text
    # Stored without it, too (the old event aside).
    stored = await AuditEvent.find({"principal_id": worker.id}).to_list()
    assert [e.username for e in stored if e.request_id != "old"] == [None] * (len(stored) - 1)
    # Other principals keep their names in the trail.
    assert any(e["username"] == provider.principal.username for e in trail.json()["items"])
