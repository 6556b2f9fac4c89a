"""What the printable PDFs show: one certificate, or a summary of the whole archive.

The domain supplies the view data only; the HTTP layer (``api/web/paper.py``) renders it with
its templates and WeasyPrint. Every certificate carries its public check token, so the paper
has a QR code that opens ``/c/<token>``: what the issuer says about it now, voided or valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio import clock
from portfolio.accounts.principal import Actor
from portfolio.archives import log_reads
from portfolio.archives.kept_summary import summary_of
from portfolio.archives.scope import archive_for_reader
from portfolio.archives.views import ArchiveSummary
from portfolio.errors import NotFound
from portfolio.keyring import Keyring
from portfolio.sharing.items import shareable_items
from portfolio.sharing.views import SharedItem


@dataclass(frozen=True)
class CertificateSheet:
    """One certificate on paper: whose, what, and the token of its check page."""

    name: str
    certificate: SharedItem
    printed_at: datetime


@dataclass(frozen=True)
class ArchiveSheet:
    """The archive on paper: whose, what it adds up to, and every shareable item."""

    name: str
    archive_id: str
    summary: ArchiveSummary
    items: list[SharedItem]
    head_seq: int
    printed_at: datetime


async def archive_sheet(
    *, actor: Actor, keyring: Keyring, archive_id: str | None = None
) -> ArchiveSheet:
    """The worker's own archive summary for print, or, for an agency of the worker's region
    at the counter (``archive_id``), the worker's (the print is in the worker's access log)."""
    archive = await archive_for_reader(actor, archive_id)
    assert archive.id is not None
    await log_reads(actor, [str(archive.id)], what="在窗口为劳动者打印档案")
    return ArchiveSheet(
        name=archive.name,
        archive_id=str(archive.id),
        summary=await summary_of(archive),
        items=await shareable_items(str(archive.id), keyring),
        head_seq=archive.head.seq,
        printed_at=clock.now(),
    )


async def certificate_sheet(*, actor: Actor, keyring: Keyring, seq: int) -> CertificateSheet:
    """One of the worker's certificates (named by the seq of its issuing entry) for print."""
    archive = await archive_for_reader(actor, None)
    found = [
        item
        for item in await shareable_items(str(archive.id), keyring)
        if item.seq == seq and item.kind == "certificate_issued"
    ]
    if not found:
        raise NotFound("no such certificate")
    return CertificateSheet(name=archive.name, certificate=found[0], printed_at=clock.now())


async def certificate_sheets(*, actor: Actor, keyring: Keyring) -> list[CertificateSheet]:
    """Every certificate of the worker, for print (the export puts each in its own PDF)."""
    archive = await archive_for_reader(actor, None)
    now = clock.now()
    return [
        CertificateSheet(name=archive.name, certificate=item, printed_at=now)
        for item in await shareable_items(str(archive.id), keyring)
        if item.kind == "certificate_issued"
    ]
