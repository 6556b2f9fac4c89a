"""The app served over real HTTP for the browser tests: ``python -m tests.web.server PORT``.

The settings come from the environment (the fixture in ``conftest.py`` sets them: the test
session's store, a database of its own, cheap password hashing). It loads the demo data and
adds two page routes that exist only here, so the browser can see the 500 page and the
"database not reachable" page without breaking anything real.
"""

from __future__ import annotations

import sys

import uvicorn
from pymongo.errors import ServerSelectionTimeoutError

from api.app import create_app
from api.web.routing import page_router
from portfolio.settings import Settings

BROKEN_PAGE = "/_test/broken"
STORE_DOWN_PAGE = "/_test/store-down"


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
