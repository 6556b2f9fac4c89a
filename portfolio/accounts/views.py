"""What an administrator is shown of an account: safe views of stored principals.

The rule of what an admin may see lives here, next to the data: a worker's login name (by
default their phone number) is worker data, which the admin role does not see. Response
schemas and pages read these views by attribute; none copies a stored document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio.accounts.administration import login_name_for_admin
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role, StaffRole


@dataclass(frozen=True)
class AccountView:
    """An account as the service admin sees it (``username`` is None for a worker)."""

    id: str
    username: str | None
    role: Role
    archive_id: str | None
    organisation_id: str | None
    region_prefix: str | None
    staff_role: StaffRole | None
    disabled: bool
    removed: bool
    created_at: datetime

    @classmethod
    def for_admin(cls, principal: Principal) -> AccountView:
        """The admin's view of ``principal``."""
        return cls(
            id=str(principal.id),
            username=login_name_for_admin(principal),
            role=principal.role,
            archive_id=principal.archive_id,
            organisation_id=principal.organisation_id,
            region_prefix=principal.region_prefix,
            staff_role=principal.staff_role,
            disabled=principal.disabled,
            removed=principal.removed,
            created_at=principal.created_at,
        )


@dataclass(frozen=True)
class StaffView:
    """A member of an organisation's staff as its admin sees them (never a worker)."""

    id: str
    username: str
    role: Role
    staff_role: StaffRole | None
    organisation_id: str | None
    region_prefix: str | None
    disabled: bool
    removed: bool
    created_at: datetime

    @classmethod
    def of(cls, principal: Principal) -> StaffView:
        """The organisation admin's view of a staff member."""
        return cls(
            id=str(principal.id),
            username=principal.username,
            role=principal.role,
            staff_role=principal.staff_role,
            organisation_id=principal.organisation_id,
            region_prefix=principal.region_prefix,
            disabled=principal.disabled,
            removed=principal.removed,
            created_at=principal.created_at,
        )
