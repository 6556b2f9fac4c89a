"""Use cases of voucher policies: publish, publish a new version, read (eligibility.py explains).

A policy is a chain of versions under one ``policy_key``; a written version never changes.
Publishing a new version is two writes: insert the version (the unique ``(policy_key,
version_no)`` lets exactly one of two racing publishers have each number), then move the head
to it with a conditional update. A publisher that died between the two leaves a head that
lags; the next publisher finds the number taken, moves the head forward and asks to reload.

Reach: an agency manages (publishes, versions) policies whose region lies within its scope,
and reads, explains and issues under those whose region overlaps its scope (a city agency
issues the province's vouchers to its own workers). A worker sees the current versions of
the policies whose region covers their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code, parse_region_prefix
from portfolio.occupations import catalogue_errors
from portfolio.once import insert_once
from portfolio.vocabulary import PriorityGroup, SkillBrand, TrainingType
from portfolio.vouchers.changes import policy_published
from portfolio.vouchers.documents import (
    ClaimTerms,
    Coverage,
    EligibilityRules,
    PolicyHead,
    VoucherPolicy,
)
from portfolio.vouchers.inputs import PolicyContent
from portfolio.vouchers.rules import PolicyState
from portfolio.vouchers.views import PolicyView, ViewPage

NOT_FOUND = "no such voucher policy"


def manages(actor: Actor, region_prefix: str) -> bool:
    """Whether an agency may publish and version a policy of ``region_prefix``."""
    return (
        actor.role is Role.AGENCY
        and actor.region_prefix is not None
        and region_prefix.startswith(actor.region_prefix)
    )


def overlaps(actor: Actor, region_prefix: str) -> bool:
    """Whether an agency's scope and a policy's region share any region code."""
    scope = actor.region_prefix
    return (
        actor.role is Role.AGENCY
        and scope is not None
        and (region_prefix.startswith(scope) or scope.startswith(region_prefix))
    )


def _require_agency(actor: Actor) -> str:
    if actor.role is not Role.AGENCY or not actor.region_prefix:
        raise Forbidden("only an agency may do this")
    return actor.region_prefix


def _dedupe(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _checked(
    actor: Actor,
    content: PolicyContent,
    *,
    fixed_region: str | None,
    today: date,
    also: Sequence[FieldError] = (),
) -> tuple[str, Coverage, EligibilityRules]:
    """The policy's region, coverage and rules, or every problem with ``content`` at once
    (``also``: those found elsewhere)."""
    scope = _require_agency(actor)
    errors: list[FieldError] = list(also)
    region = fixed_region or scope
    if fixed_region is not None:
        if content.region_prefix is not None and content.region_prefix != fixed_region:
            errors.append(
                FieldError("region_prefix", "fixed", "a new version keeps the policy's region")
            )
    elif content.region_prefix is not None:
        try:
            region = parse_region_prefix(content.region_prefix)
        except ValidationFailed as failed:
            errors.extend(failed.errors)
        if not region.startswith(scope):
            errors.append(
                FieldError("region_prefix", "outside_scope", "the region lies outside your scope")
            )
    if not content.name.strip():
        errors.append(FieldError("name", "required", "a name is required"))
    codes: list[str] = []
    for i, raw in enumerate(content.occupation_codes):
        try:
            codes.append(parse_occupation_code(raw, field=f"occupation_codes.{i}").code)
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    if (content.validity_days is None) == (content.fixed_end is None):
        errors.append(
            FieldError("validity_days", "one_of", "give either validity_days or valid_until")
        )
    if content.validity_days is not None and content.validity_days < 1:
        errors.append(FieldError("validity_days", "range", "must be at least 1"))
    if content.fixed_end is not None and content.fixed_end < today:
        errors.append(FieldError("valid_until", "past", "the end date has passed"))
    if content.face_value_fen < 1:
        errors.append(FieldError("face_value_fen", "range", "must be at least 1 fen"))
    if content.quantity < 1:
        errors.append(FieldError("quantity", "range", "must be at least 1"))
    rules = content.rules
    if rules.min_age is not None and rules.max_age is not None and rules.min_age > rules.max_age:
        errors.append(FieldError("rules.max_age", "range", "must not be below rules.min_age"))
    rules_region = region
    if rules.region_prefix is not None:
        try:
            rules_region = parse_region_prefix(rules.region_prefix, field="rules.region_prefix")
        except ValidationFailed as failed:
            errors.extend(failed.errors)
        if not rules_region.startswith(region):
            errors.append(
                FieldError(
                    "rules.region_prefix",
                    "outside_policy",
                    "the rule's region must lie within the policy's region",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    coverage = Coverage(
        training_types=[TrainingType(t) for t in _dedupe(content.training_types)],
        occupation_codes=_dedupe(codes),
        brands=[SkillBrand(b) for b in _dedupe(content.brands)],
    )
    checked_rules = EligibilityRules(
        registered_unemployed=rules.registered_unemployed,
        min_unemployment_insurance_months=rules.min_unemployment_insurance_months,
        min_age=rules.min_age,
        max_age=rules.max_age,
        region_prefix=rules_region,
        one_unused_voucher=rules.one_unused_voucher,
        priority_groups=[PriorityGroup(g) for g in _dedupe(rules.priority_groups)],
    )
    return region, coverage, checked_rules


async def _uncatalogued(content: PolicyContent, *, kept: Sequence[str]) -> list[FieldError]:
    # catalogue: a policy's occupations are catalogued; a new version may keep the codes the
    # current version names.
    return await catalogue_errors(
        {f"occupation_codes.{i}": raw for i, raw in enumerate(content.occupation_codes)},
        kept=kept,
    )


def _version(
    *,
    actor: Actor,
    content: PolicyContent,
    region: str,
    coverage: Coverage,
    rules: EligibilityRules,
    policy_id: PydanticObjectId,
    policy_key: str,
    version_no: int,
    now: datetime,
) -> VoucherPolicy:
    return VoucherPolicy(
        id=policy_id,
        policy_key=policy_key,
        version_no=version_no,
        name=content.name.strip(),
        region_prefix=region,
        coverage=coverage,
        face_value_fen=content.face_value_fen,
        validity_days=content.validity_days,
        fixed_end=content.fixed_end,
        quantity=content.quantity,
        rules=rules,
        claim_terms=ClaimTerms(**asdict(content.claim_terms)),
        funding_source=content.funding_source,
        change_note=content.change_note.strip(),
        created_at=now,
        created_by=actor.principal_id,
    )


async def publish(
    *,
    actor: Actor,
    content: PolicyContent,
    now: datetime | None = None,
    policy_id: str | None = None,
) -> PolicyView:
    """An agency publishes a new policy (version 1) in its region.

    ``now`` and ``policy_id`` fix the moment and the id (demo data only).
    """
    now = clock.truncate_to_millis(now or clock.now())
    region, coverage, rules = _checked(
        actor,
        content,
        fixed_region=None,
        today=clock.china_today(now),
        also=await _uncatalogued(content, kept=()),
    )
    oid = PydanticObjectId(policy_id) if policy_id else PydanticObjectId()
    policy = _version(
        actor=actor,
        content=content,
        region=region,
        coverage=coverage,
        rules=rules,
        policy_id=oid,
        policy_key=str(oid),
        version_no=1,
        now=now,
    )
    head = PolicyHead(
        id=oid, region_prefix=region, current_version_id=str(oid), version_no=1, created_at=now
    )
    if not await insert_once(policy) or not await insert_once(head):
        raise Conflict("this policy exists already")
    await policy_published(None, policy)
    return PolicyView.of(PolicyState(policy, head))


async def _heal_head(head: PolicyHead) -> None:
    """Move a lagging head to the highest stored version (a publisher died in between)."""
    latest = (
        await VoucherPolicy.find({"policy_key": str(head.id)})
        .sort("-version_no")
        .limit(1)
        .to_list()
    )
    if latest and latest[0].version_no > head.version_no:
        await PolicyHead.get_pymongo_collection().update_one(
            {"_id": head.id, "version_no": head.version_no},
            {
                "$set": {
                    "current_version_id": str(latest[0].id),
                    "version_no": latest[0].version_no,
                }
            },
        )


async def publish_version(
    *,
    actor: Actor,
    policy_id: str,
    content: PolicyContent,
    now: datetime | None = None,
) -> PolicyView:
    """Publish the next version of a policy, replacing its current version for new issues;
    ``content.change_note`` says what it changes.

    Vouchers already issued keep the version they were issued under. The region cannot
    change; the quantity cannot drop below the vouchers already issued.
    """
    now = clock.truncate_to_millis(now or clock.now())
    state = await policy_state(actor=actor, policy_id=policy_id)
    head = state.head
    if not manages(actor, head.region_prefix):
        raise Forbidden("only an agency whose scope covers the policy's region may change it")
    if not state.current:
        raise Conflict(
            f"version {state.policy.version_no} is not the current version of this policy",
            current_version_id=head.current_version_id,
        )
    if not content.change_note.strip():
        raise ValidationFailed.single("change_note", "required", "say what the version changes")
    region, coverage, rules = _checked(
        actor,
        content,
        fixed_region=head.region_prefix,
        today=clock.china_today(now),
        also=await _uncatalogued(content, kept=state.policy.coverage.occupation_codes),
    )
    if content.quantity < head.issued:
        raise ValidationFailed.single(
            "quantity", "below_issued", f"{head.issued} vouchers are issued already"
        )
    policy = _version(
        actor=actor,
        content=content,
        region=region,
        coverage=coverage,
        rules=rules,
        policy_id=PydanticObjectId(),
        policy_key=str(head.id),
        version_no=head.version_no + 1,
        now=now,
    )
    if not await insert_once(policy):
        await _heal_head(head)
        raise Conflict("another version was published meanwhile; reload and retry")
    moved = await PolicyHead.get_pymongo_collection().update_one(
        {"_id": head.id, "version_no": head.version_no},
        {"$set": {"current_version_id": str(policy.id), "version_no": policy.version_no}},
    )
    if moved.modified_count != 1:  # pragma: no cover - the unique version number decided
        raise Conflict("another version was published meanwhile; reload and retry")
    await policy_published(state.policy, policy)
    fresh = await PolicyHead.get(head.id)
    assert fresh is not None
    return PolicyView.of(PolicyState(policy, fresh))


async def state_of(policy: VoucherPolicy) -> PolicyState:
    """The version with its head; NotFound when the head was never written (not published)."""
    head = await PolicyHead.get(ids.parse(policy.policy_key, "voucher policy"))
    if head is None:
        # The version was written but its publisher died before the head: not published.
        raise NotFound(NOT_FOUND)
    return PolicyState(policy, head)


async def policy_state(*, actor: Actor, policy_id: str) -> PolicyState:
    """A policy version within an agency's reach (its region overlaps the agency's scope)."""
    _require_agency(actor)
    policy = await VoucherPolicy.get(ids.parse(policy_id, "voucher policy"))
    if policy is None or not overlaps(actor, policy.region_prefix):
        raise NotFound(NOT_FOUND)
    return await state_of(policy)


async def get_policy(*, actor: Actor, policy_id: str) -> PolicyView:
    """A policy version within an agency's reach, with the policy's counter."""
    return PolicyView.of(await policy_state(actor=actor, policy_id=policy_id))


async def current_states(heads: list[PolicyHead]) -> list[PolicyState]:
    """The current version of each head (heads whose version is missing are left out)."""
    version_ids = [ids.parse(h.current_version_id, "voucher policy") for h in heads]
    versions = {str(p.id): p async for p in VoucherPolicy.find({"_id": {"$in": version_ids}})}
    return [
        PolicyState(versions[h.current_version_id], h)
        for h in heads
        if h.current_version_id in versions
    ]


def _strict_prefixes(code: str) -> list[str]:
    """The shorter scopes containing ``code`` (``510104`` -> ``51``, ``5101``)."""
    return [code[:n] for n in (2, 4) if n < len(code)]


async def list_policies(
    *, actor: Actor, after: PydanticObjectId | None, limit: int
) -> ViewPage[PolicyView]:
    """The current versions of the policies overlapping an agency's scope, oldest first.

    Two indexed queries (the wider policies above the scope, the ones within it), merged.
    """
    scope = _require_agency(actor)
    page: dict[str, object] = {} if after is None else {"_id": {"$gt": after}}
    wider = await (
        PolicyHead.find({"region_prefix": {"$in": _strict_prefixes(scope)}, **page})
        .sort("+_id")
        .limit(limit)
        .to_list()
    )
    within = await (
        PolicyHead.find({"region_prefix": region_range(scope), **page})
        .sort("+_id")
        .limit(limit)
        .to_list()
    )
    heads = sorted(wider + within, key=lambda h: str(h.id))[:limit]
    found = await current_states(heads)
    return ViewPage.of([PolicyView.of(s) for s in found], [s.head.id for s in found], limit)
