"""Who reaches an agreement or a mentor, and as which party.

Object-level reach (DESIGN.md convention 2): an object outside the caller's reach is
``NotFound``, as if it did not exist. One rule per kind of object, written once as data
(:class:`Reach`), decides both a single read (:meth:`Reach.admits`) and a list (the queries of
:meth:`Reach.queries`), so the two cannot disagree:

* an agreement: the employer's and the institution's users, the apprentice, and agencies
  covering the employer's *or* the worker's region (not admins: it names the apprentice, and
  an admin sees no worker data). Only the parties act on it, each for
  its own steps (:func:`acting_party`); an agency approves only for the employer's region.
* a mentor: its organisation's users, agencies covering the organisation's region, admins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId

from portfolio import ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.apprenticeships.documents import Apprenticeship
from portfolio.apprenticeships.enums import Party
from portfolio.errors import Forbidden, NotFound
from portfolio.training import acting_organisation

D = TypeVar("D", bound=Document)


@dataclass(frozen=True)
class Way:
    """One way to reach an object: its stored ``field`` equals ``value`` (or, for a region,
    starts with it)."""

    field: str
    value: str
    prefix: bool = False

    def admits(self, stored: object) -> bool:
        """Whether ``stored`` is reached this way."""
        held = getattr(stored, self.field)
        return isinstance(held, str) and (
            held.startswith(self.value) if self.prefix else held == self.value
        )

    def condition(self) -> Any:
        """The same test as a query condition on ``field`` (an indexed equality or range)."""
        return region_range(self.value) if self.prefix else self.value


@dataclass(frozen=True)
class Reach:
    """The objects an actor reaches: those reached by any of ``ways``, or every one."""

    ways: tuple[Way, ...] = ()
    everything: bool = False

    def admits(self, stored: object) -> bool:
        """Whether a single read of ``stored`` is within reach."""
        return self.everything or any(way.admits(stored) for way in self.ways)

    def queries(self, base: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``base`` narrowed to the reach: one query per way, whose results add up (no
        ``$or``: each stays one indexed query on nx-27017). Empty when nothing is reached."""
        if self.everything:
            return [dict(base)]
        return [{**base, way.field: way.condition()} for way in self.ways]


def _region_ways(actor: Actor, *fields: str) -> tuple[Way, ...]:
    prefix = actor.region_prefix
    return tuple(Way(name, prefix, prefix=True) for name in fields) if prefix else ()


def agreement_reach(actor: Actor) -> Reach:
    """The agreements ``actor`` may read (see the module docstring)."""
    if actor.role is Role.PROVIDER:
        own = actor.organisation_id
        return Reach((Way("employer_id", own), Way("institution_id", own)) if own else ())
    if actor.role is Role.WORKER:
        return Reach((Way("archive_id", actor.archive_id),) if actor.archive_id else ())
    if actor.role is Role.AGENCY:
        return Reach(_region_ways(actor, "region_code", "worker_region_code"))
    return Reach(())


def mentor_reach(actor: Actor) -> Reach:
    """The mentors ``actor`` may read (see the module docstring)."""
    if actor.role is Role.PROVIDER:
        own = actor.organisation_id
        return Reach((Way("organisation_id", own),) if own else ())
    if actor.role is Role.AGENCY:
        return Reach(_region_ways(actor, "region_code"))
    return Reach(everything=actor.role is Role.ADMIN)


async def listed(
    document: type[D],
    reach: Reach,
    base: Mapping[str, Any],
    *,
    after: PydanticObjectId | None,
    limit: int,
    newest_first: bool = False,
) -> list[D]:
    """One page of ``document`` within ``reach`` and matching ``base``, keyset-paged on
    ``_id`` (the results of the reach's queries merged, each object once)."""
    query = dict(base)
    if after is not None:
        query["_id"] = {"$lt" if newest_first else "$gt": after}
    found: dict[str, D] = {}
    for each in reach.queries(query):
        cursor = document.find(each).sort("-_id" if newest_first else "+_id").limit(limit)
        for item in await cursor.to_list():
            found[str(item.id)] = item
    # ObjectIds' hex strings sort as the ids do.
    return [found[key] for key in sorted(found, reverse=newest_first)][:limit]


async def get_visible(*, actor: Actor, apprenticeship_id: str) -> Apprenticeship:
    """The agreement if the caller may see it, else NotFound."""
    found = await Apprenticeship.get(ids.parse(apprenticeship_id, "apprenticeship"))
    if found is None or not agreement_reach(actor).admits(found):
        raise NotFound("no such apprenticeship")
    return found


def provider_party(actor: Actor, apprenticeship: Apprenticeship) -> Party:
    """The employer or the institution the provider user acts for (after ``get_visible``)."""
    if actor.role is Role.PROVIDER:
        if actor.organisation_id == apprenticeship.employer_id:
            return Party.EMPLOYER
        if actor.organisation_id == apprenticeship.institution_id:
            return Party.INSTITUTION
    raise Forbidden("only the employer's or the institution's users may do this")


async def acting_party(actor: Actor, apprenticeship: Apprenticeship, *allowed: Party) -> Party:
    """The caller's party, if it is one of ``allowed`` and its organisation may record."""
    party = provider_party(actor, apprenticeship)
    if party not in allowed:
        names = " or the ".join(p.value for p in allowed)
        raise Forbidden(f"only the {names} may do this")
    await acting_organisation(actor)  # refuses a suspended organisation
    return party
