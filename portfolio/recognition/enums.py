"""The recognition area's states and kinds."""

from __future__ import annotations

from enum import StrEnum


class AccreditationKind(StrEnum):
    """What an agency accredits an organisation to do."""

    ASSESSMENT_BODY = "assessment_body"  # 评价机构: assesses anyone
    ENTERPRISE = "enterprise"  # 企业自主评价: assesses its own staff, proposes recognitions


class AccreditationStatus(StrEnum):
    """As stored: active or suspended. Expired is read from the period (``standing``)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


class NormStatus(StrEnum):
    """A published norm is assessed against until the agency withdraws it."""

    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class RecognitionStatus(StrEnum):
    """An enterprise's direct recognition: proposed, then confirmed or refused by the agency."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
