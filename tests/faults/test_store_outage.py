"""The embedded store is SIGKILLed under load: 503 problems meanwhile, then recovery in place.

``portfolio serve --demo`` runs as a subprocess with its own embedded store. Threads read
(``/me/archive``, ``/me/entries`` as worker-1), log in, and register workers (writes); in the
middle the store process is killed. Every answer must be a 2xx or a 503 problem+json without
internals (never a reset connection, a 500 or a traceback); the supervisor restarts the store
and the same API process answers 200 again; no acknowledged registration is lost, and the ones
cut off, registered again, leave no archive without its "registered" entry. The store is kept
down for a few seconds (its port held) so that requests also start during the outage.
(tests/service/test_serve.py kills an idle store once; this is the same under load.)
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from tests.archives.factories import fresh_resident_id
from tests.faults.serving import Served, on_embedded_store
from tests.faults.workload import login
from tests.workers.factories import fresh_phone

PROBLEM = "application/problem+json"
OUTAGE_S = 3.0
# What must never reach a client: a stack trace or the names of the driver's exceptions.
LEAKS = ("Traceback", 'File "', "pymongo", "Error(", "Exception", "AutoReconnect", "Timeout")


@dataclass
class Answer:
    """One request of the load and what came back."""

    what: str
    at: float  # when the request was sent
    done: float = 0.0  # when its answer (or failure) came back
    status: int | None = None
    content_type: str = ""
    body: str = ""
    failure: str = ""
    retry_after: str = ""


@dataclass
class Load:
    """Reader, login and writer threads against one server until stopped."""

    base_url: str
    worker: dict[str, str]
    agency: dict[str, str]
    answers: list[Answer] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    cut_off: list[dict[str, Any]] = field(default_factory=list)  # registrations answered 503
    stop: threading.Event = field(default_factory=threading.Event)

    def _loop(self, what: str, call: Callable[[httpx.Client], httpx.Response]) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            while not self.stop.is_set():
                answer = Answer(what, time.monotonic())
                try:
                    response = call(http)
                except httpx.HTTPError as exc:  # a reset, a refused connection, a timeout
                    answer.failure = repr(exc)
                else:
                    answer.status = response.status_code
                    answer.content_type = response.headers.get("content-type", "")
                    answer.body = response.text
                    answer.retry_after = response.headers.get("retry-after", "")
                    if what == "register" and response.status_code == 201:
                        self.registered.append(response.json()["worker"]["id"])
                    if what == "register" and response.status_code == 503:
                        self.cut_off.append(json.loads(response.request.content))
                answer.done = time.monotonic()
                self.answers.append(answer)
                if answer.status == 503:
                    time.sleep(0.05)  # a polite client backs off a little

    def _register(self, http: httpx.Client) -> httpx.Response:
        number = fresh_resident_id()
        return http.post(
            "/workers",
            json={
                "name": "张三",
                "id_number": number,
                "phone": fresh_phone(),
                "region_code": "510104",
            },
            headers={**self.agency, "Idempotency-Key": f"register-{number}"},
        )

    def _log_in(self, http: httpx.Client) -> httpx.Response:
        return http.post(
            "/auth/token",
            data={"grant_type": "password", "username": "worker-1", "password": "demo-password"},
        )

    def threads(self) -> list[threading.Thread]:
        """The load's threads, not started."""
        calls: list[tuple[str, Callable[[httpx.Client], httpx.Response]]] = [
            ("archive", lambda http: http.get("/me/archive", headers=self.worker)),
            ("entries", lambda http: http.get("/me/entries", headers=self.worker)),
            ("login", self._log_in),
            ("register", self._register),
        ]
        return [threading.Thread(target=self._loop, args=call, daemon=True) for call in calls]


@contextlib.contextmanager
def _holding(port: int) -> Iterator[None]:
    """Listen on ``port`` and drop every connection at once, for the block's duration: the
    store's restart cannot bind it, and the API's driver finds nothing there that answers."""
    done = threading.Event()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 1
        while True:
            try:
                sock.bind(("127.0.0.1", port))
                break
            except OSError:
                # The killed store's listening socket closes a moment after the signal.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
        sock.listen(64)
        sock.settimeout(0.05)

        def drop() -> None:
            while not done.is_set():
                with contextlib.suppress(TimeoutError):
                    connection, _ = sock.accept()
                    connection.close()

        dropper = threading.Thread(target=drop, daemon=True)
        dropper.start()
        try:
            yield
        finally:
            done.set()
            dropper.join()


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _store_restarted(served: Served, killed: int) -> bool:
    try:
        return served.store_pid() != killed
    except (OSError, ValueError):
        return False


