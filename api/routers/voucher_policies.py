"""Voucher policies and eligibility with its reasons.

Agencies publish policies (and new versions of them) in their region and ask whether a worker
of their region is eligible; a worker sees the running policies covering their region and
their own answer for each, rule by rule.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, WorkerUser
from api.paging import IdCursor, Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.vouchers import eligibility, policies
from schemas.common import Page
from schemas.voucher_policies import (
    EligibilityOut,
    MyPolicyOut,
    PolicyIn,
    PolicyOut,
    PolicyVersionIn,
)

router = APIRouter(tags=["vouchers"])


@router.post(
    "/voucher-policies",
    status_code=201,
    summary="Publish a voucher policy",
    response_model=PolicyOut,
    responses=WRITE_ERRORS,
)
async def publish_policy(body: PolicyIn, actor: AgencyUser, idem: Idempotent) -> Response:
    """An agency publishes a policy in its region (version 1). A published version never
    changes: publish a new version to change it."""

    async def act() -> PolicyOut:
        view = await policies.publish(actor=actor, content=body.to_domain())
        return PolicyOut.model_validate(view)

    return await idem.run(act, status_code=201)


@router.post(
    "/voucher-policies/{policy_id}/versions",
    status_code=201,
    summary="Publish the next version of a voucher policy",
    response_model=PolicyOut,
    responses=WRITE_ERRORS,
)
async def publish_policy_version(
    policy_id: str, body: PolicyVersionIn, actor: AgencyUser, idem: Idempotent
) -> Response:
    """Give the current version's id and the whole new content; new vouchers are issued under
    the new version, those issued keep theirs. The region stays; the quantity counts every
    version's vouchers."""

    async def act() -> PolicyOut:
        view = await policies.publish_version(
            actor=actor, policy_id=policy_id, content=body.to_domain()
        )
        return PolicyOut.model_validate(view)

    return await idem.run(act, status_code=201)


@router.get("/voucher-policies", summary="Voucher policies of your region", responses=READ_ERRORS)
async def list_policies(
    actor: AgencyUser, limit: Limit = 50, cursor: IdCursor = None
) -> Page[PolicyOut]:
    """The current versions of the policies overlapping your scope (wider ones included)."""
    page = await policies.list_policies(actor=actor, after=cursor, limit=limit)
    return Page[PolicyOut].model_validate(page, from_attributes=True)


@router.get("/voucher-policies/{policy_id}", summary="One policy version", responses=READ_ERRORS)
async def get_policy(policy_id: str, actor: AgencyUser) -> PolicyOut:
    """A version of a policy overlapping your scope, with the policy's counter."""
    return PolicyOut.model_validate(await policies.get_policy(actor=actor, policy_id=policy_id))


@router.get(
    "/voucher-policies/{policy_id}/eligibility/{worker_id}",
    summary="Is this worker eligible, and why (every rule)",
    responses=READ_ERRORS,
)
async def check_eligibility(
    policy_id: str, worker_id: str, actor: AgencyUser, runtime: RuntimeDep
) -> EligibilityOut:
    """Yes or no, with the reason for every rule of the version, in Chinese and English.
    The worker must be in your region."""
    answer = await eligibility.eligibility(
        actor=actor, keyring=runtime.keyring, policy_id=policy_id, worker_id=worker_id
    )
    return EligibilityOut.model_validate(answer)


@router.get(
    "/me/voucher-policies",
    summary="Published voucher policies for my region, and whether I am eligible",
    responses=AUTH_ERRORS,
)
async def list_my_policies(
    actor: WorkerUser,
    runtime: RuntimeDep,
    eligible_only: Annotated[bool, Query(description="only those I am eligible for")] = False,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[MyPolicyOut]:
    """The current versions of the running policies covering my region, oldest first, each
    with my answer for every rule."""
    page = await eligibility.my_policies(
        actor=actor, keyring=runtime.keyring, eligible_only=eligible_only, after=cursor, limit=limit
    )
    return Page[MyPolicyOut].model_validate(page, from_attributes=True)


@router.get(
    "/me/voucher-policies/{policy_id}/eligibility",
    summary="Am I eligible for this policy, and why",
    responses=READ_ERRORS,
)
async def check_my_eligibility(
    policy_id: str, actor: WorkerUser, runtime: RuntimeDep
) -> EligibilityOut:
    """Yes or no, with the reason for every rule, in Chinese and English."""
    answer = await eligibility.my_eligibility(
        actor=actor, keyring=runtime.keyring, policy_id=policy_id
    )
    return EligibilityOut.model_validate(answer)
