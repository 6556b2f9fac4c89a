"""Schemathesis against the app's own OpenAPI, in-process, unauthenticated and as each role.

Cases are drawn with a fixed seed (a few per operation; ``PORTFOLIO_FUZZ_EXAMPLES`` raises it,
``make fuzz``) and sent through the session's app with a real token per role; each answer must
not be a 5xx and must conform to the documented schema.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from httpx import AsyncClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import log_in_as

EXAMPLES = int(os.environ.get("PORTFOLIO_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _draw(operation: Any, count: int) -> list[Any]:
    cases: list[Any] = []

    @hypothesis.given(operation.as_strategy())
    @hypothesis.settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases


@pytest.mark.parametrize("role", [None, *Role], ids=["anonymous", *(r.value for r in Role)])
async def test_every_operation_answers_within_its_schema(
    app: FastAPI, client: AsyncClient, settings: Settings, role: Role | None
) -> None:
    schema = schemathesis.openapi.from_dict(app.openapi())
    headers: dict[str, str] = {}
    if role is not None:
        headers = (await log_in_as(client, settings, role)).headers
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for case in _draw(operation, EXAMPLES):
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            kwargs.pop("cookies", None)
            if isinstance(kwargs.get("data"), bytes | str):
                # requests-style raw body; httpx wants it as content.
                kwargs["content"] = kwargs.pop("data")
            response = await client.request(**kwargs)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # collected: one report of every finding
                failures.append(f"{case.method} {case.formatted_path}: {exc!s:.400}")
    assert not failures, "\n".join(failures)
