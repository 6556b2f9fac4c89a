"""The recount puts every kind of stored counter back to what its records say, and reports it;
a counter that matches is left alone."""

from __future__ import annotations

from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import recount
from portfolio.accounts.principal import Role
from portfolio.apprenticeships.documents import Mentor
from portfolio.training.documents import Run
from portfolio.vouchers.documents import PolicyHead
from tests.apprenticeships.factories import make_mentor, make_org
from tests.helpers import log_in_as
from tests.training.factories import make_course, make_provider, make_run
from tests.vouchers.factories import make_policy


async def test_drifted_counters_of_every_kind_are_recounted(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"])
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency)
    employer = await make_org(client, runtime.settings, agency, kind="enterprise", region="510104")
    mentor_id = await make_mentor(client, employer)
    assert await recount.recount(settle=0) == {}

    # What crashes between a counter and its record leave behind.
    await Run.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(run["id"])}, {"$inc": {"seats_taken": 2}}
    )
    await PolicyHead.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(policy["policy_key"])}, {"$inc": {"issued": 3}}
    )
    await Mentor.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(mentor_id)}, {"$inc": {"active_apprentices": 1}}
    )
    assert await recount.recount(settle=0) == {
        "mentor_apprentices": 1,
        "policy_issued": 1,
        "run_seats": 1,
    }
    stored_run = await Run.get(run["id"])
    head = await PolicyHead.get(PydanticObjectId(policy["policy_key"]))
    mentor = await Mentor.get(mentor_id)
    assert stored_run is not None
    assert head is not None
    assert mentor is not None
    assert (stored_run.seats_taken, head.issued, mentor.active_apprentices) == (0, 0, 0)
    assert await recount.recount(settle=0) == {}
