"""Static files, served by the app under names that carry their content hash.

``site.css`` is served as ``/static/site.<hash>.css`` (``routes/assets.py``) with a year-long,
immutable cache lifetime: a changed file gets a new name, so a browser never keeps a stale copy
and never asks twice for the same one. The files are read once at start-up. Nothing comes from
another host.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
_TYPES = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".js": "text/javascript"}


@dataclass(frozen=True)
class Asset:
    """One static file: its bytes, media type and hashed name."""

    body: bytes
    media_type: str
    hashed_name: str


class StaticFiles:
    """The static files by their plain name (for templates) and by hashed name (for serving)."""

    def __init__(self, folder: Path = STATIC_DIR) -> None:
        self.by_name: dict[str, Asset] = {}
        self.by_hashed_name: dict[str, Asset] = {}
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            hashed = f"{path.stem}.{digest}{path.suffix}"
            media_type = _TYPES.get(path.suffix) or (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            asset = Asset(body, media_type, hashed)
            self.by_name[path.name] = asset
            self.by_hashed_name[hashed] = asset

    def url(self, name: str) -> str:
        """The URL of a static file by its plain name (a KeyError names a missing file)."""
        return PREFIX + self.by_name[name].hashed_name
