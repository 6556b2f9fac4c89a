"""The catalogue rule on the certificate and past-training paths: a certificate issued now
names a catalogued occupation, and correcting one whose code predates the catalogue may keep
that code; a past-training record of a course whose code predates it is refused."""

from __future__ import annotations

from typing import Any

from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.training import Certificate, Course
from portfolio.training.documents import HistoricalImport
from tests.helpers import assert_problem
from tests.training.factories import (
    Provider,
    make_course,
    make_person,
    make_provider,
    trained_class,
)

CERTIFICATE = {
    "number": "S000051010400999",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定指导中心",
    "issue_date": "2026-04-01",
}


async def _passed(client: AsyncClient, runtime: Runtime) -> tuple[Provider, str]:
    provider, _, [enrolment], _ = await trained_class(client, runtime)
    done = await client.post(
        f"/enrolments/{enrolment['id']}/completion",
        json={"result": "passed", "score": 88},
        headers=provider.user.headers,
    )
    assert done.status_code == 200, done.text
    return provider, str(enrolment["id"])


async def test_a_certificate_names_a_catalogued_occupation_and_may_keep_a_stored_one(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, enrolment_id = await _passed(client, runtime)
    body: dict[str, Any] = {**CERTIFICATE, "enrolment_id": enrolment_id}
    refused = await client.post(
        "/certificates",
        json={**body, "occupation_code": "4-03-02-99", "level": "apprentice"},
        headers=provider.user.headers,
    )
    errors = assert_problem(refused, 422)["errors"]
    assert {(e["field"], e["rule"]) for e in errors} == {
        ("occupation_code", "not_catalogued"),
        ("level", "required"),
    }
    issued = await client.post("/certificates", json=body, headers=provider.user.headers)
    assert issued.status_code == 201, issued.text
    certificate_id = issued.json()["id"]
    # As if issued before the catalogue existed, under a code it lacks.
    await Certificate.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(certificate_id)}, {"$set": {"occupation_code": "4-03-02-99"}}
    )
    corrected = await client.post(
        f"/certificates/{certificate_id}/correct",
        json={
            **CERTIFICATE,
            "occupation_code": "4-03-02-99",
            "issuing_body": "成都市技能人才评价中心",
            "reason": "发证机构更名",
        },
        headers=provider.user.headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["issuing_body"] == "成都市技能人才评价中心"
    moved = await client.post(
        f"/certificates/{certificate_id}/correct",
        json={**CERTIFICATE, "occupation_code": "4-03-02-98", "reason": "改编码"},
        headers=provider.user.headers,
    )
    assert [e["rule"] for e in assert_problem(moved, 422)["errors"]] == ["not_catalogued"]


async def test_a_past_record_of_a_course_whose_code_predates_the_catalogue_is_refused(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    person = await make_person(runtime, name="史料")
    await Course.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(course["id"])}, {"$set": {"occupation_code": "4-03-02-99"}}
    )
    record = {
        **person.ref(),
        "course_id": course["id"],
        "start_date": "2019-03-04",
        "end_date": "2019-03-29",
        "hours": 96,
        "result": "passed",
        "score": 86,
        "evidence_description": "2019年纸质培训台账",
        "evidence_reference": "档案 2019-川培-0457",
    }
    refused = await client.post("/historical-imports", json=record, headers=provider.user.headers)
    errors = assert_problem(refused, 422)["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [("course_id", "not_catalogued")]
    assert await HistoricalImport.find({"archive_id": person.archive_id}).count() == 0
