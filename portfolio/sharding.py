"""The sharded design: where every collection lives on a sharded MongoDB cluster, and why.

The service runs unchanged on a sharded cluster (``docker-compose.sharded.yml``): mongos routes
each operation by the collection's shard key. This module is the plan as data, so the README's
table (``portfolio shard-keys``), the compose file's one-shot job and the test that holds them
together read one source.

How a key was chosen, collection by collection (``Placement.reason``):

* **Unsharded** (``key=None``): the collection stays whole on the database's primary shard.
  That is the choice for small collections, and for registries whose unique indexes are rules
  of the whole province (one archive per ID number, one login per username, one unused voucher
  per worker and policy): MongoDB enforces a unique index on a sharded collection only when the
  shard key is its prefix, and these collections have two unique indexes on unrelated fields,
  so no key could keep both. Their size fits one replica set (48 million archives of about
  2 KB are about 100 GB, their indexes a few GB).
* **Ranged** keys where the collection has a unique index besides ``_id``: MongoDB enforces
  such an index only on a ranged key that is its prefix (a hashed key allows none).
* **Hashed** keys elsewhere: writes spread evenly, and every query that names the key goes to
  one shard.

``_id`` is unique across the cluster only when ``_id`` is the shard key. Several collections
use deterministic ``_id`` values (``insert_once``: a retry inserts the same ``_id`` and is
refused) with another shard key; that stays exactly-once because the shard key there is a
part of the ``_id``'s own inputs (a ledger entry's voucher, an event row's voucher, a change
record's chain), so both inserts of one ``_id`` are routed to the same shard and meet its
``_id`` index there. ``deterministic_id`` marks them; ``id_inputs`` names the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from beanie import Document

Direction = Literal[1, "hashed"]

# Collections written without a Beanie document (raw PyMongo).
RAW_COLLECTIONS = ("class_uploads", "migrations")


@dataclass(frozen=True)
class Placement:
    """Where one collection lives on the cluster.

    ``key`` is the shard key in order (None: unsharded); ``single`` the queries that reach one
    shard; ``fan_out`` those that reach every shard, with how often they run; ``exceptions``
    the unique indexes (their fields) MongoDB cannot enforce cluster-wide under this key, with
    the reason that is safe (empty for every collection planned today).
    """

    collection: str
    key: tuple[tuple[str, Direction], ...] | None
    reason: str
    single: str = ""
    fan_out: str = ""
    deterministic_id: bool = False
    exceptions: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def sharded(self) -> bool:
        """Whether the collection is split over the shards."""
        return self.key is not None

    @property
    def hashed(self) -> bool:
        """Whether the key is a hashed one (no unique index but ``_id`` can then hold)."""
        return self.key is not None and any(d == "hashed" for _, d in self.key)

    def key_document(self) -> dict[str, Direction]:
        """The key as ``shardCollection`` takes it."""
        return dict(self.key or ())

    def key_text(self) -> str:
        """The key as the table prints it."""
        if self.key is None:
            return "(unsharded)"
        return "{" + ", ".join(f"{name}: {direction!r}" for name, direction in self.key) + "}"


def _unsharded(collection: str, reason: str, single: str = "all") -> Placement:
    return Placement(collection, None, reason, single=single)


HASHED_ID: tuple[tuple[str, Direction], ...] = (("_id", "hashed"),)

_TINY = "a handful of documents read by _id; nothing to spread"
_CATALOGUE = (
    "the providers' side (tens of thousands of organisations, about a million runs a year): "
    "the catalogue and console search it by region, occupation and dates, which would fan out "
    "on any key; one replica set holds it easily"
)

PLAN: tuple[Placement, ...] = (
    # Keys and service singletons.
    _unsharded("keys", "signing and field keys: " + _TINY),
    _unsharded("issuer_keys", "credential issuer keys: " + _TINY),
    _unsharded(
        "credential_status_counters",
        "one counter per status list, moved by one conditional $inc (index allocation)",
    ),
    _unsharded(
        "credential_status",
        "one row per issued credential; the status list is rebuilt from every revoked row "
        "(a query on `revoked` that would fan out), and voiding finds rows by `record`",
    ),
    _unsharded("repair_checkpoints", "the repair routine's progress: " + _TINY),
    _unsharded("repair_leases", "one lease document: the repair runs in one process at a time"),
    _unsharded("seed_runs", "the seeder's progress: " + _TINY),
    _unsharded("migrations", "the migration runner's progress: " + _TINY),
    # Accounts.
    _unsharded(
        "principals",
        "every login (about 48 million workers): unique `username` and `binding_key` are rules "
        "of the whole province and no one key is a prefix of both; about 10 GB",
        single="by _id (token check), username (login), binding_key",
    ),
    Placement(
        "refresh_families",
        HASHED_ID,
        "one per signed-in device; read and revoked by _id on every refresh",
        single="by _id (refresh, revoke one device)",
        fan_out="by principal_id: signing out everywhere, a password change (rare)",
    ),
    Placement(
        "refresh_tokens",
        HASHED_ID,
        "_id is the token's hash; every use looks it up by _id",
        single="by _id",
    ),
    _unsharded("rate_counters", "login throttle cells, expiring within minutes (TTL)"),
    _unsharded("login_failures", "failed-login cells, expiring (TTL)"),
    Placement(
        "idempotency_records",
        HASHED_ID,
        "every state-changing request writes one (24 h TTL); _id is the hash of principal, "
        "method, path and key, and every read and update is by that _id",
        single="by _id (record, replay, finish)",
        deterministic_id=True,
    ),
    Placement(
        "audit_events",
        HASHED_ID,
        "the security log: one row per login, key use and refusal; insert-only, large",
        single="insert",
        fan_out="the admin's audit page (by kind, principal, time): an occasional read",
    ),
    # The archive.
    _unsharded(
        "archives",
        "one per worker (about 48 million, about 100 GB): unique `id_index` (one archive per "
        "ID number) and `ssn_index` (one per social-security number) are province-wide rules "
        "no single key can keep; every archive read and head move is by _id",
        single="by _id (read, head move), id_index (registration, search), ssn_index",
    ),
    Placement(
        "archive_entries",
        (("archive_id", 1), ("seq", 1)),
        "the largest collection (about 20 entries per worker, a billion documents): every "
        "query names one archive, so an archive's chain lives on one shard, in seq order; "
        "ranged because the unique (archive_id, seq) index that decides each append must "
        "have the key as its prefix",
        single="append (insert), the newest page, the chain check, entry_about, highest seq",
    ),
    Placement(
        "access_log",
        (("archive_id", "hashed"),),
        "one row per read of a worker's data by someone else; large, insert-only",
        single="the worker's own access log (by archive_id, paged on _id)",
    ),
    Placement(
        "activation_codes",
        HASHED_ID,
        "_id is the code's hash; activation looks it up by _id",
        single="by _id (activate)",
        fan_out="by archive_id when a new code supersedes the old (an officer's reissue)",
    ),
    _unsharded("share_links", "a worker's share links: small; unique token_hash"),
    _unsharded("challenges", "a worker's challenges to an entry: small; the queues by region"),
    # Training.
    _unsharded("organisations", _CATALOGUE + "; unique credit_code"),
    _unsharded("organisation_events", _CATALOGUE),
    _unsharded("courses", _CATALOGUE),
    _unsharded("course_versions", _CATALOGUE + "; unique (course_id, version)"),
    _unsharded(
        "runs",
        _CATALOGUE + "; a run's seats are one document moved by one conditional update",
    ),
    _unsharded("trainers", _CATALOGUE),
    Placement(
        "enrolments",
        (("run_id", 1), ("archive_id", 1)),
        "hundreds of millions over the years; ranged on the unique (run_id, archive_id) "
        "index (one enrolment per worker and class), so a class lives on one shard",
        single="a class list, class sheets, attendance per session, the enrol insert",
        fan_out=(
            "by _id (each action on one enrolment) and by archive_id (the worker's training): "
            "each shard answers from its _id or archive_id index; routes could carry run_id "
            "to target one"
        ),
    ),
    Placement(
        "ended_enrolments",
        (("enrolment_id", "hashed"),),
        "a copy per ended enrolment version, _id '<enrolment>:<version>'",
        single="by enrolment_id; the insert_once of the same _id (same enrolment, same shard)",
        deterministic_id=True,
    ),
    _unsharded("historical_imports", "past training records waiting for an agency: small"),
    Placement(
        "worker_schedules",
        HASHED_ID,
        "one per worker (_id = archive id): the booked sessions, rewritten whole under a "
        "version precondition so two overlapping bookings cannot both win",
        single="by _id",
        deterministic_id=True,
    ),
    Placement(
        "attendance",
        (("enrolment_id", "hashed"),),
        "one row per worker and session: the largest training collection",
        single="a worker's sessions in one class (completion hours, claim evidence)",
        fan_out="a session sheet by run_id (once per session of a class); by archive_id",
    ),
    _unsharded(
        "certificates",
        "tens of millions; unique certificate `number` (the public check) is a province-wide "
        "rule, and the worker's and provider's lists would fan out on a number key",
    ),
    # Apprenticeships.
    _unsharded("mentors", "an enterprise's mentors: small"),
    _unsharded("apprenticeships", "agreements (millions): queues by region and employer"),
    Placement(
        "apprenticeship_events",
        (("apprenticeship_id", "hashed"),),
        "the history of each agreement, _id '<apprenticeship>:<version>'",
        single="by apprenticeship_id; the insert_once of the same _id",
        deterministic_id=True,
    ),
    Placement(
        "apprentice_guards",
        HASHED_ID,
        "one per worker (_id = archive id): which apprenticeship is active, claimed and "
        "released by conditional updates on `version`",
        single="by _id",
        deterministic_id=True,
    ),
    # Vouchers.
    _unsharded("voucher_policies", "a region's policies and their versions: small"),
    _unsharded("voucher_policy_heads", "one per policy: `issued` moved by a conditional $inc"),
    _unsharded(
        "vouchers",
        "tens of millions: unique `holding_key` (one unused voucher per worker and policy) and "
        "`binding_key` (one voucher per enrolment) are money rules no single key can keep; the "
        "agency's claim queue searches by region and status",
        single="by _id (every transition: one conditional update), holding_key, binding_key",
    ),
    Placement(
        "voucher_events",
        (("voucher_id", "hashed"),),
        "one row per voucher transition, _id '<voucher>:<version>'",
        single="a voucher's history; the insert_once of the same _id",
        deterministic_id=True,
    ),
    _unsharded("voucher_issue_batches", "one per issue to many: small"),
    _unsharded("voucher_issue_runs", "background issue jobs: small; unique running_key"),
    _unsharded(
        "ledger",
        "one entry per redemption, beside the vouchers it pays; the monthly settlement "
        "reads a provider's period (by organisation and time), which would fan out",
        single="by _id 'redeem:<voucher>' (insert_once), a provider's period",
    ),
    # Reports.
    _unsharded("report_counters", "counter cells (regions x months x kinds): bounded, small"),
    _unsharded("report_totals", "rollups of the counter cells: bounded, small"),
    _unsharded("report_city_breakdowns", "rollups of the counter cells: bounded, small"),
    _unsharded("report_district_breakdowns", "rollups of the counter cells: bounded, small"),
    _unsharded("report_city_details", "rollups of the counter cells: bounded, small"),
    _unsharded("report_markers", "which events the counters have taken: bounded"),
    # Events and the audit trail.
    Placement(
        "events",
        HASHED_ID,
        "the outbox: one row per domain event; recorded and settled by _id",
        single="by _id (record, settle)",
        fan_out="the repair's poll for open events (by open, at_ms): every few seconds, "
        "each shard answering from its (open, at_ms) index",
        deterministic_id=True,
    ),
    Placement(
        "event_receipts",
        HASHED_ID,
        "a subscriber's receipt per event, _id '<subscriber>|<event>'",
        single="by _id (insert_once, the settle check)",
        deterministic_id=True,
    ),
    Placement(
        "change_records",
        (("chain", 1),),
        "one row per change of any object (large): each object's changes form a hash chain "
        "'<kind>:<id>', with the unique (chain, version) index that orders it, so ranged",
        single="a chain's next version (insert_once on '<chain>:v<version>'), its history",
        fan_out="the auditor's search by region, principal or time: an occasional read",
        deterministic_id=True,
    ),
    # The plan's other ways to a skill level (issue 26): registries an agency keeps, and
    # records counted by region and year, which would fan out on any key.
    _unsharded("occupation_additions", "occupations published after the catalogue: small"),
    _unsharded("accreditations", "assessment bodies' and enterprises' accreditations: small"),
    _unsharded("ability_norms", "published special-ability norms: " + _TINY),
    _unsharded(
        "level_assessments",
        "assessment results (millions at most): the body's list and the certificate's evidence "
        "by _id; unique per body and worker like `certificates`, which they feed",
    ),
    _unsharded("direct_recognitions", "proposals waiting for an agency: thousands a year"),
    _unsharded("competitions", "events: thousands a year, listed by region and tier"),
    _unsharded("competition_entrants", "entrants of each event: read with their event"),
    _unsharded("honours", "honours: thousands a year, counted by region and year"),
    # Priority groups (issue 27): a few per member (tens of millions at most, a few GB).
    _unsharded(
        "priority_memberships",
        "memberships of the plan's priority groups: the unique open_key (one open membership "
        "per worker and group) is not prefixed by any per-worker key, and the report scans by "
        "region; one replica set holds it",
    ),
    _unsharded(
        "training_projects", "projects bought by agencies: hundreds a year, listed by region"
    ),
    _unsharded(
        "project_attestations",
        "one per worker and project (_id '<project>:<archive>', insert_once): small",
    ),
    # The plan's targets and platforms (issue 27): small registries an agency keeps.
    _unsharded("plan_targets", "the province's targets per plan period: a handful, by key"),
    _unsharded("employed_counts", "employed people per region and year: thousands at most"),
    _unsharded("platforms", "training platforms: thousands at most, listed by region"),
    _unsharded("platform_links", "runs and courses linked to platforms: read by region"),
    _unsharded(
        "border_recognitions",
        "certificates from Chongqing and abroad: thousands a year, counted by region and year",
    ),
    # Raw collections.
    _unsharded("class_uploads", "a provider's uploaded class file until it is written: small"),
)


def placements() -> dict[str, Placement]:
    """The plan by collection name."""
    return {p.collection: p for p in PLAN}


def _settings(model: type[Document]) -> Any:
    # The class's own ``Settings`` (Beanie's parsed settings exist only after init_beanie).
    return getattr(model, "Settings")  # noqa: B009 - not every type checker sees the inner class


def collections_of(models: Iterable[type[Document]]) -> list[str]:
    """Every collection the service writes: the documents' and the raw ones."""
    return sorted({*(_settings(model).name for model in models), *RAW_COLLECTIONS})


