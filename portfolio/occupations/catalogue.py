"""The occupation catalogue as published: ``catalogue.json`` beside this module, read once.

The file holds the national classification's structure (职业分类大典 2022): the 8 major groups
(code ``4``), middle groups (``4-03``), minor groups (``4-03-02``) and occupations
(``4-03-02-01``), each row with the ``source`` it was taken from. It starts from the major
groups, every occupation this service's plan, demo, seed and tests use, and the new
occupations the ministry has published; a province-level agency adds the ones published later
(``additions.py``), so the file changes only with a release of the service.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")
_SHAPES = (
    re.compile(r"[1-8]"),
    re.compile(r"[1-8]-\d{2}"),
    re.compile(r"[1-8]-\d{2}-\d{2}"),
    re.compile(r"[1-8]-\d{2}-\d{2}-\d{2}"),
)


class Tier(StrEnum):
    """Where a code sits in the classification, told by its shape."""

    MAJOR = "major"  # 大类
    MIDDLE = "middle"  # 中类
    MINOR = "minor"  # 小类
    OCCUPATION = "occupation"  # 职业（细类）


TIERS = (Tier.MAJOR, Tier.MIDDLE, Tier.MINOR, Tier.OCCUPATION)


def tier_of(code: str) -> Tier | None:
    """The tier a code's shape names; None for anything else."""
    for shape, tier in zip(_SHAPES, TIERS, strict=True):
        if shape.fullmatch(code):
            return tier
    return None


def parent_of(code: str) -> str | None:
    """The code of the group one tier up (None for a major group)."""
    return code.rsplit("-", 1)[0] if "-" in code else None


@dataclass(frozen=True)
class Row:
    """One row of the published catalogue."""

    code: str
    name: str
    tier: Tier
    digital: bool
    green: bool
    source: str


@dataclass(frozen=True)
class Published:
    """The file as loaded: its edition, what each source means, its rows by code (in order)."""

    edition: str
    sources: dict[str, str]
    rows: dict[str, Row]


def parse(text: str) -> Published:
    """The catalogue in ``text``; a malformed file fails loudly (a release error, not input)."""
    raw = json.loads(text)
    rows: dict[str, Row] = {}
    for item in raw["rows"]:
        code = item["code"]
        tier = tier_of(code)
        if tier is None or code in rows:
            raise ValueError(f"catalogue row {code!r}: not a code, or given twice")
        if item["source"] not in raw["sources"]:
            raise ValueError(f"catalogue row {code!r}: unknown source {item['source']!r}")
        rows[code] = Row(
            code=code,
            name=item["name"],
            tier=tier,
            digital=bool(item.get("digital", False)),
            green=bool(item.get("green", False)),
            source=item["source"],
        )
    return Published(
        edition=raw["edition"], sources=dict(raw["sources"]), rows=dict(sorted(rows.items()))
    )


@cache
def published() -> Published:
    """The catalogue file, read on first use and kept for the life of the process."""
    return parse(CATALOGUE_FILE.read_text(encoding="utf-8"))
