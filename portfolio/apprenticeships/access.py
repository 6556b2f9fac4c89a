"""Who reaches an agreement, and as which party.

Object-level reach (DESIGN.md convention 2): an agreement outside the caller's reach is
``NotFound``, as if it did not exist. The employer's and the institution's users, the
apprentice, agencies covering the employer's or the worker's region, and admins see it; only
the parties act on it, each for its own steps.
"""

from __future__ import annotations

from portfolio.accounts.principal import Actor, Role
from portfolio.apprenticeships.documents import Apprenticeship
from portfolio.apprenticeships.enums import Party
from portfolio.errors import Forbidden, NotFound
from portfolio.ids import parse as object_id
from portfolio.training.organisations import acting_organisation

_NOT_FOUND = "no such apprenticeship"


def can_see(actor: Actor, apprenticeship: Apprenticeship) -> bool:
    """Whether ``actor`` may read this agreement."""
    if actor.role is Role.PROVIDER:
        return actor.organisation_id in (apprenticeship.employer_id, apprenticeship.institution_id)
    if actor.role is Role.WORKER:
        return actor.archive_id == apprenticeship.archive_id
    if actor.role is Role.AGENCY:
        return actor.covers_region(apprenticeship.region_code) or actor.covers_region(
            apprenticeship.worker_region_code
        )
    return actor.role is Role.ADMIN


async def get_visible(*, actor: Actor, apprenticeship_id: str) -> Apprenticeship:
    """The agreement if the caller may see it, else NotFound."""
    found = await Apprenticeship.get(object_id(apprenticeship_id, "apprenticeship"))
    if found is None or not can_see(actor, found):
        raise NotFound(_NOT_FOUND)
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
