"""Runs every benchmark module listed here, in order, printing their figures."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: list[str] = ["archive_read", "bulk_completion", "reports"]


def main() -> int:
    """Run each benchmark's ``main()``; a name on the command line selects one."""
    selected = sys.argv[1:] or BENCHMARKS
    for name in selected:
        module = importlib.import_module(f"bench.{name}")
        module.main()
    if not selected:
        print("no benchmarks yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
