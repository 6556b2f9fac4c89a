"""Bodies of bulk routes: JSON, or CSV whose header names the same fields as the JSON rows.

A clerk's class list usually lives in a spreadsheet; accepting its CSV export
(``portfolio.tabular``: UTF-8 with or without a byte-order mark, or GB18030) spares them
retyping forty rows.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from portfolio.errors import FieldError, ValidationFailed
from portfolio.tabular import read_csv

Body = TypeVar("Body", bound=BaseModel)


async def parse_bulk(request: Request, model: type[Body], **csv_fields: Any) -> Body:
    """The body as ``model``; CSV rows become ``rows`` and ``csv_fields`` the other fields."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "text/csv":
            return model.model_validate({**csv_fields, "rows": read_csv(raw)})
        return model.model_validate(json.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed.single("body", "json_invalid", "not valid JSON") from None
    except ValidationError as invalid:
        raise ValidationFailed(
            [
                FieldError("body." + ".".join(str(p) for p in e["loc"]), e["type"], e["msg"])
                for e in invalid.errors()
            ]
        ) from None


# The models a bulk body refers to, listed by api/openapi.py under the document's components
# (a body schema's own "$defs" would leave "#/$defs/..." references dangling in the document).
BODY_SCHEMAS: dict[str, Any] = {}


def openapi_body(model: type[BaseModel], csv_example: str) -> dict[str, Any]:
    """The OpenAPI request body of a bulk route: the JSON model, or CSV text."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    BODY_SCHEMAS.update(schema.pop("$defs", {}))
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "text/csv": {"schema": {"type": "string"}, "example": csv_example},
            },
        }
    }
