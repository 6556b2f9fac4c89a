"""The scenarios: each runs its raw PyMongo half, then its HTTP half, on one store copy.

Every HTTP half is driven by ``wrk`` (``bench.loadgen``, ``bench/wrk/plan.lua``) against the
API in its own process (``bench.harness.api_process``) over loopback: reads for
``BENCH_WRK_SECONDS`` (default 15) over ``BENCH_WRK_CONNECTIONS`` (16) connections from
``BENCH_WRK_THREADS`` (2) threads; writes send each of their work items once, bounded by a time
limit (``BENCH_TIME_LIMIT`` seconds, default 30), each with its own Idempotency-Key as a client
would send it (``BENCH_IDEMPOTENCY_KEYS=0``: none, as the raw half writes no idempotency
record). The raw halves run in this process, in the same run, before the HTTP halves. A
scenario returns one ``Result`` per row of the table.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import loadgen, profile, raw, raw_procs
from bench.fixtures import BENCH_PASSWORD, DATABASE, Connected, State
from bench.harness import ApiProcess, Figures, drive
from bench.loadgen import Call, WrkResult
from portfolio.archives.kinds import EntryKind
from portfolio.reports import apprenticeships as apprenticeship_reports
from portfolio.reports import training as training_reports
from portfolio.reports import vouchers as voucher_reports
from portfolio.reports.query import GroupBy, ReportQuery
from portfolio.settings import Settings
from portfolio.vocabulary import TrainingType

CONCURRENCY = 16
# Seconds per half (raw or HTTP) of a scenario; a report's halves get a quarter of it each, the
# distinct redemptions twice it.
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "30"))
READS = int(os.environ.get("BENCH_READS", "2000"))
REDEMPTIONS = int(os.environ.get("BENCH_REDEMPTIONS", "10000"))
MIXED = int(os.environ.get("BENCH_MIXED", "3000"))
LOGINS = int(os.environ.get("BENCH_LOGINS", "60"))
REPORT_REQUESTS = int(os.environ.get("BENCH_REPORT_REQUESTS", "100"))
CONTENDERS = 50
WRK_SECONDS = float(os.environ.get("BENCH_WRK_SECONDS", "15"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "16"))
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
# BENCH_RAW_PROCESSES=N: the archive read's raw half also from N processes (``bench.raw_procs``)
RAW_PROCESSES = int(os.environ.get("BENCH_RAW_PROCESSES", "1"))
IDEMPOTENCY_KEYS = os.environ.get("BENCH_IDEMPOTENCY_KEYS", "1") != "0"
COMPLETION = json.dumps({"result": "passed", "score": 80})


@dataclass
class Result:
    """One row: the HTTP figures, the API process's peak memory and the raw half's figures."""

    archives: int
    scenario: str
    label: str
    ops: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    peak_rss_mib: float
    raw_ops: int
    raw_per_second: float
    raw_p50_ms: float
    raw_p99_ms: float
    ratio: float  # HTTP ops/s divided by raw ops/s (1.0 = HTTP costs nothing)
    note: str = ""


@dataclass
class Ctx:
    """A running store copy, the API on it and a client for it."""

    archives: int
    state: State
    conn: Connected
    api: ApiProcess
    http: httpx.AsyncClient

    def bearer(self, token: str) -> dict[str, str]:
        """The Authorization header of ``token``."""
        return {"Authorization": f"Bearer {token}"}

    @property
    def store_pid(self) -> int | None:
        """The embedded store's process."""
        process = self.conn.store.process
        return process.pid if process is not None else None

    def measured(self) -> Any:
        """``with ctx.measured() as cpu:``: the API's and the store's CPU during the body."""
        return profile.measured(self.api.pids(), self.store_pid)

    def sampled(self, name: str, seconds: float) -> Any:
        """py-spy on the API and the store during the body (``BENCH_PYSPY``)."""
        pids = {"api": self.api.process.pid, "store": self.store_pid or 0}
        return profile.sampled(f"{name}-{self.archives}", pids, seconds)


