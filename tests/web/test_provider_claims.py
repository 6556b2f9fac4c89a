"""Claims in the provider's console (in-process client): what may be claimed now and why the
rest may not yet, the claim form's errors and a claim sent, the claims in progress, the
month's statement as CSV and .xlsx, and another provider seeing and claiming none of it."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlencode

from httpx import AsyncClient
from openpyxl import load_workbook

from api.runtime import Runtime
from portfolio import clock
from tests.helpers import DEFAULT_PASSWORD
from tests.training.factories import during_session, make_run
from tests.vouchers.claim_factories import train
from tests.vouchers.factories import make_world
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in
from tests.workers.factories import registered_worker


async def test_claiming_from_the_console(web: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(web, runtime)
    ready = await train(web, world, world.worker)
    running = await train(web, world, await registered_worker(web, world.agency), result=None)
    short = await train(
        web, world, await registered_worker(web, world.agency), confirmed_sessions=3
    )
    web.cookies.clear()
    await sign_in(web, world.provider.user.principal.username, DEFAULT_PASSWORD)
    web.cookies.set("lang", "en")

    desk = (await web.get("/provider/claims")).text
    waiting_at = desk.index("Not yet claimable")
    assert 0 < desk.index(f"/provider/claims/{ready.voucher_id}") < waiting_at
    assert desk.index(f"/provider/claims/{running.voucher_id}") > waiting_at
    assert "The worker&#39;s result is not recorded yet." in desk
    assert "Confirmed attendance is 12 hours; a claim needs 12.8 hours." in desk

    # A voucher not yet claimable shows its reasons and no form; a forced post is refused.
    held = f"/provider/claims/{running.voucher_id}"
    shown = await web.get(held)
    assert f'action="{held}"' not in shown.text
    fields = hidden_fields(desk)
    refused = await web.post(held, data={**fields, "amount": "900"}, headers=ORIGIN)
    assert refused.headers["location"] == held
    assert 'href="#voucher"' in (await web.get(held)).text

    page = f"/provider/claims/{ready.voucher_id}"
    form = await web.get(page)
    assert 'value="1,000.00"' in form.text  # the cap, offered as the amount
    # The check page refuses what is no amount; the claim refuses more than the cap.
    typo = await web.get(f"{page}/check?amount=abc")
    assert typo.headers["location"] == page
    assert 'href="#amount"' in (await web.get(page)).text
    above = await post_form(web, page, page=f"{page}/check?amount=1000.01")
    assert above.headers["location"] == page
    assert 'href="#amount"' in (await web.get(page)).text
    check = f"{page}/check?{urlencode({'amount': '900', 'note': '全勤'})}"
    checked = (await web.get(check)).text
    assert "900.00" in checked
    assert "全勤" in checked
    sent = await post_form(web, page, page=check)
    assert sent.headers["location"] == "/provider/claims?notice=claimed"
    voucher = await web.get(f"/vouchers/{ready.voucher_id}", headers=world.agency.headers)
    assert (voucher.json()["status"], voucher.json()["claimed_amount_fen"]) == ("claimed", 90_000)
    desk = (await web.get(sent.headers["location"])).text
    assert "Awaiting the agency" in desk
    assert f"/provider/claims/{ready.voucher_id}" not in desk.split("Your claims")[0]

    month = f"{clock.china_today():%Y-%m}"
    csv = await web.get(f"/provider/claims/statement?month={month}&file_format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert ready.voucher_id in text
    assert "900.00" in text
    assert running.voucher_id not in text
    xlsx = await web.get(f"/provider/claims/statement?month={month}&file_format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert next(c.value for c in sheet[2]) == ready.voucher_id
    bad = await web.get("/provider/claims/statement?month=13-2026&file_format=csv")
    assert bad.headers["location"] == "/provider/claims"
    assert 'href="#month"' in (await web.get("/provider/claims")).text

    # Another provider sees none of it and claims nothing.
    other = await make_world(web, runtime)
    web.cookies.clear()
    await sign_in(web, other.provider.user.principal.username, DEFAULT_PASSWORD)
    assert (await web.get(f"/provider/claims/{short.voucher_id}")).status_code == 404
    check = f"/provider/claims/{short.voucher_id}/check?amount=1"
    assert (await web.get(check)).status_code == 404
    desk = (await web.get("/provider/claims")).text
    assert short.voucher_id not in desk
    assert ready.voucher_id not in desk
    fields = hidden_fields(desk)
    forced = await web.post(
        f"/provider/claims/{short.voucher_id}", data={**fields, "amount": "1"}, headers=ORIGIN
    )
    assert forced.status_code in (403, 404) or forced.headers["location"].endswith(short.voucher_id)
    voucher = await web.get(f"/vouchers/{short.voucher_id}", headers=world.agency.headers)
    assert voucher.json()["status"] == "bound"
    statement = await web.get(f"/provider/claims/statement?month={month}&file_format=csv")
    assert ready.voucher_id not in statement.content.decode("utf-8-sig")


async def test_the_time_rule_keeps_a_voucher_not_yet_claimable(
    web: AsyncClient, runtime: Runtime
) -> None:
    """Passed with every hour confirmed, but the voucher was issued after the class began: the
    console says so in words (the claim's own check, claim_checks.claim_refusals)."""
    world = await make_world(web, runtime)
    start = clock.china_today() - timedelta(days=40)
    run = await make_run(web, world.provider, world.course["id"], start=start, at="19:00")
    with clock.stopped_at(during_session(run, 1)):
        late = await train(web, world, world.worker, run=run)
    web.cookies.clear()
    await sign_in(web, world.provider.user.principal.username, DEFAULT_PASSWORD)
    web.cookies.set("lang", "en")
    words = "The voucher was issued after the class began"
    desk = (await web.get("/provider/claims")).text
    waiting_at = desk.index("Not yet claimable")
    assert desk.index(f"/provider/claims/{late.voucher_id}") > waiting_at
    assert words in desk
    assert "result is not recorded" not in desk  # passed, and every hour confirmed
    page = f"/provider/claims/{late.voucher_id}"
    shown = await web.get(page)
    assert words in shown.text
    assert f'action="{page}/check"' not in shown.text
