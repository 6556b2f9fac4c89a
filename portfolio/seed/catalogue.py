"""What the province offers before any worker arrives: organisations, courses, mentors,
voucher policies, and the agency and provider logins.

Everything here is drawn from one generator of its own (``rng_for(seed, "catalogue")``) and
depends only on the seed and the number of archives, so every batch of workers can rebuild it
in memory and a resumed run sees the same catalogue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portfolio.accounts.principal import Role
from portfolio.seed.accounts import (
    SEEDER,
    agency_username,
    principal_document,
    provider_count,
    provider_username,
)
from portfolio.seed.geography import CITIES, City, pick_city, pick_district
from portfolio.seed.identities import credit_code, days_before, object_id, person_name, rng_for
from portfolio.training.enums import Delivery, OrganisationKind
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType
from portfolio.vouchers.documents import ClaimTerms

B = SkillBrand
T = TrainingType
L = SkillLevel


@dataclass(frozen=True)
class CourseTemplate:
    """A course as providers offer it: title, occupation (with its S / L flags), brand."""

    title: str
    occupation: str
    brand: SkillBrand | None
    training_type: TrainingType
    hours: tuple[int, ...]
    digital: bool = False
    green: bool = False


# Occupation codes in the 2022 classification's format (大典 N-NN-NN-NN); S digital, L green.
TEMPLATES: tuple[CourseTemplate, ...] = (
    CourseTemplate(
        "中式烹调师（川菜）", "4-03-02-01", B.SICHUAN_CHEF, T.EMPLOYMENT_SKILLS, (40, 64, 80)
    ),
    CourseTemplate("中式面点师", "4-03-02-02", B.SICHUAN_CHEF, T.EMPLOYMENT_SKILLS, (40, 56)),
    CourseTemplate("川菜厨师技能提升", "4-03-02-01", B.SICHUAN_CHEF, T.SKILL_UPGRADING, (24, 32)),
    CourseTemplate("砌筑工", "6-29-01-01", B.TIANFU_BUILDER, T.EMPLOYMENT_SKILLS, (40, 56)),
    CourseTemplate("钢筋工", "6-29-01-03", B.TIANFU_BUILDER, T.EMPLOYMENT_SKILLS, (40, 48)),
    CourseTemplate(
        "装配式建筑施工员", "6-29-01-05", B.TIANFU_BUILDER, T.SKILL_UPGRADING, (24, 32), green=True
    ),
    CourseTemplate("电工", "6-31-01-03", B.TIANFU_TECHNICIAN, T.SKILL_UPGRADING, (40, 64, 80)),
    CourseTemplate("焊工", "6-18-02-04", B.TIANFU_TECHNICIAN, T.EMPLOYMENT_SKILLS, (48, 64, 80)),
    CourseTemplate("汽车维修工", "4-12-01-01", B.TIANFU_TECHNICIAN, T.SKILL_UPGRADING, (40, 56)),
    CourseTemplate(
        "新能源汽车检测与维修",
        "4-12-01-01",
        B.TIANFU_TECHNICIAN,
        T.SKILL_UPGRADING,
        (32, 40),
        green=True,
    ),
    CourseTemplate("农艺工", "5-01-02-01", B.TIANFU_NEW_FARMER, T.EMPLOYMENT_SKILLS, (24, 32, 40)),
    CourseTemplate("农业经理人", "5-05-01-02", B.TIANFU_NEW_FARMER, T.ENTREPRENEURSHIP, (32, 40)),
    CourseTemplate("茶叶加工工", "6-02-06-02", B.TIANFU_NEW_FARMER, T.EMPLOYMENT_SKILLS, (24, 32)),
    CourseTemplate(
        "电子商务师（直播销售）",
        "4-01-02-02",
        B.TIANFU_DIGITAL_CRAFTSMAN,
        T.EMPLOYMENT_SKILLS,
        (32, 40),
        digital=True,
    ),
    CourseTemplate(
        "人工智能训练师",
        "4-04-05-05",
        B.TIANFU_DIGITAL_CRAFTSMAN,
        T.SKILL_UPGRADING,
        (40, 56),
        digital=True,
    ),
    CourseTemplate(
        "工业机器人系统运维员",
        "6-31-07-01",
        B.TIANFU_DIGITAL_CRAFTSMAN,
        T.SKILL_UPGRADING,
        (48, 64),
        digital=True,
    ),
    CourseTemplate("养老护理员", "4-10-01-05", B.LOCAL_LABOUR, T.EMPLOYMENT_SKILLS, (40, 56)),
    CourseTemplate("育婴员", "4-10-01-02", B.LOCAL_LABOUR, T.EMPLOYMENT_SKILLS, (32, 40)),
    CourseTemplate("家政服务员", "4-10-01-06", None, T.EMPLOYMENT_SKILLS, (24, 32)),
    CourseTemplate("保安员", "4-07-05-01", None, T.EMPLOYMENT_SKILLS, (24, 32)),
    CourseTemplate("创业培训（SYB）", "4-07-02-03", None, T.ENTREPRENEURSHIP, (40, 56)),
    CourseTemplate("网络创业培训", "4-07-02-03", None, T.ENTREPRENEURSHIP, (24, 32), digital=True),
    CourseTemplate("美容师", "4-10-03-01", None, T.EMPLOYMENT_SKILLS, (40, 56)),
    CourseTemplate("叉车司机", "6-30-05-05", None, T.SKILL_UPGRADING, (16, 24)),
)

# Share of courses aimed at each level; the certificates drawn in training.py follow their own.
TARGET_LEVELS: tuple[tuple[SkillLevel, int], ...] = (
    (L.JUNIOR, 40),
    (L.INTERMEDIATE, 32),
    (L.SENIOR, 18),
    (L.TECHNICIAN, 7),
    (L.SENIOR_TECHNICIAN, 3),
)

# Provider types: (kind, weight, credit-code authority, name pattern).
KINDS: tuple[tuple[OrganisationKind, int, str, str], ...] = (
    (OrganisationKind.TRAINING_INSTITUTION, 45, "52", "{place}{word}职业技能培训学校"),
    (OrganisationKind.ENTERPRISE, 25, "91", "四川{word}{trade}有限公司"),
    (OrganisationKind.TECHNICAL_SCHOOL, 10, "12", "{place}{word}技师学院"),
    (OrganisationKind.VOCATIONAL_COLLEGE, 10, "12", "{place}{word}职业技术学院"),
    (OrganisationKind.PUBLIC_TRAINING_BASE, 5, "12", "{place}公共实训基地（{word}）"),
    (OrganisationKind.MASTER_STUDIO, 5, "52", "{word}技能大师工作室"),
)
WORDS = [
    "天府",
    "蜀韵",
    "锦城",
    "巴蜀",
    "峨眉",
    "青城",
    "嘉陵",
    "岷江",
    "金沙",
    "川西",
    "华西",
    "西部",
    "新川",
    "蓉城",
    "三星",
    "剑门",
]
TRADES = ["建工", "机械", "食品", "电子", "汽车", "能源", "物流", "茶业", "药业", "家政"]


@dataclass
class OrganisationRef:
    """What a batch of workers needs to know of an organisation."""

    id: str
    number: int
    name: str
    kind: OrganisationKind
    region_code: str
    credit_code: str
    principal_id: str
    courses: list[CourseRef] = field(default_factory=list)
    mentors: list[MentorRef] = field(default_factory=list)


@dataclass(frozen=True)
class CourseRef:
    """A course and the facts its runs, payloads and vouchers copy."""

    id: str
    organisation_id: str
    title: str
    occupation_code: str
    digital: bool
    training_type: TrainingType
    brand: SkillBrand | None
    target_level: SkillLevel
    planned_hours: int
    subsidy_standard_fen: int


@dataclass(frozen=True)
class MentorRef:
    """A mentor of an organisation (enterprise masters and school teachers)."""

    id: str
    name: str
    level: SkillLevel


@dataclass(frozen=True)
class PolicyRef:
    """A voucher policy's one version, as vouchers copy it."""

    id: str
    name: str
    region_prefix: str
    face_value_fen: int
    validity_days: int
    training_types: tuple[TrainingType, ...]
    min_age: int | None
    max_age: int | None
    created_at: datetime
    # The fund paying its vouchers (issue 27): the province's from unemployment insurance,
    # the cities' from the employment subsidy fund.
    funding_source: str = "employment_subsidy"


