"""Structured JSON logs: one object per line, with the request context when there is one."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from portfolio.audit import context as request_context

# Attributes every LogRecord has; anything else was passed in ``extra`` and is emitted.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    """Formats a record as a JSON object: time, level, logger, message and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "color_message" and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps the running request's id on every record logged while it runs (a service's
    warning, a driver's error, not only the access line), so a quoted id finds them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``request_id`` unless the record names one already; never drops a record."""
        if getattr(record, "request_id", None) is None:
            request_id = request_context.current().request_id
            if request_id is not None:
                record.request_id = request_id
        return True


def configure(level: str = "INFO") -> None:
    """Send every log record to stderr as JSON lines, each with its request's id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs requests
