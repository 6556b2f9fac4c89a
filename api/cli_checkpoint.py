"""``portfolio checkpoint export FILE`` and ``portfolio checkpoint check FILE``.

Export signs the head of every hash chain with the checkpoint key
(``PORTFOLIO_CHECKPOINT_KEY_FILE``); check compares the database with a checkpoint and prints
every chain that differs. A copy of the last export is kept next to the key
(``<key file>.last.json``), for the check after a restore. Exit status: 0 every chain matches;
1 a difference; 2 no key, or a checkpoint that does not verify; 3 the store cannot be opened.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio import checkpoints
from portfolio.checkpoints import CheckpointError, CheckResult
from portfolio.settings import Settings
from portfolio.storage import StoreError

checkpoint_app = typer.Typer(help="Signed checkpoints of every hash chain.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)


def key_path(settings: Settings) -> Path:
    """The checkpoint key's file, or exit 2 when none is configured."""
    if settings.checkpoint_key_file is None:
        console.print("[red]set PORTFOLIO_CHECKPOINT_KEY_FILE (the checkpoint key's file)[/red]")
        raise typer.Exit(2)
    return settings.checkpoint_key_file


def last_export(settings: Settings) -> Path:
    """Where the copy of the last exported checkpoint is kept."""
    path = key_path(settings)
    return path.with_name(path.name + ".last.json")


def print_result(result: CheckResult) -> None:
    """One line per differing chain, then the totals."""
    for difference in result.differences:
        found = difference.found or "missing or broken"
        typer.echo(
            f"{difference.source} {difference.chain}: differs at seq {difference.seq} "
            f"(signed {difference.signed[:16]}…, found {found[:16]}…)"
        )
    typer.echo(
        f"checked {result.chains_checked} chain(s): {len(result.differences)} differ"
        if result.differences
        else f"checked {result.chains_checked} chain(s): all intact"
    )


@checkpoint_app.command("export")
def export(
    file: Path = typer.Argument(..., help="Where to write the checkpoint (JSON)."),
    create_key: bool = typer.Option(False, "--create-key", help="Create the key if missing."),
) -> None:
    """Sign the head of every chain into FILE."""
    settings = Settings()
    path = key_path(settings)

    async def go() -> dict[str, object]:
        key = checkpoints.load_key(path, create=create_key)
        async with command_runtime(settings):
            return await checkpoints.export(key, settings.database)

    try:
        document = asyncio.run(go())
    except CheckpointError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    checkpoints.write(document, file)
    checkpoints.write(document, last_export(settings))
    chains = document["chains"]
    assert isinstance(chains, dict)
    typer.echo(f"checkpoint of {sum(len(v) for v in chains.values())} chain(s) written to {file}")


async def check_file(settings: Settings, file: Path) -> CheckResult:
    """The check of ``file`` against the open database (inside a command runtime)."""
    key = checkpoints.load_key(key_path(settings))
    return await checkpoints.check(checkpoints.read(file), key.public_key())


@checkpoint_app.command("check")
def check(file: Path = typer.Argument(..., help="A checkpoint file written by export.")) -> None:
    """Compare the database with the checkpoint FILE; print every chain that differs."""
    settings = Settings()

    async def go() -> CheckResult:
        async with command_runtime(settings):
            return await check_file(settings, file)

    try:
        result = asyncio.run(go())
    except CheckpointError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    print_result(result)
    if not result.ok:
        raise typer.Exit(1)
