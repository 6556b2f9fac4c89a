"""Signed checkpoints: the head of every hash chain, signed with a key the database never sees.

A hash chain shows a change to one of its entries, unless whoever changed it also recomputed
every later hash and the head, which anyone with write access to the database can do. A
checkpoint closes that gap: ``portfolio checkpoint export FILE`` writes the current head (seq
and hash) of every chain, signed with the checkpoint key (an Ed25519 private key in a file
named by ``PORTFOLIO_CHECKPOINT_KEY_FILE``, kept apart from the master key and the database);
``portfolio checkpoint check FILE`` recomputes every chain from its stored records up to the
signed head and names each chain whose recomputed hash differs, or that is gone.

Chains come from *sources*, registered by name with :func:`register_chain_source`: the worker
archives (each archive's entries) and the audit trail (each object's change records).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from portfolio import clock
from portfolio.archives import Archive, entries
from portfolio.archives.chain import GENESIS_HASH
from portfolio.audit.checkpoint_chains import TrailChains
from portfolio.chain_heads import ChainHead

FORMAT = "portfolio-checkpoint/1"


class ChainSource(Protocol):
    """A kind of hash chain: lists its heads and recomputes one from its stored records."""

    def heads(self) -> AsyncIterator[ChainHead]:
        """The current head of every chain of this kind."""
        ...

    async def recompute(self, chain: str, seq: int) -> str | None:
        """The hash at ``seq`` of ``chain`` recomputed from the stored records (from the
        first entry on), or None when the chain is gone or broken before ``seq``."""
        ...


_SOURCES: dict[str, ChainSource] = {}


def register_chain_source(name: str, source: ChainSource) -> None:
    """Add a kind of chain to every checkpoint and every chain check (one line per kind)."""
    _SOURCES[name] = source


def chain_sources() -> dict[str, ChainSource]:
    """The registered kinds of chain, by name."""
    return dict(_SOURCES)


class ArchiveChains:
    """The worker archives' entry chains (``portfolio.archives``)."""

    async def heads(self) -> AsyncIterator[ChainHead]:
        """Every archive's head, in ``_id`` order."""
        async for raw in Archive.get_pymongo_collection().find({}, {"head": 1}).sort("_id", 1):
            head = raw.get("head") or {}
            yield ChainHead(str(raw["_id"]), int(head.get("seq", 0)), str(head.get("hash", "")))

    async def recompute(self, chain: str, seq: int) -> str | None:
        """The verified hash at ``seq`` (the chain must hold from its first entry to it)."""
        try:
            report = await entries.verify_chain(chain)
        except Exception:  # a malformed or vanished archive id: the chain is gone
            return None
        if report.first_broken_seq is not None and report.first_broken_seq <= seq:
            return None
        if seq == 0:
            return GENESIS_HASH
        stored = Archive.get_pymongo_collection().database["archive_entries"]
        raw = await stored.find_one({"archive_id": chain, "seq": seq}, {"hash": 1})
        return None if raw is None else str(raw["hash"])


register_chain_source("archives", ArchiveChains())
register_chain_source("trail", TrailChains())


@dataclass
class Difference:
    """One chain that does not match: where, and what the checkpoint and the store say."""

    source: str
    chain: str
    seq: int
    signed: str
    found: str | None


@dataclass
class CheckResult:
    """The outcome of a chain check (against a checkpoint, or of the chains as stored)."""

    chains_checked: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every chain matched."""
        return not self.differences


class CheckpointError(ValueError):
    """The checkpoint file or its key is unusable, or its signature does not verify."""


def load_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """The checkpoint key from its PEM file; with ``create``, a new one when it is missing
    (written owner-only)."""
    if not path.exists():
        if not create:
            raise CheckpointError(f"no checkpoint key at {path} (create one with --create-key)")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 private key")
    return loaded


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of the public key, recorded in each checkpoint."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(raw)
    return digest.finalize().hex()[:16]


async def current_heads() -> dict[str, list[list[Any]]]:
    """Every registered chain's head now: source -> [[chain, seq, hash], …]."""
    found: dict[str, list[list[Any]]] = {}
    for name, source in sorted(_SOURCES.items()):
        found[name] = [[h.chain, h.seq, h.hash] async for h in source.heads()]
    return found


async def export(key: Ed25519PrivateKey, database: str) -> dict[str, Any]:
    """A signed checkpoint of every chain's head (a JSON-ready document)."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "database": database,
        "created_at": clock.real_now().isoformat(timespec="milliseconds"),
        "key_id": key_id(key.public_key()),
        "chains": await current_heads(),
    }
    signature = key.sign(rfc8785.dumps(body))
    return {**body, "signature": base64.b64encode(signature).decode()}


def verified_body(document: dict[str, Any], public: Ed25519PublicKey) -> dict[str, Any]:
    """The checkpoint's signed content, once its signature verifies with ``public``."""
    if document.get("format") != FORMAT:
        raise CheckpointError("not a checkpoint file of this service")
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        public.verify(base64.b64decode(str(document.get("signature", ""))), rfc8785.dumps(body))
    except (InvalidSignature, ValueError) as exc:
        raise CheckpointError(
            "the checkpoint's signature does not verify with the checkpoint key"
        ) from exc
    return body


async def check(document: dict[str, Any], public: Ed25519PublicKey) -> CheckResult:
    """Compare the database with a checkpoint: every chain it signed must still recompute
    to the signed hash at the signed seq (later entries may have been added)."""
    body = verified_body(document, public)
    result = CheckResult()
    for name, heads in sorted(body["chains"].items()):
        source = _SOURCES.get(name)
        for chain, seq, signed in heads:
            result.chains_checked += 1
            found = None if source is None else await source.recompute(chain, int(seq))
            if found != signed:
                result.differences.append(Difference(name, chain, int(seq), signed, found))
    return result


async def check_chains() -> CheckResult:
    """Every chain as stored: each must recompute to its own head."""
    result = CheckResult()
    for name, source in sorted(_SOURCES.items()):
        async for head in source.heads():
            result.chains_checked += 1
            found = await source.recompute(head.chain, head.seq)
            if found != head.hash:
                result.differences.append(Difference(name, head.chain, head.seq, head.hash, found))
    return result


def write(document: dict[str, Any], path: Path) -> None:
    """Write a checkpoint file (pretty JSON; its signature covers the canonical form)."""
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def read(path: Path) -> dict[str, Any]:
    """Read a checkpoint file."""
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read the checkpoint {path}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise CheckpointError("not a checkpoint file of this service")
    return loaded
