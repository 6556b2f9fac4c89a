"""Checking a credential: signature, issuer key, dates, status; usable with no database.

The caller supplies the issuer's public keys (from our key collection, a DID document or a
saved JWKS) and a way to read status lists (our own list, or a saved status list credential),
so the same code serves the public endpoint, the page and ``portfolio verify`` offline.
A ``ClrCredential`` is checked, then every badge inside it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from portfolio.credentials import jws
from portfolio.credentials.issuer_keys import key_from_jwk
from portfolio.credentials.status import bit_at

# A status list URL -> its encodedList (None when it cannot be had).
StatusSource = Callable[[str], str | None]


@dataclass
class Check:
    """One step of the verification, with a plain-words note."""

    name: str
    ok: bool
    detail: str


@dataclass
class Verdict:
    """The outcome: every step, the content in plain words, and the badges of a CLR."""

    ok: bool
    checks: list[Check] = field(default_factory=list)
    kind: str = ""
    name: str = ""
    issuer: str = ""
    valid_from: str = ""
    valid_until: str = ""
    achievements: list[dict[str, Any]] = field(default_factory=list)
    parts: list[Verdict] = field(default_factory=list)


def keys_from_document(document: Mapping[str, Any]) -> dict[str, ec.EllipticCurvePublicKey]:
    """kid -> public key from a DID document (``verificationMethod``) or a JWKS (``keys``)."""
    found: dict[str, ec.EllipticCurvePublicKey] = {}
    for method in document.get("verificationMethod", []):
        found[str(method["id"])] = key_from_jwk(method["publicKeyJwk"])
    for jwk in document.get("keys", []):
        found[str(jwk["kid"])] = key_from_jwk(jwk)
    return found


def _plain(claims: Mapping[str, Any]) -> dict[str, Any]:
    subject = claims.get("credentialSubject") or {}
    found = subject.get("achievement") if isinstance(subject, dict) else None
    achievements = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    results = subject.get("result", []) if isinstance(subject, dict) else []
    shown = []
    for item in achievements:
        shown.append(
            {
                "name": item.get("name", ""),
                "type": item.get("achievementType", ""),
                "occupation_code": item.get("fieldOfStudy", ""),
                "creator": (item.get("creator") or {}).get("name", ""),
                "results": {
                    str(r.get("resultDescription", "")).lstrip("#"): r.get("value", r.get("status"))
                    for r in results
                    if isinstance(r, dict)
                },
            }
        )
    return {"achievements": shown}


def verify(
    token: str,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
    status: StatusSource,
    now: datetime,
    *,
    issuer_did: str | None = None,
) -> Verdict:
    """Check one compact JWS credential (and the badges inside a CLR)."""
    verdict = Verdict(ok=False)
    try:
        header = jws.header_of(token)
    except jws.BadCredential as exc:
        verdict.checks.append(Check("format", False, str(exc)))
        return verdict
    kid = str(header["kid"])
    key = keys.get(kid)
    if key is None:
        verdict.checks.append(Check("issuer key", False, f"unknown key {kid}"))
        return verdict
    try:
        claims = jws.verify(token, key)
    except jws.BadCredential as exc:
        verdict.checks.append(Check("signature", False, str(exc)))
        return verdict
    verdict.checks.append(Check("signature", True, f"signed with {kid}"))
    did = kid.split("#", 1)[0]
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    issuer_ok = claims.get("iss") == did == issuer_id and (issuer_did in (None, did))
    verdict.checks.append(Check("issuer", issuer_ok, f"issued by {did}"))
    verdict.checks.append(_dates(claims, now))
    verdict.checks.append(_status(claims, status))
    types = claims.get("type") or []
    verdict.kind = next((t for t in types if t != "VerifiableCredential"), "")
    verdict.name = str(claims.get("name", ""))
    verdict.issuer = (issuer.get("name", "") if isinstance(issuer, dict) else "") or did
    verdict.valid_from = str(claims.get("validFrom", ""))
    verdict.valid_until = str(claims.get("validUntil", ""))
    verdict.achievements = _plain(claims)["achievements"]
    subject = claims.get("credentialSubject") or {}
    for inner in subject.get("verifiableCredential", []) if isinstance(subject, dict) else []:
        part = verify(str(inner), keys, status, now, issuer_did=did)
        verdict.parts.append(part)
    if verdict.parts:
        verdict.checks.append(
            Check(
                "contained credentials",
                all(part.ok for part in verdict.parts),
                f"{sum(p.ok for p in verdict.parts)} of {len(verdict.parts)} verify",
            )
        )
    verdict.ok = all(check.ok for check in verdict.checks)
    return verdict


def _dates(claims: Mapping[str, Any], now: datetime) -> Check:
    stamp = now.timestamp()
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(nbf, int) or nbf > stamp:
        return Check("dates", False, "not valid yet")
    if exp is not None and (not isinstance(exp, int) or exp <= stamp):
        return Check("dates", False, "expired")
    return Check("dates", True, "within its validity")


def _status(claims: Mapping[str, Any], status: StatusSource) -> Check:
    entry = claims.get("credentialStatus")
    if entry is None:
        return Check("status", True, "no status list")
    try:
        encoded = status(str(entry["statusListCredential"]))
        if encoded is None:
            return Check("status", False, "the status list cannot be read")
        revoked = bit_at(encoded, int(entry["statusListIndex"]))
    except (KeyError, TypeError, ValueError, OSError) as exc:
        return Check("status", False, f"unreadable status: {type(exc).__name__}")
    return Check("status", not revoked, "revoked" if revoked else "not revoked")


def status_from_credential(
    token: str, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> tuple[str, str]:
    """(URL, encodedList) of a signed status list credential, once its signature checks."""
    header = jws.header_of(token)
    key = keys.get(str(header["kid"]))
    if key is None:
        raise jws.BadCredential("the status list is signed with an unknown key")
    claims = jws.verify(token, key)
    subject = claims["credentialSubject"]
    return str(claims["id"]), str(subject["encodedList"])
