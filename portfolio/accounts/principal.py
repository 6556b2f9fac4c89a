"""Who is calling: the authenticated principal every service receives.

This is the contract between the accounts area and every other area: services take an
``Actor`` (never a token or a request) and check object-level reach with its helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What kind of user a principal is."""

    WORKER = "worker"
    PROVIDER = "provider"
    AGENCY = "agency"
    ADMIN = "admin"


def region_range(prefix: str) -> dict[str, str]:
    """The MongoDB range filter for region codes under ``prefix`` (``[p, p+1)``, indexed)."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return {"$gte": prefix, "$lt": upper}


@dataclass(frozen=True)
class Actor:
    """An authenticated principal as the domain sees it.

    Exactly one binding is set, by role: ``archive_id`` for a worker, ``organisation_id`` for a
    provider user, ``region_prefix`` for an agency; an admin has none.
    """

    principal_id: str
    username: str
    role: Role
    archive_id: str | None = None
    organisation_id: str | None = None
    region_prefix: str | None = None

    def covers_region(self, region_code: str) -> bool:
        """True when this agency's scope includes ``region_code``."""
        return (
            self.role is Role.AGENCY
            and self.region_prefix is not None
            and region_code.startswith(self.region_prefix)
        )
