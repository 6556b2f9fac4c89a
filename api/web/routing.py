"""Page routes: the route class that turns every outcome into a page, and its router."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from api.web.errors import page_for
from api.web.templating import add_page_headers

error_log = logging.getLogger("portfolio.errors")


class PageRoute(APIRoute):
    """A route that answers with pages, errors included, and always with the page headers."""

    # Read by the error handlers (a 405 on a page's path is a page too).
    is_page = True

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped so every outcome is a page."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                try:
                    response = await page_for(request, exc)
                except Exception as failed:  # the error page itself failed: say no more
                    error_log.error("error page failed", exc_info=failed)
                    raise exc from failed
            return add_page_headers(response)

        return page_handler


def page_router(**options: Any) -> APIRouter:
    """A router of pages: ``PageRoute``s, kept out of the OpenAPI document."""
    return APIRouter(route_class=PageRoute, include_in_schema=False, **options)
