"""Agency reports (``GET /reports/...``) at 10k archives / 100k completions and 100k / 1M.

Seeding goes straight to the collections, in one growing database (the second level adds to
the first): archives (``bench.archive_read.seed``, one entry each), organisations, courses and
finished runs of 40 with their completed enrolments (90 % passed) and certificates (40 % of the
passes), spread over Sichuan's 21 cities and about 150 districts, 24 months and 120
type/brand/occupation combinations; and the report counters those would have produced,
computed in this process with the counters' own cell code (fine cells and rollups). Voucher and
apprenticeship counters are seeded alongside (a voucher life cycle per two completions, an
agreement per 50), counters only: their reports read nothing else. The distinct-worker markers
are not seeded (no report reads them).

Each scenario is one report as an agency asks for it, through the API in its own process, 400
requests one after another (latency, not throughput: every operation of the embedded store
goes through one lock), with p50 / p99 latency: the cost of a report is the number of
rollup cells it groups, which grows with the runs stored until the cells of the period are all
in use, not with the completions.

Environment: ``BENCH_REPORT_LEVELS`` (completions per level, default ``100000,1000000``;
archives are a tenth), ``BENCH_REPORT_REQUESTS`` (per scenario, default 400).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from bench.archive_read import seed as seed_archives
from bench.harness import BENCH_MASTER_KEY, TABLE_HEADER, api_process, drive, embedded_store
from portfolio import bootstrap
from portfolio.accounts import service
from portfolio.accounts.principal import Role
from portfolio.keyring import Keyring
from portfolio.models import DOCUMENT_MODELS
from portfolio.reports import apprenticeships, training, vouchers
from portfolio.reports.counters import BATCH, Changes
from portfolio.settings import Settings
from portfolio.storage import init_documents, make_client
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType

DATABASE = "portfolio_bench_reports"
PASSWORD = "bench agency password"  # noqa: S105 - throwaway logins of the benchmark
CLASS = 40
# Sichuan's 21 prefecture-level divisions (GB/T 2260).
CITIES = [
    f"{n:02d}" for n in (1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 32, 33, 34)
]
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
LEVELS = (
    [SkillLevel.JUNIOR] * 4
    + [SkillLevel.INTERMEDIATE] * 3
    + [
        SkillLevel.SENIOR,
        SkillLevel.SENIOR,
        SkillLevel.TECHNICIAN,
    ]
)


@dataclass(frozen=True)
class Combo:
    """A course's type, brand and occupation."""

    training_type: TrainingType
    brand: SkillBrand | None
    occupation: str


@dataclass
class Catalogue:
    """Districts, the providers in them and their courses."""

    districts: list[str]
    providers: list[tuple[str, str, list[tuple[str, Combo]]]]  # id, region, courses


def _catalogue(rng: random.Random) -> Catalogue:
    districts = [f"51{c}{d:02d}" for c in CITIES for d in range(1, rng.randint(5, 10) + 1)]
    brands: list[SkillBrand | None] = [None, *SkillBrand]
    combos = [
        Combo(
            rng.choice(list(TrainingType)),
            rng.choice(brands),
            f"{rng.randint(2, 6)}-{rng.randint(1, 30):02d}-{rng.randint(1, 9):02d}-"
            f"{rng.randint(1, 9):02d}",
        )
        for _ in range(120)
    ]
    providers = []
    for district in districts:
        for _ in range(3):
            courses = [(str(ObjectId()), combo) for combo in rng.sample(combos, 4)]
            providers.append((str(ObjectId()), district, courses))
    return Catalogue(districts, providers)


async def _static(db: Any, catalogue: Catalogue) -> None:
    """Organisations and courses (documents the API could read)."""
    now = datetime.now(UTC)
    organisations, courses = [], []
    for serial, (org_id, region, offered) in enumerate(catalogue.providers):
        organisations.append(
            {
                "_id": ObjectId(org_id),
                "name": f"培训学校{serial}",
                "credit_code": f"bench-{serial}",
                "credit_code_override_reason": "bench",
                "kind": "training_institution",
                "region_code": region,
                "status": "active",
                "status_reason": "",
                "version": 0,
                "created_at": now,
                "created_by": "bench",
            }
        )
        for course_id, combo in offered:
            courses.append(
                {
                    "_id": ObjectId(course_id),
                    "organisation_id": org_id,
                    "region_code": region,
                    "title": "课程",
                    "occupation_code": combo.occupation,
                    "digital": False,
                    "green": False,
                    "training_type": combo.training_type.value,
                    "brand": combo.brand.value if combo.brand else None,
                    "target_level": "junior",
                    "planned_hours": 40,
                    "delivery": "in_person",
                    "subsidy_standard_fen": 100_000,
                    "created_at": now,
                    "created_by": "bench",
                }
            )
    await db["organisations"].insert_many(organisations)
    await db["courses"].insert_many(courses)


