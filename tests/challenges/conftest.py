"""The pages' in-process client (``web``), shared with tests/web."""

from tests.web.conftest import web

__all__ = ["web"]
