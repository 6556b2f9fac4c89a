"""The web pages: a second face on the same domain as the JSON API (see ../shared/UI.md).

``install(app)`` mounts the page routes of every audience, the hashed static files and the
error pages. What a new page needs:

* a route in ``routes/<audience>.py`` on a ``page_router()`` (``routing.py``): it takes a
  role gate from ``auth.py`` (``WorkerPage``...), calls one service and ends with
  ``await render(request, "<page>.html", {...})`` (``templating.py``); a form post takes
  ``SessionForm`` (``forms.py``), wraps its service call in ``once(...)`` and redirects;
* a template extending ``base.html`` and using ``macros/components.html``;
* its messages in both catalogues (``make messages``, then translate ``locale/zh_Hans``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from api.web import errors
from api.web.routes import assets, landing, public, session
from api.web.static import StaticFiles
from api.web.templating import Templates


@dataclass
class Web:
    """What the pages hold while the app runs (``app.state.web``)."""

    static: StaticFiles
    templates: Templates


def install(app: FastAPI) -> None:
    """Mount the pages, the static files and the error pages on ``app``."""
    static = StaticFiles()
    app.state.web = Web(static=static, templates=Templates(static))
    app.include_router(assets.router)
    app.include_router(public.router)
    app.include_router(session.router)
    app.include_router(landing.router)
    errors.install(app)
