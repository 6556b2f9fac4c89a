"""The worker's share links: make one, list them, one with its views, revoke one at once.

A token is 32 random bytes (``secrets.token_urlsafe``); only its SHA-256 is stored (a token of
full entropy needs no salt or slow hash), so the database cannot hand a link out again: the
token is shown once, when the link is made. An access code is kept as an HMAC under a keyring
key of its own (``share-code``): a stolen database alone does not let anyone try codes offline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import DESCENDING

from portfolio import clock, ids
from portfolio.accounts.principal import Actor
from portfolio.archives.documents import AccessLogEntry
from portfolio.archives.scope import require_worker
from portfolio.errors import NotFound, ValidationFailed
from portfolio.keyring import Keyring
from portfolio.sharing.documents import ShareLink, SharePurpose, ShareScope
from portfolio.sharing.items import shareable_items
from portfolio.sharing.views import CreatedShare, ShareDetail, ShareLinkView, ShareViewLine

MAX_DAYS = 90
CODE_MIN, CODE_MAX = 6, 32
NOTE_MAX = 100
MAX_LINKS_LISTED = 100
VIEWS_LISTED = 50
# Wrong codes: this many per window lock the link for the rest of the window; this many in
# all lock it for good (the worker makes a new one).
CODE_FAILURES_PER_WINDOW = 5
CODE_WINDOW_MS = 15 * 60 * 1000
CODE_FAILURES_MAX = 20
CODE_KEY = "share-code"
CODE_KID = f"{CODE_KEY}-0001"


@dataclass(frozen=True)
class NewShare:
    """What the worker asks for: the scope, the purpose, how long, and an optional code."""

    purpose: SharePurpose
    days: int
    scope: ShareScope = ShareScope.ARCHIVE
    entries: tuple[int, ...] = ()
    note: str = ""
    access_code: str | None = None


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def code_mac(keyring: Keyring, code: str) -> str:
    """The stored form of an access code (an HMAC under the ``share-code`` key)."""
    await keyring.ensure(CODE_KEY, lambda: secrets.token_bytes(32))
    key = keyring.get(CODE_KEY, CODE_KID)
    if key is None:  # made by another process a moment ago
        await keyring.load()
        key = keyring.get(CODE_KEY, CODE_KID)
    if key is None:
        raise LookupError(f"the {CODE_KID} key is missing")
    return hmac.new(key.secret, b"share-code|" + code.encode(), hashlib.sha256).hexdigest()


def _moment(ms: int) -> datetime:
    return clock.from_epoch_ms(ms)


def status_of(link: ShareLink | dict[str, Any], now_ms: int) -> str:
    """``revoked``, ``expired`` or ``active``."""
    raw = link if isinstance(link, dict) else link.model_dump()
    if raw.get("revoked_ms"):
        return "revoked"
    if raw["expires_ms"] <= now_ms:
        return "expired"
    return "active"


def view_of(link: ShareLink, now_ms: int | None = None) -> ShareLinkView:
    """The worker's view of a stored link."""
    now_ms = clock.epoch_ms(clock.now()) if now_ms is None else now_ms
    return ShareLinkView(
        id=str(link.id),
        purpose=link.purpose,
        note=link.note,
        scope=link.scope,
        entries=list(link.entries),
        created_at=link.created_at,
        expires_at=_moment(link.expires_ms),
        revoked_at=_moment(link.revoked_ms) if link.revoked_ms else None,
        status=status_of(link, now_ms),
        has_access_code=link.code_mac is not None,
        locked=link.code_failures_total >= CODE_FAILURES_MAX,
        views=link.views,
        last_viewed_at=_moment(link.last_view_ms) if link.last_view_ms else None,
    )


