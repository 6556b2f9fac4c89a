"""Names for the ids the record keeps: who recorded an entry, which agency read the data.

An entry's recorder and an access-log line name a principal, an organisation or an agency's
region by id or code; a person recognises a username, a school's name and a city. A name that
cannot be found (an account or organisation since removed, a district without a table entry)
is left out and the page shows what the record holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from portfolio import ids
from portfolio.accounts.documents import Principal
from portfolio.lookups import find_each
from portfolio.seed.geography import CITY_BY_CODE
from portfolio.training.documents import Organisation

# The province's own prefix; a city's is its 4-digit code (the synthetic province's table of
# Sichuan's real divisions), a district's is not named.
_PROVINCES = {"51": "四川省"}


def region_name(code: str | None) -> str | None:
    """The name of a region prefix (2 or 4 digits) when it is one we know, else None."""
    if not code:
        return None
    if len(code) == 2:
        return _PROVINCES.get(code)
    city = CITY_BY_CODE.get(code[:4])
    return city.name if city is not None and len(code) == 4 else None


async def usernames(principal_ids: Iterable[str]) -> dict[str, str]:
    """Principal id -> username, for the ids that name an account."""
    wanted = [oid for oid in (ids.parse_or_none(p) for p in set(principal_ids)) if oid]
    found = await find_each(Principal, "_id", wanted)
    return {str(p.id): p.username for p in found}


async def organisation_names(organisation_ids: Iterable[str]) -> dict[str, str]:
    """Organisation id -> name, for the ids that name a training organisation."""
    wanted = [oid for oid in (ids.parse_or_none(o) for o in set(organisation_ids)) if oid]
    found = await find_each(Organisation, "_id", wanted)
    return {str(o.id): o.name for o in found}
