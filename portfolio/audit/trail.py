"""The audit trail of changes: who changed what, from what to what, why, when, in which request.

One insert-only record per change of an object, under a deterministic ``_id``
``<kind>:<object id>:v<version>`` (the object's version after the change), inserted with
``portfolio.once``: a retried request, or a racing one, writes it once. Records are chained by
hash per object (``chain`` = ``<kind>:<object id>``; each names the version it follows and that
record's hash), never through one global head that every write would queue behind.

What a record keeps of the object is what the use case passes as ``before`` and ``after``:
plain JSON values, already in their shown form. Keys that hold secrets are dropped whatever the
caller passed (``SECRET_KEYS``, and any value shaped like a sealed field), and the keys the
caller names ``personal`` are kept masked and hidden from readers without worker data (the
service admin). Masking is the caller's job (``mask_name``, ``mask_login``): a record never
holds a full identity number, phone number or name.

Writing is a step of the use case, not best effort: a failed insert fails the request after
the state change, and ``portfolio.audit.restore`` (called by the repair routine) writes the
record of any registered object whose stored version has none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import BulkWriteError

from portfolio import clock
from portfolio.audit import context
from portfolio.audit.context import PrincipalRef
from portfolio.chain_heads import ChainHead
from portfolio.once import insert_once

GENESIS = "0" * 64
UTC_ZONE = UTC
# What the first record of a chain follows (an object created at version 0 records v0).
GENESIS_VERSION = -1
# Never kept, whatever a use case passes: credentials and keyed or encrypted forms.
SECRET_KEYS = frozenset(
    {
        "password",
        "password_hash",
        "token",
        "refresh_token",
        "secret",
        "id_index",
        "ssn_index",
        "binding_key",
        "id_number",
        "phone",
        "birth_date",
    }
)
Json = Any


class ChangeRecord(Document):
    """One change of one object, chained to the previous change of the same object.

    ``principal_id``/``role``/``staff_role``/``organisation_id``/``actor_region`` say who acted
    (None: the service itself, or a record the repair routine restored); ``region`` is the
    region of the object where it has one (a worker's region code, an agency's prefix), which is
    what an agency auditor's reach is tested against.
    """

    id: str  # type: ignore[assignment]
    chain: str
    object_kind: str
    object_id: str
    version: int
    at: datetime
    at_ms: int
    principal_id: str | None
    role: str | None
    staff_role: str | None
    organisation_id: str | None
    actor_region: str | None
    region: str | None
    request_id: str | None
    reason: str | None
    before: dict[str, Json] | None
    after: dict[str, Json]
    personal: list[str] = Field(default_factory=list)
    restored: bool = False
    prev_version: int
    prev_hash: str
    hash: str

    class Settings:
        name = "change_records"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("chain", ASCENDING), ("version", ASCENDING)], unique=True),
            # nx-27017 does not use a compound index for its first field alone.
            IndexModel([("chain", ASCENDING)]),
            IndexModel([("principal_id", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region", ASCENDING)]),
            IndexModel([("at_ms", ASCENDING)]),
        ]


def chain_of(kind: str, object_id: str) -> str:
    """The chain (one per object) a change of ``kind``/``object_id`` belongs to."""
    return f"{kind}:{object_id}"


def record_id(kind: str, object_id: str, version: int) -> str:
    """The deterministic ``_id`` of the change that brought the object to ``version``."""
    return f"{chain_of(kind, object_id)}:v{version}"


def mask_name(name: str | None) -> str | None:
    """A person's name as the trail keeps it: the first character, then one ``*`` per other."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_login(login: str | None) -> str | None:
    """A login name as the trail keeps it: the first two and last two characters."""
    if not login:
        return login
    if len(login) <= 4:
        return login[0] + "*" * (len(login) - 1)
    return login[:2] + "*" * (len(login) - 4) + login[-2:]


def _is_sealed(value: Any) -> bool:
    # A sealed field's stored shape (portfolio.identity.Sealed): never kept, even if passed.
    return isinstance(value, Mapping) and "ciphertext" in value


def clean(snapshot: Mapping[str, Any] | None) -> dict[str, Json] | None:
    """``snapshot`` without secrets, as plain JSON (nested mappings are cleaned too)."""
    if snapshot is None:
        return None
    kept: dict[str, Json] = {}
    for key, value in snapshot.items():
        if key in SECRET_KEYS or _is_sealed(value):
            continue
        kept[key] = clean(value) if isinstance(value, Mapping) else value
    plain: dict[str, Json] = json.loads(json.dumps(kept, default=str))
    return plain


