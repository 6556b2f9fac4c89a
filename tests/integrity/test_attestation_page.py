"""The worker's attestation page over the in-process client: the voucher page links to it
once a claim is made; yes confirms, no needs the worker's words and holds the claim; the
answer reaches the agency's queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from portfolio import clock
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from portfolio.training.evidence import session_start
from tests.helpers import DEFAULT_PASSWORD, auth_headers, create_principal, request_tokens
from tests.training.factories import workers_confirm
from tests.vouchers.factories import issued, make_policy
from tests.web import training_arrange as arrange
from tests.web.pages import post_form, sign_in


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """The app in-process over https:// (so ``Secure`` cookies are kept and sent)."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver") as http:
        yield http


async def _claimed(
    web: AsyncClient, settings: Settings, owner: Principal
) -> tuple[str, dict[str, str]]:
    """A voucher of ``owner``'s worker claimed after a class it paid for; (its id, the
    agency's headers)."""
    agency, registered = await arrange.worker_of(web, settings, owner)
    provider, run_id = await arrange.open_class(web, agency, settings)
    policy = await make_policy(web, agency)
    voucher = await issued(web, agency, policy["id"], registered.archive_id)
    enrolled = await web.post(
        f"/runs/{run_id}/enrolments",
        json={"id_number": registered.id_number, "name": "王测试", "accept": True},
        headers=provider.headers,
    )
    enrolment_id = enrolled.json()["id"]
    tokens = await request_tokens(web, owner.username, DEFAULT_PASSWORD)
    bound = await web.post(
        f"/vouchers/{voucher['id']}/bind",
        json={"enrolment_id": enrolment_id},
        headers=auth_headers(tokens["access_token"]),
    )
    assert bound.status_code == 200, bound.text
    await web.post(f"/enrolments/{enrolment_id}/start", json={}, headers=provider.headers)
    run = (await web.get(f"/runs/{run_id}", headers=provider.headers)).json()
    for session in run["sessions"]:
        moment = session_start(date.fromisoformat(session["day"]), session["start"])
        with clock.stopped_at(moment + timedelta(hours=1)):
            recorded = await web.post(
                f"/enrolments/{enrolment_id}/attendance",
                json={
                    "session_n": session["n"],
                    "hours": 4,
                    "capture_method": "face",
                    "check_in_ref": f"f{session['n']}",
                },
                headers=provider.headers,
            )
            assert recorded.status_code == 201, recorded.text
    await workers_confirm(run_id)  # the worker stands behind the face entries
    with clock.stopped_at(clock.now() + timedelta(days=30)):
        done = await web.post(
            f"/enrolments/{enrolment_id}/completion",
            json={"result": "passed"},
            headers=provider.headers,
        )
        assert done.status_code == 200, done.text
    made = await web.post(
        f"/vouchers/{voucher['id']}/claim", json={"amount_fen": 90_000}, headers=provider.headers
    )
    assert made.status_code == 200, made.text
    return voucher["id"], agency.headers


async def test_the_worker_disputes_a_claim_in_their_pages(
    web: AsyncClient, settings: Settings
) -> None:
    owner = await create_principal(settings, Role.WORKER)
    voucher_id, agency = await _claimed(web, settings, owner)
    web.cookies.clear()
    await sign_in(web, owner.username, DEFAULT_PASSWORD)
    voucher_page = await web.get(f"/my/vouchers/{voucher_id}")
    page = f"/my/vouchers/{voucher_id}/attestation"
    assert f'href="{page}"' in voucher_page.text
    shown = await web.get(page)
    assert shown.status_code == 200, shown.text
    assert "900.00" in shown.text

    wordless = await post_form(web, page, page=page, data={"took_part": "no"})
    assert wordless.headers["location"] == page
    assert 'href="#words"' in (await web.get(page)).text

    said = await post_form(
        web, page, page=page, data={"took_part": "no", "words": "那几天我在外地打工"}
    )
    assert said.headers["location"] == f"{page}?notice=disputed"
    after = await web.get(said.headers["location"])
    assert "那几天我在外地打工" in after.text
    assert 'name="took_part"' not in after.text  # answered: the first answer stands
    [item] = (await web.get("/claims?disputed=true", headers=agency)).json()["items"]
    assert item["review"]["attestation_words"] == "那几天我在外地打工"


async def test_the_worker_confirms_a_claim_in_their_pages(
    web: AsyncClient, settings: Settings
) -> None:
    owner = await create_principal(settings, Role.WORKER)
    voucher_id, agency = await _claimed(web, settings, owner)
    web.cookies.clear()
    await sign_in(web, owner.username, DEFAULT_PASSWORD)
    page = f"/my/vouchers/{voucher_id}/attestation"
    said = await post_form(web, page, page=page, data={"took_part": "yes"})
    assert said.headers["location"] == f"{page}?notice=confirmed"
    paid = await web.post(f"/vouchers/{voucher_id}/redeem", headers=agency)
    assert paid.status_code == 200, paid.text
