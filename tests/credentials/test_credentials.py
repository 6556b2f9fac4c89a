"""Open Badges 3.0 / CLR 2.0 credentials: checked by a second JOSE implementation (joserfc),
their required fields, tampering, revocation through the status list, key rotation, offline."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from httpx import AsyncClient
from joserfc import jws as rfc_jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from typer.testing import CliRunner

from api import cli
from api.cli_verify import verify_token
from api.runtime import Runtime
from portfolio import credentials
from portfolio.accounts import Role
from tests.helpers import log_in_as
from tests.training.factories import Person, Provider, trained_class

CERTIFICATE = {
    "number": "C0001",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定指导中心",
    "issue_date": "2026-04-01",
}
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


async def _certified(client: AsyncClient, runtime: Runtime) -> tuple[Provider, str, Person]:
    # The course leads to intermediate: the junior certificate, and its correction to
    # intermediate, are both within it (a certificate is never above its course's level).
    provider, _, [enrolment], [person] = await trained_class(
        client, runtime, target_level="intermediate"
    )
    done = await client.post(
        f"/enrolments/{enrolment['id']}/completion",
        json={"result": "passed", "score": 90},
        headers=provider.user.headers,
    )
    assert done.status_code == 200, done.text
    issued = await client.post(
        "/certificates",
        json={**CERTIFICATE, "enrolment_id": enrolment["id"]},
        headers=provider.user.headers,
    )
    assert issued.status_code == 201, issued.text
    return provider, issued.json()["id"], person


async def _badges(client: AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    response = await client.get("/me/credentials", headers=headers)
    assert response.status_code == 200, response.text
    return {item["kind"]: item["token"] for item in response.json()["items"]}


async def _key_set(client: AsyncClient) -> tuple[dict[str, Any], KeySet]:
    did = (await client.get("/.well-known/did.json")).json()
    jwks = (await client.get("/credentials/jwks.json")).json()
    assert [m["publicKeyJwk"] for m in did["verificationMethod"]] == jwks["keys"]
    return did, KeySet.import_key_set(jwks)


def _rfc_claims(token: str, keys: KeySet) -> dict[str, Any]:
    """Verify with joserfc (not our code) and return the claims."""
    found = rfc_jws.deserialize_compact(token, keys, algorithms=["ES256"])
    assert set(found.protected) == {"alg", "kid", "typ"}
    assert found.protected["typ"] == "JWT"
    assert found.protected["kid"].startswith("did:web:localhost#key-")
    claims: dict[str, Any] = json.loads(found.payload)
    return claims


def _bit(status_token: str, keys: KeySet, index: int) -> bool:
    claims = _rfc_claims(status_token, keys)
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = claims["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    raw = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert len(bits) * 8 >= 131_072
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _check_badge(claims: dict[str, Any], person: Person) -> None:
    assert claims["@context"][:2] == [VC_CONTEXT, OB_CONTEXT]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == claims["issuer"]["id"] == "did:web:localhost"
    assert claims["issuer"]["type"] == ["Profile"]
    assert claims["jti"] == claims["id"]
    assert isinstance(claims["nbf"], int)
    assert claims["validFrom"].endswith("Z")
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert claims["sub"] == identity["identityHash"]
    achievement = subject["achievement"]
    for required in ("id", "type", "name", "description", "criteria", "creator"):
        assert required in achievement
    assert achievement["fieldOfStudy"] == "4-03-02-01"
    status = claims["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"] == "http://localhost/credentials/status/1"
    text = json.dumps(claims, ensure_ascii=False)
    assert person.name not in text
    assert person.id_number not in text


async def test_badges_verify_elsewhere_and_a_void_flips_the_bit(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, certificate_id, person = await _certified(client, runtime)
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    badges = await _badges(client, worker.headers)
    assert set(badges) == {"certificate", "completion"}
    _, keys = await _key_set(client)
    for token in badges.values():
        _check_badge(_rfc_claims(token, keys), person)
    cert = _rfc_claims(badges["certificate"], keys)
    achievement = cert["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == "C0001"
    assert achievement["creator"]["name"]  # the provider
    results = {r["resultDescription"]: r for r in cert["credentialSubject"]["result"]}
    assert results["#level"]["value"] == "junior"
    assert results["#hours"]["value"] == "4"

    # The holder hash is checkable by someone who knows the person, and by nothing else.
    [identity] = cert["credentialSubject"]["identifier"]
    plain = f"{person.name}|{person.id_number}{identity['salt']}"
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(plain.encode()).hexdigest()

    checked = await client.post("/credentials/verify", json={"credential": badges["certificate"]})
    assert checked.status_code == 200, checked.text
    assert checked.json()["ok"] is True
    assert {c["name"] for c in checked.json()["checks"]} == {
        "signature",
        "issuer",
        "dates",
        "status",
    }

    # One byte changed in the payload: neither implementation accepts it.
    head, body, signature = badges["certificate"].split(".")
    tampered = f"{head}.{body[:10]}{'A' if body[10] != 'A' else 'B'}{body[11:]}.{signature}"
    try:
        rfc_jws.deserialize_compact(tampered, keys, algorithms=["ES256"])
        raise AssertionError("joserfc accepted a tampered credential")
    except (BadSignatureError, ValueError):
        pass
    refused = await client.post("/credentials/verify", json={"credential": tampered})
    assert refused.json()["ok"] is False

    index = int(cert["credentialStatus"]["statusListIndex"])
    assert _bit((await client.get("/credentials/status/1")).text, keys, index) is False
    voided = await client.post(
        f"/certificates/{certificate_id}/void",
        json={"reason": "考核舞弊"},
        headers=provider.user.headers,
    )
    assert voided.status_code == 200, voided.text
    assert _bit((await client.get("/credentials/status/1")).text, keys, index) is True
    after = await client.post("/credentials/verify", json={"credential": badges["certificate"]})
    assert after.json()["ok"] is False
    assert {c["name"]: c["ok"] for c in after.json()["checks"]}["status"] is False
    # A voided certificate yields no badge any more; the completion's is unchanged.
    again = await _badges(client, worker.headers)
    assert set(again) == {"completion"}
    completion = _rfc_claims(again["completion"], keys)
    assert (
        completion["credentialStatus"]
        == _rfc_claims(badges["completion"], keys)["credentialStatus"]
    )


async def test_clr_rotation_and_offline_verification(
    client: AsyncClient, runtime: Runtime, tmp_path: Path
) -> None:
    _, _, person = await _certified(client, runtime)
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    old = (await client.get("/me/credentials/clr", headers=worker.headers)).json()["token"]
    _, keys = await _key_set(client)
    clr = _rfc_claims(old, keys)
    assert clr["@context"] == [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert len(subject["achievement"]) == 2
    for inner in subject["verifiableCredential"]:
        _check_badge(_rfc_claims(inner, keys), person)

    new_kid = await credentials.rotate_issuer_key()
    assert new_kid == "did:web:localhost#key-2"
    did, keys = await _key_set(client)
    assert [m["id"] for m in did["verificationMethod"]] == [
        "did:web:localhost#key-1",
        "did:web:localhost#key-2",
    ]
    _rfc_claims(old, keys)  # the old key is still published
    verdict = (await client.post("/credentials/verify", json={"credential": old})).json()
    assert verdict["ok"] is True
    assert len(verdict["parts"]) == 2
    fresh = (await client.get("/me/credentials/clr", headers=worker.headers)).json()["token"]
    assert rfc_jws.extract_compact(fresh.encode()).protected["kid"] == new_kid

    # Offline: a saved DID document and status list, no service.
    status = (await client.get("/credentials/status/1")).text
    offline = verify_token(old, did, status)
    assert offline.ok
    assert [p.ok for p in offline.parts] == [True, True]
    (tmp_path / "did.json").write_text(json.dumps(did))
    forged = old[:-2] + ("AA" if old[-2:] != "AA" else "BB")
    assert verify_token(forged, did, status).ok is False


async def test_the_status_list_is_public_and_large_enough(client: AsyncClient) -> None:
    response = await client.get("/credentials/status/1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+jwt")
    _, keys = await _key_set(client)
    assert _bit(response.text, keys, 131_071) is False
    refused = await client.post("/credentials/verify", json={"credential": "not.a.jws"})
    assert refused.json()["ok"] is False


async def test_portfolio_verify_works_offline_from_saved_files(
    client: AsyncClient, runtime: Runtime, tmp_path: Path
) -> None:
    _, _, person = await _certified(client, runtime)
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    clr = (await client.get("/me/credentials/clr", headers=worker.headers)).json()["token"]
    (tmp_path / "clr.jwt").write_text(clr)
    (tmp_path / "did.json").write_text((await client.get("/.well-known/did.json")).text)
    (tmp_path / "status.jwt").write_text((await client.get("/credentials/status/1")).text)
    (tmp_path / "bad.jwt").write_text(clr[:-4] + ("AAAA" if clr[-4:] != "AAAA" else "BBBB"))
    args = [
        "verify",
        "--keys",
        str(tmp_path / "did.json"),
        "--status",
        str(tmp_path / "status.jwt"),
    ]
    good = CliRunner().invoke(cli.app, [*args, str(tmp_path / "clr.jwt")])
    assert good.exit_code == 0, good.output
    assert "VALID ClrCredential" in good.output
    assert person.name not in good.output
    bad = CliRunner().invoke(cli.app, [*args, str(tmp_path / "bad.jwt")])
    assert bad.exit_code == 1
    assert "NOT VALID" in bad.output


async def test_a_correction_revokes_the_old_badge_and_the_new_one_verifies(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, certificate_id, person = await _certified(client, runtime)
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    before = (await _badges(client, worker.headers))["certificate"]
    corrected = await client.post(
        f"/certificates/{certificate_id}/correct",
        json={**CERTIFICATE, "level": "intermediate", "reason": "等级录入错误"},
        headers=provider.user.headers,
    )
    assert corrected.status_code == 200, corrected.text
    after = (await _badges(client, worker.headers))["certificate"]
    _, keys = await _key_set(client)
    old, new = _rfc_claims(before, keys), _rfc_claims(after, keys)
    assert old["credentialStatus"]["statusListIndex"] != new["credentialStatus"]["statusListIndex"]
    results = {r["resultDescription"]: r for r in new["credentialSubject"]["result"]}
    assert results["#level"]["value"] == "intermediate"
    status = (await client.get("/credentials/status/1")).text
    assert _bit(status, keys, int(old["credentialStatus"]["statusListIndex"])) is True
    assert _bit(status, keys, int(new["credentialStatus"]["statusListIndex"])) is False
    for token, ok in ((before, False), (after, True)):
        verdict = await client.post("/credentials/verify", json={"credential": token})
        assert verdict.json()["ok"] is ok
