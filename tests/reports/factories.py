"""A small fixed training data set, recorded through the API, whose figures the tests know.

Three providers: P1 in 510104 (成都锦江), P2 in 510107 (成都武侯), P3 in 510703 (绵阳涪城).

======  ======================================  ========  =====================================
run     course (type, brand, occupation)        ends      workers
======  ======================================  ========  =====================================
A1 P1   employment_skills, sichuan_chef,        2026-03   w1..w5 pass (4 h), w6 fails (2 h);
        4-03-02-01                                        class sheet (the batch path)
A2 P1   the same course                         2026-03   w1 passes again (4 h), single path
B1 P1   skill_upgrading, tianfu_technician,     2026-06   w1, w7 pass (4 h), single path
        6-31-01-03
C1 P2   employment_skills, no brand,            2026-03   w8..w10 pass (4 h), class sheet
        4-03-02-01
D1 P3   skill_upgrading, tianfu_technician,     2026-05   w11..w14 pass (4 h), w15 fails
        6-18-02-04                                        (4 h), class sheet
======  ======================================  ========  =====================================

Certificates: A1 w1 junior, w2 junior then corrected to technician, w3 intermediate then
voided, w4 senior (issued 2026-03-20); B1 w7 intermediate (2026-06-20); D1 w11 senior, w12
technician, w13 intermediate, w14 a special-ability certificate without level (2026-05-30).
The courses lead to: chef technician, electrician intermediate, welder technician.

The past is built through the clock: each run is scheduled the day before it starts, its class
enrolled and its first session taken during that session, and completed after its last one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from tests.training.factories import (
    Person,
    Provider,
    after_run,
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
    workers_confirm,
)

_numbers = itertools.count(1)


@dataclass(frozen=True)
class DataSet:
    """What the data set made (for tests that change it further)."""

    p1: Provider
    p3: Provider
    certificates: dict[str, str]  # worker -> certificate id


async def _enrol(
    client: AsyncClient, provider: Provider, run_id: str, person: Person, hours: float
) -> str:
    enrolment = await client.post(
        f"/runs/{run_id}/enrolments",
        json={**person.ref(), "accept": True},
        headers=provider.user.headers,
    )
    assert enrolment.status_code == 201, enrolment.text
    enrolment_id: str = enrolment.json()["id"]
    started = await client.post(f"/enrolments/{enrolment_id}/start", headers=provider.user.headers)
    assert started.status_code == 200, started.text
    attended = await client.post(
        f"/enrolments/{enrolment_id}/attendance",
        json={"session_n": 1, "hours": hours, "capture_method": "face", "check_in_ref": "f"},
        headers=provider.user.headers,
    )
    assert attended.status_code == 201, attended.text
    await workers_confirm(run_id)  # the face entry counts once the worker confirms it
    return enrolment_id


async def enrol_class(
    client: AsyncClient,
    provider: Provider,
    run: dict[str, Any],
    people: dict[int, tuple[Person, float]],
) -> dict[int, str]:
    """Enrol ``people`` (number -> person, hours) into ``run`` and record their first session,
    with the clock in that session (the time rules take attendance only while a run runs)."""
    with clock.stopped_at(during_session(run, 1)):
        return {
            n: await _enrol(client, provider, run["id"], person, hours)
            for n, (person, hours) in people.items()
        }


async def complete_sheet(
    client: AsyncClient, provider: Provider, run_id: str, results: dict[str, str]
) -> None:
    """Complete a class by its sheet (enrolment id -> result)."""
    response = await client.post(
        f"/runs/{run_id}/completions",
        json={"rows": [{"enrolment_id": e, "result": r, "score": 70} for e, r in results.items()]},
        headers=provider.user.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["recorded"] == len(results), response.text


async def complete_one(
    client: AsyncClient, provider: Provider, enrolment_id: str, result: str = "passed"
) -> None:
    """Complete one enrolment (the single path)."""
    response = await client.post(
        f"/enrolments/{enrolment_id}/completion",
        json={"result": result, "score": 80},
        headers=provider.user.headers,
    )
    assert response.status_code == 200, response.text


def certificate_body(
    occupation: str, level: str | None, issued: date, kind: str = "skill_level"
) -> dict[str, Any]:
    """A certificate's content with a fresh number."""
    return {
        "number": f"RPT{next(_numbers):08d}",
        "certificate_type": kind,
        "occupation_code": occupation,
        "level": level,
        "issuing_body": "四川省职业技能鉴定中心",
        "issue_date": issued.isoformat(),
    }


async def certify(
    client: AsyncClient, provider: Provider, enrolment_id: str, body: dict[str, Any]
) -> str:
    """Issue a certificate for a passed enrolment; returns its id."""
    response = await client.post(
        "/certificates", json={**body, "enrolment_id": enrolment_id}, headers=provider.user.headers
    )
    assert response.status_code == 201, response.text
    certificate_id: str = response.json()["id"]
    return certificate_id


