"""A mixed workload of completions and redemptions over HTTP, and what it left in the database.

Threads take targets from one queue: each sends its write with an ``Idempotency-Key`` derived
from the target (so a retry after a restart carries the same key), then reads what it wrote,
until the server stops answering. Every attempt is kept: answered (with its status) or not
(the process died first, or while the request was in flight).
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from bson import ObjectId

from portfolio.archives.documents import ArchiveEntry
from portfolio.archives.kinds import EntryKind
from portfolio.training.documents import Enrolment
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.ledger import LedgerEntry
from tests.faults.preparation import CLAIMED_FEN, Target

# A request hangs no longer than this; a dead server refuses or resets much sooner.
REQUEST_TIMEOUT_S = 20.0


@dataclass
class Attempt:
    """One write sent: the answer's status, or None when no answer came."""

    target: Target
    status: int | None = None
    body: str = ""

    @property
    def acknowledged(self) -> bool:
        """The server said the write is done."""
        return self.status is not None and 200 <= self.status < 300


def key_of(target: Target) -> str:
    """The Idempotency-Key of a target's write (the same for every retry)."""
    return f"fault-{target.kind}-{target.voucher_id or target.enrolment_id}"


def login(http: httpx.Client, username: str, password: str) -> dict[str, str]:
    """A bearer header for ``username``."""
    response = http.post(
        "/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def send(http: httpx.Client, target: Target, headers: dict[str, str]) -> httpx.Response:
    """The target's write, with its Idempotency-Key."""
    keyed = {**headers, "Idempotency-Key": key_of(target)}
    if target.kind == "completion":
        return http.post(
            f"/enrolments/{target.enrolment_id}/completion",
            json={"result": "passed"},
            headers=keyed,
        )
    return http.post(f"/vouchers/{target.voucher_id}/redeem", headers=keyed)


def read_back(http: httpx.Client, target: Target, headers: dict[str, str]) -> httpx.Response:
    """A read of what the write touched (the workload's reads)."""
    if target.kind == "completion":
        return http.get(f"/enrolments/{target.enrolment_id}", headers=headers)
    return http.get(f"/vouchers/{target.voucher_id}", headers=headers)


class Workload:
    """Writers over a shared queue of targets until stopped or until the server goes away."""

    def __init__(
        self,
        base_url: str,
        targets: collections.deque[Target],
        headers: dict[str, dict[str, str]],
        threads: int,
    ) -> None:
        self.base_url = base_url
        self.targets = targets
        self.headers = headers  # by target kind
        self.attempts: list[Attempt] = []
        self.unexpected: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> None:
        """Start the writers."""
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop the writers and wait for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)
            assert not thread.is_alive(), "a writer hung"

    def _take(self) -> Target | None:
        with self._lock:
            return self.targets.popleft() if self.targets else None

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT_S) as http:
            last: Target | None = None
            while not self._stop.is_set():
                target = self._take()
                if target is None:
                    if last is None:
                        return
                    # Out of writes: keep the load going with reads until the kill.
                    try:
                        read = read_back(http, last, self.headers[last.kind])
                    except httpx.HTTPError:
                        return
                    if read.status_code != 200:
                        self.unexpected.append(f"read {last}: {read.status_code} {read.text}")
                    continue
                last = target
                attempt = Attempt(target)
                with self._lock:
                    self.attempts.append(attempt)
                headers = self.headers[target.kind]
                try:
                    response = send(http, target, headers)
                    attempt.status, attempt.body = response.status_code, response.text
                    if response.status_code != 200:
                        self.unexpected.append(f"{target}: {response.status_code} {response.text}")
                    read = read_back(http, target, headers)
                    if read.status_code != 200:
                        self.unexpected.append(f"read {target}: {read.status_code} {read.text}")
                except httpx.HTTPError:
                    return  # the server died: whatever was in flight stays unanswered


# ---- what the database holds for a target ---------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """How many times a target's write took effect: 0, 1, or None for a half or doubled one."""

    count: int | None
    detail: str


async def _entries(archive_id: str, kind: EntryKind, key: str, value: str) -> list[int]:
    # Filtered in Python: payload paths are not among the queries nx-27017 gets right.
    return [
        raw["seq"]
        async for raw in ArchiveEntry.get_pymongo_collection().find(
            {"archive_id": archive_id, "kind": kind.value}, {"seq": 1, "payload": 1}
        )
        if raw["payload"].get(key) == value
    ]


async def _completion(target: Target) -> Effect:
    raw: dict[str, Any] | None = await Enrolment.get_pymongo_collection().find_one(
        {"_id": ObjectId(target.enrolment_id)}
    )
    assert raw is not None
    seqs = await _entries(
        target.archive_id, EntryKind.TRAINING_COMPLETED, "enrolment_id", target.enrolment_id
    )
    detail = f"status={raw['status']} result={raw.get('result')} entries={seqs} "
    detail += f"entry_seq={raw.get('entry_seq')}"
    if raw["status"] == "in_training" and not seqs:
        return Effect(0, detail)
    if (
        raw["status"] == "completed"
        and raw.get("result") == "passed"
        and len(seqs) == 1
        and raw.get("entry_seq") == seqs[0]
    ):
        return Effect(1, detail)
    return Effect(None, detail)


async def _redemption(target: Target) -> Effect:
    raw: dict[str, Any] | None = await Voucher.get_pymongo_collection().find_one(
        {"_id": ObjectId(target.voucher_id)}
    )
    assert raw is not None
    ledger = [
        row["amount_fen"]
        async for row in LedgerEntry.get_pymongo_collection().find(
            {"voucher_id": target.voucher_id}, {"amount_fen": 1}
        )
    ]
    seqs = await _entries(
        target.archive_id, EntryKind.VOUCHER_REDEEMED, "voucher_id", target.voucher_id
    )
    detail = f"status={raw['status']} ledger={ledger} entries={seqs} "
    detail += f"redeemed_entry_seq={raw.get('redeemed_entry_seq')}"
    if raw["status"] == "claimed" and not ledger and not seqs:
        return Effect(0, detail)
    if (
        raw["status"] == "redeemed"
        and ledger == [CLAIMED_FEN]
        and raw.get("redeemed_amount_fen") == CLAIMED_FEN
        and len(seqs) == 1
        and raw.get("redeemed_entry_seq") == seqs[0]
    ):
        return Effect(1, detail)
    return Effect(None, detail)


async def effect_of(target: Target) -> Effect:
    """What the database holds of ``target``'s write."""
    if target.kind == "completion":
        return await _completion(target)
    return await _redemption(target)
