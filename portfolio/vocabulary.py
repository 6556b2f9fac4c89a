"""The programme's fixed vocabularies (../shared/DOMAIN.md), shared by every area.

Values are stable English slugs (stored and sent on the wire); ``LABELS`` gives the Chinese
names people know them by.
"""

from __future__ import annotations

from enum import StrEnum


class TrainingType(StrEnum):
    """The three training types of the programme."""

    EMPLOYMENT_SKILLS = "employment_skills"  # 就业技能培训
    SKILL_UPGRADING = "skill_upgrading"  # 岗位技能提升培训
    ENTREPRENEURSHIP = "entrepreneurship"  # 创业创新培训


class SkillBrand(StrEnum):
    """Provincial skill brands a course may carry."""

    TIANFU_NEW_FARMER = "tianfu_new_farmer"  # 天府新农人
    TIANFU_BUILDER = "tianfu_builder"  # 天府建筑工
    SICHUAN_CHEF = "sichuan_chef"  # 川菜大师傅
    TIANFU_TECHNICIAN = "tianfu_technician"  # 天府技工
    TIANFU_DIGITAL_CRAFTSMAN = "tianfu_digital_craftsman"  # 天府数智工匠
    LOCAL_LABOUR = "local_labour"  # 地方劳务品牌


class SkillLevel(StrEnum):
    """The eight-level ladder (新八级工), lowest first; compare with ``rank``."""

    APPRENTICE = "apprentice"  # 学徒工 (no certificate)
    JUNIOR = "junior"  # 初级工, level 5
    INTERMEDIATE = "intermediate"  # 中级工, level 4
    SENIOR = "senior"  # 高级工, level 3
    TECHNICIAN = "technician"  # 技师, level 2
    SENIOR_TECHNICIAN = "senior_technician"  # 高级技师, level 1
    PRINCIPAL_TECHNICIAN = "principal_technician"  # 特级技师
    CHIEF_TECHNICIAN = "chief_technician"  # 首席技师

    @property
    def rank(self) -> int:
        """Position on the ladder: 0 for an apprentice, 7 for a chief technician."""
        return _LADDER.index(self)

    @property
    def is_high_skill(self) -> bool:
        """高技能人才: senior worker (高级工) or above."""
        return self.rank >= SkillLevel.SENIOR.rank


_LADDER = list(SkillLevel)


class LevelRoad(StrEnum):
    """The plan's ways to a certificate (四.(一).3-4): which kind of evaluation granted it."""

    COURSE = "course"  # a provider's course, then its assessment
    ASSESSMENT = "assessment"  # 社会培训评价组织: an accredited assessment body
    ENTERPRISE = "enterprise"  # 企业自主评价: an accredited enterprise assesses its staff
    DIRECT_RECOGNITION = "direct_recognition"  # 直接认定: front-line workers, agency confirms
    SPECIAL_ABILITY = "special_ability"  # 专项职业能力考核 against a published norm
    APPRENTICESHIP = "apprenticeship"  # 企业新型学徒制: a completed apprenticeship


class PriorityGroup(StrEnum):
    """The plan's priority groups (重点群体), and the agency's designation of village
    craftsmen (乡村工匠), recorded the same way (``portfolio.priority``)."""

    MIGRANT_WORKER = "migrant_worker"  # 农民工
    COLLEGE_GRADUATE = "college_graduate"  # 高校毕业生
    VETERAN = "veteran"  # 退役军人
    UNEMPLOYED = "unemployed"  # 失业人员
    LIFTED_FROM_POVERTY = "lifted_from_poverty"  # 脱贫人口 (sensitive)
    DISABLED = "disabled"  # 残疾人 (sensitive)
    ASSISTED_COUNTY_RURAL = "assisted_county_rural"  # 乡村振兴重点帮扶县农村劳动力
    VILLAGE_CRAFTSMAN = "village_craftsman"  # 乡村工匠 (a designation, not a target group)


# Sensitive personal information (PIPL art. 28): sealed at rest, shown only with a purpose.
SENSITIVE_GROUPS = frozenset({PriorityGroup.LIFTED_FROM_POVERTY, PriorityGroup.DISABLED})


class FundingSource(StrEnum):
    """Which fund a payment comes from (issue 27); money paid before sources were recorded
    reads as ``unspecified``."""

    UNEMPLOYMENT_INSURANCE = "unemployment_insurance"  # 失业保险基金
    EMPLOYMENT_SUBSIDY = "employment_subsidy"  # 就业补助资金
    OTHER = "other"  # 其他
    UNSPECIFIED = "unspecified"  # 未指明


LABELS: dict[str, str] = {
    TrainingType.EMPLOYMENT_SKILLS: "就业技能培训",
    TrainingType.SKILL_UPGRADING: "岗位技能提升培训",
    TrainingType.ENTREPRENEURSHIP: "创业创新培训",
    SkillBrand.TIANFU_NEW_FARMER: "天府新农人",
    SkillBrand.TIANFU_BUILDER: "天府建筑工",
    SkillBrand.SICHUAN_CHEF: "川菜大师傅",
    SkillBrand.TIANFU_TECHNICIAN: "天府技工",
    SkillBrand.TIANFU_DIGITAL_CRAFTSMAN: "天府数智工匠",
    SkillBrand.LOCAL_LABOUR: "地方劳务品牌",
    SkillLevel.APPRENTICE: "学徒工",
    SkillLevel.JUNIOR: "初级工",
    SkillLevel.INTERMEDIATE: "中级工",
    SkillLevel.SENIOR: "高级工",
    SkillLevel.TECHNICIAN: "技师",
    SkillLevel.SENIOR_TECHNICIAN: "高级技师",
    SkillLevel.PRINCIPAL_TECHNICIAN: "特级技师",
    SkillLevel.CHIEF_TECHNICIAN: "首席技师",
    LevelRoad.COURSE: "培训课程",
    LevelRoad.ASSESSMENT: "评价机构认定",
    LevelRoad.ENTERPRISE: "企业自主评价",
    LevelRoad.DIRECT_RECOGNITION: "直接认定",
    LevelRoad.SPECIAL_ABILITY: "专项职业能力",
    LevelRoad.APPRENTICESHIP: "企业新型学徒制",
    PriorityGroup.MIGRANT_WORKER: "农民工",
    PriorityGroup.COLLEGE_GRADUATE: "高校毕业生",
    PriorityGroup.VETERAN: "退役军人",
    PriorityGroup.UNEMPLOYED: "失业人员",
    PriorityGroup.LIFTED_FROM_POVERTY: "脱贫人口",
    PriorityGroup.DISABLED: "残疾人",
    PriorityGroup.ASSISTED_COUNTY_RURAL: "乡村振兴重点帮扶县农村劳动力",
    PriorityGroup.VILLAGE_CRAFTSMAN: "乡村工匠",
    FundingSource.UNEMPLOYMENT_INSURANCE: "失业保险基金",
    FundingSource.EMPLOYMENT_SUBSIDY: "就业补助资金",
    FundingSource.OTHER: "其他",
    FundingSource.UNSPECIFIED: "未指明",
}