async def build(client: AsyncClient, runtime: Runtime) -> DataSet:
    """Record the data set of the module docstring."""
    p1 = await make_provider(client, runtime, region="510104", agency_prefix="5101")
    p2 = await make_provider(client, runtime, region="510107", agency_prefix="5101")
    p3 = await make_provider(client, runtime, region="510703", agency_prefix="5107")
    # Each course leads to the highest level certified from it (the time rules refuse a
    # certificate above the course's target level).
    chef = await make_course(client, p1, target_level="technician")
    electrician = await make_course(
        client,
        p1,
        title="电工",
        occupation_code="6-31-01-03",
        training_type="skill_upgrading",
        brand="tianfu_technician",
        target_level="intermediate",
    )
    cook = await make_course(client, p2, title="中式烹调", brand=None)
    welder = await make_course(
        client,
        p3,
        title="焊工",
        occupation_code="6-18-02-04",
        training_type="skill_upgrading",
        brand="tianfu_technician",
        target_level="technician",
    )
    a1 = await make_run(client, p1, chef["id"], start=date(2026, 3, 2))
    a2 = await make_run(client, p1, chef["id"], start=date(2026, 3, 16))
    b1 = await make_run(client, p1, electrician["id"], start=date(2026, 6, 1))
    c1 = await make_run(client, p2, cook["id"], start=date(2026, 3, 2))
    d1 = await make_run(client, p3, welder["id"], start=date(2026, 5, 11))

    w = {n: await make_person(runtime, name=f"学员{n}") for n in range(1, 11)}
    w |= {n: await make_person(runtime, name=f"学员{n}", region="510703") for n in range(11, 16)}

    a1_enrolments = await enrol_class(
        client, p1, a1, {n: (w[n], 2 if n == 6 else 4) for n in range(1, 7)}
    )
    # Each class is completed after its last session, with the clock there.
    with clock.stopped_at(after_run(a1)):
        await complete_sheet(
            client,
            p1,
            a1["id"],
            {e: "failed" if n == 6 else "passed" for n, e in a1_enrolments.items()},
        )
    a2_enrolments = await enrol_class(client, p1, a2, {1: (w[1], 4)})
    with clock.stopped_at(after_run(a2)):
        await complete_one(client, p1, a2_enrolments[1])
    b1_enrolments = await enrol_class(client, p1, b1, {n: (w[n], 4) for n in (1, 7)})
    with clock.stopped_at(after_run(b1)):
        for enrolment_id in b1_enrolments.values():
            await complete_one(client, p1, enrolment_id)
    c1_enrolments = await enrol_class(client, p2, c1, {n: (w[n], 4) for n in (8, 9, 10)})
    with clock.stopped_at(after_run(c1)):
        await complete_sheet(client, p2, c1["id"], dict.fromkeys(c1_enrolments.values(), "passed"))
    d1_enrolments = await enrol_class(client, p3, d1, {n: (w[n], 4) for n in range(11, 16)})
    with clock.stopped_at(after_run(d1)):
        await complete_sheet(
            client,
            p3,
            d1["id"],
            {e: "failed" if n == 15 else "passed" for n, e in d1_enrolments.items()},
        )

    march, june, may = date(2026, 3, 20), date(2026, 6, 20), date(2026, 5, 30)
    chef_code, electrician_code, welder_code = "4-03-02-01", "6-31-01-03", "6-18-02-04"
    certificates = {
        "w1": await certify(
            client, p1, a1_enrolments[1], certificate_body(chef_code, "junior", march)
        ),
        "w2": await certify(
            client, p1, a1_enrolments[2], certificate_body(chef_code, "junior", march)
        ),
        "w3": await certify(
            client, p1, a1_enrolments[3], certificate_body(chef_code, "intermediate", march)
        ),
        "w4": await certify(
            client, p1, a1_enrolments[4], certificate_body(chef_code, "senior", march)
        ),
        "w7": await certify(
            client, p1, b1_enrolments[7], certificate_body(electrician_code, "intermediate", june)
        ),
        "w11": await certify(
            client, p3, d1_enrolments[11], certificate_body(welder_code, "senior", may)
        ),
        "w12": await certify(
            client, p3, d1_enrolments[12], certificate_body(welder_code, "technician", may)
        ),
        "w13": await certify(
            client, p3, d1_enrolments[13], certificate_body(welder_code, "intermediate", may)
        ),
        "w14": await certify(
            client,
            p3,
            d1_enrolments[14],
            certificate_body(welder_code, None, may, kind="special_ability"),
        ),
    }
    corrected = await client.post(
        f"/certificates/{certificates['w2']}/correct",
        json={**certificate_body(chef_code, "technician", march), "reason": "等级录入错误"},
        headers=p1.user.headers,
    )
    assert corrected.status_code == 200, corrected.text
    voided = await client.post(
        f"/certificates/{certificates['w3']}/void",
        json={"reason": "证书撤销"},
        headers=p1.user.headers,
    )
    assert voided.status_code == 200, voided.text
    return DataSet(p1, p3, certificates)
