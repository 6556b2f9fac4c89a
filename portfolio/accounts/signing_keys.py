"""The token signing keys as the service administrator sees them: each key's id, when it was
made, whether it signs now, and until when an older one still verifies tokens (never a
secret); and rotating in a new one (``sessions.rotate_signing_key``, audited, as the
``portfolio keys rotate`` command does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio import clock
from portfolio.accounts.keys import SIGNING_PURPOSE
from portfolio.accounts.principal import Actor, Role
from portfolio.accounts.sessions import rotate_signing_key
from portfolio.errors import Forbidden
from portfolio.keyring import Keyring
from portfolio.settings import Settings


@dataclass(frozen=True)
class SigningKeyView:
    """One signing key: ``current`` signs new tokens; an older one verifies until
    ``verifies_until`` (None: the current key), and is retired after."""

    kid: str
    number: int
    created_at: datetime
    current: bool
    verifies_until: datetime | None
    retired: bool


def _require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only the service administrator manages signing keys")


async def signing_keys(
    *, actor: Actor, keyring: Keyring, settings: Settings
) -> list[SigningKeyView]:
    """Every signing key, newest first, with its state now."""
    _require_admin(actor)
    await keyring.load()
    keys = keyring.usable(SIGNING_PURPOSE, retire_after=None, now=clock.real_now())
    retire_after = timedelta(seconds=settings.signing_key_retire_after_seconds)
    now = clock.real_now()
    views = []
    for key, successor in zip(keys, [*keys[1:], None], strict=True):
        until = successor.created_at + retire_after if successor is not None else None
        views.append(
            SigningKeyView(
                kid=key.kid,
                number=key.number,
                created_at=key.created_at,
                current=successor is None,
                verifies_until=until,
                retired=until is not None and now >= until,
            )
        )
    return list(reversed(views))


async def rotate(*, actor: Actor, keyring: Keyring) -> str:
    """Make a new current signing key; the id of the new key."""
    _require_admin(actor)
    return (await rotate_signing_key(keyring=keyring)).kid
