"""``docker-compose.sharded.yml``, written from the plan (``portfolio shard-keys --compose``).

A config server replica set, two shard replica sets (one member each here; three in
production), a mongos, a one-shot job that adds the shards, enables sharding on the database
and runs ``shardCollection`` for every planned key, and the API behind the mongos. The job's
script carries the plan as one JSON line (``const plan = ...``), so the test reads back
exactly what the cluster is told.
"""

from __future__ import annotations

import json

from portfolio.sharding import PLAN

HEADER = """\
# The service on a sharded MongoDB cluster (README, "Sharding"). Written by
#   portfolio shard-keys --compose > docker-compose.sharded.yml
# from portfolio/sharding.py; tests/sharding checks the two agree. Start with
#   PORTFOLIO_MASTER_KEY=$(openssl rand -base64 32) \\
#     docker compose -f docker-compose.sharded.yml up --build
# One member per replica set keeps it small; production runs three of each.
"""


def _replica_set(service: str, role: str, port: int) -> str:
    initiate = (
        f"rs.initiate({{_id: '{service}', {'configsvr: true, ' if role == 'configsvr' else ''}"
        f"members: [{{_id: 0, host: '{service}:{port}'}}]}}).ok"
    )
    return f"""\
  {service}:
    image: mongo:8
    command: ["mongod", "--{role}", "--replSet", "{service}", "--port", "{port}", "--bind_ip_all"]
    volumes:
      - {service}-data:/data/db
    healthcheck:
      # Initiates the replica set on first start, then reports healthy once it answers.
      test: >-
        mongosh --quiet --port {port} --eval "try {{ rs.status().ok }} catch (e) {{
        {initiate} }}"
      interval: 5s
      timeout: 10s
      retries: 30
      start_period: 10s
"""


def plan_json() -> str:
    """The plan as the job's script carries it: sharded keys in order, then the rest."""
    sharded = {p.collection: p.key_document() for p in PLAN if p.sharded}
    unsharded = sorted(p.collection for p in PLAN if not p.sharded)
    return json.dumps({"sharded": sharded, "unsharded": unsharded}, separators=(", ", ": "))


def _init_job(database: str) -> str:
    return f"""\
  shard-init:
    image: mongo:8
    depends_on:
      mongos:
        condition: service_healthy
    restart: "no"
    entrypoint: ["mongosh", "--quiet", "mongodb://mongos:27017", "--eval"]
    command:
      - |
        const database = "{database}";
        const plan = {plan_json()};
        for (const shard of ["shard1/shard1:27018", "shard2/shard2:27018"]) {{
          sh.addShard(shard);
        }}
        sh.enableSharding(database);
        for (const [name, key] of Object.entries(plan.sharded)) {{
          const result = sh.shardCollection(database + "." + name, key);
          print(name + " " + JSON.stringify(key) + " " + (result.ok ? "sharded" : "FAILED"));
          if (!result.ok) {{ quit(1); }}
        }}
        for (const name of plan.unsharded) {{
          print(name + " unsharded (on the primary shard)");
        }}
"""


def render(database: str = "portfolio") -> str:
    """The whole compose file."""
    return (
        HEADER
        + "services:\n"
        + _replica_set("config", "configsvr", 27019)
        + "\n"
        + _replica_set("shard1", "shardsvr", 27018)
        + "\n"
        + _replica_set("shard2", "shardsvr", 27018)
        + f"""
  mongos:
    image: mongo:8
    command: ["mongos", "--configdb", "config/config:27019", "--port", "27017", "--bind_ip_all"]
    depends_on:
      config:
        condition: service_healthy
      shard1:
        condition: service_healthy
      shard2:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"]
      interval: 5s
      timeout: 10s
      retries: 30

{_init_job(database)}
  api:
    build: .
    depends_on:
      shard-init:
        condition: service_completed_successfully
    environment:
      PORTFOLIO_ENV: production
      # The API talks to mongos exactly as to a replica set: no code knows it is sharded.
      PORTFOLIO_MONGODB_URI: mongodb://mongos:27017
      PORTFOLIO_DATABASE: {database}
      PORTFOLIO_MASTER_KEY: ${{PORTFOLIO_MASTER_KEY:?set PORTFOLIO_MASTER_KEY}}
      PORTFOLIO_HOST: 0.0.0.0
      PORTFOLIO_PORT: "8000"
      PORTFOLIO_LOG_LEVEL: INFO
    ports:
      - "8000:8000"

volumes:
  config-data:
  shard1-data:
  shard2-data:
"""
    )