@dataclass(frozen=True)
class AgencyRef:
    """An agency login: its principal id and region prefix."""

    principal_id: str
    username: str
    prefix: str


@dataclass
class Catalogue:
    """The whole catalogue, in memory, and its documents per collection."""

    organisations: list[OrganisationRef]
    agencies: dict[str, AgencyRef]
    policies: dict[str, PolicyRef]
    documents: dict[str, list[dict[str, Any]]]

    def enterprises(self) -> list[OrganisationRef]:
        """The organisations that employ apprentices."""
        return [o for o in self.organisations if o.kind is OrganisationKind.ENTERPRISE]

    def institutions(self) -> list[OrganisationRef]:
        """The organisations that may be an apprenticeship's training institution."""
        return [o for o in self.organisations if o.kind is not OrganisationKind.ENTERPRISE]


def _agencies(
    seed: int, start: datetime, password_hash: str, documents: dict[str, list[dict[str, Any]]]
) -> dict[str, AgencyRef]:
    agencies: dict[str, AgencyRef] = {}
    for prefix in ["51", *(city.code for city in CITIES)]:
        username = agency_username(prefix)
        doc = principal_document(
            seed=seed,
            username=username,
            role=Role.AGENCY,
            password_hash=password_hash,
            created_at=start,
            region_prefix=prefix,
        )
        documents["principals"].append(doc)
        agencies[prefix] = AgencyRef(str(doc["_id"]), username, prefix)
    return agencies


