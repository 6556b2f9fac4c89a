"""The ``portfolio`` command line: serve the API, administer accounts and keys."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import logging
import time

import typer
import uvicorn
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from api import (
    cli_accounts,
    cli_archives,
    cli_backup,
    cli_checkpoint,
    cli_migrate,
    cli_repair,
    cli_reports,
    cli_runtime,
    cli_seed,
    cli_shard_keys,
    cli_verify,
    cli_workers,
    logs,
)
from api.app import create_app
from portfolio.bootstrap import DemoLogin
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, StoreError

app = typer.Typer(help="Training e-portfolio service.", no_args_is_help=True)
app.add_typer(cli_accounts.admin_app, name="admin")
app.add_typer(cli_accounts.keys_app, name="keys")
app.add_typer(cli_archives.archive_app, name="archive")
app.add_typer(cli_reports.reports_app, name="reports")
app.add_typer(cli_checkpoint.checkpoint_app, name="checkpoint")
cli_backup.install(app)
cli_repair.install(app)
cli_seed.install(app)
cli_migrate.install(app)
cli_verify.install(app)
cli_shard_keys.install(app)
# Every command's console prints a message on one line however long (soft_wrap): a path in a
# log or a pipe must not break at 80 columns, where grep and the tests would miss it.
console = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("portfolio.cli")

# The embedded store is restarted at most this often before serve gives up.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 300.0


@app.callback()
def _root() -> None:
    """Training e-portfolio service."""


def _print_demo_logins(logins: list[DemoLogin], home: str) -> None:
    table = Table(title="Demo logins")
    for column in ("username", "password", "role", "what"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.password, login.role, login.description)
    console.print(table)
    console.print(f"Home page: [bold]{home}[/bold]   (sign in there; the API: {home}docs)")


def _home_page(settings: Settings, host: str, port: int) -> str:
    """Where a person opens the pages: the public URL, else this server's own address."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - displayed
    return f"http://{shown}:{port}/"


async def _watch_store(store: EmbeddedStore, server: uvicorn.Server) -> None:
    """Restart the embedded store if it dies, a bounded number of times."""
    restarts: collections.deque[float] = collections.deque()
    while not server.should_exit:
        await asyncio.sleep(1.0)
        if store.alive() or server.should_exit:
            continue
        now = time.monotonic()
        while restarts and now - restarts[0] > RESTART_WINDOW_S:
            restarts.popleft()
        if len(restarts) >= MAX_RESTARTS:
            log.error("embedded store keeps dying; stopping the service")
            server.should_exit = True
            return
        restarts.append(now)
        log.warning("embedded store died; restarting it", extra={"attempt": len(restarts)})
        try:
            # In a thread: the start waits for the store to answer, requests must not wait on it.
            await asyncio.to_thread(store.restart)
            log.info("embedded store restarted")
        except StoreError as exc:
            log.error("embedded store restart failed", extra={"reason": str(exc)})


async def _serve(server: uvicorn.Server, store: EmbeddedStore | None) -> None:
    watcher = asyncio.create_task(_watch_store(store, server)) if store else None
    try:
        await server.serve()
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


class Loop(enum.StrEnum):
    """The event loop (``auto``: uvloop when installed)."""

    AUTO = "auto"
    ASYNCIO = "asyncio"
    UVLOOP = "uvloop"


class Http(enum.StrEnum):
    """The HTTP/1.1 parser (``auto``: httptools when installed)."""

    AUTO = "auto"
    H11 = "h11"
    HTTPTOOLS = "httptools"


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to listen on."),
    port: int | None = typer.Option(None, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo data set and print its logins."),
    workers: int = typer.Option(
        1, min=1, help="Worker processes sharing the port, the store and the repair lease."
    ),
    loop: Loop = typer.Option(Loop.AUTO, help="Event loop."),
    http: Http = typer.Option(Http.AUTO, help="HTTP parser."),
) -> None:
    """Serve the API; without PORTFOLIO_MONGODB_URI, on an embedded store in the data directory."""
    settings = Settings()
    logs.configure(settings.log_level)
    if demo and settings.env == "production":
        console.print("[red]--demo is refused in production mode[/red]")
        raise typer.Exit(2)
    store: EmbeddedStore | None = None
    if settings.uses_embedded_store:
        store = EmbeddedStore(settings.data_dir)
        try:
            uri = store.start()
        except StoreError as exc:
            console.print(f"[red]cannot start the embedded store:[/red] {exc}")
            raise typer.Exit(3) from exc
        store.publish()
        settings = settings.model_copy(update={"mongodb_uri": SecretStr(uri)})
    listen_host = host or settings.host
    listen_port = port if port is not None else settings.port
    home = _home_page(settings, listen_host, listen_port)
    try:
        if workers > 1:
            logins = cli_workers.run_prepare(settings, demo)
            if demo:
                _print_demo_logins(logins, home)
            config = uvicorn.Config(
                "api.cli_workers:worker_app",
                factory=True,
                workers=workers,
                host=listen_host,
                port=listen_port,
                log_config=None,
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=cli_runtime.GRACEFUL_SHUTDOWN_S,
                loop=loop.value,
                http=http.value,
            )
            if not cli_workers.serve_workers(settings, store, config):
                raise typer.Exit(1)
            return
        application = create_app(
            settings,
            on_demo_loaded=(lambda logins: _print_demo_logins(logins, home)) if demo else None,
            repair_after_grace=True,
        )
        config = uvicorn.Config(
            application,
            host=listen_host,
            port=listen_port,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=cli_runtime.GRACEFUL_SHUTDOWN_S,
            loop=loop.value,
            http=http.value,
        )
        server = cli_runtime.StoppingServer(config, on_deadline=store.stop if store else None)
        # uvicorn's loop factory: asyncio.run alone would always take the standard loop.
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(_serve(server, store))
        if server.started is False:
            raise typer.Exit(1)
    finally:
        if store is not None:
            store.stop()


def main() -> None:
    """Console-script entry point."""
    app()
