"""Requests and responses of priority-group memberships."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from portfolio.priority import MembershipStatus
from portfolio.vocabulary import PriorityGroup
from schemas.common import Input, Output

_GROUP = (
    "the group; `disabled` and `lifted_from_poverty` are sensitive: sealed at rest and shown "
    "only to the worker and to an officer who states a purpose"
)


class MembershipIn(Input):
    """Record a worker's membership of a priority group (or the village-craftsman
    designation), with the register or document it rests on."""

    group: PriorityGroup = Field(description=_GROUP)
    source: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="the register or document it rests on (for example 残疾人证 and its number)"
    )
    since: date
    until: date | None = Field(default=None, description="a planned end, if known")


class MembershipEndIn(Input):
    """End a membership on a day, with a reason."""

    until: date
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class MembershipOut(Output):
    """One membership (a sensitive one only in answers to the worker or a stated purpose)."""

    id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    group: PriorityGroup
    group_label: str
    sensitive: bool
    source: str
    since: date
    until: date | None
    status: MembershipStatus
    end_reason: str
    region_code: str
    version: int


class WorkerGroupsOut(Output):
    """A worker's memberships; ``sensitive_shown`` false: the sensitive groups were not asked
    for (whether there are any is not said)."""

    archive_id: str
    memberships: list[MembershipOut]
    sensitive_shown: bool
