"""Every read of a worker's data by a provider or an agency is in the worker's access log.

The routes are taken from the app itself (its OpenAPI paths): every GET route is either a read
of worker data, listed in ``READS`` with who reads it here and the purpose its line carries, or
the worker's own (``/me/...``), or listed in ``NOT_WORKER_DATA`` with why it is not one. A new
route in none of them fails ``test_every_get_route_is_classified`` until it is placed (and, if it
shows worker data, logs its reads and gets a row here)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from tests.apprenticeships.factories import PersonRef, employment_at, terms
from tests.apprenticeships.factories import make_world as apprenticeship_world
from tests.competitions.factories import contest_records
from tests.crossborder.factories import chongqing
from tests.crossborder.factories import officer as border_officer
from tests.crossborder.factories import record as record_border
from tests.helpers import LoggedIn, log_in_as
from tests.vouchers.claim_factories import claim, claimed_vouchers, train
from tests.vouchers.factories import make_world
from tests.workers.factories import Worker

PROVIDER, AGENCY = "provider", "agency"
BOTH = (PROVIDER, AGENCY)

# Each GET route that shows a worker's data to someone else: who reads it below, and the
# purpose of the line it writes (a list writes one line per worker shown).
READS: dict[str, tuple[tuple[str, ...], str]] = {
    "/workers/{archive_id}": ((AGENCY,), "read the worker's record (masked)"),
    "/runs/{run_id}/enrolments": (BOTH, "class list"),
    "/enrolments/{enrolment_id}": (BOTH, "enrolment"),
    "/enrolments/{enrolment_id}/attendance": (BOTH, "attendance"),
    "/completions": ((PROVIDER,), "completions list"),
    "/certificates": ((PROVIDER,), "certificate list"),
    "/claims": (BOTH, "claim evidence"),
    "/claims/{voucher_id}": (BOTH, "claim evidence"),
    "/vouchers": (BOTH, "voucher list"),
    "/vouchers/{voucher_id}": (BOTH, "voucher"),
    "/vouchers/{voucher_id}/events": (BOTH, "voucher history"),
    "/voucher-policies/{policy_id}/eligibility/{worker_id}": ((AGENCY,), "voucher eligibility"),
    "/apprenticeships": (BOTH, "apprenticeship list"),
    "/apprenticeships/{apprenticeship_id}": (BOTH, "apprenticeship"),
    "/challenges": (BOTH, "challenge list"),
    "/challenges/{challenge_id}": (BOTH, "challenge"),
    "/historical-imports": (BOTH, "historical import list"),
    "/historical-imports/{import_id}": (BOTH, "historical import"),
    "/competitions/{competition_id}": ((AGENCY,), "competition entrants"),
    "/honours": ((AGENCY,), "honours list"),
    "/honours/{honour_id}": ((AGENCY,), "honour"),
    "/workers/{archive_id}/priority-groups": ((AGENCY,), "重点群体"),
    "/assessments": ((PROVIDER,), "assessment list"),
    "/direct-recognitions": (BOTH, "direct recognition list"),
    "/direct-recognitions/{recognition_id}": (BOTH, "direct recognition"),
    "/border-recognitions": ((AGENCY,), "cross-border recognition list"),
    "/border-recognitions/{border_id}": ((AGENCY,), "cross-border recognition"),
}

NOT_WORKER_DATA: dict[str, str] = {
    "/targets": "the plan's figures: counts by region and year, no worker named",
    "/employed-counts": "statistics entered by an agency: counts only",
    "/platforms": "training platforms: organisations, their leaders and counts",
    "/platforms/{platform_id}": "one platform, its linked classes and counts",
    "/healthz": "liveness",
    "/projects": "training projects: the group by its size, no worker named",
    "/projects/{project_id}": "one training project: the group by its size, no worker named",
    "/readyz": "readiness",
    "/metrics": "counters and timings",
    "/auth/sessions": "the caller's own sessions",
    "/.well-known/jwks.json": "public keys",
    "/.well-known/did.json": "the issuer's public document",
    "/credentials/jwks.json": "public keys",
    "/credentials/status/1": "a revocation bit list: no names, no ids",
    "/admin/principals": "accounts (login and role) for the service admin, no archive data",
    "/admin/principals/{principal_id}": "one account, no archive data",
    "/staff": "an organisation's staff accounts",
    "/admin/audit-events": "security events: a worker's login name is never shown",
    "/audit/changes": "the change trail: personal values masked, hidden from the admin",
    "/providers": "organisations",
    "/providers/{organisation_id}": "an organisation",
    "/courses": "courses",
    "/courses/{course_id}": "a course",
    "/courses/{course_id}/versions": "a course's earlier terms",
    "/runs/{run_id}": "a class without its list",
    "/runs/{run_id}/sessions/{session_n}/checkin-code": "a session's check-in code",
    "/trainers": "an organisation's trainers (staff)",
    "/mentors": "mentors (staff)",
    "/mentors/{mentor_id}": "a mentor (staff)",
    "/catalogue/runs": "the public catalogue",
    "/catalogue/runs/{run_id}": "the public catalogue",
    "/certificates/check": "the public check of what a holder shows (number and name given)",
    "/certificates/links/{token}": "the public check of a certificate's QR link",
    "/shared/{token}": "logged as a share-link view by portfolio/sharing (tests/sharing)",
    "/reports/training": "counts",
    "/reports/vouchers": "counts",
    "/reports/apprenticeships": "counts",
    "/reports/distinctions": "counts",
    "/reports/priority-groups": "counts (sensitive groups never listed, small cells hidden)",
    "/reports/levels": "counts",
    "/reports/cross-border": "counts",
    "/voucher-policies": "policies",
    "/voucher-policies/{policy_id}": "a policy",
    "/claims/money": "sums per provider",
    "/settlements": "sums per provider",
    "/occupations": "the public occupation catalogue",
    "/occupations/{code}": "the public occupation catalogue",
    "/occupations/uncatalogued": "occupation codes and counts of records",
    "/competitions": "events, without their entrants",
    "/accreditations": "organisations' accreditations",
    "/accreditations/{accreditation_id}": "an organisation's accreditation",
    "/ability-norms": "published assessment norms",
}


def _get_routes(app: FastAPI) -> set[str]:
    return {path for path, ops in app.openapi()["paths"].items() if "get" in ops}


def test_every_get_route_is_classified(app: FastAPI) -> None:
    routes = _get_routes(app)
    own = {path for path in routes if path == "/me" or path.startswith("/me/")}
    unplaced = routes - own - set(READS) - set(NOT_WORKER_DATA)
    assert not unplaced, (
        f"GET routes neither logged here nor said to show no worker data: {unplaced}"
    )
    assert not set(READS) & set(NOT_WORKER_DATA)
    # No stale rows: every route listed still exists.
    assert (set(READS) | set(NOT_WORKER_DATA)) - routes == set()


async def _log(client: AsyncClient, worker: Worker) -> list[dict[str, Any]]:
    response = await client.get("/me/access-log", params={"limit": 100}, headers=worker.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _entry_seq(client: AsyncClient, worker: Worker, kind: str) -> int:
    entries = await client.get("/me/entries", params={"limit": 100}, headers=worker.headers)
    return int(next(e["seq"] for e in entries.json()["items"] if e["kind"] == kind))


async def _challenge(client: AsyncClient, worker: Worker, kind: str) -> str:
    filed = await client.post(
        "/me/challenges",
        json={"entry_seq": await _entry_seq(client, worker, kind), "words": "不是我的"},
        headers=worker.headers,
    )
    assert filed.status_code == 201, filed.text
    challenge_id: str = filed.json()["id"]
    return challenge_id


# Routes whose provider reader is the enterprise of the apprenticeship world.
ENTERPRISE_READS = ("/apprenticeships", "/assessments", "/direct-recognitions")


async def _assessed_and_proposed(
    client: AsyncClient, runtime: Runtime, agency: LoggedIn, firms: Any, person: PersonRef
) -> str:
    """The enterprise accredited by an officer of ``agency``'s region records an assessment
    of ``person`` and proposes them for direct recognition; the recognition's id."""
    officer = await log_in_as(
        client,
        runtime.settings,
        Role.AGENCY,
        region_prefix=str(agency.principal.region_prefix),
        staff_role=StaffRole.OFFICER,
    )
    day = clock.china_today()
    accreditation = await client.post(
        "/accreditations",
        json={
            "organisation_id": firms.enterprise.organisation_id,
            "kind": "enterprise",
            "occupation_codes": ["4-03-02-01"],
            "levels": ["intermediate"],
            "valid_from": day.isoformat(),
            "valid_until": (day + timedelta(days=365)).isoformat(),
        },
        headers=officer.headers,
    )
    assert accreditation.status_code == 201, accreditation.text
    worker = {"id_number": person.id_number, "name": person.name}
    common = {**worker, "accreditation_id": accreditation.json()["id"]}
    common["occupation_code"] = "4-03-02-01"
    assessed = await client.post(
        "/assessments",
        json={**common, "level": "intermediate", "passed": False, "assessed_on": day.isoformat()},
        headers=firms.enterprise.user.headers,
    )
    assert assessed.status_code == 201, assessed.text
    proposed = await client.post(
        "/direct-recognitions",
        json={
            **common,
            "level": "senior",
            "performance": "优秀",
            "posts": "一线岗位",
            "achievements": "技术革新",
            "certificate_number": "ZR0001",
        },
        headers=firms.enterprise.user.headers,
    )
    assert proposed.status_code == 201, proposed.text
    recognition_id: str = proposed.json()["id"]
    return recognition_id


