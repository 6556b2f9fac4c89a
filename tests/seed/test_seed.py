"""The synthetic province: valid identifiers, the stored form, invariants, chains, reports and
the seeded logins at work through HTTP."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from beanie import Document
from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from httpx import AsyncClient
from pymongo import AsyncMongoClient
from stdnum.cn import ric, uscc

from api.runtime import Runtime
from portfolio.archives import entries
from portfolio.archives.personal import BIRTH_DATE_FIELD, PHONE_FIELD
from portfolio.archives.scope import ID_NUMBER_FIELD
from portfolio.identity.identifiers import IdType, parse_identity
from portfolio.identity.protection import FieldProtection, Sealed, associated_data
from portfolio.models import DOCUMENT_MODELS
from portfolio.reports.documents import CELL_DOCUMENTS
from portfolio.reports.rebuild import rebuild
from portfolio.seed import seed_province
from portfolio.seed.training import CERTIFICATE_LEVELS
from portfolio.vocabulary import SkillLevel
from tests.helpers import auth_headers, request_tokens
from tests.privacy.old_forms import old_seed_nonce
from tests.privacy.scan import Person, scan_personal

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
PASSWORD = "seed-password"


def _models() -> dict[str, type[Document]]:
    return {str(m.get_settings().name): m for m in DOCUMENT_MODELS}


async def _seed(runtime: Runtime, archives: int, **extra: Any) -> Any:
    return await seed_province(
        runtime.settings,
        runtime.keyring,
        archives=archives,
        seed=7,
        password=PASSWORD,
        as_of=AS_OF,
        **extra,
    )


def _db(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Any:
    return db_client[runtime.settings.database]


async def _all(db: Any, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await db[name].find({}).sort("_id", 1).to_list()
    return found


@pytest.fixture
async def province(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Any:
    """A province of 200 archives (every voucher fate, every certificate level)."""
    summary = await _seed(runtime, 200)
    assert summary.finished
    return _db(runtime, db_client)


@pytest.fixture
async def small(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Any:
    """A province of 80 archives (one batch: quick)."""
    summary = await _seed(runtime, 80)
    assert summary.finished
    return _db(runtime, db_client)


async def test_identifiers_are_valid(small: Any, runtime: Runtime) -> None:
    province = small
    protection = FieldProtection(runtime.keyring)
    archives = await _all(province, "archives")
    assert len(archives) == 80
    numbers = set()
    for raw in archives[:60]:
        sealed = Sealed(**raw["id_number"])
        number = await protection.open(
            sealed, aad=associated_data("archives", ID_NUMBER_FIELD, str(raw["_id"]))
        )
        assert ric.is_valid(number)
        parsed = parse_identity(IdType.RESIDENT_ID, number, field="id", today=AS_OF.date())
        assert parsed.birth_date is not None
        assert 1960 <= parsed.birth_date.year <= 2006
        assert number.startswith("51")
        assert protection.blind_index(f"resident_id|{number}") == raw["id_index"]
        assert raw["id_masked"] == number[:6] + "**********" + number[-2:]
        # Birth date and phone sealed like the number, in the form the services write.
        birth = await protection.open(
            Sealed(**raw["birth_date"]),
            aad=associated_data("archives", BIRTH_DATE_FIELD, str(raw["_id"])),
        )
        assert birth == parsed.birth_date.isoformat()
        phone = await protection.open(
            Sealed(**raw["phone"]), aad=associated_data("archives", PHONE_FIELD, str(raw["_id"]))
        )
        assert raw["phone_masked"] == phone[:3] + "****" + phone[-4:]
        assert raw["form"] == 2
        # The nonce is keyed: knowing the public seed confirms no guessed number.
        aad = associated_data("archives", ID_NUMBER_FIELD, str(raw["_id"]))
        assert sealed.nonce != old_seed_nonce(7, aad, number)
        numbers.add(number)
    assert len({a["id_index"] for a in archives}) == 80
    for organisation in await _all(province, "organisations"):
        assert uscc.is_valid(organisation["credit_code"])
    codes = [
        r["employer_credit_code"]
        for a in archives
        if a["employment"]
        for r in a["employment"]["registrations"]
        if r["employer_credit_code"]
    ]
    assert codes
    assert all(uscc.is_valid(c) for c in codes)


async def test_documents_have_the_stored_form_of_their_models(small: Any) -> None:
    province = small
    """Each seeded document reads as its Beanie document and re-encodes to itself."""
    encoder = Encoder(to_db=True)
    models = _models()
    for name in await province.list_collection_names():
        if name not in models or name == "keys":
            continue
        for raw in await province[name].find({}).limit(40).to_list():
            model = models[name].model_validate(raw)
            again = encoder.encode(model)
            assert _normal(again) == _normal(raw), name


def _normal(value: Any) -> Any:
    """Dates compared as instants (the driver reads UTC-aware, Beanie writes naive UTC)."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k not in ("revision_id",)}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(UTC).replace(tzinfo=None)
        )
    if isinstance(value, bytes):  # Binary subtype 0 is bytes once read back
        return bytes(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


async def test_every_state_and_level_is_there(province: Any) -> None:
    vouchers = await _all(province, "vouchers")
    states = Counter(v["status"] for v in vouchers)
    assert set(states) == {"issued", "bound", "claimed", "redeemed", "cancelled", "expired"}
    actions = Counter(e["action"] for e in await _all(province, "voucher_events"))
    assert {
        "issue",
        "consent",
        "bind",
        "release",
        "claim",
        "reject",
        "redeem",
        "cancel",
        "expire",
    } <= set(actions)
    certificates = await _all(province, "certificates")
    levels = {c["level"] for c in certificates}
    assert {level.value for level, _ in CERTIFICATE_LEVELS} <= levels
    assert None in levels  # special-ability certificates carry no level
    stored = await _all(province, "apprenticeships")
    agreements = Counter(a["status"] for a in stored)
    assert len(agreements) >= 4
    assert {"active", "completed"} <= set(agreements)
    await _completions_follow_the_rules(province, stored)


async def _completions_follow_the_rules(province: Any, stored: list[dict[str, Any]]) -> None:
    """Each completed agreement ended within the tolerance of its planned end, attested by a
    certificate entry of the level reached in its occupation; below_plan says whether that
    level lies below the target (as the service records them)."""
    entries = {(e["archive_id"], e["seq"]): e for e in await _all(province, "archive_entries")}
    completed = [a for a in stored if a["status"] == "completed"]
    assert completed
    for agreement in completed:
        planned_end = date.fromisoformat(agreement["plan"]["planned_end"])
        assert date.fromisoformat(agreement["ended_on"]) >= planned_end - timedelta(days=30)
        certificate = entries[(agreement["archive_id"], agreement["certificate_entry_seq"])]
        assert certificate["kind"] == "certificate_issued"
        assert certificate["payload"]["level"] == agreement["level_reached"]
        assert certificate["payload"]["occupation_code"] == agreement["occupation_code"]
        below = (
            SkillLevel(agreement["level_reached"]).rank < SkillLevel(agreement["target_level"]).rank
        )
        assert agreement["below_plan"] is below
        ended = entries[(agreement["archive_id"], agreement["end_entry_seq"])]
        assert ended["payload"]["certificate_entry_seq"] == certificate["seq"]
        assert ended["payload"]["below_plan"] is below
        assert agreement["last_event"]["details"] == {
            "level_reached": agreement["level_reached"],
            "certificate_entry_seq": certificate["seq"],
            "below_plan": below,
        }


async def test_invariants_hold(small: Any) -> None:
    province = small
    runs = await _all(province, "runs")
    enrolments = await _all(province, "enrolments")
    seats = Counter(e["run_id"] for e in enrolments if e["status"] != "withdrawn")
    assert all(r["seats_taken"] == seats[str(r["_id"])] <= r["capacity"] for r in runs)
    agreements = await _all(province, "apprenticeships")
    running: Counter[str] = Counter()
    for a in agreements:
        if a["status"] in ("active", "paused"):
            running.update([a["plan"]["enterprise_mentor"]["id"], a["plan"]["school_mentor"]["id"]])
    for mentor in await _all(province, "mentors"):
        assert mentor["active_apprentices"] == running[str(mentor["_id"])] <= 8
    vouchers = await _all(province, "vouchers")
    per_policy = Counter(v["policy_key"] for v in vouchers)
    for head in await _all(province, "voucher_policy_heads"):
        assert head["issued"] == per_policy[str(head["_id"])]
    events = Counter(e["voucher_id"] for e in await _all(province, "voucher_events"))
    ledger = {e["voucher_id"] for e in await _all(province, "ledger")}
    for voucher in vouchers:
        assert events[str(voucher["_id"])] == voucher["version"] + 1
        assert (str(voucher["_id"]) in ledger) == (voucher["status"] == "redeemed")
        assert (voucher["redeemed_entry_seq"] > 0) == (voucher["status"] == "redeemed")
    by_seq = {(e["archive_id"], e["seq"]): e for e in await _all(province, "archive_entries")}
    for enrolment in enrolments:
        if enrolment["result"] == "passed":
            entry = by_seq[(enrolment["archive_id"], enrolment["entry_seq"])]
            assert entry["payload"]["enrolment_id"] == str(enrolment["_id"])
    for archive in await _all(province, "archives"):
        kinds = Counter(e["kind"] for (a, _), e in by_seq.items() if a == str(archive["_id"]))
        assert archive["counters"] == dict(kinds)


async def test_chains_verify_and_reports_equal_a_rebuild(small: Any) -> None:
    province = small
    reports = [r async for r in entries.verify_all()]
    assert len(reports) == 80
    assert all(r.ok for r in reports)
    names = [str(d.get_settings().name) for d in CELL_DOCUMENTS]
    before = {n: _cells(await _all(province, n)) for n in names}
    assert sum(len(v) for v in before.values()) > 0
    await rebuild()
    assert {n: _cells(await _all(province, n)) for n in names} == before


def _cells(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        ({k: v for k, v in d.items() if k not in ("updated_at",)} for d in docs),
        key=lambda d: str(d["_id"]),
    )


async def test_seeded_logins_work_through_http(small: Any, client: AsyncClient) -> None:
    province = small
    worker = await request_tokens(client, "seed-worker-0000003", PASSWORD)
    page = await client.get("/me/archive", headers=auth_headers(worker["access_token"]))
    assert page.status_code == 200, page.text
    assert page.json()["entries"]["items"]

    claimed = await province["vouchers"].find_one({"status": "claimed"})
    city = claimed["region_code"][:4]
    agency = await request_tokens(client, f"seed-agency-{city}", PASSWORD)
    queue = await client.get("/claims", headers=auth_headers(agency["access_token"]))
    assert queue.status_code == 200, queue.text
    assert str(claimed["_id"]) in {item["voucher"]["id"] for item in queue.json()["items"]}
    redeemed = await client.post(
        f"/vouchers/{claimed['_id']}/redeem", headers=auth_headers(agency["access_token"])
    )
    assert redeemed.status_code == 200, redeemed.text

    # An ended run awaiting its sheet: the provider completes the class.
    waiting = await province["enrolments"].find_one({"status": "in_training"})
    open_run = await province["runs"].find_one({"_id": ObjectId(waiting["run_id"])})
    assert open_run["end_date"] < AS_OF
    login = await province["principals"].find_one(
        {"organisation_id": open_run["organisation_id"], "role": "provider"}
    )
    assert login["username"].startswith("seed-provider-")
    provider = await request_tokens(client, login["username"], PASSWORD)
    headers = auth_headers(provider["access_token"])
    run = await client.get(f"/runs/{open_run['_id']}", headers=headers)
    assert run.status_code == 200, run.text
    listing = await client.get(f"/runs/{open_run['_id']}/enrolments", headers=headers)
    assert listing.status_code == 200, listing.text
    rows = [
        {"enrolment_id": e["id"], "result": "passed", "score": 80}
        for e in listing.json()["items"]
        if e["status"] == "in_training"
    ]
    assert len(rows) >= 40
    sheet = await client.post(
        f"/runs/{open_run['_id']}/completions", json={"rows": rows}, headers=headers
    )
    assert sheet.status_code == 200, sheet.text


async def test_no_phone_number_or_birth_date_is_stored_in_the_clear(
    small: Any, runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    protection = FieldProtection(runtime.keyring)
    people: dict[str, Person] = {}
    for raw in await _all(small, "archives"):
        aid = str(raw["_id"])

        async def opened(field: str, value: dict[str, Any], owner: str = aid) -> str:
            return await protection.open(
                Sealed(**value), aad=associated_data("archives", field, owner)
            )

        birth = await opened(BIRTH_DATE_FIELD, raw["birth_date"])
        people[aid] = Person(await opened(PHONE_FIELD, raw["phone"]), date.fromisoformat(birth))
    assert await scan_personal(db_client, runtime.settings.database, people) == []
    registered = await small["archive_entries"].find({"kind": "registered"}).to_list()
    assert registered
    assert all("birth_date" not in entry["payload"] for entry in registered)
