"""The production wiring: docker-compose and the Dockerfile speak our settings' language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from portfolio.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _compose_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return set(re.findall(r"^\s+(PORTFOLIO_[A-Z0-9_]+):", text, flags=re.MULTILINE))


def _dockerfile_variables() -> set[str]:
    text = (ROOT / "Dockerfile").read_text()
    return set(re.findall(r"\b(PORTFOLIO_[A-Z0-9_]+)=", text))


@pytest.mark.parametrize("source", [_compose_variables, _dockerfile_variables])
def test_every_deployment_variable_is_a_real_setting(source: object) -> None:
    assert callable(source)
    variables = source()
    assert variables, "no PORTFOLIO_ variables found: the file moved or changed shape"
    known = {f"PORTFOLIO_{name.upper()}" for name in Settings.model_fields}
    assert variables <= known, f"unknown settings: {sorted(variables - known)}"


def test_compose_runs_production_mode_with_a_replica_set() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "PORTFOLIO_ENV: production" in text
    assert "--replSet" in text
    assert "replicaSet=rs0" in text


def test_production_refuses_to_start_without_master_key_and_uri() -> None:
    with pytest.raises(ValidationError, match="PORTFOLIO_MASTER_KEY, PORTFOLIO_MONGODB_URI"):
        Settings(_env_file=None, env="production")  # type: ignore[call-arg]
