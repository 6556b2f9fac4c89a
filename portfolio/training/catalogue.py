"""The public catalogue: the classes (runs) a worker can still apply to, and one class in full.

Anyone may search it; a signed-in worker also learns which of their vouchers pay for each
class, and may keep only those. A class is *open for applications* while it has not ended
(its last day is today or later, in China), has a seat left, and its provider is active.

The query (STORAGE.md: no unindexed query on a request path) is one indexed range on
``end_date`` (the open classes are a small share of every class ever given), narrowed by
place (``region_code`` range), occupation and level, both copied onto the run from its course.
It pages in start-date order on the key (start date, id) with two queries instead of an
``$or``: the rest of the cursor's day, then the later days. Seats, the provider's status and
the vouchers are checked on the rows read, so a page reads on until it is full (at most
``MAX_BATCHES`` reads: a page may then come short, with a cursor to go on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import AuthenticationFailed, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code, parse_region_prefix
from portfolio.lookups import find_each
from portfolio.paging import Page, PageRequest, bad_cursor
from portfolio.training.catalogue_terms import (
    CourseFacts,
    PayingVouchers,
    PayingVoucherView,
    usable_vouchers,
)
from portfolio.training.course_versions import terms_of_runs
from portfolio.training.documents import Course, Enrolment, Organisation, Run
from portfolio.training.enums import Delivery, OrganisationStatus
from portfolio.training.views import EnrolmentView, SessionView
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType

MAX_BATCHES = 5
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([0-9a-f]{24})$")


class Closed(StrEnum):
    """Why a class takes no more applications."""

    ENDED = "ended"
    FULL = "full"
    PROVIDER_INACTIVE = "provider_inactive"


@dataclass(frozen=True)
class Search:
    """What a visitor searches for; None (False) leaves a criterion out.

    ``voucher_pays`` keeps the classes one of the worker's usable vouchers pays for;
    ``voucher_id`` the classes that one voucher pays for. Both need a signed-in worker.
    """

    occupation_code: str | None = None
    level: SkillLevel | None = None
    region_prefix: str | None = None
    starts_from: date | None = None
    starts_by: date | None = None
    voucher_pays: bool = False
    voucher_id: str | None = None

    @property
    def by_voucher(self) -> bool:
        """True when only classes a voucher pays for are wanted."""
        return self.voucher_pays or self.voucher_id is not None


@dataclass(frozen=True)
class CatalogueRunView:
    """One class as the catalogue shows it to anyone; ``paying_vouchers`` are the viewing
    worker's usable vouchers that pay for it (None when the viewer is not a worker)."""

    id: str
    course_id: str
    course_title: str
    occupation_code: str
    digital: bool
    green: bool
    training_type: TrainingType
    brand: SkillBrand | None
    target_level: SkillLevel
    planned_hours: float
    delivery: Delivery
    subsidy_standard_fen: int
    provider_id: str
    provider_name: str
    region_code: str
    start_date: date
    end_date: date
    location: str
    capacity: int
    seats_left: int
    closed: Closed | None
    paying_vouchers: tuple[PayingVoucherView, ...] | None

    @property
    def open(self) -> bool:
        """True while the class takes applications."""
        return self.closed is None

    @property
    def voucher_pays(self) -> bool | None:
        """Whether one of the worker's usable vouchers pays for it (None: not a worker)."""
        return None if self.paying_vouchers is None else bool(self.paying_vouchers)


@dataclass(frozen=True)
class CatalogueRunDetailView(CatalogueRunView):
    """One class in full: its trainers and sessions, and the viewing worker's application."""

    trainers: list[str]
    sessions: list[SessionView]
    session_hours: float
    my_application: EnrolmentView | None


def closed_reason(run: Run, organisation: Organisation | None, today: date) -> Closed | None:
    """Why ``run`` takes no applications on ``today`` (None: it does)."""
    if run.end_date < today:
        return Closed.ENDED
    if organisation is None or organisation.status is not OrganisationStatus.ACTIVE:
        return Closed.PROVIDER_INACTIVE
    if run.seats_taken >= run.capacity:
        return Closed.FULL
    return None


