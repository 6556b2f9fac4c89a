"""``portfolio backup`` then ``portfolio restore`` into an empty data directory: every chain
intact, and the last checkpoint matches; a restore over data, or onto a running store, is
refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MASTER_KEY = "b3BzLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nLW9rPw=="


def _portfolio(data_dir: Path, key_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        PORTFOLIO_DATA_DIR=str(data_dir),
        PORTFOLIO_MASTER_KEY=MASTER_KEY,
        PORTFOLIO_CHECKPOINT_KEY_FILE=str(key_file),
        PORTFOLIO_LOG_LEVEL="WARNING",
        PORTFOLIO_REPAIR_GRACE_SECONDS="0",
        PORTFOLIO_ARGON2_TIME_COST="1",
        PORTFOLIO_ARGON2_MEMORY_COST_KIB="8",
        PORTFOLIO_ARGON2_PARALLELISM="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_backup_then_restore_into_an_empty_directory_keeps_every_chain(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "checkpoint.pem"
    original, restored = tmp_path / "original", tmp_path / "restored"
    seeded = _portfolio(original, key, "seed", "--archives", "12")
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    exported = _portfolio(
        original, key, "checkpoint", "export", "--create-key", str(tmp_path / "cp.json")
    )
    assert exported.returncode == 0, exported.stderr[-3000:]
    assert "checkpoint of 12 chain(s)" in exported.stdout
    saved = _portfolio(original, key, "backup", str(tmp_path / "backup.tar.gz"))
    assert saved.returncode == 0, saved.stderr[-3000:]

    back = _portfolio(restored, key, "restore", str(tmp_path / "backup.tar.gz"))
    assert back.returncode == 0, back.stdout + back.stderr[-3000:]
    assert back.stdout.count("checked 12 chain(s): all intact") == 2, back.stdout
    assert "against the checkpoint" in back.stdout

    # Data there already: refused, nothing replaced.
    again = _portfolio(restored, key, "restore", str(tmp_path / "backup.tar.gz"))
    assert again.returncode == 2
    assert "holds data already" in again.stderr
    checked = _portfolio(restored, key, "checkpoint", "check", str(tmp_path / "cp.json"))
    assert checked.returncode == 0, checked.stdout + checked.stderr[-2000:]
    assert "all intact" in checked.stdout
