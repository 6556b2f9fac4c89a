"""``GET /me/archive`` against raw PyMongo reads of the same documents, at 1k/10k/100k archives.

Seeding goes straight to the collections with bulk inserts (not the API), in the exact stored
form the service writes: sealed identity numbers, blind indexes, a real hash chain. The levels
grow one database (seed 1k, measure, add 9k, measure, add 90k, measure), so each level holds
the previous one's archives.

The raw half runs the service's own three queries for a worker's archive page (the archive by
``_id``; the newest page of entries; the summary kinds) from 16 concurrent tasks. The HTTP half
runs ``GET /me/archive?limit=20`` against the API in its own process (``bench.harness.api_process``)
over 16 keep-alive connections, each request with the access token of the archive's worker.
Both halves read the same sampled archives in the same order, in the same run: a worker
principal is made for each sampled archive (cheap argon2 hashes: the logins are set-up, not
what is measured) and logged in through ``POST /auth/token`` before the HTTP half starts.

Environment: ``BENCH_ARCHIVE_LEVELS`` (default ``1000,10000,100000``),
``BENCH_ARCHIVE_ENTRIES`` (entries per archive, default 50), ``BENCH_ARCHIVE_REQUESTS``
(requests per measurement, default 2000), ``BENCH_ARCHIVE_WORKERS`` (archives sampled and
logged in per level, default 64).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient
from stdnum.cn import ric

from bench.harness import (
    TABLE_HEADER,
    Figures,
    api_process,
    bench_store,
    drive,
)
from portfolio.accounts import service
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role
from portfolio.archives.chain import GENESIS_HASH, entry_hash, hashed_content
from portfolio.archives.kinds import EntryKind
from portfolio.archives.summary import SUMMARY_KINDS
from portfolio.identity.masking import mask_identity_number, mask_phone
from portfolio.identity.protection import FieldProtection, Sealed, associated_data
from portfolio.keyring import Keyring
from portfolio.settings import Settings

DATABASE = "portfolio_bench_archive"
CONCURRENCY = 16
PAGE = 20
BATCH = 500  # archives per bulk insert (and their entries in one insert_many)
WORKER_PASSWORD = "bench worker password"  # noqa: S105 - a throwaway login of the benchmark
_SUMMARY_KIND_VALUES = [k.value for k in SUMMARY_KINDS]
_RECORDER = {
    "principal": "bench-provider",
    "role": "provider",
    "organisation": "org-bench",
    "region": None,
}


@dataclass(frozen=True)
class Seeded:
    """The archives seeded so far (ids as hex strings)."""

    archive_ids: list[str]


def _resident_id(serial: int) -> str:
    """A distinct valid resident ID per serial (birth dates 1960-2005, 1000 per day)."""
    birth = date(1960, 1, 1) + timedelta(days=serial // 1000 % 16000)
    body = f"510104{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _payload(i: int) -> tuple[EntryKind, dict[str, Any]]:
    """A plausible mix of entry kinds for the i-th entry after registration."""
    pick = i % 5
    if pick == 0:
        return EntryKind.CERTIFICATE_ISSUED, {
            "certificate_number": f"C{i:06d}",
            "certificate_type": "skill_level",
            "occupation_code": "4-03-02-01",
            "level": "junior" if i < 25 else "intermediate",
        }
    if pick == 1:
        return EntryKind.AWARD, {"title": f"award {i}"}
    return EntryKind.TRAINING_COMPLETED, {
        "hours": 8 + i % 5,
        "occupation_code": "4-03-02-01",
        "course_title": f"course {i}",
    }


def _sealed(value: Sealed) -> dict[str, Any]:
    return {"kid": value.kid, "nonce": value.nonce, "ciphertext": value.ciphertext}


def _archive_and_entries(
    serial: int, entries_each: int, protection: FieldProtection, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    oid = ObjectId()
    archive_id = str(oid)
    number = _resident_id(serial)
    sealed = protection.seal(number, aad=associated_data("archives", "id_number", archive_id))
    entries: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    counters: dict[str, int] = {}
    for seq in range(1, entries_each + 1):
        if seq == 1:
            kind, payload = (
                EntryKind.REGISTERED,
                {
                    "name": f"工人{serial}",
                    "id_type": "resident_id",
                    "id_number_masked": mask_identity_number(number),
                    "region_code": "510104",
                },
            )
        else:
            kind, payload = _payload(seq)
        recorded_at = now - timedelta(days=entries_each - seq)
        content = hashed_content(
            archive_id=archive_id,
            seq=seq,
            kind=kind.value,
            recorded_at=recorded_at,
            recorded_by=_RECORDER,
            payload=payload,
            corrects=None,
        )
        digest = entry_hash(prev, content)
        entries.append(
            {
                "archive_id": archive_id,
                "seq": seq,
                "kind": kind.value,
                "recorded_at": recorded_at,
                "recorded_by": _RECORDER,
                "payload": payload,
                "corrects": None,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        counters[kind.value] = counters.get(kind.value, 0) + 1
        prev = digest
    archive = {
        "_id": oid,
        "name": f"工人{serial}",
        "id_type": "resident_id",
        "nationality": "CHN",
        "id_number": _sealed(sealed),
        "id_index": protection.blind_index(f"resident_id|{number}"),
        "id_masked": mask_identity_number(number),
        "birth_date": _sealed(
            protection.seal(
                f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                aad=associated_data("archives", "birth_date", archive_id),
            )
        ),
        "sex": "male" if int(number[16]) % 2 else "female",
        "phone": _sealed(
            protection.seal(
                f"138{serial:08d}", aad=associated_data("archives", "phone", archive_id)
            )
        ),
        "phone_masked": mask_phone(f"138{serial:08d}"),
        "region_code": "510104",
        "ssn_index": protection.blind_index(f"ssn|{number}"),
        "social_security": None,
        "employment": None,
        "account_state": "active",
        "head": {"seq": entries_each, "hash": prev},
        "counters": counters,
        "version": 0,
        "form": 2,
        "created_at": now,
        "created_by": "bench",
        "updated_at": now,
    }
    return archive, entries


async def seed(
    client: AsyncMongoClient[dict[str, Any]],
    database: str,
    keyring: Keyring,
    *,
    start: int,
    count: int,
    entries_each: int = 50,
) -> list[str]:
    """Insert archives ``start..start+count`` with ``entries_each`` entries each (bulk)."""
    protection = FieldProtection(keyring)
    db = client[database]
    now = datetime.now(UTC).replace(microsecond=0)
    ids: list[str] = []
    for first in range(start, start + count, BATCH):
        archives: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        for serial in range(first, min(first + BATCH, start + count)):
            archive, chain = _archive_and_entries(serial, entries_each, protection, now)
            archives.append(archive)
            entries.extend(chain)
        await db["archives"].insert_many(archives, ordered=False)
        await db["archive_entries"].insert_many(entries, ordered=False)
        ids.extend(str(a["_id"]) for a in archives)
    return ids


async def read_raw(db: Any, archive_id: str) -> bool:
    """The service's queries for one ``GET /me/archive`` (first page), straight to PyMongo."""
    archive = await db["archives"].find_one({"_id": ObjectId(archive_id)})
    page = (
        await db["archive_entries"]
        .find({"archive_id": archive_id})
        .sort("seq", DESCENDING)
        .limit(PAGE + 1)
        .to_list()
    )
    summary = (
        await db["archive_entries"]
        .find(
            {"archive_id": archive_id, "kind": {"$in": _SUMMARY_KIND_VALUES}},
            {"seq": 1, "kind": 1, "payload": 1, "corrects": 1},
        )
        .sort("seq", ASCENDING)
        .to_list()
    )
    return archive is not None and len(page) == PAGE + 1 and bool(summary)


