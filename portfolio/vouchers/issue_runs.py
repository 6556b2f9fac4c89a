"""Issuing a policy's vouchers to everyone eligible in its region: a long job that walks the
region's archives a page at a time, each page through ``issuance.issue_many`` (the same
rules, the same quantity cap), and keeps its progress in one document, so the officer can
leave its page and come back, and anyone may resume it after a restart.

One run per policy at a time: ``running_key`` (unique, always present) is the policy's key
while the run goes on and the run's own id once it ends. A page is processed under a lease
(one conditional update takes it: ``after`` unchanged and no live lease), and its result is
written by a second conditional update that moves ``after`` on; two workers on one run never
process the same page at once. A crash between the issue and the second update leaves the
page to be done again after the lease ends: eligibility refuses a second unused voucher of a
one-unused policy, so such a page issues nothing twice there (a policy allowing several
unused vouchers could give a worker of that page a second one; the run says how many).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from portfolio import clock, ids
from portfolio.accounts import Actor, Role
from portfolio.archives import archive_ids_in_region, count_in_region
from portfolio.errors import Conflict, DomainError, Forbidden, NotFound
from portfolio.keyring import Keyring
from portfolio.vouchers.inputs import IssueRow
from portfolio.vouchers.issuance import issue_many
from portfolio.vouchers.policies import manages, overlaps, policy_state

PAGE = 200
LEASE_MS = 120_000
RUNNING = "running"
FINISHED = "finished"
STOPPED = "stopped"


class IssueRun(Document):
    """One "issue to everyone eligible" job and how far it got."""

    id: PydanticObjectId
    policy_key: str
    policy_name: str
    region_prefix: str
    note: str
    # Who started it: the agency account the pages act as (its scope and audit name).
    principal_id: str
    username: str
    agency_prefix: str
    running_key: str
    status: str
    after: str
    total: int
    seen: int = 0
    issued: int = 0
    not_eligible: int = 0
    failed: int = 0
    stop_reason: str = ""
    lease_until_ms: int = 0
    started_at: datetime
    ended_at: datetime | None = None

    class Settings:
        name = "voucher_issue_runs"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("running_key", ASCENDING)], unique=True),
            IndexModel([("policy_key", ASCENDING)]),
        ]


@dataclass(frozen=True)
class IssueRunView:
    """A run as its pages show it."""

    id: str
    policy_key: str
    policy_name: str
    region_prefix: str
    status: str
    total: int
    seen: int
    issued: int
    not_eligible: int
    failed: int
    stop_reason: str
    started_at: datetime
    ended_at: datetime | None
    started_by: str

    @property
    def percent(self) -> int:
        """How far it got, in whole per cent of the archives counted at the start."""
        if self.status == FINISHED:
            return 100
        return min(99, self.seen * 100 // self.total) if self.total else 0

    @classmethod
    def of(cls, run: IssueRun) -> IssueRunView:
        """The view of a stored run."""
        return cls(
            id=str(run.id),
            policy_key=run.policy_key,
            policy_name=run.policy_name,
            region_prefix=run.region_prefix,
            status=run.status,
            total=run.total,
            seen=run.seen,
            issued=run.issued,
            not_eligible=run.not_eligible,
            failed=run.failed,
            stop_reason=run.stop_reason,
            started_at=run.started_at,
            ended_at=run.ended_at,
            started_by=run.username,
        )


def _runner(run: IssueRun) -> Actor:
    return Actor(
        principal_id=run.principal_id,
        username=run.username,
        role=Role.AGENCY,
        region_prefix=run.agency_prefix,
    )


async def start(*, actor: Actor, policy_id: str, note: str = "") -> IssueRunView:
    """Start issuing the policy's current version to everyone eligible in its region."""
    state = await policy_state(actor=actor, policy_id=policy_id)
    if not manages(actor, state.policy.region_prefix):
        raise Forbidden("only an agency whose scope covers the policy's region issues it")
    assert actor.region_prefix is not None
    region = state.policy.region_prefix
    run = IssueRun(
        id=PydanticObjectId(),
        policy_key=state.policy.policy_key,
        policy_name=state.policy.name,
        region_prefix=region,
        note=note.strip()[:500],
        principal_id=actor.principal_id,
        username=actor.username,
        agency_prefix=actor.region_prefix,
        running_key=state.policy.policy_key,
        status=RUNNING,
        after="",
        total=await count_in_region(region),
        started_at=clock.now(),
    )
    try:
        await run.insert()
    except DuplicateKeyError:
        going = await IssueRun.find_one({"running_key": state.policy.policy_key})
        raise Conflict(
            "vouchers of this policy are being issued to everyone already",
            run_id=str(going.id) if going else "",
        ) from None
    return IssueRunView.of(run)


