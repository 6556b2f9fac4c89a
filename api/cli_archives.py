"""``portfolio archive verify``: recompute archive hash chains from the stored entries.

Exit status: 0 every checked chain verifies; 1 at least one is broken (each broken archive is
printed with the first sequence number that does not verify); 2 a wrong invocation or an
unknown archive; 3 the store cannot be opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import typer
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio.archives import entries
from portfolio.archives.views import ChainReport
from portfolio.errors import NotFound
from portfolio.settings import Settings
from portfolio.storage import StoreError

archive_app = typer.Typer(help="Check worker archives.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)


def _line(report: ChainReport) -> str:
    if report.ok:
        return f"archive {report.archive_id}: ok ({report.entries_checked} entries)"
    return (
        f"archive {report.archive_id}: BROKEN at seq {report.first_broken_seq} "
        f"({report.entries_checked} entries stored, head {report.head_seq})"
    )


@archive_app.command("verify")
def verify(
    archive: str | None = typer.Option(None, "--archive", help="Check this archive id only."),
    all_archives: bool = typer.Option(False, "--all", help="Check every archive."),
) -> None:
    """Recompute hash chains; print each broken archive's first bad seq; exit 1 on any break."""
    if (archive is None) == (not all_archives):
        console.print("[red]give either --archive ID or --all[/red]")
        raise typer.Exit(2)
    settings = Settings()

    async def reports() -> AsyncIterator[ChainReport]:
        if archive is not None:
            yield await entries.verify_chain(archive)
        else:
            async for report in entries.verify_all():
                yield report

    async def check() -> tuple[int, int]:
        checked = broken = 0
        async with command_runtime(settings):
            # Printed as they come: a full run over many archives shows its progress.
            async for report in reports():
                checked += 1
                broken += 0 if report.ok else 1
                if not report.ok or archive is not None:
                    typer.echo(_line(report))
        return checked, broken

    try:
        checked, broken = asyncio.run(check())
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    typer.echo(f"checked {checked} archive(s): {broken} broken")
    if broken:
        raise typer.Exit(1)
