"""The pages of training, vouchers and apprenticeships over the in-process client: the forms do
what their JSON routes do, refusals come back to their page in words, a double submit does one
thing, and nothing changes without the CSRF token, from another origin, or on another worker's
object (the journeys in a real browser: test_worker_training_journeys.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient

from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.apprenticeships.factories import (
    PersonRef,
    certify,
    create,
    employment_at,
    first_completion_day,
    make_world,
    move_clock_to,
    step,
)
from tests.helpers import DEFAULT_PASSWORD, auth_headers, create_principal, request_tokens
from tests.web import training_arrange as arrange
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in
from tests.workers.factories import register


async def _owner(web: AsyncClient, settings: Settings) -> Principal:
    return await create_principal(settings, Role.WORKER)


async def _api(web: AsyncClient, owner: Principal) -> dict[str, str]:
    """The JSON API's headers for ``owner`` (to read what the pages changed)."""
    tokens = await request_tokens(web, owner.username, DEFAULT_PASSWORD)
    return auth_headers(tokens["access_token"])


async def _signed_in(web: AsyncClient, owner: Principal) -> None:
    web.cookies.clear()
    await sign_in(web, owner.username, DEFAULT_PASSWORD)


async def _form_of(web: AsyncClient, page: str) -> dict[str, str]:
    shown = await web.get(page)
    assert shown.status_code == 200, shown.text
    return hidden_fields(shown.text)


async def test_applying_from_a_class_page(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    agency, _registered = await arrange.worker_of(web, settings, owner)
    provider, run_id = await arrange.open_class(web, agency, settings)
    await _signed_in(web, owner)
    page = f"/find-training/{run_id}"
    shown = await web.get(page)
    assert "报名参加该班次" in shown.text
    assert "中式烹调师（初级）" in shown.text
    # A second tab opened before applying: its form is another rendering.
    other_tab = hidden_fields(shown.text)

    applied = await post_form(web, f"{page}/apply", page=page)

    assert applied.status_code == 303
    location = applied.headers["location"]
    assert location.startswith("/my/training/")
    assert location.endswith("?notice=applied")
    mine = (await web.get("/me/enrolments", headers=await _api(web, owner))).json()["items"]
    assert [(e["status"], e["run_id"]) for e in mine] == [("requested", run_id)]
    application = await web.get(location)
    assert "报名成功" in application.text
    assert "已报名，等待机构审核" in application.text

    again = await web.post(f"{page}/apply", data=other_tab, headers=ORIGIN)

    assert (again.status_code, again.headers["location"]) == (303, page)
    refused = await web.get(page)
    assert 'href="#apply"' in refused.text
    assert "您已报名该班次。" in refused.text
    assert "查看您的报名" in refused.text
    # The provider sees the application in its class list.
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=provider.headers)
    assert [e["status"] for e in roster.json()["items"]] == ["requested"]