async def _end(run: IssueRun, status: str, reason: str = "") -> None:
    await IssueRun.get_pymongo_collection().update_one(
        {"_id": run.id, "status": RUNNING},
        {
            "$set": {
                "status": status,
                "running_key": f"run:{run.id}",
                "stop_reason": reason,
                "lease_until_ms": 0,
                "ended_at": clock.now(),
            }
        },
    )


async def step(run_id: str, *, keyring: Keyring) -> bool:
    """Process the run's next page if no one else is; whether there is more to do."""
    run = await IssueRun.get(ids.parse(run_id, "issue run"))
    if run is None or run.status != RUNNING:
        return False
    now_ms = clock.epoch_ms(clock.real_now())
    leased = await IssueRun.get_pymongo_collection().update_one(
        {
            "_id": run.id,
            "status": RUNNING,
            "after": run.after,
            "lease_until_ms": {"$lt": now_ms},
        },
        {"$set": {"lease_until_ms": now_ms + LEASE_MS}},
    )
    if leased.modified_count != 1:
        return False  # another worker has this page
    page = await archive_ids_in_region(run.region_prefix, after=run.after or None, limit=PAGE)
    if not page:
        await _end(run, FINISHED)
        return False
    runner = _runner(run)
    try:
        current = await policy_state(actor=runner, policy_id=run.policy_key)
        version = current.head.current_version_id
        done = await issue_many(
            actor=runner,
            keyring=keyring,
            policy_id=version,
            rows=[IssueRow(worker_id=archive_id) for archive_id in page],
            note=run.note,
        )
    except (Conflict, NotFound, Forbidden) as stopped:
        await _end(run, STOPPED, stopped.detail)
        return False
    except DomainError as failed:
        await _end(run, STOPPED, failed.detail)
        return False
    await IssueRun.get_pymongo_collection().update_one(
        {"_id": run.id, "status": RUNNING, "after": run.after},
        {
            "$set": {"after": page[-1], "lease_until_ms": 0},
            "$inc": {
                "seen": len(page),
                "issued": done.issued,
                "not_eligible": done.not_eligible,
                "failed": len(page) - done.issued - done.not_eligible,
            },
        },
    )
    return True


async def run_all(run_id: str, *, keyring: Keyring) -> None:
    """Process page after page until the run ends or another worker holds it."""
    while await step(run_id, keyring=keyring):
        pass


async def get_run(*, actor: Actor, run_id: str) -> IssueRunView:
    """A run of a policy within the agency's reach."""
    run = await IssueRun.get(ids.parse(run_id, "issue run"))
    if run is None or actor.role is not Role.AGENCY or not overlaps(actor, run.region_prefix):
        raise NotFound("no such issue run")
    return IssueRunView.of(run)


async def runs_of(*, actor: Actor, policy_key: str, limit: int = 5) -> list[IssueRunView]:
    """The policy's latest runs within the agency's reach, newest first."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("only an agency issues vouchers")
    found = await IssueRun.find({"policy_key": policy_key}).sort("-_id").limit(limit).to_list()
    return [IssueRunView.of(run) for run in found if overlaps(actor, run.region_prefix)]