def result(
    ctx: Ctx, scenario: str, label: str, http: Figures, raw_figures: Figures, note: str = ""
) -> Result:
    """A table row from the two halves."""
    return Result(
        archives=ctx.archives,
        scenario=scenario,
        label=label,
        ops=http.requests,
        errors=http.errors,
        seconds=round(http.seconds, 2),
        per_second=round(http.per_second, 1),
        p50_ms=round(http.p50_ms, 1),
        p90_ms=round(http.p90_ms, 1),
        p99_ms=round(http.p99_ms, 1),
        peak_rss_mib=round(ctx.api.peak_rss_mib(), 1),
        raw_ops=raw_figures.requests,
        raw_per_second=round(raw_figures.per_second, 1),
        raw_p50_ms=round(raw_figures.p50_ms, 1),
        raw_p99_ms=round(raw_figures.p99_ms, 1),
        ratio=round(http.per_second / raw_figures.per_second, 3) if raw_figures.per_second else 0,
        # the machine's load beside every figure (the CPU notes carry their own, per half)
        note=note if "; load " in note else f"{note}; load {profile.load()}".lstrip("; "),
    )


def _order(items: list[str], total: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    order: list[str] = []
    while len(order) < total:
        round_ = list(items)
        rng.shuffle(round_)
        order.extend(round_)
    return order[:total]


async def _run(
    label: str,
    operation: Callable[[int], Awaitable[bool]],
    total: int,
    concurrency: int,
    time_limit_s: float = TIME_LIMIT,
) -> Figures:
    return await drive(
        label, operation, concurrency=concurrency, total=total, time_limit_s=time_limit_s
    )


def _key(prefix: str) -> str:
    """The Idempotency-Key of one call (none when ``BENCH_IDEMPOTENCY_KEYS=0``)."""
    return f"bench-{prefix}" if IDEMPOTENCY_KEYS else ""


async def _wrk(
    ctx: Ctx,
    tokens: list[str],
    calls: list[Call],
    *,
    once: bool,
    connections: int = WRK_CONNECTIONS,
    seconds: float = WRK_SECONDS,
    timeout_s: float = 120.0,
) -> WrkResult:
    """One wrk run against the API (in a thread: wrk blocks until it is done)."""
    return await asyncio.to_thread(
        loadgen.run,
        ctx.api.base_url,
        tokens,
        calls,
        connections=connections,
        seconds=seconds,
        once=once,
        threads=WRK_THREADS,
        timeout_s=timeout_s,
    )


def _statuses(wrk: WrkResult, expected: tuple[str, ...] = ("2",)) -> str:
    shown = dict(sorted(wrk.statuses.items()))
    errors = f", socket errors {wrk.socket_errors}" if wrk.socket_errors else ""
    odd = sorted({s[:160] for s in wrk.samples if not s.startswith(expected)})
    unexpected = f"; first unexpected answers: {odd[:3]}" if odd else ""
    return f"statuses {shown}{errors}{unexpected}"


async def archive_read(ctx: Ctx) -> list[Result]:
    """A worker's ``GET /me/archive?limit=20`` (sampled workers, shuffled, 16 at a time)."""
    order = _order(list(ctx.state.readers), READS, ctx.archives)
    db = ctx.conn.db
    with ctx.measured() as raw_cpu:
        raw_f = await _run("raw", lambda i: raw.read_archive(db, order[i]), len(order), CONCURRENCY)
    one_process = ""
    if RAW_PROCESSES > 1:
        # the same reads from several processes: the store's ceiling, not one driver's
        one_process = (
            f"raw from this one process {raw_f.per_second:,.1f}/s "
            f"(p50 {raw_f.p50_ms:.1f} ms; {raw_cpu.per_op(raw_f.requests)}); "
        )
        with ctx.measured() as raw_cpu:
            raw_f = await asyncio.to_thread(
                raw_procs.read_archive,
                ctx.conn.uri,
                DATABASE,
                order,
                processes=RAW_PROCESSES,
                concurrency=CONCURRENCY,
                time_limit_s=TIME_LIMIT,
            )
    archives = list(ctx.state.readers)
    tokens = [ctx.state.readers[a] for a in archives]
    for archive_id in archives[:CONCURRENCY]:
        await ctx.http.get(
            "/me/archive", params={"limit": 20}, headers=ctx.bearer(ctx.state.readers[archive_id])
        )
    calls = [
        Call("GET", "/me/archive?limit=20", token=archives.index(a))
        for a in _order(archives, len(archives), ctx.archives)
    ]
    with ctx.measured() as http_cpu:
        wrk = await _wrk(ctx, tokens, calls, once=False)
    if profile.available():
        with ctx.sampled("archive_read", WRK_SECONDS):
            await _wrk(ctx, tokens, calls, once=False)
    note = (
        f"{len(tokens)} workers, wrk {WRK_CONNECTIONS} connections; {_statuses(wrk)}; "
        f"p99/p50 {wrk.p99_ms / wrk.p50_ms if wrk.p50_ms else 0:.1f}; {one_process}"
        f"raw from {RAW_PROCESSES} process(es); HTTP {http_cpu.per_op(wrk.answered)}; "
        f"raw {raw_cpu.per_op(raw_f.requests)}"
    )
    return [
        result(
            ctx, "archive_read", "archive read (GET /me/archive)", wrk.figures("http"), raw_f, note
        )
    ]


async def constants(ctx: Ctx) -> list[Result]:
    """``GET /.well-known/jwks.json`` (a constant document) against ``GET /healthz`` in the
    same run: the "raw" columns of this row are /healthz, the cheapest route there is."""
    health = await _wrk(ctx, [], [Call("GET", "/healthz")], once=False)
    jwks = await _wrk(ctx, [], [Call("GET", "/.well-known/jwks.json")], once=False)
    health_f = health.figures("healthz")
    note = (
        f"raw columns = GET /healthz ({health.p50_ms:.1f} / {health.p99_ms:.1f} ms p50/p99); "
        f"{_statuses(jwks)}"
    )
    return [
        result(
            ctx,
            "constants",
            "JWKS (GET /.well-known/jwks.json)",
            jwks.figures("http"),
            health_f,
            note,
        )
    ]


REPORTS: list[tuple[str, str, Any, dict[str, str]]] = [
    ("training, province by city", "/reports/training", training_reports, {}),
    (
        "training, province by occupation",
        "/reports/training",
        training_reports,
        {"group_by": "occupation"},
    ),
    (
        "training, 5101 by month, one type",
        "/reports/training",
        training_reports,
        {"region": "5101", "group_by": "month", "type": "employment_skills"},
    ),
    ("vouchers, province by city", "/reports/vouchers", voucher_reports, {}),
    ("vouchers, province by policy", "/reports/vouchers", voucher_reports, {"group_by": "policy"}),
    ("apprenticeships, province by city", "/reports/apprenticeships", apprenticeship_reports, {}),
]


def _query(params: dict[str, str]) -> ReportQuery:
    return ReportQuery(
        region=params.get("region"),
        group_by=GroupBy(params["group_by"]) if "group_by" in params else None,
        training_type=TrainingType(params["type"]) if "type" in params else None,
    )


async def reports(ctx: Ctx) -> list[Result]:
    """Each report as the province agency asks for it, 4 at a time."""
    agency = raw.agency_actor(ctx.state.agency_id)
    headers = ctx.bearer(ctx.state.agency_token)
    rows = []
    for label, path, kind, params in REPORTS:
        query = _query(params)

        async def raw_one(_: int, kind: Any = kind, query: ReportQuery = query) -> bool:
            await raw.report(agency, kind, query)
            return True

        with ctx.measured() as raw_cpu:
            raw_f = await _run("raw", raw_one, REPORT_REQUESTS, 4, TIME_LIMIT / 4)
        warm = await ctx.http.get(path, params=params, headers=headers)
        groups = len(warm.json().get("rows", [])) if warm.status_code == 200 else -1
        target = f"{path}?{urlencode(params)}" if params else path
        with ctx.measured() as http_cpu:
            wrk = await _wrk(
                ctx,
                [ctx.state.agency_token],
                [Call("GET", target, token=0)],
                once=False,
                connections=4,
                seconds=TIME_LIMIT / 4,
            )
        note = (
            f"{groups} rows; {_statuses(wrk)}; HTTP {http_cpu.per_op(wrk.answered)}; "
            f"raw {raw_cpu.per_op(raw_f.requests)}"
        )
        rows.append(result(ctx, "reports", f"report: {label}", wrk.figures("http"), raw_f, note))
    return rows


async def login(ctx: Ctx) -> list[Result]:
    """``POST /auth/token`` with the production argon2 parameters, 2 at a time (2 cores)."""
    users = ctx.state.login_users
    production = Settings(_env_file=None)
    db = ctx.conn.db

    async def raw_one(i: int) -> bool:
        return await raw.log_in(db, production, users[i % len(users)], BENCH_PASSWORD)

    raw_f = await _run("raw", raw_one, LOGINS, 2)
    calls = [
        Call(
            "POST",
            "/auth/token",
            body=urlencode(
                {
                    "grant_type": "password",
                    "username": users[i % len(users)],
                    "password": BENCH_PASSWORD,
                }
            ),
            content_type=loadgen.FORM,
        )
        for i in range(LOGINS)
    ]
    wrk = await _wrk(ctx, [], calls, once=True, connections=2, seconds=TIME_LIMIT)
    note = (
        f"{_statuses(wrk)}; argon2 t={production.argon2_time_cost}, "
        f"m={production.argon2_memory_cost_kib} KiB, p={production.argon2_parallelism}"
    )
    return [result(ctx, "login", "login (POST /auth/token)", wrk.figures("http"), raw_f, note)]


async def _chain_ok(db: Any, archive_ids: list[str]) -> bool:
    """Each archive's entries are 1..head.seq, each built on the one before."""
    from bson import ObjectId

    for archive_id in archive_ids:
        archive = await db["archives"].find_one({"_id": ObjectId(archive_id)}, {"head": 1})
        entries = (
            await db["archive_entries"]
            .find({"archive_id": archive_id}, {"seq": 1, "prev_hash": 1, "hash": 1})
            .sort("seq", 1)
            .to_list()
        )
        if [e["seq"] for e in entries] != list(range(1, len(entries) + 1)):
            return False
        if archive["head"]["seq"] != len(entries):
            return False
        if any(b["prev_hash"] != a["hash"] for a, b in itertools.pairwise(entries)):
            return False
    return True


async def append_contended(ctx: Ctx) -> list[Result]:
    """Completions (``POST /enrolments/{id}/completion``) of many runs of the same few
    workers, 32 at a time: every request appends to one of 8 archives."""
    state = ctx.state
    classes = raw.Classes(state.provider_id, state.organisation_id)
    db = ctx.conn.db
    raw_order = _order(state.hot_raw, len(state.hot_raw), 1)
    raw_f = await _run(
        "raw", lambda i: raw.complete_one(db, classes, raw_order[i]), len(raw_order), 32
    )
    calls = [
        Call(
            "POST",
            f"/enrolments/{enrolment_id}/completion",
            token=0,
            body=COMPLETION,
            content_type=loadgen.JSON_TYPE,
            idempotency_key=_key(enrolment_id),
        )
        for enrolment_id in _order(state.hot_http, len(state.hot_http), 2)
    ]
    wrk = await _wrk(
        ctx, [state.provider_token], calls, once=True, connections=32, seconds=TIME_LIMIT
    )
    intact = await _chain_ok(db, state.hot_archives)
    note = (
        f"{len(state.hot_archives)} archives; chains {'intact' if intact else 'BROKEN'}; "
        f"{wrk.answered} of {len(calls)} sent; {_statuses(wrk)}"
    )
    return [
        result(
            ctx,
            "append_contended",
            "archive append, contended",
            wrk.figures("http"),
            raw_f,
            note,
        )
    ]


def _sheet_figures(label: str, seconds: list[float], rows: int, errors: int) -> Figures:
    ordered = sorted(s * 1000 for s in seconds)
    total = sum(seconds)
    return Figures(
        label,
        rows,
        errors,
        total,
        statistics.median(ordered) if ordered else 0.0,
        ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0,
        ordered[-1] if ordered else 0.0,
    )


async def _completed(db: Any, enrolment_ids: list[str]) -> int:
    """How many of these enrolments are completed (what the sheets recorded)."""
    from bson import ObjectId

    done = 0
    for first in range(0, len(enrolment_ids), 1000):
        chunk = [ObjectId(i) for i in enrolment_ids[first : first + 1000]]
        found = await db["enrolments"].find({"_id": {"$in": chunk}}, {"status": 1}).to_list()
        done += sum(1 for e in found if e["status"] == "completed")
    return done


async def bulk_completion(ctx: Ctx) -> list[Result]:
    """Class sheets (``POST /runs/{id}/completions``): 40-person classes, then 1,000 rows,
    one sheet at a time; ops are rows, the latencies are per sheet."""
    state = ctx.state
    classes = raw.Classes(state.provider_id, state.organisation_id)
    db = ctx.conn.db
    rows: list[Result] = []
    for label, raw_sheets, http_sheets in (
        ("class sheet, 40 rows", state.classes_raw, state.classes_http),
        ("class sheet, 1,000 rows", state.big_raw, state.big_http),
    ):
        if not http_sheets or not raw_sheets:
            continue
        raw_times: list[float] = []
        raw_rows = raw_errors = 0
        for run_id, ids in raw_sheets:
            started = time.perf_counter()
            done = await raw.complete_sheet(db, classes, run_id, ids)
            raw_times.append(time.perf_counter() - started)
            raw_rows += done
            raw_errors += len(ids) - done
        calls = [
            Call(
                "POST",
                f"/runs/{run_id}/completions",
                token=0,
                body=json.dumps(
                    {"rows": [{"enrolment_id": i, "result": "passed", "score": 80} for i in ids]}
                ),
                content_type=loadgen.JSON_TYPE,
                idempotency_key=_key(run_id),
            )
            for run_id, ids in http_sheets
        ]
        wrk = await _wrk(
            ctx, [state.provider_token], calls, once=True, connections=1, seconds=600, timeout_s=600
        )
        sheet_ids = [i for _, ids in http_sheets for i in ids]
        recorded = await _completed(db, sheet_ids)
        sheets = wrk.figures("http")
        http_f = Figures(
            "http",
            len(sheet_ids),
            len(sheet_ids) - recorded,
            sheets.seconds,
            sheets.p50_ms,
            sheets.p95_ms,
            sheets.p99_ms,
            sheets.p90_ms,
        )
        note = (
            f"{len(http_sheets)} sheets; ops = rows, latency per sheet; {recorded} rows "
            f"recorded; {_statuses(wrk)}"
        )
        rows.append(
            result(
                ctx,
                "bulk_completion",
                label,
                http_f,
                _sheet_figures("raw", raw_times, raw_rows, raw_errors),
                note,
            )
        )
    return rows


async def _still_claimed(db: Any, voucher_ids: list[str]) -> list[str]:
    """Those of ``voucher_ids`` nobody has redeemed yet."""
    from bson import ObjectId

    left: set[str] = set()
    for first in range(0, len(voucher_ids), 1000):
        chunk = [ObjectId(i) for i in voucher_ids[first : first + 1000]]
        async for v in db["vouchers"].find(
            {"_id": {"$in": chunk}, "status": "claimed"}, {"_id": 1}
        ):
            left.add(str(v["_id"]))
    return [v for v in voucher_ids if v in left]


async def _ledger_check(db: Any, voucher_ids: list[str]) -> tuple[int, int, int]:
    """(vouchers redeemed, ledger entries, vouchers with more than one archive entry)."""
    from bson import ObjectId

    redeemed = 0
    entries = 0
    archive_ids: set[str] = set()
    for first in range(0, len(voucher_ids), 1000):
        chunk = voucher_ids[first : first + 1000]
        async for v in db["vouchers"].find(
            {"_id": {"$in": [ObjectId(i) for i in chunk]}}, {"status": 1, "archive_id": 1}
        ):
            if v["status"] == "redeemed":
                redeemed += 1
                archive_ids.add(v["archive_id"])
        entries += len(
            await db["ledger"].find({"voucher_id": {"$in": chunk}}, {"_id": 1}).to_list()
        )
    per_voucher: Counter[str] = Counter()
    wanted = set(voucher_ids)
    archive_list = sorted(archive_ids)
    for first in range(0, len(archive_list), 1000):
        async for e in db["archive_entries"].find(
            {
                "archive_id": {"$in": archive_list[first : first + 1000]},
                "kind": EntryKind.VOUCHER_REDEEMED.value,
            },
            {"payload": 1},
        ):
            voucher_id = e["payload"].get("voucher_id")
            if voucher_id in wanted:
                per_voucher[voucher_id] += 1
    doubled = sum(1 for n in per_voucher.values() if n > 1)
    return redeemed, entries, doubled


async def _settled_ledger(db: Any, voucher_ids: list[str]) -> tuple[int, int, int]:
    """``_ledger_check`` once the server has finished what was in flight (two equal reads a
    second apart, at most 30 s)."""
    last = await _ledger_check(db, voucher_ids)
    for _ in range(30):
        await asyncio.sleep(1)
        now = await _ledger_check(db, voucher_ids)
        if now == last:
            break
        last = now
    return last


async def redeem_distinct(ctx: Ctx) -> list[Result]:
    """``POST /vouchers/{id}/redeem`` over distinct claimed vouchers, 16 at a time; then the
    ledger is checked: one entry per redeemed voucher, no voucher redeemed twice."""
    state = ctx.state
    db = ctx.conn.db
    raw_ids = state.vouchers_raw
    with ctx.measured() as raw_cpu:
        raw_f = await _run(
            "raw",
            lambda i: raw.redeem(db, state.agency_id, raw_ids[i]),
            len(raw_ids),
            CONCURRENCY,
            TIME_LIMIT * 2,
        )
    ids = state.vouchers_http[:REDEMPTIONS]
    calls = [Call("POST", f"/vouchers/{v}/redeem", token=0, idempotency_key=_key(v)) for v in ids]
    with ctx.measured() as http_cpu:
        wrk = await _wrk(ctx, [state.agency_token], calls, once=True, seconds=TIME_LIMIT * 2)
    redeemed, ledger, doubled = await _settled_ledger(db, ids)
    if profile.available():
        # a second run, sampled (not checked, not counted), over vouchers still claimed
        left = await _still_claimed(db, state.vouchers_http)
        more = [
            Call("POST", f"/vouchers/{v}/redeem", token=0, idempotency_key=f"spy-{v}") for v in left
        ]
        with ctx.sampled("redeem_distinct", WRK_SECONDS):
            await _wrk(ctx, [state.agency_token], more, once=True, seconds=WRK_SECONDS)
    won = wrk.count([200])
    # A run cut by the time limit leaves up to one call per connection in flight, unanswered,
    # which the server may still have redeemed.
    in_flight = redeemed - won
    ok = redeemed == ledger and doubled == 0 and 0 <= in_flight <= WRK_CONNECTIONS
    note = (
        f"{wrk.answered} of {len(ids)} vouchers asked; ledger {ledger} entries for "
        f"{redeemed} redeemed ({in_flight} of them unanswered at the time limit), "
        f"{doubled} doubled: {'OK' if ok else 'MISMATCH'}; {_statuses(wrk)}; "
        f"HTTP {http_cpu.per_op(wrk.answered)}; raw {raw_cpu.per_op(raw_f.requests)}"
    )
    return [
        result(
            ctx, "redeem_distinct", "voucher redemption, distinct", wrk.figures("http"), raw_f, note
        )
    ]


async def redeem_contended(ctx: Ctx) -> list[Result]:
    """50 redemptions of each voucher (different Idempotency-Keys), over 50 connections that
    each walk the vouchers in the same order (wrk has no barrier between rounds: the losers
    of one voucher run ahead to the next while its winner finishes): exactly one 200 and 49
    409 per voucher, one ledger entry per voucher."""
    state = ctx.state
    db = ctx.conn.db
    raw_wins: list[int] = []
    raw_started = time.perf_counter()
    raw_latencies: list[float] = []
    for voucher_id in state.contended_raw:

        async def one(voucher_id: str = voucher_id) -> bool:
            started = time.perf_counter()
            won = await raw.contend(db, voucher_id)
            raw_latencies.append((time.perf_counter() - started) * 1000)
            return won

        raw_wins.append(sum(await asyncio.gather(*(one() for _ in range(CONTENDERS)))))
    raw_seconds = time.perf_counter() - raw_started
    calls = [
        Call(
            "POST",
            f"/vouchers/{voucher_id}/redeem",
            token=0,
            idempotency_key=f"bench-{voucher_id}-{n}",
            group=voucher_id,
        )
        for voucher_id in state.contended_http
        for n in range(CONTENDERS)
    ]
    wrk = await _wrk(
        ctx, [state.agency_token], calls, once=True, connections=CONTENDERS, seconds=TIME_LIMIT * 2
    )
    bad_rounds = 0
    for voucher_id in state.contended_http:
        codes = wrk.grouped.get(voucher_id, Counter())
        if codes["200"] != 1 or codes["409"] != CONTENDERS - 1:
            bad_rounds += 1
    redeemed, ledger, doubled = await _ledger_check(db, state.contended_http)
    raw_ordered = sorted(raw_latencies)

    def pick(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0

    answers = wrk.figures("http", ok=(200, 409))
    http_f = Figures(
        "http",
        answers.requests,
        bad_rounds,
        answers.seconds,
        answers.p50_ms,
        answers.p95_ms,
        answers.p99_ms,
        answers.p90_ms,
    )
    raw_f = Figures(
        "raw",
        len(raw_latencies),
        sum(1 for w in raw_wins if w != 1),
        raw_seconds,
        pick(raw_ordered, 0.5),
        pick(raw_ordered, 0.95),
        pick(raw_ordered, 0.99),
        pick(raw_ordered, 0.90),
    )
    ok = bad_rounds == 0 and redeemed == ledger == len(state.contended_http) and doubled == 0
    note = (
        f"{len(state.contended_http)} vouchers x {CONTENDERS}: "
        f"{_statuses(wrk, expected=('200', '409'))}; "
        f"ledger {ledger} for {redeemed} redeemed, {doubled} doubled: "
        f"{'OK' if ok else 'MISMATCH'}; errors = vouchers without exactly one winner"
    )
    return [result(ctx, "redeem_contended", "voucher redemption, 50 on one", http_f, raw_f, note)]


@dataclass
class Mix:
    """The 70 / 20 / 10 mixed workload's work lists (each item used once)."""

    readers: list[str]
    completions: list[str]
    redemptions: list[str]

    def kind(self, i: int) -> str:
        """What request ``i`` is: 7 reads, 2 completions, 1 redemption in every 10."""
        slot = i % 10
        return "read" if slot < 7 else "complete" if slot < 9 else "redeem"

    def item(self, i: int) -> str:
        """The archive, enrolment or voucher request ``i`` acts on."""
        kind = self.kind(i)
        if kind == "read":
            return self.readers[i % len(self.readers)]
        if kind == "complete":
            return self.completions[(i // 10) * 2 + (i % 10) - 7]
        return self.redemptions[i // 10]

    def capacity(self) -> int:
        """How many requests the work lists allow."""
        return min(len(self.completions) // 2, len(self.redemptions)) * 10


def http_mixed_operation(ctx: Ctx, mix: Mix) -> Callable[[int], Awaitable[tuple[bool, int]]]:
    """One request of the mixed workload through the API: (ok, status)."""
    readers = {a: ctx.bearer(t) for a, t in ctx.state.readers.items()}
    provider = ctx.bearer(ctx.state.provider_token)
    agency = ctx.bearer(ctx.state.agency_token)

    async def operation(i: int) -> tuple[bool, int]:
        kind, item = mix.kind(i), mix.item(i)
        try:
            if kind == "read":
                response = await ctx.http.get(
                    "/me/archive", params={"limit": 20}, headers=readers[item]
                )
            elif kind == "complete":
                response = await ctx.http.post(
                    f"/enrolments/{item}/completion",
                    json={"result": "passed", "score": 80},
                    headers=provider,
                )
            else:
                response = await ctx.http.post(f"/vouchers/{item}/redeem", headers=agency)
        except httpx.HTTPError:
            return False, 0
        return response.status_code == 200, response.status_code

    return operation


def http_mix(state: State) -> Mix:
    """The mixed workload's API work lists."""
    completions = [e for _, ids in state.classes_http + state.big_http for e in ids]
    return Mix(list(state.readers), completions, state.vouchers_http)


def wrk_mix_calls(state: State, mix: Mix, total: int) -> list[Call]:
    """The mixed workload's calls; tokens: the readers' in order, then provider, agency."""
    readers = list(state.readers)
    provider, agency = len(readers), len(readers) + 1
    calls: list[Call] = []
    for i in range(total):
        kind, item = mix.kind(i), mix.item(i)
        if kind == "read":
            calls.append(Call("GET", "/me/archive?limit=20", token=readers.index(item)))
        elif kind == "complete":
            calls.append(
                Call(
                    "POST",
                    f"/enrolments/{item}/completion",
                    token=provider,
                    body=COMPLETION,
                    content_type=loadgen.JSON_TYPE,
                    idempotency_key=_key(item),
                )
            )
        else:
            calls.append(
                Call("POST", f"/vouchers/{item}/redeem", token=agency, idempotency_key=_key(item))
            )
    return calls


async def mixed(ctx: Ctx) -> list[Result]:
    """70 % archive reads, 20 % completions, 10 % redemptions, 16 at a time."""
    state = ctx.state
    db = ctx.conn.db
    classes = raw.Classes(state.provider_id, state.organisation_id)
    raw_mix = Mix(
        list(state.readers),
        [e for _, ids in state.classes_raw + state.big_raw for e in ids],
        state.vouchers_raw,
    )

    async def raw_one(i: int) -> bool:
        kind, item = raw_mix.kind(i), raw_mix.item(i)
        if kind == "read":
            return await raw.read_archive(db, item)
        if kind == "complete":
            return await raw.complete_one(db, classes, item)
        return await raw.redeem(db, state.agency_id, item)

    raw_f = await _run("raw", raw_one, min(MIXED, raw_mix.capacity()), CONCURRENCY)
    mix = http_mix(state)
    tokens = [*state.readers.values(), state.provider_token, state.agency_token]
    calls = wrk_mix_calls(state, mix, min(MIXED, mix.capacity()))
    wrk = await _wrk(ctx, tokens, calls, once=True, seconds=TIME_LIMIT)
    return [result(ctx, "mixed", "mixed 70/20/10", wrk.figures("http"), raw_f, _statuses(wrk))]


# name -> (function, writes?)
SCENARIOS: dict[str, tuple[Callable[[Ctx], Awaitable[list[Result]]], bool]] = {
    "archive_read": (archive_read, False),
    "constants": (constants, False),
    "reports": (reports, False),
    "login": (login, False),
    "append_contended": (append_contended, True),
    "bulk_completion": (bulk_completion, True),
    "redeem_distinct": (redeem_distinct, True),
    "redeem_contended": (redeem_contended, True),
    "mixed": (mixed, True),
}