def unique_indexes(model: type[Document]) -> list[tuple[str, ...]]:
    """The fields of each unique index a document declares (``_id`` not included)."""
    found: list[tuple[str, ...]] = []
    for index in getattr(_settings(model), "indexes", None) or []:
        spec = getattr(index, "document", None)
        if not isinstance(spec, dict) or not spec.get("unique"):
            continue
        found.append(tuple(spec["key"].keys()))
    return found


def key_problems(placement: Placement, unique: Sequence[tuple[str, ...]]) -> list[str]:
    """Why MongoDB would refuse or not enforce ``unique`` under the planned key (empty: fine).

    MongoDB's rule: on a sharded collection a unique index is enforced only when the shard
    key's fields are its prefix, and only on a ranged key.
    """
    if placement.key is None:
        return []
    fields = tuple(name for name, _ in placement.key)
    problems = []
    for index in unique:
        if index in placement.exceptions:
            continue
        if placement.hashed:
            problems.append(f"{placement.collection}: unique {index} under a hashed key")
        elif index[: len(fields)] != fields:
            problems.append(f"{placement.collection}: unique {index} lacks the key {fields}")
    return problems


def plan_problems(models: Sequence[type[Document]]) -> list[str]:
    """Every way the plan and the stored collections disagree (empty: the plan holds)."""
    planned = placements()
    problems = [f"{name}: no placement" for name in collections_of(models) if name not in planned]
    known = set(collections_of(models))
    problems += [f"{name}: planned but never written" for name in planned if name not in known]
    for model in models:
        placement = planned.get(_settings(model).name)
        if placement is not None:
            problems += key_problems(placement, unique_indexes(model))
    return problems