def request_order(archive_ids: list[str], requests: int) -> list[str]:
    """Which archive each request reads: the sampled archives, shuffled, round after round."""
    rng = random.Random(4)
    order: list[str] = []
    while len(order) < requests:
        round_ = list(archive_ids)
        rng.shuffle(round_)
        order.extend(round_)
    return order[:requests]


async def measure_raw(
    client: AsyncMongoClient[dict[str, Any]],
    database: str,
    order: list[str],
    total_archives: int,
) -> Figures:
    """Raw reads of the archives in ``order`` from ``CONCURRENCY`` tasks."""
    db = client[database]
    return await drive(
        f"raw PyMongo, {total_archives:,} archives",
        lambda i: read_raw(db, order[i]),
        concurrency=CONCURRENCY,
        total=len(order),
    )


async def ensure_workers(settings: Settings, archive_ids: list[str]) -> dict[str, str]:
    """A worker login (username) bound to each archive, made once; archive id -> username."""
    usernames: dict[str, str] = {}
    for archive_id in archive_ids:
        username = f"bench-worker-{archive_id}"
        if await Principal.find_one({"username": username}) is None:
            await service.create_principal(
                settings=settings,
                username=username,
                password=WORKER_PASSWORD,
                role=Role.WORKER,
                created_by="bench",
                archive_id=archive_id,
            )
        usernames[archive_id] = username
    return usernames