@dataclass
class Distinct:
    """The workers already counted per fine cell (the markers, kept in memory here)."""

    trained: dict[str, set[str]]
    certified: dict[str, set[str]]
    high_skill: dict[str, set[str]]


def _first(seen: dict[str, set[str]], key: str, archive_id: str) -> int:
    workers = seen.setdefault(key, set())
    if archive_id in workers:
        return 0
    workers.add(archive_id)
    return 1


async def _runs(
    db: Any,
    catalogue: Catalogue,
    archive_ids: list[str],
    completions: int,
    rng: random.Random,
    distinct: Distinct,
) -> Changes:
    """Finished runs with ``completions`` completed enrolments and their certificates;
    returns the counters they make."""
    changes = Changes()
    now = datetime.now(UTC)
    runs: list[dict[str, Any]] = []
    enrolments: list[dict[str, Any]] = []
    certificates: list[dict[str, Any]] = []

    async def flush() -> None:
        for name, rows in (
            ("runs", runs),
            ("enrolments", enrolments),
            ("certificates", certificates),
        ):
            if rows:
                await db[name].insert_many(rows, ordered=False)
                rows.clear()

    for _ in range(completions // CLASS):
        org_id, region, offered = rng.choice(catalogue.providers)
        course_id, combo = rng.choice(offered)
        month = rng.choice(MONTHS)
        end = date(int(month[:4]), int(month[5:]), rng.randint(1, 28))
        run_id = ObjectId()
        runs.append(
            {
                "_id": run_id,
                "course_id": course_id,
                "organisation_id": org_id,
                "region_code": region,
                "start_date": datetime(end.year, end.month, end.day, tzinfo=UTC),
                "end_date": datetime(end.year, end.month, end.day, tzinfo=UTC),
                "capacity": CLASS,
                "seats_taken": CLASS,
                "location": "教室",
                "trainers": [],
                "sessions": [],
                "created_at": now,
                "created_by": "bench",
            }
        )
        cell = training.cell(
            region_code=region,
            month=month,
            training_type=combo.training_type.value,
            brand=combo.brand.value if combo.brand else None,
            occupation=combo.occupation,
        )
        figures: Counter[str] = Counter()
        for archive_id in rng.sample(archive_ids, CLASS):
            passed = rng.random() < 0.9
            hours = rng.randint(8, 40)
            enrolment_id = ObjectId()
            enrolments.append(
                {
                    "_id": enrolment_id,
                    "run_id": str(run_id),
                    "course_id": course_id,
                    "organisation_id": org_id,
                    "archive_id": archive_id,
                    "worker_name": "学员",
                    "worker_masked_id": "510104********0000",
                    "worker_region_code": region,
                    "status": "completed",
                    "result": "passed" if passed else "failed",
                    "hours_attended": hours,
                    # In the past, as real completions are (and so outside the start-up repair's
                    # look-back: every seeded completion already has its archive entry).
                    "completed_at": datetime(end.year, end.month, end.day, tzinfo=UTC),
                    "entry_seq": 2,
                    "version": 3,
                    "created_at": now,
                    "created_by": "bench",
                    "updated_at": now,
                }
            )
            figures.update(completions=1, passed=int(passed), minutes=hours * 60)
            if not passed:
                continue
            figures["people"] += _first(distinct.trained, cell.key, archive_id)
            if rng.random() >= 0.4:
                continue
            level = rng.choice(LEVELS)
            certificates.append(
                {
                    "number": f"B{ObjectId()}",
                    "certificate_type": "skill_level",
                    "occupation_code": combo.occupation,
                    "level": level.value,
                    "issuing_body": "鉴定中心",
                    "issue_date": datetime(end.year, end.month, end.day, tzinfo=UTC),
                    "archive_id": archive_id,
                    "holder_name": "学员",
                    "holder_region_code": region,
                    "enrolment_id": str(enrolment_id),
                    "organisation_id": org_id,
                    "status": "valid",
                    "void_reason": "",
                    "entry_seq": 3,
                    "version": 0,
                    "recorded_at": now,
                    "recorded_by": "bench",
                }
            )
            figures.update({"certificates": 1, f"cert_{level.value}": 1})
            figures["certified"] += _first(distinct.certified, cell.key, archive_id)
            if level.is_high_skill:
                figures["high_skill"] += _first(distinct.high_skill, cell.key, archive_id)
        changes.add(cell, figures)
        if len(enrolments) >= 20 * BATCH:
            await flush()
    await flush()
    return changes


@dataclass(frozen=True)
class _Voucher:
    region_code: str
    policy_key: str
    policy_name: str
    face_value_fen: int
    created_at: datetime
    enrolment_id: str = ""


@dataclass(frozen=True)
class _Event:
    action: str
    at: datetime
    details: dict[str, str]


@dataclass(frozen=True)
class _Agreement:
    id: str
    region_code: str
    occupation_code: str
    target_level: str
    status: str
    level_reached: str | None
    created_at: datetime
    ended_on: str
    below_plan: bool = False


def _voucher_and_agreement_counters(
    catalogue: Catalogue, completions: int, rng: random.Random
) -> Changes:
    """Voucher life cycles (one per two completions) and agreements (one per 50), as the
    hooks would count them (type and brand of bound vouchers drawn at random)."""
    changes = Changes()
    policies = {c: (str(ObjectId()), str(ObjectId())) for c in CITIES}
    start = datetime(2025, 1, 1, 2, tzinfo=UTC)
    for _ in range(completions // 2):
        region = rng.choice(catalogue.districts)
        policy = rng.choice(policies[region[2:4]])
        issued = start + timedelta(days=rng.randint(0, 700))
        voucher = _Voucher(region, policy, f"培训券{policy[-4:]}", 120_000, issued)
        steps = ["issue"]
        roll = rng.random()
        if roll < 0.6:
            steps += ["bind", "claim", "redeem"]
        elif roll < 0.8:
            steps += ["expire"]
        elif roll < 0.9:
            steps += ["bind", "cancel"]
        at = issued
        kind = rng.choice(list(TrainingType)).value
        brand = rng.choice([*SkillBrand]).value
        for action in steps:
            at = at + timedelta(days=rng.randint(0, 40))
            event = _Event(action, at, {"amount_fen": "100000"})
            figure, money = vouchers.FIGURES[action]
            with_course = action in vouchers.WITH_COURSE
            cell = vouchers.cell(
                region_code=region,
                month=f"{at.year}-{at.month:02d}",
                policy=policy,
                training_type=kind if with_course else vouchers.NONE,
                brand=brand if with_course else vouchers.NONE,
                name=voucher.policy_name,
            )
            increments = {figure: 1}
            if money:
                increments[f"{figure}_fen"] = 100_000
            if action == "redeem":
                days = vouchers.days_to_redeem(voucher, event)
                increments[vouchers.bucket(days)] = 1
                changes.add(
                    vouchers.cell(
                        region_code=region,
                        month=f"{issued.year}-{issued.month:02d}",
                        policy=policy,
                        training_type=vouchers.NONE,
                        brand=vouchers.NONE,
                        name=voucher.policy_name,
                    ),
                    {"redeemed_of_issued": 1},
                )
            changes.add(cell, increments)
    for _ in range(completions // 50):
        created = start + timedelta(days=rng.randint(0, 600))
        ended = created + timedelta(days=rng.randint(200, 500))
        status = rng.choice(
            ["draft", "approved", "active", "active", "paused", "stopped", "completed"]
        )
        if status in ("stopped", "completed") and ended.date() > date(2026, 11, 1):
            status = "active"
        agreement = _Agreement(
            str(ObjectId()),
            rng.choice(catalogue.districts),
            f"6-{rng.randint(1, 30):02d}-01-0{rng.randint(1, 9)}",
            rng.choice(["intermediate", "senior", "technician"]),
            status,
            "intermediate" if status == "completed" else None,
            created,
            ended.date().isoformat() if status in ("stopped", "completed") else "",
        )
        apprenticeships.add_agreement(changes, None, agreement, 400_000)
    return changes


async def _write(db: Any, changes: Changes) -> int:
    written = 0
    for document, operations in changes.operations().items():
        collection = db[document.get_settings().name]
        for first in range(0, len(operations), BATCH):
            await collection.bulk_write(operations[first : first + BATCH], ordered=False)
        written += len(operations)
    return written


SCENARIOS: list[tuple[str, str, str, dict[str, str]]] = [
    # label, agency prefix, path, parameters (12 months of 2026 unless said)
    ("training, province by city", "51", "/reports/training", {}),
    ("training, city by district", "5101", "/reports/training", {}),
    ("training, district", "510104", "/reports/training", {}),
    (
        "training, province by month, one type",
        "51",
        "/reports/training",
        {"group_by": "month", "type": "employment_skills"},
    ),
    ("training, province by brand", "51", "/reports/training", {"group_by": "brand"}),
    ("training, province by occupation", "51", "/reports/training", {"group_by": "occupation"}),
    ("training, city by occupation", "5101", "/reports/training", {"group_by": "occupation"}),
    (
        "training, province by city, 24 months, CSV",
        "51",
        "/reports/training",
        {"from": "2025-01", "format": "csv"},
    ),
    ("vouchers, province by city", "51", "/reports/vouchers", {}),
    ("vouchers, city by policy", "5101", "/reports/vouchers", {"group_by": "policy"}),
    ("apprenticeships, province by city", "51", "/reports/apprenticeships", {}),
]


async def _agencies(settings: Settings) -> None:
    for prefix in {s[1] for s in SCENARIOS}:
        await service.create_principal(
            settings=settings,
            username=f"bench-agency-{prefix}",
            password=PASSWORD,
            role=Role.AGENCY,
            created_by="bench",
            region_prefix=prefix,
        )


async def _measure(uri: str, requests: int, level: str) -> list[str]:
    rows = []
    with api_process(uri, DATABASE) as api:
        async with httpx.AsyncClient(base_url=api.base_url, timeout=60) as http:
            tokens = {}
            for prefix in {s[1] for s in SCENARIOS}:
                login = await http.post(
                    "/auth/token",
                    data={
                        "grant_type": "password",
                        "username": f"bench-agency-{prefix}",
                        "password": PASSWORD,
                    },
                )
                login.raise_for_status()
                tokens[prefix] = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for label, prefix, path, extra in SCENARIOS:
                params = {"from": "2026-01", "to": "2026-12", **extra}
                headers = tokens[prefix]
                warm = await http.get(path, params=params, headers=headers)
                warm.raise_for_status()
                groups = (
                    len(warm.text.splitlines()) - 2
                    if "format" in extra
                    else len(warm.json()["rows"])
                )

                async def call(
                    _: int,
                    path: str = path,
                    params: dict[str, str] = params,
                    headers: dict[str, str] = headers,
                ) -> bool:
                    response = await http.get(path, params=params, headers=headers)
                    return response.status_code == 200

                figures = await drive(
                    f"{level}: {label} ({groups} rows)",
                    call,
                    concurrency=1,
                    total=requests,
                    time_limit_s=120,
                )
                rows.append(figures.row())
    return rows


async def run(levels: list[int], requests: int) -> list[str]:
    """Seed each level, then measure every scenario; returns Markdown lines."""
    lines = ["reports through the API in its own process, one request at a time", "", TABLE_HEADER]
    rng = random.Random(20260310)
    with embedded_store() as uri, tempfile.TemporaryDirectory(prefix="bench-data-") as data:
        settings = Settings(
            _env_file=None,
            mongodb_uri=SecretStr(uri),
            database=DATABASE,
            master_key=SecretStr(BENCH_MASTER_KEY),
            data_dir=Path(data),
            argon2_time_cost=1,
            argon2_memory_cost_kib=8,
            argon2_parallelism=1,
        )
        client: AsyncMongoClient[dict[str, Any]] = make_client(uri, settings)
        notes = []
        try:
            await init_documents(client, DATABASE, DOCUMENT_MODELS)
            keyring = Keyring(BENCH_MASTER_KEY.encode())
            await keyring.load()
            await bootstrap.prepare(settings=settings, keyring=keyring)
            await _agencies(settings)
            db = client[DATABASE]
            catalogue = _catalogue(rng)
            await _static(db, catalogue)
            distinct = Distinct({}, {}, {})
            archive_ids: list[str] = []
            seeded = 0
            for level in levels:
                started = time.perf_counter()
                archive_ids += await seed_archives(
                    client,
                    DATABASE,
                    keyring,
                    start=len(archive_ids),
                    count=level // 10 - len(archive_ids),
                    entries_each=1,
                )
                changes = await _runs(db, catalogue, archive_ids, level - seeded, rng, distinct)
                written = await _write(db, changes)
                written += await _write(
                    db, _voucher_and_agreement_counters(catalogue, level - seeded, rng)
                )
                seeded = level
                cells = await db["report_counters"].estimated_document_count()
                notes.append(
                    f"- {level // 10:,} archives / {level:,} completions: seeded in "
                    f"{time.perf_counter() - started:,.0f} s; {cells:,} counter documents"
                )
                lines += await _measure(uri, requests, f"{level // 10:,}/{level:,}")
        finally:
            await client.close()
    return [*lines, "", *notes]


def main() -> None:
    """Print the figures (``python -m bench reports``)."""
    levels = [int(v) for v in os.environ.get("BENCH_REPORT_LEVELS", "100000,1000000").split(",")]
    requests = int(os.environ.get("BENCH_REPORT_REQUESTS", "400"))
    for line in asyncio.run(run(levels, requests)):
        print(line)


if __name__ == "__main__":
    main()
