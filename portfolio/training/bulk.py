"""Per-row results of bulk requests (a class file): valid rows succeed when others fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from portfolio.errors import DomainError, FieldError, ValidationFailed

T = TypeVar("T")


@dataclass(frozen=True)
class RowResult(Generic[T]):
    """One row's outcome: a status word, the object it produced, or why it failed."""

    row: int
    status: str
    item: T | None = None
    errors: tuple[FieldError, ...] = ()
    detail: str = ""

    @classmethod
    def failed(cls, row: int, error: DomainError) -> RowResult[T]:
        """The row failed with ``error`` (its field errors kept when it has them)."""
        errors = tuple(error.errors) if isinstance(error, ValidationFailed) else ()
        return cls(row, "error", errors=errors, detail=error.detail)
