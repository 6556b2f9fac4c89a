"""A province-level agency adds an occupation the ministry has published since the file.

The national classification is national: only an agency whose scope is a whole province
(a 2-digit region prefix) adds to it (the HTTP gate narrows that to its officers and its
admin: reviewers and auditors read). Each addition keeps who added it, when, from which
publication (the ministry's notice) and why, and enters the change trail. It is one insert
with the code as ``_id``: of two racing additions one is written; the other, and a retry,
get the stored one back when they say the same, a conflict when they do not. An addition is
never edited or removed (codes are in use once added).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portfolio import audit, clock
from portfolio.accounts import Actor, Role
from portfolio.errors import Conflict, FieldError, Forbidden, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations.catalogue import published
from portfolio.occupations.documents import AddedOccupation
from portfolio.occupations.views import OccupationView
from portfolio.once import insert_once

KIND = "occupation"
MAX_NAME = 60
MAX_SOURCE = 200
MAX_REASON = 500


@dataclass(frozen=True)
class NewOccupation:
    """An occupation to add: its code (flags ``(S)``/``(L)`` may follow it), its name, the
    publication it comes from and why it is added."""

    code: str
    name: str
    source_document: str
    reason: str = ""
    digital: bool = False
    green: bool = False


def is_province_agency(actor: Actor) -> bool:
    """An agency whose scope is a whole province (region codes ``NN0000`` and below)."""
    return actor.role is Role.AGENCY and len(actor.region_prefix or "") == 2


def _checked(addition: NewOccupation) -> AddedOccupation:
    errors: list[FieldError] = []
    code, digital, green = addition.code, addition.digital, addition.green
    try:
        parsed = parse_occupation_code(addition.code, field="code")
        code, digital, green = parsed.code, digital or parsed.digital, green or parsed.green
    except ValidationFailed as failed:
        errors += failed.errors
    name = " ".join(addition.name.split())
    if not name:
        errors.append(FieldError("name", "required", "the occupation's name is required"))
    elif len(name) > MAX_NAME:
        errors.append(FieldError("name", "too_long", f"at most {MAX_NAME} characters"))
    source = addition.source_document.strip()
    if not source:
        errors.append(
            FieldError("source_document", "required", "name the publication (the notice)")
        )
    elif len(source) > MAX_SOURCE:
        errors.append(FieldError("source_document", "too_long", f"at most {MAX_SOURCE}"))
    reason = addition.reason.strip()
    if len(reason) > MAX_REASON:
        errors.append(FieldError("reason", "too_long", f"at most {MAX_REASON} characters"))
    if errors:
        raise ValidationFailed(errors)
    if code in published().rows:
        raise Conflict("this code is in the published catalogue already", occupation_code=code)
    return AddedOccupation(
        id=code,
        name=name,
        digital=digital,
        green=green,
        source_document=source,
        reason=reason,
        added_by="",
        added_by_username="",
        region_prefix="",
        added_at=clock.now(),
    )


def shown(added: AddedOccupation) -> dict[str, Any]:
    """An addition as the change trail keeps it (public facts: nothing personal)."""
    return {
        "name": added.name,
        "digital": added.digital,
        "green": added.green,
        "source_document": added.source_document,
    }


def _same(stored: AddedOccupation, wanted: AddedOccupation) -> bool:
    return shown(stored) == shown(wanted)


async def add_occupation(*, actor: Actor, addition: NewOccupation) -> OccupationView:
    """A province-level agency adds a published occupation."""
    if not is_province_agency(actor):
        raise Forbidden("only a province-level agency adds occupations")
    wanted = _checked(addition)
    now = clock.truncate_to_millis(clock.now())
    stored = wanted.model_copy(
        update={
            "added_by": actor.principal_id,
            "added_by_username": actor.username,
            "region_prefix": actor.region_prefix or "",
            "added_at": now,
        }
    )
    if not await insert_once(stored):
        found = await AddedOccupation.get(wanted.id)
        if found is None or not _same(found, wanted):
            raise Conflict(
                "this occupation was added already, with other details", occupation_code=wanted.id
            )
        stored = found
    # Written after the insert and keyed by (code, version 0): a retry that finds the
    # occupation stored writes the record a crash may have left out, and never a second one.
    await audit.changed(
        KIND,
        stored.id,
        0,
        None,
        shown(stored),
        reason=stored.reason or "occupation added",
        region=stored.region_prefix,
        actor=actor,
    )
    return OccupationView.of_added(stored)


def _added_between(since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [{"added_at": {"$gte": since, "$lt": until}}]


def _snapshot(added: AddedOccupation) -> audit.Snapshot:
    return audit.Snapshot(added.id, added.version, shown(added), added.region_prefix)


audit.register_documents(KIND, AddedOccupation, _added_between, _snapshot)
