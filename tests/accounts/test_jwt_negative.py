"""Tokens an attacker could forge or replay: each one is a 401 problem.

The tokens are built by hand (base64url JSON and signatures from ``cryptography``), never by the
JWT library under test, so a bug in the library cannot hide here. A control test proves that a
hand-built token with our key and the right claims is accepted, so every rejection below is
about the one thing each test changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts import jose_tokens
from portfolio.accounts.jose_tokens import TokenRejected
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import (
    LoggedIn,
    assert_problem,
    auth_headers,
    jwt_part,
    log_in_as,
    refresh_tokens,
)

Signer = Callable[[bytes], bytes]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Signer | None) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}".encode()
    signature = sign(signing_input) if sign is not None else b""
    return f"{signing_input.decode()}.{b64url(signature)}"


def es256_signer(private_pem: bytes) -> Signer:
    key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)

    def sign(message: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants raw r||s

    return sign


def hs256_signer(secret: bytes) -> Signer:
    return lambda message: hmac.new(secret, message, hashlib.sha256).digest()


@pytest.fixture
async def victim(client: AsyncClient, settings: Settings) -> LoggedIn:
    return await log_in_as(client, settings, Role.PROVIDER)


@pytest.fixture
def signing(runtime: Runtime) -> tuple[str, bytes]:
    """The current signing key's kid and private PEM (what only the service should have)."""
    key = runtime.keyring.current("jwt")
    return key.kid, key.secret


def our_header(kid: str, **changes: Any) -> dict[str, Any]:
    header: dict[str, Any] = {"alg": "ES256", "typ": "at+jwt", "kid": kid}
    header.update(changes)
    return {k: v for k, v in header.items() if v is not None}


async def assert_rejected(client: AsyncClient, token: str) -> dict[str, Any]:
    return assert_problem(await client.get("/me", headers=auth_headers(token)), 401)


async def test_control_a_hand_built_token_with_our_key_is_accepted(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    kid, pem = signing
    claims = jwt_part(victim.access_token, 1)
    token = forge(our_header(kid), claims, es256_signer(pem))
    response = await client.get("/me", headers=auth_headers(token))
    assert response.status_code == 200
    assert response.json()["id"] == victim.id


async def test_alg_none_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    claims = jwt_part(victim.access_token, 1)
    for alg in ("none", "None", "NONE"):
        await assert_rejected(client, forge(our_header(signing[0], alg=alg), claims, None))


@pytest.mark.parametrize("encoding", ["PEM", "DER"])
async def test_hs256_signed_with_our_public_key_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes], encoding: str
) -> None:
    kid, pem = signing
    private = serialization.load_pem_private_key(pem, password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM if encoding == "PEM" else serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    claims = jwt_part(victim.access_token, 1)
    token = forge(our_header(kid, alg="HS256"), claims, hs256_signer(public))
    await assert_rejected(client, token)


async def test_expired_token_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    kid, pem = signing
    claims = jwt_part(victim.access_token, 1)
    past = int(time.time()) - 3600
    claims.update(iat=past - 900, nbf=past - 900, exp=past)
    body = await assert_rejected(client, forge(our_header(kid), claims, es256_signer(pem)))
    assert "expired" in body["detail"]


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "jti", "sub", "iss", "aud", "tv"])
async def test_token_missing_a_required_claim_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes], claim: str
) -> None:
    kid, pem = signing
    claims = jwt_part(victim.access_token, 1)
    del claims[claim]
    await assert_rejected(client, forge(our_header(kid), claims, es256_signer(pem)))


async def test_token_missing_its_binding_claim_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    kid, pem = signing
    claims = jwt_part(victim.access_token, 1)
    del claims["org"]
    await assert_rejected(client, forge(our_header(kid), claims, es256_signer(pem)))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "another-api"),
        ("aud", ["another-api"]),
        ("iss", "https://evil.example"),
        ("exp", "9999999999"),  # a string, not a NumericDate
        ("nbf", int(time.time()) + 3600),  # not valid yet
        ("iat", int(time.time()) + 3600),  # issued in the future
        ("role", "admin"),
        ("role", "superuser"),
        ("org", "another-org"),
        ("tv", 7),
        ("scope", "admin"),  # a claim we never issue
    ],
)
async def test_token_with_a_wrong_claim_is_rejected(
    client: AsyncClient,
    victim: LoggedIn,
    signing: tuple[str, bytes],
    claim: str,
    value: Any,
) -> None:
    kid, pem = signing
    claims = jwt_part(victim.access_token, 1)
    claims[claim] = value
    await assert_rejected(client, forge(our_header(kid), claims, es256_signer(pem)))


async def test_unknown_kid_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    claims = jwt_part(victim.access_token, 1)
    for kid in ("jwt-9999", "fld-0001", "", "../../keys"):
        token = forge(our_header(kid), claims, es256_signer(signing[1]))
        await assert_rejected(client, token)
    # No kid at all.
    token = forge({"alg": "ES256", "typ": "at+jwt"}, claims, es256_signer(signing[1]))
    await assert_rejected(client, token)


