"""The vocabulary of the access-control matrix (``test_matrix.py``).

Each business area lists its routes in a module ``tests/access/routes_<area>.py``::

    ROUTES: dict[Route, Access] = {
        ("POST", "/courses"): only(Role.PROVIDER),
        ("GET", "/certificates/check"): PUBLIC,
    }
    CROSS_OWNER_CASES: list[CrossOwnerCase] = [...]

and adds that module to ``AREAS`` in ``test_matrix.py``. A route missing from every table fails
the suite; so does a table entry for a route that no longer exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import LoggedIn

Route = tuple[str, str]  # (method, path template as FastAPI writes it)
Public = Literal["public"]
Access = Public | frozenset[Role]

PUBLIC: Final[Public] = "public"
ANY_ROLE: Final[frozenset[Role]] = frozenset(Role)


def only(*roles: Role) -> frozenset[Role]:
    """The roles a route admits; every other role gets 403."""
    return frozenset(roles)


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
