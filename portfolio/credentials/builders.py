"""Open Badges 3.0 and CLR 2.0 credentials as VC-JWT claims sets (pure functions).

OB 3.0 section "VC-JWT": the JWT claims set is the credential itself (no ``vc`` wrapper),
with ``iss`` = ``issuer.id``, ``jti`` = ``id``, ``sub`` = the subject, ``nbf`` = ``validFrom``
and ``exp`` = ``validUntil`` where there is one. The contexts are referenced by their official
URLs, never copied. No readable name or ID number goes in: the holder is an ``IdentityObject``
whose ``identityHash`` is ``sha256$`` + hex(sha256(name + "|" + ID number + salt)).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
ISSUER_NAME = "职业技能培训终身电子档案"


@dataclass(frozen=True)
class Issuer:
    """Who signs: the did:web DID of the service and its public base URL."""

    did: str
    base_url: str

    def profile(self) -> dict[str, Any]:
        """The issuer's OB 3.0 ``Profile``."""
        return {"id": self.did, "type": ["Profile"], "name": ISSUER_NAME, "url": self.base_url}

    @property
    def status_url(self) -> str:
        """The stable URL of the status list credential."""
        return f"{self.base_url}/credentials/status/1"


@dataclass(frozen=True)
class Holder:
    """The salted hash that names the holder, and the salt that lets a verifier check it."""

    identity_hash: str
    salt: str

    @classmethod
    def of(cls, name: str, id_number: str, salt: str) -> Holder:
        """Hash ``name`` and ``id_number`` (upper-cased, as ID numbers are compared)."""
        plain = f"{name}|{id_number.strip().upper()}{salt}"
        return cls("sha256$" + hashlib.sha256(plain.encode()).hexdigest(), salt)

    def identifier(self) -> dict[str, Any]:
        """The OB 3.0 ``IdentityObject``."""
        return {
            "type": "IdentityObject",
            "identityHash": self.identity_hash,
            "identityType": "identifier",
            "hashed": True,
            "salt": self.salt,
        }


@dataclass(frozen=True)
class Record:
    """One achievement of the worker: a certificate, a completion or an apprenticeship."""

    key: str  # stable id of this version of the record (the credential's urn)
    kind: str  # certificate | completion | apprenticeship | competition | honour
    name: str
    description: str
    occupation_code: str
    level: str | None
    awarded: date
    creator_id: str
    creator_name: str
    result: str
    hours: float | None = None
    human_code: str | None = None
    valid_until: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # What this assertion of the achievement rests on, when the service did not see it
    # happen (training imported from earlier records): OB 3.0 ``Evidence`` objects.
    evidence: tuple[Evidence, ...] = ()
    # OB 3.0 ``AchievementSubject.narrative``: how this assertion differs from the plain one
    # (imported from earlier records; an apprenticeship that ended below its planned level).
    narrative: str | None = None
    started: date | None = None


@dataclass(frozen=True)
class Evidence:
    """An OB 3.0 ``Evidence``: no URL (a paper file has none), its name, what it is and the
    reference to find it by, in ``narrative``."""

    name: str
    description: str
    narrative: str
    genre: str

    def claims(self) -> dict[str, Any]:
        """The ``Evidence`` object."""
        return {
            "type": ["Evidence"],
            "name": self.name,
            "description": self.description,
            "narrative": self.narrative,
            "genre": self.genre,
        }


