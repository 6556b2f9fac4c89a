"""A share link as stored: never its token, only the token's SHA-256.

Times a rule compares (expiry, revocation, the access-code throttle) are epoch milliseconds,
which every store compares exactly (a top-level datetime given to ``$set`` is kept as a naive
string by nx-27017).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class SharePurpose(StrEnum):
    """Why the worker shares their record (a coded list, so the log reads alike)."""

    JOB_APPLICATION = "job_application"
    FURTHER_STUDY = "further_study"
    OTHER = "other"


class ShareScope(StrEnum):
    """What a link shows: the whole archive (as it is when opened) or chosen entries."""

    ARCHIVE = "archive"
    ENTRIES = "entries"


class ShareLink(Document):
    """One link to (part of) a worker's record."""

    archive_id: str
    principal_id: str
    token_hash: str
    purpose: SharePurpose
    note: str
    scope: ShareScope
    # The first seq of each chosen item (empty for the whole archive).
    entries: list[int]
    created_at: datetime
    expires_ms: int
    revoked_ms: int = 0
    # HMAC of the access code under the keyring's ``share-code`` key; None: no code.
    code_mac: str | None = None
    views: int = 0
    last_view_ms: int = 0
    # Wrong access codes: in the current window (real clock), and ever.
    code_failures: int = 0
    code_window_ms: int = 0
    code_failures_total: int = 0

    class Settings:
        name = "share_links"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("token_hash", ASCENDING)], unique=True),
            IndexModel([("archive_id", ASCENDING)]),
        ]