def _digest(prev_hash: str, body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def hash_of(record: ChangeRecord) -> str:
    """The hash ``record`` must carry: its predecessor's hash and its own content."""
    body = record.model_dump(mode="json", exclude={"hash", "prev_hash", "revision_id", "at"})
    return _digest(record.prev_hash, body)


async def _previous(chain: str, version: int) -> tuple[int, str]:
    found = (
        await ChangeRecord.get_pymongo_collection()
        .find({"chain": chain, "version": {"$lt": version}}, {"version": 1, "hash": 1})
        .sort("version", DESCENDING)
        .limit(1)
        .to_list()
    )
    if not found:
        return GENESIS_VERSION, GENESIS
    return int(found[0]["version"]), str(found[0]["hash"])


async def changed(
    kind: str,
    object_id: str,
    version: int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    reason: str | None = None,
    region: str | None = None,
    personal: Iterable[str] = (),
    actor: PrincipalRef | None = None,
    restored: bool = False,
) -> bool:
    """Record that ``kind``/``object_id`` went from ``before`` (None: created) to ``after``.

    ``version`` is the object's version after the change (the step's key: calling again for the
    same version writes nothing and returns False). Who acted is ``actor``, else the running
    request's principal. Call it right after the conditional update that made the change.
    """
    request = context.current()
    chain = chain_of(kind, object_id)
    prev_version, prev_hash = await _previous(chain, version)
    now = clock.truncate_to_millis(clock.now())
    who = _who(actor, request)
    record = ChangeRecord(
        id=record_id(kind, object_id, version),
        chain=chain,
        object_kind=kind,
        object_id=object_id,
        version=version,
        at=now,
        at_ms=clock.epoch_ms(now),
        region=region,
        request_id=request.request_id,
        reason=reason,
        before=clean(before),
        after=clean(after) or {},
        personal=sorted(set(personal)),
        restored=restored,
        prev_version=prev_version,
        prev_hash=prev_hash,
        hash="",
        **who,
    )
    record.hash = hash_of(record)
    return await insert_once(record)


@dataclass(frozen=True)
class Change:
    """One change of a batch (``changed_many``): the arguments ``changed`` takes one by one."""

    object_id: str
    version: int
    before: Mapping[str, Any] | None
    after: Mapping[str, Any]
    reason: str | None = None
    region: str | None = None


async def changed_many(
    kind: str,
    changes: Sequence[Change],
    *,
    personal: Iterable[str] = (),
    actor: PrincipalRef | None = None,
) -> int:
    """``changed`` for many objects of one kind at once (a class sheet): one batch insert,
    unordered, a record already there skipped as ``changed`` skips it; the number written.

    Creations (version 0) follow the genesis without a read; a later version looks its
    predecessor up, one read per object."""
    if not changes:
        return 0
    request = context.current()
    now = clock.truncate_to_millis(clock.now())
    who = _who(actor, request)
    hidden = sorted(set(personal))
    records: list[ChangeRecord] = []
    for change in changes:
        chain = chain_of(kind, change.object_id)
        prev_version, prev_hash = (
            (GENESIS_VERSION, GENESIS)
            if change.version <= 0
            else await _previous(chain, change.version)
        )
        record = ChangeRecord(
            id=record_id(kind, change.object_id, change.version),
            chain=chain,
            object_kind=kind,
            object_id=change.object_id,
            version=change.version,
            at=now,
            at_ms=clock.epoch_ms(now),
            region=change.region,
            request_id=request.request_id,
            reason=change.reason,
            before=clean(change.before),
            after=clean(change.after) or {},
            personal=hidden,
            prev_version=prev_version,
            prev_hash=prev_hash,
            hash="",
            **who,
        )
        record.hash = hash_of(record)
        records.append(record)
    try:
        await ChangeRecord.insert_many(records, ordered=False)
    except BulkWriteError as failure:
        refused = failure.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in refused):
            raise
        return len(records) - len(refused)
    return len(records)


def _who(actor: PrincipalRef | None, request: context.RequestContext) -> dict[str, str | None]:
    if actor is not None:
        return {
            "principal_id": actor.principal_id,
            "role": str(actor.role),
            "staff_role": None if actor.staff_role is None else str(actor.staff_role),
            "organisation_id": getattr(actor, "organisation_id", None),
            "actor_region": getattr(actor, "region_prefix", None),
        }
    return {
        "principal_id": request.principal_id,
        "role": request.role,
        "staff_role": request.staff_role,
        "organisation_id": request.organisation_id,
        "actor_region": request.region_prefix,
    }


async def trail_heads() -> AsyncIterator[ChainHead]:
    """Every chain of the trail with its newest record's version and hash, ordered by chain
    (what a signed checkpoint records of the trail)."""
    cursor = (
        ChangeRecord.get_pymongo_collection()
        .find({}, {"chain": 1, "version": 1, "hash": 1})
        .sort([("chain", ASCENDING), ("version", ASCENDING)])
    )
    newest: ChainHead | None = None
    async for raw in cursor:
        if newest is not None and newest.chain != raw["chain"]:
            yield newest
        newest = ChainHead(str(raw["chain"]), int(raw["version"]), str(raw["hash"]))
    if newest is not None:
        yield newest


async def check_chain(chain: str) -> list[str]:
    """What is wrong with one chain (empty: intact): a record whose hash does not match its
    content, a link to a missing or different predecessor, or two records after one."""
    problems: list[str] = []
    hashes: dict[int, str] = {GENESIS_VERSION: GENESIS}
    followed: set[int] = set()
    async for raw in ChangeRecord.find({"chain": chain}).sort("+version"):
        if hash_of(raw) != raw.hash:
            problems.append(f"{raw.id}: content does not match its hash")
        if hashes.get(raw.prev_version) != raw.prev_hash:
            problems.append(f"{raw.id}: does not follow v{raw.prev_version}")
        if raw.prev_version in followed:
            problems.append(f"{raw.id}: a second record after v{raw.prev_version}")
        followed.add(raw.prev_version)
        hashes[raw.version] = raw.hash
    return problems
