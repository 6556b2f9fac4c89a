"""What the provider's console shows of claims: the vouchers it may claim now, those it may
not yet (and why), its claims in progress and paid, its money, and a month's statement.

Claiming goes through ``claims.claim`` (the rules are its own: this module only reads). The
reasons a bound voucher cannot be claimed yet are the claim's own checks
(``claim_checks.claim_refusals``: a passed result, confirmed hours, the voucher time rule) and
the voucher's effective status, so the page and the claim cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.clock import CHINA_TIME
from portfolio.errors import FieldError, NotFound, ValidationFailed
from portfolio.exports import Cell, Sheet
from portfolio.training import EnrolmentStatus, acting_organisation
from portfolio.vouchers import claim_checks, timing
from portfolio.vouchers.claims import evidence_of, totals
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.views import ClaimView, MoneyView

# A desk page, not an export: the newest vouchers a clerk acts on.
SHOWN = 200
# A statement of one month: a provider's claims in a month are tens to a few thousand.
STATEMENT_ROWS = 10_000
Reason = Literal[
    "expired",
    "not_completed",
    "not_passed",
    "attendance",
    "issued_after_start",
    "after_voucher_end",
    "historical",
    "no_sessions",
]
# The claim's refusals (claim_checks.claim_refusals) as the console's reasons.
TIME_REASONS: dict[str, Reason] = {
    timing.ISSUED_AFTER_START: "issued_after_start",
    timing.STARTS_AFTER_END: "after_voucher_end",
    timing.HISTORICAL: "historical",
    timing.NO_SESSIONS: "no_sessions",
}


@dataclass(frozen=True)
class Waiting:
    """A bound voucher and why it cannot be claimed yet (no reasons: it can)."""

    claim: ClaimView
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ClaimsDesk:
    """The provider's claims page: what it may claim, what not yet, its claims, its money."""

    ready: list[ClaimView]
    waiting: list[Waiting]
    claims: list[ClaimView]
    money: MoneyView


def reasons_not_yet(view: ClaimView, refused: Sequence[FieldError]) -> tuple[Reason, ...]:
    """Why ``claims.claim`` would refuse this bound voucher today (empty: it may be claimed):
    its state, then ``refused``, the claim's own checks (``claim_checks.refusals_of``)."""
    reasons: list[Reason] = []
    if view.voucher.status is VoucherStatus.EXPIRED:
        reasons.append("expired")
    rules = {e.rule for e in refused}
    if claim_checks.NOT_PASSED in rules:
        enrolment = view.evidence.enrolment
        completed = enrolment is not None and enrolment.status is EnrolmentStatus.COMPLETED
        reasons.append("not_passed" if completed else "not_completed")
    if claim_checks.TOO_FEW_HOURS in rules:
        reasons.append("attendance")
    reasons += [TIME_REASONS[e.rule] for e in refused if e.rule in TIME_REASONS]
    return tuple(reasons)


async def _bound(actor: Actor, organisation_id: str, min_share: float) -> list[Waiting]:
    found = (
        await Voucher.find(
            {"organisation_id": organisation_id, "status": VoucherStatus.BOUND.value}
        )
        .sort("-_id")
        .limit(SHOWN)
        .to_list()
    )
    return await _with_reasons(actor, found, min_share)


async def _with_reasons(
    actor: Actor, vouchers: Sequence[Voucher], min_share: float
) -> list[Waiting]:
    views = await evidence_of(vouchers, viewer=actor, min_share=min_share, now=clock.now())
    refused = await claim_checks.refusals_of(vouchers, min_share=min_share)
    return [Waiting(v, reasons_not_yet(v, refused.get(v.voucher.id, []))) for v in views]


async def desk(*, actor: Actor, min_share: float) -> ClaimsDesk:
    """The provider's claims page: bound vouchers sorted into ready and waiting, its claims
    (awaiting a decision and paid, newest first) and its money."""
    organisation = await acting_organisation(actor, to_record=False)
    ready: list[ClaimView] = []
    waiting: list[Waiting] = []
    for line in await _bound(actor, str(organisation.id), min_share):
        if line.reasons:
            waiting.append(line)
        else:
            ready.append(line.claim)
    claimed = (
        await Voucher.find(
            {
                "organisation_id": str(organisation.id),
                "status": {"$in": [VoucherStatus.CLAIMED.value, VoucherStatus.REDEEMED.value]},
            }
        )
        .sort("-_id")
        .limit(SHOWN)
        .to_list()
    )
    views = await evidence_of(claimed, viewer=actor, min_share=min_share, now=clock.now())
    return ClaimsDesk(ready, waiting, views, await totals(actor=actor))


