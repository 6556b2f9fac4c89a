"""Real-name registration, duplicates, activation codes and transfers (service level)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from api.runtime import Runtime
from portfolio import clock
from portfolio.archives import reading, registration
from portfolio.archives.documents import AccountState, ActivationCode, Archive, ArchiveEntry
from portfolio.archives.entries import verify_chain
from portfolio.archives.kinds import EntryKind
from portfolio.errors import AuthenticationFailed, Conflict, Forbidden, NotFound, ValidationFailed
from portfolio.identity.identifiers import IdType, Sex
from tests.archives.factories import (
    agency,
    fresh_resident_id,
    provider,
    register,
    resident_id,
    worker,
)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def test_registration_derives_birth_and_sex_and_stores_no_plaintext(
    runtime: Runtime,
) -> None:
    number = resident_id("510104", date(1991, 3, 4), 357)
    result = await register(runtime, id_number=number, name="  李  四 ")
    view = result.worker
    assert view.identity.name == "李 四"
    # The registering agency sees an age band, not the date (digits 7-14 of the number).
    assert view.identity.birth_date is None
    today = clock.china_today()
    age = today.year - 1991 - ((today.month, today.day) < (3, 4))
    assert view.identity.age_band == f"{age // 5 * 5}-{age // 5 * 5 + 4}"
    assert view.identity.sex is Sex.MALE
    assert view.identity.id_number_masked == f"510104**********{number[-2:]}"
    assert view.identity.id_number_full is None
    assert view.identity.phone_masked == "138****8000"
    assert view.account_state is AccountState.PENDING
    assert view.entry_count == 1

    stored = await Archive.get_pymongo_collection().find_one({})
    assert stored is not None
    assert number not in repr(stored)
    # Birth date and phone are sealed too; the stored mask is the display form.
    for plaintext in ("13800138000", "1991-03-04", "19910304", "datetime.datetime(1991, 3, 4"):
        assert plaintext not in repr(stored)
    assert set(stored["birth_date"]) == set(stored["phone"]) == {"kid", "nonce", "ciphertext"}
    assert stored["phone_masked"] == "138****8000"
    assert stored["form"] == 2
    entries = await ArchiveEntry.find_all().to_list()
    assert [(e.seq, e.kind) for e in entries] == [(1, EntryKind.REGISTERED.value)]
    assert entries[0].payload["id_number_masked"] == view.identity.id_number_masked
    assert "birth_date" not in entries[0].payload
    # The worker themself sees the date.
    own = await reading.get_worker(actor=worker(view.archive_id), keyring=runtime.keyring)
    assert own.identity.birth_date == date(1991, 3, 4)
    assert (await verify_chain(view.archive_id)).ok


async def test_every_invalid_field_is_reported_at_once(runtime: Runtime) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await registration.register_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            settings=runtime.settings,
            name="",
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002Y",
            phone="12345",
            region_code="5101",
        )
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("name", "required"),
        ("id_number", "format"),
        ("phone", "format"),
        ("region_code", "format"),
    }
    assert "11010519491231002Y" not in caught.value.detail
    assert await Archive.find_all().to_list() == []


async def test_given_birth_date_must_match_the_number(runtime: Runtime) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await registration.register_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            settings=runtime.settings,
            name="王五",
            id_type=IdType.RESIDENT_ID,
            id_number=resident_id("510104", date(1990, 1, 1), 2),
            phone="13800138000",
            region_code="510104",
            birth_date=date(1990, 1, 2),
            sex=Sex.FEMALE,
        )
    assert [(e.field, e.rule) for e in caught.value.errors] == [("birth_date", "mismatch")]


async def test_passport_holder_needs_birth_date_and_sex(runtime: Runtime) -> None:
    result = await registration.register_worker(
        actor=agency("5101"),
        keyring=runtime.keyring,
        settings=runtime.settings,
        name="Anna Schmidt",
        id_type=IdType.PASSPORT,
        id_number="c01x00t47",
        nationality="DEU",
        phone="13900139000",
        region_code="510107",
        birth_date=date(1988, 7, 1),
        sex=Sex.FEMALE,
    )
    assert result.worker.identity.id_number_masked == "C******47"
    assert result.worker.identity.nationality == "DEU"


async def test_same_person_in_any_spelling_is_a_conflict_naming_only_the_region(
    runtime: Runtime,
) -> None:
    number = resident_id("510104", date(1985, 12, 1), 98)
    await register(runtime, id_number=number, region_code="510703", by=agency("5107"))
    spellings = [number, full_width(number), " ".join(number), number.lower()]
    for spelling in spellings:
        with pytest.raises(Conflict) as caught:
            await register(runtime, id_number=spelling, region_code="510104")
        assert caught.value.extra == {"region_code": "510703"}
        assert number not in caught.value.detail
    assert len(await Archive.find_all().to_list()) == 1


async def test_concurrent_registrations_of_one_person_create_one_archive(
    runtime: Runtime,
) -> None:
    number = fresh_resident_id()
    outcomes = await asyncio.gather(
        *(register(runtime, id_number=number) for _ in range(5)), return_exceptions=True
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, BaseException))
    assert len(await Archive.find_all().to_list()) == 1


async def test_region_outside_the_agency_is_refused_and_roles_are_checked(
    runtime: Runtime,
) -> None:
    with pytest.raises(ValidationFailed) as outside:
        await register(runtime, region_code="510703", by=agency("5101"))
    assert [(e.field, e.rule) for e in outside.value.errors] == [("region_code", "outside_scope")]
    with pytest.raises(Forbidden):
        await register(runtime, by=provider())
    assert await Archive.find_all().to_list() == []


async def test_activation_code_is_single_use(runtime: Runtime) -> None:
    result = await register(runtime)
    code = result.activation.code
    assert result.activation.expires_at > datetime.now(UTC) + timedelta(days=6)
    # Typed in lower case with spaces: still the same code.
    assert await registration.consume_activation_code(code=f" {code.lower()} ") == (
        result.worker.archive_id
    )
    with pytest.raises(AuthenticationFailed):
        await registration.consume_activation_code(code=code)
    stored = await Archive.get(result.worker.archive_id)
    assert stored is not None
    assert stored.account_state is AccountState.ACTIVE
    # Only a hash of the code is stored.
    raw = await ActivationCode.get_pymongo_collection().find_one({})
    assert raw is not None
    assert code.replace("-", "") not in repr(raw)


async def test_racing_consumers_have_one_winner(runtime: Runtime) -> None:
    code = (await register(runtime)).activation.code
    outcomes = await asyncio.gather(
        *(registration.consume_activation_code(code=code) for _ in range(10)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, str) for o in outcomes) == 1
    assert sum(isinstance(o, AuthenticationFailed) for o in outcomes) == 9


async def test_activation_code_expires(runtime: Runtime) -> None:
    result = await register(runtime)
    later = result.activation.expires_at + timedelta(seconds=1)
    with pytest.raises(AuthenticationFailed):
        await registration.consume_activation_code(code=result.activation.code, now=later)
    assert await registration.consume_activation_code(code=result.activation.code) == (
        result.worker.archive_id
    )


async def test_new_code_supersedes_the_old_one_and_needs_the_region(runtime: Runtime) -> None:
    result = await register(runtime)
    archive_id = result.worker.archive_id
    with pytest.raises(NotFound):
        await registration.issue_activation_code(
            actor=agency("5107"), settings=runtime.settings, archive_id=archive_id
        )
    fresh = await registration.issue_activation_code(
        actor=agency("51"), settings=runtime.settings, archive_id=archive_id
    )
    with pytest.raises(AuthenticationFailed):
        await registration.consume_activation_code(code=result.activation.code)
    assert await registration.consume_activation_code(code=fresh.code) == archive_id
    with pytest.raises(AuthenticationFailed):
        await registration.consume_activation_code(code="0000-0000-0000")


async def test_transfer_needs_an_agency_covering_both_regions(runtime: Runtime) -> None:
    result = await register(runtime, region_code="510104")
    archive_id = result.worker.archive_id
    with pytest.raises(ValidationFailed):
        await registration.transfer_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            to_region_code="510703",
        )
    with pytest.raises(NotFound):
        await registration.transfer_worker(
            actor=agency("5107"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            to_region_code="510703",
        )
    moved = await registration.transfer_worker(
        actor=agency("51"),
        keyring=runtime.keyring,
        archive_id=archive_id,
        to_region_code="510703",
        reason="moved to Mianyang",
    )
    assert moved.identity.region_code == "510703"
    assert moved.entry_count == 2
    last = await ArchiveEntry.find_one({"seq": 2})
    assert last is not None
    assert last.kind == EntryKind.TRANSFERRED.value
    assert last.payload == {
        "from_region": "510104",
        "to_region": "510703",
        "reason": "moved to Mianyang",
    }
    # The old region's agency no longer reaches the worker; the new one does.
    with pytest.raises(NotFound):
        await registration.issue_activation_code(
            actor=agency("5101"), settings=runtime.settings, archive_id=archive_id
        )
    await registration.issue_activation_code(
        actor=agency("5107"), settings=runtime.settings, archive_id=archive_id
    )
    assert (await verify_chain(archive_id)).ok
    with pytest.raises(NotFound):
        await registration.transfer_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            archive_id="not-an-id",
            to_region_code="510105",
        )
