"""A property-based state-machine test of the voucher life cycle, through the HTTP API.

Hypothesis draws a program of steps (issue / bind / release / claim / reject / redeem / cancel /
expire, and the training steps that make them possible: train, withdraw) and the test plays it
against the app while a small model predicts every answer. After every step it checks:

* the answer is the one the model predicts; a refused transition answers its documented
  problem (409 naming the effective state, 404 out of reach, 422 naming the rule) and changes
  nothing at all: every voucher, event and ledger row is as it was, byte for byte;
* every voucher's stored state, version, enrolment and amounts are the model's;
* its events run 0..version without a gap, each starting where the previous one ended, the
  last one ending in the stored state;
* at most one redemption per voucher: one ``redeem`` event and one ledger row exactly for the
  redeemed vouchers, of the claimed amount; the ledger total is the sum of the redeemed
  amounts, and the agency's money view says the same.

This is the RuleBasedStateMachine of issue 8 in the form the suite already uses for async code
(tests/reports/test_rebuild.py), ``@given`` on an async test: each step is drawn (``st.data``)
either from the moves the model expects to succeed (a rule whose precondition holds) or from
any step at all, and two redemptions of one voucher are also sent at once. Expiry needs
no sleeping: a voucher "issued back then" (the services take the moment as ``now``) is already
past its end, optionally bound before that end, and counts as expired in every check.
``make test`` runs a fixed, derandomised set of examples; ``PORTFOLIO_FUZZ_EXAMPLES`` raises it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Actor, Role
from portfolio.errors import DomainError
from portfolio.vouchers import issuance, transitions
from portfolio.vouchers.documents import Voucher, VoucherEvent
from portfolio.vouchers.ledger import LedgerEntry, redeem_entry_id
from tests.helpers import KEEP_COLLECTIONS, assert_problem
from tests.training.factories import after_run, during_session, make_run, workers_confirm
from tests.vouchers.factories import World, actor, enrol, make_world
from tests.workers.factories import Worker, registered_worker

DEFAULT_EXAMPLES = 12
STEPS = 20  # at most, after the two first issues
EXAMPLES = max(DEFAULT_EXAMPLES, int(os.environ.get("PORTFOLIO_FUZZ_EXAMPLES") or 0))
WORKERS = 2
RUNS = 2  # each worker is enrolled in both runs: four enrolments in all
VALIDITY_DAYS = 180
FACE_VALUE = 100_000  # the course's subsidy standard is 120,000: the face value is the cap
NEEDED_HOURS = 12.8  # 80 % of the course's 16 planned hours
UNUSED = {"issued", "bound"}
HOLDS_ENROLMENT = {"bound", "claimed", "redeemed"}
VOUCHER_ACTIONS = {"bind", "release", "claim", "reject", "redeem", "cancel"}
REJECT_REASONS = ["insufficient_attendance", "documents_missing", "other"]

# A voucher by position, or -1: the one the previous step acted on (so that programs follow
# one voucher through several steps, as its life does).
VOUCHER = st.sampled_from([-1, -1, -1, 0, 1, 2, 3])
ENROLMENT = st.integers(0, WORKERS * RUNS - 1)
BIND = st.tuples(st.just("bind"), VOUCHER, st.integers(0, RUNS - 1))
# Train the enrolment the picked voucher is bound to (else enrolment ``pick``).
TRAIN = st.tuples(st.just("train"), VOUCHER, st.sampled_from([3, 4, 4]), st.booleans())
CLAIM = st.tuples(st.just("claim"), VOUCHER, st.sampled_from([60_000, FACE_VALUE, FACE_VALUE + 1]))
REDEEM = st.tuples(st.just("redeem"), VOUCHER)
# one_of draws its branches evenly: the steps on the way to a redemption appear twice, so
# that programs reach claims and redemptions often, not only refusals.
OPERATIONS = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, WORKERS - 1)),
    # Issued back then: already past its end; bound (to the worker's k-th enrolment) before it.
    st.tuples(
        st.just("issue_lapsed"),
        st.integers(0, WORKERS - 1),
        st.none() | st.integers(0, RUNS - 1),
    ),
    BIND,
    BIND,
    st.tuples(st.just("release"), VOUCHER),
    CLAIM,
    CLAIM,
    st.tuples(st.just("reject"), VOUCHER, st.sampled_from(REJECT_REASONS)),
    REDEEM,
    REDEEM,
    st.tuples(st.just("cancel"), VOUCHER),
    st.tuples(st.just("expire")),
    # Two redemptions at once. (A redemption racing a rejection has no one outcome: the
    # programs Hypothesis draws must not depend on who won, so that race is left out.)
    st.tuples(st.just("race"), VOUCHER),
    TRAIN,
    TRAIN,
    st.tuples(st.just("withdraw"), ENROLMENT),
)


# ---- the model ---------------------------------------------------------------------------


@dataclass
class Enrolled:
    """The model of one enrolment: accepted, then completed (hours, passed) or withdrawn."""

    id: str
    worker: int
    status: str = "accepted"
    hours: float = 0
    passed: bool = False
    # The run (its sessions): attendance is taken while it runs, completion after it.
    run: dict[str, Any] | None = None


@dataclass
class Held:
    """The model of one voucher."""

    id: str
    worker: int
    valid_until: datetime
    status: str = "issued"  # as stored
    version: int = 0
    enrolment: int | None = None  # the enrolment it is (or was last) bound to
    claimed: int = 0
    redeemed: int = 0

    def effective(self, now: datetime) -> str:
        """Past its end an unused voucher is expired, swept or not."""
        return "expired" if self.status in UNUSED and now >= self.valid_until else self.status

    def moved(self, status: str, **changes: Any) -> None:
        """One transition: a new state and one more version."""
        self.status = status
        self.version += 1
        for name, value in changes.items():
            setattr(self, name, value)


@dataclass(frozen=True)
class Expected:
    """What a step must answer; ``changed`` names the vouchers it may change."""

    status: int
    current_state: str | None = None
    detail: str | None = None
    rule: str | None = None
    changed: frozenset[str] = frozenset()


@dataclass
class Machine:
    """The world, the model, and the interpreter of one program."""

    client: AsyncClient
    world: World
    workers: list[Worker]
    enrolments: list[Enrolled]
    # POST path template -> the statuses its OpenAPI documents.
    documented: dict[str, set[str]]
    vouchers: list[Held] = field(default_factory=list)
    played: list[str] = field(default_factory=list)
    focus: Held | None = None  # the voucher the last step acted on

    # -- helpers --

    def voucher(self, pick: int) -> Held | None:
        if pick < 0:
            return self.focus
        return self.vouchers[pick % len(self.vouchers)] if self.vouchers else None

    def enrolment_of(self, worker: int, k: int) -> int:
        return worker * RUNS + k

    def holder(self, enrolment: int) -> Held | None:
        """The voucher holding the enrolment (a lapsed one included: until swept or bound
        over, it still holds it in storage)."""
        for held in self.vouchers:
            if held.status in HOLDS_ENROLMENT and held.enrolment == enrolment:
                return held
        return None

    def live_holder(self, enrolment: int, at: datetime) -> Held | None:
        """The holder that keeps a new voucher from the enrolment at ``at``: a lapsed one
        does not (binding marks it expired first)."""
        held = self.holder(enrolment)
        if held is not None and held.status in UNUSED and held.valid_until <= at:
            return None
        return held

    def expire_lapsed_holder(self, enrolment: int, at: datetime) -> set[str]:
        """What a bind to the enrolment at ``at`` marks expired first."""
        held = self.holder(enrolment)
        if held is not None and held.status in UNUSED and held.valid_until <= at:
            held.moved("expired")
            return {held.id}
        return set()

    def expire_lapsed(self, worker: int | None, moment: datetime) -> set[str]:
        """Mark expired the unused vouchers past their end at ``moment`` (all, or a worker's)."""
        marked = set()
        for held in self.vouchers:
            if worker is not None and held.worker != worker:
                continue
            if held.status in UNUSED and held.valid_until <= moment:
                held.moved("expired")
                marked.add(held.id)
        return marked

    @property
    def agency(self) -> dict[str, str]:
        return self.world.agency.headers

    @property
    def provider(self) -> dict[str, str]:
        return self.world.provider.user.headers

    def moves(self) -> list[tuple[Any, ...]]:
        """The steps the model expects to succeed now (the rules whose preconditions hold);
        those that take a voucher further appear three times, so that lives get long."""
        now = datetime.now(UTC)
        found: list[tuple[Any, ...]] = [("issue", w) for w in range(WORKERS)]
        found.extend(("issue_lapsed", w, k) for w in range(WORKERS) for k in (None, 0, 1))
        onward: list[tuple[Any, ...]] = []
        if any(h.status in UNUSED and h.effective(now) == "expired" for h in self.vouchers):
            found.append(("expire",))
        for pick, held in enumerate(self.vouchers):
            state = held.effective(now)
            if state == "issued":
                found.append(("cancel", pick))
                for k in range(RUNS):
                    index = self.enrolment_of(held.worker, k)
                    if self.enrolments[index].status == "accepted" and not self.holder(index):
                        onward.append(("bind", pick, k))
            elif state == "bound":
                assert held.enrolment is not None
                enrolment = self.enrolments[held.enrolment]
                found.append(("cancel", pick))
                if enrolment.status == "accepted":
                    onward.append(("train", pick, 4, True))
                    found.extend(
                        [
                            ("train", pick, 3, True),
                            ("train", pick, 4, False),
                            ("withdraw", held.enrolment),
                        ]
                    )
                if enrolment.passed and enrolment.hours >= NEEDED_HOURS:
                    onward.extend([("claim", pick, 60_000), ("claim", pick, FACE_VALUE)])
                    found.append(("claim", pick, FACE_VALUE + 1))  # above the cap: 422
                elif enrolment.status == "completed":
                    found.append(("claim", pick, 60_000))  # failed, or too few hours: 422
            elif held.status == "bound" and held.enrolment is not None:
                # Bound, and past its end: its enrolment's withdrawal must leave it alone.
                if self.enrolments[held.enrolment].status == "accepted":
                    found.append(("withdraw", held.enrolment))
            elif state == "claimed":
                onward.extend([("redeem", pick), ("race", pick)])
                found.append(("reject", pick, "documents_missing"))
        return onward * 3 + found

    # -- the steps --

    async def play(self, operation: tuple[Any, ...]) -> None:
        """Play one step and check its answer against the model, and the invariants."""
        before = await snapshot()
        now = datetime.now(UTC)
        match operation:
            case ("issue", worker):
                expected, response = await self.issue(worker, now)
            case ("issue_lapsed", worker, k):
                await self.issue_lapsed(worker, k)
                self.played.append(repr(operation))
                await self.check(before, None)
                return
            case ("train", pick, sessions, passed):
                held = self.voucher(pick)
                index = pick % len(self.enrolments)
                if held is not None and held.enrolment is not None:
                    index = held.enrolment
                if not await self.train(index, sessions, passed):
                    return
                self.played.append(repr(operation))
                await self.check(before, Expected(200))
                return
            case ("race", pick):
                held = self.voucher(pick)
                if held is None:
                    return
                self.focus = held
                outcome = await self.race(held, now)
                self.played.append(f"{operation!r} -> {outcome}")
                changed = frozenset({held.id}) if "200" in outcome else frozenset()
                await self.check(before, Expected(200 if changed else 409, changed=changed))
                return
            case ("withdraw", index):
                expected, response = await self.withdraw(index, now)
            case ("expire",):
                expected = Expected(200, changed=frozenset(self.expire_lapsed(None, now)))
                response = await self.client.post("/vouchers/expire", headers=self.agency)
                assert response.json() == {"expired": len(expected.changed)}
            case (action, pick, *args):
                held = self.voucher(pick)
                if held is None:
                    return
                self.focus = held
                expected, response = await self.transition(action, held, args, now)
            case _:
                raise AssertionError(operation)
        self.played.append(f"{operation!r} -> {response.status_code}")
        if expected.status >= 400:
            problem = assert_problem(response, expected.status)
            if operation[0] in VOUCHER_ACTIONS:
                # The refusal is one the route documents.
                route = f"/vouchers/{{voucher_id}}/{operation[0]}"
                assert str(expected.status) in self.documented[route], route
            if expected.current_state is not None:
                assert problem["current_state"] == expected.current_state, problem
            if expected.detail is not None:
                assert problem["detail"] == expected.detail, problem
            if expected.rule is not None:
                assert expected.rule in {e["rule"] for e in problem["errors"]}, problem
        else:
            assert response.status_code == expected.status, response.text
        await self.check(before, expected)

    async def race(self, held: Held, now: datetime) -> str:
        """Two redemptions sent together, each without an Idempotency-Key: exactly one lands
        when the voucher is claimed, the other answers 409 (redeemed); none otherwise."""
        state = held.effective(now)
        answers = await asyncio.gather(
            *(self.client.post(f"/vouchers/{held.id}/redeem", headers=self.agency) for _ in "ab")
        )
        codes = [a.status_code for a in answers]
        if state != "claimed":
            for answer in answers:
                assert assert_problem(answer, 409)["current_state"] == state
            return "409, 409"
        assert sorted(codes) == [200, 409], [a.text for a in answers]
        held.moved("redeemed", redeemed=held.claimed)
        assert assert_problem(answers[codes.index(409)], 409)["current_state"] == "redeemed"
        return "one 200, one 409"

    async def issue(self, worker: int, now: datetime) -> tuple[Expected, Any]:
        response = await self.client.post(
            "/vouchers",
            json={"policy_id": self.world.policy["id"], "worker_id": self.archive(worker)},
            headers=self.agency,
        )
        # Issuing first marks expired the worker's lapsed ones (they still hold their keys).
        marked = self.expire_lapsed(worker, now)
        assert response.status_code == 201, response.text
        body = response.json()
        self.focus = Held(body["id"], worker, datetime.fromisoformat(body["valid_until"]))
        self.vouchers.append(self.focus)
        return Expected(201, changed=frozenset({body["id"], *marked})), response

    async def issue_lapsed(self, worker: int, k: int | None) -> None:
        """Issued (and perhaps bound) back then, through the services' clock: past its end."""
        moment = datetime.now(UTC) - timedelta(days=VALIDITY_DAYS + 2)
        voucher = await issuance.issue(
            actor=actor(self.world.agency),
            keyring=self.world.keyring,
            policy_id=self.world.policy["id"],
            worker_id=self.archive(worker),
            now=moment,
        )
        self.expire_lapsed(worker, moment)
        held = Held(str(voucher.id), worker, voucher.valid_until)
        assert held.valid_until < datetime.now(UTC)
        self.vouchers.append(held)
        self.focus = held
        if k is None:
            return
        index = self.enrolment_of(worker, k)
        at = moment + timedelta(days=1)
        bindable = (
            self.enrolments[index].status == "accepted" and self.live_holder(index, at) is None
        )
        by = Actor("test-worker", "worker", Role.WORKER, archive_id=self.archive(worker))
        try:
            await transitions.bind(
                actor=by,
                voucher_id=held.id,
                enrolment_id=self.enrolments[index].id,
                now=at,
            )
        except DomainError:
            assert not bindable
        else:
            assert bindable
            self.expire_lapsed_holder(index, at)
            held.moved("bound", enrolment=index)

    async def train(self, index: int, sessions: int, passed: bool) -> bool:
        """Start, attend ``sessions`` (of four hours) and complete an accepted enrolment."""
        enrolment = self.enrolments[index]
        if enrolment.status != "accepted":
            return False
        path = f"/enrolments/{enrolment.id}"
        started = await self.client.post(f"{path}/start", headers=self.provider)
        assert started.status_code == 200, started.text
        assert enrolment.run is not None
        for n in range(1, sessions + 1):
            with clock.stopped_at(during_session(enrolment.run, n)):
                recorded = await self.client.post(
                    f"{path}/attendance",
                    json={
                        "session_n": n,
                        "hours": 4,
                        "capture_method": "face",
                        "check_in_ref": f"f{n}",
                    },
                    headers=self.provider,
                )
            assert recorded.status_code == 201, recorded.text
        await workers_confirm(enrolment.run["id"])  # the worker stands behind the face entries
        with clock.stopped_at(after_run(enrolment.run)):
            done = await self.client.post(
                f"{path}/completion",
                json={"result": "passed" if passed else "failed"},
                headers=self.provider,
            )
        assert done.status_code == 200, done.text
        enrolment.status, enrolment.hours, enrolment.passed = "completed", 4 * sessions, passed
        return True

    async def withdraw(self, index: int, now: datetime) -> tuple[Expected, Any]:
        enrolment = self.enrolments[index]
        response = await self.client.post(
            f"/enrolments/{enrolment.id}/withdraw",
            json={"reason_code": "worker"},
            headers=self.workers[enrolment.worker].headers,
        )
        if enrolment.status != "accepted":
            return Expected(409), response
        enrolment.status = "withdrawn"
        # The withdrawal gives back the voucher bound to it, unless that one is past its end.
        released = set()
        holder = self.holder(index)
        if holder is not None and holder.status == "bound" and holder.effective(now) == "bound":
            holder.moved("issued", enrolment=None)
            released.add(holder.id)
        return Expected(200, changed=frozenset(released)), response

    async def transition(
        self, action: str, held: Held, args: list[Any], now: datetime
    ) -> tuple[Expected, Any]:
        """A voucher transition by whoever may make it, and the model's expectation."""
        path = f"/vouchers/{held.id}/{action}"
        state = held.effective(now)

        def refused(allowed: set[str]) -> Expected | None:
            if state in allowed:
                return None
            return Expected(409, state, f"cannot {action} a voucher that is {state}")

        expected: Expected | None
        if action == "bind":
            index = self.enrolment_of(held.worker, args[0])
            response = await self.client.post(
                path,
                json={"enrolment_id": self.enrolments[index].id},
                headers=self.workers[held.worker].headers,
            )
            expected = refused({"issued"})
            if expected is None:
                if self.enrolments[index].status != "accepted":
                    expected = Expected(409)
                else:
                    # A lapsed holder is marked expired first; a live one refuses the bind.
                    swept = self.expire_lapsed_holder(index, now)
                    if self.holder(index) is not None:
                        expected = Expected(409)
                    else:
                        held.moved("bound", enrolment=index)
                        expected = Expected(200, changed=frozenset({held.id, *swept}))
        elif action == "release":
            response = await self.client.post(
                path, json={}, headers=self.workers[held.worker].headers
            )
            expected = refused({"bound"})
            if expected is None:
                assert held.enrolment is not None
                if self.enrolments[held.enrolment].status != "withdrawn":
                    expected = Expected(409)
                else:
                    held.moved("issued", enrolment=None)
        elif action == "claim":
            amount = args[0]
            response = await self.client.post(
                path, json={"amount_fen": amount}, headers=self.provider
            )
            # Never bound, or released: not the provider's voucher (any more).
            expected = Expected(404) if held.enrolment is None else refused({"bound"})
            if expected is None:
                assert held.enrolment is not None
                enrolment = self.enrolments[held.enrolment]
                if enrolment.status != "completed" or not enrolment.passed:
                    expected = Expected(422, rule="no_passed_completion")
                elif enrolment.hours < NEEDED_HOURS:
                    expected = Expected(422, rule="insufficient_attendance")
                elif amount > FACE_VALUE:
                    expected = Expected(422, rule="above_cap")
                else:
                    held.moved("claimed", claimed=amount)
        elif action == "reject":
            reason = args[0]
            response = await self.client.post(
                path,
                json={"reason": reason, "note": "缺少材料" if reason == "other" else ""},
                headers=self.agency,
            )
            expected = refused({"claimed"})
            if expected is None:
                held.moved("bound", claimed=0)
        elif action == "redeem":
            response = await self.client.post(path, headers=self.agency)
            expected = refused({"claimed"})
            if expected is None:
                held.moved("redeemed", redeemed=held.claimed)
        else:
            assert action == "cancel"
            response = await self.client.post(
                path, json={"reason": "政策调整"}, headers=self.agency
            )
            expected = refused({"issued", "bound"})
            if expected is None:
                held.moved("cancelled")
        if expected is None:
            expected = Expected(200, changed=frozenset({held.id}))
        return expected, response

    def archive(self, worker: int) -> str:
        return self.workers[worker].archive_id

    # -- the invariants --

    async def check(self, before: Snapshot, expected: Expected | None) -> None:
        """The stored world agrees with the model, and a refused step changed nothing."""
        after = await snapshot()
        trail = "\n".join(self.played)
        if expected is not None and expected.status >= 400:
            assert after == before, f"a refused step changed something:\n{trail}"
        elif expected is not None:
            untouched = set(before.vouchers) - expected.changed
            for voucher_id in untouched:
                assert after.vouchers[voucher_id] == before.vouchers[voucher_id], trail
        assert set(after.vouchers) == {h.id for h in self.vouchers}, trail
        for held in self.vouchers:
            stored = after.vouchers[held.id]
            enrolment = "" if held.enrolment is None else self.enrolments[held.enrolment].id
            assert (
                stored["status"],
                stored["version"],
                stored["enrolment_id"],
                stored["claimed_amount_fen"],
                stored["redeemed_amount_fen"],
            ) == (held.status, held.version, enrolment, held.claimed, held.redeemed), trail
            events = after.events.get(held.id, [])
            assert [e["version"] for e in events] == list(range(held.version + 1)), trail
            assert (events[0]["action"], events[0]["from_state"]) == ("issue", None)
            for previous, event in itertools.pairwise(events):
                assert event["from_state"] == previous["to_state"], trail
            assert events[-1]["to_state"] == held.status, trail
            redeemed = [e for e in events if e["action"] == "redeem"]
            assert len(redeemed) == (held.status == "redeemed"), trail
        # The ledger: one row per redeemed voucher, of its amount, and nothing else.
        assert after.ledger == {
            redeem_entry_id(h.id): h.redeemed for h in self.vouchers if h.status == "redeemed"
        }, trail
        money = await self.client.get("/claims/money", headers=self.agency)
        assert money.status_code == 200, money.text
        assert money.json() == {
            "claims_pending": sum(h.status == "claimed" for h in self.vouchers),
            "owed_fen": sum(h.claimed for h in self.vouchers if h.status == "claimed"),
            "vouchers_paid": sum(h.status == "redeemed" for h in self.vouchers),
            "paid_fen": sum(after.ledger.values()),
            # The machine's policies name no fund: every payment is "unspecified".
            "paid_by_source": [
                {
                    "funding_source": "unspecified",
                    "payments": len(after.ledger),
                    "amount_fen": sum(after.ledger.values()),
                }
            ]
            if after.ledger
            else [],
        }, trail

    async def check_reads(self) -> None:
        """What the API shows of each voucher: the model's effective state and its history."""
        now = datetime.now(UTC)
        for held in self.vouchers:
            shown = await self.client.get(f"/vouchers/{held.id}", headers=self.agency)
            assert shown.status_code == 200, shown.text
            assert (shown.json()["status"], shown.json()["version"]) == (
                held.effective(now),
                held.version,
            )
            history = await self.client.get(
                f"/vouchers/{held.id}/events", headers=self.workers[held.worker].headers
            )
            assert [e["version"] for e in history.json()] == list(range(held.version + 1))


@dataclass(frozen=True)
class Snapshot:
    """Every voucher (raw), its events (raw, by version) and the ledger (id -> amount)."""

    vouchers: dict[str, dict[str, Any]]
    events: dict[str, list[dict[str, Any]]]
    ledger: dict[str, int]


async def snapshot() -> Snapshot:
    """The stored voucher world as it is now (the collections hold one program's only)."""
    vouchers = {str(raw["_id"]): raw async for raw in Voucher.get_pymongo_collection().find({})}
    events: dict[str, list[dict[str, Any]]] = {}
    async for raw in VoucherEvent.get_pymongo_collection().find({}).sort("version", 1):
        events.setdefault(raw["voucher_id"], []).append(raw)
    ledger: dict[str, int] = {}
    async for raw in LedgerEntry.get_pymongo_collection().find({}):
        assert raw["_id"] not in ledger
        ledger[raw["_id"]] = raw["amount_fen"]
    return Snapshot(vouchers, events, ledger)


async def _machine(client: AsyncClient, runtime: Runtime) -> Machine:
    """A fresh world: an agency's policy, two workers each enrolled in two runs of a course."""
    database = runtime.client[runtime.settings.database]
    for name in await database.list_collection_names():
        if name not in KEEP_COLLECTIONS:
            await database[name].delete_many({})
    # Claims may be decided at once (no wait for the worker's attestation: not modelled here).
    world = await make_world(
        client,
        runtime,
        quantity=1_000,
        rules={"one_unused_voucher": False},
        claim_terms={"attestation_wait_days": 0},
    )
    workers = [world.worker, await registered_worker(client, world.agency)]
    runs = [
        world.run,
        await make_run(
            client,
            world.provider,
            world.course["id"],
            start=clock.china_today() + timedelta(days=60),
        ),
    ]
    enrolments = []
    for number, worker in enumerate(workers):
        for run in runs:
            made = await enrol(client, world.provider, run["id"], worker)
            enrolments.append(Enrolled(made["id"], number, run=run))
    schema = (await client.get("/openapi.json")).json()
    documented = {
        path: set(item["post"]["responses"])
        for path, item in schema["paths"].items()
        if "post" in item
    }
    return Machine(client, world, workers, enrolments, documented)


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # No shrinking: each step costs HTTP round trips and shrinking a long program took many
    # minutes; a failure names the whole program played instead (the assertion's trail).
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_voucher_life_cycle_keeps_its_invariants(
    client: AsyncClient, runtime: Runtime, data: st.DataObject
) -> None:
    machine = await _machine(client, runtime)
    # Each program starts with a voucher for each worker, so its steps have one to act on.
    for operation in [("issue", 0), ("issue", 1)]:
        await machine.play(operation)
    for _ in range(data.draw(st.integers(8, STEPS), label="steps")):
        # Mostly a step the model expects to succeed (so programs walk whole lives: bind,
        # train, claim, redeem), else any step at all (mostly refusals).
        if data.draw(st.integers(0, 2), label="expected to succeed") > 0:
            operation = data.draw(st.sampled_from(machine.moves()), label="step")
        else:
            operation = data.draw(OPERATIONS, label="any step")
        await machine.play(operation)
    await machine.check_reads()


async def test_a_worked_program_passes_through_every_transition(
    client: AsyncClient, runtime: Runtime
) -> None:
    """One fixed program that makes every transition happen (and several refusals), so the
    interpreter is known to follow the allowed paths, not only the refused ones."""
    machine = await _machine(client, runtime)
    program: list[tuple[Any, ...]] = [
        ("issue", 0),  # v0
        ("bind", 0, 0),  # v0 -> enrolment 0
        ("train", 0, 4, True),
        ("claim", 0, FACE_VALUE + 1),  # above the cap: 422
        ("claim", 0, 60_000),
        ("reject", 0, "documents_missing"),
        ("claim", 0, FACE_VALUE),
        ("race", 0),  # two redemptions at once: one lands
        ("redeem", 0),  # a third redemption: 409
        ("cancel", 0),  # redeemed: 409
        ("issue", 1),  # v1
        ("bind", 1, 0),  # v1 -> enrolment 2
        ("withdraw", 2),  # releases v1
        ("bind", 1, 1),  # v1 -> enrolment 3
        ("cancel", 1),
        ("claim", 1, 60_000),  # cancelled: 409
        ("issue_lapsed", 1, 1),  # v2, bound to enrolment 3 before its end
        ("withdraw", 3),  # v2 is past its end: the withdrawal does not give it back
        ("bind", 2, 1),  # v2 is past its end: 409 expired
        ("issue_lapsed", 0, None),  # v3
        ("issue", 0),  # v4: issuing to worker 0 marks v3 expired
        ("issue_lapsed", 1, None),  # v5
        ("expire",),  # marks v2 and v5 expired
        ("expire",),  # nothing left
        ("release", 4),  # issued: 409
    ]
    for operation in program:
        await machine.play(operation)
    await machine.check_reads()
    assert [h.status for h in machine.vouchers] == [
        "redeemed",
        "cancelled",
        "expired",
        "expired",
        "issued",
        "expired",
    ]
    assert machine.played[3].endswith("-> 422")
    assert machine.played[7] == "('race', 0) -> one 200, one 409"
    assert machine.played[8].endswith("-> 409")
    events = (await snapshot()).events
    assert [e["action"] for e in events[machine.vouchers[2].id]] == ["issue", "bind", "expire"]
    assert {e["action"] for trail in events.values() for e in trail} == {
        "issue",
        "bind",
        "release",
        "claim",
        "reject",
        "redeem",
        "cancel",
        "expire",
    }
