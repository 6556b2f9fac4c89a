"""The agency's claims review pages over the in-process client: the dashboard's figures, the
queue (filters as ``GET /claims``), a claim's page with all its evidence, approving through
"check your answers" (a flagged claim needs the flags acknowledged and a note; a claim above
the policy's amount takes two officers), sending back with a coded reason, the worker at the
counter, a claim decided by a colleague meanwhile, and another region's officer who sees
nothing (404 as the API answers)."""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import DEFAULT_PASSWORD, create_principal, log_in_as
from tests.training.factories import make_run
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import World, make_world
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in


async def _officer_page(web: AsyncClient, world: World) -> None:
    """Sign in as the world's officer, reading the pages in English."""
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)


async def _flagged_world(client: AsyncClient, runtime: Runtime) -> tuple[World, str, str]:
    """A worker claimed twice under a policy that allows one claim a year: (the world, the
    clean first claim, the flagged second one). Both attested at the counter."""
    world = await make_world(
        client,
        runtime,
        rules={"one_unused_voucher": False},
        claim_terms={"max_claims_per_year": 1},
    )
    first = await train(client, world, world.worker)
    assert (await claim(client, world, first.voucher_id, 80_000)).status_code == 200
    start = date.fromisoformat(world.run["start_date"])
    later = await make_run(client, world.provider, world.course["id"], start=start, at="19:00")
    second = await train(client, world, world.worker, run=later)
    assert (await claim(client, world, second.voucher_id, 70_000)).status_code == 200
    return world, first.voucher_id, second.voucher_id


