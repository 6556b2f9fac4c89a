"""Constant documents (the token key set, the issuer's DID document and key set, the OpenAPI
document) come as prepared bytes with an ETag and their caching header, answer 304 to a client
that holds them, and change as soon as a key rotates."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import credentials
from portfolio.accounts import sessions

KEYS_CACHE = "public, max-age=300"
DOCUMENTS = {
    "/.well-known/jwks.json": KEYS_CACHE,
    "/.well-known/did.json": KEYS_CACHE,
    "/credentials/jwks.json": KEYS_CACHE,
    "/openapi.json": "no-cache",
}


@pytest.mark.parametrize(("path", "cache_control"), DOCUMENTS.items(), ids=DOCUMENTS.keys())
async def test_a_constant_document_has_an_etag_and_answers_304_to_its_holder(
    client: AsyncClient, path: str, cache_control: str
) -> None:
    first = await client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert first.headers["cache-control"] == cache_control
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    first.json()

    again = await client.get(path)
    assert (again.headers["etag"], again.content) == (etag, first.content)

    for offered in (etag, f'"other", W/{etag}', "*"):
        held = await client.get(path, headers={"If-None-Match": offered})
        assert held.status_code == 304, offered
        assert held.content == b""
        assert held.headers["etag"] == etag
        assert held.headers["cache-control"] == cache_control
    stale = await client.get(path, headers={"If-None-Match": '"not-this-one"'})
    assert stale.status_code == 200
    assert stale.content == first.content


async def test_the_token_key_set_changes_when_the_signing_key_rotates(
    client: AsyncClient, runtime: Runtime
) -> None:
    before = await client.get("/.well-known/jwks.json")
    new_key = await sessions.rotate_signing_key(keyring=runtime.keyring)
    after = await client.get(
        "/.well-known/jwks.json", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    kids = [key["kid"] for key in after.json()["keys"]]
    assert kids[-1] == new_key.kid
    assert len(kids) == len(before.json()["keys"]) + 1


async def test_the_issuer_documents_change_when_the_issuer_key_rotates(
    client: AsyncClient,
) -> None:
    did = await client.get("/.well-known/did.json")
    keys = await client.get("/credentials/jwks.json")
    new_kid = await credentials.rotate_issuer_key()
    did_after = await client.get("/.well-known/did.json")
    keys_after = await client.get("/credentials/jwks.json")
    assert did_after.headers["etag"] != did.headers["etag"]
    assert keys_after.headers["etag"] != keys.headers["etag"]
    assert did_after.json()["assertionMethod"][-1] == new_kid
    assert len(keys_after.json()["keys"]) == len(keys.json()["keys"]) + 1