def _check(new: NewShare) -> None:
    errors = []
    if not 1 <= new.days <= MAX_DAYS:
        errors.append(("days", "range", f"a link lasts 1 to {MAX_DAYS} days"))
    if new.scope is ShareScope.ENTRIES and not new.entries:
        errors.append(("entries", "required", "choose at least one entry to share"))
    if new.scope is ShareScope.ARCHIVE and new.entries:
        errors.append(("entries", "not_allowed", "the whole archive takes no entries"))
    if len(new.note) > NOTE_MAX:
        errors.append(("note", "length", f"at most {NOTE_MAX} characters"))
    code = new.access_code
    if code is not None and not (CODE_MIN <= len(code) <= CODE_MAX and code.isprintable()):
        errors.append(
            ("access_code", "length", f"an access code has {CODE_MIN} to {CODE_MAX} characters")
        )
    if errors:
        raise ValidationFailed.single(*errors[0])


async def create_share(*, actor: Actor, keyring: Keyring, new: NewShare) -> CreatedShare:
    """Make a link to the worker's own record; the token comes back this once."""
    archive_id = str(require_worker(actor))
    _check(new)
    chosen = sorted(set(new.entries))
    if chosen:
        known = {item.seq for item in await shareable_items(archive_id, keyring)}
        if not set(chosen) <= known:
            raise ValidationFailed.single(
                "entries", "unknown", "share only entries of your record that can be shared"
            )
    now = clock.now()
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        archive_id=archive_id,
        principal_id=actor.principal_id,
        token_hash=token_hash(token),
        purpose=new.purpose,
        note=new.note,
        scope=new.scope,
        entries=chosen,
        created_at=clock.truncate_to_millis(now),
        expires_ms=clock.epoch_ms(now + timedelta(days=new.days)),
        code_mac=await code_mac(keyring, new.access_code) if new.access_code else None,
    )
    await link.insert()
    return CreatedShare(link=view_of(link), token=token)


async def _own(actor: Actor, link_id: str) -> ShareLink:
    link = await ShareLink.find_one(
        {"_id": ids.parse(link_id, "share link"), "archive_id": str(require_worker(actor))}
    )
    if link is None:
        raise NotFound("no such share link")
    return link


async def list_shares(*, actor: Actor) -> list[ShareLinkView]:
    """The worker's links, the newest first (the latest hundred)."""
    found = (
        await ShareLink.find({"archive_id": str(require_worker(actor))})
        .sort("-_id")
        .limit(MAX_LINKS_LISTED)
        .to_list()
    )
    now_ms = clock.epoch_ms(clock.now())
    return [view_of(link, now_ms) for link in found]


async def share_detail(
    *, actor: Actor, keyring: Keyring, link_id: str, new_token: str | None = None
) -> ShareDetail:
    """One of the worker's links: what it shows and when it was opened.

    ``new_token``: the token the page was handed when the link was made, shown again only if
    it is this link's (its hash matches)."""
    link = await _own(actor, link_id)
    items = await shareable_items(link.archive_id, keyring)
    if link.scope is ShareScope.ENTRIES:
        items = [item for item in items if item.seq in set(link.entries)]
    rows = (
        await AccessLogEntry.get_pymongo_collection()
        .find({"archive_id": link.archive_id, "principal_id": principal_of(link)})
        .sort("_id", DESCENDING)
        .limit(VIEWS_LISTED)
        .to_list()
    )
    return ShareDetail(
        link=view_of(link),
        items=items,
        views=[ShareViewLine(at=row["at"], items=len(row["fields"])) for row in rows],
        token=(
            new_token
            if new_token and hmac.compare_digest(token_hash(new_token), link.token_hash)
            else None
        ),
    )


def principal_of(link: ShareLink) -> str:
    """Who an opening of ``link`` is in the access log."""
    return f"share:{link.id}"


async def revoke_share(*, actor: Actor, link_id: str) -> ShareLinkView:
    """Revoke a link at once (one conditional update; revoking again changes nothing)."""
    link = await _own(actor, link_id)
    now_ms = clock.epoch_ms(clock.now())
    collection = ShareLink.get_pymongo_collection()
    await collection.update_one({"_id": link.id, "revoked_ms": 0}, {"$set": {"revoked_ms": now_ms}})
    return view_of(await _own(actor, link_id), now_ms)
