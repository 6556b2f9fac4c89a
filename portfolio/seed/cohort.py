"""One batch of workers and everything that happened to them, as stored documents.

A batch (a cohort of up to ``batch_size`` workers) is self-contained: its runs enrol only its
own workers, its vouchers are bound to their enrolments, its apprenticeships name mentors it
registers itself, so a batch can be built (and rebuilt after a crash) from the seed, the
catalogue and the batch's index alone. Each worker's archive entries are put in time order and
chained at the end (``portfolio.archives.chain``), and the seq of each entry is noted on the
document that caused it, exactly as the services do.

``CohortBuilder`` makes the workers' logins, archives and chains here and has the stories told
in a fixed order, all drawing from the batch's one generator (so the order is part of the
seed): training and certificates (``portfolio.seed.training``), vouchers
(``portfolio.seed.vouchers``), apprenticeships (``portfolio.seed.apprenticeships``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portfolio.accounts.principal import Role
from portfolio.archives.chain import GENESIS_HASH, entry_hash, hashed_content
from portfolio.archives.kept_summary import stored_summary
from portfolio.archives.kinds import EntryKind
from portfolio.archives.summary import summarise
from portfolio.seed.accounts import principal_document, worker_username
from portfolio.seed.apprenticeships import add_apprenticeships
from portfolio.seed.catalogue import Catalogue
from portfolio.seed.identities import at_millis, object_id, rng_for
from portfolio.seed.people import AWARDS, Entry, Person, PersonFactory, agency_recorder
from portfolio.seed.training import add_certificates, add_training
from portfolio.seed.vouchers import add_vouchers

COLLECTIONS = (
    "archives",
    "archive_entries",
    "principals",
    "runs",
    "enrolments",
    "worker_schedules",
    "attendance",
    "certificates",
    "vouchers",
    "voucher_events",
    "ledger",
    "mentors",
    "apprenticeships",
    "apprenticeship_events",
    "apprentice_guards",
)


@dataclass
class Batch:
    """The documents of one batch, per collection, and how many workers it holds."""

    index: int
    documents: dict[str, list[dict[str, Any]]]

    def count(self) -> dict[str, int]:
        """Documents per collection."""
        return {name: len(docs) for name, docs in self.documents.items() if docs}


@dataclass
class CohortBuilder:
    """Builds batch ``index`` (workers ``first .. first+size-1``)."""

    seed: int
    as_of: datetime
    catalogue: Catalogue
    factory: PersonFactory
    password_hash: str
    subsidy_for: Callable[[str], int]
    index: int
    first: int
    size: int
    docs: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in COLLECTIONS}
    )

    def build(self) -> Batch:
        """Every document of the batch."""
        rng = rng_for(self.seed, "batch", self.index)
        people = [self.factory.person(n) for n in range(self.first, self.first + self.size)]
        for person in people:
            self._principal(rng, person)
        enrolled = add_training(self, rng, people)
        add_certificates(self, rng, enrolled)
        add_vouchers(self, rng, people, enrolled)
        add_apprenticeships(self, rng, people)
        for person in people:
            if rng.random() < 0.03:
                at = at_millis(self.as_of - timedelta(days=rng.uniform(2, 400)))
                if at > person.registered_at:
                    person.entries.append(
                        Entry(
                            at,
                            EntryKind.AWARD,
                            {"title": rng.choice(AWARDS), "year": at.year},
                            agency_recorder(self.catalogue, person.region_code),
                        )
                    )
            self._chain(person)
            self.docs["archives"].append(person.archive)
        return Batch(self.index, self.docs)

    # ---- workers ---------------------------------------------------------------------

    def _principal(self, rng: random.Random, person: Person) -> None:
        created = at_millis(person.registered_at + timedelta(days=rng.uniform(0.1, 15)))
        doc = principal_document(
            seed=self.seed,
            username=worker_username(person.n),
            role=Role.WORKER,
            password_hash=self.password_hash,
            created_at=min(created, self.as_of - timedelta(hours=1)),
            archive_id=person.id,
        )
        person.principal_id = str(doc["_id"])
        self.docs["principals"].append(doc)

    def _chain(self, person: Person) -> None:
        """Order the entries by time, chain them, note each seq where it belongs."""
        person.entries.sort(key=lambda e: e.at)
        prev = GENESIS_HASH
        counters: dict[str, int] = {}
        for seq, entry in enumerate(person.entries, start=1):
            content = hashed_content(
                archive_id=person.id,
                seq=seq,
                kind=entry.kind.value,
                recorded_at=entry.at,
                recorded_by=entry.recorded_by,
                payload=entry.payload,
                corrects=None,
            )
            digest = entry_hash(prev, content)
            self.docs["archive_entries"].append(
                {
                    "_id": object_id(self.seed, entry.at, "entry", person.n, seq),
                    "archive_id": person.id,
                    "seq": seq,
                    "kind": entry.kind.value,
                    "recorded_at": entry.at,
                    "recorded_by": entry.recorded_by,
                    "payload": entry.payload,
                    "corrects": None,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            for document, name in entry.notes:
                document[name] = seq
            counters[entry.kind.value] = counters.get(entry.kind.value, 0) + 1
            prev = digest
        person.archive["head"] = {"seq": len(person.entries), "hash": prev}
        person.archive["counters"] = counters
        # Kept as the first read would keep it (the entries are all known here).
        stored = self.docs["archive_entries"][-len(person.entries) :] if person.entries else []
        person.archive["summary"] = stored_summary(summarise(stored), len(person.entries))
