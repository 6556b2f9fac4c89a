"""``portfolio serve --workers 2``: two worker processes on one port and one embedded store
answer requests, and one SIGTERM stops the workers, the store and the parent.

The bounds are generous on purpose: they check that things happen, not how fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from portfolio.storage import free_port
from tests.service.test_serve import _alive, _status, _wait_for


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of ``pid``'s child processes."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            found.append((int(child), command))
    return found


def test_two_workers_serve_one_store_and_stop_on_sigterm(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        PORTFOLIO_DATA_DIR=str(data_dir),
        PORTFOLIO_PORT=str(port),
        PORTFOLIO_LOG_LEVEL="WARNING",
        PORTFOLIO_ARGON2_TIME_COST="1",
        PORTFOLIO_ARGON2_MEMORY_COST_KIB="8",
        PORTFOLIO_ARGON2_PARALLELISM="1",
    )
    base_url = f"http://127.0.0.1:{port}"
    login = {"grant_type": "password", "username": "worker-1", "password": "demo-password"}
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--workers", "2", "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:

        def ready() -> bool:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            return _status(base_url + "/readyz") == 200

        _wait_for(ready, 120, "readyz 200")
        children = _children(process.pid)
        workers = [pid for pid, command in children if "spawn_main" in command]
        assert len(workers) == 2, children
        store_pid = int((data_dir / "nx-27017.pid").read_text().strip())

        # The demo was loaded once, by the parent: a demo login works through either worker,
        # and many requests over fresh connections all get an answer.
        with httpx.Client(base_url=base_url, timeout=30) as http:
            token = http.post(
                "/auth/token",
                data=login,
            )
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for _ in range(20):
            # A new connection each time, so the kernel can hand it to either worker.
            answer = httpx.get(base_url + "/me/archive", headers=bearer, timeout=30)
            assert answer.status_code == 200

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        for pid in [*workers, store_pid]:
            _wait_for(lambda pid=pid: not _alive(pid), 20, f"process {pid} to stop")
        assert not (data_dir / "store.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
