"""What the worker's-record use cases return: plain values for pages, never stored documents.

No view holds a full identity number, a ciphertext or a blind index; certificates carry their
public check token, never the holder's name or number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portfolio.archives.documents import AccessAction
from portfolio.archives.views import EntryView, OccupationLevel
from portfolio.record.inbox import Notice
from portfolio.vocabulary import SkillLevel
from portfolio.vouchers.views import VoucherView


@dataclass(frozen=True)
class Recorded:
    """Who recorded an entry, in names a person recognises (ids resolved where we can)."""

    role: str
    username: str | None
    organisation_name: str | None
    region: str | None
    region_name: str | None


@dataclass(frozen=True)
class TimelinePage:
    """One page of the worker's entries, newest first, under the filters asked for.

    ``next_cursor`` fetches older entries, ``previous_cursor`` newer ones (None: none there).
    ``kinds`` are the kinds the archive holds; ``years`` the years (China time) its entries
    span, newest first: what the filter may offer.
    """

    entries: list[EntryView]
    next_cursor: str | None
    previous_cursor: str | None
    kind: str | None
    year: int | None
    kinds: list[str]
    years: list[int]
    total: int


@dataclass(frozen=True)
class EntryDetail:
    """One entry and its place in the chain: the hash it builds on and the entries around it."""

    entry: EntryView
    prev_hash: str
    recorded: Recorded
    previous_seq: int | None
    next_seq: int | None
    corrected_by: list[int]
    head_seq: int


@dataclass(frozen=True)
class CertificateChange:
    """A correction or the voiding of a certificate, as the archive records it."""

    seq: int
    kind: str  # certificate_corrected | certificate_voided
    recorded_at: datetime
    reason: str


@dataclass(frozen=True)
class OwnCertificate:
    """A certificate of the worker as the archive states it now (corrections applied).

    ``token`` opens its public check page (None for an entry written before certificates had
    ids: such a certificate is checked by number and name).
    """

    first_seq: int
    seq: int
    number: str
    certificate_type: str
    occupation_code: str
    level: SkillLevel | None
    issuing_body: str
    issue_date: date | None
    voided: bool
    void_reason: str
    changes: list[CertificateChange]
    token: str | None


@dataclass(frozen=True)
class HighestLevel:
    """The worker's highest certified level across occupations, and in which occupation."""

    level: SkillLevel
    occupation_code: str


@dataclass(frozen=True)
class HomeView:
    """The worker's home page: who, how far they got, what is new, what waits for them."""

    name: str
    highest: HighestLevel | None
    levels: list[OccupationLevel]
    latest: list[EntryView]
    entry_count: int
    vouchers: list[VoucherView]
    notices: list[Notice]


@dataclass(frozen=True)
class AccessLogLine:
    """One read of the worker's data by someone else, readable."""

    id: str
    at: datetime
    username: str
    role: str
    organisation_name: str | None
    region: str | None
    region_name: str | None
    action: AccessAction
    purpose: str
    fields: list[str]


@dataclass(frozen=True)
class AccessLogPage:
    """Access-log lines newest first; cursors to older (next) and newer (previous) lines."""

    lines: list[AccessLogLine]
    next_cursor: str | None
    previous_cursor: str | None
