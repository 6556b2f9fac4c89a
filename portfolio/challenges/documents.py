"""Stored challenges (storage only; the rules live in ``service.py``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class ChallengeStatus(StrEnum):
    """Where a challenge stands: open until answered by a correction or a refusal."""

    OPEN = "open"
    CORRECTED = "corrected"
    REFUSED = "refused"


class Holder(StrEnum):
    """Who is to answer: the organisation that wrote the entry, or the agency of the region."""

    ORGANISATION = "organisation"
    AGENCY = "agency"


class Challenge(Document):
    """A worker's challenge of one entry of their archive, in their own words.

    ``organisation_id`` is the provider that wrote the entry (None when an agency wrote it);
    ``region_code`` is the worker's region when the challenge reached the agency (their
    region at filing until then). ``due_ms`` (epoch ms: compared by a rule, so never a ``$set``
    datetime) is when an unanswered challenge goes to the agency. ``answer_seq`` is the archive
    entry of the answer once appended (None between the answer and its entry: the repair
    routine appends it). ``version`` guards every change.
    """

    archive_id: str
    entry_seq: int
    entry_kind: str
    words: str
    status: ChallengeStatus = ChallengeStatus.OPEN
    holder: Holder
    organisation_id: str | None
    region_code: str
    due_ms: int
    created_at: datetime
    answer_text: str | None = None
    answered_by: str | None = None
    answered_ms: int | None = None
    answer_seq: int | None = None
    # Who answered, as the answer's archive entry names them (``archives.Recorder`` fields).
    recorder: dict[str, str | None] | None = None
    version: int = 0

    class Settings:
        name = "challenges"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("status", ASCENDING)]),
            # The repair step looks for answers of a time window (their entry not written).
            IndexModel([("answered_ms", ASCENDING)]),
        ]
