"""The seed's accounts: user names by number and the stored form of a seeded principal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portfolio.accounts.principal import Role, default_staff_role
from portfolio.seed.geography import CITIES
from portfolio.seed.identities import object_id

SEEDER = "seed"


def provider_count(archives: int) -> int:
    """Providers for a province of ``archives`` workers: one per 80, at least one per city."""
    return max(len(CITIES), archives // 80)


def provider_username(number: int) -> str:
    """The login of provider organisation ``number``."""
    return f"seed-provider-{number:04d}"


def agency_username(prefix: str) -> str:
    """The login of the agency of region ``prefix`` (``51`` or a city's 4 digits)."""
    return f"seed-agency-{prefix}"


def worker_username(number: int) -> str:
    """The login of the ``number``-th worker (archive)."""
    return f"seed-worker-{number:07d}"


def principal_document(
    *,
    seed: int,
    username: str,
    role: Role,
    password_hash: str,
    created_at: datetime,
    archive_id: str | None = None,
    organisation_id: str | None = None,
    region_prefix: str | None = None,
) -> dict[str, Any]:
    """A ``principals`` document as ``accounts.service.create_principal`` stores it."""
    return {
        "_id": object_id(seed, created_at, "principal", username),
        "username": username,
        "password_hash": password_hash,
        "role": role.value,
        "archive_id": archive_id,
        "organisation_id": organisation_id,
        "region_prefix": region_prefix,
        "binding_key": f"archive:{archive_id}" if role is Role.WORKER else f"user:{username}",
        # Seeded provider and agency logins are their organisation's admin.
        "staff_role": staff.value if (staff := default_staff_role(role)) is not None else None,
        "disabled": False,
        "removed": False,
        "token_version": 0,
        "version": 0,
        "created_at": created_at,
        "created_by": SEEDER,
        "password_changed_at": created_at,
    }
