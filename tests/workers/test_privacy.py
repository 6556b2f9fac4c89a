"""After a full tour of the workers' API, no plaintext identity number is stored or logged, and
no phone number or birth date is stored in the clear."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.archives.factories import resident_id
from tests.helpers import log_in_as
from tests.privacy import scan_database, scan_text
from tests.privacy.scan import Person, scan_personal
from tests.workers.factories import (
    WORKER_PASSWORD,
    activate,
    employment,
    register,
    social_security,
)


async def test_no_plaintext_identity_number_in_any_collection_or_log_after_http_calls(
    client: AsyncClient,
    settings: Settings,
    db_client: AsyncMongoClient[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="portfolio")
    caplog.set_level(logging.DEBUG, logger="api")
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    births = [date(1970 + i, 2 + i, 3 + i) for i in range(3)]
    numbers = [resident_id("510104", births[i], 200 + i) for i in range(3)]
    people: dict[str, Person] = {}
    # Every write with an Idempotency-Key: the stored answers are scanned too.
    for i, number in enumerate(numbers):
        keyed = {**agency.headers, "Idempotency-Key": f"privacy-{i}"}
        registered = await register(client, agency, id_number=number)
        people[registered.archive_id] = Person(registered.phone, births[i])
        base = f"/workers/{registered.archive_id}"
        assert (await activate(client, registered.code)).status_code == 201
        writes: list[tuple[str, str, dict[str, Any] | None]] = [
            ("PUT", f"{base}/social-security", social_security(number)),
            ("POST", f"{base}/employment", employment(certificate_number=number)),
            ("POST", f"{base}/transfer", {"to_region_code": "510703"}),
            ("POST", f"{base}/activation-code", None),
        ]
        for method, path, body in writes:
            response = await client.request(method, path, json=body, headers=keyed)
            assert response.status_code in (200, 201), response.text
        # Reads that reveal (and a client that sends a key anyway: it must not be stored).
        reads: list[tuple[str, dict[str, Any], bool]] = [
            ("/workers/search", {"id_number": number, "purpose": "audit", "reveal": True}, True),
            ("/workers/search", {"social_security_number": number, "purpose": "audit"}, False),
            (f"{base}/reveal", {"purpose": "audit"}, True),
        ]
        for path, read_body, revealed in reads:
            response = await client.post(path, json=read_body, headers=keyed)
            assert response.status_code == 200, response.text
            # The full numbers did travel when revealed, to the agency only.
            assert (number in response.text) is revealed
        # Failures that concern the number must not echo it either.
        bad = await client.post(
            "/workers",
            json={"name": "x", "id_number": number, "phone": "1", "region_code": "510104"},
            headers=agency.headers,
        )
        assert bad.status_code == 422
        duplicate = await client.post(
            "/workers",
            json={
                "name": "x",
                "id_number": number,
                "phone": "13900000000",
                "region_code": "510104",
            },
            headers=agency.headers,
        )
        assert duplicate.status_code == 409
        worker_login = await client.post(
            "/auth/token",
            data={
                "grant_type": "password",
                "username": registered.phone,
                "password": WORKER_PASSWORD,
            },
        )
        worker = {"Authorization": f"Bearer {worker_login.json()['access_token']}"}
        for path in ("/me/archive", "/me/entries", "/me/access-log", "/me/identity"):
            assert (await client.get(path, headers=worker)).status_code == 200

    findings = await scan_database(db_client, settings.database, known=numbers)
    assert findings == []
    # The phone logins too: the principals hold the number's keyed name, not the number.
    assert await scan_personal(db_client, settings.database, people) == []
    assert scan_text(caplog.text, known=numbers) == 0
    # The scan looked where the data is: the tour wrote to each of these.
    database = db_client[settings.database]
    for name in (
        "archives",
        "archive_entries",
        "access_log",
        "activation_codes",
        "idempotency_records",
        "principals",
    ):
        assert await database[name].find_one({}) is not None, name
