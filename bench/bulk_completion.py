"""Bulk completion of a class (``POST /runs/{id}/completions``): rows per second end to end.

For each level (1k, 10k, 100k archives stored, grown in one database), a provider completes a
40-person class several times (fresh classes) and then one 1,000-row sheet, through the API in
its own process. The classes are set up straight in the collections (enrolments in training,
one confirmed session each): what is measured is the completion, which appends a "training
completed" entry to each worker's archive.

Environment: ``BENCH_COMPLETION_LEVELS`` (default ``1000,10000,100000``),
``BENCH_COMPLETION_ENTRIES`` (entries per seeded archive, default 10),
``BENCH_COMPLETION_CLASSES`` (40-person classes per level, default 5).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
from beanie import PydanticObjectId

from bench.archive_read import seed
from bench.harness import api_process, bench_store
from portfolio.accounts import service
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from portfolio.training.documents import (
    AttendanceRecord,
    Course,
    Enrolment,
    Organisation,
    Run,
    Session,
)
from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    Delivery,
    EnrolmentStatus,
    OrganisationKind,
)
from portfolio.vocabulary import SkillLevel, TrainingType

DATABASE = "portfolio_bench_completion"
PROVIDER = "bench-provider"
PASSWORD = "bench provider password"  # noqa: S105 - a throwaway login of the benchmark


@dataclass
class Bench:
    """What the set-up made: the organisation and its course."""

    organisation_id: str
    course_id: str


async def _provider(settings: Settings) -> Bench:
    now = datetime.now(UTC)
    organisation = Organisation(
        name="基准测试培训学校",
        credit_code="91510104MA6BENCH0X",
        credit_code_override_reason="benchmark",
        kind=OrganisationKind.TRAINING_INSTITUTION,
        region_code="510104",
        created_at=now,
        created_by="bench",
    )
    await organisation.insert()
    course = Course(
        organisation_id=str(organisation.id),
        region_code="510104",
        title="基准课程",
        occupation_code="4-03-02-01",
        digital=False,
        green=False,
        training_type=TrainingType.EMPLOYMENT_SKILLS,
        brand=None,
        target_level=SkillLevel.JUNIOR,
        planned_hours=8,
        delivery=Delivery.IN_PERSON,
        subsidy_standard_fen=100_000,
        created_at=now,
        created_by="bench",
    )
    await course.insert()
    await service.create_principal(
        settings=settings,
        username=PROVIDER,
        password=PASSWORD,
        role=Role.PROVIDER,
        created_by="bench",
        organisation_id=str(organisation.id),
    )
    return Bench(str(organisation.id), str(course.id))


async def _class(bench: Bench, archive_ids: list[str]) -> tuple[str, list[str]]:
    """A finished run with ``archive_ids`` in training, one confirmed 8-hour session each."""
    now = datetime.now(UTC)
    day = date(2026, 3, 2)
    run = Run(
        course_id=bench.course_id,
        organisation_id=bench.organisation_id,
        region_code="510104",
        start_date=day,
        end_date=day,
        capacity=len(archive_ids),
        seats_taken=len(archive_ids),
        location="基准教室",
        trainers=[],
        sessions=[Session(n=1, day=day, start="09:00", hours=8)],
        created_at=now,
        created_by="bench",
    )
    await run.insert()
    enrolments = [
        Enrolment(
            id=PydanticObjectId(),
            run_id=str(run.id),
            course_id=bench.course_id,
            organisation_id=bench.organisation_id,
            archive_id=archive_id,
            worker_name="工人",
            worker_masked_id="510104********0000",
            worker_region_code="510104",
            status=EnrolmentStatus.IN_TRAINING,
            created_at=now,
            created_by="bench",
            updated_at=now,
        )
        for archive_id in archive_ids
    ]
    await Enrolment.insert_many(enrolments)
    await AttendanceRecord.insert_many(
        [
            AttendanceRecord(
                enrolment_id=str(e.id),
                run_id=str(run.id),
                organisation_id=bench.organisation_id,
                archive_id=e.archive_id,
                session_n=1,
                hours=8,
                status=AttendanceStatus.CONFIRMED,
                capture_method=CaptureMethod.FACE,
                check_in_ref="bench",
                supersedes=None,
                recorded_by="bench",
                recorded_at=now,
                confirmed_at=now,
            )
            for e in enrolments
        ]
    )
    return str(run.id), [str(e.id) for e in enrolments]


async def _complete(http: httpx.AsyncClient, token: str, run_id: str, ids: list[str]) -> float:
    rows = [{"enrolment_id": i, "result": "passed", "score": 80} for i in ids]
    started = time.perf_counter()
    response = await http.post(
        f"/runs/{run_id}/completions",
        json={"rows": rows},
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    if response.json()["recorded"] != len(ids):
        raise RuntimeError(f"only {response.json()['recorded']} of {len(ids)} rows recorded")
    return elapsed


async def run(levels: list[int], entries_each: int, classes: int) -> list[str]:
    """Seed each level, then time the sheets; returns Markdown lines."""
    lines = [
        f"bulk completion, {entries_each} entries per seeded archive, API in its own process",
        "",
        "| archives stored | sheet | sheets | rows | seconds | rows/s |",
        "|---|---|---|---|---|---|",
    ]
    async with bench_store(DATABASE) as store:
        uri, settings, client, keyring = store.uri, store.settings, store.client, store.keyring
        bench = await _provider(settings)
        ids: list[str] = []
        used = 0
        for level in levels:
            ids += await seed(
                client,
                DATABASE,
                keyring,
                start=len(ids),
                count=level - len(ids),
                entries_each=entries_each,
            )
            sheets: list[tuple[str, list[str]]] = []
            for _ in range(classes):
                sheets.append(await _class(bench, ids[used : used + 40]))
                used += 40
            big = await _class(bench, ids[used : used + 1000])
            used += 1000
            with api_process(uri, DATABASE) as api:
                async with httpx.AsyncClient(base_url=api.base_url, timeout=300) as http:
                    login = await http.post(
                        "/auth/token",
                        data={
                            "grant_type": "password",
                            "username": PROVIDER,
                            "password": PASSWORD,
                        },
                    )
                    token = login.json()["access_token"]
                    small = [await _complete(http, token, r, e) for r, e in sheets]
                    large = await _complete(http, token, *big)
            rows = 40 * len(small)
            lines.append(
                f"| {level:,} | 40 rows | {len(small)} | {rows} | {sum(small):.2f} | "
                f"{rows / sum(small):,.0f} |"
            )
            lines.append(
                f"| {level:,} | 1,000 rows | 1 | 1000 | {large:.2f} | {1000 / large:,.0f} |"
            )
    return lines


def main() -> None:
    """Print the figures (``python -m bench bulk_completion``)."""
    levels = [
        int(v) for v in os.environ.get("BENCH_COMPLETION_LEVELS", "1000,10000,100000").split(",")
    ]
    entries_each = int(os.environ.get("BENCH_COMPLETION_ENTRIES", "10"))
    classes = int(os.environ.get("BENCH_COMPLETION_CLASSES", "5"))
    for line in asyncio.run(run(levels, entries_each, classes)):
        print(line)


if __name__ == "__main__":
    main()
