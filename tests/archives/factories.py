"""Plain factory functions for archive tests: actors, valid identity numbers, registrations."""

from __future__ import annotations

import itertools
from datetime import date

from stdnum.cn import ric

from api.runtime import Runtime
from portfolio.accounts.principal import Actor, Role
from portfolio.archives import registration
from portfolio.archives.views import RegisteredWorker
from portfolio.identity.identifiers import IdType

_serial = itertools.count(1)


def resident_id(area: str = "510104", birth: date = date(1990, 1, 1), seq: int = 123) -> str:
    """A resident identity number with a correct check character."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def fresh_resident_id(area: str = "510104", birth: date = date(1990, 1, 1)) -> str:
    """A resident identity number no other call of this function returns (per session)."""
    n = next(_serial)
    return resident_id(area, date(birth.year - n // 1000 % 50, birth.month, birth.day), n % 1000)


def agency(prefix: str = "5101") -> Actor:
    """An agency user scoped to ``prefix``."""
    return Actor(
        principal_id=f"agency-principal-{prefix}",
        username=f"agency-{prefix}",
        role=Role.AGENCY,
        region_prefix=prefix,
    )


def worker(archive_id: str) -> Actor:
    """The worker principal of ``archive_id``."""
    return Actor(
        principal_id=f"worker-principal-{archive_id}",
        username=f"worker-{archive_id}",
        role=Role.WORKER,
        archive_id=archive_id,
    )


def provider(organisation_id: str = "org-1") -> Actor:
    """A provider user of ``organisation_id``."""
    return Actor(
        principal_id=f"provider-principal-{organisation_id}",
        username=f"provider-{organisation_id}",
        role=Role.PROVIDER,
        organisation_id=organisation_id,
    )


async def register(
    runtime: Runtime,
    *,
    id_number: str | None = None,
    region_code: str = "510104",
    by: Actor | None = None,
    name: str = "张三",
    phone: str = "13800138000",
) -> RegisteredWorker:
    """A resident worker registered by an agency covering ``region_code``."""
    return await registration.register_worker(
        actor=by or agency(region_code[:4]),
        keyring=runtime.keyring,
        settings=runtime.settings,
        name=name,
        id_type=IdType.RESIDENT_ID,
        id_number=id_number or fresh_resident_id(),
        phone=phone,
        region_code=region_code,
    )
