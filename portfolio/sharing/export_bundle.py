"""The worker's export of everything (the right to data portability): the archive as JSON.

The HTTP layer puts this JSON in one zip with the PDFs (``api/web/routes/sharing.py``). It is
the worker's own data, read as the worker reads it: identity with full numbers (as ``GET
/me/identity``, not logged: reading one's own data is not an access by someone else), every
entry with its hash-chain fields (so the chain can be checked again offline), the summary,
the share links and the access log. Nothing of another person, no key, no ciphertext.

``CLR_SLOT``: the file name the bundle reserves for the CLR 2.0 credential of the whole
archive (``portfolio.credentials.archive_clr``).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from pymongo import ASCENDING, DESCENDING

from portfolio import clock, credentials
from portfolio.accounts.principal import Actor
from portfolio.archives.documents import AccessLogEntry, ArchiveEntry
from portfolio.archives.reading import archive_summary, get_worker
from portfolio.archives.scope import require_worker
from portfolio.keyring import Keyring
from portfolio.sharing.documents import ShareLink
from portfolio.sharing.links import view_of

FORMAT = "portfolio-export/1"
ARCHIVE_FILE = "archive.json"
# Reserved for the CLR credential (a compact JWS) of the whole archive: see the docstring.
CLR_SLOT = "credentials/archive-clr.jwt"
_LOG_FIELDS = ("at", "username", "role", "organisation_id", "action", "purpose", "fields")
_ENTRY_FIELDS = ("seq", "kind", "recorded_at", "recorded_by", "payload", "corrects")


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (dataclasses, enums, dates and moments included)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def archive_export(*, actor: Actor, keyring: Keyring) -> dict[str, Any]:
    """Everything of the worker's own archive, as one JSON-ready document."""
    archive_id = require_worker(actor)
    own = str(archive_id)
    worker = await get_worker(actor=actor, keyring=keyring, reveal=True)
    entries = (
        await ArchiveEntry.get_pymongo_collection()
        .find({"archive_id": own})
        .sort("seq", ASCENDING)
        .to_list()
    )
    log = (
        await AccessLogEntry.get_pymongo_collection()
        .find({"archive_id": own})
        .sort("_id", DESCENDING)
        .to_list()
    )
    links = await ShareLink.find({"archive_id": own}).sort("-_id").to_list()
    document: dict[str, Any] = plain(
        {
            "format": FORMAT,
            "exported_at": clock.now(),
            "worker": worker,
            "summary": await archive_summary(archive_id),
            "entries": [_entry(raw) for raw in entries],
            "share_links": [view_of(link) for link in links],
            "access_log": [
                {k: raw.get(k) for k in _LOG_FIELDS} | {"region": raw.get("region_prefix")}
                for raw in log
            ],
        }
    )
    return document


def _entry(raw: dict[str, Any]) -> dict[str, Any]:
    kept = {name: raw.get(name) for name in _ENTRY_FIELDS}
    # The chain fields, under their stored names, so the chain can be checked offline.
    kept.update({k: raw[k] for k in ("hash", "prev_hash") if k in raw})
    return kept


def to_json(document: dict[str, Any]) -> bytes:
    """The export's JSON file: UTF-8, Chinese kept readable, indented."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()


async def archive_clr(*, actor: Actor) -> bytes:
    """The signed CLR 2.0 credential of the whole archive (a compact JWS) for ``CLR_SLOT``:
    the same file as ``/my/credentials/clr.jwt``, checkable offline with ``portfolio verify``."""
    return (await credentials.archive_clr(str(require_worker(actor)))).encode()
