"""The vocabulary of the access-control matrix (``test_matrix.py``).

Each business area lists its routes in a module ``tests/access/routes_<area>.py``::

    ROUTES: dict[Route, Access] = {
        ("POST", "/courses"): only(Role.PROVIDER),
        ("POST", "/staff"): only(Role.PROVIDER, Role.AGENCY, staff=(StaffRole.ADMIN,)),
        ("GET", "/certificates/check"): PUBLIC,
    }
    CROSS_OWNER_CASES: list[CrossOwnerCase] = [...]

and adds that module to ``AREAS`` in ``test_matrix.py``. A route missing from every table fails
the suite; so does a table entry for a route that no longer exists.

The rows of the matrix are *seats*: a role and, for the provider and agency roles, a staff
sub-role (a provider's admin and clerk; an agency's admin, officer, reviewer and auditor).
``only(Role.PROVIDER)`` admits every provider seat; ``staff=`` narrows the roles that have
sub-roles to those named, exactly as the route's gate (``api.deps.require_roles``) does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from httpx import AsyncClient

from api.deps import Admits
from portfolio.accounts.principal import Role, Seat, StaffRole, all_seats
from portfolio.settings import Settings
from tests.helpers import LoggedIn

Route = tuple[str, str]  # (method, path template as FastAPI writes it)
Public = Literal["public"]
Access = Public | frozenset[Seat]

PUBLIC: Final[Public] = "public"
SEATS: Final[tuple[Seat, ...]] = tuple(all_seats())
ANY_ROLE: Final[frozenset[Seat]] = frozenset(SEATS)


def only(*roles: Role, staff: Iterable[StaffRole] | None = None) -> frozenset[Seat]:
    """The seats a route admits (``staff`` narrows roles with sub-roles); others get 403."""
    return Admits.of(roles, staff).seats


def seat_name(seat: Seat) -> str:
    """``agency/officer``, or ``worker`` for a role without sub-roles (test ids, messages)."""
    role, staff = seat
    return role.value if staff is None else f"{role.value}/{staff.value}"


@dataclass(frozen=True)
class Call:
    """One HTTP request of a cross-owner case."""

    method: str
    path: str
    json: Any = None


@dataclass(frozen=True)
class CrossOwnerCase:
    """An object one principal owns, and the request that reaches it.

    ``arrange`` creates the object as ``owner`` and returns the request. Another principal of
    the same role (bound elsewhere) must get 404, as if the object did not exist; the owner
    then gets ``owner_status`` (proving the request itself is sound).
    """

    name: str
    roles: tuple[Role, ...]
    arrange: Callable[[AsyncClient, Settings, LoggedIn], Awaitable[Call]]
    owner_status: int = 200
    # Bindings of the "other" principal per role, when the default (a fresh one) is not enough.
    other_binding: dict[Role, dict[str, str]] = field(default_factory=dict)


# Path parameters are filled with this unless a route needs something else: a well-formed
# ObjectId that belongs to nothing (and a valid integer).
PLACEHOLDER = "000000000000000000000000"