async def claimable(*, actor: Actor, voucher_id: str, min_share: float) -> Waiting:
    """One of the provider's vouchers with its evidence and what keeps it from a claim now
    (the claim form's page; the reasons are read for a bound or expired voucher)."""
    organisation = await acting_organisation(actor, to_record=False)
    voucher = await Voucher.find_one(
        {"_id": ids.parse(voucher_id, "voucher"), "organisation_id": str(organisation.id)}
    )
    if voucher is None:
        raise NotFound("no such voucher")
    [line] = await _with_reasons(actor, [voucher], min_share)
    return line


# ---- the month's statement ----------------------------------------------------------------

STATEMENT_HEADER = (
    "voucher_id",
    "worker",
    "worker_id_masked",
    "policy",
    "course",
    "status",
    "claimed_on",
    "claimed_fen",
    "claimed_yuan",
    "paid_on",
    "paid_fen",
    "paid_yuan",
)


@dataclass(frozen=True)
class Statement:
    """The provider's claims made or paid in one month (China dates), with totals."""

    month: date
    rows: list[ClaimView]

    @property
    def claimed_fen(self) -> int:
        """What the month's claims asked, in fen."""
        return sum(r.claimed_amount_fen for r in self.rows if _in(r.claimed_at, self.month))

    @property
    def paid_fen(self) -> int:
        """What was paid in the month, in fen."""
        return sum(r.redeemed_amount_fen for r in self.rows if _in(r.redeemed_at, self.month))


def _in(moment: datetime | None, month: date) -> bool:
    if moment is None:
        return False
    day = clock.china_today(moment)
    return (day.year, day.month) == (month.year, month.month)


def month_of(raw: str) -> date:
    """The first day of the month ``raw`` names (``2026-11``)."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed.single("month", "format", "a month like 2026-11") from None


def _bounds(month: date) -> tuple[int, int]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    start = datetime.combine(month, time(), tzinfo=CHINA_TIME)
    end = datetime.combine(following, time(), tzinfo=CHINA_TIME)
    return clock.epoch_ms(start), clock.epoch_ms(end)


async def statement(*, actor: Actor, month: date, min_share: float) -> Statement:
    """The provider's vouchers claimed or paid in ``month``, oldest claim first."""
    organisation = await acting_organisation(actor, to_record=False)
    start, end = _bounds(month)
    found: dict[str, Voucher] = {}
    # Two range queries rather than an $or: each uses its own field's range.
    for field in ("claimed_at_ms", "redeemed_at_ms"):
        async for voucher in Voucher.find(
            {"organisation_id": str(organisation.id), field: {"$gte": start, "$lt": end}}
        ).limit(STATEMENT_ROWS):
            found[str(voucher.id)] = voucher
    ordered = sorted(found.values(), key=lambda v: (v.claimed_at_ms, str(v.id)))
    views = await evidence_of(ordered, viewer=actor, min_share=min_share, now=clock.now())
    return Statement(month, views)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _day(moment: datetime | None) -> str:
    return clock.china_today(moment).isoformat() if moment else ""


def statement_sheet(result: Statement) -> Sheet:
    """The statement as a table for the export writer: a row per voucher, a total last."""
    rows: list[list[Cell]] = []
    for view in result.rows:
        enrolment = view.evidence.enrolment
        rows.append(
            [
                view.voucher.id,
                view.voucher.worker_name,
                view.voucher.worker_masked_id,
                view.voucher.policy_name,
                enrolment.course_title if enrolment else "",
                view.voucher.status.value,
                _day(view.claimed_at),
                view.claimed_amount_fen,
                _yuan(view.claimed_amount_fen),
                _day(view.redeemed_at),
                view.redeemed_amount_fen,
                _yuan(view.redeemed_amount_fen),
            ]
        )
    rows.append(
        [
            "合计 total",
            "",
            "",
            "",
            "",
            "",
            "",
            result.claimed_fen,
            _yuan(result.claimed_fen),
            "",
            result.paid_fen,
            _yuan(result.paid_fen),
        ]
    )
    return Sheet(f"statement {result.month:%Y-%m}", STATEMENT_HEADER, rows)