def facts_of(course: Course) -> CourseFacts:
    """What a voucher's coverage looks at in ``course``."""
    return CourseFacts(course.training_type, course.occupation_code, course.brand)


def _view(
    run: Run,
    course: Course,
    organisation: Organisation,
    *,
    closed: Closed | None,
    usable: PayingVouchers | None,
) -> CatalogueRunView:
    return CatalogueRunView(
        id=str(run.id),
        course_id=str(course.id),
        course_title=course.title,
        occupation_code=course.occupation_code,
        digital=course.digital,
        green=course.green,
        training_type=course.training_type,
        brand=course.brand,
        target_level=course.target_level,
        planned_hours=course.planned_hours,
        delivery=course.delivery,
        subsidy_standard_fen=course.subsidy_standard_fen,
        provider_id=str(organisation.id),
        provider_name=organisation.name,
        region_code=run.region_code,
        start_date=run.start_date,
        end_date=run.end_date,
        location=run.location,
        capacity=run.capacity,
        seats_left=max(0, run.capacity - run.seats_taken),
        closed=closed,
        paying_vouchers=usable.paying_for(facts_of(course)) if usable is not None else None,
    )


def _midnight(day: date) -> datetime:
    # Beanie stores a date as that day's midnight (UTC): compare against the same instant.
    return datetime.combine(day, time.min, tzinfo=UTC)


def _checked(search: Search) -> Search:
    """The search with its codes normalised; ValidationFailed names each bad criterion."""
    errors = []
    occupation, region = search.occupation_code, search.region_prefix
    try:
        if occupation:
            occupation = parse_occupation_code(occupation, field="occupation").code
    except ValidationFailed as failed:
        errors += failed.errors
    try:
        if region:
            region = parse_region_prefix(region, field="region")
    except ValidationFailed as failed:
        errors += failed.errors
    if search.starts_from and search.starts_by and search.starts_by < search.starts_from:
        errors += ValidationFailed.single(
            "starts_by", "before_start", "must not be before starts_from"
        ).errors
    if errors:
        raise ValidationFailed(errors)
    return Search(
        occupation_code=occupation or None,
        level=search.level,
        region_prefix=region or None,
        starts_from=search.starts_from,
        starts_by=search.starts_by,
        voucher_pays=search.voucher_pays,
        voucher_id=search.voucher_id or None,
    )


def _cursor(raw: str | None) -> tuple[datetime, PydanticObjectId] | None:
    if not raw:
        return None
    match = _CURSOR.match(raw)
    if match is None:
        raise bad_cursor()
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise bad_cursor() from None
    return _midnight(day), PydanticObjectId(match.group(2))


def _key(run: Run) -> str:
    return f"{run.start_date.isoformat()}.{run.id}"


async def _viewer_vouchers(actor: Actor | None, search: Search) -> PayingVouchers | None:
    """The worker's usable vouchers (None for anyone else); a voucher search needs a worker."""
    if actor is None:
        if search.by_voucher:
            raise AuthenticationFailed("sign in as a worker to search by your vouchers")
        return None
    if actor.role is not Role.WORKER:
        if search.by_voucher:
            raise Forbidden("only a worker has vouchers to search by")
        return None
    return await usable_vouchers(actor=actor, only=search.voucher_id)


async def _read(
    base: dict[str, Any], starts: dict[str, Any], after: tuple[datetime, Any] | None, size: int
) -> list[Run]:
    """Up to ``size`` runs after the key ``after``, in (start date, id) order."""
    order = ("+start_date", "+_id")
    if after is None:
        query = {**base, **({"start_date": starts} if starts else {})}
        return await Run.find(query).sort(*order).limit(size).to_list()
    day, last_id = after
    same_day = await (
        Run.find({**base, "start_date": day, "_id": {"$gt": last_id}})
        .sort("+_id")
        .limit(size)
        .to_list()
    )
    later = await (
        Run.find({**base, "start_date": {**starts, "$gt": day}}).sort(*order).limit(size).to_list()
    )
    return (same_day + later)[:size]


