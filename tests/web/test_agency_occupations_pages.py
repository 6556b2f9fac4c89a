"""The agency's occupation catalogue pages over the in-process client: searching, adding an
occupation through "check your answers" (the form's errors named, a double submit adding it
once), a city agency that reads but does not add, and the uncatalogued report."""

from __future__ import annotations

from urllib.parse import urlencode

from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.audit import ChangeRecord
from portfolio.training import Course
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.training.factories import make_course, make_provider
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in

ADDED = {
    "code": "4-04-05-09",
    "name": "生成式人工智能系统应用员",
    "source_document": "人社部 2024年新职业",
    "reason": "",
    "digital": "yes",
    "green": "",
}


async def _agency(web: AsyncClient, runtime: Runtime, prefix: str, **kw: StaffRole) -> None:
    officer = await create_principal(runtime.settings, Role.AGENCY, region_prefix=prefix, **kw)
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, officer.username, DEFAULT_PASSWORD)


async def test_a_province_officer_searches_and_adds_through_check_your_answers(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _agency(web, runtime, "51", staff_role=StaffRole.OFFICER)
    found = await web.get("/agency/occupations", params={"q": "焊"})
    assert "6-18-02-04" in found.text
    assert 'href="/agency/occupations/new"' in found.text
    assert "No code or name" in (await web.get("/agency/occupations?q=zz")).text

    wrong = await web.get("/agency/occupations/new/check?" + urlencode({**ADDED, "code": "x"}))
    assert wrong.headers["location"] == "/agency/occupations/new"
    assert "Enter an occupation code" in (await web.get("/agency/occupations/new")).text

    check = await web.get("/agency/occupations/new/check?" + urlencode(ADDED))
    assert check.status_code == 200
    assert "生成式人工智能系统应用员" in check.text
    fields = hidden_fields(check.text)
    done = await web.post("/agency/occupations/new", data=fields, headers=ORIGIN)
    assert done.headers["location"].startswith("/agency/occupations?q=4-04-05-09")
    again = await web.post("/agency/occupations/new", data=fields, headers=ORIGIN)
    assert again.headers["location"] == done.headers["location"]
    shown = await web.get(done.headers["location"])
    assert "The occupation is added" in shown.text
    assert "人社部 2024年新职业" in shown.text
    assert await ChangeRecord.find({"object_kind": "occupation"}).count() == 1


async def test_a_city_agency_reads_without_adding_and_sees_its_uncatalogued_codes(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    await Course.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(course["id"])}, {"$set": {"occupation_code": "6-99-99-98"}}
    )
    await _agency(web, runtime, "5101", staff_role=StaffRole.OFFICER)
    page = await web.get("/agency/occupations")
    assert page.status_code == 200
    assert 'href="/agency/occupations/new"' not in page.text
    told = await web.get("/agency/occupations/new")
    assert "Only a province-level agency adds occupations" in told.text
    report = await web.get("/agency/occupations/uncatalogued")
    assert "6-99-99-98" in report.text
    await _agency(web, runtime, "5107")
    elsewhere = await web.get("/agency/occupations/uncatalogued")
    assert "6-99-99-98" not in elsewhere.text
    assert "Every occupation code stored in your region" in elsewhere.text


async def test_the_course_form_suggests_catalogued_codes_and_names_an_uncatalogued_one(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, provider.user.principal.username, DEFAULT_PASSWORD)
    page = "/provider/courses/new"
    form = await web.get(page)
    assert 'list="occupation-suggestions"' in form.text
    assert '<option value="4-03-02-01">中式烹调师</option>' in form.text
    refused = await post_form(
        web,
        page,
        page=page,
        data={
            "title": "生成式人工智能应用",
            "occupation_code": "4-04-05-09",
            "training_type": "skill_upgrading",
            "target_level": "junior",
            "brand": "",
            "delivery": "online",
            "planned_hours": "24",
            "subsidy_standard_fen": "800",
        },
    )
    assert refused.headers["location"] == page
    again = await web.get(page)
    assert "not in the occupation catalogue" in again.text
    assert 'href="#occupation_code"' in again.text
