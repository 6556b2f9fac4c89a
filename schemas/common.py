"""Shapes shared by every area: the input and output bases, field errors, paging."""

from __future__ import annotations

from typing import Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

MAX_PAGE = 200


class Input(BaseModel):
    """Base of every request body: unknown fields are refused (no mass assignment).

    A request model that feeds a use case converts itself with ``to_domain()`` into the
    domain's input (a dataclass of ``portfolio/``), so a JSON body and a form post that
    validate into the same model reach the domain alike.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    """Base of response models: built from a domain view with :meth:`from_view`.

    The view's attributes are read by name (nested views too), so a route never copies a
    view field by field; the model still lists every field it shows, and nothing else of the
    view leaves.
    """

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def from_view(cls, view: object) -> Self:
        """This model read from the attributes of a domain view."""
        return cls.model_validate(view, from_attributes=True)


class FieldErrorOut(Output):
    """One rule one field broke."""

    field: str
    rule: str
    message: str


class Page(Output, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one.

    Render a domain page view with ``Page[ItemOut].from_view(page)``.
    """

    items: list[T]
    next_cursor: str | None = Field(description="opaque; null on the last page")
