"""``portfolio reports rebuild``: recompute every statistics counter from the source documents.

Exit status: 0 rebuilt; 3 the store cannot be opened.
"""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio.reports.rebuild import Rebuilt, rebuild
from portfolio.settings import Settings
from portfolio.storage import StoreError

reports_app = typer.Typer(help="Statistics for agencies.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)


@reports_app.command("rebuild")
def rebuild_counters() -> None:
    """Recompute the report counters from enrolments, certificates, vouchers and
    apprenticeships (run it while nothing is being recorded)."""
    settings = Settings()

    async def go() -> Rebuilt:
        async with command_runtime(settings):
            return await rebuild()

    try:
        done = asyncio.run(go())
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    typer.echo(
        f"rebuilt {done.cells} counter cell(s) from {done.completions} completion(s), "
        f"{done.certificates} certificate(s), {done.voucher_events} voucher event(s) and "
        f"{done.agreements} apprenticeship(s); {done.markers} distinct worker count(s)"
    )
