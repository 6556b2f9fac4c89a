"""``portfolio shard-keys``: the planned shard key of every collection (``portfolio.sharding``).

Prints the table the README's "Sharding" section explains; ``--compose`` prints
``docker-compose.sharded.yml`` instead, written from the same plan. Needs no store.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from portfolio import sharding, sharding_compose


def shard_keys(
    compose: bool = typer.Option(
        False, "--compose", help="Print docker-compose.sharded.yml instead of the table."
    ),
    why: bool = typer.Option(False, "--why", help="Add each collection's reasoning."),
) -> None:
    """Print the planned shard key of every collection, and which queries stay on one shard."""
    if compose:
        typer.echo(sharding_compose.render(), nl=False)
        return
    table = Table(title="Planned shard keys (portfolio/sharding.py)")
    for column in ("collection", "shard key", "one shard", "every shard"):
        table.add_column(column)
    if why:
        table.add_column("why")
    for placement in sorted(sharding.PLAN, key=lambda p: (not p.sharded, p.collection)):
        row = [placement.collection, placement.key_text(), placement.single, placement.fan_out]
        table.add_row(*row, *([placement.reason] if why else []))
    Console(width=200 if why else 160).print(table)


def install(app: typer.Typer) -> None:
    """Register ``portfolio shard-keys`` on the root command."""
    app.command("shard-keys")(shard_keys)
