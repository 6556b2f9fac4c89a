"""Search, full reads and the access log; the worker's archive view and its summary."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio.archives import links, reading, registration
from portfolio.archives.documents import (
    AccessAction,
    InsuranceScheme,
    Recorder,
    RegistrationKind,
)
from portfolio.archives.entries import append_entry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.views import InsuredSchemeInput
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from portfolio.identity.identifiers import IdType, Sex
from portfolio.vocabulary import SkillLevel
from tests.archives.factories import agency, provider, register, resident_id, worker
from tests.privacy import scan_database, scan_text

PROVIDER = Recorder(principal="p-1", role="provider", organisation="org-1")


async def test_search_by_id_number_within_the_region_is_logged(runtime: Runtime) -> None:
    number = resident_id("510104", date(1992, 2, 2), 21)
    archive_id = (await register(runtime, id_number=number)).worker.archive_id
    found = await reading.search_worker(
        actor=agency("5101"),
        keyring=runtime.keyring,
        purpose="employment registration",
        id_number=f" {number.lower()} ",
    )
    assert found.archive_id == archive_id
    assert found.identity.id_number_full is None
    with pytest.raises(NotFound):
        await reading.search_worker(
            actor=agency("5107"), keyring=runtime.keyring, purpose="check", id_number=number
        )
    with pytest.raises(NotFound):
        await reading.search_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            purpose="check",
            id_number=resident_id("510104", date(1992, 2, 2), 23),
        )
    log = await reading.list_access_log(actor=worker(archive_id))
    assert [(i.action, i.purpose, i.username, i.fields) for i in log.items] == [
        (AccessAction.SEARCH, "employment registration", "agency-5101", [])
    ]


async def test_search_by_social_security_number_and_input_rules(runtime: Runtime) -> None:
    number = resident_id("510104", date(1992, 2, 2), 21)
    archive_id = (await register(runtime, id_number=number)).worker.archive_id
    # A citizen's social-security number is the ID number: found before any link is set.
    found = await reading.search_worker(
        actor=agency("51"),
        keyring=runtime.keyring,
        purpose="benefit check",
        social_security_number=number,
        reveal=True,
    )
    assert (found.archive_id, found.identity.id_number_full) == (archive_id, number)
    await links.set_social_security(
        actor=agency("5101"),
        keyring=runtime.keyring,
        archive_id=archive_id,
        number=number,
        card_number="A12345678",
        issuing_region="510100",
        schemes=[InsuredSchemeInput(InsuranceScheme.PENSION, "2016-01")],
    )
    again = await reading.search_worker(
        actor=agency("51"),
        keyring=runtime.keyring,
        purpose="benefit check",
        social_security_number=number,
    )
    assert again.social_security is not None
    for kwargs, field in [
        ({"purpose": ""}, "purpose"),
        ({"purpose": f"look up {number}"}, "purpose"),
        ({"purpose": "x", "social_security_number": number}, "purpose"),
        ({"purpose": "both given", "social_security_number": number}, "id_number"),
    ]:
        arguments: dict[str, Any] = {"id_number": number, **kwargs}
        with pytest.raises(ValidationFailed) as caught:
            await reading.search_worker(actor=agency("51"), keyring=runtime.keyring, **arguments)
        assert caught.value.errors[0].field == field
        assert number not in caught.value.detail
    with pytest.raises(Forbidden):
        await reading.search_worker(
            actor=provider(), keyring=runtime.keyring, purpose="enrol", id_number=number
        )
    log = await reading.list_access_log(actor=worker(archive_id))
    assert [i.fields for i in log.items] == [
        [],
        ["id_number", "phone", "birth_date"],
    ]


async def test_full_read_needs_a_purpose_and_is_logged(runtime: Runtime) -> None:
    number = resident_id("510104", date(1992, 2, 2), 21)
    archive_id = (await register(runtime, id_number=number)).worker.archive_id
    masked = await reading.get_worker(
        actor=agency("5101"), keyring=runtime.keyring, archive_id=archive_id
    )
    assert masked.identity.id_number_full is None
    assert masked.identity.phone_full is None
    assert masked.identity.birth_date is None
    with pytest.raises(ValidationFailed):
        await reading.get_worker(
            actor=agency("5101"), keyring=runtime.keyring, archive_id=archive_id, reveal=True
        )
    # The masked read is logged (issue 25); the refused reveal is not.
    reads = (await reading.list_access_log(actor=worker(archive_id))).items
    assert {(r.action, tuple(r.fields)) for r in reads} == {(AccessAction.READ, ())}
    full = await reading.get_worker(
        actor=agency("5101"),
        keyring=runtime.keyring,
        archive_id=archive_id,
        reveal=True,
        purpose="subsidy audit",
    )
    assert (full.identity.id_number_full, full.identity.phone_full) == (number, "13800138000")
    assert full.identity.birth_date == date(1992, 2, 2)
    item = (await reading.list_access_log(actor=worker(archive_id))).items[0]
    assert (item.action, item.purpose, item.fields) == (
        AccessAction.READ_FULL,
        "subsidy audit",
        ["id_number", "phone", "birth_date"],
    )
    # The worker reads their own number without a purpose, and it is not logged.
    own = await reading.get_worker(actor=worker(archive_id), keyring=runtime.keyring, reveal=True)
    assert own.identity.id_number_full == number
    # The masked read and the full one; the worker's own read adds nothing.
    assert len((await reading.list_access_log(actor=worker(archive_id))).items) == 2
    with pytest.raises(NotFound):
        await reading.get_worker(
            actor=agency("5107"), keyring=runtime.keyring, archive_id=archive_id
        )


async def test_workers_reach_only_their_own_archive_and_log(runtime: Runtime) -> None:
    first = (await register(runtime)).worker.archive_id
    second = (await register(runtime)).worker.archive_id
    await reading.get_worker(
        actor=agency("5101"),
        keyring=runtime.keyring,
        archive_id=second,
        reveal=True,
        purpose="audit",
    )
    with pytest.raises(NotFound):
        await reading.get_worker(actor=worker(first), keyring=runtime.keyring, archive_id=second)
    with pytest.raises(NotFound):
        await reading.get_archive_view(
            actor=worker(first), keyring=runtime.keyring, archive_id=second
        )
    assert (await reading.list_access_log(actor=worker(first))).items == []
    assert len((await reading.list_access_log(actor=worker(second))).items) == 1
    with pytest.raises(Forbidden):
        await reading.list_access_log(actor=agency("5101"))


async def test_access_log_pages_newest_first(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    for i in range(5):
        await reading.get_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            reveal=True,
            purpose=f"reason {i}",
        )
    first = await reading.list_access_log(actor=worker(archive_id), limit=3)
    second = await reading.list_access_log(
        actor=worker(archive_id), limit=3, cursor=first.next_cursor
    )
    assert [i.purpose for i in first.items + second.items] == [
        f"reason {i}" for i in range(4, -1, -1)
    ]
    assert second.next_cursor is None


def _certificate(number: str, occupation: str, level: str | None) -> dict[str, Any]:
    return {
        "certificate_number": number,
        "certificate_type": "skill_level",
        "occupation_code": occupation,
        "level": level,
    }


async def test_archive_view_has_masked_identity_entries_and_summary(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id

    async def add(kind: EntryKind, payload: dict[str, Any], corrects: int | None = None) -> int:
        entry = await append_entry(
            archive_id=archive_id,
            kind=kind,
            payload=payload,
            recorded_by=PROVIDER,
            corrects=corrects,
        )
        return entry.seq

    cook = "4-03-02-01"
    welder = "6-18-02-04"
    await add(EntryKind.TRAINING_COMPLETED, {"hours": 40, "occupation_code": cook})
    training = await add(EntryKind.TRAINING_COMPLETED, {"hours": 12.5, "occupation_code": None})
    await add(EntryKind.TRAINING_COMPLETED, {"hours": 16, "occupation_code": None}, training)
    junior = await add(EntryKind.CERTIFICATE_ISSUED, _certificate("C1", cook, "junior"))
    await add(EntryKind.CERTIFICATE_ISSUED, _certificate("C2", cook, "senior"))
    wrong = await add(EntryKind.CERTIFICATE_ISSUED, _certificate("C3", welder, "technician"))
    corrected = await add(
        EntryKind.CERTIFICATE_CORRECTED, _certificate("C3", welder, "intermediate"), wrong
    )
    voided = await add(EntryKind.CERTIFICATE_ISSUED, _certificate("C4", welder, "chief_technician"))
    await add(EntryKind.CERTIFICATE_VOIDED, {"reason": "issued in error"}, voided)
    await add(
        EntryKind.APPRENTICESHIP_STARTED,
        {"apprenticeship_id": "ap1", "occupation_code": cook, "target_level": "intermediate"},
    )
    await add(
        EntryKind.APPRENTICESHIP_COMPLETED,
        {"apprenticeship_id": "ap1", "level_reached": "intermediate"},
    )
    await add(EntryKind.VOUCHER_REDEEMED, {"voucher_id": "v1", "amount_fen": 150000})
    await add(EntryKind.AWARD, {"title": "技术能手"})

    view = await reading.get_archive_view(
        actor=worker(archive_id), keyring=runtime.keyring, limit=5
    )
    assert view.worker.identity.id_number_full is None
    assert view.worker.entry_count == 14
    assert [e.seq for e in view.entries.entries] == [14, 13, 12, 11, 10]
    assert view.entries.next_cursor == "10"
    summary = view.summary
    assert {(h.occupation_code, h.level) for h in summary.highest_levels} == {
        (cook, SkillLevel.SENIOR),
        (welder, SkillLevel.INTERMEDIATE),
    }
    assert summary.certificate_count == 3
    assert (summary.training_hours, summary.trainings_completed) == (56.0, 2)
    assert [(a.apprenticeship_id, a.status, a.level_reached) for a in summary.apprenticeships] == [
        ("ap1", "completed", "intermediate")
    ]
    assert (summary.vouchers_redeemed, summary.voucher_amount_fen, summary.awards) == (1, 150000, 1)
    assert junior < corrected

    agency_view = await reading.get_archive_view(
        actor=agency("5101"), keyring=runtime.keyring, archive_id=archive_id
    )
    assert agency_view.summary == summary
    with pytest.raises(NotFound):
        await reading.get_archive_view(
            actor=agency("5107"), keyring=runtime.keyring, archive_id=archive_id
        )


async def test_no_plaintext_identity_number_in_any_collection_or_log(
    runtime: Runtime,
    db_client: AsyncMongoClient[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Our own loggers at DEBUG; the driver's DEBUG command log (off in production) is not
    # what the service writes.
    caplog.set_level(logging.DEBUG, logger="portfolio")
    caplog.set_level(logging.DEBUG, logger="api")
    numbers = [resident_id("510104", date(1980 + i, 1 + i, 10 + i), 100 + i) for i in range(4)]
    archive_ids = [(await register(runtime, id_number=n)).worker.archive_id for n in numbers]
    # A foreigner too: the 2017 permanent residence card has the same 18-character shape.
    card = resident_id("951840", date(1980, 5, 17), 1)
    await registration.register_worker(
        actor=agency("5101"),
        keyring=runtime.keyring,
        settings=runtime.settings,
        name="John Smith",
        id_type=IdType.FOREIGN_PERMANENT_RESIDENCE,
        id_number=card,
        phone="13700137000",
        region_code="510107",
        sex=Sex.MALE,
    )
    for archive_id, number in zip(archive_ids, numbers, strict=True):
        await links.set_social_security(
            actor=agency("5101"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            number=number,
            card_number="A12345678",
            issuing_region="510100",
            schemes=[],
        )
        await links.add_employment_registration(
            actor=agency("5101"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            kind=RegistrationKind.UNEMPLOYMENT,
            start=date(2024, 1, 1),
            certificate_number=number,  # often the certificate number is the ID number
        )
        view = await reading.get_worker(
            actor=agency("5101"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            reveal=True,
            purpose="audit",
        )
        assert view.identity.id_number_full == number
        assert view.employment is not None
        assert view.employment.certificate_number_full == number
    findings = await scan_database(db_client, runtime.settings.database, known=[*numbers, card])
    assert findings == []
    assert scan_text(caplog.text, known=[*numbers, card]) == 0
    # The scanner does find a planted plaintext number (so the empty result means something).
    await db_client[runtime.settings.database]["archive_entries"].insert_one(
        {"archive_id": "x", "seq": -1, "note": f"id {numbers[0]}"}
    )
    planted = await scan_database(db_client, runtime.settings.database)
    assert [(f.collection, f.path) for f in planted] == [("archive_entries", ".note")]
    assert scan_text(f"log line {numbers[1]} end") == 1
