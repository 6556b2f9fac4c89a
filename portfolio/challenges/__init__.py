"""Challenges: a worker disputes an entry of their archive; the writer, then the agency, answers.

The public face of the area (other areas import from ``portfolio.challenges`` only).
"""

from portfolio.challenges.documents import Challenge, ChallengeStatus, Holder
from portfolio.challenges.service import (
    Answer,
    ChallengeView,
    answer,
    challenge_entry,
    escalate_due,
    finish_answers,
    get_challenge,
    list_for_organisation,
    list_mine,
)

__all__ = [
    "Answer",
    "Challenge",
    "ChallengeStatus",
    "ChallengeView",
    "Holder",
    "answer",
    "challenge_entry",
    "escalate_due",
    "finish_answers",
    "get_challenge",
    "list_for_organisation",
    "list_mine",
]
