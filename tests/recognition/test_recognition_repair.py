"""A crash between a passed assessment (or a confirmation) and its certificate leaves
``certificate_id`` empty; the repair routine issues the certificate once, as the request
would have. The half-done state is written as the crash leaves it (the process-kill tests of
tests/faults/ prove the crash points themselves)."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.recognition import DirectRecognition, LevelAssessment
from portfolio.repair import repair
from portfolio.training import Certificate
from tests.recognition.factories import accredit, assessment, make_roads, post
from tests.recognition.test_direct_recognition import proposal


async def _forget_certificate(number: str) -> None:
    """The stored state of a crash before the certificate: no certificate, nothing noted."""
    await Certificate.get_pymongo_collection().delete_one({"number": number})
    for document in (LevelAssessment, DirectRecognition):
        await document.get_pymongo_collection().update_many({}, {"$set": {"certificate_id": ""}})


async def test_repair_issues_the_missing_certificates_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    body = await accredit(client, roads, roads.body)
    firm = await accredit(client, roads, roads.enterprise, kind="enterprise")
    made = await post(client, roads.body.user, "/assessments", assessment(roads, body))
    assert made.status_code == 201, made.text
    proposed = await post(
        client, roads.enterprise.user, "/direct-recognitions", proposal(roads, firm)
    )
    decided = await post(
        client,
        roads.officer,
        f"/direct-recognitions/{proposed.json()['id']}/decision",
        {"confirm": True, "reason": "同意"},
    )
    assert decided.status_code == 200, decided.text
    # Both certificates vanish as if never issued (their archive entries stay: the repair's
    # issue finds the certificate gone, makes it again under the same number).
    await _forget_certificate("PJ5101260001")
    await _forget_certificate("ZR5101260001")

    first = await repair(grace=timedelta(0))
    assert first.recognition_certificates_finished == 2
    numbers = sorted([c.number async for c in Certificate.find({})])
    assert numbers == ["PJ5101260001", "ZR5101260001"]
    noted = await LevelAssessment.get(made.json()["id"])
    assert noted is not None
    assert noted.certificate_id
    again = await repair(grace=timedelta(0))
    assert again.recognition_certificates_finished == 0
    assert await Certificate.find({}).count() == 2
