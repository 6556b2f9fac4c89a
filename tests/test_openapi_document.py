"""The OpenAPI document is a valid OpenAPI 3.1 document whose every reference resolves."""

from __future__ import annotations

import json
import re
from typing import Any

from httpx import AsyncClient
from openapi_spec_validator import validate


async def _document(client: AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_the_document_validates_as_openapi(client: AsyncClient) -> None:
    validate(await _document(client))


async def test_every_reference_names_a_component(client: AsyncClient) -> None:
    document = await _document(client)
    components = document["components"]["schemas"]
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)))
    dangling = sorted(r for r in refs if r.removeprefix("#/components/schemas/") not in components)
    assert dangling == []


async def test_every_operation_documents_a_bad_request(client: AsyncClient) -> None:
    document = await _document(client)
    undocumented = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "400" not in operation["responses"]
    ]
    assert undocumented == []
