"""The OpenAPI document, completed where FastAPI's generator leaves gaps.

Two gaps: the schemas that bulk bodies refer to (``api.bulk.BODY_SCHEMAS``) are not among the
components FastAPI collects, and a request FastAPI or Starlette cannot parse at all (a broken
multipart or form body) answers 400, which no route declares.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.bulk import BODY_SCHEMAS

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
