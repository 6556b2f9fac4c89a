"""Opening a share link: what anyone holding the link sees, and nothing more.

An unknown token, an expired link and a revoked one each answer only that. A link with an
access code answers ``code_required`` until the right code comes with it; wrong codes are
throttled per link (``CODE_FAILURES_PER_WINDOW`` per window on the real clock, then
``RateLimited``; ``CODE_FAILURES_MAX`` in all lock the link for good). An opening counts as a
view only through one conditional update that also requires the link to be live, so a link
revoked a moment ago shows nothing; the view is written to the worker's access log before
the record is returned (a view the log does not show never happened).
"""

from __future__ import annotations

import hmac
import math

from portfolio import clock, ids
from portfolio.archives.documents import AccessAction, AccessLogEntry, Archive
from portfolio.errors import RateLimited
from portfolio.keyring import Keyring
from portfolio.sharing import links
from portfolio.sharing.documents import ShareLink, ShareScope
from portfolio.sharing.items import shareable_items
from portfolio.sharing.views import SharedRecord

MAX_TOKEN = 100
TOO_MANY = "too many wrong access codes; wait before trying again"


async def open_share(
    *, keyring: Keyring, token: str, access_code: str | None = None
) -> SharedRecord:
    """The record a token opens (``status`` says why not, when it does not)."""
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        return SharedRecord("unknown")
    link = await ShareLink.find_one({"token_hash": links.token_hash(token)})
    if link is None:
        return SharedRecord("unknown")
    now_ms = clock.epoch_ms(clock.now())
    status = links.status_of(link, now_ms)
    if status != "active":
        return SharedRecord(status)
    if link.code_mac is not None:
        refused = await _check_code(link, keyring, access_code)
        if refused is not None:
            return SharedRecord(refused)
    items = await shareable_items(link.archive_id, keyring)
    if link.scope is ShareScope.ENTRIES:
        chosen = set(link.entries)
        items = [item for item in items if item.seq in chosen]
    counted = await ShareLink.get_pymongo_collection().update_one(
        {"_id": link.id, "revoked_ms": 0, "expires_ms": {"$gt": now_ms}},
        {"$inc": {"views": 1}, "$set": {"last_view_ms": now_ms}},
    )
    if counted.matched_count == 0:  # revoked (or expired) since it was read
        return SharedRecord("revoked")
    archive = await Archive.get_pymongo_collection().find_one(
        {"_id": ids.parse(link.archive_id, "worker")}, {"name": 1}
    )
    await AccessLogEntry(
        archive_id=link.archive_id,
        at=clock.now(),
        principal_id=links.principal_of(link),
        username="",
        role="share_link",
        organisation_id=None,
        region_prefix=None,
        action=AccessAction.SHARE_VIEW,
        purpose=link.purpose.value,
        fields=[f"seq:{item.seq}" for item in items],
    ).insert()
    return SharedRecord(
        "open",
        name=str(archive["name"]) if archive else "",
        purpose=link.purpose,
        expires_at=clock.from_epoch_ms(link.expires_ms),
        items=tuple(items),
    )


async def _check_code(link: ShareLink, keyring: Keyring, code: str | None) -> str | None:
    """None when the code is right; else ``code_required`` or ``wrong_code`` (429 while the
    link waits, checking nothing)."""
    if link.code_failures_total >= links.CODE_FAILURES_MAX:
        raise RateLimited(TOO_MANY, retry_after_seconds=24 * 3600)
    real_ms = clock.epoch_ms(clock.real_now())
    window_open = link.code_window_ms > real_ms - links.CODE_WINDOW_MS
    if window_open and link.code_failures >= links.CODE_FAILURES_PER_WINDOW:
        wait = (link.code_window_ms + links.CODE_WINDOW_MS - real_ms) / 1000
        raise RateLimited(TOO_MANY, retry_after_seconds=max(1, math.ceil(wait)))
    if not code:
        return "code_required"
    assert link.code_mac is not None
    if hmac.compare_digest(await links.code_mac(keyring, code), link.code_mac):
        return None
    collection = ShareLink.get_pymongo_collection()
    # Count in the open window; else start a new one (one conditional update each).
    counted = await collection.update_one(
        {"_id": link.id, "code_window_ms": {"$gt": real_ms - links.CODE_WINDOW_MS}},
        {"$inc": {"code_failures": 1, "code_failures_total": 1}},
    )
    if counted.matched_count == 0:
        await collection.update_one(
            {"_id": link.id, "code_window_ms": {"$lte": real_ms - links.CODE_WINDOW_MS}},
            {
                "$set": {"code_failures": 1, "code_window_ms": real_ms},
                "$inc": {"code_failures_total": 1},
            },
        )
    return "wrong_code"
