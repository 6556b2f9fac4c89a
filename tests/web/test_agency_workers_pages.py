"""The agency's worker pages over the in-process client: registering by real name (every field
checked, a wrong check character named, what the number says shown back, the notice required,
a duplicate found before anything is written, a double submit registering once), the letter
with its code shown once and a new code, the search and the reveal with a coded purpose in
the worker's access log, the links (social security, employment opened and closed), a transfer,
the archive printed at the counter, and another region's officer, who finds nothing (404)."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.archives.documents import AccessLogEntry, Archive
from portfolio.identity import mask_identity_number
from tests.archives.factories import fresh_resident_id
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in

NEW = "/agency/workers/new"


async def _officer(web: AsyncClient, runtime: Runtime, prefix: str = "5101") -> None:
    officer = await create_principal(runtime.settings, Role.AGENCY, region_prefix=prefix)
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, officer.username, DEFAULT_PASSWORD)


def _person(number: str, **changes: str) -> dict[str, str]:
    return {
        "name": "赵六",
        "id_type": "resident_id",
        "id_number": number,
        "phone": "13900001111",
        "region_code": "510104",
        **changes,
    }


async def _register(web: AsyncClient, number: str) -> str:
    """Register through the two pages; the new archive's id."""
    check = await post_form(web, NEW, page=NEW, data=_person(number))
    assert check.status_code == 200, check.text
    done = await web.post(
        "/agency/workers/register",
        data={**hidden_fields(check.text), **_person(number), "notice_given": "yes"},
        headers=ORIGIN,
    )
    assert done.status_code == 303, done.text
    return done.headers["location"].split("/")[3]


