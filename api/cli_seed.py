"""``portfolio seed``: write a deterministic synthetic province (see ``portfolio.seed``).

Exit status: 0 the province is complete (written now or before); 2 the database holds another
province (other ``--archives`` or ``--seed``) or a wrong invocation; 3 the store cannot be
opened.
"""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from api.cli_runtime import command_runtime
from portfolio.seed import SeedRefused, SeedSummary, seed_province
from portfolio.settings import Settings
from portfolio.storage import StoreError

console = Console(stderr=True, soft_wrap=True)
DEFAULT_PASSWORD = "seed-password"  # noqa: S105 - synthetic local data only (documented)


def install(app: typer.Typer) -> None:
    """Register ``portfolio seed`` on the root command."""
    app.command("seed")(seed)


def seed(
    archives: int = typer.Option(..., "--archives", min=1, help="Workers (archives) to create."),
    seed_value: int = typer.Option(1, "--seed", help="Seed: the same seed writes the same data."),
    password: str = typer.Option(
        DEFAULT_PASSWORD, "--password", help="Password of every seeded login (synthetic data)."
    ),
) -> None:
    """Write a synthetic Sichuan province of ARCHIVES workers straight to the store
    (resumable: run it again to continue an interrupted run)."""
    settings = Settings()
    if settings.env == "production":
        console.print("[red]seeding synthetic data is refused in production mode[/red]")
        raise typer.Exit(2)

    async def go() -> SeedSummary:
        async with command_runtime(settings) as runtime:
            with Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[docs]:>12,} documents"),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                tasks: dict[str, TaskID] = {}

                def progress(phase: str, done: int, total: int, counts: dict[str, int]) -> None:
                    if phase not in tasks:
                        tasks[phase] = bar.add_task(phase, total=total, docs=0)
                    bar.update(tasks[phase], completed=done, docs=sum(counts.values()))

                return await seed_province(
                    runtime.settings,
                    runtime.keyring,
                    archives=archives,
                    seed=seed_value,
                    password=password,
                    progress=progress,
                )

    try:
        summary = asyncio.run(go())
    except SeedRefused as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    rate = summary.documents / summary.seconds if summary.seconds else 0.0
    typer.echo(
        f"province of {summary.archives} archives (seed {summary.seed}, as of "
        f"{summary.as_of.date().isoformat()}): {summary.documents:,} documents; "
        f"{summary.batches_written} batch(es) written in {summary.seconds:.1f} s"
        + (f" ({rate:,.0f} documents/s)" if summary.batches_written else "")
    )
