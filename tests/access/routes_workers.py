"""Access rules of real-name registration, worker lookup and links, and the worker's own archive.

Workers and providers never reach ``/workers``; an agency reaches only workers of its region
(another region's agency gets 404). The ``/me/...`` routes take no id: a worker reaches only
the archive their token is bound to.
"""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.access.matrix import PUBLIC, Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn
from tests.workers.factories import employment, register, social_security

AGENCY = only(Role.AGENCY)
WORKER = only(Role.WORKER)

ROUTES: dict[Route, Access] = {
    ("POST", "/workers"): AGENCY,
    ("POST", "/workers/search"): AGENCY,
    ("GET", "/workers/{archive_id}"): AGENCY,
    ("POST", "/workers/{archive_id}/reveal"): AGENCY,
    ("POST", "/workers/{archive_id}/activation-code"): AGENCY,
    ("POST", "/workers/{archive_id}/transfer"): AGENCY,
    ("PUT", "/workers/{archive_id}/social-security"): AGENCY,
    ("POST", "/workers/{archive_id}/employment"): AGENCY,
    ("POST", "/workers/{archive_id}/employment/{registration_id}/close"): AGENCY,
    # The activation code in the body is the credential.
    ("POST", "/auth/activate"): PUBLIC,
    ("GET", "/me/archive"): WORKER,
    ("GET", "/me/identity"): WORKER,
    ("GET", "/me/entries"): WORKER,
    ("GET", "/me/access-log"): WORKER,
    ("GET", "/me/archive/verify"): WORKER,
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _read(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call("GET", f"/workers/{registered.archive_id}")


async def _reveal(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call("POST", f"/workers/{registered.archive_id}/reveal", {"purpose": "a check"})


async def _new_code(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call("POST", f"/workers/{registered.archive_id}/activation-code")


async def _social_security(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call(
        "PUT",
        f"/workers/{registered.archive_id}/social-security",
        social_security(registered.id_number),
    )


async def _employment(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call("POST", f"/workers/{registered.archive_id}/employment", employment())


async def _transfer(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    registered = await register(client, owner)
    return Call("POST", f"/workers/{registered.archive_id}/transfer", {"to_region_code": "510107"})


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase("read another region's worker", (Role.AGENCY,), _read, 200, _OTHER_REGION),
    CrossOwnerCase("reveal another region's worker", (Role.AGENCY,), _reveal, 200, _OTHER_REGION),
    CrossOwnerCase(
        "new code for another region's worker", (Role.AGENCY,), _new_code, 201, _OTHER_REGION
    ),
    CrossOwnerCase(
        "social security of another region's worker",
        (Role.AGENCY,),
        _social_security,
        200,
        _OTHER_REGION,
    ),
    CrossOwnerCase(
        "employment of another region's worker", (Role.AGENCY,), _employment, 201, _OTHER_REGION
    ),
    CrossOwnerCase(
        "transfer another region's worker", (Role.AGENCY,), _transfer, 200, _OTHER_REGION
    ),
]
