"""Rendering pages: one Jinja2 environment per language, and the headers every page carries.

A page route ends with ``return await render(request, "page.html", {...})``. Every template
gets, besides its own context:

* ``_``/``gettext``/``ngettext`` and ``{% trans %}`` in the request's language, and the
  filters of ``formatting.py`` (``|yuan``, ``|day``, ``|moment``, ``|level``, ``|level_name``,
  ``|occupation``);
* ``lang`` (the language), ``switch_language`` (the other language and the link to it);
* ``actor`` (the signed-in actor or None), ``landing`` (their landing page);
* ``csrf_token`` and ``form_key`` for forms (``components.form_fields()`` writes both);
* ``static(name)`` (the hashed URL of a static file), ``request_id``, ``path``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.web import auth, csrf, formatting, i18n
from api.web.static import StaticFiles

TEMPLATE_DIR = Path(__file__).parent / "templates"

# Scripts and styles from this origin only, never inline; no frames, plugins or base tricks.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Pages may hold personal data, a form token or a signed-in header: never kept anywhere.
    "Cache-Control": "no-store",
    "Vary": "Cookie, Accept-Language",
}


def add_page_headers(response: Response) -> Response:
    """Put the page headers on ``response`` (keeping a more specific Cache-Control)."""
    for name, value in PAGE_HEADERS.items():
        if name == "Cache-Control" and name.lower() in response.headers:
            continue
        response.headers[name] = value
    return response


class Templates:
    """One environment per language, sharing the templates folder and the static files."""

    def __init__(self, static: StaticFiles, folder: Path = TEMPLATE_DIR) -> None:
        self.translations = i18n.load_translations()
        self.environments: dict[str, Environment] = {}
        for language in i18n.LANGUAGES:
            env = Environment(
                loader=FileSystemLoader(folder),
                autoescape=select_autoescape(["html"]),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
                auto_reload=False,
            )
            env.install_gettext_translations(  # type: ignore[attr-defined]
                self.translations[language.code], newstyle=True
            )
            env.filters.update(formatting.filters(language))
            env.globals.update(static=static.url, lang=language, languages=i18n.LANGUAGES)
            self.environments[language.code] = env

    def gettext(self, language: i18n.Language, message: str) -> str:
        """``message`` in ``language`` (for text built in Python, e.g. a form's errors)."""
        return self.translations[language.code].gettext(message)


def language_of(request: Request) -> i18n.Language:
    """The request's language (negotiated once)."""
    chosen: i18n.Language | None = getattr(request.state, "language", None)
    if chosen is None:
        chosen = i18n.negotiate(request)
        request.state.language = chosen
    return chosen


def t(request: Request, message: str) -> str:
    """``message`` translated into the request's language (extracted as ``t:2``)."""
    templates: Templates = request.app.state.web.templates
    return templates.gettext(language_of(request), message)


def here(request: Request) -> str:
    """This page's path and query, to come back to (the language link, the login)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def base_context(request: Request, actor: Any) -> dict[str, Any]:
    """What every template may use (see the module's docstring)."""
    language = language_of(request)
    other = i18n.other(language)
    secret = auth.session_secret(request) if actor is not None else None
    return {
        "request_id": getattr(request.state, "request_id", ""),
        "path": request.url.path,
        "actor": actor,
        "landing": auth.landing_url(actor.role) if actor is not None else None,
        "csrf_token": csrf.token_for(secret) if secret else "",
        "form_key": secrets.token_urlsafe(16),
        "switch_language": {
            "language": other,
            "url": f"/language?to={other.code}&next={quote(here(request), safe='/')}",
        },
    }


async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    resolve_actor: bool = True,
) -> HTMLResponse:
    """A page: ``template`` in the request's language with the page headers.

    ``resolve_actor=False`` (error pages) uses the actor only if this request already knew it,
    so rendering needs no database.
    """
    actor = (
        await auth.current_page_actor(request) if resolve_actor else auth.known_page_actor(request)
    )
    templates: Templates = request.app.state.web.templates
    env = templates.environments[language_of(request).code]
    values = base_context(request, actor)
    values.update(context or {})
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
