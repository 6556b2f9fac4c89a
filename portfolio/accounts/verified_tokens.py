"""Access tokens this process has verified already, so a session's repeated token skips the
ES256 check on every later request.

A client sends the same access token on every request until it expires; its header, signature
and claim shapes were checked the first time and cannot have changed since (the entry is keyed
by the whole token). What can change is checked on every request all the same, by the caller:
that the key which signed it still verifies (a retired or unknown kid is refused), the time
claims against the clock with the leeway (here, as the JOSE library checks them), and then the
principal and session. An entry remembers the key bytes that verified it, so a token is never
taken as verified under another key of the same id (another keyring, another store).

Bounded (oldest dropped), so a flood of distinct valid tokens cannot grow memory; a dropped
token is simply verified again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from portfolio.accounts.jose_tokens import TokenRejected

C = TypeVar("C")

# About 2 KB an entry (token and claims): at most some 20 MB, more than the access tokens live
# on one replica at a time (each lives minutes).
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Verified(Generic[C]):
    """A token's checked claims, the id and bytes of the key that verified them, and the time
    claims to check again."""

    claims: C
    kid: str
    key_secret: bytes
    nbf: int
    exp: int


class VerifiedTokens(Generic[C]):
    """Tokens verified by this process, oldest first."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, Verified[C]] = OrderedDict()
        self._max = max_entries

    def get(self, token: str) -> Verified[C] | None:
        """What was verified of ``token``, if anything (its times not yet checked again)."""
        return self._entries.get(token)

    def put(self, token: str, verified: Verified[C]) -> None:
        """Remember that ``token`` verified."""
        self._entries[token] = verified
        self._entries.move_to_end(token)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def check_times(verified: Verified[C], *, now: float, leeway: int) -> None:
    """Refuse an expired or not yet valid token, as ``jose.jwt.decode`` does."""
    if verified.exp < now - leeway:
        raise TokenRejected("expired", expired=True)
    if verified.nbf > now + leeway:
        raise TokenRejected("not yet valid")
