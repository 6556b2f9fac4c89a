"""Files handed out over HTTP: one response shape for every export (``portfolio.exports``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response

from portfolio.exports import Export

FileFormat = Literal["json", "csv", "xlsx"]
FormatQuery = Annotated[
    FileFormat, Query(description="json (default), csv (UTF-8 with BOM) or xlsx")
]


def download(file: Export) -> Response:
    """``file`` as an attachment with its name and media type."""
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
