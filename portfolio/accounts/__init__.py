"""Principals (accounts), roles, passwords, tokens and signing keys.

The public face of the area: what other areas may use (they import from ``portfolio.accounts``,
never from its modules). Every service of every area takes an ``Actor``.
"""

from portfolio.accounts.changes import principal_changed
from portfolio.accounts.documents import Principal
from portfolio.accounts.logins import (
    PHONE_LOGIN_PREFIX,
    as_phone,
    find_login,
    phone_login_name,
    stored_login_name,
)
from portfolio.accounts.passwords import check_policy as check_password_policy
from portfolio.accounts.passwords import hash_password
from portfolio.accounts.principal import Actor, Role, StaffRole, region_range
from portfolio.accounts.service import (
    USERNAME_PATTERN,
    confirm_password,
    create_principal,
    normalise_username,
)
from portfolio.accounts.sessions import RevocationReason, actor_of, revoke_sessions_of

__all__ = [
    "PHONE_LOGIN_PREFIX",
    "USERNAME_PATTERN",
    "Actor",
    "Principal",
    "RevocationReason",
    "Role",
    "StaffRole",
    "actor_of",
    "as_phone",
    "check_password_policy",
    "confirm_password",
    "create_principal",
    "find_login",
    "hash_password",
    "normalise_username",
    "phone_login_name",
    "principal_changed",
    "region_range",
    "revoke_sessions_of",
    "stored_login_name",
]