def _organisation(
    rng: random.Random, seed: int, number: int, city: City, start: datetime
) -> tuple[OrganisationRef, dict[str, Any]]:
    kind, _, authority, pattern = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
    if number < len(KINDS):
        # The first few organisations cover every kind, however small the province.
        kind, _, authority, pattern = KINDS[number]
    region = pick_district(rng, city)
    place = city.name.removesuffix("市")[:2]
    name = pattern.format(place=place, word=rng.choice(WORDS), trade=rng.choice(TRADES))
    name = f"{name}（{number:04d}）"
    created = days_before(start, rng.uniform(0, 60))
    oid = object_id(seed, created, "organisation", number)
    code = credit_code(rng, region_code=region, authority=authority)
    ref = OrganisationRef(
        id=str(oid),
        number=number,
        name=name,
        kind=kind,
        region_code=region,
        credit_code=code,
        principal_id="",
    )
    doc = {
        "_id": oid,
        "name": name,
        "credit_code": code,
        "credit_code_override_reason": "",
        "kind": kind.value,
        "region_code": region,
        "status": "active",
        "status_reason": "",
        "version": 0,
        "created_at": created,
        "created_by": SEEDER,
        "changed_at_ms": 0,  # no status change yet
    }
    return ref, doc


def _courses(
    rng: random.Random, seed: int, organisation: OrganisationRef, created_at: datetime
) -> list[dict[str, Any]]:
    docs = []
    for index, template in enumerate(rng.sample(TEMPLATES, 4)):
        level = rng.choices([t[0] for t in TARGET_LEVELS], weights=[t[1] for t in TARGET_LEVELS])[0]
        hours = rng.choice(template.hours)
        oid = object_id(seed, created_at, "course", organisation.number, index)
        ref = CourseRef(
            id=str(oid),
            organisation_id=organisation.id,
            title=template.title,
            occupation_code=template.occupation,
            digital=template.digital,
            training_type=template.training_type,
            brand=template.brand,
            target_level=level,
            planned_hours=hours,
            # Subsidy standards of 30-40 yuan per hour, rounded to 10 yuan.
            subsidy_standard_fen=hours * rng.choice((30, 35, 40)) // 10 * 1000,
        )
        organisation.courses.append(ref)
        docs.append(
            {
                "_id": oid,
                "organisation_id": organisation.id,
                "region_code": organisation.region_code,
                "title": template.title,
                "occupation_code": template.occupation,
                "digital": template.digital,
                "green": template.green,
                "training_type": template.training_type.value,
                "brand": template.brand.value if template.brand else None,
                "target_level": level.value,
                "planned_hours": float(hours),
                "delivery": rng.choice(
                    [Delivery.IN_PERSON, Delivery.IN_PERSON, Delivery.BLENDED]
                ).value,
                "subsidy_standard_fen": ref.subsidy_standard_fen,
                # The first version, never edited (an edit would keep it in course_versions).
                "version": 0,
                "changed_at_ms": 0,
                "changed_by": "",
                "version_note": "",
                "created_at": created_at,
                "created_by": SEEDER,
            }
        )
    return docs


def _mentors(
    rng: random.Random, seed: int, organisation: OrganisationRef, count: int, at: datetime
) -> list[dict[str, Any]]:
    docs = []
    levels = [L.SENIOR, L.TECHNICIAN, L.TECHNICIAN, L.SENIOR_TECHNICIAN, L.PRINCIPAL_TECHNICIAN]
    for index in range(count):
        oid = object_id(seed, at, "mentor", organisation.number, index)
        ref = MentorRef(str(oid), person_name(rng), rng.choice(levels))
        organisation.mentors.append(ref)
        docs.append(
            {
                "_id": oid,
                "name": ref.name,
                "level": ref.level.value,
                "organisation_id": organisation.id,
                "region_code": organisation.region_code,
                # Set to the agreements' count at the end of the run (the invariant).
                "active_apprentices": 0,
                "created_at": at,
                "created_by": SEEDER,
            }
        )
    return docs


