"""Where a hash chain stood, as signed checkpoints record it (``portfolio.checkpoints``).

Its own module so that an area that keeps chains (the audit trail) can describe them without
importing the checkpoint machinery, which imports the areas.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainHead:
    """Where one chain stood: its id within its source, last seq and that entry's hash."""

    chain: str
    seq: int
    hash: str
