"""Plain functions for the workers' HTTP tests: register, activate and log in through the API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from tests.archives.factories import fresh_resident_id
from tests.helpers import LoggedIn, auth_headers, request_tokens

WORKER_PASSWORD = "my own passphrase"
CREDIT_CODE = "91510104MA6CXW3N7P"  # valid GB 32100 check character

_phones = itertools.count(1)


def fresh_phone() -> str:
    """A mobile number no other call returns (the default login name must not collide)."""
    return f"139{next(_phones):08d}"


@dataclass(frozen=True)
class Registered:
    """A worker registered through ``POST /workers``: the response and what was sent."""

    archive_id: str
    code: str
    id_number: str
    phone: str
    body: dict[str, Any]


async def register(
    client: AsyncClient,
    agency: LoggedIn,
    *,
    region_code: str = "510104",
    id_number: str | None = None,
    **fields: Any,
) -> Registered:
    """Register a resident worker as ``agency``; asserts 201."""
    number = id_number or fresh_resident_id(region_code)
    phone = fields.pop("phone", None) or fresh_phone()
    payload = {
        "name": "张三",
        "id_number": number,
        "phone": phone,
        "region_code": region_code,
        **fields,
    }
    response = await client.post("/workers", json=payload, headers=agency.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return Registered(
        archive_id=body["worker"]["id"],
        code=body["activation"]["code"],
        id_number=number,
        phone=phone,
        body=body,
    )


async def activate(
    client: AsyncClient, code: str, *, password: str = WORKER_PASSWORD, username: str | None = None
) -> Any:
    """``POST /auth/activate``; returns the raw response."""
    payload: dict[str, Any] = {"code": code, "password": password}
    if username is not None:
        payload["username"] = username
    return await client.post("/auth/activate", json=payload)


@dataclass(frozen=True)
class Worker:
    """An activated worker with a live access token."""

    registered: Registered
    username: str
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer …`` for this worker."""
        return auth_headers(self.access_token)

    @property
    def archive_id(self) -> str:
        """The worker's archive id."""
        return self.registered.archive_id


async def registered_worker(
    client: AsyncClient, agency: LoggedIn, *, region_code: str = "510104"
) -> Worker:
    """Register, activate (username: the phone number) and log in, all through HTTP."""
    registered = await register(client, agency, region_code=region_code)
    activated = await activate(client, registered.code)
    assert activated.status_code == 201, activated.text
    username = activated.json()["username"]
    tokens = await request_tokens(client, username, WORKER_PASSWORD)
    return Worker(registered, username, tokens["access_token"])


def social_security(number: str, **fields: Any) -> dict[str, Any]:
    """A valid ``PUT /workers/{id}/social-security`` body for a resident with ``number``."""
    return {
        "number": number,
        "card_number": "A12345678",
        "issuing_region": "510100",
        "schemes": [
            {"scheme": "pension", "since": "2015-07"},
            {"scheme": "medical", "since": "2015-07"},
        ],
        **fields,
    }


def employment(**fields: Any) -> dict[str, Any]:
    """A valid ``POST /workers/{id}/employment`` body (an employment registration)."""
    return {
        "kind": "employment",
        "start": "2020-03-01",
        "certificate_number": "5101042020000017",
        "employer_credit_code": CREDIT_CODE,
        "employer_name": "成都锦江川菜餐饮有限公司",
        "occupation_code": "4-03-02-01",
        "labour_contract_end": "2026-02-28",
        **fields,
    }
