"""One seeded data directory per size, plus the work items the writing scenarios use up.

``prepare(base, archives)`` starts an embedded store on ``base``, seeds a synthetic province
into it (``portfolio.seed.seed_province`` when that package is installed; otherwise the
archives-only seeder of ``bench.archive_read``), then tops it up with what the scenarios need,
straight into the collections in the service's stored form (Beanie documents inserted in
bulk, never the HTTP API):

* a bench organisation, course, provider login and a province agency login (``51``);
* runs that ended, with workers in training and one confirmed 8-hour session each: 40-person
  classes and a 1,000-row class for the class sheet, and runs in which the same few "hot"
  workers are enrolled over and over (appends under contention to a few archives);
* claimed vouchers awaiting the agency (each on a passed completion of a real enrolment of a
  random seeded worker), so there are always 10,000 distinct ones to redeem whatever the seed
  left open; the earlier events of these vouchers are not inserted (redeeming reads none);
* a few agency logins with the production argon2 parameters for the login scenario.

Then the API is started once on ``base`` to log in every principal the scenarios act as;
the tokens (valid for hours: the bench API processes get a long access-token lifetime) and
the work items are written to ``base/bench.json``. Every scenario copy of ``base`` carries
the sessions, so no scenario spends its time on argon2 except the login scenario.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from beanie import PydanticObjectId
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from bench.harness import BENCH_MASTER_KEY, api_process
from portfolio import bootstrap, repair
from portfolio.accounts import service
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role
from portfolio.archives.documents import Recorder
from portfolio.keyring import Keyring
from portfolio.models import DOCUMENT_MODELS
from portfolio.seed import seed_province
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, init_documents, make_client
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
    CompletionResult,
    Delivery,
    EnrolmentStatus,
    OrganisationKind,
)
from portfolio.vocabulary import SkillLevel, TrainingType
from portfolio.vouchers.documents import Coverage, EventRecord, Voucher
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.rules import epoch_ms

DATABASE = "portfolio_bench"
STATE_FILE = "bench.json"
SEED = 20261127
SEED_PASSWORD = "seed-password"  # noqa: S105 - the seed's documented default, synthetic data
BENCH_PASSWORD = "bench password not a secret"  # noqa: S105 - throwaway logins of the bench
PROVIDER = "bench-provider"
AGENCY = "bench-agency-51"
LOGIN_USERS = 8
READERS = 64
HOT_ARCHIVES = 8
CLASS = 40
BIG_CLASS = 1000
# Settings every bench API process gets: the login throttle would otherwise answer 429 to a
# benchmark that logs in hundreds of times a minute from one address, and access tokens minted
# once per size must outlive the longest size's scenarios.
API_ENV = {
    "PORTFOLIO_LOGIN_RATE_PER_CLIENT": "1000000",
    "PORTFOLIO_ACCESS_TOKEN_TTL_SECONDS": str(12 * 3600),
}


@dataclass(frozen=True)
class Amounts:
    """How much work of each kind to leave in a seeded base."""

    hot_runs: int = 100  # runs of the hot archives; half for the API, half for raw PyMongo
    classes: int = 20  # 40-person classes; half each
    big_classes: int = 2  # 1,000-row classes; one each
    vouchers: int = 12_000  # claimed vouchers: the first 10,000 for the API, the rest raw
    contended: int = 40  # vouchers fought over by 50 requests each; half each
    readers: int = READERS  # workers logged in for the archive reads

    @classmethod
    def from_env(cls) -> Amounts:
        """The defaults times ``BENCH_TOPUP_SCALE`` (a smoke test uses a tiny fraction)."""
        scale = float(os.environ.get("BENCH_TOPUP_SCALE", "1"))
        if scale == 1:
            return cls()
        base = cls()
        return cls(
            hot_runs=max(2, round(base.hot_runs * scale)),
            classes=max(2, round(base.classes * scale)),
            big_classes=max(2, round(base.big_classes * scale)) if scale >= 0.5 else 0,
            vouchers=max(12, round(base.vouchers * scale)),
            contended=max(2, round(base.contended * scale)),
            readers=max(2, round(base.readers * scale)),
        )


@dataclass
class State:
    """What ``prepare`` left in a base directory (written to ``bench.json``)."""

    archives: int
    source: str
    seed_seconds: float
    topup_seconds: float
    agency_id: str
    provider_id: str
    organisation_id: str
    readers: dict[str, str]  # archive id -> access token
    provider_token: str
    agency_token: str
    login_users: list[str]
    hot_archives: list[str]
    hot_http: list[str]  # enrolment ids
    hot_raw: list[str]
    classes_http: list[tuple[str, list[str]]]  # (run id, enrolment ids)
    classes_raw: list[tuple[str, list[str]]]
    big_http: list[tuple[str, list[str]]]
    big_raw: list[tuple[str, list[str]]]
    vouchers_http: list[str]
    vouchers_raw: list[str]
    contended_http: list[str]
    contended_raw: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    def save(self, base: Path) -> None:
        """Write ``bench.json``."""
        (base / STATE_FILE).write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, base: Path) -> State:
        """Read ``bench.json``."""
        raw = json.loads((base / STATE_FILE).read_text())
        for name in ("classes_http", "classes_raw", "big_http", "big_raw"):
            raw[name] = [(run, ids) for run, ids in raw[name]]
        return cls(**raw)


def bench_settings(uri: str, data_dir: Path, *, production_hashing: bool = False) -> Settings:
    """Settings for this process (seeding, raw PyMongo): cheap argon2 unless asked otherwise."""
    cheap: dict[str, Any] = (
        {}
        if production_hashing
        else {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(uri),
        database=DATABASE,
        master_key=SecretStr(BENCH_MASTER_KEY),
        data_dir=data_dir,
        **cheap,
    )


@dataclass(frozen=True)
class Connected:
    """A running store on a data directory, Beanie bound, keys loaded."""

    store: EmbeddedStore
    uri: str
    settings: Settings
    client: AsyncMongoClient[dict[str, Any]]
    keyring: Keyring

    @property
    def db(self) -> Any:
        """The bench database (raw PyMongo)."""
        return self.client[DATABASE]


@asynccontextmanager
async def connected(data_dir: Path) -> AsyncIterator[Connected]:
    """Start the embedded store on ``data_dir`` and bind the documents; stop it after."""
    store = EmbeddedStore(data_dir)
    uri = await asyncio.to_thread(store.start)
    settings = bench_settings(uri, data_dir)
    # A large pool: the raw halves run as many concurrent operations as the API sees.
    client = make_client(uri, settings)
    try:
        await init_documents(client, DATABASE, DOCUMENT_MODELS)
        keyring = Keyring(BENCH_MASTER_KEY.encode())
        await keyring.load()
        await bootstrap.prepare(settings=settings, keyring=keyring)
        yield Connected(store, uri, settings, client, keyring)
    finally:
        await client.close()
        await asyncio.to_thread(store.stop)


async def _seed(conn: Connected, archives: int, *, log: bool = False) -> str:
    """Seed the province (``log``: a line per 20 batches); returns how."""
    started = time.perf_counter()
    first: list[int] = []

    def progress(phase: str, done: int, total: int, counts: dict[str, int]) -> None:
        documents = sum(counts.values())
        if not first:
            first.append(documents)
        if (phase == "workers" and done % 20 == 0) or done == total:
            rate = (documents - first[0]) / max(1e-9, time.perf_counter() - started)
            stamp = datetime.now(UTC).strftime("%H:%M:%S")
            load = Path("/proc/loadavg").read_text().split()[:3]
            print(
                f"{stamp} {phase} {done}/{total}: {documents:,} documents, "
                f"{rate:,.0f}/s in this call, load {' '.join(load)}",
                flush=True,
            )

    await seed_province(
        conn.settings,
        conn.keyring,
        archives=archives,
        seed=SEED,
        password=SEED_PASSWORD,
        progress=progress if log else None,
    )
    return f"portfolio seed --archives {archives} --seed {SEED}"


@dataclass(frozen=True)
class _Bench:
    organisation_id: str
    course_id: str
    provider_id: str
    agency_id: str


async def _bench_principals(conn: Connected) -> _Bench:
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
    provider = await service.create_principal(
        settings=conn.settings,
        username=PROVIDER,
        password=BENCH_PASSWORD,
        role=Role.PROVIDER,
        created_by="bench",
        organisation_id=str(organisation.id),
    )
    agency = await service.create_principal(
        settings=conn.settings,
        username=AGENCY,
        password=BENCH_PASSWORD,
        role=Role.AGENCY,
        created_by="bench",
        region_prefix="51",
    )
    # The login scenario's accounts carry production-cost hashes from the start.
    defaults = Settings(_env_file=None)
    production = conn.settings.model_copy(
        update={
            "argon2_time_cost": defaults.argon2_time_cost,
            "argon2_memory_cost_kib": defaults.argon2_memory_cost_kib,
            "argon2_parallelism": defaults.argon2_parallelism,
        }
    )
    for n in range(LOGIN_USERS):
        await service.create_principal(
            settings=production,
            username=f"bench-login-{n}",
            password=BENCH_PASSWORD,
            role=Role.AGENCY,
            created_by="bench",
            region_prefix="51",
        )
    return _Bench(str(organisation.id), str(course.id), str(provider.id), str(agency.id))


async def _archives(conn: Connected) -> list[tuple[str, str]]:
    """Every seeded archive: (id, region code), in ``_id`` order."""
    cursor = conn.db["archives"].find({}, {"_id": 1, "region_code": 1}).sort("_id", 1)
    return [(str(a["_id"]), a["region_code"]) async for a in cursor]


async def _runs(
    bench: _Bench, classes: list[list[str]], regions: dict[str, str], *, completed: bool
) -> list[tuple[str, list[str]]]:
    """Finished runs, one per list of archives, each worker with one confirmed session; in
    training (``completed=False``) or completed and passed. Returns (run id, enrolment ids)."""
    now = datetime.now(UTC)
    day = date(2026, 3, 2)
    made: list[tuple[str, list[str]]] = []
    runs: list[Run] = []
    enrolments: list[Enrolment] = []
    records: list[AttendanceRecord] = []
    for archive_ids in classes:
        run = Run(
            id=PydanticObjectId(),
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
        runs.append(run)
        ids: list[str] = []
        for archive_id in archive_ids:
            enrolment = Enrolment(
                id=PydanticObjectId(),
                run_id=str(run.id),
                course_id=bench.course_id,
                organisation_id=bench.organisation_id,
                archive_id=archive_id,
                worker_name="工人",
                worker_masked_id="510104********0000",
                worker_region_code=regions[archive_id],
                status=EnrolmentStatus.COMPLETED if completed else EnrolmentStatus.IN_TRAINING,
                result=CompletionResult.PASSED if completed else None,
                hours_attended=8 if completed else 0,
                # In the past, outside the start-up repair's look-back, and with an entry
                # seq noted: these completions only carry the vouchers redeemed later.
                completed_at=datetime(2026, 3, 2, 12, tzinfo=UTC) if completed else None,
                entry_seq=1 if completed else 0,
                completed_by=bench.provider_id if completed else "",
                version=1 if completed else 0,
                created_at=now,
                created_by="bench",
                updated_at=now,
            )
            enrolments.append(enrolment)
            ids.append(str(enrolment.id))
            if completed:
                continue  # a redemption reads no attendance: only open classes get some
            records.append(
                AttendanceRecord(
                    enrolment_id=str(enrolment.id),
                    run_id=str(run.id),
                    organisation_id=bench.organisation_id,
                    archive_id=archive_id,
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
            )
        made.append((str(run.id), ids))
        if len(enrolments) >= 2000:
            await _flush(runs, enrolments, records)
    await _flush(runs, enrolments, records)
    return made


async def _flush(runs: list[Run], enrolments: list[Enrolment], records: list[Any]) -> None:
    if runs:
        await Run.insert_many(runs)
    if enrolments:
        await Enrolment.insert_many(enrolments)
    if records:
        await AttendanceRecord.insert_many(records)
    runs.clear()
    enrolments.clear()
    records.clear()


async def _claimed_vouchers(
    bench: _Bench, archives: list[tuple[str, str]], count: int, rng: random.Random
) -> list[str]:
    """``count`` claimed vouchers, each on a passed completion of a random seeded worker."""
    regions = dict(archives)
    ids = [a for a, _ in archives]
    classes = [rng.sample(ids, min(CLASS, len(ids))) for _ in range(-(-count // CLASS))]
    runs = await _runs(bench, classes, regions, completed=True)
    pairs = [
        (archive_id, enrolment_id)
        for archive_list, (_, enrolment_ids) in zip(classes, runs, strict=True)
        for archive_id, enrolment_id in zip(archive_list, enrolment_ids, strict=True)
    ][:count]
    now = datetime.now(UTC).replace(microsecond=0)
    issued = now - timedelta(days=60)
    valid_until = now + timedelta(days=300)
    policy_key = "64d0000000000000000be0c1"
    claimer = Recorder(
        principal=bench.provider_id, role="provider", organisation=bench.organisation_id
    )
    vouchers: list[Voucher] = []
    made: list[str] = []
    for archive_id, enrolment_id in pairs:
        voucher_id = PydanticObjectId()
        vouchers.append(
            Voucher(
                id=voucher_id,
                policy_id=policy_key,
                policy_key=policy_key,
                policy_version=1,
                policy_name="基准培训券",
                region_code=regions[archive_id],
                archive_id=archive_id,
                worker_name="工人",
                worker_masked_id="510104********0000",
                face_value_fen=120_000,
                coverage=Coverage(training_types=[], occupation_codes=[], brands=[]),
                valid_from=issued,
                valid_until=valid_until,
                valid_until_ms=epoch_ms(valid_until),
                status=VoucherStatus.CLAIMED,
                grounds=[],
                issue_note="bench",
                enrolment_id=enrolment_id,
                organisation_id=bench.organisation_id,
                holding_key=f"free|{voucher_id}",
                binding_key=f"enrolment|{enrolment_id}",
                claimed_amount_fen=100_000,
                claimed_at_ms=epoch_ms(now),
                version=3,
                last_event=EventRecord(
                    version=3,
                    action=VoucherAction.CLAIM,
                    from_state=VoucherStatus.BOUND,
                    to_state=VoucherStatus.CLAIMED,
                    reason="",
                    by=claimer,
                    at=now,
                    details={"amount_fen": "100000", "enrolment_id": enrolment_id},
                ),
                created_at=issued,
                updated_at=now,
            )
        )
        made.append(str(voucher_id))
        if len(vouchers) >= 2000:
            await Voucher.insert_many(vouchers)
            vouchers.clear()
    if vouchers:
        await Voucher.insert_many(vouchers)
    return made


async def _topup(conn: Connected, amounts: Amounts, rng: random.Random) -> dict[str, Any]:
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(now - clock, 1)
        clock = now

    bench = await _bench_principals(conn)
    lap("principals")
    archives = await _archives(conn)
    regions = dict(archives)
    ids = [a for a, _ in archives]
    hot = rng.sample(ids, min(HOT_ARCHIVES, len(ids)))
    hot_runs = await _runs(bench, [hot] * amounts.hot_runs, regions, completed=False)
    hot_ids = [e for _, enrolments in hot_runs for e in enrolments]
    lap("hot runs")
    half = len(hot_ids) // 2
    classes = await _runs(
        bench,
        [rng.sample(ids, min(CLASS, len(ids))) for _ in range(amounts.classes)],
        regions,
        completed=False,
    )
    big = await _runs(
        bench,
        [rng.sample(ids, min(BIG_CLASS, len(ids))) for _ in range(amounts.big_classes)],
        regions,
        completed=False,
    )
    lap("classes")
    vouchers = await _claimed_vouchers(bench, archives, amounts.vouchers, rng)
    contended = await _claimed_vouchers(bench, archives, amounts.contended, rng)
    lap("claimed vouchers")
    readers = rng.sample(ids, min(amounts.readers, len(ids)))
    return {
        "phases": phases,
        "bench": bench,
        "readers": readers,
        "hot_archives": hot,
        "hot_http": hot_ids[:half],
        "hot_raw": hot_ids[half:],
        "classes_http": classes[: len(classes) // 2],
        "classes_raw": classes[len(classes) // 2 :],
        "big_http": big[: len(big) // 2],
        "big_raw": big[len(big) // 2 :],
        "vouchers_http": vouchers[: min(10_000, len(vouchers) * 5 // 6)],
        "vouchers_raw": vouchers[min(10_000, len(vouchers) * 5 // 6) :],
        "contended_http": contended[: len(contended) // 2],
        "contended_raw": contended[len(contended) // 2 :],
    }


async def _trail_checked_until_now(settings: Settings) -> None:
    """Mark the audit trail checked up to now. The top-up inserts its work items straight into
    the collections, without change records (set-up, not use cases); the API's start-up
    repair would otherwise take each of those ~30,000 objects for a crashed request and write
    its record one by one (over 30 minutes on a loaded 2-core machine, before any login)."""
    # The repair looks back a grace period behind its checkpoint: one grace ahead of now.
    ahead = timedelta(seconds=settings.repair_grace_seconds)
    await repair._advance("trail", datetime.now(UTC) + ahead)


async def _reader_logins(settings: Settings, archive_ids: list[str]) -> dict[str, tuple[str, str]]:
    """A login for each reader archive: the seed's worker account, or one made here."""
    logins: dict[str, tuple[str, str]] = {}
    for archive_id in archive_ids:
        principal = await Principal.find_one({"archive_id": archive_id})
        if principal is not None:
            logins[archive_id] = (principal.username, SEED_PASSWORD)
            continue
        username = f"bench-worker-{archive_id}"
        await service.create_principal(
            settings=settings,
            username=username,
            password=BENCH_PASSWORD,
            role=Role.WORKER,
            created_by="bench",
            archive_id=archive_id,
        )
        logins[archive_id] = (username, BENCH_PASSWORD)
    return logins


