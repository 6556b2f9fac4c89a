"""``python -m bench.profiled_api STATS_FILE [serve options]``: ``api serve`` (with the options
given, ``--demo`` for instance) under cProfile (``BENCH_PROFILE``).

The stats are written when the server stops. uvicorn captures SIGTERM while it serves and,
after its graceful shutdown, restores the handler it found and raises the signal again: the
handler installed here is that one, so it writes the stats and exits.
"""

from __future__ import annotations

import cProfile
import os
import signal
import sys
from types import FrameType

from api.cli import app

profiler = cProfile.Profile()


def _dump(path: str) -> None:
    profiler.disable()
    profiler.dump_stats(path)


def main() -> None:
    """Serve under the profiler until SIGTERM, then write the stats to ``sys.argv[1]``."""
    path = sys.argv[1]

    def stop(signum: int, frame: FrameType | None) -> None:
        _dump(path)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    sys.argv = ["portfolio", "serve", *sys.argv[2:]]
    profiler.enable()
    try:
        app()
    finally:
        _dump(path)


if __name__ == "__main__":
    main()
