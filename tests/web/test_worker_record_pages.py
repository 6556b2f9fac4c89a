"""The worker's record and account pages over the in-process client: what each page shows,
that it shows only the worker's own data, its errors, and that a form without its CSRF token
changes nothing. The journeys in a real browser are in test_worker_record_journeys.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from api.web.auth import SESSION_COOKIE
from portfolio import bootstrap, clock
from portfolio.accounts import web_sessions
from portfolio.accounts.documents import Principal, RefreshFamily
from portfolio.accounts.principal import Role
from portfolio.accounts.throttle import LoginFailures
from portfolio.archives.documents import Archive, ArchiveEntry, Recorder
from portfolio.archives.entries import append_entry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.personal import open_phone
from portfolio.audit.documents import AuditEvent
from portfolio.identity import FieldProtection
from portfolio.record import links
from portfolio.settings import Settings
from portfolio.training import certificates
from portfolio.training.documents import Certificate
from tests.helpers import DEFAULT_PASSWORD, auth_headers, create_principal, request_tokens
from tests.web.pages import (
    ORIGIN,
    hidden_fields,
    keyring_of,
    post_form,
    registered_worker,
    set_session,
    sign_in,
    worker_with_archive,
)

DEMO_PASSWORD = "demo-password"
EN = {"Accept-Language": "en"}
# Errors are written in the language of the post that made them.
EN_POST = {**ORIGIN, **EN}
# What identifies each demo worker on a page: the other's pages must show none of it.
WORKER_1 = ("王小明", "S5101040326000101", "S5101040626000207", "核对职业技能提升补贴申请材料")
WORKER_2 = ("李小红", "S5107030526000033", "失业登记人员就业服务回访")
PAGES = (
    "/my",
    "/my/archive",
    "/my/archive/1",
    "/my/archive/check",
    "/my/certificates",
    "/my/access-log",
    "/my/profile",
    "/my/profile/phone",
    "/my/account",
    "/my/account/password",
)


@pytest.fixture
async def demo(runtime: Runtime) -> None:
    """The demo data set (the browser tests' data), loaded into this test's database."""
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


async def test_the_home_shows_name_level_inbox_vouchers_and_latest_entries(
    web: AsyncClient, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    home = await web.get("/my")
    assert home.status_code == 200
    text = _text(home.text)
    assert "王小明" in text
    assert "中级工（四级）" in text  # the highest of junior and intermediate
    assert "待您确认的考勤" in text  # the manual record of the class in progress
    assert "人工智能训练师" in text
    assert "1,800.00 元" in text  # the voucher issued and not yet used
    # With the competition demo's result and honour, and the cross-border demo's two decisions.
    assert "查看全部 16 条记录" in text
    assert len(re.findall(r'class="entries__item"', home.text)) == 5


async def test_a_workers_pages_never_show_another_workers_data(
    web: AsyncClient, demo: None
) -> None:
    for login, own, other in (("worker-1", WORKER_1, WORKER_2), ("worker-2", WORKER_2, WORKER_1)):
        web.cookies.clear()
        await sign_in(web, login, DEMO_PASSWORD)
        seen = ""
        for path in PAGES:
            page = await web.get(path)
            assert page.status_code == 200, (login, path)
            seen += page.text
        revealed = await post_form(web, "/my/profile/reveal", page="/my/profile")
        seen += revealed.text
        assert own[0] in seen
        for foreign in other:
            assert foreign not in seen, (login, foreign)


async def test_the_archive_pages_both_ways_under_its_filters(
    web: AsyncClient, settings: Settings
) -> None:
    # Registered last year with 25 awards then, and the clock back to today.
    last_year = datetime(datetime.now(UTC).year - 1, 6, 1, tzinfo=UTC)
    clock.travel_to(last_year)
    worker = await worker_with_archive(settings)
    agency = Recorder(principal="agency-pages", role="agency", region="5101")
    for n in range(25):
        clock.advance(timedelta(days=1))
        await append_entry(
            archive_id=str(worker.archive_id),
            kind=EntryKind.AWARD,
            payload={"title": f"表彰 {n + 1}"},
            recorded_by=agency,
        )
    clock.resume()
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    first = await web.get("/my/archive", headers=EN)
    assert "26 entries" in first.text
    assert first.text.count('class="entries__item"') == 20
    assert "表彰 25" in first.text
    assert 'rel="prev"' not in first.text
    older = re.search(r'href="(/my/archive\?before=\d+)" rel="next"', first.text)
    assert older is not None
    second = await web.get(older.group(1).replace("&amp;", "&"), headers=EN)
    assert second.text.count('class="entries__item"') == 6
    assert "Registered" in second.text
    assert 'rel="next"' not in second.text
    newer = re.search(r'href="(/my/archive\?after=\d+)" rel="prev"', second.text)
    assert newer is not None
    back = await web.get(newer.group(1), headers=EN)
    assert back.text.count('class="entries__item"') == 20
    assert 'rel="prev"' not in back.text

    # Filtered: the awards of last year; this year has none (the filter offers both years).
    year, this_year = str(last_year.year), str(last_year.year + 1)
    awards = await web.get("/my/archive", params={"kind": "award", "year": year}, headers=EN)
    assert awards.text.count('class="entries__item"') == 20
    assert "Registered by real name" not in awards.text
    assert '<option value="award" selected>' in awards.text
    assert f'<option value="{year}" selected>' in awards.text
    assert f'<option value="{this_year}">' in awards.text
    registered = await web.get(
        "/my/archive", params={"kind": "registered", "year": year}, headers=EN
    )
    assert "Registered by real name" in registered.text
    none = await web.get("/my/archive", params={"kind": "award", "year": this_year}, headers=EN)
    assert "No entry matches what you chose." in none.text
    for bad in ({"kind": "nonsense"}, {"year": "20x5"}, {"before": "abc"}):
        refused = await web.get("/my/archive", params=bad)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("text/html")


async def test_an_entry_shows_who_recorded_it_and_its_place_in_the_chain(
    web: AsyncClient, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    stored = await ArchiveEntry.find_one({"kind": "certificate_corrected"})
    assert stored is not None
    page = await web.get(f"/my/archive/{stored.seq}", headers=EN)
    text = _text(page.text)
    assert "Certificate corrected" in text
    assert "Training provider: 成都天府职业技能培训学校 (provider-a)" in text
    assert stored.hash in text
    assert stored.prev_hash in text
    assert f"Entry before (No. {stored.seq - 1})" in text
    assert f'href="/my/archive/{stored.corrects}"' in page.text
    first = await web.get("/my/archive/1", headers=EN)
    assert "None: this is the first entry" in first.text
    assert "Agency: agency of 成都市 (agency-chengdu)" in _text(first.text)
    assert (await web.get("/my/archive/999")).status_code == 404


async def test_the_chain_check_says_which_entry_breaks_it(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await worker_with_archive(settings)
    for n in range(3):
        await append_entry(
            archive_id=str(worker.archive_id),
            kind=EntryKind.AWARD,
            payload={"title": f"表彰 {n}"},
            recorded_by=Recorder(principal="agency-pages", role="agency", region="5101"),
        )
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    whole = await web.get("/my/archive/check", headers=EN)
    assert "Your record is complete and unaltered." in whole.text
    assert "All 4 entries were checked" in whole.text
    # Someone edits entry 3 in the database behind the service's back.
    await ArchiveEntry.get_pymongo_collection().update_one(
        {"archive_id": str(worker.archive_id), "seq": 3}, {"$set": {"payload.title": "改过"}}
    )
    broken = await web.get("/my/archive/check", headers=EN)
    assert "Your record does not check out." in broken.text
    assert "Entry No. 3 breaks the chain" in broken.text
    assert 'href="/my/archive/3"' in broken.text


async def test_certificates_carry_their_check_link_and_the_link_shows_nothing_more(
    web: AsyncClient, runtime: Runtime, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    page = await web.get("/my/certificates")
    text = _text(page.text)
    assert "S5101040326000101" in text
    assert "中级工（四级）" in text
    assert "颁证日期录入有误，按证书原件更正" in text  # the correction, as the archive has it
    assert "2026年6月30日" in text  # the corrected date
    assert page.text.count('<svg role="img"') == 2
    found = re.findall(r'href="(https://testserver/c/([A-Za-z0-9_-]+))"', page.text)
    assert len(found) == 2
    assert all(len(token) == links.TOKEN_LENGTH for _, token in found)
    # No name, no number in the link.
    assert not any("S51" in url or "王" in url for url, _ in found)

    web.cookies.clear()
    shown = await web.get(f"/c/{found[0][1]}")
    assert shown.status_code == 200
    assert "此证书有效" in shown.text
    assert "王小明" not in shown.text
    assert "S51010" not in shown.text
    assert shown.headers["referrer-policy"] == "same-origin"
    as_json = (await web.get(f"/certificates/links/{found[0][1]}")).json()
    assert as_json["status"] == "valid"
    assert set(as_json) == {
        "status",
        "certificate_type",
        "occupation_code",
        "level",
        "issuing_body",
        "issue_date",
    }
    token = found[0][1]
    # Another MAC, another id, another spelling of the same bytes, garbage.
    forged = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    other_id = ("A" if token[0] != "A" else "B") + token[1:]
    respelt = token[:-1] + chr(ord(token[-1]) + 1)
    for bad in (forged, other_id, respelt, "x" * links.TOKEN_LENGTH, "short"):
        unknown = await web.get(f"/c/{bad}")
        assert unknown.status_code == 404
        assert "此链接没有对应的证书" in unknown.text
        assert (await web.get(f"/certificates/links/{bad}")).json()["status"] == "unknown"

    # Voided by its issuer: the worker's page and the link say so, with the reason.
    certificate = await Certificate.find_one({"number": "S5101040326000101"})
    assert certificate is not None
    provider = await Principal.find_one({"username": "provider-a"})
    assert provider is not None
    from portfolio.accounts.sessions import actor_of

    await certificates.void(
        actor=actor_of(provider), certificate_id=str(certificate.id), reason="考评记录不实"
    )
    by_link = await links.token_for(runtime.keyring, str(certificate.id))
    assert by_link is not None
    voided = await web.get(f"/c/{by_link}", headers=EN)
    assert "This certificate was voided" in voided.text
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    mine = _text((await web.get("/my/certificates")).text)
    assert "已注销" in mine
    assert "考评记录不实" in mine


async def test_the_access_log_names_who_from_where_why_and_what(
    web: AsyncClient, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    page = _text((await web.get("/my/access-log")).text)
    assert "核对职业技能提升补贴申请材料" in page
    assert "办理就业创业证信息变更，核对证件号码" in page
    assert "agency-chengdu" in page
    assert "成都市人社部门 (5101)" in page
    assert "查看了您的完整号码" in page  # the agency's read with full numbers
    assert "查询了您的信息" in page  # its search, with masked data only
    assert "证件号码, 手机号码, 出生日期, 社会保障号码, 就业创业证编号" in page


async def test_the_access_log_pages_both_ways(web: AsyncClient, settings: Settings) -> None:
    from portfolio.archives import reading
    from tests.web.pages import AGENCY, keyring_of

    done = await registered_worker(settings)
    keyring = await keyring_of(settings)
    worker = await create_principal(settings, Role.WORKER, archive_id=done.worker.archive_id)
    for n in range(22):
        await reading.get_worker(
            actor=AGENCY,
            keyring=keyring,
            archive_id=done.worker.archive_id,
            reveal=True,
            purpose=f"核对材料 {n}",
        )
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    first = await web.get("/my/access-log")
    assert first.text.count('class="entries__item"') == 20
    assert "核对材料 21" in first.text
    older = re.search(r'href="(/my/access-log\?before=[0-9a-f]+)" rel="next"', first.text)
    assert older is not None
    second = await web.get(older.group(1))
    assert second.text.count('class="entries__item"') == 2
    assert "核对材料 0" in second.text
    newer = re.search(r'href="(/my/access-log\?after=[0-9a-f]+)" rel="prev"', second.text)
    assert newer is not None
    assert "核对材料 21" in (await web.get(newer.group(1))).text


async def test_the_profile_is_masked_and_the_worker_reveals_it_by_a_post(
    web: AsyncClient, demo: None
) -> None:
    await sign_in(web, "worker-1", DEMO_PASSWORD)
    masked = await web.get("/my/profile")
    assert "510104199003071237" not in masked.text
    assert "13800000001" not in masked.text
    assert "成都锦江川菜餐饮有限公司" in masked.text
    # A post without its token shows nothing.
    fields = hidden_fields(masked.text)
    refused = await web.post(
        "/my/profile/reveal", data={"form_key": fields["form_key"]}, headers=ORIGIN
    )
    assert refused.status_code == 403
    assert "510104199003071237" not in refused.text
    shown = await post_form(web, "/my/profile/reveal", page="/my/profile")
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    assert "510104199003071237" in shown.text
    assert "13800000001" in shown.text
    # A reveal is an act of the worker on their own data: not a line of "who read my record".
    log = await web.get("/my/access-log")
    assert "worker-1" not in _text(log.text.split("<main", 1)[1])
    assert "510104199003071237" not in (await web.get("/my/profile")).text


async def test_changing_the_phone_number(web: AsyncClient, settings: Settings) -> None:
    worker = await worker_with_archive(settings, phone="13800138000")
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    cases = (
        ({"phone": "", "password": DEFAULT_PASSWORD}, "Enter your new phone number"),
        ({"phone": "12345", "password": DEFAULT_PASSWORD}, "Enter an 11-digit mobile number"),
        ({"phone": "13800138000", "password": DEFAULT_PASSWORD}, "This is the number we have"),
        ({"phone": "13911112222", "password": ""}, "Enter your password"),
        ({"phone": "13911112222", "password": "not my password"}, "Your password is not right"),
    )
    for data, message in cases:
        sent = await post_form(
            web, "/my/profile/phone", page="/my/profile/phone", data=data, headers=EN_POST
        )
        assert sent.status_code == 303
        assert sent.headers["location"] == "/my/profile/phone"
        again = await web.get("/my/profile/phone", headers=EN)
        assert message in again.text, message
        assert 'href="#' in again.text
    archive = await Archive.get(worker.archive_id)
    assert archive is not None
    protection = FieldProtection(await keyring_of(settings))
    assert await open_phone(archive, protection) == "13800138000"
    # The wrong password counted as a failed login does (by name, and by name and address).
    counted = await LoginFailures.find_all().to_list()
    assert sorted(c.failures for c in counted) == [1, 1]

    # Without its token: nothing changes.
    page = await web.get("/my/profile/phone")
    refused = await web.post(
        "/my/profile/phone",
        data={
            "form_key": hidden_fields(page.text)["form_key"],
            "phone": "13911112222",
            "password": DEFAULT_PASSWORD,
        },
        headers=ORIGIN,
    )
    assert refused.status_code == 403
    done = await post_form(
        web,
        "/my/profile/phone",
        page="/my/profile/phone",
        data={"phone": "139-1111-2222", "password": DEFAULT_PASSWORD},
    )
    assert done.headers["location"] == "/my/profile?notice=phone-changed"
    profile = await web.get(done.headers["location"], headers=EN)
    assert "Your phone number has been changed." in profile.text
    assert "139****2222" in profile.text
    archive = await Archive.get(worker.archive_id)
    assert archive is not None
    assert await open_phone(archive, protection) == "13911112222"
    assert archive.phone_masked == "139****2222"
    event = await AuditEvent.find_one({"kind": "phone.changed", "principal_id": str(worker.id)})
    assert event is not None
    assert event.target == str(worker.archive_id)


async def test_the_devices_list_and_signing_out_of_them(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await worker_with_archive(settings)
    other = await worker_with_archive(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    tokens = await request_tokens(web, worker.username, DEFAULT_PASSWORD)
    others = await request_tokens(web, other.username, DEFAULT_PASSWORD)
    page = await web.get("/my/account", headers=EN)
    assert "Web browser" in page.text
    assert "App or program" in page.text
    assert "This browser" in page.text
    ids = re.findall(r'action="/my/account/sessions/([^/"]+)/end"', page.text)
    assert len(ids) == 2
    api_session = next(i for i in ids if i != web_sessions.session_id_of(secret))

    # Another worker's session is not found, and stays.
    other_id = await web.get("/auth/sessions", headers=auth_headers(others["access_token"]))
    other_session = other_id.json()[0]["id"]
    refused = await post_form(web, f"/my/account/sessions/{other_session}/end", page="/my/account")
    assert refused.status_code == 404
    family = await RefreshFamily.get(other_session)
    assert family is not None
    assert not family.revoked

    ended = await post_form(web, f"/my/account/sessions/{api_session}/end", page="/my/account")
    assert ended.headers["location"] == "/my/account?notice=session-ended"
    refreshed = await web.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refreshed.status_code == 401
    # This browser from the list: signed out here and now.
    own = await post_form(
        web, f"/my/account/sessions/{web_sessions.session_id_of(secret)}/end", page="/my/account"
    )
    assert own.headers["location"] == "/?notice=signed-out"
    assert await web_sessions.resolve(secret) is None


async def test_signing_out_everywhere_ends_the_api_too(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await worker_with_archive(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    tokens = await request_tokens(web, worker.username, DEFAULT_PASSWORD)
    page = await web.get("/my/account")
    refused = await web.post(
        "/my/account/sign-out-everywhere",
        data={"form_key": hidden_fields(page.text)["form_key"]},
        headers=ORIGIN,
    )
    assert refused.status_code == 403
    assert await web_sessions.resolve(secret) is not None
    done = await post_form(web, "/my/account/sign-out-everywhere", page="/my/account")
    assert done.headers["location"] == "/?notice=signed-out-everywhere"
    assert await web_sessions.resolve(secret) is None
    me = await web.get("/me", headers=auth_headers(tokens["access_token"]))
    assert me.status_code == 401
    home = await web.get("/?notice=signed-out-everywhere", headers=EN)
    assert "You have signed out on every device." in home.text


async def test_changing_the_password(web: AsyncClient, settings: Settings) -> None:
    worker = await worker_with_archive(settings)
    old = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    tokens = await request_tokens(web, worker.username, DEFAULT_PASSWORD)
    for data, message in (
        ({"current_password": "", "new_password": "", "confirm": ""}, "Enter your current"),
        (
            {"current_password": "wrong one", "new_password": "a new secret!", "confirm": "x"},
            "The two passwords are not the same",
        ),
        (
            {
                "current_password": "wrong one",
                "new_password": "a new secret!",
                "confirm": "a new secret!",
            },
            "Your current password is not right",
        ),
        (
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": "short",
                "confirm": "short",
            },
            "Your password must have at least 10 characters",
        ),
    ):
        sent = await post_form(
            web, "/my/account/password", page="/my/account/password", data=data, headers=EN_POST
        )
        assert sent.headers["location"] == "/my/account/password"
        shown = await web.get("/my/account/password", headers=EN)
        assert message in shown.text, message
        assert "a new secret!" not in shown.text
    changed = await post_form(
        web,
        "/my/account/password",
        page="/my/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a new secret!",
            "confirm": "a new secret!",
        },
    )
    assert changed.headers["location"] == "/my/account?notice=password-changed"
    new = web.cookies.get(SESSION_COOKIE)
    assert new
    assert new != old
    assert await web_sessions.resolve(old) is None
    assert await web_sessions.resolve(new) is not None
    assert (await web.get("/me", headers=auth_headers(tokens["access_token"]))).status_code == 401
    after = await web.get(changed.headers["location"], headers=EN)
    assert "Your password has been changed." in after.text
    await request_tokens(web, worker.username, "a new secret!")


async def test_activation_sets_the_password_and_signs_in(
    web: AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = await registered_worker(settings, phone="13900001111")
    code = done.activation.code
    form = await web.get("/activate", headers=EN)
    assert form.status_code == 200
    for data, message in (
        ({"code": "", "password": ""}, "Enter the activation code"),
        ({"code": code, "password": "a long password", "confirm": "other"}, "not the same"),
        (
            {"code": "ABCD-EFGH-JKMN", "password": "a long password", "confirm": "a long password"},
            "The activation code is wrong, used or expired",
        ),
        (
            {"code": code, "password": "short", "confirm": "short"},
            "at least 10 characters",
        ),
        (
            {
                "code": code,
                "username": "no spaces allowed",
                "password": "a long password",
                "confirm": "a long password",
            },
            "A username has 3 to 64 letters",
        ),
    ):
        sent = await post_form(web, "/activate", page="/activate", data=data, headers=EN_POST)
        assert sent.headers["location"] == "/activate"
        shown = await web.get("/activate", headers=EN)
        assert message in shown.text, message
        assert code not in shown.text  # the code, a credential, is never kept

    # A cross-site post: nothing happens, the code stays usable.
    refused = await post_form(
        web,
        "/activate",
        page="/activate",
        data={"code": code, "password": "a long password", "confirm": "a long password"},
        headers={"Origin": "https://evil.example"},
    )
    assert refused.status_code == 403
    activated = await post_form(
        web,
        "/activate",
        page="/activate",
        data={"code": code, "password": "a long password", "confirm": "a long password"},
    )
    assert activated.headers["location"] == "/my?notice=activated"
    home = await web.get(activated.headers["location"], headers=EN)
    assert "Your login is ready." in home.text
    # The phone number is the login name, stored (and audited) only as its keyed name.
    login = await AuditEvent.find_one({"kind": "login.succeeded", "details.channel": "web"})
    assert login is not None
    assert "13900001111" not in str(login.model_dump())
    # Used once: the same code again is refused.
    web.cookies.clear()
    again = await post_form(
        web,
        "/activate",
        page="/activate",
        data={"code": code, "password": "another password", "confirm": "another password"},
    )
    assert again.headers["location"] == "/activate"

    # Throttled by address as the API's activation is.
    monkeypatch.setattr(settings, "login_rate_per_client", 1)
    for _ in range(2):
        limited = await post_form(
            web,
            "/activate",
            page="/activate",
            data={"code": "ABCD-EFGH-JKMN", "password": "x" * 12, "confirm": "x" * 12},
            headers=EN_POST,
        )
    assert limited.headers["location"] == "/activate"
    assert "Too many attempts" in (await web.get("/activate", headers=EN)).text
    assert await AuditEvent.find_one({"kind": "login.rate_limited"}) is not None


async def test_a_signed_in_visitor_of_the_activation_page_goes_home(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await worker_with_archive(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    set_session(web, secret)
    assert (await web.get("/activate")).headers["location"] == "/my"
