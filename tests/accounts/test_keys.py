"""Signing keys: rotation keeps old tokens verifying until the old key retires; JWKS is right."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio.accounts import sessions
from portfolio.accounts.principal import Role
from portfolio.errors import AuthenticationFailed
from portfolio.settings import Settings
from tests.helpers import auth_headers, jwt_part, log_in_as, request_tokens


def _b64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def verify_with_jwk(token: str, jwk: dict[str, Any]) -> None:
    """Check an ES256 JWS with a published JWK, using only ``cryptography``."""
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64(jwk["x"]), "big"), int.from_bytes(_b64(jwk["y"]), "big"), ec.SECP256R1()
    )
    header, payload, signature = token.split(".")
    raw = _b64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    numbers.public_key().verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))


async def test_jwks_publishes_public_keys_that_verify_our_tokens(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.WORKER)
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert all(set(k) == {"kty", "crv", "x", "y", "kid", "use", "alg"} for k in keys)  # no "d"
    kid = jwt_part(session.access_token, 0)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    verify_with_jwk(session.access_token, jwk)
    tampered = session.access_token[:-4] + (
        "AAAA" if session.access_token[-4:] != "AAAA" else "BBBB"
    )
    with pytest.raises(InvalidSignature):
        verify_with_jwk(tampered, jwk)


async def test_rotation_signs_with_the_new_key_and_old_tokens_keep_working(
    client: AsyncClient, settings: Settings, runtime: Runtime
) -> None:
    before = await log_in_as(client, settings, Role.AGENCY)
    old_kid = jwt_part(before.access_token, 0)["kid"]

    new_key = await sessions.rotate_signing_key(keyring=runtime.keyring)
    assert new_key.kid != old_kid

    after = await request_tokens(client, before.principal.username, before.password)
    assert jwt_part(after["access_token"], 0)["kid"] == new_key.kid
    for token in (before.access_token, after["access_token"]):
        assert (await client.get("/me", headers=auth_headers(token))).status_code == 200
    published = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert {old_kid, new_key.kid} <= published

    # Once the old key retires (here: at once), its tokens stop verifying and it is unpublished.
    retired = settings.model_copy(update={"signing_key_retire_after_seconds": 0})
    with pytest.raises(AuthenticationFailed):
        await sessions.resolve_access_token(
            before.access_token, settings=retired, keyring=runtime.keyring
        )
    still = await sessions.resolve_access_token(
        after["access_token"], settings=retired, keyring=runtime.keyring
    )
    assert still.principal_id == before.id
    public = await sessions.public_keys(settings=retired, keyring=runtime.keyring)
    assert [k["kid"] for k in public] == [new_key.kid]


async def test_signing_keys_are_stored_wrapped(
    runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    stored = await db_client[runtime.settings.database]["keys"].find({"purpose": "jwt"}).to_list()
    assert stored
    for document in stored:
        assert b"PRIVATE KEY" not in document["wrapped"]
        assert runtime.keyring.get("jwt", document["_id"]) is not None
