"""Share links: the worker's request, the links as the worker sees them, an opened record."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from portfolio.sharing.documents import SharePurpose, ShareScope
from portfolio.sharing.links import CODE_MAX, CODE_MIN, MAX_DAYS, NOTE_MAX, NewShare
from schemas.common import Input, Output


class ShareIn(Input):
    """A new link: the whole archive or chosen entries, why, for how long, an optional code."""

    purpose: SharePurpose
    days: int = Field(
        ge=1, le=MAX_DAYS, description=f"how long the link works (at most {MAX_DAYS})"
    )
    scope: ShareScope = ShareScope.ARCHIVE
    entries: list[int] = Field(
        default_factory=list,
        max_length=200,
        description="the seq of each chosen item (scope `entries`); see GET /me/shares/items",
    )
    note: str = Field(default="", max_length=NOTE_MAX, description="for the worker's own list")
    access_code: str | None = Field(default=None, min_length=CODE_MIN, max_length=CODE_MAX)

    def to_domain(self) -> NewShare:
        """The domain's request."""
        return NewShare(
            purpose=self.purpose,
            days=self.days,
            scope=self.scope,
            entries=tuple(self.entries),
            note=self.note,
            access_code=self.access_code or None,
        )


class OpenShareIn(Input):
    """The access code of a link that has one."""

    access_code: str = Field(min_length=1, max_length=CODE_MAX)


class SharedItemOut(Output):
    """One shared item: a certificate (with its public check token), a training, an
    apprenticeship step or an award; ``seq`` names it."""

    seq: int
    kind: str
    recorded_at: datetime
    title: str
    occupation_code: str
    level: str
    hours: float | None
    number: str
    issuer: str
    on: date | None
    voided: bool
    check_token: str | None = Field(description="opens /c/{token}, the certificate's check")


class ShareLinkOut(Output):
    """A link as its worker sees it (never its token)."""

    id: str
    purpose: SharePurpose
    note: str
    scope: ShareScope
    entries: list[int]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: str = Field(description="active, expired or revoked")
    has_access_code: bool
    locked: bool = Field(description="too many wrong access codes: the link opens no more")
    views: int
    last_viewed_at: datetime | None


class CreatedShareOut(Output):
    """A new link and its token: shown this once (only its hash is kept)."""

    link: ShareLinkOut
    token: str
    url: str


class ShareViewOut(Output):
    """One opening of a link."""

    at: datetime
    items: int


class ShareDetailOut(Output):
    """A link, what it shows and when it was opened (newest first)."""

    link: ShareLinkOut
    items: list[SharedItemOut]
    views: list[ShareViewOut]


class SharedRecordOut(Output):
    """An opened link: the holder's name, the purpose, and the items in its scope only."""

    status: str = Field(description="open; else why nothing is shown")
    name: str
    purpose: SharePurpose | None
    expires_at: datetime | None
    items: list[SharedItemOut]
