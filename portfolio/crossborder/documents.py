"""The cross-border recognition area's stored documents (storage only).

``border_recognitions``: a vocational certificate or qualification a worker gained outside
Sichuan, recorded by an agency of the worker's region or submitted by the worker, and the
agency's decision on it:

* ``chongqing``: a certificate issued in Chongqing (region codes ``50``), recognised under the
  Sichuan-Chongqing cooperation (川渝职业技能等级互认) after a check with Chongqing, whose
  reference is kept (``check_reference``);
* ``foreign``: a vocational qualification issued abroad (or in Hong Kong, Macao, Taiwan), by
  its issuer, country (ISO 3166-1 alpha-3) and title, with the level the worker claims as its
  equivalent; recognised at a level the officer states, or not recognised with a reason.

``entry_seq``: the archive entry stating the decision (``portfolio.stated``; -1 until decided).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio.stated import NOT_STATED
from portfolio.vocabulary import SkillLevel


class Origin(StrEnum):
    """Where the certificate or qualification comes from."""

    CHONGQING = "chongqing"  # 川渝合作: a certificate issued in Chongqing
    FOREIGN = "foreign"  # 境外: issued abroad or in Hong Kong, Macao or Taiwan


class BorderStatus(StrEnum):
    """Waiting for the agency, recognised, refused; voided (withdrawn with a reason)."""

    PENDING = "pending"
    RECOGNISED = "recognised"
    REFUSED = "refused"
    VOIDED = "voided"


class Submitter(StrEnum):
    """Who recorded it: an agency officer, or the worker (with a description of the scan)."""

    AGENCY = "agency"
    WORKER = "worker"


class BorderRecognition(Document):
    """A certificate or qualification from outside Sichuan and the decision on it."""

    key: str  # archive|origin|number or issuer+title|issue date: recorded once
    archive_id: str
    worker_name: str
    worker_masked_id: str
    # The worker's region: the agencies that decide.
    worker_region_code: str
    origin: Origin
    certificate_number: str
    issuing_body: str
    # Chongqing: the issuing body's region (``50....``); foreign: "".
    issuer_region_code: str = ""
    # ISO 3166-1 alpha-3: ``CHN`` for Chongqing.
    country: str
    # A foreign qualification's title (its own words); "" for Chongqing.
    title: str = ""
    occupation_code: str
    # Chongqing: the level on the certificate; foreign: the equivalent level claimed.
    level: SkillLevel
    issue_date: date
    scan_description: str = ""
    submitted_by: Submitter
    status: BorderStatus = BorderStatus.PENDING
    recognised_level: SkillLevel | None = None
    decision_reason: str = ""
    check_reference: str = ""
    decided_by: str = ""
    decided_at_ms: int = 0
    void_reason: str = ""
    entry_seq: int = NOT_STATED
    corrects_seq: int = 0
    change_reason: str = ""
    changed_by: str = ""
    changed_at_ms: int = 0
    version: int = 0
    recorded_at: datetime
    recorded_by: str

    class Settings:
        name = "border_recognitions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("worker_region_code", ASCENDING)]),
            IndexModel([("status", ASCENDING)]),
            IndexModel([("entry_seq", ASCENDING)]),
            IndexModel([("recorded_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]
