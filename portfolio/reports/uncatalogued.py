"""Stored occupation codes the catalogue does not have: the uncatalogued report.

New writes must name a catalogued occupation (``portfolio.occupations.require_catalogued``);
what was stored before the catalogue existed, or before an occupation was added to it, is
not refused anywhere. This report lists those codes, with how many documents of each
collection name them, so an agency can ask the providers to move to a catalogued code (a new
course version) or a province agency can add an occupation that was published meanwhile.

An agency sees its region (courses and apprenticeships by the organisation's region,
certificates by the holder's, voucher policies within its scope); the service admin sees
all: codes and counts are not worker data. Each collection is counted with one grouping on
the code; the figures in the README say what that costs on the seeded data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portfolio import apprenticeships, occupations, training, vouchers
from portfolio.accounts import Actor, Role
from portfolio.errors import Forbidden

COLLECTIONS = ("courses", "certificates", "apprenticeships", "voucher_policies")


@dataclass(frozen=True)
class UncataloguedCode:
    """One stored code the catalogue lacks, and how many documents of each collection name
    it (every collection of ``COLLECTIONS`` present, 0 where none)."""

    code: str
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class UncataloguedReport:
    """The report for one reach: the region prefix (None: the whole service) and its rows,
    by code."""

    region_prefix: str | None
    collections: tuple[str, ...] = COLLECTIONS
    codes: list[UncataloguedCode] = field(default_factory=list)


def _reach(actor: Actor) -> str | None:
    if actor.role is Role.AGENCY and actor.region_prefix:
        return actor.region_prefix
    if actor.role is Role.ADMIN:
        return None
    raise Forbidden("the uncatalogued report is for agencies and the service admin")


async def uncatalogued_codes(*, actor: Actor) -> UncataloguedReport:
    """The stored occupation codes within the actor's reach that are not catalogued."""
    region = _reach(actor)
    counted: dict[str, dict[str, int]] = {}
    for area in (training, apprenticeships, vouchers):
        counted |= await area.stored_occupation_codes(region)
    stored = {code for per_code in counted.values() for code in per_code}
    missing = await occupations.uncatalogued(stored)
    rows = []
    for code in sorted(missing):
        counts = {name: counted.get(name, {}).get(code, 0) for name in COLLECTIONS}
        rows.append(UncataloguedCode(code=code, counts=counts, total=sum(counts.values())))
    return UncataloguedReport(region_prefix=region, codes=rows)
