"""What the catalogue asks of whoever knows a worker's vouchers (the vouchers area).

Training does not depend on vouchers (vouchers depend on training): the catalogue says what it
needs to show "my voucher pays for it" as these types, and the vouchers area, which knows the
policies, answers through the lookup ``portfolio/subscriptions.py`` registers at start-up
(:func:`register_voucher_lookup`).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from portfolio.accounts import Actor
from portfolio.vocabulary import SkillBrand, TrainingType


@dataclass(frozen=True)
class CourseFacts:
    """What a voucher's coverage looks at in a course."""

    training_type: TrainingType
    occupation_code: str
    brand: SkillBrand | None


@dataclass(frozen=True)
class PayingVoucherView:
    """A usable voucher that pays for a course, as its holder sees it named."""

    id: str
    policy_name: str
    face_value_fen: int
    valid_until: datetime


class PayingVouchers(Protocol):
    """A worker's usable vouchers at one moment: which of them pay for a course."""

    def paying_for(self, course: CourseFacts) -> tuple[PayingVoucherView, ...]:
        """The vouchers that pay for ``course`` (empty: none of them)."""
        ...


class VoucherLookup(Protocol):
    """The worker's usable vouchers (``only``: just that one), as of ``now``."""

    def __call__(
        self, *, actor: Actor, only: str | None = None, now: datetime | None = None
    ) -> Awaitable[PayingVouchers]: ...


_lookups: list[VoucherLookup] = []


def register_voucher_lookup(lookup: VoucherLookup) -> None:
    """Tell the catalogue how to find a worker's usable vouchers (at start-up)."""
    _lookups[:] = [lookup]


async def usable_vouchers(
    *, actor: Actor, only: str | None = None, now: datetime | None = None
) -> PayingVouchers | None:
    """The worker's usable vouchers through the registered lookup (None before one is)."""
    if not _lookups:
        return None
    return await _lookups[0](actor=actor, only=only, now=now)
