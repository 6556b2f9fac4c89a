"""``python -m bench legacy:occupations DATA_DIR``: what the occupation catalogue costs on a
seeded province (``portfolio seed --archives N`` into DATA_DIR first).

Prints, each the median of repeated calls in-process (no HTTP): the check every new write of
a code makes (``require_catalogued``: a code of the file, and one an agency added, which
reads the additions by ``_id``), a catalogue search, and the uncatalogued report for the
province, one city and the service admin (one grouping per collection: the cost grows with
the courses, certificates and agreements in reach).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from api.cli_runtime import command_runtime
from portfolio import occupations, reports
from portfolio.accounts import Actor, Role
from portfolio.occupations import AddedOccupation
from portfolio.paging import PageRequest
from portfolio.settings import Settings


async def _median_ms(call: Callable[[], Awaitable[object]], times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - start) * 1000)
    return statistics.median(spent)


async def _run(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    async with command_runtime(settings):
        province = Actor(
            principal_id="bench", username="bench", role=Role.AGENCY, region_prefix="51"
        )
        city = Actor(principal_id="bench", username="bench", role=Role.AGENCY, region_prefix="5101")
        admin = Actor(principal_id="bench", username="bench", role=Role.ADMIN)
        if await AddedOccupation.get("4-04-05-99") is None:
            await occupations.add_occupation(
                actor=province,
                addition=occupations.NewOccupation(
                    code="4-04-05-99", name="基准测试职业", source_document="bench"
                ),
            )
        rows = [
            (
                "require_catalogued, a code of the file",
                lambda: occupations.require_catalogued("4-03-02-01", field="occupation_code"),
                200,
            ),
            (
                "require_catalogued, an added code",
                lambda: occupations.require_catalogued("4-04-05-99", field="occupation_code"),
                200,
            ),
            (
                "search by name (烹调), first page",
                lambda: occupations.search(
                    search=occupations.Search(query="烹调"), page=PageRequest(limit=50)
                ),
                50,
            ),
            (
                "uncatalogued report, province (51)",
                lambda: reports.uncatalogued_codes(actor=province),
                5,
            ),
            (
                "uncatalogued report, Chengdu (5101)",
                lambda: reports.uncatalogued_codes(actor=city),
                5,
            ),
            (
                "uncatalogued report, service admin",
                lambda: reports.uncatalogued_codes(actor=admin),
                5,
            ),
        ]
        for name, call, times in rows:
            print(f"{name}: {await _median_ms(call, times):.2f} ms (median of {times})")


def main() -> None:
    """Measure on the seeded data directory given on the command line."""
    asyncio.run(_run(Path(sys.argv[2] if len(sys.argv) > 2 else "var")))