async def test_registration_checks_the_number_shows_it_back_and_refuses_a_duplicate(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _officer(web, runtime)
    number = fresh_resident_id(birth=date(1991, 4, 9))
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    refused = await post_form(web, NEW, page=NEW, data=_person(wrong, phone="123"))
    assert (refused.status_code, refused.headers["location"]) == (303, NEW)
    page = await web.get(NEW)
    assert "The last character of the ID number does not match the others" in page.text
    assert "Enter a mainland mobile number of 11 digits" in page.text
    assert 'href="#id_number"' in page.text
    assert 'href="#phone"' in page.text
    assert await Archive.find({"name": "赵六"}).count() == 0

    check = await post_form(web, NEW, page=NEW, data=_person(number))
    assert check.status_code == 200
    assert "Check the worker's details" in check.text
    assert "四川省 锦江区 (510104)" in check.text  # the area the number encodes
    assert "Male" in check.text or "Female" in check.text
    assert "Personal-information notice" in check.text
    assert number not in check.text.replace(f'value="{number}"', "")  # masked, but for the form

    # "Change the details": back to the form with what was typed.
    change = {**hidden_fields(check.text), **_person(number), "change": "yes"}
    changed = await web.post(NEW, data=change, headers=ORIGIN)
    assert changed.headers["location"] == NEW
    assert 'value="赵六"' in (await web.get(NEW)).text

    # Without the notice confirmed: the same page, with the error, nothing written.
    fields = {**hidden_fields(check.text), **_person(number)}
    again = await web.post("/agency/workers/register", data=fields, headers=ORIGIN)
    assert again.status_code == 200
    assert "Confirm that you gave the worker the personal-information notice" in again.text
    assert await Archive.find({"name": "赵六"}).count() == 0

    fields = {**hidden_fields(again.text), **_person(number), "notice_given": "yes"}
    done = await web.post("/agency/workers/register", data=fields, headers=ORIGIN)
    twice = await web.post("/agency/workers/register", data=fields, headers=ORIGIN)
    assert done.headers["location"] == twice.headers["location"]  # a double submit: once
    assert await Archive.find({"name": "赵六"}).count() == 1
    letter = await web.get(done.headers["location"])
    assert "The worker is registered" in letter.text
    assert 'class="letter__code reference"' in letter.text

    duplicate = await post_form(web, NEW, page=NEW, data=_person(number, name="赵六六"))
    assert duplicate.headers["location"] == NEW
    said = await web.get(NEW)
    assert "This person has an archive already, in region 510104" in said.text


async def test_letter_new_code_search_reveal_links_transfer_and_paper(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _officer(web, runtime)
    number = fresh_resident_id()
    archive_id = await _register(web, number)
    home = f"/agency/workers/{archive_id}"

    web.cookies.delete("__Host-portfolio-letter")
    letter = await web.get(f"{home}/letter")
    assert "The activation code is shown only when it is issued" in letter.text
    issued = await post_form(web, f"{home}/activation-code", page=f"{home}/letter")
    assert issued.headers["location"] == f"{home}/letter?notice=issued"
    assert 'class="letter__code reference"' in (await web.get(issued.headers["location"])).text

    # The search: a purpose is required; with one, the hit opens the page and is logged.
    bare = await post_form(
        web, "/agency/workers/search", page="/agency/workers", data={"id_number": number}
    )
    assert bare.headers["location"] == "/agency/workers"
    assert "Choose why you look the worker up" in (await web.get("/agency/workers")).text
    found = await post_form(
        web,
        "/agency/workers/search",
        page="/agency/workers",
        data={"id_number": number, "purpose": "subsidy_claim", "purpose_note": "申领 A-17"},
    )
    assert found.headers["location"] == home
    missing = await post_form(
        web,
        "/agency/workers/search",
        page="/agency/workers",
        data={"social_security_number": "ZZ99999", "purpose": "counter"},
    )
    assert missing.headers["location"] == "/agency/workers"
    assert "No worker with this number in your region" in (await web.get("/agency/workers")).text

    page = await web.get(home)
    assert page.status_code == 200
    assert number not in page.text
    shown = await post_form(web, f"{home}/reveal", page=home, data={"purpose": "counter"})
    assert shown.status_code == 200
    assert number in shown.text
    assert shown.headers["cache-control"].startswith("no-store")
    log = await AccessLogEntry.find({"archive_id": archive_id}).to_list()
    purposes = [line.purpose for line in log]
    assert "核对职业技能提升补贴申领：申领 A-17" in purposes
    assert "劳动者本人在窗口办理业务" in purposes

    linked = await post_form(
        web,
        f"{home}/social-security",
        page=f"{home}/social-security",
        data={
            "number": number,
            "card_number": "A51010499",
            "issuing_region": "510104",
            "scheme_pension": "yes",
            "since_pension": "2015-07",
        },
    )
    assert linked.headers["location"] == f"{home}?notice=social-security"
    added = await post_form(
        web,
        f"{home}/employment",
        page=f"{home}/employment",
        data={
            "kind": "unemployment",
            "start": "2024-01-15",
            "certificate_number": "5101042024000099",
        },
    )
    assert added.headers["location"] == f"{home}?notice=employment", added.headers["location"]
    page = await web.get(added.headers["location"])
    assert "Pension since 2015-07" in page.text
    assert "Unemployment registration" in page.text
    registration_id = page.text.split("/employment/")[1].split("/close")[0]
    early = await post_form(
        web, f"{home}/employment/{registration_id}/close", page=home, data={"end": "2023-01-01"}
    )
    assert early.headers["location"] == home
    assert "The end date cannot be before the start" in (await web.get(home)).text
    closed = await post_form(
        web, f"{home}/employment/{registration_id}/close", page=home, data={"end": "2024-06-30"}
    )
    assert closed.headers["location"] == f"{home}?notice=closed"

    outside = await post_form(
        web, f"{home}/transfer", page=f"{home}/transfer", data={"to_region_code": "510703"}
    )
    assert outside.headers["location"] == f"{home}/transfer"
    assert "This region is outside your agency" in (await web.get(f"{home}/transfer")).text
    moved = await post_form(
        web, f"{home}/transfer", page=f"{home}/transfer", data={"to_region_code": "510105"}
    )
    assert moved.headers["location"] == f"{home}?notice=transferred"
    assert (await Archive.get(archive_id)).region_code == "510105"  # type: ignore[union-attr]

    pdf = await web.get(f"{home}/archive.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    # Another region's officer: every page and form of this worker is "not found".
    await _officer(web, runtime, prefix="5107")
    for path in (
        home,
        f"{home}/letter",
        f"{home}/transfer",
        f"{home}/social-security",
        f"{home}/employment",
        f"{home}/archive.pdf",
    ):
        assert (await web.get(path)).status_code == 404, path
    for path in (
        f"{home}/reveal",
        f"{home}/activation-code",
        f"{home}/transfer",
        f"{home}/social-security",
        f"{home}/employment",
        f"{home}/employment/{registration_id}/close",
    ):
        posted = await post_form(
            web,
            path,
            page="/agency/workers",
            data={
                "purpose": "counter",
                "to_region_code": "510703",
                "end": "2024-07-01",
                "kind": "employment",
                "start": "2024-01-01",
            },
        )
        assert posted.status_code == 404, path
    searched = await post_form(
        web,
        "/agency/workers/search",
        page="/agency/workers",
        data={"id_number": number, "purpose": "counter"},
    )
    assert searched.headers["location"] == "/agency/workers"


async def test_a_passport_holder_gives_birth_date_and_sex_which_the_number_does_not_say(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _officer(web, runtime)
    passport = {"id_type": "passport", "nationality": "gbr", "name": "John Smith"}
    bare = await post_form(web, NEW, page=NEW, data=_person("P1234567", **passport))
    assert bare.headers["location"] == NEW
    page = await web.get(NEW)
    assert "Enter the birth date as on the document" in page.text
    assert '<details class="details" open>' in page.text  # the fields in error are shown
    check = await post_form(
        web,
        NEW,
        page=NEW,
        data=_person("P1234567", **passport, birth_date="1985-02-03", sex="male"),
    )
    assert check.status_code == 200, check.text
    assert "Not in this document's number" in check.text
    assert "Passport" in check.text


async def test_a_colleague_registering_the_same_person_a_moment_earlier_is_said(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _officer(web, runtime)
    number = fresh_resident_id()
    mine = await post_form(web, NEW, page=NEW, data=_person(number))
    theirs = await post_form(web, NEW, page=NEW, data=_person(number))
    for_me = {**hidden_fields(mine.text), **_person(number), "notice_given": "yes"}
    for_them = {**hidden_fields(theirs.text), **_person(number), "notice_given": "yes"}
    first = await web.post("/agency/workers/register", data=for_them, headers=ORIGIN)
    assert "/letter" in first.headers["location"]
    late = await web.post("/agency/workers/register", data=for_me, headers=ORIGIN)
    assert late.headers["location"] == NEW
    assert "This person has an archive already" in (await web.get(NEW)).text
    assert await Archive.find({"id_masked": mask_identity_number(number)}).count() == 1
