"""The OpenAPI document, completed where FastAPI's generator leaves gaps, and served as
prepared bytes (``api.prepared``: encoded once, with an ETag; ``Cache-Control: no-cache`` so a
client revalidates and gets 304 while it holds the current one).

Two gaps: the schemas that bulk bodies refer to (``api.bulk.BODY_SCHEMAS``) are not among the
components FastAPI collects, and a request FastAPI or Starlette cannot parse at all (a broken
multipart or form body) answers 400, which no route declares.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.routing import Route

from api.bulk import BODY_SCHEMAS
from api.prepared import Prepared, prepared_documents

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
BAD_REQUEST = {"description": "A request body that cannot be parsed at all (problem+json)"}


def install(app: FastAPI) -> None:
    """Serve ``app``'s OpenAPI document with the gaps filled (built once, then cached)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in BODY_SCHEMAS.items():
                schemas.setdefault(name, schema)
            for item in document.get("paths", {}).values():
                for method, operation in item.items():
                    if method in _METHODS:
                        operation.setdefault("responses", {}).setdefault("400", BAD_REQUEST)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    _serve_prepared(app)


def _serve_prepared(app: FastAPI) -> None:
    """Serve FastAPI's own ``/openapi.json`` answer (servers filled in from the root path as
    it does) from bytes built once per root path instead of JSON-encoded per request."""
    for position, route in enumerate(app.router.routes):
        if isinstance(route, Route) and route.path == app.openapi_url:
            app.router.routes[position] = Route(
                route.path,
                _prepared_from(route.endpoint),
                methods=["GET", "HEAD"],
                include_in_schema=False,
            )
            return


def _prepared_from(encoded_by_fastapi: Callable[[Request], Awaitable[Response]]) -> Any:
    async def prepared_openapi(request: Request) -> Response:
        async def build() -> Prepared:
            answer = await encoded_by_fastapi(request)
            return Prepared.of(bytes(answer.body))

        root_path = request.scope.get("root_path", "")
        prepared = await prepared_documents(request).get("openapi", root_path, build)
        return prepared.answer(request, cache_control="no-cache")

    return prepared_openapi
