"""Demo of the ways to a skill level: every road visible from a demo login.

* ``officer-sichuan`` (the province) published three Sichuan special-ability norms (川酒, 川茶,
  川菜: the plan's examples);
* ``officer-chengdu`` accredited the Chengdu cooking assessment centre (login ``assessor``) as
  an assessment body for Chinese cooks, junior to technician, and for the liquor and cuisine
  norms; and the Longquan parts maker (login ``enterprise``) for enterprise self-assessment of
  its welders, junior to senior;
* two Chengdu workers of their own (no login; the demo workers' records stay as the other
  journeys know them): the assessment body assessed the cook 赵大勇 as an intermediate cook
  (road: assessment body) and against the liquor norm (special ability); the enterprise
  assessed its welder 陈建华 at senior (enterprise) and proposed him for direct recognition
  as a technician, which waits for the Chengdu agency's decision on ``/agency/levels``.

Recorded through the real use cases, so the certificates, archive entries, events and trail
are real. Loading twice changes nothing: norms are keyed by code, an organisation that has
an accreditation is not accredited again, assessments have deterministic ids, and a
proposal is made only when the enterprise has none.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from stdnum.cn import uscc

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.accounts.demo import DEMO_ASSESSMENT_BODY, DEMO_ENTERPRISE, demo_actor
from portfolio.archives import InsuranceScheme, WorkerRef
from portfolio.archives.demo import DemoWorker, ensure_demo_worker
from portfolio.errors import Conflict
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.recognition import accreditations, assessments, direct, norms
from portfolio.recognition.assessments import NewAssessment
from portfolio.recognition.direct import Proposal
from portfolio.recognition.documents import Accreditation, DirectRecognition
from portfolio.recognition.enums import AccreditationKind
from portfolio.recognition.views import NewAccreditation
from portfolio.settings import Settings
from portfolio.training import OrganisationKind
from portfolio.training.demo import ensure_organisation
from portfolio.vocabulary import SkillLevel

BODY_NAME = "成都市川菜烹饪职业技能评价中心"
BODY_CREDIT_CODE = "52510104MJP461931" + uscc.calc_check_digit("52510104MJP461931")
BODY_REGION = "510104"
COOK = "4-03-02-01"
WELDER = "6-18-02-04"
# The plan's Sichuan norms (四.(五).15: 川酒、川茶、川菜).
NORMS = (
    ("51ZX-CJ-001", "川酒酿造（浓香型白酒固态发酵）", "6-02-06-01"),
    ("51ZX-CC-001", "川茶制作（蒙顶黄芽）", "6-02-06-02"),
    ("51ZX-CP-001", "川菜烹饪（回锅肉、麻婆豆腐）", COOK),
)


COOK_WORKER = DemoWorker(
    archive_id="64d0000000000000000000c2",
    agency="agency-chengdu",
    name="赵大勇",
    id_number="510104198804153318",
    phone="13800000021",
    region_code="510104",
    card_number="A51010421",
    schemes=((InsuranceScheme.PENSION, "2010-03"), (InsuranceScheme.MEDICAL, "2010-03")),
    certificate_number="5101042010000021",
    jobs=(),
)
WELDER_WORKER = DemoWorker(
    archive_id="64d0000000000000000000c3",
    agency="agency-chengdu",
    name="陈建华",
    id_number="510112198509234510",
    phone="13800000022",
    region_code="510112",
    card_number="A51011222",
    schemes=((InsuranceScheme.PENSION, "2008-07"), (InsuranceScheme.MEDICAL, "2008-07")),
    certificate_number="5101122008000022",
    jobs=(),
)


def _ref(worker: DemoWorker) -> WorkerRef:
    return WorkerRef(IdType.RESIDENT_ID, worker.id_number, worker.name)


async def _accreditation(
    officer: Actor, organisation_id: str, asked: NewAccreditation
) -> Accreditation:
    found = await Accreditation.find_one({"organisation_id": organisation_id})
    if found is None:
        await accreditations.accredit(actor=officer, asked=asked)
        found = await Accreditation.find_one({"organisation_id": organisation_id})
    assert found is not None
    return found


async def ensure_demo_recognition(*, settings: Settings, keyring: Keyring) -> None:
    """Load the demo norms, accreditations, workers, assessments and proposal (idempotent)."""
    for worker in (COOK_WORKER, WELDER_WORKER):
        await ensure_demo_worker(worker, settings=settings, keyring=keyring)
    province, chengdu = await demo_actor("officer-sichuan"), await demo_actor("officer-chengdu")
    for code, title, occupation in NORMS:
        with contextlib.suppress(Conflict):  # published by an earlier load
            await norms.publish(actor=province, code=code, title=title, occupation_code=occupation)
    await ensure_organisation(
        DEMO_ASSESSMENT_BODY,
        BODY_NAME,
        BODY_CREDIT_CODE,
        OrganisationKind.TRAINING_INSTITUTION,
        BODY_REGION,
        chengdu,
    )
    today = clock.china_today()
    start, end = today - timedelta(days=200), today + timedelta(days=530)
    body = await _accreditation(
        chengdu,
        DEMO_ASSESSMENT_BODY,
        NewAccreditation(
            organisation_id=DEMO_ASSESSMENT_BODY,
            kind=AccreditationKind.ASSESSMENT_BODY,
            occupation_codes=[COOK],
            levels=[
                SkillLevel.JUNIOR,
                SkillLevel.INTERMEDIATE,
                SkillLevel.SENIOR,
                SkillLevel.TECHNICIAN,
            ],
            norm_codes=["51ZX-CJ-001", "51ZX-CP-001"],
            valid_from=start,
            valid_until=end,
        ),
    )
    firm = await _accreditation(
        chengdu,
        DEMO_ENTERPRISE,
        NewAccreditation(
            organisation_id=DEMO_ENTERPRISE,
            kind=AccreditationKind.ENTERPRISE,
            occupation_codes=[WELDER],
            levels=[SkillLevel.JUNIOR, SkillLevel.INTERMEDIATE, SkillLevel.SENIOR],
            norm_codes=[],
            valid_from=start,
            valid_until=end,
        ),
    )
    assessor, enterprise = await demo_actor("assessor"), await demo_actor("enterprise")
    day = today - timedelta(days=12)
    for actor, accreditation, asked in (
        (
            assessor,
            body,
            NewAssessment(
                accreditation_id=str(body.id),
                worker=_ref(COOK_WORKER),
                occupation_code=COOK,
                level=SkillLevel.INTERMEDIATE,
                norm_code="",
                passed=True,
                score=88,
                assessed_on=day,
                assessors="张考评员、刘考评员",
                certificate_number=f"PJ{BODY_REGION}{day:%y}000001",
            ),
        ),
        (
            assessor,
            body,
            NewAssessment(
                accreditation_id=str(body.id),
                worker=_ref(COOK_WORKER),
                occupation_code="",
                level=None,
                norm_code="51ZX-CJ-001",
                passed=True,
                score=91,
                assessed_on=day,
                assessors="张考评员",
                certificate_number=f"ZX{BODY_REGION}{day:%y}000001",
            ),
        ),
        (
            enterprise,
            firm,
            NewAssessment(
                accreditation_id=str(firm.id),
                worker=_ref(WELDER_WORKER),
                occupation_code=WELDER,
                level=SkillLevel.SENIOR,
                norm_code="",
                passed=True,
                score=84,
                assessed_on=day,
                assessors="企业评价小组",
                certificate_number=f"QY510112{day:%y}000001",
            ),
        ),
    ):
        assert accreditation.id is not None
        await assessments.record(actor=actor, keyring=keyring, asked=asked)
    if await DirectRecognition.find_one({"organisation_id": DEMO_ENTERPRISE}) is None:
        await direct.propose(
            actor=enterprise,
            keyring=keyring,
            proposal=Proposal(
                accreditation_id=str(firm.id),
                worker=_ref(WELDER_WORKER),
                occupation_code=WELDER,
                level=SkillLevel.TECHNICIAN,
                performance="近三年焊接一次合格率99.6%，年度考核均为优秀",
                posts="焊接班组长五年，负责底盘焊装线关键工位",
                achievements="主持焊接夹具改进，年节约成本40万元；带徒6名",
                certificate_number=f"ZR510112{today:%y}000001",
            ),
        )
