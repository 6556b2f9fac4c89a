"""The one place where MongoDB driver errors become domain errors."""

from __future__ import annotations

from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    DuplicateKeyError,
    NetworkTimeout,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from portfolio.errors import Conflict, DomainError, StorageUnavailable

_UNAVAILABLE = (ServerSelectionTimeoutError, AutoReconnect, NetworkTimeout, ConnectionFailure)


def translate(exc: PyMongoError) -> DomainError | None:
    """The domain meaning of a driver error, or None when it is a bug to report as such."""
    if isinstance(exc, DuplicateKeyError):
        return Conflict("a record with the same unique value already exists")
    if isinstance(exc, _UNAVAILABLE):
        return StorageUnavailable("the database is unreachable; retry shortly")
    return None


def is_duplicate_key(exc: BaseException) -> bool:
    """True for a unique-index violation (code 11000) however the driver wrapped it."""
    return isinstance(exc, DuplicateKeyError) or getattr(exc, "code", None) == 11000