ACHIEVEMENT_TYPES = {
    "certificate": "Certificate",
    "completion": "Course",
    "apprenticeship": "ApprenticeshipCertificate",
    # A competition result that granted a level, and an honour (records_distinctions.py).
    "competition": "Award",
    "honour": "Award",
}


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def status_entry(issuer: Issuer, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` of a credential whose bit is ``index``."""
    return {
        "id": f"{issuer.status_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": issuer.status_url,
    }


def achievement(issuer: Issuer, record: Record) -> dict[str, Any]:
    """The OB 3.0 ``Achievement`` of a record: level, occupation code, hours, creator."""
    found: dict[str, Any] = {
        "id": f"{issuer.base_url}/achievements/{record.kind}/{record.occupation_code}"
        + (f"/{record.level}" if record.level else ""),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[record.kind],
        "name": record.name,
        "description": record.description,
        "criteria": {"narrative": record.description},
        "creator": {"id": record.creator_id, "type": ["Profile"], "name": record.creator_name},
        "fieldOfStudy": record.occupation_code,
        "tag": [record.occupation_code],
    }
    if record.human_code:
        found["humanCode"] = record.human_code
    results = [
        {"type": ["ResultDescription"], "id": "#result", "name": "result", "resultType": "Status"}
    ]
    if record.hours is not None:
        results.append(
            {
                "type": ["ResultDescription"],
                "id": "#hours",
                "name": "hours",
                "resultType": "ext:Hours",
            }
        )
    if record.level:
        results.append(
            {
                "type": ["ResultDescription"],
                "id": "#level",
                "name": "level",
                "resultType": "RubricCriterionLevel",
            }
        )
    found["resultDescription"] = results
    return found


def _results(record: Record) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = [
        {"type": ["Result"], "resultDescription": "#result", "status": record.result}
    ]
    if record.hours is not None:
        results.append(
            {"type": ["Result"], "resultDescription": "#hours", "value": f"{record.hours:g}"}
        )
    if record.level:
        results.append({"type": ["Result"], "resultDescription": "#level", "value": record.level})
    return results


def _claims(
    credential: dict[str, Any], issuer: Issuer, holder: Holder, now: datetime
) -> dict[str, Any]:
    """The JWT claims set: the credential's fields plus iss, sub, jti, nbf (exp if it ends)."""
    claims = dict(credential)
    claims["iss"] = issuer.did
    claims["sub"] = holder.identity_hash
    claims["jti"] = credential["id"]
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    claims["iat"] = int(now.timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    return claims


def badge_claims(
    issuer: Issuer, holder: Holder, record: Record, status_index: int, now: datetime
) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` of one record, as VC-JWT claims."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:portfolio:credential:{record.key}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.profile(),
        "validFrom": _iso(_at(record.awarded)),
        "name": record.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [holder.identifier()],
            "achievement": achievement(issuer, record),
            "result": _results(record),
            **({"creditsEarned": record.hours} if record.hours is not None else {}),
            **({"narrative": record.narrative} if record.narrative else {}),
            **({"activityStartDate": _iso(_at(record.started))} if record.started else {}),
            **({"activityEndDate": _iso(_at(record.awarded))} if record.started else {}),
        },
        "credentialStatus": status_entry(issuer, status_index),
    }
    if record.evidence:
        credential["evidence"] = [item.claims() for item in record.evidence]
    if record.valid_until is not None:
        credential["validUntil"] = _iso(_at(record.valid_until))
    return _claims(credential, issuer, holder, now)


def clr_claims(
    issuer: Issuer,
    holder: Holder,
    archive_key: str,
    badges: list[str],
    achievements: list[dict[str, Any]],
    status_index: int,
    now: datetime,
) -> dict[str, Any]:
    """The archive's ``ClrCredential``: every badge as a compact JWS string, in
    ``verifiableCredential``, and their achievements listed once more for readers."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": f"urn:portfolio:clr:{archive_key}:{int(now.timestamp())}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer.profile(),
        "validFrom": _iso(now),
        "name": "职业技能培训档案综合学习记录",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": [holder.identifier()],
            "verifiableCredential": badges,
            "achievement": achievements,
        },
        "credentialStatus": status_entry(issuer, status_index),
    }
    return _claims(credential, issuer, holder, now)


def status_list_claims(issuer: Issuer, encoded: str, now: datetime) -> dict[str, Any]:
    """The ``BitstringStatusListCredential`` (W3C), signed like every other credential."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": issuer.status_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{issuer.status_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    claims = dict(credential)
    claims.update(
        iss=issuer.did,
        sub=f"{issuer.status_url}#list",
        jti=issuer.status_url,
        nbf=int(now.timestamp()),
        iat=int(now.timestamp()),
    )
    return claims
