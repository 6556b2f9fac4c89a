"""Who is calling: the authenticated principal every service receives.

This is the contract between the accounts area and every other area: services take an
``Actor`` (never a token or a request) and check object-level reach with its helpers.

Inside the provider and agency roles an organisation's own staff have a *sub-role*
(``StaffRole``): a provider has its admin and clerks; an agency its admin, officers, reviewers
and auditors. The organisation's admin manages its staff. Workers and service admins have none.
A principal stored before sub-roles existed is its organisation's admin, so what it could do
before it can still do.
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


class StaffRole(StrEnum):
    """What one member of an organisation's staff does there (a sub-role of its role)."""

    ADMIN = "admin"  # the organisation's own account administrator
    CLERK = "clerk"  # a provider's clerk: courses, classes, attendance
    OFFICER = "officer"  # an agency's officer: registers, issues, decides
    REVIEWER = "reviewer"  # an agency's second pair of eyes
    AUDITOR = "auditor"  # an agency's auditor: reads


# The sub-roles each role has; a role missing here has none.
STAFF_ROLES: dict[Role, frozenset[StaffRole]] = {
    Role.PROVIDER: frozenset({StaffRole.ADMIN, StaffRole.CLERK}),
    Role.AGENCY: frozenset(
        {StaffRole.ADMIN, StaffRole.OFFICER, StaffRole.REVIEWER, StaffRole.AUDITOR}
    ),
}


def staff_roles_of(role: Role) -> frozenset[StaffRole]:
    """The sub-roles a principal of ``role`` may have (none for workers and service admins)."""
    return STAFF_ROLES.get(role, frozenset())


# One kind of principal an access rule tells apart: a role and, where it has them, a sub-role.
Seat = tuple[Role, StaffRole | None]


def seats_of(role: Role) -> list[Seat]:
    """Every seat of ``role``: one per sub-role, or the role alone when it has none."""
    staff = sorted(staff_roles_of(role))
    return [(role, sub) for sub in staff] if staff else [(role, None)]


def all_seats() -> list[Seat]:
    """Every seat of every role (the rows of the access matrix)."""
    return [seat for role in Role for seat in seats_of(role)]


def default_staff_role(role: Role) -> StaffRole | None:
    """The sub-role of a principal made without one: its organisation's admin, where it has
    an organisation (the accounts made before sub-roles existed keep what they could do)."""
    return StaffRole.ADMIN if role in STAFF_ROLES else None


def region_range(prefix: str) -> dict[str, str]:
    """The MongoDB range filter for region codes under ``prefix`` (``[p, p+1)``, indexed)."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return {"$gte": prefix, "$lt": upper}


@dataclass(frozen=True)
class Actor:
    """An authenticated principal as the domain sees it.

    Exactly one binding is set, by role: ``archive_id`` for a worker, ``organisation_id`` for a
    provider user, ``region_prefix`` for an agency; an admin has none. ``staff_role`` is the
    sub-role of a provider or agency user (left out: the organisation's admin) and None for
    the others.
    """

    principal_id: str
    username: str
    role: Role
    archive_id: str | None = None
    organisation_id: str | None = None
    region_prefix: str | None = None
    staff_role: StaffRole | None = None

    def __post_init__(self) -> None:
        if self.staff_role is None:
            object.__setattr__(self, "staff_role", default_staff_role(self.role))
        elif self.staff_role not in staff_roles_of(self.role):
            raise ValueError(f"a {self.role.value} has no sub-role {self.staff_role.value}")

    def covers_region(self, region_code: str) -> bool:
        """True when this agency's scope includes ``region_code``."""
        return (
            self.role is Role.AGENCY
            and self.region_prefix is not None
            and region_code.startswith(self.region_prefix)
        )

    @property
    def is_organisation_admin(self) -> bool:
        """True for a provider's or an agency's own account administrator."""
        return self.staff_role is StaffRole.ADMIN
