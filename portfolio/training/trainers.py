"""The trainer registry: each provider's own trainers, named by id on its runs.

A provider lists, adds and removes the trainers of its own organisation; another
organisation's trainers do not exist for it (404). A removed trainer stays stored (its old runs
still name it) but can be put on no new run. The fraud rules read ``Run.trainer_ids`` to find a
trainer booked in two places at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.training.changes_runs import trainer_changed
from portfolio.training.documents import Run, Trainer
from portfolio.training.organisations import acting_organisation

ACTIVE = "active"
REMOVED = "removed"
MAX_TEXT = 200


@dataclass(frozen=True)
class NewTrainer:
    """A trainer as the provider registers them."""

    name: str
    qualification: str
    certificate_number: str


@dataclass(frozen=True)
class TrainerView:
    """A registered trainer."""

    id: str
    organisation_id: str
    name: str
    qualification: str
    certificate_number: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, trainer: Trainer) -> TrainerView:
        """The view of a stored trainer."""
        return cls(
            id=str(trainer.id),
            organisation_id=trainer.organisation_id,
            name=trainer.name,
            qualification=trainer.qualification,
            certificate_number=trainer.certificate_number,
            status=trainer.status,
            created_at=trainer.created_at,
        )


async def add(*, actor: Actor, trainer: NewTrainer) -> TrainerView:
    """A provider registers a trainer of its own organisation."""
    organisation = await acting_organisation(actor)
    name = trainer.name.strip()
    if not name:
        raise ValidationFailed.single("name", "required", "the trainer's name is required")
    stored = Trainer(
        organisation_id=str(organisation.id),
        name=name,
        qualification=trainer.qualification.strip(),
        certificate_number=trainer.certificate_number.strip(),
        created_at=clock.now(),
        created_by=actor.principal_id,
        region_code=organisation.region_code,
    )
    await stored.insert()
    await trainer_changed(None, stored, reason="trainer registered")
    return TrainerView.of(stored)


async def list_own(*, actor: Actor, page: PageRequest) -> Page[TrainerView]:
    """The trainers of the provider's own organisation, removed ones marked, oldest first."""
    keys = by_id(page)  # a malformed cursor is the caller's error, whoever they are
    organisation = await acting_organisation(actor, to_record=False)
    return await id_page(
        Trainer, {"organisation_id": str(organisation.id)}, keys, view=TrainerView.of
    )


async def get_own(*, actor: Actor, trainer_id: str) -> TrainerView:
    """One trainer of the provider's own organisation (another's: not found)."""
    organisation = await acting_organisation(actor, to_record=False)
    found = await Trainer.find_one(
        {"_id": ids.parse(trainer_id, "trainer"), "organisation_id": str(organisation.id)}
    )
    if found is None:
        raise NotFound("no such trainer")
    return TrainerView.of(found)


async def remove(*, actor: Actor, trainer_id: str) -> TrainerView:
    """A provider removes one of its trainers from new runs (one conditional update)."""
    organisation = await acting_organisation(actor)
    oid = ids.parse(trainer_id, "trainer")
    found = await Trainer.find_one({"_id": oid, "organisation_id": str(organisation.id)})
    if found is None:
        raise NotFound("no such trainer")
    now = clock.now()
    moved = await Trainer.get_pymongo_collection().update_one(
        {"_id": oid, "status": ACTIVE, "version": found.version},
        {
            "$set": {"status": REMOVED, "removed_at": now, "changed_at_ms": clock.epoch_ms(now)},
            "$inc": {"version": 1},
        },
    )
    fresh = await Trainer.get(oid)
    assert fresh is not None
    if moved.modified_count != 1:
        raise InvalidTransition("the trainer is already removed", current_state=fresh.status)
    await trainer_changed(found, fresh, reason="trainer removed")
    return TrainerView.of(fresh)


async def check_trainer_ids(organisation_id: str, trainer_ids: Sequence[str]) -> list[str]:
    """``trainer_ids`` as stored: each an active trainer of ``organisation_id``, once."""
    unique = list(dict.fromkeys(trainer_ids))
    wanted = [oid for raw in unique if (oid := ids.parse_or_none(raw)) is not None]
    found = {
        str(t.id)
        async for t in Trainer.find(
            {"_id": {"$in": wanted}, "organisation_id": organisation_id, "status": ACTIVE}
        )
    }
    errors = [
        FieldError(f"trainer_ids.{i}", "unknown_trainer", "no such active trainer of yours")
        for i, raw in enumerate(unique)
        if raw not in found
    ]
    if errors:
        raise ValidationFailed(errors)
    return unique


async def names_on(run: Run) -> list[str]:
    """Who teaches ``run``, by name: its registered trainers (removed ones too: they taught
    it), then the free-text names of runs scheduled before the registry, each name once."""
    wanted = [oid for raw in run.trainer_ids if (oid := ids.parse_or_none(raw)) is not None]
    named: dict[str, str] = {}
    if wanted:
        found = Trainer.find({"_id": {"$in": wanted}, "organisation_id": run.organisation_id})
        named = {str(t.id): t.name async for t in found}
    names = [named[i] for i in run.trainer_ids if i in named]
    return names + [n for n in run.trainers if n not in names]
