"""The training project pages over the in-process client: an officer chooses the provider,
buys a project through the form (a budget the milestones exceed comes back on the form, in
the page's words), the provider claims a milestone from its console, the officer approves it
(the flags acknowledged) and the page shows it paid; another region's officer gets 404."""

from __future__ import annotations

import re

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.projects import ProjectAttestation
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.projects.factories import key, make_class, project_body, train
from tests.web.pages import post_form, sign_in
from tests.workers.factories import WORKER_PASSWORD, registered_worker


async def _as(web: AsyncClient, username: str, password: str = DEFAULT_PASSWORD) -> None:
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, username, password)


async def test_buy_claim_and_pay_a_milestone_through_the_pages(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    await train(client, made)
    await _as(web, made.officer.principal.username)
    listed = await web.get("/agency/projects")
    assert "Your region has bought no training project yet." in listed.text
    new = f"/agency/projects/new?provider={made.provider.organisation_id}"
    form = await web.get(new)
    assert f'name="run_{made.run["id"]}"' in form.text
    data = {
        "name": "川菜项目",
        "funding_source": "unemployment_insurance",
        "budget": "10000",
        f"run_{made.run['id']}": "yes",
        "m0_name": "开班",
        "m0_amount": "4000",
        "m0_condition": "attendance_rate",
        "m0_threshold": "80",
        "m1_name": "结业",
        "m1_amount": "7000",
        "m1_condition": "completions",
        "m1_threshold": "2",
    }
    over = await post_form(web, new, page=new, data=data)
    assert over.headers["location"] == new
    again = await web.get(new)
    assert "The milestones add up to more than the budget" in again.text
    bought = await post_form(web, new, page=new, data={**data, "m1_amount": "6000"})
    project = bought.headers["location"].split("?")[0]
    assert re.fullmatch(r"/agency/projects/[0-9a-f]{24}", project)
    page = await web.get(bought.headers["location"])
    assert "The project is bought." in page.text
    assert "Unemployment insurance fund" in page.text
    assert "100% (32 of 32 hours confirmed)" in page.text

    pid = project.rsplit("/", 1)[1]
    await _as(web, made.provider.user.principal.username)
    mine = await web.get("/provider/projects")
    assert "川菜项目" in mine.text
    here = f"/provider/projects/{pid}"
    # Suspended, the provider reads the project but its claim comes back with why.
    org = made.provider.organisation_id
    suspend = await client.post(
        f"/providers/{org}/suspend", json={"reason": "核查"}, headers=made.provider.agency.headers
    )
    assert suspend.status_code == 200, suspend.text
    refused = await post_form(web, f"{here}/milestones/1/claim", page=here)
    assert refused.headers["location"] == here
    assert "Your organisation is suspended" in (await web.get(here)).text
    reinstate = await client.post(
        f"/providers/{org}/reinstate", json={"reason": "结束"}, headers=made.provider.agency.headers
    )
    assert reinstate.status_code == 200, reinstate.text
    claimed = await post_form(web, f"{here}/milestones/1/claim", page=here)
    assert claimed.headers["location"] == f"{here}?notice=claimed"
    assert "Claimed, awaiting the agency" in (await web.get(here)).text

    await _as(web, made.officer.principal.username)
    decision = f"{project}/milestones/1/decision"
    paid = await post_form(
        web, decision, page=project, data={"decision": "approve", "acknowledge": "yes"}
    )
    assert paid.headers["location"] == f"{project}?notice=decided"
    shown = await web.get(project)
    assert "¥4,000.00" in shown.text
    [entry] = await LedgerEntry.find({"kind": "milestone"}).to_list()
    assert entry.funding_source == "unemployment_insurance"

    other = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix="5107", staff_role=StaffRole.OFFICER
    )
    await _as(web, other.username)
    assert (await web.get(project)).status_code == 404


async def test_a_worker_of_the_group_attests_on_their_page(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    milestones = [
        {"name": "学员确认", "amount_fen": 500_000, "condition": "attested_share", "threshold": 50}
    ]
    body = project_body(made, milestones=milestones)
    created = await client.post("/projects", json=body, headers={**made.officer.headers, **key()})
    pid = created.json()["id"]
    first, second = made.workers
    home = "/my/projects"

    await _as(web, first.username, WORKER_PASSWORD)
    training = await web.get("/my/training")
    assert f'href="{home}"' in training.text
    page = await web.get(home)
    assert body["name"] in page.text
    assert made.provider.organisation_id not in page.text  # the provider by its name
    assert f'action="{home}/{pid}/attestation"' in page.text
    action = f"{home}/{pid}/attestation"
    # A dispute without words comes back on the form; nothing is written.
    bare = await post_form(web, action, page=home, data={"answer": "disputed"})
    assert bare.headers["location"] == home
    assert "Say what happened, in your own words" in (await web.get(home)).text
    assert await ProjectAttestation.find_all().count() == 0
    done = await post_form(web, action, page=home, data={"answer": "confirmed"})
    assert done.headers["location"] == f"{home}?notice=confirmed"
    after = await web.get(done.headers["location"])
    assert "You confirmed you took part" in after.text
    assert f'action="{action}"' not in after.text  # once

    await _as(web, second.username, WORKER_PASSWORD)
    disputed = await post_form(
        web, action, page=home, data={"answer": "disputed", "words": "我只去过一次"}
    )
    assert disputed.headers["location"] == f"{home}?notice=disputed"
    assert "我只去过一次" in (await web.get(home)).text
    # The records count one confirmation of two: the 50% milestone can be claimed.
    claimed = await client.post(
        f"/projects/{pid}/milestones/1/claim",
        json={"note": ""},
        headers={**made.provider.user.headers, **key()},
    )
    assert claimed.status_code == 200, claimed.text
    decided = await client.get(f"/projects/{pid}", headers=made.officer.headers)
    assert decided.json()["milestones"][0]["disputed"] == 1

    # Someone outside the group sees no project.
    stranger = await registered_worker(client, made.officer)
    await _as(web, stranger.username, WORKER_PASSWORD)
    assert "You are in no training project." in (await web.get(home)).text
    refused = await post_form(web, action, page=home, data={"answer": "confirmed"})
    assert refused.status_code == 404