async def test_dashboard_queue_and_claim_show_the_evidence_and_the_flags(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world, first, second = await _flagged_world(client, runtime)
    await _officer_page(web, world)

    home = await web.get("/agency")
    assert home.status_code == 200, home.text
    assert "¥1,500.00" in home.text  # the money at stake: 800 + 700 yuan
    assert f"/agency/claims/{first}" in home.text  # waiting longest first

    queue = await web.get("/agency/claims")
    assert queue.text.index(f"/agency/claims/{second}") < queue.text.index(
        f"/agency/claims/{first}"
    )  # newest first, as GET /claims
    flagged = await web.get("/agency/claims?flagged=yes")
    assert f"/agency/claims/{second}" in flagged.text
    assert f"/agency/claims/{first}" not in flagged.text
    by_code = await web.get("/agency/claims?flag=claimed_too_often")
    assert f"/agency/claims/{first}" not in by_code.text
    clean = await web.get("/agency/claims?flagged=no")
    assert f"/agency/claims/{first}" in clean.text
    assert f"/agency/claims/{second}" not in clean.text
    disputed = await web.get("/agency/claims?disputed=yes")
    assert "/agency/claims/" + first not in disputed.text
    provider = await web.get(f"/agency/claims?provider={world.provider.organisation_id}")
    assert f"/agency/claims/{second}" in provider.text
    other = await web.get("/agency/claims?provider=64d0000000000000000000ff")
    assert f"/agency/claims/{second}" not in other.text

    page = await web.get(f"/agency/claims/{second}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Claimed more often than the policy allows" in text
    assert "claims for this worker under the policy" in text  # the rule's own words
    assert "Confirmed in person at the counter" in text
    assert text.count('data-label="Session"') == 4  # attendance session by session
    assert "face check-in" in text
    assert "the provider" in text  # who entered it
    assert "¥700.00" in text
    again = await web.get(f"/agency/claims/{second}/screening")
    assert "Claimed more often than the policy allows" in again.text
    assert "the claim keeps the flags it was made with" in again.text
    # The first claim was clean when made; with the second one on record, the rule finds it
    # now, while the claim keeps what it was made with.
    assert "No fraud rule flagged this claim." in (await web.get(f"/agency/claims/{first}")).text
    clean_again = await web.get(f"/agency/claims/{first}/screening")
    assert "Claimed more often than the policy allows" in clean_again.text


async def test_approving_a_flagged_claim_needs_the_flags_acknowledged_and_a_note(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world, _, second = await _flagged_world(client, runtime)
    await _officer_page(web, world)
    check = f"/agency/claims/{second}/approve"

    refused = await post_form(web, check, page=check, data={"note": ""})
    assert (refused.status_code, refused.headers["location"]) == (303, check)
    again = await web.get(check)
    assert "Confirm that you have read the flags" in again.text
    assert "Say why this flagged claim may be paid" in again.text
    assert (await client.get(f"/claims/{second}", headers=world.agency.headers)).json()["voucher"][
        "status"
    ] == "claimed"

    paid = await post_form(
        web, check, page=check, data={"acknowledge": "yes", "note": "两期课程不同，经核实"}
    )
    assert paid.headers["location"] == f"/agency/claims/{second}?notice=paid"
    shown = await web.get(paid.headers["location"])
    assert "The claim is approved" in shown.text
    assert "Approved and paid" in shown.text
    body = (await client.get(f"/claims/{second}", headers=world.agency.headers)).json()
    assert body["voucher"]["status"] == "redeemed"


async def test_a_claim_decided_by_a_colleague_meanwhile_is_not_decided_twice(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    await _officer_page(web, world)
    check = f"/agency/claims/{made.voucher_id}/approve"
    shown = await web.get(check)  # the officer reads the check page...
    # ...while a colleague sends the claim back through the API.
    colleague = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    sent_back = await client.post(
        f"/vouchers/{made.voucher_id}/reject",
        json={"reason": "documents_missing"},
        headers=colleague.headers,
    )
    assert sent_back.status_code == 200, sent_back.text
    late = await web.post(check, data=hidden_fields(shown.text), headers=ORIGIN)
    assert late.headers["location"] == f"/agency/claims/{made.voucher_id}"
    page = await web.get(late.headers["location"])
    assert "Another officer decided this claim a moment ago: nothing was done" in page.text
    assert "Sent back to the provider" in page.text
    assert "Documents are missing" in page.text
    voucher = (
        await client.get(f"/vouchers/{made.voucher_id}", headers=world.agency.headers)
    ).json()
    assert (voucher["status"], voucher["redeemed_amount_fen"]) == ("bound", 0)


async def test_two_officers_approve_a_claim_above_the_amount(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"two_approvals_above_fen": 50_000})
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    await _officer_page(web, world)
    check = f"/agency/claims/{made.voucher_id}/approve"
    assert "this is the first of two approvals" in (await web.get(check)).text
    first = await post_form(web, check, page=check, data={"note": "材料齐全"})
    assert first.headers["location"].endswith("?notice=first")
    again = await post_form(web, check, page=check, data={"note": "再批"})
    assert again.headers["location"] == check
    assert "a second officer must give the second one" in (await web.get(check)).text

    colleague = await create_principal(runtime.settings, Role.AGENCY, region_prefix="5101")
    web.cookies.clear()
    await sign_in(web, colleague.username, DEFAULT_PASSWORD)
    assert "This is the second approval" in (await web.get(check)).text
    second = await post_form(web, check, page=check, data={"note": "复核"})
    assert second.headers["location"].endswith("?notice=paid")


async def test_reject_with_a_coded_reason_and_the_worker_at_the_counter(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    response = await claim(client, world, made.voucher_id, 80_000, attest=False)
    assert response.status_code == 200
    await _officer_page(web, world)
    here = f"/agency/claims/{made.voucher_id}"
    assert "Held: waiting for the worker's answer" in (await web.get(here)).text

    blank = await post_form(web, f"{here}/counter", page=here, data={"counter_note": ""})
    assert blank.headers["location"] == here
    assert "Say how you identified the worker" in (await web.get(here)).text
    seen = await post_form(web, f"{here}/counter", page=here, data={"counter_note": "身份证核验"})
    assert seen.headers["location"] == f"{here}?notice=counter"
    assert "Confirmed in person at the counter" in (await web.get(here)).text

    no_reason = await post_form(web, f"{here}/reject", page=here, data={"reason": ""})
    assert no_reason.headers["location"] == here
    assert "Choose why the claim goes back" in (await web.get(here)).text
    other = await post_form(web, f"{here}/reject", page=here, data={"reason": "other"})
    assert "Say why in the note" in (await web.get(other.headers["location"])).text
    done = await post_form(
        web,
        f"{here}/reject",
        page=here,
        data={"reason": "insufficient_attendance", "reject_note": "缺少第4次课签到"},
    )
    assert done.headers["location"] == f"{here}?notice=rejected"
    voucher = (
        await client.get(f"/vouchers/{made.voucher_id}", headers=world.agency.headers)
    ).json()
    assert voucher["status"] == "bound"


async def test_an_officer_of_another_region_sees_no_claim_of_this_one(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world, first, second = await _flagged_world(client, runtime)
    elsewhere = await create_principal(runtime.settings, Role.AGENCY, region_prefix="5107")
    web.headers["Accept-Language"] = "en"
    await sign_in(web, elsewhere.username, DEFAULT_PASSWORD)
    queue = await web.get("/agency/claims")
    assert queue.status_code == 200
    assert first not in queue.text
    assert second not in queue.text
    assert "¥0.00" in (await web.get("/agency")).text
    for path in (
        f"/agency/claims/{second}",
        f"/agency/claims/{second}/approve",
        f"/agency/claims/{second}/screening",
    ):
        assert (await web.get(path)).status_code == 404, path
    api = await client.get(
        f"/claims/{second}",
        headers=(
            await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
        ).headers,
    )
    assert api.status_code == 404
    page = f"/agency/claims?provider={world.provider.organisation_id}"
    for action, data in (
        ("approve", {"acknowledge": "yes", "note": "x"}),
        ("reject", {"reason": "duplicate_claim"}),
        ("counter", {"counter_note": "x"}),
    ):
        posted = await post_form(web, f"/agency/claims/{second}/{action}", page=page, data=data)
        assert posted.status_code == 404, action
    body = (await client.get(f"/claims/{second}", headers=world.agency.headers)).json()
    assert body["voucher"]["status"] == "claimed"


async def test_two_officers_approving_at_once_pay_once_and_the_other_sees_why(
    app: FastAPI, client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    check = f"/agency/claims/{made.voucher_id}/approve"
    colleague = await create_principal(runtime.settings, Role.AGENCY, region_prefix="5101")
    async with AsyncClient(
        transport=ASGITransport(app=app), base_url="https://testserver"
    ) as second_browser:
        await _officer_page(web, world)
        second_browser.headers["Accept-Language"] = "en"
        await sign_in(second_browser, colleague.username, DEFAULT_PASSWORD)
        forms = [hidden_fields((await b.get(check)).text) for b in (web, second_browser)]
        answers = await asyncio.gather(
            *(
                b.post(check, data={**f, "note": "核对无误"}, headers=ORIGIN)
                for b, f in zip((web, second_browser), forms, strict=True)
            )
        )
        locations = sorted(a.headers["location"] for a in answers)
        here = f"/agency/claims/{made.voucher_id}"
        assert locations == [here, f"{here}?notice=paid"]
        loser = next(
            b
            for b, a in zip((web, second_browser), answers, strict=True)
            if a.headers["location"] == here
        )
        shown = (await loser.get(here)).text
    assert "Another officer decided this claim a moment ago: nothing was done" in shown
    assert "Approved and paid" in shown
    entries = await LedgerEntry.find({"voucher_id": made.voucher_id}).to_list()
    assert [e.amount_fen for e in entries] == [80_000]


async def test_the_settlement_of_a_period_lists_what_each_provider_is_owed(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    await _officer_page(web, world)
    check = f"/agency/claims/{made.voucher_id}/approve"
    assert (await post_form(web, check, page=check, data={})).status_code == 303

    page = await web.get("/agency/settlement")  # this month so far
    assert page.status_code == 200, page.text
    # The provider's row, the total, and the fund's row (this policy names no fund).
    assert page.text.count("¥800.00") == 3
    assert "Fund not specified" in page.text
    day = clock.china_today().isoformat()
    csv = await web.get(f"/agency/settlement/file?from={day}&to={day}&format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-disposition"].startswith('attachment; filename="settlement-5101')
    assert "80000" in csv.content.decode("utf-8-sig")
    wrong = await web.get("/agency/settlement?from=2026-13-01&to=2026-01-01")
    assert "Enter the first day as a date" in wrong.text
    backwards = await web.get("/agency/settlement?from=2026-02-01&to=2026-01-01")
    assert "The last day comes before the first" in backwards.text