async def log_in(http: httpx.AsyncClient, username: str, password: str) -> str:
    """An access token for ``username`` through ``POST /auth/token``."""
    for _ in range(5):
        response = await http.post(
            "/auth/token",
            data={"grant_type": "password", "username": username, "password": password},
        )
        if response.status_code != 429:
            break
        await asyncio.sleep(min(5.0, float(response.headers.get("Retry-After", "1"))))
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


async def _tokens(uri: str, logins: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Log every (key -> username, password) in through the API, two at a time."""
    with api_process(uri, DATABASE, API_ENV) as api:
        async with httpx.AsyncClient(base_url=api.base_url, timeout=120) as http:
            gate = asyncio.Semaphore(2)

            async def one(key: str) -> tuple[str, str]:
                async with gate:
                    return key, await log_in(http, *logins[key])

            return dict(await asyncio.gather(*(one(k) for k in logins)))


async def seed_base(base: Path, archives: int) -> float:
    """Seed (or go on seeding: ``seed_province`` resumes) ``archives`` into ``base``, no
    top-up; returns the seconds this call took. ``python -m bench.fixtures N DIR`` runs it, so
    a long seed (1,000,000 archives) can start early, be interrupted and resumed, and the
    suite then finds it (``BENCH_BASE_DIR``)."""
    async with connected(base) as conn:
        started = time.perf_counter()
        await _seed(conn, archives, log=True)
        return time.perf_counter() - started


async def prepare(base: Path, archives: int, amounts: Amounts | None = None) -> State:
    """Seed ``archives`` into ``base`` and top it up (see the module docstring).

    A ``base`` that a finished ``prepare`` left (its ``bench.json``) is used as it is; one
    with a seed begun or finished by ``seed_base`` has its seed resumed, then is topped up."""
    if (base / STATE_FILE).exists():
        return State.load(base)
    amounts = amounts or Amounts()
    rng = random.Random(archives)
    async with connected(base) as conn:
        started = time.perf_counter()
        source = await _seed(conn, archives)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        made = await _topup(conn, amounts, rng)
        await _trail_checked_until_now(conn.settings)
        logins = await _reader_logins(conn.settings, made["readers"])
        logins["provider"] = (PROVIDER, BENCH_PASSWORD)
        logins["agency"] = (AGENCY, BENCH_PASSWORD)
        started_logins = time.perf_counter()
        tokens = await _tokens(conn.uri, logins)
        made["phases"]["logins"] = round(time.perf_counter() - started_logins, 1)
        topped = time.perf_counter() - started
        counts = {
            name: await conn.db[name].estimated_document_count()
            for name in sorted(await conn.db.list_collection_names())
        }
    bench: _Bench = made["bench"]
    state = State(
        archives=archives,
        source=source,
        seed_seconds=round(seeded, 1),
        topup_seconds=round(topped, 1),
        agency_id=bench.agency_id,
        provider_id=bench.provider_id,
        organisation_id=bench.organisation_id,
        readers={a: tokens[a] for a in made["readers"]},
        provider_token=tokens["provider"],
        agency_token=tokens["agency"],
        login_users=[f"bench-login-{n}" for n in range(LOGIN_USERS)],
        hot_archives=made["hot_archives"],
        hot_http=made["hot_http"],
        hot_raw=made["hot_raw"],
        classes_http=made["classes_http"],
        classes_raw=made["classes_raw"],
        big_http=made["big_http"],
        big_raw=made["big_raw"],
        vouchers_http=made["vouchers_http"],
        vouchers_raw=made["vouchers_raw"],
        contended_http=made["contended_http"],
        contended_raw=made["contended_raw"],
        counts=counts,
        phases=made["phases"],
    )
    state.save(base)
    return state


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` is the seconds taken."""
    holder: list[float] = []
    started = time.perf_counter()
    try:
        yield holder
    finally:
        holder.append(time.perf_counter() - started)


def main(argv: list[str]) -> int:
    """``python -m bench.fixtures ARCHIVES DIR``: seed (or resume seeding) a base only."""
    if len(argv) != 2:
        print("usage: python -m bench.fixtures ARCHIVES DIR")
        return 2
    archives, base = int(argv[0]), Path(argv[1])
    base.mkdir(parents=True, exist_ok=True)
    seconds = asyncio.run(seed_base(base, archives))
    print(f"{archives:,} archives seeded into {base} ({seconds:,.0f} s in this call)")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
