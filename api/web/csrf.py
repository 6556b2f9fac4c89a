"""Cross-site request forgery: every state-changing form proves it came from our own page.

Two checks, both required on every POST of a page:

* **origin**: the browser's ``Origin`` header (or, when a browser sends none, the origin of
  its ``Referer``) must be this service's own: the configured ``PORTFOLIO_PUBLIC_URL`` or the
  address the request arrived at. A post with neither header is refused.
* **token**: a hidden ``csrf_token`` field equal to an HMAC of the session's cookie secret
  (signed in) or of the pre-session cookie's secret (the login form, before any session). The
  cookies are ``HttpOnly`` and ``__Host-``, so another site can neither read nor plant them,
  and the token dies with the session; no token is stored anywhere.

A failed check changes nothing and answers 403.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.requests import Request

from portfolio.settings import Settings

FIELD = "csrf_token"


class CsrfRejected(Exception):
    """A post that failed the origin or token check (rendered as a 403 page)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_for(secret: str, purpose: str = "form") -> str:
    """The form token bound to a cookie secret."""
    mac = hmac.new(secret.encode("utf-8"), f"csrf:{purpose}".encode(), hashlib.sha256)
    return mac.hexdigest()


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: Request, settings: Settings) -> set[str]:
    """The origins a form of ours is posted from."""
    origins = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    if settings.public_url:
        origins.add(settings.public_url.rstrip("/").lower())
    return origins


def check_origin(request: Request, settings: Settings) -> None:
    """``CsrfRejected`` unless ``Origin`` (or ``Referer``) names our own origin."""
    offered = request.headers.get("origin")
    if offered is None or offered == "null":
        referer = request.headers.get("referer")
        offered = _origin_of(referer) if referer else None
    if offered is None:
        raise CsrfRejected("no-origin")
    if offered.rstrip("/").lower() not in own_origins(request, settings):
        raise CsrfRejected("cross-origin")


def check_token(offered: str | None, secret: str | None, purpose: str = "form") -> None:
    """``CsrfRejected`` unless ``offered`` is the token of ``secret``."""
    if not offered or not secret:
        raise CsrfRejected("no-token")
    if not hmac.compare_digest(offered.encode(), token_for(secret, purpose).encode()):
        raise CsrfRejected("bad-token")