def _policies(
    seed: int, start: datetime, archives: int, agencies: dict[str, AgencyRef]
) -> tuple[dict[str, PolicyRef], list[dict[str, Any]], list[dict[str, Any]]]:
    """One province policy and one per city; one version each, quantity for everyone."""
    refs: dict[str, PolicyRef] = {}
    versions: list[dict[str, Any]] = []
    heads: list[dict[str, Any]] = []
    quantity = max(1000, -(-archives // 1000) * 1000)
    # prefix, name, face value, validity days, training types paid for, age band.
    plans: list[tuple[str, str, int, int, tuple[TrainingType, ...], int | None, int | None]] = [
        ("51", "四川省职业技能培训券", 100_000, 365, (), 16, 60)
    ]
    for city in CITIES:
        plans.append(
            (
                city.code,
                f"{city.name}就业技能培训券",
                80_000,
                270,
                (T.EMPLOYMENT_SKILLS, T.SKILL_UPGRADING),
                None,
                None,
            )
        )
    for prefix, name, face, days, types, low, high in plans:
        created = start
        oid = object_id(seed, created, "policy", prefix)
        source = "unemployment_insurance" if prefix == "51" else "employment_subsidy"
        ref = PolicyRef(
            str(oid), name, prefix, face, days, tuple(types), low, high, created, source
        )
        refs[prefix] = ref
        versions.append(
            {
                "_id": oid,
                "policy_key": str(oid),
                "version_no": 1,
                "name": name,
                "region_prefix": prefix,
                "coverage": {
                    "training_types": [t.value for t in types],
                    "occupation_codes": [],
                    "brands": [],
                },
                "face_value_fen": face,
                "validity_days": days,
                "fixed_end": None,
                "quantity": quantity,
                "rules": {
                    "registered_unemployed": False,
                    "min_unemployment_insurance_months": None,
                    "min_age": low,
                    "max_age": high,
                    "region_prefix": prefix,
                    "one_unused_voucher": True,
                    "priority_groups": [],
                },
                # The default terms, written out: the store holds what the model writes.
                "claim_terms": ClaimTerms().model_dump(mode="json"),
                "funding_source": source,
                "change_note": "",
                "created_at": created,
                "created_by": agencies[prefix].principal_id,
            }
        )
        heads.append(
            {
                "_id": oid,
                "region_prefix": prefix,
                "current_version_id": str(oid),
                "version_no": 1,
                # Set to the vouchers' count at the end of the run (the invariant).
                "issued": 0,
                "created_at": created,
            }
        )
    return refs, versions, heads


def build_catalogue(*, seed: int, archives: int, start: datetime, password_hash: str) -> Catalogue:
    """The catalogue of a province of ``archives`` workers whose history begins at ``start``."""
    rng = rng_for(seed, "catalogue")
    documents: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "principals",
            "organisations",
            "courses",
            "mentors",
            "voucher_policies",
            "voucher_policy_heads",
        )
    }
    agencies = _agencies(seed, start, password_hash, documents)
    organisations: list[OrganisationRef] = []
    for number in range(provider_count(archives)):
        city = CITIES[number] if number < len(CITIES) else pick_city(rng)
        ref, doc = _organisation(rng, seed, number, city, start)
        principal = principal_document(
            seed=seed,
            username=provider_username(number),
            role=Role.PROVIDER,
            password_hash=password_hash,
            created_at=doc["created_at"],
            organisation_id=ref.id,
        )
        ref.principal_id = str(principal["_id"])
        organisations.append(ref)
        documents["organisations"].append(doc)
        documents["principals"].append(principal)
        documents["courses"] += _courses(rng, seed, ref, doc["created_at"] + timedelta(days=1))
        if ref.kind is OrganisationKind.ENTERPRISE:
            documents["mentors"] += _mentors(rng, seed, ref, 4, doc["created_at"])
        elif ref.kind in (OrganisationKind.TECHNICAL_SCHOOL, OrganisationKind.VOCATIONAL_COLLEGE):
            documents["mentors"] += _mentors(rng, seed, ref, 3, doc["created_at"])
    policies, versions, heads = _policies(seed, start, archives, agencies)
    documents["voucher_policies"] = versions
    documents["voucher_policy_heads"] = heads
    # Every enterprise's apprentices need a school: make sure one with mentors exists.
    assert any(o.mentors for o in organisations if o.kind is not OrganisationKind.ENTERPRISE)
    return Catalogue(organisations, agencies, policies, documents)
