"""Phone numbers as login names, without a phone number in the clear.

A worker who activates without choosing a username logs in with their phone number (and one
may choose a phone number as a username). The principal's stored username is then not the
number but its keyed blind index, ``ph-`` + 40 hex digits of HMAC-SHA256 under the blind-index
key: the login looks the typed number up by that name, and the ``principals`` collection, the
audit trail and the tokens never hold the number. Any other username is stored as typed
(lower-case).
"""

from __future__ import annotations

from portfolio.accounts.documents import Principal
from portfolio.errors import ValidationFailed
from portfolio.identity import FieldProtection, parse_phone
from portfolio.keyring import Keyring

PHONE_LOGIN_PREFIX = "ph-"
_INDEX_CHARS = 40


def phone_login_name(protection: FieldProtection, phone: str) -> str:
    """The stored username of the login named by the (normalised) ``phone``."""
    return PHONE_LOGIN_PREFIX + protection.blind_index(f"phone-login|{phone}")[:_INDEX_CHARS]


def as_phone(typed: str) -> str | None:
    """``typed`` as a normalised mainland mobile number, or None if it is not one."""
    try:
        return parse_phone(typed.strip())
    except ValidationFailed:
        return None


def stored_login_name(typed: str, protection: FieldProtection) -> str:
    """The username a login typed as ``typed`` is stored under."""
    phone = as_phone(typed)
    return phone_login_name(protection, phone) if phone else typed.strip().lower()


async def find_login(typed: str, keyring: Keyring) -> Principal | None:
    """The principal a login form's username names, phone numbers through their keyed name.

    A phone-shaped name is looked up by its keyed name first, then as typed (an account an
    administrator named like a phone number keeps working).
    """
    name = typed.strip().lower()
    names = [name]
    if as_phone(typed) is not None:
        names.insert(0, stored_login_name(typed, FieldProtection(keyring)))
    for candidate in names:
        found = await Principal.find_one({"username": candidate})
        if found is not None:
            return found
    return None
