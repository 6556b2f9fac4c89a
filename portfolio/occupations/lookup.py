"""Reading the catalogue: is a code catalogued, one occupation, a search.

The catalogue is the published file (``catalogue.py``, in memory) plus the occupations
agencies added (``occupation_additions``, a small collection keyed by code). A code is
catalogued when it is an occupation in either. Checks go to the file first and read the
collection by ``_id`` only when the file does not have the code, so the common case costs no
query.

New writes call :func:`require_catalogued` (or :func:`catalogue_errors` where a use case
names every broken rule at once); codes stored before the catalogue existed are not refused
anywhere, the uncatalogued report lists them (``portfolio.reports.uncatalogued``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from portfolio.errors import FieldError, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations.catalogue import Tier, published, tier_of
from portfolio.occupations.documents import AddedOccupation
from portfolio.occupations.views import OccupationView
from portfolio.paging import Page, PageRequest, bad_cursor, page_of

NOT_CATALOGUED = "not_catalogued"
MAX_QUERY = 40
# Far above the occupations a form would offer (the classification has about 1,600).
SUGGESTED = 2_000


def _refusal(field: str, code: str) -> FieldError:
    return FieldError(
        field,
        NOT_CATALOGUED,
        f"occupation {code} is not in the catalogue (职业分类大典 and the occupations added "
        "since); a province-level agency adds newly published ones",
    )


def _in_file(code: str) -> bool:
    row = published().rows.get(code)
    return row is not None and row.tier is Tier.OCCUPATION


async def is_catalogued(code: str) -> bool:
    """Whether ``code`` (a bare N-NN-NN-NN code) is a catalogued occupation."""
    return _in_file(code) or await AddedOccupation.get(code) is not None


async def uncatalogued(codes: Iterable[str]) -> set[str]:
    """Those of ``codes`` (bare codes, or anything stored) that are not catalogued."""
    missing = {code for code in set(codes) if not _in_file(code)}
    if not missing:
        return set()
    # One read by _id per code: the report asks about a handful of distinct codes.
    return {code for code in missing if await AddedOccupation.get(code) is None}


async def require_catalogued(code: str, *, field: str) -> None:
    """Refuse ``code`` unless it is a catalogued occupation: a malformed code with the
    ``format`` rule, a well-formed one the catalogue lacks with ``not_catalogued``."""
    bare = parse_occupation_code(code, field=field).code
    if not await is_catalogued(bare):
        raise ValidationFailed([_refusal(field, bare)])


async def catalogue_errors(
    fields: Mapping[str, str], *, kept: Iterable[str] = ()
) -> list[FieldError]:
    """The ``not_catalogued`` error of each well-formed code among ``fields`` (field name ->
    code) the catalogue lacks; malformed codes are left to the caller's format check, so a
    use case that names every broken rule at once names each once. Codes in ``kept`` (what
    the object being changed stores already) pass: a stored code is reported, not refused,
    so a new version or a correction may keep it."""
    errors: list[FieldError] = []
    stored = set(kept)
    for field, raw in fields.items():
        try:
            bare = parse_occupation_code(raw, field=field).code
        except ValidationFailed:
            continue
        if bare not in stored and not await is_catalogued(bare):
            errors.append(_refusal(field, bare))
    return errors


async def find_occupation(code: str) -> OccupationView | None:
    """One catalogue row (any tier) by its code; flags after the code are ignored."""
    wanted = code.strip()
    with contextlib.suppress(ValidationFailed):
        wanted = parse_occupation_code(wanted).code
    row = published().rows.get(wanted)
    if row is not None:
        return OccupationView.of_row(row)
    if tier_of(wanted) is not Tier.OCCUPATION:
        return None
    added = await AddedOccupation.get(wanted)
    return OccupationView.of_added(added) if added is not None else None


@dataclass(frozen=True)
class Search:
    """What to look for: ``query`` is a code prefix (``4-03``) or part of a name (烹调),
    ``tier`` keeps one tier only; both empty list the whole catalogue in code order."""

    query: str = ""
    tier: Tier | None = None


def _matches(view: OccupationView, query: str, tier: Tier | None) -> bool:
    if tier is not None and view.tier is not tier:
        return False
    if not query:
        return True
    if query[0].isdigit():
        return view.code.startswith(query)
    return query in view.name


async def search(*, search: Search, page: PageRequest) -> Page[OccupationView]:
    """Catalogue rows in code order, after the cursor (the last code shown)."""
    query = search.query.strip()
    if len(query) > MAX_QUERY:
        raise ValidationFailed.single("q", "too_long", f"at most {MAX_QUERY} characters")
    after = page.cursor or ""
    if after and tier_of(after) is None:
        raise bad_cursor()
    views = [OccupationView.of_row(row) for row in published().rows.values()]
    # The additions are few (the ministry publishes tens of occupations a year): read them
    # whole, in code order (the _id index), and merge.
    views += [OccupationView.of_added(a) async for a in AddedOccupation.find().sort("_id")]
    shown = sorted(
        (v for v in views if v.code > after and _matches(v, query, search.tier)),
        key=lambda v: v.code,
    )
    return page_of(shown, page.limit, key=lambda v: v.code, view=lambda v: v)


async def suggestions() -> list[OccupationView]:
    """Every catalogued occupation in code order: what a form offers as it is typed."""
    every = Search(tier=Tier.OCCUPATION)
    return (await search(search=every, page=PageRequest(limit=SUGGESTED))).items
