"""A worker changes the phone number their archive holds (the profile page).

The phone is contact data, not an event of the worker's working life: the change moves the
archive's header (one conditional update on its ``version``, like every link change) and is
recorded in the audit trail, but it is not an archive entry, so no phone number, not even a
masked one, is hashed into the record forever.

The worker's password is asked for: the number is the default login name of an activation and
the way an agency reaches the worker, so a session left open must not be enough to change it.
A wrong password counts towards the login lock, as a failed login does.

How the number is stored is decided in one place, :func:`_stored_phone` (the phone's sealing
at rest changes only that function).
"""

from __future__ import annotations

from typing import Any

from portfolio.accounts import service
from portfolio.accounts.principal import Actor
from portfolio.archives.documents import Archive
from portfolio.archives.scope import archive_for_reader
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import Conflict, ValidationFailed
from portfolio.identity.identifiers import parse_phone
from portfolio.identity.masking import mask_phone
from portfolio.settings import Settings


def _stored_phone(phone: str) -> dict[str, Any]:
    """The archive's fields that hold the phone number."""
    return {"phone": phone}


async def change_phone(*, actor: Actor, settings: Settings, phone: str, password: str) -> str:
    """Set the worker's own phone number; returns it masked.

    ``ValidationFailed`` for a number that is not an 11-digit mobile number, the number the
    archive holds already, or a wrong password (``AccountLocked`` once too many were wrong);
    ``Conflict`` when the archive changed meanwhile.
    """
    archive = await archive_for_reader(actor, None)
    checked = parse_phone(phone)
    if checked == archive.phone:
        raise ValidationFailed.single("phone", "unchanged", "this is the number on record")
    if not password:
        raise ValidationFailed.single("password", "required", "enter your password")
    await service.confirm_password(actor=actor, settings=settings, password=password)
    moved = await Archive.get_pymongo_collection().update_one(
        {"_id": archive.id, "version": archive.version},
        {
            "$set": _stored_phone(checked),
            # $currentDate: nx-27017 stores a top-level datetime given to $set as a string.
            "$currentDate": {"updated_at": True},
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the archive changed meanwhile; reload and retry")
    masked = mask_phone(checked)
    await record(AuditKind.PHONE_CHANGED, Outcome.SUCCESS, actor=actor, target=str(archive.id))
    return masked
