"""Before a registration is written: the fields checked, what the number says, and whether
the person has an archive already.

The officer types the worker's details at the counter; ``check_registration`` checks them
exactly as ``register_worker`` will (every error at once, the region's scope), reads the birth
date, sex and area back from the number for the officer to confirm with the worker, and looks
the person up by the blind index of the number (in every region: one archive per person), so a
duplicate is found before anything is written. Nothing is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from stdnum import numdb

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.archives.documents import Archive
from portfolio.archives.reading import ssn_lookup_key
from portfolio.archives.registration import SSN_IS_ID_NUMBER, validate_registration
from portfolio.archives.scope import require_agency
from portfolio.identity import (
    FieldProtection,
    IdType,
    Sex,
    china_today,
    mask_identity_number,
    mask_phone,
)
from portfolio.keyring import Keyring

# "[1990-]锦江区": GB/T 2260 names carry the years they were used in.
_YEARS = re.compile(r"^\[[0-9-]*\]")


@dataclass(frozen=True)
class RegistrationCheck:
    """What a registration would write, for the officer to confirm with the worker.

    ``area_code``/``area_name``: the place of first registration the number encodes (resident
    IDs), None for other documents. ``existing_region``: the region of the person's archive
    when they have one already (then nothing may be registered; ask that region to transfer).
    """

    name: str
    id_type: IdType
    id_number: str
    id_number_masked: str
    nationality: str | None
    birth_date: date
    sex: Sex
    area_code: str | None
    area_name: str | None
    phone: str
    phone_masked: str
    region_code: str
    existing_region: str | None


def area_name(code: str) -> str | None:
    """The province, city and county a GB/T 2260 area code names, in Chinese (None unknown)."""
    parts = numdb.get("cn/loc").info(code)
    names = [
        _YEARS.sub("", value)
        for _, props in parts
        for key, value in props.items()
        if key in ("province", "prefecture", "county")
    ]
    return " ".join(names) or None


async def check_registration(
    *,
    actor: Actor,
    keyring: Keyring,
    name: str,
    id_type: IdType,
    id_number: str,
    phone: str,
    region_code: str,
    nationality: str | None = None,
    birth_date: date | None = None,
    sex: Sex | None = None,
    now: datetime | None = None,
) -> RegistrationCheck:
    """Check a registration as ``register_worker`` would, and find a duplicate; no write.

    Raises ``ValidationFailed`` naming each field in error (``outside_scope`` for a region
    outside the agency's).
    """
    prefix = require_agency(actor)
    checked = validate_registration(
        prefix=prefix,
        name=name,
        id_type=id_type,
        id_number=id_number,
        phone=phone,
        region_code=region_code,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        today=china_today(now or clock.now()),
    )
    identity = checked.identity
    protection = FieldProtection(keyring)
    indexes = [{"id_index": protection.blind_index(identity.lookup_key)}]
    if identity.id_type in SSN_IS_ID_NUMBER:
        indexes.append({"ssn_index": protection.blind_index(ssn_lookup_key(identity.number))})
    existing = await Archive.find_one({"$or": indexes})
    encodes_area = identity.id_type is IdType.RESIDENT_ID
    return RegistrationCheck(
        name=checked.name,
        id_type=identity.id_type,
        id_number=identity.number,
        id_number_masked=mask_identity_number(identity.number),
        nationality=identity.nationality,
        birth_date=checked.birth_date,
        sex=checked.sex,
        area_code=identity.number[:6] if encodes_area else None,
        area_name=area_name(identity.number[:6]) if encodes_area else None,
        phone=checked.phone,
        phone_masked=mask_phone(checked.phone),
        region_code=checked.region_code,
        existing_region=existing.region_code if existing is not None else None,
    )
