"""The plan's other ways to a skill level (四.(一).3-4): accreditations of assessment bodies
and enterprises, special vocational ability norms, assessments and direct recognitions.

The public face of the area (other areas import from ``portfolio.recognition``). Certificates
it issues are the training area's certificates with a road (``portfolio.training``'s
``issue_off_course``), so checks, corrections, voiding, credentials and the reports treat
them like any other.
"""

from portfolio.recognition import trail as trail  # registers the trail's repair sources
from portfolio.recognition.documents import (
    AbilityNorm,
    Accreditation,
    DirectRecognition,
    LevelAssessment,
)
from portfolio.recognition.enums import (
    AccreditationKind,
    AccreditationStatus,
    NormStatus,
    RecognitionStatus,
)
from portfolio.recognition.repair import finish_certificates

__all__ = [
    "AbilityNorm",
    "Accreditation",
    "AccreditationKind",
    "AccreditationStatus",
    "DirectRecognition",
    "LevelAssessment",
    "NormStatus",
    "RecognitionStatus",
    "finish_certificates",
]
