"""The domain error hierarchy.

Each error carries its meaning, never an HTTP status: the API layer maps classes to statuses
in one place (``api/problems.py``). ``code`` is a stable slug that becomes the problem
``type``; ``detail`` is a sentence safe to show to the caller (never personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One rule one field broke: ``field`` is a dotted path into the request body."""

    field: str
    rule: str
    message: str


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain-error"
    title = "Request could not be completed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """The object does not exist, or lies outside the caller's reach (the two look the same)."""

    code = "not-found"
    title = "Not found"


class AuthenticationFailed(DomainError):
    """Credentials or token missing, wrong, expired or revoked."""

    code = "authentication-failed"
    title = "Authentication failed"


class Forbidden(DomainError):
    """The caller is known but their role may not do this."""

    code = "forbidden"
    title = "Forbidden"


class Conflict(DomainError):
    """The request contradicts stored state (a duplicate, a lost race)."""

    code = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    """A life-cycle step that the current state does not allow."""

    code = "invalid-transition"
    title = "Invalid state transition"

    def __init__(self, detail: str, *, current_state: str, **extra: Any) -> None:
        super().__init__(detail, current_state=current_state, **extra)
        self.current_state = current_state


class ArchiveBusy(Conflict):
    """Many writers append to one archive at once and this one lost every attempt; nothing of
    its entry was stored, and the same request may be sent again after ``retry_after_seconds``."""

    code = "archive-busy"
    title = "Archive busy"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, retryable=True)
        self.retry_after_seconds = retry_after_seconds


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a domain rule; names each field and rule."""

    code = "validation-failed"
    title = "Validation failed"

    @classmethod
    def outside_scope(cls, field: str) -> ValidationFailed:
        """A region field naming a region outside the agency's scope: a field the agency may
        not use (422, so a form can name it), not a forbidden action (403)."""
        return cls.single(field, "outside_scope", "the region lies outside your agency's scope")

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, rule: str, message: str) -> ValidationFailed:
        """The common case: one field, one rule."""
        return cls([FieldError(field=field, rule=rule, message=message)])


class RateLimited(DomainError):
    """Too many requests of one kind in a short time."""

    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class StorageUnavailable(DomainError):
    """The database cannot be reached right now; the request may be retried."""

    code = "storage-unavailable"
    title = "Storage unavailable"
