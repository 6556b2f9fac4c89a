"""A worker changes the phone number their archive holds (the profile page).

The phone is contact data, not an event of the worker's working life: the change moves the
archive's header (one conditional update on its ``version``, like every link change) and is
recorded in the audit trail, but it is not an archive entry, so no phone number, not even a
masked one, is hashed into the record forever.

The worker's password is asked for: the number is the default login name of an activation and
the way an agency reaches the worker, so a session left open must not be enough to change it.
Wrong passwords are throttled as failed logins are. The number is stored sealed with its masked
form beside it, as registration stores it (``personal.seal_phone``).
"""

from __future__ import annotations

from typing import Any

from portfolio.accounts import Actor, confirm_password
from portfolio.archives.changes import archive_changed
from portfolio.archives.documents import Archive
from portfolio.archives.personal import open_phone, seal_phone
from portfolio.archives.scope import archive_for_reader, to_bson
from portfolio.audit import AuditKind, Outcome, record
from portfolio.errors import Conflict, ValidationFailed
from portfolio.identity import FieldProtection, mask_phone, parse_phone
from portfolio.keyring import Keyring
from portfolio.settings import Settings


def _stored_phone(protection: FieldProtection, phone: str, archive_id: str) -> dict[str, Any]:
    """The archive's fields that hold the phone number: sealed, and its masked form."""
    sealed = seal_phone(protection, phone, archive_id)
    return {"phone": to_bson(sealed), "phone_masked": mask_phone(phone)}


async def change_phone(
    *, actor: Actor, settings: Settings, keyring: Keyring, phone: str, password: str
) -> str:
    """Set the worker's own phone number; returns it masked.

    ``ValidationFailed`` for a number that is not an 11-digit mobile number, the number the
    archive holds already, or a wrong password (``RateLimited`` once too many were wrong);
    ``Conflict`` when the archive changed meanwhile.
    """
    archive = await archive_for_reader(actor, None)
    checked = parse_phone(phone)
    protection = FieldProtection(keyring)
    if checked == await open_phone(archive, protection):
        raise ValidationFailed.single("phone", "unchanged", "this is the number on record")
    if not password:
        raise ValidationFailed.single("password", "required", "enter your password")
    await confirm_password(actor=actor, settings=settings, keyring=keyring, password=password)
    moved = await Archive.get_pymongo_collection().update_one(
        {"_id": archive.id, "version": archive.version},
        {
            "$set": _stored_phone(protection, checked, str(archive.id)),
            # $currentDate: nx-27017 stores a top-level datetime given to $set as a string.
            "$currentDate": {"updated_at": True},
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the archive changed meanwhile; reload and retry")
    await archive_changed(archive, reason="phone number changed by the worker")
    masked = mask_phone(checked)
    await record(AuditKind.PHONE_CHANGED, Outcome.SUCCESS, actor=actor, target=str(archive.id))
    return masked
