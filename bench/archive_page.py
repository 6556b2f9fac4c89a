"""The worker's archive page against ``GET /me/archive`` for the same worker, measured by wrk.

``python -m bench.archive_page``: a fresh embedded store, the service started as ``portfolio
serve --demo`` starts it (in its own process, ``bench.harness.api_process``), and ``worker-1``
logged in both ways: through the login form (the page's session cookie) and through
``POST /auth/token`` (the JSON route's bearer token). Then Debian's ``wrk`` (``apt-get install
wrk``) loads ``GET /my/archive`` with the cookie and ``GET /me/archive`` with the token, one
after the other, for ``BENCH_WRK_SECONDS`` each (default 10) over ``BENCH_WRK_CONNECTIONS``
keep-alive connections (default 16) from ``BENCH_WRK_THREADS`` threads (default 2), and
prints requests per second, the latency percentiles and the ratio page / JSON (the goal of
issue 21: at least 0.8). ``BENCH_PROFILE=<file>`` runs the server under cProfile (stats written
to that file when it stops).

Both answer the same worker's newest 20 entries: the page with its filters (the archive's
kinds and years), the JSON route with the identity (masked) and the summary. A run fails
(exit 1) when either answered anything but 200, so a lost session cannot pass for speed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

import httpx

from bench.harness import api_process, embedded_store

DATABASE = "portfolio_bench_archive_page"
WORKER = "worker-1"
PASSWORD = "demo-password"  # noqa: S105 - the demo login's published password
PAGE = "/my/archive"
JSON = "/me/archive"
SESSION_COOKIE = "__Host-portfolio-session"
PRE_SESSION_COOKIE = "__Host-portfolio-login"
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkFigures:
    """What one wrk run reports."""

    label: str
    requests: int
    per_second: float
    percentiles_ms: dict[str, float]
    bad_answers: int


def _cookie(response: httpx.Response, name: str) -> str:
    # Secure cookies over plain http: read them from the header, not the client's jar.
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key == name:
            return rest.split(";", 1)[0]
    raise RuntimeError(f"no {name} cookie in the answer ({response.status_code})")


def log_in_both_ways(base_url: str) -> tuple[str, str]:
    """worker-1's web session cookie value and bearer access token."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        form = http.get("/login")
        fields = dict(_HIDDEN.findall(form.text))
        pre = _cookie(form, PRE_SESSION_COOKIE)
        signed_in = http.post(
            "/login",
            data={**fields, "username": WORKER, "password": PASSWORD},
            headers={"Origin": base_url, "Cookie": f"{PRE_SESSION_COOKIE}={pre}"},
        )
        if signed_in.status_code != 303:
            raise RuntimeError(f"the login form answered {signed_in.status_code}")
        session = _cookie(signed_in, SESSION_COOKIE)
        tokens = http.post(
            "/auth/token",
            data={"grant_type": "password", "username": WORKER, "password": PASSWORD},
        )
        tokens.raise_for_status()
        token: str = tokens.json()["access_token"]
        # Both must answer the archive, not a login page or a 401.
        page = http.get(PAGE, headers={"Cookie": f"{SESSION_COOKIE}={session}"})
        json = http.get(JSON, headers={"Authorization": f"Bearer {token}"})
        if page.status_code != 200 or "entries__item" not in page.text or json.status_code != 200:
            raise RuntimeError(f"warm-up answers: page {page.status_code}, JSON {json.status_code}")
    return session, token


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def parse_wrk(label: str, output: str) -> WrkFigures:
    """The figures of ``wrk --latency`` output."""
    percentiles = {
        f"p{p}": _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.M)
    }
    requests = re.search(r"^\s+(\d+) requests in", output, re.M)
    rate = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if requests is None or rate is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    failed = (int(bad.group(1)) if bad else 0) + (
        sum(int(n) for n in errors.groups()) if errors else 0
    )
    return WrkFigures(label, int(requests.group(1)), float(rate.group(1)), percentiles, failed)


def run_wrk(
    label: str, url: str, header: str, *, seconds: int, connections: int, threads: int
) -> WrkFigures:
    """One wrk run against ``url`` with ``header`` on every request."""
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    return parse_wrk(label, done.stdout)


def report(page: WrkFigures, json: WrkFigures) -> str:
    """The Markdown table and the ratio."""
    lines = [
        "| route | requests | bad | req/s | p50 ms | p75 ms | p90 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for figures in (page, json):
        p = figures.percentiles_ms
        lines.append(
            f"| {figures.label} | {figures.requests} | {figures.bad_answers} | "
            f"{figures.per_second:,.0f} | {p.get('p50', 0):.1f} | {p.get('p75', 0):.1f} | "
            f"{p.get('p90', 0):.1f} | {p.get('p99', 0):.1f} |"
        )
    ratio = page.per_second / json.per_second if json.per_second else 0.0
    verdict = "meets" if ratio >= 0.8 else "misses"
    lines.append(f"\npage / JSON: {ratio:.2f} ({verdict} the goal of 0.80)")
    return "\n".join(lines)


def main() -> int:
    """Serve the demo, log in, load both routes, print the figures (see the docstring)."""
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk")
        return 2
    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_WRK_CONNECTIONS", "16"))
    threads = int(os.environ.get("BENCH_WRK_THREADS", "2"))
    serve = [sys.executable, "-m", "api", "serve", "--demo"]
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        # The server runs under cProfile and writes its stats to that file when it stops.
        serve = [sys.executable, "-m", "bench.profiled_api", profile, "--demo"]
    with embedded_store() as uri, api_process(uri, DATABASE, command=serve) as api:
        session, token = log_in_both_ways(api.base_url)
        options = {"seconds": seconds, "connections": connections, "threads": threads}
        page = run_wrk(
            f"GET {PAGE} (page)",
            api.base_url + PAGE,
            f"Cookie: {SESSION_COOKIE}={session}",
            **options,
        )
        json = run_wrk(
            f"GET {JSON} (JSON)",
            api.base_url + JSON,
            f"Authorization: Bearer {token}",
            **options,
        )
    print(f"worker-1's archive, {seconds} s each, {connections} connections, {threads} threads")
    print(report(page, json))
    return 1 if page.bad_answers or json.bad_answers else 0


if __name__ == "__main__":
    sys.exit(main())
