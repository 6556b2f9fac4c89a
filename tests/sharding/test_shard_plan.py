"""The sharded design holds together: every collection has a placement, every unique index
is one MongoDB enforces under that key, and the compose file tells the cluster exactly that."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from api.cli import app
from portfolio import sharding, sharding_compose
from portfolio.models import DOCUMENT_MODELS

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.sharded.yml"


def _compose() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return parsed


def _job_plan(compose: dict[str, Any]) -> dict[str, Any]:
    script = "\n".join(compose["services"]["shard-init"]["command"])
    found = re.search(r"^\s*const plan = (\{.*\});$", script, re.MULTILINE)
    assert found is not None, "the job's script carries no plan line"
    plan: dict[str, Any] = json.loads(found.group(1))
    return plan


def test_every_collection_has_a_placement_and_every_unique_index_holds() -> None:
    assert sharding.plan_problems(DOCUMENT_MODELS) == []


def test_the_checker_refuses_a_unique_index_the_key_cannot_enforce() -> None:
    by_run = sharding.Placement("enrolments", (("archive_id", 1),), "wrong on purpose")
    hashed = sharding.Placement("enrolments", (("run_id", "hashed"),), "wrong on purpose")
    excused = sharding.Placement(
        "enrolments",
        (("archive_id", 1),),
        "an exception",
        exceptions={("run_id", "archive_id"): "a guard document keeps it"},
    )
    unique = [("run_id", "archive_id")]
    assert sharding.key_problems(by_run, unique)
    assert sharding.key_problems(hashed, unique)
    assert sharding.key_problems(excused, unique) == []


def test_compose_has_the_cluster_and_names_every_collection_with_its_key() -> None:
    compose = _compose()
    services = compose["services"]
    assert "--configsvr" in services["config"]["command"]
    assert all("--shardsvr" in services[s]["command"] for s in ("shard1", "shard2"))
    assert services["mongos"]["command"][0] == "mongos"
    assert services["api"]["environment"]["PORTFOLIO_MONGODB_URI"] == "mongodb://mongos:27017"
    plan = _job_plan(compose)
    planned = {p.collection: p for p in sharding.PLAN}
    assert plan["sharded"] == {name: p.key_document() for name, p in planned.items() if p.sharded}
    # Key order matters to MongoDB: compare it as written.
    for name, key in plan["sharded"].items():
        assert list(key.items()) == [(f, d) for f, d in planned[name].key or ()]
    assert sorted(plan["unsharded"]) == sorted(n for n, p in planned.items() if not p.sharded)
    assert set(plan["sharded"]) | set(plan["unsharded"]) == set(
        sharding.collections_of(DOCUMENT_MODELS)
    )


def test_the_committed_compose_file_is_the_one_the_plan_writes() -> None:
    assert COMPOSE.read_text(encoding="utf-8") == sharding_compose.render()


def test_the_command_prints_every_collection() -> None:
    result = CliRunner().invoke(app, ["shard-keys"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for placement in sharding.PLAN:
        assert placement.collection in result.output
    composed = CliRunner().invoke(app, ["shard-keys", "--compose"])
    assert composed.output == sharding_compose.render()
