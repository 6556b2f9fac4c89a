"""Results and certificates in the provider's console (in-process client): the completion
sheet and its errors, recording a certificate for a pass (not for a fail), correcting and
voiding it behind a "check your answers" page, and another provider's sheet and certificate
answering "not found" (the browser journey: test_provider_journeys_results.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from httpx import AsyncClient

from api.runtime import Runtime
from tests.helpers import DEFAULT_PASSWORD
from tests.training.factories import trained_class
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in

CERTIFICATE = {
    "number": "S000051010400123",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定指导中心",
    "issue_date": "2026-04-01",
}


async def test_results_and_a_certificates_life(web: AsyncClient, runtime: Runtime) -> None:
    provider, run, [passing, failing], _ = await trained_class(web, runtime, people=2)
    web.cookies.clear()
    await sign_in(web, provider.user.principal.username, DEFAULT_PASSWORD)
    page = f"/provider/runs/{run['id']}/results"
    shown = await web.get(page)
    assert shown.status_code == 200
    assert "结业0" in shown.text
    assert "结业1" in shown.text
    listed = ",".join((passing["id"], failing["id"]))

    nothing = await post_form(web, page, page=page, data={"enrolments": listed})
    assert nothing.headers["location"] == page
    assert 'href="#record"' in (await web.get(page)).text
    score = f"score-{passing['id']}"
    bad = {"enrolments": listed, f"result-{passing['id']}": "passed", score: "x"}
    wrong = await post_form(web, page, page=page, data=bad)
    assert wrong.headers["location"] == page
    again = await web.get(page)
    assert f'href="#{score}"' in again.text
    assert 'value="x"' in again.text  # the answer comes back to be corrected

    results = {
        "enrolments": listed,
        f"result-{passing['id']}": "passed",
        score: "88",
        f"result-{failing['id']}": "failed",
        f"score-{failing['id']}": "40",
    }
    recorded = await post_form(web, page, page=page, data=results)
    assert recorded.headers["location"] == f"{page}?notice=results&count=2"
    roster = await web.get(f"/runs/{run['id']}/enrolments", headers=provider.user.headers)
    assert sorted((e["result"], e["score"]) for e in roster.json()["items"]) == [
        ("failed", 40),
        ("passed", 88),
    ]

    # A certificate follows the pass, not the fail.
    refused_page = f"/provider/enrolments/{failing['id']}/certificate"
    refused = await post_form(web, refused_page, page=refused_page, data=CERTIFICATE)
    assert refused.headers["location"] == refused_page
    assert 'href="#number"' in (await web.get(refused_page)).text
    new = f"/provider/enrolments/{passing['id']}/certificate"
    form = await web.get(new)
    assert 'value="4-03-02-01"' in form.text  # the course's occupation, filled in
    future = await post_form(web, new, page=new, data={**CERTIFICATE, "issue_date": "2099-01-01"})
    assert future.headers["location"] == new
    assert 'href="#issue_date"' in (await web.get(new)).text
    issued = await post_form(web, new, page=new, data=CERTIFICATE)
    location = issued.headers["location"]
    assert location.endswith("?notice=issued")
    certificate_page = location.split("?")[0]
    certificate_id = certificate_page.rsplit("/", 1)[1]
    assert CERTIFICATE["number"] in (await web.get(location)).text
    assert certificate_id in (await web.get(page)).text

    # Correcting: no reason, back to the form; then the check page, then the write.
    correct = f"{certificate_page}/correct"
    answers = {**CERTIFICATE, "issue_date": "2026-04-02"}
    no_reason = await web.get(f"{correct}/check?{urlencode(answers)}")
    assert no_reason.status_code == 303
    assert no_reason.headers["location"] == correct
    assert 'href="#reason"' in (await web.get(correct)).text
    check = f"{correct}/check?{urlencode({**answers, 'reason': '日期录错'})}"
    checked = await web.get(check)
    assert checked.status_code == 200
    assert "日期录错" in checked.text
    assert "2026年4月2日" in checked.text
    written = await post_form(web, correct, page=check)
    assert written.headers["location"] == f"{certificate_page}?notice=corrected"
    stored = await web.get("/certificates", headers=provider.user.headers)
    [item] = stored.json()["items"]
    assert item["issue_date"] == "2026-04-02"

    # Voiding: the check page, then the write; a voided certificate is not voided again.
    void = f"{certificate_page}/void"
    check = f"{void}/check?{urlencode({'reason': '证书信息有误，已收回'})}"
    assert "证书信息有误，已收回" in (await web.get(check)).text
    voided = await post_form(web, void, page=check)
    assert voided.headers["location"] == f"{certificate_page}?notice=voided"
    stored = await web.get("/certificates", headers=provider.user.headers)
    assert stored.json()["items"][0]["status"] == "voided"
    assert "/void" not in (await web.get(certificate_page)).text

    # Another provider sees none of it and changes nothing.
    other, _, _, _ = await trained_class(web, runtime)
    web.cookies.clear()
    await sign_in(web, other.user.principal.username, DEFAULT_PASSWORD)
    for path in (page, certificate_page, new, correct, f"{void}/check?reason=x"):
        assert (await web.get(path)).status_code == 404, path
    fields = hidden_fields((await web.get("/provider/dashboard")).text)
    for action, data in (
        (page, results),
        (new, CERTIFICATE),
        (correct, {**answers, "reason": "x"}),
    ):
        refused = await web.post(action, data={**fields, **data}, headers=ORIGIN)
        assert refused.status_code == 404, action