async def test_each_read_of_worker_data_is_in_their_access_log(
    app: FastAPI, client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    worker = world.worker
    made = await train(client, world, worker)
    assert (await claim(client, world, made.voucher_id)).status_code == 200
    certificate = await client.post(
        "/certificates",
        json={
            "number": "A0001",
            "certificate_type": "skill_level",
            "occupation_code": "4-03-02-01",
            "level": "junior",
            "issuing_body": "成都市职业技能鉴定指导中心",
            "issue_date": "2026-04-01",
            "enrolment_id": made.enrolment_id,
        },
        headers=world.provider.user.headers,
    )
    assert certificate.status_code == 201, certificate.text
    # An apprenticeship of the same worker, with an enterprise of the agency's region.
    firms = await apprenticeship_world(client, runtime.settings, agency=world.agency)
    employed = await client.post(
        f"/workers/{worker.archive_id}/employment",
        json=employment_at(firms.enterprise),
        headers=world.agency.headers,
    )
    assert employed.status_code == 201, employed.text
    name = worker.registered.body["worker"]["identity"]["name"]
    person = PersonRef(worker.registered.id_number, name)
    agreement = await client.post(
        "/apprenticeships", json=terms(firms, person), headers=firms.enterprise.user.headers
    )
    assert agreement.status_code == 201, agreement.text
    # A challenge held by the provider (its training entry), one by the agency (registration).
    held = {
        PROVIDER: await _challenge(client, worker, "training_completed"),
        AGENCY: await _challenge(client, worker, "registered"),
    }

    # A paper record of the worker's earlier training, sent by the provider for the agency.
    imported = await client.post(
        "/historical-imports",
        json={
            "id_type": "resident_id",
            "id_number": worker.registered.id_number,
            "name": name,
            "course_id": world.course["id"],
            "start_date": "2019-03-04",
            "end_date": "2019-03-29",
            "hours": 96,
            "result": "passed",
            "score": 86,
            "evidence_description": "2019年纸质培训台账",
            "evidence_reference": "档案 2019-0457",
        },
        headers=world.provider.user.headers,
    )
    assert imported.status_code == 201, imported.text

    # A competition the worker entered and an honour, recorded by an officer of the region.
    contest = await contest_records(client, runtime, world.agency, worker.registered)
    # The enterprise, accredited, assesses the worker and proposes them for recognition.
    recognition_id = await _assessed_and_proposed(client, runtime, world.agency, firms, person)
    # A certificate from Chongqing recorded for the worker by an officer of the region.
    border = await record_border(
        client, await border_officer(client, runtime.settings, "51"), worker.registered, chongqing()
    )

    params = {
        **contest,
        "import_id": imported.json()["id"],
        "archive_id": worker.archive_id,
        "worker_id": worker.archive_id,
        "run_id": world.run["id"],
        "enrolment_id": made.enrolment_id,
        "voucher_id": made.voucher_id,
        "policy_id": world.policy["id"],
        "apprenticeship_id": agreement.json()["id"],
        "recognition_id": recognition_id,
        "border_id": border["id"],
    }
    readers: dict[str, LoggedIn] = {PROVIDER: world.provider.user, AGENCY: world.agency}
    before = len(await _log(client, worker))
    reads = 0
    for template, (roles, purpose) in READS.items():
        for role in roles:
            reader = readers[role]
            if template.startswith(ENTERPRISE_READS) and role == PROVIDER:
                reader = firms.enterprise.user  # the employer is the provider here
            path = template.format(**params, challenge_id=held[role])
            response = await client.get(path, headers=reader.headers)
            assert response.status_code == 200, (role, path, response.text)
            newest = (await _log(client, worker))[0]
            assert (newest["role"], newest["purpose"]) == (role, purpose), (role, path)
            reads += 1
    assert len(await _log(client, worker)) == before + reads
    assert set(READS) <= _get_routes(app)


async def test_a_reveal_is_logged_with_its_purpose_and_lists_log_each_worker_shown(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made, other] = await claimed_vouchers(client, runtime, 2)
    agency, provider = world.agency.headers, world.provider.user.headers
    revealed = await client.post(
        f"/workers/{made.worker.archive_id}/reveal",
        json={"purpose": "checking a claim"},
        headers=agency,
    )
    assert revealed.status_code == 200, revealed.text
    lines = await _log(client, made.worker)
    assert (lines[0]["purpose"], lines[0]["action"]) == ("checking a claim", "read_full")
    for path, headers in (("/claims", provider), ("/claims", agency), ("/vouchers", agency)):
        assert (await client.get(path, headers=headers)).status_code == 200
    # The other worker was shown in each list: one line per list. They train in a class of
    # their own (claim_factories): the first class list never showed them.
    assert (await client.get(f"/runs/{world.run['id']}/enrolments", headers=provider)).is_success
    others = [line["purpose"] for line in await _log(client, other.worker)]
    assert others.count("claim evidence") == 2
    assert others.count("voucher list") == 1
    assert others.count("class list") == 0


async def test_the_worker_reading_their_own_data_adds_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    _, [made] = await claimed_vouchers(client, runtime, 1)
    worker = made.worker
    before = await _log(client, worker)
    for path in ("/me/archive", "/me/enrolments", "/me/vouchers", "/me/apprenticeships"):
        response = await client.get(path, headers=worker.headers)
        assert response.status_code == 200, (path, response.text)
    assert await _log(client, worker) == before
