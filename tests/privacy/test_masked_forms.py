"""A masked number never names its person: every response schema and every stored document
that carries one leaves at least 1,000 candidates with what else its reader sees.

The tour reads the demo data set (worker archives with links, enrolments, vouchers in every
state, claims, an apprenticeship) as every role would; ``tests/privacy/candidates.py`` says how
the candidates are counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_ARCHIVE_WORKER_2, DEMO_PASSWORD
from portfolio.apprenticeships.demo import DEMO_APPRENTICESHIP
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.identity.identifiers import IdType, parse_identity
from portfolio.vouchers.demo import CHENGDU_POLICY, CLAIMED_VOUCHER
from tests.helpers import auth_headers, request_tokens
from tests.privacy.candidates import RULE, candidates, is_masked_identity, one_year, worst_case
from tests.privacy.scan import Person, scan_personal

# An exact age in words (it narrows the birth date to a year that ends on a known day).
_AGE_IN_WORDS = re.compile(r"\bAged \d+|年龄\d+岁")


def test_the_count_tells_the_old_form_from_the_new() -> None:
    number = "510104199003071237"
    born = date(1990, 3, 7)
    old, new = "510104********1237", "510104**********37"
    # The old form beside the birth date named the person; beside a year of birth, 33.
    assert candidates(old, window=[born], area="510104", male=True) == 1
    assert candidates(old, window=one_year(date(1990, 1, 1)), area="510104", male=True) < RULE
    # The new form beside the date would be no better (9): so no reader but the worker sees it.
    assert candidates(new, window=[born], area="510104", male=True) < RULE
    assert candidates(new, window=one_year(date(1990, 1, 1)), area="510104", male=True) >= RULE
    assert worst_case(new) >= 3_300
    assert number.endswith(new[-2:])


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _masked_schemas(app: FastAPI) -> dict[str, frozenset[str]]:
    """Response schemas with a masked field: name -> their property names."""
    found: dict[str, frozenset[str]] = {}
    for name, schema in app.openapi()["components"]["schemas"].items():
        properties = schema.get("properties", {})
        if name.endswith("Out") and any("masked" in p for p in properties):
            found[name] = frozenset(properties)
    return found


def _texts(value: Any) -> Iterator[str]:
    for obj in _objects(value):
        yield from (v for v in obj.values() if isinstance(v, str))


async def _login(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_every_response_with_a_masked_number_leaves_a_thousand_candidates(
    app: FastAPI, client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[Any]
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    db = db_client[runtime.settings.database]
    enrolment = await db["enrolments"].find_one({"archive_id": DEMO_ARCHIVE_WORKER_1})
    assert enrolment is not None
    run_id = enrolment["run_id"]
    competition = await db["competitions"].find_one({})
    assert competition is not None
    chengdu, sichuan = (
        await _login(client, "agency-chengdu"),
        await _login(client, "agency-sichuan"),
    )
    provider, enterprise = await _login(client, "provider-a"), await _login(client, "enterprise")
    worker_1, worker_2 = await _login(client, "worker-1"), await _login(client, "worker-2")
    w1 = next(w for w in DEMO_WORKERS if w.archive_id == DEMO_ARCHIVE_WORKER_1)
    reads: list[tuple[str, dict[str, str], str, str, dict[str, Any] | None]] = [
        # (reader, headers, method, path, body)
        ("agency", chengdu, "GET", f"/workers/{DEMO_ARCHIVE_WORKER_1}", None),
        ("agency", sichuan, "GET", f"/workers/{DEMO_ARCHIVE_WORKER_2}", None),
        (
            "agency",
            chengdu,
            "POST",
            "/workers/search",
            {"id_number": w1.id_number, "purpose": "voucher eligibility"},
        ),
        ("agency", chengdu, "GET", "/vouchers", None),
        ("agency", chengdu, "GET", f"/vouchers/{CLAIMED_VOUCHER}", None),
        ("agency", chengdu, "GET", "/claims", None),
        (
            "agency",
            chengdu,
            "GET",
            f"/voucher-policies/{CHENGDU_POLICY}/eligibility/{DEMO_ARCHIVE_WORKER_1}",
            None,
        ),
        ("agency", sichuan, "GET", "/apprenticeships", None),
        ("agency", chengdu, "GET", "/historical-imports", None),
        ("agency", sichuan, "GET", f"/apprenticeships/{DEMO_APPRENTICESHIP}", None),
        ("agency", sichuan, "GET", f"/competitions/{competition['_id']}", None),
        ("agency", sichuan, "GET", "/honours", None),
        ("agency", chengdu, "GET", f"/workers/{DEMO_ARCHIVE_WORKER_1}/priority-groups", None),
        ("agency", sichuan, "GET", "/border-recognitions", None),
        ("provider", provider, "GET", f"/runs/{run_id}/enrolments", None),
        ("provider", provider, "GET", f"/enrolments/{enrolment['_id']}", None),
        ("provider", provider, "GET", "/completions", None),
        ("provider", provider, "GET", "/claims", None),
        ("provider", provider, "GET", "/historical-imports", None),
        ("provider", enterprise, "GET", "/apprenticeships", None),
        ("provider", enterprise, "GET", f"/apprenticeships/{DEMO_APPRENTICESHIP}", None),
        ("provider", enterprise, "GET", "/assessments", None),
        ("agency", chengdu, "GET", "/direct-recognitions", None),
        ("worker", worker_1, "GET", "/me/archive", None),
        ("worker", worker_1, "GET", "/me/enrolments", None),
        ("worker", worker_1, "GET", "/me/vouchers", None),
        ("worker", worker_2, "GET", "/me/apprenticeships", None),
    ]
    wanted = _masked_schemas(app)
    seen: set[str] = set()
    checked = 0
    for reader, headers, method, path, body in reads:
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code == 200, (path, response.text)
        shown = response.json()
        if reader != "worker":
            # Nothing finer than a year of birth beside the masked number: no date, no age.
            births = [o["birth_date"] for o in _objects(shown) if "birth_date" in o]
            assert all(b is None for b in births), path
            assert not any(_AGE_IN_WORDS.search(t) for t in _texts(shown)), path
        for obj in _objects(shown):
            seen.update(name for name, keys in wanted.items() if keys == frozenset(obj))
            for key, value in obj.items():
                if "masked" in key and is_masked_identity(value):
                    assert worst_case(value) >= RULE, (path, key, value)
                    checked += 1
    # Every schema that carries a masked number was read: a new one must join this tour.
    assert seen == set(wanted), set(wanted) - seen
    assert checked >= 20


async def test_no_stored_document_completes_a_masked_number(
    runtime: Runtime, db_client: AsyncMongoClient[Any]
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    people = {}
    for worker in DEMO_WORKERS:
        birth = parse_identity(IdType.RESIDENT_ID, worker.id_number).birth_date
        assert birth is not None
        people[worker.archive_id] = Person(worker.phone, birth)
    # Neither the birth date (in any form) nor the phone number is stored in the clear.
    assert await scan_personal(db_client, runtime.settings.database, people) == []
    db = db_client[runtime.settings.database]
    masked = 0
    for name in await db.list_collection_names():
        async for document in db[name].find({}):
            for obj in _objects(document):
                for key, value in obj.items():
                    if is_masked_identity(value):
                        assert worst_case(value) >= RULE, (name, key, value)
                        masked += 1
                    if isinstance(value, str):
                        assert not _AGE_IN_WORDS.search(value), (name, key)
    # The archives, their entries, enrolments, vouchers and the apprenticeship all hold one.
    assert masked >= 10