async def _log_in(http: httpx.AsyncClient, username: str) -> str:
    response = await http.post(
        "/auth/token",
        data={"grant_type": "password", "username": username, "password": WORKER_PASSWORD},
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


async def measure_http(
    uri: str, database: str, usernames: dict[str, str], order: list[str], total_archives: int
) -> Figures:
    """``GET /me/archive`` through the API process: same archives, order and concurrency.

    Every sampled worker logs in first (a few at a time: each login is an argon2 check, and
    the API rehashes the cheap set-up hashes at its own cost on the first one), then a few
    warm-up requests, then the measured run.
    """
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    with api_process(uri, database) as api:
        async with httpx.AsyncClient(base_url=api.base_url, limits=limits, timeout=30) as http:
            gate = asyncio.Semaphore(2)

            async def log_in(archive_id: str) -> tuple[str, dict[str, str]]:
                async with gate:
                    token = await _log_in(http, usernames[archive_id])
                return archive_id, {"Authorization": f"Bearer {token}"}

            headers = dict(await asyncio.gather(*(log_in(a) for a in usernames)))

            async def read(i: int) -> bool:
                response = await http.get(
                    "/me/archive", params={"limit": PAGE}, headers=headers[order[i]]
                )
                return (
                    response.status_code == 200 and len(response.json()["entries"]["items"]) == PAGE
                )

            for archive_id in list(usernames)[:CONCURRENCY]:
                await http.get("/me/archive", params={"limit": PAGE}, headers=headers[archive_id])
            return await drive(
                f"HTTP GET /me/archive, {total_archives:,} archives",
                read,
                concurrency=CONCURRENCY,
                total=len(order),
            )


async def run(levels: list[int], entries_each: int, requests: int, workers: int) -> list[str]:
    """Seed each level in turn and measure; returns the Markdown lines to print."""
    lines = [
        f"archive read, {entries_each} entries per archive, {CONCURRENCY} concurrent, "
        f"{requests} requests per row, {workers} archives sampled per level",
        "",
        TABLE_HEADER,
    ]
    async with bench_store(DATABASE) as store:
        uri, settings, client, keyring = store.uri, store.settings, store.client, store.keyring
        ids: list[str] = []
        for level in levels:
            started = time.perf_counter()
            ids += await seed(
                client,
                DATABASE,
                keyring,
                start=len(ids),
                count=level - len(ids),
                entries_each=entries_each,
            )
            seeded_s = time.perf_counter() - started
            sample = random.Random(level).sample(ids, min(workers, len(ids)))
            usernames = await ensure_workers(settings, sample)
            order = request_order(sample, requests)
            raw = await measure_raw(client, DATABASE, order, len(ids))
            http = await measure_http(uri, DATABASE, usernames, order, len(ids))
            lines.append(raw.row())
            lines.append(http.row())
            lines.append(
                f"<!-- {level:,} archives: HTTP/raw throughput "
                f"{http.per_second / raw.per_second:.2f}, p99 ratio "
                f"{http.p99_ms / raw.p99_ms:.2f}; seeded in {seeded_s:.0f} s -->"
            )
    return lines


def main() -> None:
    """Print the figures (``python -m bench archive_read``)."""
    levels = [
        int(v) for v in os.environ.get("BENCH_ARCHIVE_LEVELS", "1000,10000,100000").split(",")
    ]
    entries_each = int(os.environ.get("BENCH_ARCHIVE_ENTRIES", "50"))
    requests = int(os.environ.get("BENCH_ARCHIVE_REQUESTS", "2000"))
    workers = int(os.environ.get("BENCH_ARCHIVE_WORKERS", "64"))
    for line in asyncio.run(run(levels, entries_each, requests, workers)):
        print(line)


if __name__ == "__main__":
    main()
