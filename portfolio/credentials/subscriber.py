"""The credentials area's subscriber: a corrected or voided certificate revokes its badges."""

from __future__ import annotations

from portfolio.credentials.issuing import on_certificate_changed
from portfolio.events import DomainEvent


async def on_event(event: DomainEvent) -> dict[str, list[str]] | None:
    """``training.certificate_changed``: flip the bits of the older versions (idempotent)."""
    if event.name == "training.certificate_changed":
        await on_certificate_changed(
            str(event.payload["certificate_id"]), int(event.payload["version"])
        )
    return None
