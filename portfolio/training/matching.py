"""Finding a worker's archive the way a provider names them: document, number and name.

A provider never sees an archive id or a full number, so it names a worker by the identity
document it was shown; the number and the name must both match the archive. Every mismatch
answers alike, so the question cannot be used to learn who has an archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portfolio.archives.documents import Archive
from portfolio.archives.registration import check_name
from portfolio.errors import ValidationFailed
from portfolio.identity.identifiers import IdType, parse_identity
from portfolio.identity.protection import FieldProtection
from portfolio.keyring import Keyring
from portfolio.lookups import find_each

NO_MATCH = "no registered worker has this ID number and name"


@dataclass(frozen=True)
class WorkerRef:
    """How a provider names a worker: document type, number and name, all three."""

    id_type: IdType
    id_number: str
    name: str
    nationality: str | None = None


async def find_worker(keyring: Keyring, ref: WorkerRef) -> Archive:
    """The archive matching number *and* name; one and the same error for any mismatch.

    An unknown number and a known number with another name answer alike, so the enrolment
    form cannot be used to learn who has an archive.
    """
    outcome = (await match_workers(keyring, [ref]))[0]
    if isinstance(outcome, ValidationFailed):
        raise outcome
    return outcome


async def match_workers(
    keyring: Keyring, workers: Sequence[WorkerRef]
) -> dict[int, Archive | ValidationFailed]:
    """Each row's archive (number and name both matching), or why not; one query for all.

    In row order: callers pair the answers with their rows.
    """
    protection = FieldProtection(keyring)
    outcome: dict[int, Archive | ValidationFailed] = {}
    wanted: dict[int, tuple[str, str]] = {}
    for row, ref in enumerate(workers):
        try:
            identity = parse_identity(ref.id_type, ref.id_number, nationality=ref.nationality)
            wanted[row] = (protection.blind_index(identity.lookup_key), check_name(ref.name))
        except ValidationFailed as failed:
            outcome[row] = failed
    indexes = list({index for index, _ in wanted.values()})
    archives = {a.id_index: a for a in await find_each(Archive, "id_index", indexes)}
    for row, (index, name) in wanted.items():
        archive = archives.get(index)
        if archive is None or archive.name != name:
            outcome[row] = ValidationFailed.single("worker", "no_match", NO_MATCH)
        else:
            outcome[row] = archive
    return {row: outcome[row] for row in range(len(workers))}
