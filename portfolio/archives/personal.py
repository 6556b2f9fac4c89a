"""The sealed personal fields of an archive: birth date and phone number, sealed and opened.

Both are sealed like the identity number (AES-GCM, bound to the archive and the field). The
domain opens them only where a rule or a view needs them: the birth date for age rules
(voucher eligibility), date checks of links and the age band shown to agencies; the phone for
the worker's default login name and for full (revealed) reads.
"""

from __future__ import annotations

from datetime import date

from portfolio.archives.documents import Archive
from portfolio.identity import FieldProtection, Sealed, associated_data
from portfolio.keyring import Keyring

BIRTH_DATE_FIELD = "birth_date"
PHONE_FIELD = "phone"


def seal_birth_date(protection: FieldProtection, birth: date, archive_id: str) -> Sealed:
    """The stored form of a birth date (ISO ``YYYY-MM-DD``, sealed)."""
    return protection.seal(
        birth.isoformat(), aad=associated_data("archives", BIRTH_DATE_FIELD, archive_id)
    )


def seal_phone(protection: FieldProtection, phone: str, archive_id: str) -> Sealed:
    """The stored form of a (normalised) phone number."""
    return protection.seal(phone, aad=associated_data("archives", PHONE_FIELD, archive_id))


async def open_birth_date(archive: Archive, protection: FieldProtection) -> date:
    """The worker's birth date, decrypted."""
    text = await protection.open(
        archive.birth_date, aad=associated_data("archives", BIRTH_DATE_FIELD, str(archive.id))
    )
    return date.fromisoformat(text)


async def open_phone(archive: Archive, protection: FieldProtection) -> str:
    """The worker's phone number, decrypted."""
    return await protection.open(
        archive.phone, aad=associated_data("archives", PHONE_FIELD, str(archive.id))
    )


async def birth_date_of(archive: Archive, keyring: Keyring) -> date:
    """The worker's birth date, for a rule that needs it (age eligibility and the like)."""
    return await open_birth_date(archive, FieldProtection(keyring))


async def id_number_of(archive: Archive, keyring: Keyring) -> str:
    """The worker's full ID number, for a use that must hash it (the credentials' holder
    identity); never for display."""
    return await FieldProtection(keyring).open(
        archive.id_number, aad=associated_data("archives", "id_number", str(archive.id))
    )
