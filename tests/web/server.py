"""The app served over real HTTP for the browser tests: ``python -m tests.web.server PORT``.

The settings come from the environment (the fixture in ``conftest.py`` sets them: the test
session's store, a database of its own, cheap password hashing). It loads the demo data and
adds two page routes that exist only here, so the browser can see the 500 page and the
"database not reachable" page without breaking anything real.
"""

from __future__ import annotations

import sys
from datetime import date

import uvicorn
from pymongo.errors import ServerSelectionTimeoutError
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.app import create_app
from api.web.routing import page_router
from api.web.templating import Templates, base_context, language_of
from portfolio.settings import Settings
from portfolio.vocabulary import SkillLevel

BROKEN_PAGE = "/_test/broken"
STORE_DOWN_PAGE = "/_test/store-down"
COMPONENTS_PAGE = "/_test/components"

# Every shared component on one page, so the browser checks them before real pages use them.
SHOWCASE = """{% extends "base.html" %}
{% import "macros/components.html" as c with context %}
{% block title %}Components{% endblock %}
{% block content %}
{{ c.error_summary(errors) }}
{{ c.notice(_("You have signed out.")) }}
<h1>Components</h1>
{{ c.summary_list([(_("Status"), c.status_tag(_("Valid"), "ok")), (_("Level"), level | level)]) }}
<p>{% for kind in ("ok", "bad", "warn", "info", "neutral") %}
{{ c.status_tag(kind, kind) }}
{% endfor %}</p>
{{ c.table(_("Certificate number"), [_("Certificate number"), _("Level"), _("Date of issue"),
   "¥"], rows) }}
{{ c.pagination("/_test/components?page=1", "/_test/components?page=3") }}
<form class="form" method="post" action="/_test/components" novalidate>
  {{ c.form_fields() }}
  {{ c.field("number", _("Certificate number"), value="S1",
              hint=_("For example S5101040326000101"), error=errors[0].message) }}
  {{ c.field("name", _("Holder's name")) }}
  {{ c.button(_("Check")) }} {{ c.button(_("Sign out"), secondary=true) }}
</form>
{% call c.confirmation_panel(_("Check a certificate"), reference="PF-2026-000123") %}
<p>{{ 123456 | yuan }} · {{ day | day }}</p>
{% endcall %}
{% endblock %}
"""


def build() -> object:
    """The app with the demo data and the two failing test pages."""
    app = create_app(Settings(), on_demo_loaded=lambda logins: None)
    router = page_router()

    @router.get(BROKEN_PAGE)
    async def broken() -> None:
        raise RuntimeError("a bug, with a secret in its message: do-not-show-this")

    @router.get(STORE_DOWN_PAGE)
    async def store_down() -> None:
        raise ServerSelectionTimeoutError("no servers found: do-not-show-this")

    @router.get(COMPONENTS_PAGE)
    async def components(request: Request) -> HTMLResponse:
        templates: Templates = request.app.state.web.templates
        env = templates.environments[language_of(request).code]
        errors = [type("E", (), {"field": "number", "message": "Enter the certificate number"})]
        rows = [
            ["S5101040326000101", "初级工（五级）", "2026年3月20日", "1,234.56 元"],
            ["S5107030526000033", "高级工（三级）", "2026年6月5日", "0.00 元"],
        ]
        html = env.from_string(SHOWCASE).render(
            {
                **base_context(request, None),
                "errors": errors,
                "rows": rows,
                "level": SkillLevel.SENIOR,
                "day": date(2026, 12, 5),
            }
        )
        return HTMLResponse(html)

    app.include_router(router)
    return app


if __name__ == "__main__":
    uvicorn.run(
        build(),  # type: ignore[arg-type]
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
