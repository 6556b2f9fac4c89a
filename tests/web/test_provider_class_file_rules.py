"""The class-file preview as a dry run of the integrity rules (in-process client): a class that
has ended takes nobody (the time rule), and a file that would make a sudden surge of
enrolments says what the fraud rules would flag, before anything is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, LoggedIn, log_in_as
from tests.web import training_arrange as arrange
from tests.web.pages import sign_in
from tests.web.test_provider_class_files import _csv, _upload
from tests.workers.factories import register


async def _class_made_ago(
    web: AsyncClient, settings: Settings, days: int
) -> tuple[LoggedIn, LoggedIn, str]:
    """A provider registered ``days`` ago with a class then ten days ahead, signed in now;
    an agency of Chengdu signed in now."""
    with clock.stopped_at(clock.now() - timedelta(days=days)):
        then = await log_in_as(web, settings, Role.AGENCY, region_prefix="5101")
        provider, run_id = await arrange.open_class(web, then, settings)
    agency = await log_in_as(web, settings, Role.AGENCY, region_prefix="5101")
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    web.cookies.set("lang", "en")
    return agency, provider, run_id


async def test_a_class_that_has_ended_takes_nobody(web: AsyncClient, settings: Settings) -> None:
    agency, _provider, run_id = await _class_made_ago(web, settings, 30)
    worker = await register(web, agency, name="王一")
    sent = await _upload(web, run_id, _csv([(worker.id_number, "王一")]), "late.csv")
    preview = await web.get(sent.headers["location"])
    assert "The class has ended: nobody can be enrolled in it" in preview.text
    assert "0 of 1 rows can be enrolled" in preview.text


async def test_the_preview_says_what_the_fraud_rules_would_flag(
    web: AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A provider quiet for a day, then two enrolments in a day: a surge at these thresholds.
    monkeypatch.setattr(settings, "fraud_surge_quiet_days", 1)
    monkeypatch.setattr(settings, "fraud_surge_window_days", 1)
    monkeypatch.setattr(settings, "fraud_surge_min_enrolments", 2)
    agency, provider, run_id = await _class_made_ago(web, settings, 3)
    one = await register(web, agency, name="王一")
    two = await register(web, agency, name="王二")
    alone = await _upload(web, run_id, _csv([(one.id_number, "王一")]), "one.csv")
    assert "fraud rules" not in (await web.get(alone.headers["location"])).text
    sent = await _upload(
        web, run_id, _csv([(one.id_number, "王一"), (two.id_number, "王二")]), "two.csv"
    )
    preview = (await web.get(sent.headers["location"])).text
    assert "What the fraud rules would say" in preview
    assert "Enrolling these rows makes 2 enrolments of yours" in preview
    assert preview.count("would be flagged: sudden surge of enrolments") == 2
    now = await log_in_as(
        web, settings, Role.PROVIDER, organisation_id=provider.principal.organisation_id
    )
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=now.headers)
    assert roster.json()["items"] == []  # a dry run: nothing written