def test_the_store_dies_under_load_and_comes_back_without_an_api_restart(
    tmp_path: Path,
) -> None:
    served = on_embedded_store(tmp_path / "var")
    served.start()
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            load = Load(
                served.base_url,
                worker=login(http, "worker-1", "demo-password"),
                agency=login(http, "agency-chengdu", "demo-password"),
            )
        api_pid, store_pid = served.pid, served.store_pid()
        threads = load.threads()
        for thread in threads:
            thread.start()
        _wait(lambda: len(load.registered) >= 5, 30, "the load to write")

        killed_at = time.monotonic()
        os.kill(store_pid, signal.SIGKILL)
        # Keep the store down longer than the driver's server selection timeout (2 s), as a
        # slow restart would: its port is held, so the supervisor's first restarts fail.
        with _holding(served.store_port()):
            time.sleep(OUTAGE_S)
        _wait(lambda: _store_restarted(served, store_pid), 30, "the store's restart")
        restarted_at = time.monotonic()
        _wait(
            lambda: any(a.status == 201 and a.at > restarted_at for a in list(load.answers)),
            30,
            "writes to succeed again",
        )
        # Settled from the first write that succeeded after the restart: a new store pid is
        # not yet a store that answers, nor a driver that has found it again (its monitor
        # looks every half second), so timing from the pid alone flaked on a loaded machine.
        recovered_at = min(
            a.at for a in list(load.answers) if a.status == 201 and a.at > restarted_at
        )
        time.sleep(1.0)
        load.stop.set()
        for thread in threads:
            thread.join(timeout=40)
            assert not thread.is_alive(), "a load thread hung"

        failures = [a for a in load.answers if a.failure]
        assert failures == [], failures[:5]
        assert {a.status for a in load.answers} <= {200, 201, 503}, [
            (a.what, a.status, a.body) for a in load.answers if a.status not in (200, 201, 503)
        ][:5]
        unavailable = [a for a in load.answers if a.status == 503]
        assert unavailable, "no request saw the outage"
        for answer in unavailable:
            assert answer.content_type == PROBLEM, answer
            assert answer.retry_after, answer
            assert not [leak for leak in LEAKS if leak in answer.body], answer.body
        # Recovered in place: the same API process, a new store process, all answers good.
        assert served.process is not None
        assert served.process.poll() is None
        assert served.pid == api_pid
        assert served.store_pid() != store_pid
        settled = [a for a in load.answers if a.at > recovered_at]
        assert settled
        assert all(a.status in (200, 201) for a in settled), [
            (a.what, a.status) for a in settled if a.status not in (200, 201)
        ][:5]
        # Answered after the kill: a request sent just before it may be the one that waits out
        # the driver's server selection, so when it was sent says nothing on a loaded machine.
        assert any(a.done > killed_at and a.status == 503 for a in load.answers)

        # Every acknowledged registration, before and after the outage, is there.
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            for archive_id in load.registered:
                found = http.get(f"/workers/{archive_id}", headers=load.agency)
                assert found.status_code == 200, found.text
            # The agency registers the cut-off ones again: done now (201), or done before the
            # store died, its archive there (409); an archive the outage left without its
            # "registered" entry gets it then (grace 0 here).
            for payload in load.cut_off:
                again = http.post("/workers", json=payload, headers=load.agency)
                assert again.status_code in (201, 409), again.text
        raw: MongoClient[dict[str, Any]]
        with MongoClient(served.store_uri()) as raw:
            heads: list[dict[str, Any]] = list(raw["portfolio"]["archives"].find({}, {"head": 1}))
        assert [a["_id"] for a in heads if a["head"]["seq"] == 0] == []
        print(
            f"{len(load.answers)} requests, {len(unavailable)} answered 503, "
            f"{len(load.registered)} registrations acknowledged, {len(load.cut_off)} cut off"
        )
    finally:
        served.stop()
