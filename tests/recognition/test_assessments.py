"""Assessment bodies and enterprises: accredited by the agency, they issue level certificates
on an assessment, without a course, and only within their accreditation."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.apprenticeships.factories import make_org
from tests.helpers import assert_problem, jwt_part, log_in_as
from tests.recognition.factories import (
    LIQUOR_NORM,
    WELDER,
    accredit,
    assessment,
    make_roads,
    post,
    today,
)


def jwt_claims(token: str) -> dict[str, object]:
    """The payload of a compact JWS (verified by the service's check above)."""
    return jwt_part(token, 1)


def _rules(problem: dict[str, object]) -> set[tuple[str, str]]:
    errors = problem["errors"]
    assert isinstance(errors, list)
    return {(e["field"], e["rule"]) for e in errors}


async def test_a_body_issues_a_certificate_on_an_assessment(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    accreditation = await accredit(client, roads, roads.body)
    assert accreditation["status"] == "active"
    response = await post(client, roads.body.user, "/assessments", assessment(roads, accreditation))
    assert response.status_code == 201, response.text
    recorded = response.json()
    assert recorded["road"] == "assessment"
    assert recorded["worker_masked_id"] != roads.worker.id_number
    assert recorded["certificate_id"]
    certificates = await client.get("/certificates", headers=roads.body.user.headers)
    (certificate,) = certificates.json()["items"]
    assert certificate["road"] == "assessment"
    assert certificate["enrolment_id"] == ""
    assert certificate["level"] == "senior"
    # The public check knows it like any certificate.
    check = await client.get(
        "/certificates/check", params={"number": "PJ5101260001", "name": "李四"}
    )
    assert check.json()["status"] == "valid"
    # The worker's archive states it with its road and evidence.
    worker = await log_in_as(
        client, runtime.settings, Role.WORKER, archive_id=roads.worker.archive_id
    )
    entries = (await client.get("/me/entries", headers=worker.headers)).json()["items"]
    issued = [e for e in entries if e["kind"] == "certificate_issued"]
    assert issued[0]["payload"]["road"] == "assessment"
    assert issued[0]["payload"]["assessment_id"] == recorded["id"]
    # It is an Open Badges credential, with the assessment as its evidence.
    badges = (await client.get("/me/credentials", headers=worker.headers)).json()["items"]
    (badge,) = [b for b in badges if b["kind"] == "certificate"]
    verified = await client.post("/credentials/verify", json={"credential": badge["token"]})
    assert verified.json()["ok"] is True, verified.text
    claims = jwt_claims(badge["token"])
    assert recorded["id"] in claims["evidence"][0]["narrative"]  # type: ignore[index]
    # Voiding it works as for any certificate.
    voided = await post(
        client,
        roads.body.user,
        f"/certificates/{certificate['id']}/void",
        {"reason": "考评记录有误"},
    )
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "voided"
    after = (await client.get("/me/credentials", headers=worker.headers)).json()["items"]
    assert [b for b in after if b["kind"] == "certificate"] == []


async def test_a_retry_of_the_same_assessment_issues_one_certificate(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    accreditation = await accredit(client, roads, roads.body)
    first = await post(client, roads.body.user, "/assessments", assessment(roads, accreditation))
    again = await post(client, roads.body.user, "/assessments", assessment(roads, accreditation))
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["certificate_id"] == again.json()["certificate_id"]
    listed = (await client.get("/certificates", headers=roads.body.user.headers)).json()
    assert len(listed["items"]) == 1


async def test_outside_the_accreditation_is_refused_and_nothing_written(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    accreditation = await accredit(client, roads, roads.body)
    wrong = assessment(roads, accreditation, occupation_code=WELDER, level="technician")
    problem = assert_problem(await post(client, roads.body.user, "/assessments", wrong), 422)
    assert _rules(problem) == {
        ("occupation_code", "not_accredited"),
        ("level", "not_accredited"),
    }
    before = assessment(
        roads, accreditation, assessed_on=(today() - timedelta(days=31)).isoformat()
    )
    problem = assert_problem(await post(client, roads.body.user, "/assessments", before), 422)
    assert _rules(problem) == {("assessed_on", "outside_accreditation_period")}
    # Another organisation cannot use it.
    other = await make_org(
        client, runtime.settings, roads.officer, kind="training_institution", region="510104"
    )
    problem = assert_problem(
        await post(client, other.user, "/assessments", assessment(roads, accreditation)), 422
    )
    assert _rules(problem) == {("accreditation_id", "unknown")}
    listed = (await client.get("/assessments", headers=roads.body.user.headers)).json()
    assert listed == []


async def test_suspended_and_expired_accreditations_issue_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    accreditation = await accredit(client, roads, roads.body)
    path = f"/accreditations/{accreditation['id']}"
    suspended = await post(client, roads.officer, f"{path}/suspend", {"reason": "投诉核查中"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert_problem(await post(client, roads.officer, f"{path}/suspend", {"reason": "再次"}), 409)
    problem = assert_problem(
        await post(client, roads.body.user, "/assessments", assessment(roads, accreditation)), 422
    )
    assert _rules(problem) == {("accreditation_id", "suspended")}
    reinstated = await post(client, roads.officer, f"{path}/reinstate", {"reason": "核查完毕"})
    assert reinstated.json()["status"] == "active"
    ok = await post(client, roads.body.user, "/assessments", assessment(roads, accreditation))
    assert ok.status_code == 201, ok.text
    # An accreditation whose period ended is expired, whatever its stored status.
    ended = await accredit(
        client,
        roads,
        roads.enterprise,
        kind="enterprise",
        valid_from=(today() - timedelta(days=400)).isoformat(),
        valid_until=(today() - timedelta(days=1)).isoformat(),
    )
    assert ended["status"] == "expired"
    problem = assert_problem(
        await post(
            client,
            roads.enterprise.user,
            "/assessments",
            assessment(roads, ended, certificate_number="QY5101260001"),
        ),
        422,
    )
    assert _rules(problem) == {("assessed_on", "outside_accreditation_period")}


async def test_only_the_region_agency_accredits_and_sees(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    accreditation = await accredit(client, roads, roads.body)
    elsewhere = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    assert_problem(
        await client.get(f"/accreditations/{accreditation['id']}", headers=elsewhere.headers), 404
    )
    assert (await client.get("/accreditations", headers=roads.body.user.headers)).json()["items"][
        0
    ]["id"] == accreditation["id"]
    assert (await client.get("/accreditations", headers=roads.enterprise.user.headers)).json()[
        "items"
    ] == []
    bad = await post(
        client,
        roads.officer,
        "/accreditations",
        {
            "organisation_id": roads.body.organisation_id,
            "kind": "assessment_body",
            "occupation_codes": ["9-99"],
            "levels": [],
            "valid_from": today().isoformat(),
            "valid_until": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert _rules(assert_problem(bad, 422)) == {
        ("occupation_codes", "format"),
        ("levels", "required"),
        ("valid_until", "before_from"),
    }


async def test_special_ability_certificates_follow_a_published_norm(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    norm = {"code": LIQUOR_NORM, "title": "四川白酒酿造", "occupation_code": "6-02-06-01"}
    assert_problem(await post(client, roads.officer, "/ability-norms", norm), 403)
    published = await post(client, roads.province, "/ability-norms", norm)
    assert published.status_code == 201, published.text
    assert published.json()["region_code"] == "510000"
    assert_problem(await post(client, roads.province, "/ability-norms", norm), 409)
    accreditation = await accredit(client, roads, roads.body, norm_codes=[LIQUOR_NORM])
    special = assessment(
        roads,
        accreditation,
        occupation_code="",
        level=None,
        norm_code=LIQUOR_NORM,
        certificate_number="ZX5101260001",
    )
    response = await post(client, roads.body.user, "/assessments", special)
    assert response.status_code == 201, response.text
    assert response.json()["road"] == "special_ability"
    certificate = (await client.get("/certificates", headers=roads.body.user.headers)).json()[
        "items"
    ][0]
    assert certificate["certificate_type"] == "special_ability"
    assert certificate["norm_code"] == LIQUOR_NORM
    assert certificate["occupation_code"] == "6-02-06-01"
    # A withdrawn norm issues nothing more.
    withdrawn = await post(
        client, roads.province, f"/ability-norms/{LIQUOR_NORM}/withdraw", {"reason": "规范修订"}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    again = {**special, "certificate_number": "ZX5101260002"}
    problem = assert_problem(await post(client, roads.body.user, "/assessments", again), 422)
    assert _rules(problem) == {("norm_code", "unknown_norm")}
