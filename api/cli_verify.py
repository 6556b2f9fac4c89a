"""``portfolio verify FILE``: check a credential from the command line, online or offline.

Offline: ``--keys`` names a saved DID document or JWKS of the issuer and ``--status`` a saved
status list credential (its signature is checked with the same keys). Without them the
issuer's DID document and status list are fetched from the URLs the credential names
(did:web: ``https://<host>/.well-known/did.json``). Exit status 0 valid, 1 not valid.

``portfolio rotate-issuer-key`` adds a new issuer signing key (exit 3: no store).
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import typer
from cryptography.hazmat.primitives.asymmetric import ec
from rich.console import Console

from api.cli_runtime import command_runtime
from portfolio import clock, credentials
from portfolio.credentials import (
    Verdict,
    keys_from_document,
    status_from_credential,
    verify,
)
from portfolio.credentials.jws import BadCredential, header_of
from portfolio.settings import Settings
from portfolio.storage import StoreError

console = Console(soft_wrap=True)
TIMEOUT_SECONDS = 10


def install(app: typer.Typer) -> None:
    """Register ``portfolio verify`` on the root command."""
    app.command("verify")(verify_command)
    app.command("rotate-issuer-key")(rotate_issuer_key)


def _fetch(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"refusing to fetch {url!r}")
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - checked
        text: str = response.read().decode()
        return text


def did_url(did: str) -> str:
    """Where a did:web DID's document lives."""
    host = unquote(did.removeprefix("did:web:").split(":", 1)[0])
    scheme = "http" if host.startswith(("localhost", "127.0.0.1")) else "https"
    return f"{scheme}://{host}/.well-known/did.json"


def verify_token(
    token: str, keys_doc: Mapping[str, Any] | None = None, status_token: str | None = None
) -> Verdict:
    """Verify ``token``; keys and status list from the saved copies given, else fetched."""
    if keys_doc is None:
        try:
            did = str(header_of(token)["kid"]).split("#", 1)[0]
        except BadCredential:
            did = ""
        keys_doc = json.loads(_fetch(did_url(did))) if did else {}
    keys: dict[str, ec.EllipticCurvePublicKey] = keys_from_document(keys_doc)
    saved: dict[str, str] = {}
    if status_token is not None:
        url, encoded = status_from_credential(status_token.strip(), keys)
        saved[url] = encoded

    def lists(url: str) -> str | None:
        if url not in saved and status_token is None:
            saved[url] = status_from_credential(_fetch(url).strip(), keys)[1]
        return saved.get(url)

    return verify(token.strip(), keys, lists, clock.now())


def _show(verdict: Verdict, indent: str = "") -> None:
    mark = "[green]VALID[/green]" if verdict.ok else "[red]NOT VALID[/red]"
    console.print(f"{indent}{mark} {verdict.kind} {verdict.name}".rstrip())
    for check in verdict.checks:
        console.print(f"{indent}  {'ok ' if check.ok else 'BAD'} {check.name}: {check.detail}")
    for achievement in verdict.achievements:
        console.print(f"{indent}  - {achievement['name']} ({achievement['creator']})")
    for part in verdict.parts:
        _show(part, indent + "    ")


def verify_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The credential (JWS)."),
    keys: Path | None = typer.Option(None, "--keys", help="Saved DID document or JWKS."),
    status: Path | None = typer.Option(None, "--status", help="Saved status list credential."),
) -> None:
    """Check a credential's signature, issuer key, dates and status; say what it holds."""
    keys_doc = json.loads(keys.read_text()) if keys else None
    status_token = status.read_text() if status else None
    verdict = verify_token(file.read_text(), keys_doc, status_token)
    _show(verdict)
    raise typer.Exit(0 if verdict.ok else 1)


def rotate_issuer_key() -> None:
    """Add a new issuer signing key; the older ones stay published, so every credential
    already issued still verifies."""
    settings = Settings()

    async def rotate() -> str:
        async with command_runtime(settings):
            return await credentials.rotate_issuer_key()

    try:
        kid = asyncio.run(rotate())
    except StoreError as exc:
        console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(3) from exc
    typer.echo(f"new issuer key {kid}")
