"""The hash chain of archive entries: canonical form, hashes and verification.

The hashed content of an entry is fixed (DESIGN.md, "The archive")::

    {archive_id, seq, kind, recorded_at, recorded_by, payload, corrects}

serialised with RFC 8785 (JSON Canonicalization Scheme: sorted keys, no spaces, fixed number
and string forms), and ``hash = sha256(prev_hash + canonical_json)`` as lowercase hex, where
``prev_hash`` is the previous entry's hash (64 zeros for the first entry) as ASCII.
``recorded_at`` is the UTC instant as ``YYYY-MM-DDTHH:MM:SS.mmmZ``: BSON keeps milliseconds,
so the stored time reproduces the hashed string exactly.

The chain proves that nothing was edited, removed or reordered behind the service's back by
someone who did not also recompute every later hash; anchoring the head hash outside the
database would close that gap.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

GENESIS_HASH = "0" * 64


def format_instant(moment: datetime) -> str:
    """The hashed form of a time: UTC, milliseconds, ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def plain_json(value: Any, path: str = "payload") -> Any:
    """``value`` checked to be plain JSON that survives BSON unchanged (copied).

    Keys are strings that MongoDB accepts as field names; numbers are finite; tuples become
    lists. Anything else (dates, bytes, ObjectIds) is a programming error: convert it first.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        if not -(2**53) < value < 2**53:
            raise TypeError(f"{path}: integer outside the exactly representable range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{path}: numbers must be finite")
        return value
    if isinstance(value, list | tuple):
        return [plain_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        copied: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key or key.startswith("$") or "." in key:
                raise TypeError(f"{path}: keys must be plain non-empty strings")
            copied[key] = plain_json(item, f"{path}.{key}")
        return copied
    raise TypeError(f"{path}: {type(value).__name__} is not plain JSON")


def hashed_content(
    *,
    archive_id: str,
    seq: int,
    kind: str,
    recorded_at: datetime,
    recorded_by: Mapping[str, Any],
    payload: Mapping[str, Any],
    corrects: int | None,
) -> dict[str, Any]:
    """The exact object whose canonical form is hashed."""
    return {
        "archive_id": archive_id,
        "seq": seq,
        "kind": kind,
        "recorded_at": format_instant(recorded_at),
        "recorded_by": dict(recorded_by),
        "payload": dict(payload),
        "corrects": corrects,
    }


def canonical(content: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical JSON of ``content``."""
    encoded: bytes = rfc8785.dumps(dict(content))
    return encoded


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON)`` as lowercase hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(content)).hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    """What verification needs of a stored entry (read straight from the collection)."""

    archive_id: str
    seq: int
    kind: str
    recorded_at: datetime
    recorded_by: Mapping[str, Any]
    payload: Mapping[str, Any]
    corrects: int | None
    prev_hash: str
    hash: str

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> StoredEntry:
        """From a raw ``archive_entries`` document."""
        return cls(
            archive_id=str(raw["archive_id"]),
            seq=raw["seq"],
            kind=raw["kind"],
            recorded_at=raw["recorded_at"],
            recorded_by=raw["recorded_by"],
            payload=raw["payload"],
            corrects=raw.get("corrects"),
            prev_hash=raw["prev_hash"],
            hash=raw["hash"],
        )

    def recompute(self, prev_hash: str) -> str:
        """The hash this entry should have after ``prev_hash``."""
        content = hashed_content(
            archive_id=self.archive_id,
            seq=self.seq,
            kind=self.kind,
            recorded_at=self.recorded_at,
            recorded_by=self.recorded_by,
            payload=self.payload,
            corrects=self.corrects,
        )
        return entry_hash(prev_hash, content)


def first_break(
    archive_id: str, entries: Iterable[StoredEntry], head_seq: int, head_hash: str
) -> int | None:
    """The first sequence number at which the chain is broken, or None when it holds.

    ``entries`` must come in ascending ``seq`` order. A missing or repeated sequence number,
    an entry of another archive, a wrong ``prev_hash`` or a hash that does not match its
    content breaks the chain at that position. The head must point at a stored entry with
    the same hash; entries past the head are allowed (an appender stopped between its two
    writes; the next append moves the head over them) as long as they chain.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    head_matched = head_seq == 0 and head_hash == GENESIS_HASH
    for entry in entries:
        if (
            entry.seq != expected_seq
            or entry.archive_id != archive_id
            or entry.prev_hash != prev_hash
            or entry.recompute(prev_hash) != entry.hash
        ):
            return expected_seq
        if entry.seq == head_seq:
            if entry.hash != head_hash:
                return expected_seq
            head_matched = True
        prev_hash = entry.hash
        expected_seq += 1
    if not head_matched:
        # The head points past the last stored entry (entries were deleted at the end)
        # or at a hash that no stored entry has.
        return min(expected_seq, max(head_seq, 1))
    return None
