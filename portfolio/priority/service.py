"""Recording and ending priority-group memberships.

An officer of the worker's region records a membership with its source (the register or the
document it rests on: 残疾人证, 脱贫人口信息系统, 退役军人证, 失业登记, ...) and its dates; a
sensitive one is sealed before it is written (``sealing.py``). Ending it is one conditional
replace on the expected version and state, with a reason. The change trail keeps each change,
a sensitive membership's group and source never in it (it says only "sensitive").

Memberships are not stated in the archive's hash chain: the chain's payloads are kept in the
clear and shown with the archive, and a disability must not be there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import audit, clock, ids
from portfolio.accounts import Actor, Role, StaffRole
from portfolio.archives import archive_for_agency, log_reads, to_bson
from portfolio.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from portfolio.faults import crash_point
from portfolio.identity import FieldProtection
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.priority import sealing
from portfolio.priority.documents import MembershipStatus, PriorityMembership
from portfolio.priority.views import MembershipView
from portfolio.vocabulary import SENSITIVE_GROUPS, PriorityGroup

MAX_SOURCE = 200
MAX_REASON = 500
FIRST_DAY = date(1950, 1, 1)
MEMBERSHIP = "priority_membership"
PERSONAL = ("worker_name",)


def _clean(text: str) -> str:
    return " ".join(text.split())


def require_officer(actor: Actor) -> None:
    """Memberships are recorded, ended and (when sensitive) opened by an agency's officer."""
    if actor.role is not Role.AGENCY or actor.staff_role is not StaffRole.OFFICER:
        raise Forbidden("priority groups are recorded by an agency officer")


def shown(found: PriorityMembership) -> dict[str, Any]:
    """A membership as the change trail keeps it (the name masked, a sensitive group not at
    all)."""
    return {
        "archive_id": found.archive_id,
        "worker_name": audit.mask_name(found.worker_name),
        "group": "sensitive" if found.sensitive else str(found.group),
        "source": "" if found.sensitive else found.source,
        "since": found.since.isoformat(),
        "until": found.until.isoformat() if found.until else None,
        "status": found.status.value,
        "end_reason": found.end_reason,
    }


async def _trail(before: PriorityMembership | None, after: PriorityMembership, why: str) -> None:
    await audit.changed(
        MEMBERSHIP,
        str(after.id),
        after.version,
        None if before is None else shown(before),
        shown(after),
        reason=why,
        region=after.worker_region_code,
        personal=PERSONAL,
    )


def _windows(since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [
        {"recorded_at": {"$gte": since, "$lt": until}, "version": 0},
        {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}},
    ]


audit.register_documents(
    MEMBERSHIP,
    PriorityMembership,
    _windows,
    lambda found: audit.Snapshot(
        str(found.id), found.version, shown(found), found.worker_region_code, PERSONAL
    ),
)


def _checked(source: str, since: date, until: date | None, today: date) -> str:
    text = _clean(source)
    errors: list[FieldError] = []
    if not 0 < len(text) <= MAX_SOURCE:
        errors.append(FieldError("source", "required", f"1 to {MAX_SOURCE} characters"))
    if since > today:
        errors.append(FieldError("since", "future", "must not be in the future"))
    elif since < FIRST_DAY:
        errors.append(FieldError("since", "range", f"from {FIRST_DAY.isoformat()}"))
    if until is not None and until < since:
        errors.append(FieldError("until", "before_since", "must not lie before the start"))
    if errors:
        raise ValidationFailed(errors)
    return text


async def record(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str,
    group: PriorityGroup,
    source: str,
    since: date,
    until: date | None = None,
) -> MembershipView:
    """Record a membership of a worker of the officer's region (an open one of the same group
    already recorded: 409)."""
    require_officer(actor)
    now = clock.now()
    text = _checked(source, since, until, clock.china_today(now))
    archive = await archive_for_agency(actor, archive_id)
    assert actor.region_prefix is not None
    protection = FieldProtection(keyring)
    membership_id = PydanticObjectId()
    sensitive = group in SENSITIVE_GROUPS
    found = PriorityMembership(
        id=membership_id,
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        sensitive=sensitive,
        group=None if sensitive else group,
        source="" if sensitive else text,
        sealed=(
            sealing.seal(
                protection,
                archive_id=str(archive.id),
                membership_id=str(membership_id),
                group=group,
                source=text,
            )
            if sensitive
            else None
        ),
        open_key=sealing.open_key(protection, str(archive.id), group),
        since=since,
        until=until,
        region_code=actor.region_prefix.ljust(6, "0"),
        recorded_at=clock.truncate_to_millis(now),
        recorded_by=actor.principal_id,
        changed_by=actor.principal_id,
        changed_at_ms=clock.epoch_ms(now),
    )
    if not await insert_once(found):
        raise Conflict("the worker already has an open membership of this group")
    crash_point("priority:after_insert")
    await _trail(None, found, "priority group recorded")
    return MembershipView.of(found, group, text)


async def _visible(actor: Actor, membership_id: str) -> PriorityMembership:
    found = await PriorityMembership.get(ids.parse(membership_id, "membership"))
    if found is None or not actor.covers_region(found.worker_region_code):
        raise NotFound("no such membership")
    return found


async def end(
    *, actor: Actor, keyring: Keyring, membership_id: str, until: date, reason: str
) -> MembershipView:
    """End a membership on ``until`` (not before its start), with a reason."""
    require_officer(actor)
    found = await _visible(actor, membership_id)
    if found.status is MembershipStatus.ENDED:
        raise InvalidTransition("the membership has ended", current_state="ended")
    text = _clean(reason)
    errors: list[FieldError] = []
    if not 0 < len(text) <= MAX_REASON:
        errors.append(FieldError("reason", "required", f"1 to {MAX_REASON} characters"))
    if until < found.since:
        errors.append(FieldError("until", "before_since", "must not lie before the start"))
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    update = {
        "status": MembershipStatus.ENDED,
        "until": until,
        "end_reason": text,
        "open_key": f"ended|{found.id}",
        "version": found.version + 1,
        "changed_by": actor.principal_id,
        "changed_at_ms": clock.epoch_ms(now),
    }
    after = found.model_copy(update=update)
    # One conditional update; values encoded as Beanie stores them (a raw date given to $set
    # would be stored as a string on nx-27017, and the sealed bytes are left alone).
    replaced = await PriorityMembership.get_pymongo_collection().update_one(
        {"_id": found.id, "version": found.version, "status": MembershipStatus.ACTIVE.value},
        {"$set": {name: to_bson(value) for name, value in update.items()}},
    )
    if replaced.matched_count != 1:
        raise Conflict("the membership changed meanwhile; reload and retry")
    await _trail(found, after, text)
    group, source = await sealing.opened(FieldProtection(keyring), after)
    if after.sensitive:  # the answer names the sensitive group
        await log_reads(actor, [after.archive_id], what="重点群体（敏感）：结束登记")
    return MembershipView.of(after, group, source)