async def test_a_double_submit_applies_once(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    agency, _registered = await arrange.worker_of(web, settings, owner)
    _provider, run_id = await arrange.open_class(web, agency, settings)
    await _signed_in(web, owner)
    form = await _form_of(web, f"/find-training/{run_id}")

    first = await web.post(f"/find-training/{run_id}/apply", data=form, headers=ORIGIN)
    second = await web.post(f"/find-training/{run_id}/apply", data=form, headers=ORIGIN)

    assert first.headers["location"] == second.headers["location"]
    assert second.headers["location"].endswith("?notice=applied")
    mine = (await web.get("/me/enrolments", headers=await _api(web, owner))).json()["items"]
    assert len(mine) == 1


async def test_withdrawing_an_application(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    found = await arrange.enrolled_class(web, settings, owner)
    await _signed_in(web, owner)
    page = f"/my/training/{found.enrolment_id}"
    stale = await _form_of(web, page)
    assert "撤回我的报名" in (await web.get(page)).text

    withdrawn = await post_form(web, f"{page}/withdraw", page=page)

    assert withdrawn.headers["location"] == f"{page}?notice=withdrawn"
    after = await web.get(withdrawn.headers["location"])
    assert "您已撤回报名。" in after.text
    assert "已退出" in after.text
    assert "本人撤回" in after.text
    assert "撤回我的报名" not in after.text
    # The same button in an older tab: already done, said in words.
    late = await web.post(f"{page}/withdraw", data=stale, headers=ORIGIN)
    assert late.headers["location"] == page
    assert "此操作已完成" in (await web.get(page)).text
    # The class takes the worker again.
    assert "您已撤回报名，可以再次报名。" in (await web.get(f"/find-training/{found.run_id}")).text


async def test_answering_were_you_there(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    found = await arrange.enrolled_class(web, settings, owner, start=True)
    first = await arrange.record_presence(web, found, 1)
    second = await arrange.record_presence(web, found, 2)
    await _signed_in(web, owner)
    page = f"/my/training/{found.enrolment_id}"
    shown = await web.get(page)
    assert "您是否参加了？" in shown.text
    assert shown.text.count("是，我参加了") == 2

    yes = await post_form(web, f"{page}/attendance/{first}", page=page, data={"answer": "confirm"})
    no = await post_form(web, f"{page}/attendance/{second}", page=page, data={"answer": "reject"})
    blank = await post_form(web, f"{page}/attendance/{second}", page=page)

    assert yes.headers["location"] == f"{page}?notice=confirmed"
    assert no.headers["location"] == f"{page}?notice=rejected"
    assert blank.headers["location"] == page
    assert f'href="#record-{second}"' in (await web.get(page)).text
    mine = (await web.get("/me/enrolments", headers=await _api(web, owner))).json()["items"]
    assert (mine[0]["hours_confirmed"], mine[0]["awaiting_confirmation"]) == (4, [])
    after = await web.get(page)
    assert "您是否参加了？" not in after.text
    assert "已确认" in after.text
    assert "您表示未参加" in after.text
    listed = await web.get("/my/training")
    assert "4 / 16" in listed.text


async def test_allowing_a_provider_to_use_a_voucher(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    voucher = await arrange.issued_voucher(web, settings, owner)
    await _signed_in(web, owner)
    page = f"/my/vouchers/{voucher['id']}"
    shown = await web.get(page)
    assert "1,000.00 元" in shown.text
    assert "岗位技能提升培训" in shown.text
    assert "仅限本人使用" in shown.text
    assert f'href="/find-training?voucher={voucher["id"]}"' in shown.text
    assert "年龄" in shown.text  # why the worker got it, in their language

    allowed = await post_form(web, f"{page}/consent", page=page, data={"allow": "yes"})

    assert allowed.headers["location"] == f"{page}?notice=allowed"
    api = await _api(web, owner)
    assert (await web.get(f"/vouchers/{voucher['id']}", headers=api)).json()["provider_may_bind"]
    assert "培训机构可使用" in (await web.get(page)).text
    stopped = await post_form(web, f"{page}/consent", page=page, data={"allow": "no"})
    assert stopped.headers["location"] == f"{page}?notice=disallowed"
    after = (await web.get(f"/vouchers/{voucher['id']}", headers=api)).json()
    assert after["provider_may_bind"] is False
    listed = await web.get("/my/vouchers")
    assert "成都市职业技能培训券" in listed.text
    assert "可使用" in listed.text


async def test_confirming_an_apprenticeship(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    agreement = await arrange.approved_agreement(web, settings, owner)
    await _signed_in(web, owner)
    page = f"/my/apprenticeships/{agreement['id']}"
    shown = await web.get(page)
    assert "已审批，待您确认" in shown.text
    assert "王师傅" in shown.text
    assert "李老师" in shown.text
    stale = hidden_fields(shown.text)

    confirmed = await post_form(web, f"{page}/confirm", page=page)

    assert confirmed.headers["location"] == f"{page}?notice=agreement-confirmed"
    after = await web.get(confirmed.headers["location"])
    assert "已确认，尚未开始" in after.text
    assert "确认协议</button>" not in after.text
    mine = (await web.get("/me/apprenticeships", headers=await _api(web, owner))).json()
    assert [a["status"] for a in mine["items"]] == ["confirmed"]
    late = await web.post(f"{page}/confirm", data=stale, headers=ORIGIN)
    assert late.headers["location"] == page
    assert "此操作已完成" in (await web.get(page)).text
    assert "在" in (await web.get("/my/apprenticeships")).text


async def test_a_completion_below_the_plan_shows_on_the_worker_pages(
    web: AsyncClient, settings: Settings
) -> None:
    owner = await _owner(web, settings)
    world = await make_world(web, settings)
    registered = await register(web, world.agency, name="张学徒")
    employed = await web.post(
        f"/workers/{registered.archive_id}/employment",
        json=employment_at(world.enterprise),
        headers=world.agency.headers,
    )
    assert employed.status_code == 201, employed.text
    await arrange.bind_account(owner, registered.archive_id)
    created = await create(web, world, PersonRef(registered.id_number, "张学徒"))
    ident = created.json()["id"]
    for who in (world.enterprise.user, world.institution.user, world.agency):
        assert (await step(web, who, ident, "approve")).status_code == 200
    confirmed = await web.post(
        f"/me/apprenticeships/{ident}/confirm", headers=await _api(web, owner)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (await step(web, world.enterprise.user, ident, "start")).status_code == 200
    senior = await certify(registered.archive_id, "senior")  # the target is technician
    move_clock_to(first_completion_day(created.json()))
    done = await step(
        web,
        world.enterprise.user,
        ident,
        "complete",
        level_reached="senior",
        certificate_entry_seq=senior,
    )
    assert done.status_code == 200, done.text

    await _signed_in(web, owner)
    shown = await web.get(f"/my/apprenticeships/{ident}")
    assert "已完成" in shown.text
    assert "低于计划等级" in shown.text
    archive = await web.get("/my/archive")
    assert "低于计划等级" in archive.text


@dataclass(frozen=True)
class Case:
    """A form of one worker's object: who owns it, where it posts, and how it stands."""

    owner: Principal
    page: str
    action: str
    data: dict[str, str]
    read: Callable[[dict[str, str]], Awaitable[Any]]


@pytest.fixture
async def cases(web: AsyncClient, settings: Settings) -> list[Case]:
    """Every form of these pages, each on an object of its own worker."""

    def reader(path: str, pick: Callable[[Any], Any]) -> Callable[[dict[str, str]], Any]:
        async def read(headers: dict[str, str]) -> Any:
            return pick((await web.get(path, headers=headers)).json())

        return read

    applicant = await _owner(web, settings)
    agency, _registered = await arrange.worker_of(web, settings, applicant)
    _provider, run_id = await arrange.open_class(web, agency, settings)
    learner, attendee = await _owner(web, settings), await _owner(web, settings)
    applied = await arrange.enrolled_class(web, settings, learner)
    training = await arrange.enrolled_class(web, settings, attendee, start=True)
    record = await arrange.record_presence(web, training)
    holder, apprentice = await _owner(web, settings), await _owner(web, settings)
    voucher = (await arrange.issued_voucher(web, settings, holder))["id"]
    agreement = (await arrange.approved_agreement(web, settings, apprentice))["id"]
    return [
        Case(
            applicant,
            f"/find-training/{run_id}",
            f"/find-training/{run_id}/apply",
            {},
            reader("/me/enrolments", lambda body: len(body["items"])),
        ),
        Case(
            learner,
            f"/my/training/{applied.enrolment_id}",
            f"/my/training/{applied.enrolment_id}/withdraw",
            {},
            reader(f"/enrolments/{applied.enrolment_id}", lambda body: body["status"]),
        ),
        Case(
            attendee,
            f"/my/training/{training.enrolment_id}",
            f"/my/training/{training.enrolment_id}/attendance/{record}",
            {"answer": "reject"},
            reader(
                f"/enrolments/{training.enrolment_id}/attendance",
                lambda body: [r["status"] for r in body],
            ),
        ),
        Case(
            holder,
            f"/my/vouchers/{voucher}",
            f"/my/vouchers/{voucher}/consent",
            {"allow": "yes"},
            reader(f"/vouchers/{voucher}", lambda body: body["provider_may_bind"]),
        ),
        Case(
            apprentice,
            f"/my/apprenticeships/{agreement}",
            f"/my/apprenticeships/{agreement}/confirm",
            {},
            reader(f"/apprenticeships/{agreement}", lambda body: body["status"]),
        ),
    ]


async def test_a_post_without_the_token_or_from_another_site_changes_nothing(
    web: AsyncClient, cases: list[Case]
) -> None:
    for case in cases:
        api = await _api(web, case.owner)
        before = await case.read(api)
        await _signed_in(web, case.owner)
        form = {**await _form_of(web, case.page), **case.data}
        without = {name: value for name, value in form.items() if name != "csrf_token"}
        forged = {**form, "csrf_token": "forged"}
        cross_site = {"Origin": "https://evil.example"}

        for data, headers in ((without, ORIGIN), (forged, ORIGIN), (form, cross_site)):
            refused = await web.post(case.action, data=data, headers=headers)
            assert refused.status_code == 403, (case.action, refused.status_code)
            assert refused.headers["content-type"].startswith("text/html")

        assert await case.read(api) == before, case.action
        # The same form, sent properly, does its work (the check above was not vacuous).
        done = await web.post(case.action, data=form, headers=ORIGIN)
        assert done.status_code == 303, done.text
        assert await case.read(api) != before, case.action


async def test_a_worker_never_acts_on_another_workers_objects(
    web: AsyncClient, settings: Settings, cases: list[Case]
) -> None:
    intruder = await _owner(web, settings)
    await arrange.worker_of(web, settings, intruder)
    for case in cases[1:]:  # the first is a class anyone may apply to
        api = await _api(web, case.owner)
        before = await case.read(api)
        await _signed_in(web, intruder)
        own_form = await _form_of(web, "/my/training")

        refused = await web.post(case.action, data={**own_form, **case.data}, headers=ORIGIN)
        shown = await web.get(case.page)

        assert refused.status_code == 404, (case.action, refused.status_code)
        assert shown.status_code == 404, case.page
        assert await case.read(api) == before, case.action


async def test_the_catalogue_for_a_visitor(web: AsyncClient, settings: Settings) -> None:
    owner = await _owner(web, settings)
    agency, _registered = await arrange.worker_of(web, settings, owner)
    _provider, run_id = await arrange.open_class(web, agency, settings)

    listed = await web.get("/find-training", params={"region": "5101"})
    assert f'href="/find-training/{run_id}"' in listed.text
    assert "只看我的培训券可支付的班次" not in listed.text  # a worker's choice
    elsewhere = await web.get("/find-training", params={"region": "5107"})
    assert f'href="/find-training/{run_id}"' not in elsewhere.text
    assert "没有符合条件" in elsewhere.text
    detail = await web.get(f"/find-training/{run_id}")
    assert f'href="/login?next=/find-training/{run_id}"' in detail.text
    assert "报名参加该班次" not in detail.text

    bad = await web.get(
        "/find-training",
        params={"occupation": "welder", "starts_from": "2026-13-01", "level": "boss"},
    )
    assert bad.status_code == 200
    for field in ("occupation", "starts_from", "level"):
        assert f'href="#{field}"' in bad.text
    assert 'value="welder"' in bad.text
    backwards = await web.get(
        "/find-training", params={"starts_from": "2026-12-20", "starts_by": "2026-12-10"}
    )
    assert 'href="#starts_by"' in backwards.text
    # Searching by vouchers needs a worker: a visitor signs in first.
    by_voucher = await web.get("/find-training", params={"voucher_pays": "true"})
    assert by_voucher.status_code == 303
    assert by_voucher.headers["location"].startswith("/login")
    assert (await web.get("/find-training/000000000000000000000000")).status_code == 404


async def test_a_provider_reads_a_class_but_cannot_apply(
    web: AsyncClient, settings: Settings
) -> None:
    owner = await _owner(web, settings)
    agency, _registered = await arrange.worker_of(web, settings, owner)
    provider, run_id = await arrange.open_class(web, agency, settings)
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    detail = await web.get(f"/find-training/{run_id}")
    assert "只有劳动者本人登录后才能报名。" in detail.text
    assert (await web.get("/find-training", params={"voucher_pays": "true"})).status_code == 403
