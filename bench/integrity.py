"""The cost of the fraud rules on claims: throughput with them on and off.

``python -m bench integrity``: a fresh embedded store with the demo data (its Chengdu agency,
provider A and worker-1's claimed cooking-class voucher), then, through the voucher area's
services, the same voucher claimed ``BENCH_INTEGRITY_CLAIMS`` times (default 40) with the
rules on and as many with them off, each claim sent back by the agency (untimed) so the next
can be made. Only the claim is timed: its checks, the time rule, the evidence the rules
gather and the one conditional update. Prints claims per second and the p50 / p95 latency of
each, and the ratio.

Bulk attendance is not measured here: the rules run on claims (attendance-derived rules are
evaluated when the claim is made), so the bulk attendance path carries no rule cost.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

from bench.harness import bench_store
from portfolio import bootstrap
from portfolio.accounts import Actor, Principal, actor_of
from portfolio.integrity import Thresholds
from portfolio.keyring import Keyring
from portfolio.vouchers import claims, redemption
from portfolio.vouchers.demo import CLAIMED_VOUCHER
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import RejectReason, VoucherStatus

DATABASE = "portfolio_bench_integrity"


async def _actor(username: str) -> Actor:
    principal = await Principal.find_one({"username": username})
    assert principal is not None, f"the demo account {username} is missing"
    return actor_of(principal)


async def _round(
    *, rules_on: bool, count: int, keyring: Keyring, limits: Thresholds
) -> list[float]:
    provider = await _actor("provider-a")
    agency = await _actor("agency-chengdu")
    timings = []
    for _ in range(count):
        voucher = await Voucher.get(CLAIMED_VOUCHER)
        assert voucher is not None
        if voucher.status is VoucherStatus.CLAIMED:
            await redemption.reject(
                actor=agency, voucher_id=CLAIMED_VOUCHER, reason=RejectReason.OTHER, note="bench"
            )
        began = time.perf_counter()
        await claims.claim(
            actor=provider,
            voucher_id=CLAIMED_VOUCHER,
            amount_fen=50_000,
            min_share=0.8,
            keyring=keyring,
            limits=limits,
            rules_on=rules_on,
        )
        timings.append(time.perf_counter() - began)
    return timings


def _line(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    rate = len(timings) / sum(timings)
    return (
        f"| {label} | {len(timings)} | {rate:,.1f} | {statistics.median(ordered) * 1000:.1f} "
        f"| {p95 * 1000:.1f} |"
    )


async def run(count: int) -> str:
    """Both rounds on a fresh store with the demo data; the Markdown table."""
    async with bench_store(DATABASE) as store:
        await bootstrap.load_demo(settings=store.settings, keyring=store.keyring)
        limits = Thresholds.of(store.settings)
        await _round(rules_on=True, count=3, keyring=store.keyring, limits=limits)  # warm up
        on = await _round(rules_on=True, count=count, keyring=store.keyring, limits=limits)
        off = await _round(rules_on=False, count=count, keyring=store.keyring, limits=limits)
    lines = [
        "| claims | n | claims/s | p50 ms | p95 ms |",
        "|---|---|---|---|---|",
        _line("fraud rules on", on),
        _line("fraud rules off", off),
        f"\nrules on / off throughput: {(sum(off) / sum(on)):.2f}",
    ]
    return "\n".join(lines)


def main() -> int:
    """Run and print (see the module docstring)."""
    count = int(os.environ.get("BENCH_INTEGRITY_CLAIMS", "40"))
    print(asyncio.run(run(count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
