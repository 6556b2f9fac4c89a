"""Demo archives for the demo logins ``worker-1`` and ``worker-2``.

The accounts demo binds those logins to fixed archive ids; here the archives are registered
under exactly those ids, by the demo agencies of their regions and through the real services
(so the entries form a real chain), with a social-security link and employment registrations.
The identity numbers are made up (valid check characters, nobody's real number). Each agency
then looks its worker up (and the Chengdu one reads worker-1's full numbers), with a purpose,
so the workers' "who read my record" pages have lines to show.
Loading twice changes nothing: an archive that exists is left alone.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from beanie import PydanticObjectId

from portfolio.accounts import Principal, actor_of
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_ARCHIVE_WORKER_2
from portfolio.archives import links, reading, registration
from portfolio.archives.documents import Archive, InsuranceScheme, RegistrationKind
from portfolio.archives.views import InsuredSchemeInput
from portfolio.errors import AuthenticationFailed, Conflict
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.settings import Settings


@dataclass(frozen=True)
class DemoJob:
    """One employment or unemployment registration of a demo worker."""

    kind: RegistrationKind
    start: date
    end: date | None = None
    employer_credit_code: str | None = None
    employer_name: str | None = None
    occupation_code: str | None = None
    labour_contract_end: date | None = None


@dataclass(frozen=True)
class DemoWorker:
    """A demo archive and the demo agency that registers it."""

    archive_id: str
    agency: str
    name: str
    id_number: str
    phone: str
    region_code: str
    card_number: str
    schemes: tuple[tuple[InsuranceScheme, str], ...]
    certificate_number: str
    jobs: tuple[DemoJob, ...]
    # Reads by the agency, with their purposes (the worker's "who read my record" page):
    # (purpose, full numbers shown).
    reads: tuple[tuple[str, bool], ...] = ()


DEMO_WORKERS: tuple[DemoWorker, ...] = (
    DemoWorker(
        archive_id=DEMO_ARCHIVE_WORKER_1,
        agency="agency-chengdu",
        name="王小明",
        id_number="510104199003071237",
        phone="13800000001",
        region_code="510104",
        card_number="A51010401",
        schemes=(
            (InsuranceScheme.PENSION, "2015-07"),
            (InsuranceScheme.MEDICAL, "2015-07"),
            (InsuranceScheme.UNEMPLOYMENT, "2015-07"),
            (InsuranceScheme.WORK_INJURY, "2015-07"),
        ),
        certificate_number="5101042015000017",
        jobs=(
            DemoJob(
                kind=RegistrationKind.EMPLOYMENT,
                start=date(2015, 7, 1),
                employer_credit_code="91510104MA6CXW3N7P",
                employer_name="成都锦江川菜餐饮有限公司",
                occupation_code="4-03-02-01",
                labour_contract_end=date(2027, 6, 30),
            ),
        ),
        reads=(
            ("核对职业技能提升补贴申请材料", False),
            ("办理就业创业证信息变更，核对证件号码", True),
        ),
    ),
    DemoWorker(
        archive_id=DEMO_ARCHIVE_WORKER_2,
        agency="agency-mianyang",
        name="李小红",
        id_number="510703199506122469",
        phone="13800000002",
        region_code="510703",
        card_number="B51070302",
        schemes=((InsuranceScheme.PENSION, "2018-03"), (InsuranceScheme.MEDICAL, "2018-03")),
        certificate_number="5107032018000042",
        jobs=(
            DemoJob(
                kind=RegistrationKind.EMPLOYMENT,
                start=date(2018, 3, 1),
                end=date(2023, 12, 31),
                employer_credit_code="91510700MA6CRK5T2W",
                employer_name="绵阳涪城电子装配有限公司",
                occupation_code="6-25-04-01",
            ),
            DemoJob(kind=RegistrationKind.UNEMPLOYMENT, start=date(2024, 1, 15)),
        ),
        reads=(("失业登记人员就业服务回访", False),),
    ),
)


async def _ensure(worker: DemoWorker, *, settings: Settings, keyring: Keyring) -> None:
    if await Archive.get(PydanticObjectId(worker.archive_id)) is not None:
        return
    principal = await Principal.find_one({"username": worker.agency})
    if principal is None:
        raise RuntimeError(f"the demo agency {worker.agency} must be loaded first")
    actor = actor_of(principal)
    try:
        registered = await registration.register_worker(
            actor=actor,
            keyring=keyring,
            settings=settings,
            name=worker.name,
            id_type=IdType.RESIDENT_ID,
            id_number=worker.id_number,
            phone=worker.phone,
            region_code=worker.region_code,
            archive_id=worker.archive_id,
        )
    except Conflict:
        return  # another replica loading the demo at the same moment registered it first
    # The demo login exists already, so the code is used: the archive shows as active.
    with contextlib.suppress(AuthenticationFailed):
        await registration.consume_activation_code(code=registered.activation.code)
    await links.set_social_security(
        actor=actor,
        keyring=keyring,
        archive_id=worker.archive_id,
        number=worker.id_number,
        card_number=worker.card_number,
        issuing_region=worker.region_code,
        schemes=[InsuredSchemeInput(scheme, since) for scheme, since in worker.schemes],
    )
    for i, job in enumerate(worker.jobs):
        await links.add_employment_registration(
            actor=actor,
            keyring=keyring,
            archive_id=worker.archive_id,
            kind=job.kind,
            start=job.start,
            end=job.end,
            certificate_number=worker.certificate_number if i == 0 else None,
            employer_credit_code=job.employer_credit_code,
            employer_name=job.employer_name,
            occupation_code=job.occupation_code,
            labour_contract_end=job.labour_contract_end,
        )
    for purpose, reveal in worker.reads:
        if reveal:  # a read of the full numbers, with its purpose
            await reading.get_worker(
                actor=actor,
                keyring=keyring,
                archive_id=worker.archive_id,
                reveal=True,
                purpose=purpose,
            )
        else:  # a look-up by identity number (masked data only)
            await reading.search_worker(
                actor=actor, keyring=keyring, purpose=purpose, id_number=worker.id_number
            )


async def ensure_demo_worker(worker: DemoWorker, *, settings: Settings, keyring: Keyring) -> None:
    """Register one demo archive of another area's demo unless it exists (no login)."""
    await _ensure(worker, settings=settings, keyring=keyring)


async def ensure_demo_archives(*, settings: Settings, keyring: Keyring) -> None:
    """Register every missing demo archive (after the demo accounts)."""
    for worker in DEMO_WORKERS:
        await _ensure(worker, settings=settings, keyring=keyring)
