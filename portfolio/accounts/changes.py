"""The accounts area's records in the change trail (``portfolio.audit.changed``).

An account is shown by its role, binding and state; its password hash and token version never
(a password change shows only when it happened). A worker's login name is often their phone
number: it is kept masked and marked personal, so the service admin does not see it.
"""

from __future__ import annotations

from typing import Any

from portfolio import audit
from portfolio.accounts.documents import Principal

KIND = "principal"


def shown(principal: Principal) -> dict[str, Any]:
    """The account as the trail keeps it."""
    worker = principal.role.value == "worker"
    return {
        "username": audit.mask_login(principal.username) if worker else principal.username,
        "role": principal.role.value,
        "staff_role": principal.staff_role.value if principal.staff_role else None,
        "archive_id": principal.archive_id,
        "organisation_id": principal.organisation_id,
        "region_prefix": principal.region_prefix,
        "disabled": principal.disabled,
        "removed": principal.removed,
        "password_changed_at": principal.password_changed_at.isoformat(),
    }


async def principal_changed(
    before: Principal | None, after: Principal, *, reason: str | None = None
) -> None:
    """Record the change of one account (``before`` None: it was created)."""
    personal = ("username",) if after.role.value == "worker" else ()
    await audit.changed(
        KIND,
        str(after.id),
        after.version,
        None if before is None else shown(before),
        shown(after),
        reason=reason,
        region=after.region_prefix,
        personal=personal,
    )
