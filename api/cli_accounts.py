"""``portfolio admin …`` and ``portfolio keys …``: accounts and signing keys from a terminal.

``admin create-user`` is how a fresh installation gets its first admin.
"""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum

import typer
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio.accounts import Principal, service, sessions
from portfolio.accounts.principal import Role
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import Conflict, ValidationFailed
from portfolio.settings import Settings
from portfolio.storage import StoreError

admin_app = typer.Typer(help="Administer accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage signing keys.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)


class CreatableRole(StrEnum):
    """Roles an administrator creates; workers activate their own accounts."""

    PROVIDER = Role.PROVIDER.value
    AGENCY = Role.AGENCY.value
    ADMIN = Role.ADMIN.value


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@admin_app.command("create-user")
def create_user(
    username: str = typer.Option(..., help="Login name (3 to 64 characters)."),
    role: CreatableRole = typer.Option(..., help="provider, agency or admin."),
    region: str | None = typer.Option(None, help="An agency's region prefix: 2, 4 or 6 digits."),
    organisation: str | None = typer.Option(None, help="A provider user's organisation id."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create an account (the first admin of a fresh installation, for one)."""
    password = _read_password(password_stdin)
    settings = Settings()

    async def create() -> Principal:
        async with command_runtime(settings) as runtime:
            principal = await service.create_principal(
                settings=runtime.settings,
                username=username,
                password=password,
                role=Role(role.value),
                created_by="cli",
                organisation_id=organisation,
                region_prefix=region,
            )
            # The trail shows every account and who made it; here, whoever runs the command
            # on the server (the first admin, or an operator outside the API).
            await record(
                AuditKind.PRINCIPAL_CREATED,
                Outcome.SUCCESS,
                username="cli",
                role="operator",
                target=str(principal.id),
                target_role=principal.role.value,
                organisation_id=organisation,
                region_prefix=region,
            )
            return principal

    try:
        principal = asyncio.run(create())
    except ValidationFailed as exc:
        for error in exc.errors:
            console.print(f"[red]{error.field}[/red]: {error.message}")
        raise typer.Exit(2) from exc
    except Conflict as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    typer.echo(f"created {principal.role.value} {principal.username} ({principal.id})")


@keys_app.command("rotate")
def rotate() -> None:
    """Add a new current token signing key; tokens signed by older keys keep working until
    the old keys retire (PORTFOLIO_SIGNING_KEY_RETIRE_AFTER_SECONDS after the rotation)."""
    settings = Settings()

    async def rotate_key() -> str:
        async with command_runtime(settings) as runtime:
            return (await sessions.rotate_signing_key(keyring=runtime.keyring)).kid

    try:
        kid = asyncio.run(rotate_key())
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    typer.echo(f"new signing key {kid}")