class _Lookups:
    """The providers of the runs read, each fetched once per request."""

    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}

    async def load(self, runs: list[Run]) -> None:
        owners = {r.organisation_id for r in runs} - set(self.organisations)
        organisation_ids = [ids.parse(i, "organisation") for i in owners]
        for organisation in await find_each(Organisation, "_id", organisation_ids):
            self.organisations[str(organisation.id)] = organisation


async def search(
    *, actor: Actor | None, search: Search, page: PageRequest, now: datetime | None = None
) -> Page[CatalogueRunView]:
    """One page of the classes open for applications that match ``search``, soonest first."""
    search = _checked(search)
    after = _cursor(page.cursor)
    usable = await _viewer_vouchers(actor, search)
    today = clock.china_today(now)
    base: dict[str, Any] = {"end_date": {"$gte": _midnight(today)}}
    if search.region_prefix:
        base["region_code"] = region_range(search.region_prefix)
    if search.occupation_code:
        base["occupation_code"] = search.occupation_code
    if search.level is not None:
        base["target_level"] = search.level.value
    starts: dict[str, Any] = {}
    if search.starts_from:
        starts["$gte"] = _midnight(search.starts_from)
    if search.starts_by:
        starts["$lte"] = _midnight(search.starts_by)
    lookups = _Lookups()
    shown: list[CatalogueRunView] = []
    last_read: Run | None = None
    # One more than a page: the extra row only says that a next page exists.
    size = page.limit + 1
    for _ in range(MAX_BATCHES):
        runs = await _read(base, starts, after, size)
        await lookups.load(runs)
        # Each class shows its course as it was scheduled (course_versions.py).
        terms = await terms_of_runs(runs)
        for run in runs:
            last_read = run
            course = terms.get(str(run.id))
            organisation = lookups.organisations.get(run.organisation_id)
            if course is None or organisation is None:
                continue
            if closed_reason(run, organisation, today) is not None:
                continue
            view = _view(run, course, organisation, closed=None, usable=usable)
            if search.by_voucher and not view.paying_vouchers:
                continue
            if len(shown) == page.limit:
                # A match beyond the page: there is a next page, starting after the last shown.
                return Page(items=shown, next_cursor=_key_of(shown[-1]))
            shown.append(view)
        if len(runs) < size:
            return Page(items=shown, next_cursor=None)
        assert runs[-1].id is not None
        after = (_midnight(runs[-1].start_date), runs[-1].id)
    # Read as much as one request may: go on from the last row read.
    return Page(items=shown, next_cursor=_key(last_read) if last_read is not None else None)


def _key_of(view: CatalogueRunView) -> str:
    return f"{view.start_date.isoformat()}.{view.id}"


async def run_detail(
    *, actor: Actor | None, run_id: str, now: datetime | None = None
) -> CatalogueRunDetailView:
    """One class for anyone (ended or full ones too, saying so); a signed-in worker also sees
    which of their vouchers pay for it and their application, if any."""
    run = await Run.get(ids.parse(run_id, "run"))
    if run is None:
        raise NotFound("no such run")
    course = (await terms_of_runs([run])).get(str(run.id))
    organisation = await Organisation.get(ids.parse(run.organisation_id, "organisation"))
    if course is None or organisation is None:
        raise NotFound("no such run")
    worker = actor is not None and actor.role is Role.WORKER and bool(actor.archive_id)
    usable = await usable_vouchers(actor=actor, now=now) if worker and actor else None
    application = None
    if worker and actor is not None:
        mine = await Enrolment.find_one({"run_id": str(run.id), "archive_id": actor.archive_id})
        application = EnrolmentView.of(mine) if mine is not None else None
    closed = closed_reason(run, organisation, clock.china_today(now))
    listed = _view(run, course, organisation, closed=closed, usable=usable)
    return CatalogueRunDetailView(
        **{f.name: getattr(listed, f.name) for f in fields(CatalogueRunView)},
        trainers=list(run.trainers),
        sessions=[SessionView.of(s) for s in run.sessions],
        session_hours=sum(s.hours for s in run.sessions),
        my_application=application,
    )
