"""The access matrix of the pages, generated from the app's page routes (the API has its own in
tests/access/).

Every page route must be classified in ``PAGES`` (public, or the roles it admits). A visitor
who is not signed in is sent to the login page from every protected page; every role tries
every protected page: an admitted role gets past the gate (not a 303 to the login page, not
403), any other role gets the 403 page. A protected form is posted with the session's own CSRF
token, so only the role decides. Pages that show one owner's objects add a cross-owner case
(another principal of the same role sees 404) as the API's matrix does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from httpx import AsyncClient

from api.web.csrf import token_for
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.archives import links, registration
from portfolio.identity.identifiers import IdType
from portfolio.keyring import Keyring, load_master_secret
from portfolio.settings import Settings
from tests.access.matrix import PLACEHOLDER, PUBLIC, SEATS, Access, Route, Seat, only, seat_name
from tests.archives.factories import fresh_resident_id
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.web import training_arrange
from tests.web.agency_people_access import AGENCY_PEOPLE_PAGES
from tests.web.borders_access import BORDER_PAGES
from tests.web.contests_access import CONTEST_PAGES
from tests.web.imports_access import IMPORT_PAGES
from tests.web.levels_access import LEVELS_PAGES
from tests.web.money_access import MONEY_PAGES
from tests.web.occupation_pages_access import OCCUPATION_PAGES
from tests.web.pages import ORIGIN, set_session, sign_in
from tests.web.planning_access import PLANNING_PAGES
from tests.web.priority_access import PRIORITY_PAGES
from tests.web.projects_access import PROJECT_PAGES
from tests.web.provider_access import PROVIDER_PAGES

PAGES: dict[Route, Access] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/language"): PUBLIC,
    ("GET", "/certificate-check"): PUBLIC,
    ("GET", "/static/{name}"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,  # CSRF-checked against the pre-session cookie
    ("POST", "/logout"): PUBLIC,  # CSRF-checked against the session it ends
    ("GET", "/my"): only(Role.WORKER),
    ("GET", "/provider"): only(Role.PROVIDER),
    ("GET", "/agency"): only(Role.AGENCY),
    ("GET", "/administration"): only(Role.ADMIN),
    # The worker's record and account (routes/worker_record.py, routes/worker_account.py).
    ("GET", "/my/archive"): only(Role.WORKER),
    ("GET", "/my/archive/check"): only(Role.WORKER),
    ("GET", "/my/archive/{seq}"): only(Role.WORKER),
    ("GET", "/my/certificates"): only(Role.WORKER),
    ("GET", "/c/{token}"): PUBLIC,  # a certificate's check link (its QR code)
    ("GET", "/my/access-log"): only(Role.WORKER),
    ("GET", "/my/profile"): only(Role.WORKER),
    ("POST", "/my/profile/reveal"): only(Role.WORKER),
    ("GET", "/my/profile/phone"): only(Role.WORKER),
    ("POST", "/my/profile/phone"): only(Role.WORKER),
    # Challenges (routes/challenges.py): the worker's form and list, the holder's answer page.
    ("GET", "/my/challenges"): only(Role.WORKER),
    ("GET", "/my/archive/{seq}/challenge"): only(Role.WORKER),
    ("POST", "/my/archive/{seq}/challenge"): only(Role.WORKER),
    ("GET", "/challenge-answers/{challenge_id}"): only(Role.PROVIDER, Role.AGENCY),
    ("POST", "/challenge-answers/{challenge_id}"): only(Role.PROVIDER, Role.AGENCY),
    ("GET", "/audit-trail"): only(Role.ADMIN, Role.AGENCY, staff=(StaffRole.AUDITOR,)),
    ("GET", "/activate"): PUBLIC,
    ("POST", "/activate"): PUBLIC,  # CSRF-checked against the pre-session cookie
    ("GET", "/my/account"): only(Role.WORKER),
    ("POST", "/my/account/sessions/{session_id}/end"): only(Role.WORKER),
    ("POST", "/my/account/sign-out-everywhere"): only(Role.WORKER),
    ("GET", "/my/account/password"): only(Role.WORKER),
    ("POST", "/my/account/password"): only(Role.WORKER),
    # Finding training (api/web/routes/catalogue.py).
    ("GET", "/find-training"): PUBLIC,
    ("GET", "/find-training/{run_id}"): PUBLIC,
    ("POST", "/find-training/{run_id}/apply"): only(Role.WORKER),
    # The worker's training, vouchers and apprenticeships (api/web/routes/worker_training.py).
    ("GET", "/my/training"): only(Role.WORKER),
    ("GET", "/my/training/{enrolment_id}"): only(Role.WORKER),
    ("POST", "/my/training/{enrolment_id}/withdraw"): only(Role.WORKER),
    ("POST", "/my/training/{enrolment_id}/attendance/{record_id}"): only(Role.WORKER),
    ("GET", "/my/vouchers"): only(Role.WORKER),
    ("GET", "/my/vouchers/{voucher_id}"): only(Role.WORKER),
    ("POST", "/my/vouchers/{voucher_id}/consent"): only(Role.WORKER),
    # The worker's attestation of a claim on their voucher (api/web/routes/attestation.py).
    ("GET", "/my/vouchers/{voucher_id}/attestation"): only(Role.WORKER),
    ("POST", "/my/vouchers/{voucher_id}/attestation"): only(Role.WORKER),
    ("GET", "/my/apprenticeships"): only(Role.WORKER),
    ("GET", "/my/apprenticeships/{apprenticeship_id}"): only(Role.WORKER),
    ("POST", "/my/apprenticeships/{apprenticeship_id}/confirm"): only(Role.WORKER),
    # Share links, paper and the export (api/web/routes/sharing.py).
    ("GET", "/my/shares"): only(Role.WORKER),
    ("GET", "/my/shares/new"): only(Role.WORKER),
    ("POST", "/my/shares/new"): only(Role.WORKER),
    ("GET", "/my/shares/{link_id}"): only(Role.WORKER),
    ("POST", "/my/shares/{link_id}/revoke"): only(Role.WORKER),
    ("GET", "/my/paper/certificates/{seq}.pdf"): only(Role.WORKER),
    ("GET", "/my/paper/archive.pdf"): only(Role.WORKER),
    ("GET", "/my/export.zip"): only(Role.WORKER),
    ("GET", "/s/{token}"): PUBLIC,  # a share link (its token is the credential)
    ("POST", "/s/{token}"): PUBLIC,  # the same with its access code; changes only the count
    # Verifiable credentials (api/web/routes/verify.py).
    ("GET", "/verify"): PUBLIC,
    ("POST", "/verify"): PUBLIC,  # reads only; the origin is checked
    ("GET", "/my/credentials/badges.json"): only(Role.WORKER),
    ("GET", "/my/credentials/clr.jwt"): only(Role.WORKER),
    # The provider's console (api/web/routes/provider_*.py).
    **PROVIDER_PAGES,
    **MONEY_PAGES,
    **AGENCY_PEOPLE_PAGES,
    **LEVELS_PAGES,
    **IMPORT_PAGES,
    **OCCUPATION_PAGES,
    **CONTEST_PAGES,
    **PRIORITY_PAGES,
    **PROJECT_PAGES,
    **PLANNING_PAGES,
    **BORDER_PAGES,
    # Check-in by QR code (api/web/routes/checkin.py).
    ("GET", "/checkin/{token}"): only(Role.WORKER),
    ("POST", "/checkin/{token}"): only(Role.WORKER),
    ("GET", "/provider/runs/{run_id}/sessions/{session_n}/checkin"): only(Role.PROVIDER),
    # The agency's claims review (api/web/routes/agency_claims.py, agency_decisions.py).
    ("GET", "/agency/claims"): only(Role.AGENCY),
    ("GET", "/agency/claims/{voucher_id}"): only(Role.AGENCY),
    ("GET", "/agency/claims/{voucher_id}/approve"): only(Role.AGENCY),
    ("GET", "/agency/claims/{voucher_id}/screening"): only(Role.AGENCY),
    ("POST", "/agency/claims/{voucher_id}/approve"): only(Role.AGENCY),
    ("POST", "/agency/claims/{voucher_id}/reject"): only(Role.AGENCY),
    ("POST", "/agency/claims/{voucher_id}/counter"): only(Role.AGENCY),
    ("GET", "/agency/settlement"): only(Role.AGENCY),
    ("GET", "/agency/settlement/file"): only(Role.AGENCY),
}


@dataclass(frozen=True)
class PageCrossOwnerCase:
    """A page showing an object ``owner`` owns: ``arrange`` makes it and returns the path.

    Another principal of ``role`` (bound elsewhere) must get the 404 page; the owner 200.
    """

    name: str
    role: Role
    arrange: Callable[[AsyncClient, Settings, Any], Awaitable[str]]


async def _archive_with_entries(web: AsyncClient, settings: Settings, owner: Any) -> str:
    """The owner's archive, registered and linked (two entries): the second entry's page."""
    keyring = Keyring(load_master_secret(settings))
    await keyring.load()
    agency = Actor(
        principal_id="agency-test", username="agency-test", role=Role.AGENCY, region_prefix="5101"
    )
    number = fresh_resident_id()
    await registration.register_worker(
        actor=agency,
        keyring=keyring,
        settings=settings,
        name="张三",
        id_type=IdType.RESIDENT_ID,
        id_number=number,
        phone="13800138000",
        region_code="510104",
        archive_id=str(owner.archive_id),
    )
    await links.set_social_security(
        actor=agency,
        keyring=keyring,
        archive_id=str(owner.archive_id),
        number=number,
        card_number="A51010401",
        issuing_region="510104",
        schemes=[],
    )
    return "/my/archive/2"


# Pages that show one owner's object: another worker of the same role must see 404.
CROSS_OWNER_PAGES: list[PageCrossOwnerCase] = [
    PageCrossOwnerCase("an archive entry", Role.WORKER, _archive_with_entries),
    PageCrossOwnerCase("another worker's class", Role.WORKER, training_arrange.arrange_class),
    PageCrossOwnerCase("another worker's voucher", Role.WORKER, training_arrange.arrange_voucher),
    PageCrossOwnerCase(
        "another worker's apprenticeship", Role.WORKER, training_arrange.arrange_agreement
    ),
]

_TEST_PROBE = re.compile(r"^/_test/")


def page_routes(app: FastAPI) -> set[Route]:
    """Every (method, path) the app serves as a page."""
    found: set[Route] = set()
    for route in iter_route_contexts(app.routes):
        if not getattr(route.original_route, "is_page", False) or _TEST_PROBE.match(
            route.path or ""
        ):
            continue
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((method, route.path))
    return found


def test_every_page_is_classified(app: FastAPI) -> None:
    served = page_routes(app)
    assert not served - set(PAGES), f"pages missing from PAGES: {sorted(served - set(PAGES))}"
    assert not set(PAGES) - served, f"PAGES lists pages not served: {set(PAGES) - served}"


PROTECTED = sorted((route, access) for route, access in PAGES.items() if access != PUBLIC)


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", PLACEHOLDER, template)


@pytest.fixture
async def sessions(web: AsyncClient, settings: Settings) -> dict[Seat, str]:
    """One signed-in web session per seat: each role, and each staff sub-role (cookie secrets)."""
    secrets: dict[Seat, str] = {}
    for seat in SEATS:
        role, staff = seat
        principal = await create_principal(settings, role, staff_role=staff)
        secrets[seat] = await sign_in(web, principal.username, DEFAULT_PASSWORD)
        web.cookies.clear()
    return secrets


async def _ask(web: AsyncClient, method: str, path: str, secret: str | None) -> int:
    """The status of the page, or 401 for a redirect to the login page (not let in)."""
    web.cookies.clear()
    if secret is not None:
        set_session(web, secret)
    if method == "GET":
        response = await web.get(path)
    else:
        form = {"csrf_token": token_for(secret) if secret else "", "form_key": "k" * 22}
        response = await web.post(path, data=form, headers=ORIGIN)
    # A form's answer is a 303 too (post/redirect/get): only one to the login page refuses.
    if response.status_code == 303 and response.headers["location"].startswith("/login"):
        return 401
    return response.status_code


@pytest.mark.parametrize(
    ("route", "allowed"), PROTECTED, ids=[f"{m} {p}" for (m, p), _ in PROTECTED]
)
async def test_protected_page_admits_exactly_its_roles(
    web: AsyncClient, sessions: dict[Seat, str], route: Route, allowed: frozenset[Seat]
) -> None:
    method, template = route
    path = _path(template)
    visitor = await web.request(method, path)
    assert visitor.status_code == 303
    # A page comes back after the login; a form post starts over (the login page alone).
    expected = "/login?next=" if method == "GET" else "/login"
    assert visitor.headers["location"].startswith(expected)
    for seat, secret in sessions.items():
        status = await _ask(web, method, path, secret)
        if seat in allowed:
            assert status not in (401, 403), f"{seat_name(seat)} refused at {route}: {status}"
        else:
            assert status == 403, f"{seat_name(seat)} reached {route}: {status}"


async def test_a_page_never_shows_another_owners_object(
    web: AsyncClient, settings: Settings
) -> None:
    for case in CROSS_OWNER_PAGES:
        owner = await create_principal(settings, case.role)
        other = await create_principal(settings, case.role)
        path = await case.arrange(web, settings, owner)
        web.cookies.clear()
        await sign_in(web, other.username, DEFAULT_PASSWORD)
        assert (await web.get(path)).status_code == 404, case.name
        web.cookies.clear()
        await sign_in(web, owner.username, DEFAULT_PASSWORD)
        assert (await web.get(path)).status_code == 200, case.name
