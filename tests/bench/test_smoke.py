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
