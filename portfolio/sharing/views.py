"""What the sharing use cases return: plain values, never stored documents or tokens' hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portfolio.sharing.documents import SharePurpose, ShareScope


@dataclass(frozen=True)
class SharedItem:
    """One thing of the record a link may show, in the words a reader needs.

    ``seq`` is the first entry of the item (a certificate's issue, a training's completion):
    corrections replace what it says, a void marks it voided. ``check_token`` opens the public
    check page of a certificate (``/c/<token>``).
    """

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
    check_token: str | None


@dataclass(frozen=True)
class ShareLinkView:
    """A link as its worker sees it (never the token: it is shown once, at creation)."""

    id: str
    purpose: SharePurpose
    note: str
    scope: ShareScope
    entries: list[int]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: str  # active | expired | revoked
    has_access_code: bool
    locked: bool
    views: int
    last_viewed_at: datetime | None


@dataclass(frozen=True)
class CreatedShare:
    """A new link and its token (the only time the token is known)."""

    link: ShareLinkView
    token: str


@dataclass(frozen=True)
class ShareViewLine:
    """One opening of a link, as the worker's access log holds it."""

    at: datetime
    items: int


@dataclass(frozen=True)
class ShareDetail:
    """A link, the items it shows and its views, newest first."""

    link: ShareLinkView
    items: list[SharedItem]
    views: list[ShareViewLine]
    # The token, only when the caller just made the link and handed it back to be shown.
    token: str | None = None


@dataclass(frozen=True)
class SharedRecord:
    """What opening a link gives.

    ``status``: ``open`` (the record below), ``code_required`` / ``wrong_code`` (nothing but
    that), ``expired`` / ``revoked`` / ``unknown`` (nothing but that).
    """

    status: str
    name: str = ""
    purpose: SharePurpose | None = None
    expires_at: datetime | None = None
    items: tuple[SharedItem, ...] = ()
