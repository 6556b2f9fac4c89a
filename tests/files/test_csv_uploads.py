"""Uploaded CSV files: any bytes give rows, per-row errors or a clear 4xx, never a 5xx.

A bare carriage return in a class file once gave a 500 on every route that takes a file; the
property tests draw arbitrary bytes (and CSV-shaped text with the characters that break
parsers) for the parser itself and for each upload route through HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.errors import ValidationFailed
from portfolio.tabular import read_csv
from tests.helpers import log_in_as
from tests.training.factories import make_course, make_provider, make_run
from tests.vouchers.factories import make_policy

NASTY = st.sampled_from(["\r", "\n", "\r\n", '"', ",", "\x00", "\ufeff", "=", "\u2028", "王"])
CSV_LIKE = st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=40).map("".join)
UPLOADS = st.one_of(st.binary(max_size=400), CSV_LIKE.map(lambda text: text.encode()))


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(raw=UPLOADS)
@example(raw=b"id_type,id_number,name\rresident_id,1,x\r")
@example(raw=b'a,b\n"unterminated\r')
@example(raw=b"a,b\n1,\x002\n")
def test_the_parser_answers_rows_or_a_named_rule(raw: bytes) -> None:
    outcome = _parse(raw)
    if isinstance(outcome, ValidationFailed):
        assert [(e.field, e.rule in {"encoding", "csv_invalid"}) for e in outcome.errors] == [
            ("body", True)
        ]
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for r in outcome for k, v in r.items())


def _parse(raw: bytes) -> list[dict[str, str]] | ValidationFailed:
    try:
        return read_csv(raw)
    except ValidationFailed as refused:
        return refused


def test_a_bare_carriage_return_ends_a_line() -> None:
    rows = read_csv(b"id_type,id_number,name\rresident_id,110105194912310021,\xe7\x8e\x8b\r")
    assert rows == [{"id_type": "resident_id", "id_number": "110105194912310021", "name": "王"}]


def test_gb18030_from_older_spreadsheet_programs_is_read() -> None:
    rows = read_csv("name,id_number\n王小明,110105194912310021\n".encode("gb18030"))
    assert rows == [{"name": "王小明", "id_number": "110105194912310021"}]


async def _upload_routes(
    client: AsyncClient, runtime: Runtime
) -> list[tuple[str, Any, dict[str, str]]]:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"])
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency)
    return [
        (f"/runs/{run['id']}/enrolments/bulk", None, provider.user.headers),
        (f"/runs/{run['id']}/completions", None, provider.user.headers),
        ("/vouchers/bulk", {"policy_id": policy["id"]}, agency.headers),
    ]


@pytest.fixture
async def upload_routes(
    client: AsyncClient, runtime: Runtime
) -> list[tuple[str, Any, dict[str, str]]]:
    """The routes that take a file, with a caller allowed to post to each."""
    return await _upload_routes(client, runtime)


@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=UPLOADS)
@example(raw=b"id_type,id_number,name\rresident_id,110105194912310021,x\r")
@example(raw=b"enrolment_id,result\r000000000000000000000000,passed\r")
@example(raw=b"worker_id\r000000000000000000000000\r")
async def test_every_upload_route_answers_4xx_or_rows_for_any_bytes(
    client: AsyncClient, upload_routes: list[tuple[str, Any, dict[str, str]]], raw: bytes
) -> None:
    for path, params, headers in upload_routes:
        response = await client.post(
            path, params=params, content=raw, headers={**headers, "content-type": "text/csv"}
        )
        assert response.status_code < 500, (path, raw, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
