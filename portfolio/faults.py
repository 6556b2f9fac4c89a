"""Crash points for tests that kill the process between two writes.

A multi-document use case (a completion and its archive entry, a redemption and its ledger
entry) is a sequence of idempotent steps; the repair routine finishes a half-done one. To prove
it, a test starts the service with ``PORTFOLIO_FAULT_POINT`` naming a point: the process dies
there, abruptly, as a power cut would leave it. Unset in normal operation; a no-op then.
"""

from __future__ import annotations

import os

FAULT_ENV = "PORTFOLIO_FAULT_POINT"
FAULT_EXIT_CODE = 86


def crash_point(name: str) -> None:
    """Die at once (no clean-up, no answer) when the environment names this point."""
    if os.environ.get(FAULT_ENV) == name:
        os._exit(FAULT_EXIT_CODE)
