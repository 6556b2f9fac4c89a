"""Why an agency looks a worker up or reads their full numbers: a coded list and a note.

The worker reads the purpose in their access log, so what is stored is the purpose in words
(Chinese, the worker's language), followed by the officer's note when there is one. The API
takes the purpose as text or as ``purpose_code`` and ``purpose_note`` (``POST /workers/search``,
``/reveal``); the console's pages offer the same codes. ``stated_purpose`` turns a code and a
note into that text (checked as every purpose is: no identity number in it).
"""

from __future__ import annotations

from enum import StrEnum

from portfolio.archives.scope import check_purpose
from portfolio.errors import ValidationFailed

MAX_NOTE = 150


class ReadPurpose(StrEnum):
    """The reasons an officer may look a worker up."""

    COUNTER = "counter"
    SUBSIDY_CLAIM = "subsidy_claim"
    REGISTRATION = "registration"
    SOCIAL_SECURITY = "social_security"
    EMPLOYMENT_SERVICE = "employment_service"
    COMPLAINT = "complaint"
    OTHER = "other"


# What the worker reads in their access log.
PURPOSE_TEXT: dict[ReadPurpose, str] = {
    ReadPurpose.COUNTER: "劳动者本人在窗口办理业务",
    ReadPurpose.SUBSIDY_CLAIM: "核对职业技能提升补贴申领",
    ReadPurpose.REGISTRATION: "办理实名登记或信息变更",
    ReadPurpose.SOCIAL_SECURITY: "核对社会保障信息",
    ReadPurpose.EMPLOYMENT_SERVICE: "就业创业服务",
    ReadPurpose.COMPLAINT: "处理投诉或举报",
    ReadPurpose.OTHER: "其他",
}


def stated_purpose(code: str | None, note: str | None = None) -> str:
    """The purpose text of ``code`` and the officer's optional note ("other" needs one)."""
    try:
        purpose = ReadPurpose(code or "")
    except ValueError:
        raise ValidationFailed.single(
            "purpose", "required", "choose the purpose from the list"
        ) from None
    text = " ".join((note or "").split())
    if len(text) > MAX_NOTE:
        raise ValidationFailed.single(
            "purpose_note", "length", f"the note may have {MAX_NOTE} characters at most"
        )
    if purpose is ReadPurpose.OTHER and not text:
        raise ValidationFailed.single("purpose_note", "required", "say what the purpose is")
    stated = f"{PURPOSE_TEXT[purpose]}：{text}" if text else PURPOSE_TEXT[purpose]
    return check_purpose(stated, field="purpose_note")
