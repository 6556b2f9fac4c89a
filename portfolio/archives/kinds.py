"""Entry kinds and the payload each must carry (what the summary and other areas read).

Every area that writes to a worker's archive appends one of these kinds through
``portfolio.archives.entries.append_entry``; the payload is checked here so that what is
hashed forever has the keys later readers rely on. Extra keys are allowed. Payload values are
plain JSON (strings, integers, finite numbers, booleans, null, lists, objects); dates are
ISO strings (``YYYY-MM-DD``), money integer fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from portfolio.errors import ValidationFailed


class EntryKind(StrEnum):
    """What happened in the worker's life."""

    REGISTERED = "registered"
    LINK_ADDED = "link_added"
    LINK_CHANGED = "link_changed"
    TRANSFERRED = "transferred"
    TRAINING_COMPLETED = "training_completed"
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_CORRECTED = "certificate_corrected"
    CERTIFICATE_VOIDED = "certificate_voided"
    APPRENTICESHIP_STARTED = "apprenticeship_started"
    APPRENTICESHIP_STOPPED = "apprenticeship_stopped"
    APPRENTICESHIP_COMPLETED = "apprenticeship_completed"
    VOUCHER_REDEEMED = "voucher_redeemed"
    AWARD = "award"
    # The answers to a worker's challenge of an entry (portfolio.challenges): appended, never
    # an overwrite. A correction corrects the challenged entry; a refusal gives reasons.
    CHALLENGE_CORRECTED = "challenge_corrected"
    CHALLENGE_REFUSED = "challenge_refused"
    # A competition's published result (portfolio.competitions): rank, award and the level
    # the event's rule granted (or null); corrected or voided by later entries.
    COMPETITION_RESULT = "competition_result"
    COMPETITION_RESULT_CORRECTED = "competition_result_corrected"
    COMPETITION_RESULT_VOIDED = "competition_result_voided"
    # An honour conferred on the worker (portfolio.honours): 天府工匠, 四川技能大师...
    HONOUR = "honour"
    HONOUR_CORRECTED = "honour_corrected"
    HONOUR_VOIDED = "honour_voided"
    # A certificate from Chongqing (川渝互认) or a foreign qualification, as the agency decided
    # it (portfolio.crossborder): ``level`` the level recognised, null when refused.
    CROSS_BORDER_RECOGNITION = "cross_border_recognition"
    CROSS_BORDER_RECOGNITION_CORRECTED = "cross_border_recognition_corrected"
    CROSS_BORDER_RECOGNITION_VOIDED = "cross_border_recognition_voided"


_NUMBER = (int, float)
_TEXT = (str,)
_OPTIONAL_TEXT = (str, type(None))

_RESULT: dict[str, tuple[type, ...]] = {
    "competition_id": _TEXT,
    "entrant_id": _TEXT,
    "occupation_code": _TEXT,
    "rank": (int, type(None)),
    "level_granted": _OPTIONAL_TEXT,
}
_HONOUR: dict[str, tuple[type, ...]] = {"honour_id": _TEXT, "title": _TEXT, "year": (int,)}
_BORDER: dict[str, tuple[type, ...]] = {
    "recognition_id": _TEXT,
    "origin": _TEXT,
    "decision": _TEXT,
    "occupation_code": _TEXT,
    "level": _OPTIONAL_TEXT,
}

# kind -> required key -> accepted JSON types.
REQUIRED_PAYLOAD: dict[EntryKind, dict[str, tuple[type, ...]]] = {
    EntryKind.REGISTERED: {"name": _TEXT, "id_type": _TEXT, "region_code": _TEXT},
    EntryKind.LINK_ADDED: {"link": _TEXT},
    EntryKind.LINK_CHANGED: {"link": _TEXT},
    EntryKind.TRANSFERRED: {"from_region": _TEXT, "to_region": _TEXT},
    # hours: attended hours that count; occupation_code may be null for general courses.
    EntryKind.TRAINING_COMPLETED: {"hours": _NUMBER, "occupation_code": _OPTIONAL_TEXT},
    # level: a SkillLevel value, or null for special-ability certificates without a level.
    EntryKind.CERTIFICATE_ISSUED: {
        "certificate_number": _TEXT,
        "certificate_type": _TEXT,
        "occupation_code": _TEXT,
        "level": _OPTIONAL_TEXT,
    },
    # A correction repeats the whole corrected certificate (it replaces it).
    EntryKind.CERTIFICATE_CORRECTED: {
        "certificate_number": _TEXT,
        "certificate_type": _TEXT,
        "occupation_code": _TEXT,
        "level": _OPTIONAL_TEXT,
    },
    EntryKind.CERTIFICATE_VOIDED: {"reason": _TEXT},
    EntryKind.APPRENTICESHIP_STARTED: {
        "apprenticeship_id": _TEXT,
        "occupation_code": _TEXT,
        "target_level": _TEXT,
    },
    EntryKind.APPRENTICESHIP_STOPPED: {"apprenticeship_id": _TEXT, "reason": _TEXT},
    EntryKind.APPRENTICESHIP_COMPLETED: {"apprenticeship_id": _TEXT, "level_reached": _TEXT},
    EntryKind.VOUCHER_REDEEMED: {"voucher_id": _TEXT, "amount_fen": (int,)},
    EntryKind.AWARD: {"title": _TEXT},
    EntryKind.CHALLENGE_CORRECTED: {"challenge_id": _TEXT, "correction": _TEXT},
    EntryKind.CHALLENGE_REFUSED: {"challenge_id": _TEXT, "reasons": _TEXT, "entry_seq": (int,)},
    # rank: null for an entrant who took part without a place; level_granted: a SkillLevel
    # value or null. A correction repeats the whole result.
    EntryKind.COMPETITION_RESULT: _RESULT,
    EntryKind.COMPETITION_RESULT_CORRECTED: _RESULT,
    EntryKind.COMPETITION_RESULT_VOIDED: {"entrant_id": _TEXT, "reason": _TEXT},
    EntryKind.HONOUR: _HONOUR,
    EntryKind.HONOUR_CORRECTED: _HONOUR,
    EntryKind.HONOUR_VOIDED: {"honour_id": _TEXT, "reason": _TEXT},
    # level: the level recognised (a SkillLevel value), null when refused.
    EntryKind.CROSS_BORDER_RECOGNITION: _BORDER,
    EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED: _BORDER,
    EntryKind.CROSS_BORDER_RECOGNITION_VOIDED: {"recognition_id": _TEXT, "reason": _TEXT},
}

