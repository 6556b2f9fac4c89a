"""The credentials a worker's archive yields, signed; the DID document, JWKS and status list.

``configure(settings, keyring)`` (at start-up) gives the area the public URL and the master
secret, so ``archive_clr(archive_id)`` needs nothing else (the export bundle calls it).
Records are read from the archive's entries and the training area's certificates: a voided
certificate yields no credential, and issuing revokes the credentials of any older version
of a record, so a missed event can never leave a stale credential valid.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from portfolio import archives, clock, training
from portfolio.credentials import (
    builders,
    jws,
    records_distinctions,
    records_recognition,
    status,
    verification,
)
from portfolio.credentials.issuer_keys import IssuerKeys, SigningKey, public_jwk
from portfolio.errors import NotFound
from portfolio.keyring import Keyring, load_master_secret
from portfolio.settings import Settings


@dataclass
class _Context:
    issuer: builders.Issuer
    keys: IssuerKeys
    salt_key: bytes
    keyring: Keyring


_context: _Context | None = None


def did_for(public_url: str | None) -> tuple[str, str]:
    """(did:web DID, base URL) for the public URL (a port is written ``%3A``, as did:web says)."""
    base = (public_url or "http://localhost").rstrip("/")
    host = urlsplit(base).netloc
    return f"did:web:{quote(host, safe='')}", base


def configure(settings: Settings, keyring: Keyring) -> None:
    """Set the area up for this process (start-up; again in tests with other settings)."""
    global _context  # one issuer per process, like the keyring it is built from
    secret = load_master_secret(settings)
    did, base = did_for(settings.public_url)
    salt_key = hmac.new(secret, b"portfolio credential holder salt v1", hashlib.sha256).digest()
    _context = _Context(builders.Issuer(did, base), IssuerKeys(secret), salt_key, keyring)


def context() -> _Context:
    """The configured context (RuntimeError before ``configure``)."""
    if _context is None:
        raise RuntimeError("portfolio.credentials is not configured")
    return _context


def kid_of(key: SigningKey) -> str:
    """The DID URL naming a key."""
    return f"{context().issuer.did}#{key.fragment}"


async def did_document() -> dict[str, Any]:
    """The did:web document: every issuer key ever used, the newest last."""
    ctx = context()
    methods = [
        {
            "id": kid_of(key),
            "type": "JsonWebKey2020",
            "controller": ctx.issuer.did,
            "publicKeyJwk": public_jwk(key.public, kid_of(key)),
        }
        for key in await ctx.keys.all(fresh=True)
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": ctx.issuer.did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


async def published_keys_version() -> tuple[object, ...]:
    """What tells apart the keys the DID document and the key set publish (a rotation made by
    any process changes it), read without unwrapping a key."""
    return await context().keys.published_version()


async def jwks() -> dict[str, Any]:
    """The same keys as a JWKS."""
    keys = await context().keys.all(fresh=True)
    return {"keys": [public_jwk(key.public, kid_of(key)) for key in keys]}


async def rotate_issuer_key() -> str:
    """Make a new signing key; the old ones stay published. Returns the new kid."""
    return kid_of(await context().keys.rotate())


async def _sign(claims: dict[str, Any]) -> str:
    key = await context().keys.current()
    return jws.sign(claims, key.private, kid_of(key))


async def status_list_credential() -> str:
    """The signed status list credential (built from the revoked credentials now)."""
    encoded = status.encode_list(await status.revoked_indexes(), await status.list_size())
    return await _sign(builders.status_list_claims(context().issuer, encoded, clock.now()))


async def own_status_list() -> str:
    """The current ``encodedList`` (what the verifier reads for our own URL)."""
    return status.encode_list(await status.revoked_indexes(), await status.list_size())


@dataclass(frozen=True)
class Issued:
    """One signed credential of a worker."""

    kind: str
    key: str
    name: str
    token: str
    achievement: dict[str, Any]


async def _holder(archive_id: str) -> builders.Holder:
    archive = await archives.archive_by_id(archive_id)
    if archive is None:
        raise NotFound("no such worker")
    ctx = context()
    salt = hmac.new(ctx.salt_key, archive_id.encode(), hashlib.sha256).hexdigest()[:32]
    number = await archives.id_number_of(archive, ctx.keyring)
    return builders.Holder.of(archive.name, number, salt)


async def _records(archive_id: str) -> list[tuple[builders.Record, str, int]]:
    """(record, record id, version) of every achievement the archive holds now."""
    entries = await archives.entries_of(archive_id)
    completions: dict[str, archives.EntryFacts] = {}
    found: list[tuple[builders.Record, str, int]] = []
    for entry in entries:
        if entry.kind == archives.EntryKind.TRAINING_COMPLETED:
            completions[str(entry.payload.get("enrolment_id", entry.seq))] = entry  # latest wins
        elif entry.kind == archives.EntryKind.APPRENTICESHIP_COMPLETED:
            p = entry.payload
            record = apprenticeship_record(archive_id, entry.seq, p)
            found.append((record, str(p["apprenticeship_id"]), entry.seq))
    found.extend(await records_distinctions.records(archive_id, entries))
    for enrolment_id, entry in completions.items():
        found.append(
            (completion_record(archive_id, entry.seq, entry.payload), enrolment_id, entry.seq)
        )
    certificates = await training.certificates_of_enrolments(list(completions))
    for enrolment_id, items in certificates.items():
        provider = completions[enrolment_id].payload
        for certificate in items:
            # Only the holder's own, still valid certificates (a voided one yields no badge).
            if certificate.archive_id != archive_id or certificate.status.value != "valid":
                continue
            record = _certificate(certificate, provider)
            found.append((record, str(certificate.id), certificate.version))
    found.extend(await records_recognition.road_records(archive_id))
    return found


def _imported(p: dict[str, Any]) -> dict[str, Any]:
    """What a completion imported from earlier records says of itself: its evidence (OB 3.0
    ``Evidence``, with the paper file's reference), a narrative, and the training's dates."""
    if not p.get("imported"):
        return {}
    evidence = p.get("evidence") or {}
    reference = str(evidence.get("reference", ""))
    description = str(evidence.get("description", ""))
    return {
        "evidence": (
            builders.Evidence(
                name="早期培训记录",
                description=description,
                narrative=f"档案依据：{description}；编号：{reference}",
                genre="historical record",
            ),
        ),
        "narrative": (
            f"本培训完成于本服务之前，由培训机构从早期记录导入，经人社部门审核后记入档案"
            f"（依据编号：{reference}）。"
        ),
        "started": date.fromisoformat(str(p["run_start_date"]))
        if p.get("run_start_date")
        else None,
    }


def completion_record(archive_id: str, seq: int, p: dict[str, Any]) -> builders.Record:
    """The record of a "training completed" entry (payload ``p``)."""
    return builders.Record(
        key=f"completion:{archive_id}:{seq}",
        kind="completion",
        name=f"培训结业：{p.get('course_title') or p['occupation_code'] or '职业培训'}",
        description="按课程要求完成职业技能培训并考核合格",
        occupation_code=str(p["occupation_code"] or ""),
        level=p.get("target_level"),
        awarded=date.fromisoformat(str(p.get("run_end_date") or "2000-01-01")),
        creator_id=f"urn:portfolio:organisation:{p.get('provider_id', '')}",
        creator_name=str(p.get("provider_name", "")),
        result="Completed",
        hours=float(p["hours"]),
        **_imported(p),
    )


def apprenticeship_record(archive_id: str, seq: int, p: dict[str, Any]) -> builders.Record:
    """The record of an "apprenticeship completed" entry (payload ``p``)."""
    return builders.Record(
        key=f"apprenticeship:{archive_id}:{seq}",
        kind="apprenticeship",
        name=f"企业新型学徒制结业：{p['occupation_code']}",
        description="完成企业新型学徒制培养",
        occupation_code=str(p["occupation_code"]),
        level=str(p.get("level_reached") or "") or None,
        awarded=date.fromisoformat(str(p.get("end") or "2000-01-01")[:10]),
        creator_id=f"urn:portfolio:employer:{p.get('employer_name', '')}",
        creator_name=str(p.get("employer_name", "")),
        result="Completed",
        narrative=_below_plan(p),
    )


def _below_plan(p: dict[str, Any]) -> str | None:
    """An apprenticeship that ended below its planned level says so, with both levels."""
    if not p.get("below_plan"):
        return None
    return (
        f"学徒结业时达到的技能等级（{p.get('level_reached') or '无'}）"
        f"低于培养计划的目标等级（{p.get('target_level') or '未载明'}）。"
    )


def _certificate(certificate: Any, provider: dict[str, Any]) -> builders.Record:
    level = certificate.level.value if certificate.level else None
    return builders.Record(
        key=f"certificate:{certificate.id}:v{certificate.version}",
        kind="certificate",
        name=f"职业技能证书 {certificate.occupation_code}" + (f"（{level}）" if level else ""),
        description=f"{certificate.issuing_body}颁发（{certificate.certificate_type.value}）",
        occupation_code=certificate.occupation_code,
        level=level,
        awarded=certificate.issue_date,
        creator_id=f"urn:portfolio:organisation:{certificate.organisation_id}",
        creator_name=str(provider.get("provider_name") or certificate.issuing_body),
        result="Passed",
        hours=float(provider["hours"]) if "hours" in provider else None,
        human_code=certificate.number,
    )


async def worker_credentials(archive_id: str) -> list[Issued]:
    """Every badge of the worker, freshly signed (status indexes allocated once)."""
    holder = await _holder(archive_id)
    issued: list[Issued] = []
    now = clock.now()
    for record, record_id, version in await _records(archive_id):
        await status.revoke_before(record_id, version)
        entry = await status.status_of(
            record.key, archive_id=archive_id, record=record_id, version=version
        )
        claims = builders.badge_claims(context().issuer, holder, record, entry.index, now)
        token = await _sign(claims)
        achieved = claims["credentialSubject"]["achievement"]
        issued.append(Issued(record.kind, record.key, record.name, token, achieved))
    return issued


async def archive_clr(archive_id: str) -> str:
    """The archive's ``ClrCredential`` as a compact JWS, its badges inside as JWS strings."""
    badges = await worker_credentials(archive_id)
    holder = await _holder(archive_id)
    entry = await status.status_of(f"clr:{archive_id}", archive_id=archive_id, record="", version=0)
    achievements = [badge.achievement for badge in badges]
    claims = builders.clr_claims(
        context().issuer,
        holder,
        archive_id,
        [b.token for b in badges],
        achievements,
        entry.index,
        clock.now(),
    )
    return await _sign(claims)


async def on_certificate_changed(certificate_id: str, version: int) -> int:
    """A certificate was corrected or voided: revoke its credentials of older versions."""
    return await status.revoke_before(certificate_id, version)


async def check(token: str) -> verification.Verdict:
    """Verify a pasted credential here: our published keys, our own status list."""
    ctx = context()
    keys = {kid_of(key): key.public for key in await ctx.keys.all(fresh=True)}
    encoded = await own_status_list()

    def lists(url: str) -> str | None:
        return encoded if url == ctx.issuer.status_url else None

    return verification.verify(token, keys, lists, clock.now(), issuer_did=ctx.issuer.did)


async def reload_keys() -> None:
    """Read the issuer keys again (after a rotation made by another process)."""
    await context().keys.load()
