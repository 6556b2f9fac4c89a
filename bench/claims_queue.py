"""The agency's claims queue page with many waiting claims: p50 and p99 of the page and of
the JSON route it mirrors.

``python -m bench.claims_queue``: a fresh embedded store with the demo data, then
``BENCH_QUEUE_CLAIMS`` (default 10,000) more claims waiting in Chengdu, copies of the demo's
claimed cooking-class voucher under new ids (one in seven flagged ``claimed_too_often``, one
in eleven disputed), written straight into the collection: the claims path is not what is
measured. The service is started in its own process (``bench.harness.api_process``);
``agency-chengdu`` signs in through the login form and the token route; then, one request
at a time, ``BENCH_QUEUE_REQUESTS`` (default 100) of each: ``GET /agency`` (the dashboard),
``GET /agency/claims`` (newest first), ``GET /agency/claims?flagged=yes&sort=flags`` and
``GET /claims`` with the bearer token. Prints a Markdown table of p50 / p99 in ms. A run fails
(exit 1) on any answer but 200.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import time
from typing import Any

import httpx
from bson import ObjectId
from pydantic import SecretStr

from bench.harness import api_process, embedded_store
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import init_documents, make_client
from portfolio.vouchers.demo import CLAIMED_VOUCHER
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.rules import free_key

DATABASE = "portfolio_bench_claims_queue"
OFFICER = "agency-chengdu"
PASSWORD = "demo-password"  # noqa: S105 - the demo login's published password
SESSION_COOKIE = "__Host-portfolio-session"
PRE_SESSION_COOKIE = "__Host-portfolio-login"
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
_FLAG = {
    "code": "claimed_too_often",
    "score": 50,
    "reason": "3 claims for this worker under the policy in 365 days (the policy allows 2)",
    "evidence": {"claims": "3", "allowed": "2"},
}


async def seed(count: int) -> None:
    """``count`` copies of the demo's claimed voucher, waiting in the same region."""
    collection = Voucher.get_pymongo_collection()
    model = await collection.find_one({"_id": ObjectId(CLAIMED_VOUCHER)})
    assert model is not None, "the demo's claimed voucher is missing"
    batch: list[dict[str, Any]] = []
    for n in range(count):
        copy = dict(model)
        oid = ObjectId()
        flagged = n % 7 == 0
        copy.update(
            _id=oid,
            holding_key=free_key(str(oid)),
            binding_key=free_key(str(oid)),
            claimed_at_ms=int(model.get("claimed_at_ms") or 0) + n,
            flags=[_FLAG] if flagged else [],
            flag_codes=[_FLAG["code"]] if flagged else [],
            flag_score=50 if flagged else 0,
            attestation="disputed" if n % 11 == 0 else "confirmed",
        )
        batch.append(copy)
        if len(batch) == 500:
            await collection.insert_many(batch)
            batch = []
    if batch:
        await collection.insert_many(batch)


def _cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key == name:
            return rest.split(";", 1)[0]
    raise RuntimeError(f"no {name} cookie in the answer ({response.status_code})")


def sign_in(http: httpx.Client, base_url: str) -> tuple[str, str]:
    """The officer's web session cookie and bearer access token."""
    form = http.get("/login")
    fields = dict(_HIDDEN.findall(form.text))
    pre = _cookie(form, PRE_SESSION_COOKIE)
    signed_in = http.post(
        "/login",
        data={**fields, "username": OFFICER, "password": PASSWORD},
        headers={"Origin": base_url, "Cookie": f"{PRE_SESSION_COOKIE}={pre}"},
    )
    if signed_in.status_code != 303:
        raise RuntimeError(f"the login form answered {signed_in.status_code}")
    tokens = http.post(
        "/auth/token",
        data={"grant_type": "password", "username": OFFICER, "password": PASSWORD},
    )
    tokens.raise_for_status()
    return _cookie(signed_in, SESSION_COOKIE), str(tokens.json()["access_token"])


def measure(http: httpx.Client, path: str, headers: dict[str, str], n: int) -> tuple[float, float]:
    """p50 and p99 (ms) of ``n`` sequential GETs of ``path`` (after two to warm up)."""
    timings = []
    for i in range(n + 2):
        began = time.perf_counter()
        answer = http.get(path, headers=headers)
        spent = time.perf_counter() - began
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
        if i >= 2:
            timings.append(spent * 1000)
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


async def _seed_into(uri: str, count: int) -> None:
    """The extra claims, written into the served store (after the demo loaded)."""
    settings = Settings(_env_file=None, mongodb_uri=SecretStr(uri), database=DATABASE)
    client = make_client(uri, settings)
    try:
        await init_documents(client, DATABASE, DOCUMENT_MODELS)
        await seed(count)
    finally:
        await client.close()


def main() -> int:
    """Serve the demo, seed, sign in, measure and print (see the module docstring)."""
    count = int(os.environ.get("BENCH_QUEUE_CLAIMS", "10000"))
    requests = int(os.environ.get("BENCH_QUEUE_REQUESTS", "100"))
    serve = [sys.executable, "-m", "api", "serve", "--demo"]
    with (
        embedded_store() as uri,
        api_process(uri, DATABASE, command=serve) as api,
        httpx.Client(base_url=api.base_url, timeout=120) as http,
    ):
        asyncio.run(_seed_into(uri, count))
        session, token = sign_in(http, api.base_url)
        page = {"Cookie": f"{SESSION_COOKIE}={session}"}
        bearer = {"Authorization": f"Bearer {token}"}
        flagged = "/agency/claims?flagged=yes&sort=flags"
        rows = [
            ("page GET /agency (dashboard)", "/agency", page),
            ("page GET /agency/claims (25 a page)", "/agency/claims", page),
            (f"page GET {flagged}", flagged, page),
            ("JSON GET /claims?limit=25", "/claims?limit=25", bearer),
        ]
        print(f"{count:,} more claims waiting; {requests} requests each, one at a time\n")
        print("| request | p50 ms | p99 ms |\n|---|---|---|")
        for label, path, headers in rows:
            p50, p99 = measure(http, path, headers, requests)
            print(f"| {label} | {p50:.1f} | {p99:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
