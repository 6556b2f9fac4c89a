"""``portfolio migrate``: bring stored data to the current forms (see ``portfolio.migrations``).

Exit status: 0 the data is in the current form (migrated now or before); 1 the migration
finished but left archives whose hash chain did not verify before it (listed; their entries
are untouched: investigate them); 2 with ``--check``, a migration is pending; 3 the store
cannot be opened.
"""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio import migrations
from portfolio.migrations import MigrationSummary
from portfolio.settings import Settings
from portfolio.storage import StoreError

console = Console(stderr=True, soft_wrap=True)


def install(app: typer.Typer) -> None:
    """Register ``portfolio migrate`` on the root command."""
    app.command("migrate")(migrate)


def migrate(
    batch_size: int = typer.Option(
        migrations.runner.DEFAULT_BATCH, "--batch-size", min=1, help="Documents per batch."
    ),
    recheck: bool = typer.Option(
        False, "--recheck", help="Walk every collection again, even after a finished run."
    ),
    check: bool = typer.Option(
        False, "--check", help="Only say whether a migration is pending (exit 2 if so)."
    ),
) -> None:
    """Seal birth dates and phone numbers, recompute masked forms, re-hash the chains that
    held a birth date, rename phone-number logins (idempotent: run it again to continue an
    interrupted run). Stop the service first."""
    settings = Settings()

    async def go() -> MigrationSummary | bool:
        async with command_runtime(settings) as runtime:
            if check:
                return await migrations.pending()

            def progress(step: str, seen: int) -> None:
                console.print(f"{step}: {seen:,} looked at", highlight=False)

            return await migrations.migrate(
                runtime.keyring, batch_size=batch_size, progress=progress, recheck=recheck
            )

    try:
        outcome = asyncio.run(go())
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    if isinstance(outcome, bool):
        typer.echo("migration pending" if outcome else "data in the current form")
        raise typer.Exit(2 if outcome else 0)
    changed = ", ".join(f"{name} {n:,}" for name, n in sorted(outcome.counts.items()) if n)
    typer.echo(
        f"{migrations.MIGRATION_ID}: {'finished' if outcome.finished else 'stopped'} "
        f"({outcome.batches} batch(es) in {outcome.seconds:.1f} s); changed: {changed or 'nothing'}"
    )
    for archive_id in outcome.broken_chains:
        typer.echo(f"archive {archive_id}: chain did not verify before the migration; untouched")
    if outcome.broken_chains:
        raise typer.Exit(1)
