"""Entry point of the embedded store's child process (``python -m portfolio.embedded_main``).

We run nx-27017's request handler under our own small server instead of its command line,
for four reasons, each a failure seen with its own:

* its SIGTERM handler calls ``sys.exit`` from inside the event loop, so the ``SystemExit``
  lands in whichever stream callback runs, is logged there, and the server spins on; here a
  signal ends the loop, closes SQLite and exits, the first time;
* it picks its own port after the parent chose a "free" one, a race with any other process;
  here it serves the listening socket the parent bound (``--listen-fd``), so the port is ours
  from the moment it is chosen;
* the parent's death must stop it on every system (``prctl`` exists only on Linux with
  glibc): it watches a pipe whose other end only the parent holds (``--watch-fd``); the end
  of file comes when the parent closes it or dies in any way, and stops the store;
* the data directory's lock (``--lock-fd``, an inherited ``flock``) is held as long as this
  process lives, so no second store opens the same files, even after its parent died.

nx-27017 logs every command at INFO, which costs time and fills the disk: its logger runs at
WARNING.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path

from nx_27017.handler import NeoSQLiteHandler
from nx_27017.server import handle_client

log = logging.getLogger("portfolio.embedded")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="portfolio.embedded_main")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--watch-fd", type=int, required=True)
    parser.add_argument("--lock-fd", type=int, default=-1)
    parser.add_argument("--pid-file", required=True)
    parser.add_argument("--log-file", required=True)
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace, handler: NeoSQLiteHandler) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)

    def parent_gone() -> None:
        try:
            data = os.read(args.watch_fd, 64)
        except OSError:
            data = b""
        if not data:  # end of file: the parent closed its end, or died
            loop.remove_reader(args.watch_fd)
            stop.set()

    loop.add_reader(args.watch_fd, parent_gone)
    listener = socket.socket(fileno=args.listen_fd)
    listener.setblocking(False)

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await handle_client(reader, writer, handler)

    server = await asyncio.start_server(client, sock=listener)
    log.warning("embedded store serving", extra={"port": listener.getsockname()[1]})
    await stop.wait()
    server.close()


def main(argv: list[str]) -> int:
    """Serve until a signal or the parent's end; close SQLite; exit 0."""
    args = _arguments(argv)
    logging.basicConfig(
        level=logging.WARNING,
        filename=args.log_file,
        format="%(asctime)s %(name)s %(levelname)s [%(process)d] %(message)s",
    )
    pid_file = Path(args.pid_file)
    pid_file.write_text(str(os.getpid()))
    handler = NeoSQLiteHandler("nx-27017.db", journal_mode="WAL", data_dir=args.data_dir)
    try:
        asyncio.run(_serve(args, handler))
    finally:
        # Already stopping: the loop's handlers are gone with it, so a SIGTERM from the parent
        # (sent just after it closed our watch pipe) would now kill us before SQLite closes.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        # Every acknowledged write is committed already; closing checkpoints the WAL.
        with contextlib.suppress(Exception):
            handler.close_all()
        with contextlib.suppress(OSError):
            pid_file.unlink()
        log.warning("embedded store stopped")
        logging.shutdown()
    # Client connections still open would keep the loop's clean-up waiting; nothing of
    # theirs is left to save.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
