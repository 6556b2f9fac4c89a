"""``portfolio repair``: finish what a crash left half-done (also run at every start-up)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import timedelta

import typer
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio.repair import RepairReport, repair
from portfolio.settings import Settings

console = Console(soft_wrap=True)


def run_repair() -> None:
    """Finish what a crash left half-done; print what was finished (exit 1 if another
    process is running the routine)."""
    settings = Settings()

    async def go() -> RepairReport:
        async with command_runtime(settings):
            return await repair(grace=timedelta(seconds=settings.repair_grace_seconds))

    report = asyncio.run(go())
    if not report.ran:
        console.print("another process is running the repair routine now; nothing done")
        raise typer.Exit(1)
    for what, count in asdict(report).items():
        if what != "ran":
            console.print(f"{what.replace('_', ' ')}: {count}")


def install(app: typer.Typer) -> None:
    """Add the command to the ``portfolio`` app."""
    app.command("repair")(run_repair)
