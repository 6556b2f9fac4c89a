"""The static files' route (see ``api/web/static.py``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.web.routing import page_router
from api.web.static import IMMUTABLE, PREFIX, StaticFiles

# A page route: the page layer's, out of the API's OpenAPI document and access matrix.
router = page_router()


@router.get(PREFIX + "{name}")
async def static_file(name: str, request: Request) -> Response:
    """A static file by hashed name: cached for a year; any other name is 404."""
    files: StaticFiles = request.app.state.web.static
    asset = files.by_hashed_name.get(name)
    if asset is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        asset.body,
        media_type=asset.media_type,
        headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
    )
