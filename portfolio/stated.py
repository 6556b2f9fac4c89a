"""A record the archive states: the pending-entry step shared by competition results and
honours (the way ``training/certificates.py`` writes a certificate's entries).

Such a record (an entrant's result, an honour) is a document holding its current state and
``entry_seq``: the seq of the archive entry that states it (0 while that entry is being
written). Each change first moves the document (``entry_seq`` to 0, with the seq the new entry
corrects, its reason and who made it) with one conditional update, then writes the stating
entry and notes its seq. A process killed in between leaves ``entry_seq`` at 0; the same
request retried, or any later change (refused until then), finishes it with ``write_stating``,
which first asks the archive whether the entry is there already, so it is written once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from portfolio.archives import EntryKind, Recorder, append_entry, entry_about

# ``entry_seq`` of a record with no entry yet (a result before its competition is published).
NOT_STATED = -1
# ``entry_seq`` of a record whose entry is being written.
PENDING = 0


@dataclass(frozen=True)
class Stating:
    """The entry that states a record as it stands: where, what kind, what it says, who
    wrote it, the seq it corrects, and the payload key that names the record."""

    archive_id: str
    kind: EntryKind
    payload: dict[str, Any]
    recorder: Recorder
    corrects: int | None
    key: str


async def write_stating(stating: Stating, note: Callable[[int], Awaitable[object]]) -> int:
    """Append the stating entry unless the archive has it already, then ``note`` its seq."""
    # An entry is corrected at most once, so (kind, record, the seq it corrects) names it.
    seq = await entry_about(
        stating.archive_id,
        stating.kind,
        stating.key,
        str(stating.payload[stating.key]),
        corrects=stating.corrects,
    )
    if seq is None:
        entry = await append_entry(
            archive_id=stating.archive_id,
            kind=stating.kind,
            payload=stating.payload,
            recorded_by=stating.recorder,
            corrects=stating.corrects,
        )
        seq = entry.seq
    await note(seq)
    return seq
