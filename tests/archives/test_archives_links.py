"""Social-security and employment links: validation, storage, entries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.runtime import Runtime
from portfolio.archives import links
from portfolio.archives.documents import (
    ArchiveEntry,
    InsuranceScheme,
    RegistrationKind,
)
from portfolio.archives.entries import verify_chain
from portfolio.archives.kinds import EntryKind
from portfolio.archives.views import InsuredSchemeInput, WorkerView
from portfolio.errors import Conflict, NotFound, ValidationFailed
from tests.archives.factories import agency, register, resident_id

PENSION = InsuredSchemeInput(InsuranceScheme.PENSION, "2015-07")
MEDICAL = InsuredSchemeInput(InsuranceScheme.MEDICAL, "2015-07")


async def _set_ssn(runtime: Runtime, archive_id: str, number: str, **overrides: Any) -> WorkerView:
    values: dict[str, Any] = {
        "actor": agency("5101"),
        "keyring": runtime.keyring,
        "archive_id": archive_id,
        "number": number,
        "card_number": "A12345678",
        "issuing_region": "510100",
        "schemes": [PENSION, MEDICAL],
    }
    values.update(overrides)
    return await links.set_social_security(**values)


async def test_social_security_for_a_resident_must_equal_the_id_number(runtime: Runtime) -> None:
    number = resident_id("510104", date(1990, 5, 6), 11)
    archive_id = (await register(runtime, id_number=number)).worker.archive_id
    with pytest.raises(ValidationFailed) as caught:
        await _set_ssn(runtime, archive_id, resident_id("510104", date(1990, 5, 6), 13))
    assert [(e.field, e.rule) for e in caught.value.errors] == [("number", "mismatch")]

    view = await _set_ssn(runtime, archive_id, number.lower())
    ssn = view.social_security
    assert ssn is not None
    assert ssn.number_masked == f"510104**********{number[-2:]}"
    assert ssn.number_full is None
    assert ssn.card_number_masked == "*****5678"
    assert [(s.scheme, s.since) for s in ssn.schemes] == [
        (InsuranceScheme.MEDICAL, "2015-07"),
        (InsuranceScheme.PENSION, "2015-07"),
    ]
    changed = await _set_ssn(runtime, archive_id, number, schemes=[PENSION])
    assert changed.social_security is not None
    assert changed.social_security.schemes == [PENSION]
    kinds = [e.kind for e in await ArchiveEntry.find_all().sort("+seq").to_list()]
    assert kinds == ["registered", "link_added", "link_changed"]
    last = await ArchiveEntry.find_one({"seq": 3})
    assert last is not None
    assert number not in repr(last.payload)
    assert (await verify_chain(archive_id)).ok


async def test_social_security_fields_are_validated_together(runtime: Runtime) -> None:
    number = resident_id("510104", date(1990, 5, 6), 11)
    archive_id = (await register(runtime, id_number=number)).worker.archive_id
    with pytest.raises(ValidationFailed) as caught:
        await _set_ssn(
            runtime,
            archive_id,
            number,
            card_number="A1",
            issuing_region="51",
            schemes=[
                InsuredSchemeInput(InsuranceScheme.PENSION, "2015-13"),
                InsuredSchemeInput(InsuranceScheme.MEDICAL, "2999-01"),
                InsuredSchemeInput(InsuranceScheme.MEDICAL, "2016-01"),
                InsuredSchemeInput(InsuranceScheme.UNEMPLOYMENT, "1980-01"),
            ],
        )
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("card_number", "length"),
        ("issuing_region", "format"),
        ("schemes.0.since", "format"),
        ("schemes.1.since", "future"),
        ("schemes.2.scheme", "duplicate"),
        ("schemes.3.since", "before_birth"),
    }


async def test_links_are_region_scoped_and_version_checked(runtime: Runtime) -> None:
    number = resident_id("510104", date(1990, 5, 6), 11)
    archive_id = (await register(runtime, id_number=number)).worker.archive_id
    with pytest.raises(NotFound):
        await _set_ssn(runtime, archive_id, number, actor=agency("5107"))
    with pytest.raises(NotFound):
        await links.add_employment_registration(
            actor=agency("5107"),
            keyring=runtime.keyring,
            archive_id=archive_id,
            kind=RegistrationKind.UNEMPLOYMENT,
            start=date(2024, 1, 1),
            certificate_number="5101042024000001",
        )


async def test_employment_registrations(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    actor = agency("5101")
    with pytest.raises(ValidationFailed) as caught:
        await links.add_employment_registration(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            kind=RegistrationKind.EMPLOYMENT,
            start=date(2024, 3, 1),
            end=date(2024, 2, 1),
            employer_credit_code="91350100M000100Y44",
            occupation_code="4-4-01-01",
            labour_contract_end=date(2024, 1, 1),
        )
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("certificate_number", "required"),
        ("employer_credit_code", "checksum"),
        ("employer_name", "required"),
        ("occupation_code", "format"),
        ("end", "before_start"),
        ("labour_contract_end", "before_start"),
    }

    view = await links.add_employment_registration(
        actor=actor,
        keyring=runtime.keyring,
        archive_id=archive_id,
        kind=RegistrationKind.EMPLOYMENT,
        start=date(2024, 3, 1),
        certificate_number="5101 0420 2400 0001",
        employer_credit_code="91350100m000100y43",
        employer_name=" 成都 某某 有限公司 ",
        occupation_code="6-20-01-01 (S)",
        labour_contract_end=date(2027, 2, 28),
    )
    employment = view.employment
    assert employment is not None
    assert employment.certificate_number_masked == "************0001"
    (registration,) = employment.registrations
    assert registration.employer_credit_code == "91350100M000100Y43"
    assert registration.employer_name == "成都 某某 有限公司"
    assert (registration.occupation_code, registration.digital) == ("6-20-01-01", True)

    with pytest.raises(Conflict):
        await links.add_employment_registration(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            kind=RegistrationKind.EMPLOYMENT,
            start=date(2024, 4, 1),
            employer_credit_code="91350100M000100Y43",
            employer_name="成都某某有限公司",
        )
    # An early code failing the check is accepted with an agency's override, and marked.
    overridden = await links.add_employment_registration(
        actor=actor,
        keyring=runtime.keyring,
        archive_id=archive_id,
        kind=RegistrationKind.EMPLOYMENT,
        start=date(2024, 4, 1),
        employer_credit_code="91350100M000100Y44",
        employer_name="早期登记企业",
        credit_code_override=True,
    )
    assert overridden.employment is not None
    assert [r.credit_code_overridden for r in overridden.employment.registrations] == [False, True]

    closed = await links.close_employment_registration(
        actor=actor,
        keyring=runtime.keyring,
        archive_id=archive_id,
        registration_id=registration.registration_id,
        end=date(2024, 12, 31),
    )
    assert closed.employment is not None
    assert closed.employment.registrations[0].end == date(2024, 12, 31)
    with pytest.raises(Conflict):
        await links.close_employment_registration(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            registration_id=registration.registration_id,
            end=date(2024, 12, 31),
        )
    unemployed = await links.add_employment_registration(
        actor=actor,
        keyring=runtime.keyring,
        archive_id=archive_id,
        kind=RegistrationKind.UNEMPLOYMENT,
        start=date(2025, 1, 2),
    )
    assert unemployed.employment is not None
    assert len(unemployed.employment.registrations) == 3
    with pytest.raises(Conflict):
        await links.add_employment_registration(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            kind=RegistrationKind.UNEMPLOYMENT,
            start=date(2025, 2, 1),
        )
    entries = await ArchiveEntry.find_all().sort("+seq").to_list()
    assert [e.kind for e in entries] == [
        EntryKind.REGISTERED,
        EntryKind.LINK_ADDED,
        EntryKind.LINK_ADDED,
        EntryKind.LINK_CHANGED,
        EntryKind.LINK_ADDED,
    ]
    assert "5101042024000001" not in repr([e.payload for e in entries])
    assert (await verify_chain(archive_id)).ok