_RESULTS = frozenset({EntryKind.COMPETITION_RESULT, EntryKind.COMPETITION_RESULT_CORRECTED})
_HONOURS = frozenset({EntryKind.HONOUR, EntryKind.HONOUR_CORRECTED})
_BORDERS = frozenset(
    {EntryKind.CROSS_BORDER_RECOGNITION, EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED}
)
# A kind that corrects must point at an entry of one of these kinds.
CORRECTION_TARGETS: dict[EntryKind, frozenset[EntryKind]] = {
    EntryKind.CERTIFICATE_CORRECTED: frozenset(
        {EntryKind.CERTIFICATE_ISSUED, EntryKind.CERTIFICATE_CORRECTED}
    ),
    EntryKind.CERTIFICATE_VOIDED: frozenset(
        {EntryKind.CERTIFICATE_ISSUED, EntryKind.CERTIFICATE_CORRECTED}
    ),
    EntryKind.TRAINING_COMPLETED: frozenset({EntryKind.TRAINING_COMPLETED}),
    EntryKind.COMPETITION_RESULT_CORRECTED: _RESULTS,
    EntryKind.COMPETITION_RESULT_VOIDED: _RESULTS,
    EntryKind.HONOUR_CORRECTED: _HONOURS,
    EntryKind.HONOUR_VOIDED: _HONOURS,
    EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED: _BORDERS,
    EntryKind.CROSS_BORDER_RECOGNITION_VOIDED: _BORDERS,
    # A challenge's correction may correct an entry of any kind but its own answers.
    EntryKind.CHALLENGE_CORRECTED: frozenset(
        set(EntryKind) - {EntryKind.CHALLENGE_CORRECTED, EntryKind.CHALLENGE_REFUSED}
    ),
}
# Kinds that are nothing but a correction: ``corrects`` is required.
MUST_CORRECT = frozenset(
    {
        EntryKind.CERTIFICATE_CORRECTED,
        EntryKind.CERTIFICATE_VOIDED,
        EntryKind.CHALLENGE_CORRECTED,
        EntryKind.COMPETITION_RESULT_CORRECTED,
        EntryKind.COMPETITION_RESULT_VOIDED,
        EntryKind.HONOUR_CORRECTED,
        EntryKind.HONOUR_VOIDED,
        EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED,
        EntryKind.CROSS_BORDER_RECOGNITION_VOIDED,
    }
)


def check_payload(kind: EntryKind, payload: Mapping[str, Any], corrects: int | None) -> None:
    """Raise ``ValidationFailed`` when ``payload`` lacks a key ``kind`` requires."""
    for key, types in REQUIRED_PAYLOAD[kind].items():
        value = payload.get(key, ...)
        # JSON booleans are Python ints: accept them only where a boolean is meant.
        wrong_bool = isinstance(value, bool) and bool not in types
        if value is ... or not isinstance(value, types) or wrong_bool:
            raise ValidationFailed.single(
                f"payload.{key}", "required", f"a {kind.value} entry needs {key}"
            )
    if kind in MUST_CORRECT and corrects is None:
        raise ValidationFailed.single("corrects", "required", f"a {kind.value} entry corrects one")
    if corrects is not None and kind not in CORRECTION_TARGETS:
        raise ValidationFailed.single("corrects", "not_allowed", f"{kind.value} cannot correct")
