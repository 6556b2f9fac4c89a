"""A challenge's life in the pages: the worker challenges an entry from its page, sees it in
their list, the agency that wrote it answers on its page, and the worker reads the answer."""

from __future__ import annotations

import re

from httpx import AsyncClient

from api.web.auth import SESSION_COOKIE
from portfolio.accounts.principal import Role
from portfolio.challenges import Challenge
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.web.pages import ORIGIN, post_form, sign_in, worker_with_archive

EN = {"Accept-Language": "en"}


async def test_a_challenge_from_the_entry_page_to_its_answer(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await worker_with_archive(settings)
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    entry = await web.get("/my/archive/1", headers=EN)
    assert 'href="/my/archive/1/challenge"' in entry.text

    empty = await post_form(
        web, "/my/archive/1/challenge", page="/my/archive/1/challenge", headers={**ORIGIN, **EN}
    )
    assert empty.status_code == 303
    assert empty.headers["location"] == "/my/archive/1/challenge"
    shown = await web.get("/my/archive/1/challenge", headers=EN)
    assert "2 to 1,000 characters" in shown.text

    filed = await post_form(
        web,
        "/my/archive/1/challenge",
        page="/my/archive/1/challenge",
        data={"words": "我的姓名写错了"},
    )
    assert filed.status_code == 303
    assert filed.headers["location"] == "/my/challenges?notice=filed"
    mine = await web.get("/my/challenges", headers=EN)
    assert "我的姓名写错了" in mine.text
    assert "Waiting for an answer" in mine.text
    [stored] = await Challenge.find_all().to_list()

    web.cookies.delete(SESSION_COOKIE)
    agency = await create_principal(settings, Role.AGENCY, region_prefix="5101")
    await sign_in(web, agency.username, DEFAULT_PASSWORD)
    page = f"/challenge-answers/{stored.id}"
    shown = await web.get(page, headers=EN)
    assert "我的姓名写错了" in shown.text
    answered = await post_form(
        web, page, page=page, data={"outcome": "refuse", "text": "身份证件上的姓名一致"}
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == f"{page}?notice=answered"
    done = await web.get(answered.headers["location"], headers=EN)
    assert "身份证件上的姓名一致" in done.text
    assert not re.search(r'name="outcome"', done.text)

    web.cookies.delete(SESSION_COOKIE)
    await sign_in(web, worker.username, DEFAULT_PASSWORD)
    mine = await web.get("/my/challenges", headers=EN)
    assert "Refused" in mine.text
    assert "身份证件上的姓名一致" in mine.text
    archive = await web.get("/my/archive", headers=EN)
    assert "Challenge refused" in archive.text
