"""Credentials of the certificates issued without a course (the plan's other roads to a
level): an accredited assessment body, enterprise self-assessment, direct recognition and
special vocational ability. Their evidence is the recognition record they rest on (OB 3.0
``Evidence`` naming the road and the record), not a training completion.
"""

from __future__ import annotations

from typing import Any

from portfolio import training
from portfolio.credentials import builders
from portfolio.vocabulary import LABELS

_GENRES = {
    "assessment": "skill level assessment",
    "enterprise": "enterprise self-assessment",
    "direct_recognition": "direct recognition",
    "special_ability": "special vocational ability assessment",
}


def road_record(certificate: Any) -> builders.Record:
    """The credential's record of one certificate issued on a road without a course."""
    level = certificate.level.value if certificate.level else None
    road = certificate.road.value
    norm = f"；考核规范：{certificate.norm_code}" if certificate.norm_code else ""
    return builders.Record(
        key=f"certificate:{certificate.id}:v{certificate.version}",
        kind="certificate",
        name=f"职业技能证书 {certificate.occupation_code}" + (f"（{level}）" if level else ""),
        description=f"{certificate.issuing_body}颁发（{certificate.certificate_type.value}）",
        occupation_code=certificate.occupation_code,
        level=level,
        awarded=certificate.issue_date,
        creator_id=f"urn:portfolio:organisation:{certificate.organisation_id}",
        creator_name=certificate.issuing_body,
        result="Passed",
        human_code=certificate.number,
        evidence=(
            builders.Evidence(
                name=LABELS.get(road, road),
                description=f"{LABELS.get(road, road)}{norm}",
                narrative=f"评价记录：{certificate.assessment_id}{norm}",
                genre=_GENRES.get(road, road),
            ),
        ),
    )


async def road_records(archive_id: str) -> list[tuple[builders.Record, str, int]]:
    """(record, record id, version) of each valid certificate of the worker without a course."""
    return [
        (road_record(c), str(c.id), c.version)
        for c in await training.certificates_off_course(archive_id)
    ]