async def test_token_signed_by_another_ec_key_is_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    attacker_pem = attacker.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    claims = jwt_part(victim.access_token, 1)
    token = forge(our_header(signing[0]), claims, es256_signer(attacker_pem))
    await assert_rejected(client, token)
    # Nor does it help to embed the attacker's public key in the header.
    public_jwk = {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}
    token = forge(our_header(signing[0], jwk=public_jwk), claims, es256_signer(attacker_pem))
    await assert_rejected(client, token)


async def test_unexpected_header_parameters_are_rejected(
    client: AsyncClient, victim: LoggedIn, signing: tuple[str, bytes]
) -> None:
    kid, pem = signing
    claims = jwt_part(victim.access_token, 1)
    for changes in ({"crit": ["exp"]}, {"jku": "https://evil.example/jwks"}, {"typ": "JWT"}):
        token = forge(our_header(kid, **changes), claims, es256_signer(pem))
        await assert_rejected(client, token)


async def test_tampered_payload_is_rejected(client: AsyncClient, victim: LoggedIn) -> None:
    header, _, signature = victim.access_token.split(".")
    claims = jwt_part(victim.access_token, 1)
    claims["role"] = "admin"
    await assert_rejected(client, f"{header}.{segment(claims)}.{signature}")
    # Flipping one signature bit breaks it too.
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 1
    await assert_rejected(
        client, f"{header}.{segment(jwt_part(victim.access_token, 1))}.{b64url(bytes(raw))}"
    )


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b", "a.b.c", "a.b.c.d.e", "eyJhbGciOiJFUzI1NiJ9..", "🙂.🙂.🙂"]
)
async def test_garbage_is_rejected(client: AsyncClient, token: str) -> None:
    # Bytes, so a non-ASCII token reaches the server as it is.
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}".encode()})
    assert_problem(response, 401)


async def test_missing_or_non_bearer_authorization_is_rejected(
    client: AsyncClient, victim: LoggedIn
) -> None:
    assert_problem(await client.get("/me"), 401)
    basic = {"Authorization": f"Basic {victim.access_token}"}
    assert_problem(await client.get("/me", headers=basic), 401)


async def test_refresh_token_used_as_access_token_is_rejected(
    client: AsyncClient, victim: LoggedIn
) -> None:
    await assert_rejected(client, victim.refresh_token)


async def test_token_of_a_disabled_user_is_rejected(
    client: AsyncClient, settings: Settings, victim: LoggedIn
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    response = await client.post(f"/admin/principals/{victim.id}/disable", headers=admin.headers)
    assert response.status_code == 200
    await assert_rejected(client, victim.access_token)


async def test_token_issued_before_logout_all_is_rejected(
    client: AsyncClient, victim: LoggedIn
) -> None:
    assert (await client.post("/auth/logout-all", headers=victim.headers)).status_code == 204
    await assert_rejected(client, victim.access_token)


async def test_reuse_of_a_rotated_refresh_token_revokes_the_family(
    client: AsyncClient, victim: LoggedIn
) -> None:
    rotated = await refresh_tokens(client, victim.refresh_token)
    assert rotated.status_code == 200
    successor = rotated.json()["refresh_token"]
    assert_problem(await refresh_tokens(client, victim.refresh_token), 401)
    assert_problem(await refresh_tokens(client, successor), 401)


@pytest.mark.parametrize(
    "changes",
    [
        {"typ": "JWT"},  # not an access token
        {"typ": None},
        {"alg": "ES384"},
        {"alg": "none"},
        {"crit": ["exp"]},
        {"jku": "https://evil.example/jwks"},
        {"x5u": "https://evil.example/cert"},
        {"cty": "JWT"},
        {"kid": None},
        {"kid": "jwt-9999"},  # another key than the one verifying
    ],
    ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()),
)
def test_verify_itself_checks_the_header(
    runtime: Runtime, victim_claims: dict[str, Any], changes: dict[str, Any]
) -> None:
    """Whoever calls ``verify()`` gets the header checks: they are not a separate step."""
    key = runtime.keyring.current("jwt")
    header = {k: v for k, v in {**our_header(key.kid), **changes}.items() if v is not None}
    token = forge(header, victim_claims, es256_signer(key.secret))
    with pytest.raises(TokenRejected):
        jose_tokens.verify(
            token,
            key,
            issuer=runtime.settings.jwt_issuer,
            audience=runtime.settings.jwt_audience,
            leeway=runtime.settings.jwt_leeway_seconds,
        )


def test_verify_control_accepts_our_header(runtime: Runtime, victim_claims: dict[str, Any]) -> None:
    key = runtime.keyring.current("jwt")
    token = forge(our_header(key.kid), victim_claims, es256_signer(key.secret))
    claims = jose_tokens.verify(
        token,
        key,
        issuer=runtime.settings.jwt_issuer,
        audience=runtime.settings.jwt_audience,
        leeway=runtime.settings.jwt_leeway_seconds,
    )
    assert claims["sub"] == victim_claims["sub"]


@pytest.fixture
def victim_claims(runtime: Runtime) -> dict[str, Any]:
    """Claims as the service issues them (the subject need not exist: verify() checks no
    stored state)."""
    now = int(time.time())
    return {
        "iss": runtime.settings.jwt_issuer,
        "aud": runtime.settings.jwt_audience,
        "sub": "64d0000000000000000000c1",
        "role": "provider",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "a-token-id",
        "tv": 0,
        "sid": "a-session-id",
        "org": "org-1",
        "staff": "admin",
    }
