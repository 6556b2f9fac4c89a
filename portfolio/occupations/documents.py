"""Storage of the occupations area: the occupations a province-level agency added.

The published catalogue is a file (``catalogue.json``); only what agencies add is stored, one
document per code with the code as ``_id``, so adding one twice (a retry, two officers) writes
it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class AddedOccupation(Document):
    """An occupation an agency added after the ministry published it; never edited."""

    id: str  # type: ignore[assignment]  # the occupation code, N-NN-NN-NN
    name: str
    digital: bool
    green: bool
    # The publication it comes from (the ministry's notice), and why it is added now.
    source_document: str
    reason: str
    added_by: str
    added_by_username: str
    region_prefix: str
    added_at: datetime
    version: int = 0

    class Settings:
        name = "occupation_additions"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("added_at", ASCENDING)])]
