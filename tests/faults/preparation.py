"""Targets for the kill runs, made quickly: enrolments ready to complete, vouchers ready to redeem.

Everything goes through the in-process app (bulk routes where there are any) or, for the steps
one worker takes per voucher (bind, claim), straight through the services with a domain actor:
hundreds of targets in a few seconds instead of a dozen HTTP calls each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Actor, Role
from portfolio.vouchers import claims, transitions
from tests.helpers import LoggedIn, log_in_as
from tests.training.factories import (
    during_session,
    make_course,
    make_provider,
    make_run,
    seed_people,
    workers_confirm,
)
from tests.vouchers.factories import make_policy

SESSIONS = 4  # the default run: four sessions of four hours (the course plans 16)
CLAIMED_FEN = 80_000


@dataclass(frozen=True)
class Target:
    """One write the workload may do: complete ``enrolment_id``, or redeem ``voucher_id``."""

    kind: str  # "completion" or "redemption"
    archive_id: str
    enrolment_id: str
    voucher_id: str = ""


@dataclass(frozen=True)
class Prepared:
    """The principals who act and the targets they act on."""

    provider_username: str
    agency_username: str
    password: str
    completions: list[Target]
    redemptions: list[Target]


async def _post(client: AsyncClient, url: str, who: LoggedIn, body: dict[str, Any]) -> Any:
    response = await client.post(url, json=body, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def prepare(
    client: AsyncClient, runtime: Runtime, *, completions: int, redemptions: int
) -> Prepared:
    """``completions`` enrolments in training with confirmed hours, and ``redemptions`` claimed
    vouchers (each bound to its own passed, fully attended enrolment), in one class."""
    provider = await make_provider(client, runtime)
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency, quantity=redemptions + 1)
    course = await make_course(client, provider)
    # A run that ended a few days ago (scheduled before it started), so the workload may
    # complete its class now; its class was enrolled and its attendance taken while it ran.
    run = await make_run(
        client,
        provider,
        course["id"],
        start=clock.china_today() - timedelta(days=SESSIONS + 3),
        capacity=completions + redemptions,
        count=SESSIONS,
    )
    people = await seed_people(runtime, completions + redemptions)

    # The vouchers come before the class (a voucher pays only for training after its issue).
    voucher_ids: list[str] = []
    if redemptions:
        with clock.stopped_at(during_session(run, 1) - timedelta(days=1)):
            issued = await _post(
                client,
                "/vouchers/bulk",
                agency,
                {
                    "policy_id": policy["id"],
                    "rows": [{"worker_id": p.archive_id} for p in people[completions:]],
                },
            )
        voucher_ids = [row["voucher"]["id"] for row in issued["rows"]]
        assert len(voucher_ids) == redemptions, issued

    with clock.stopped_at(during_session(run, 1)):
        enrolled = await _post(
            client,
            f"/runs/{run['id']}/enrolments/bulk",
            provider.user,
            {"rows": [p.ref() for p in people]},
        )
        enrolment_ids = [row["enrolment"]["id"] for row in enrolled["rows"]]
        assert len(enrolment_ids) == len(people), enrolled
        for enrolment_id in enrolment_ids:
            await _post(client, f"/enrolments/{enrolment_id}/start", provider.user, {})

    to_complete = list(zip(people[:completions], enrolment_ids[:completions], strict=True))
    to_redeem = list(zip(people[completions:], enrolment_ids[completions:], strict=True))
    for n in range(1, SESSIONS + 1):
        # The completion targets need some confirmed hours; the vouchers' need all of them.
        attending = to_redeem if n > 1 else to_complete + to_redeem
        if not attending:
            continue
        with clock.stopped_at(during_session(run, n)):
            taken = await _post(
                client,
                f"/runs/{run['id']}/sessions/{n}/attendance",
                provider.user,
                {
                    "rows": [
                        {
                            "enrolment_id": e,
                            "hours": 4,
                            "capture_method": "face",
                            "check_in_ref": "f",
                        }
                        for _, e in attending
                    ]
                },
            )
        assert taken["recorded"] == len(attending), taken
    await workers_confirm(run["id"])  # face entries count once the workers confirm them

    redemption_targets: list[Target] = []
    if to_redeem:
        for (person, enrolment_id), voucher_id in zip(to_redeem, voucher_ids, strict=True):
            worker = Actor(
                principal_id=f"worker-of-{person.archive_id}",
                username=f"worker-of-{person.archive_id}",
                role=Role.WORKER,
                archive_id=person.archive_id,
            )
            await transitions.bind(actor=worker, voucher_id=voucher_id, enrolment_id=enrolment_id)
        await _post(
            client,
            f"/runs/{run['id']}/completions",
            provider.user,
            {"rows": [{"enrolment_id": e, "result": "passed"} for _, e in to_redeem]},
        )
        clerk = Actor(
            principal_id=provider.user.id,
            username=provider.user.principal.username,
            role=Role.PROVIDER,
            organisation_id=provider.organisation_id,
        )
        for voucher_id in voucher_ids:
            # Targets for crash tests, not for the fraud rules (a class all present at every
            # session is what they flag), and decidable at once (no wait for the worker).
            await claims.claim(
                actor=clerk,
                voucher_id=voucher_id,
                amount_fen=CLAIMED_FEN,
                min_share=runtime.settings.claim_min_attendance_share,
                rules_on=False,
                wait_days=0,
            )
        redemption_targets = [
            Target("redemption", p.archive_id, e, v)
            for (p, e), v in zip(to_redeem, voucher_ids, strict=True)
        ]
    return Prepared(
        provider_username=provider.user.principal.username,
        agency_username=agency.principal.username,
        password=provider.user.password,
        completions=[Target("completion", p.archive_id, e) for p, e in to_complete],
        redemptions=redemption_targets,
    )
