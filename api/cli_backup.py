"""``portfolio backup FILE`` and ``portfolio restore FILE`` for the embedded store.

A restore then checks every hash chain on the restored data and, when a checkpoint is at hand
(``--checkpoint FILE``, else the last one exported), compares the data with it, printing every
difference. Exit status: 0 restored and intact; 1 restored with differences; 2 refused (a
running store, data already there, a damaged backup); 3 the store cannot be opened. With
``PORTFOLIO_MONGODB_URI`` set, use MongoDB's ``mongodump`` / ``mongorestore`` instead.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console

from api import cli_checkpoint
from api.cli_runtime import command_runtime
from portfolio import backup as backups
from portfolio import checkpoints
from portfolio.checkpoints import CheckpointError, CheckResult
from portfolio.settings import Settings
from portfolio.storage import StoreError

console = Console(stderr=True, soft_wrap=True)


def _embedded_only(settings: Settings) -> None:
    if not settings.uses_embedded_store:
        console.print(
            "[red]PORTFOLIO_MONGODB_URI is set: back up a MongoDB with mongodump "
            "(mongodump --uri … --archive=FILE --gzip) and restore with mongorestore[/red]"
        )
        raise typer.Exit(2)


def run_backup(file: Path = typer.Argument(..., help="The backup to write (.tar.gz).")) -> None:
    """Snapshot the embedded store's databases into FILE (safe while serve runs)."""
    settings = Settings()
    _embedded_only(settings)
    try:
        report = backups.backup(settings.data_dir, file)
    except (backups.BackupError, OSError) as exc:
        console.print(f"[red]backup failed:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"backed up {len(report.files)} database file(s), {report.bytes} bytes, to {file}")


def run_restore(
    file: Path = typer.Argument(..., help="A backup written by `portfolio backup`."),
    checkpoint: Path | None = typer.Option(
        None, "--checkpoint", help="Check against this checkpoint (default: the last exported)."
    ),
    replace: bool = typer.Option(False, "--replace", help="Replace data already there."),
) -> None:
    """Restore FILE into the data directory, then check every chain and the checkpoint."""
    settings = Settings()
    _embedded_only(settings)
    try:
        report = backups.restore(file, settings.data_dir, replace=replace)
    except backups.BackupError as exc:
        console.print(f"[red]restore refused:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"restored {len(report.files)} database file(s) into {settings.data_dir}")
    against = checkpoint
    if against is None and settings.checkpoint_key_file is not None:
        last = cli_checkpoint.last_export(settings)
        against = last if last.exists() else None

    async def go() -> tuple[CheckResult, CheckResult | None]:
        async with command_runtime(settings):
            chains = await checkpoints.check_chains()
            signed = None
            if against is not None:
                signed = await cli_checkpoint.check_file(settings, against)
            return chains, signed

    try:
        chains, signed = asyncio.run(go())
    except CheckpointError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    typer.echo("chains as stored:")
    cli_checkpoint.print_result(chains)
    if signed is not None:
        typer.echo(f"against the checkpoint {against}:")
        cli_checkpoint.print_result(signed)
    else:
        typer.echo("no checkpoint to compare with (see `portfolio checkpoint export`)")
    if not chains.ok or (signed is not None and not signed.ok):
        raise typer.Exit(1)


def install(app: typer.Typer) -> None:
    """Add the commands to the ``portfolio`` app."""
    app.command("backup")(run_backup)
    app.command("restore")(run_restore)
