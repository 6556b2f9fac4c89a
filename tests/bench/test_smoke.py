"""The benchmark harness runs end to end at a trivial size (no timed assertions).

``python -m bench redeem_contended`` in a subprocess (the harness binds Beanie to its own
stores, which must not disturb the session store of the test run): 30 archives seeded with the
synthetic province, a tiny top-up, the API in its own process, 50 racing redemptions per voucher.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_one_scenario_runs_and_reports(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        BENCH_SIZES="30",
        BENCH_TOPUP_SCALE="0.002",
        BENCH_WORK_DIR=str(tmp_path),
        BENCH_RESULTS_DIR=str(tmp_path / "results"),
        BENCH_TIME_LIMIT="10",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench", "redeem_contended"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    figures = json.loads((tmp_path / "results" / "latest.json").read_text())
    assert figures["machine"]["cores"]
    [row] = figures["results"]
    assert row["scenario"] == "redeem_contended"
    # Exactly one winner per voucher, one ledger entry each: the harness's own check.
    assert row["errors"] == 0
    assert row["note"].count("OK") == 1, row["note"]
    assert (tmp_path / "results" / "latest.md").read_text().startswith("# Benchmark")


def test_a_kept_base_is_reused_and_the_raw_read_runs_from_two_processes(tmp_path: Path) -> None:
    """``BENCH_BASE_DIR`` keeps the seeded base (a 1M seed is resumed, not redone), and
    ``BENCH_RAW_PROCESSES=2`` drives the archive read's raw half from two processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        BENCH_SIZES="30",
        BENCH_TOPUP_SCALE="0.002",
        BENCH_BASE_DIR=str(tmp_path / "bases"),
        BENCH_WORK_DIR=str(tmp_path),
        BENCH_RESULTS_DIR=str(tmp_path / "results"),
        BENCH_WRK_SECONDS="1",
        BENCH_READS="200",
        BENCH_RAW_PROCESSES="2",
    )
    rows = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "bench", "archive_read"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        assert (tmp_path / "bases" / "base-30" / "bench.json").exists()
        figures = json.loads((tmp_path / "results" / "latest.json").read_text())
        [row] = figures["results"]
        rows.append((row, figures["log"][0]))
    (first, first_log), (second, second_log) = rows
    # the second run read the first's bench.json: the same seeding, the same tokens
    assert first_log == second_log
    for row in (first, second):
        assert row["errors"] == 0
        assert row["raw_ops"] == 200, row
        assert "raw from 2 process(es)" in row["note"], row["note"]
        assert "raw from this one process" in row["note"], row["note"]
        # the API's and the store's CPU per read: HTTP, raw from one process, raw from two
        assert row["note"].count("CPU per op: API") == 3, row["note"]
