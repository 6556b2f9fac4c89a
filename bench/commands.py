"""Counting what an operation asks the store: a PyMongo command listener for the benches.

``Tally`` records every command the client sends (name, collection, duration, whether it
wrote an error such as a duplicate key), so a bench can print "commands per redemption" or
"where an append's time went" without touching the code it measures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pymongo import monitoring


def _target(name: str, command: Any) -> str:
    value = command.get(name) if hasattr(command, "get") else None
    return value if isinstance(value, str) else ""


@dataclass
class Tally(monitoring.CommandListener):
    """Commands seen since the last ``reset``, by ``"<command> <collection>"``."""

    counts: Counter[str] = field(default_factory=Counter)
    micros: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    write_errors: Counter[str] = field(default_factory=Counter)
    _open: dict[int, str] = field(default_factory=dict)
    enabled: bool = True

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Note which command a request id is."""
        if not self.enabled or event.command_name in ("hello", "isMaster", "ping", "endSessions"):
            return
        label = f"{event.command_name} {_target(event.command_name, event.command)}".strip()
        self._open[event.request_id] = label

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Count it, its time, and any write error in its reply."""
        label = self._open.pop(event.request_id, None)
        if label is None:
            return
        self.counts[label] += 1
        self.micros[label] += event.duration_micros
        reply = event.reply
        if hasattr(reply, "get") and reply.get("writeErrors"):
            self.write_errors[label] += len(reply["writeErrors"])

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """A failed command counts like a succeeded one, as an error."""
        label = self._open.pop(event.request_id, None)
        if label is None:
            return
        self.counts[label] += 1
        self.micros[label] += event.duration_micros
        self.write_errors[label] += 1

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.counts.clear()
        self.micros.clear()
        self.write_errors.clear()

    def total(self) -> int:
        """Commands seen."""
        return sum(self.counts.values())

    def lines(self, per: int = 1) -> list[str]:
        """One line per command kind: how many (per ``per`` operations) and their mean time."""
        rows = []
        for label, n in sorted(self.counts.items(), key=lambda kv: -kv[1]):
            mean_ms = self.micros[label] / n / 1000
            errors = (
                f", {self.write_errors[label]} write errors" if self.write_errors[label] else ""
            )
            rows.append(f"  {n / per:7.2f}  {label:<40} mean {mean_ms:8.2f} ms{errors}")
        return rows
