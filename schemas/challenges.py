"""Requests and responses of challenges: a worker disputes an entry of their archive."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from portfolio.challenges import Answer, ChallengeStatus, Holder
from schemas.common import Input, Output


class ChallengeIn(Input):
    """The entry challenged (its number in the archive) and what is wrong, in the worker's
    words."""

    entry_seq: Annotated[int, Field(ge=1)]
    words: Annotated[str, Field(min_length=2, max_length=1000)]


class Outcome(StrEnum):
    """Correct the entry, or refuse the challenge."""

    CORRECT = "correct"
    REFUSE = "refuse"


class AnswerIn(Input):
    """The answer: a correction (what the entry should say) or a refusal (the reasons)."""

    outcome: Outcome
    text: Annotated[str, Field(min_length=2, max_length=1000)]

    def to_domain(self) -> Answer:
        """The domain's answer."""
        return Answer(correct=self.outcome is Outcome.CORRECT, text=self.text)


class ChallengeOut(Output):
    """A challenge and, once answered, its answer and the archive entry that records it."""

    id: str
    archive_id: str
    entry_seq: int
    entry_kind: str
    words: str
    status: ChallengeStatus
    holder: Holder = Field(description="who is to answer: the entry's writer, or the agency")
    organisation_id: str | None = Field(description="the provider that wrote the entry")
    region_code: str
    due_at: datetime = Field(description="when an unanswered challenge goes to the agency")
    created_at: datetime
    answer_text: str | None
    answered_at: datetime | None
    answer_seq: int | None = Field(description="the archive entry of the answer")
