"""Verifiable credentials: Open Badges 3.0 badges, the archive's CLR 2.0, issuer keys
(did:web, JWKS), the Bitstring Status List, and verification for anyone.

The face other areas and the HTTP layer use. ``configure`` runs at start-up
(``bootstrap.prepare``); ``archive_clr(archive_id)`` is what the export bundle includes.
"""

from portfolio.credentials.issuer_keys import IssuerKey
from portfolio.credentials.issuing import (
    Issued,
    archive_clr,
    check,
    configure,
    did_document,
    jwks,
    on_certificate_changed,
    own_status_list,
    published_keys_version,
    reload_keys,
    rotate_issuer_key,
    status_list_credential,
    worker_credentials,
)
from portfolio.credentials.status import CredentialStatus, StatusCounter
from portfolio.credentials.subscriber import on_event
from portfolio.credentials.verification import (
    Check,
    Verdict,
    keys_from_document,
    status_from_credential,
    verify,
)

__all__ = [
    "Check",
    "CredentialStatus",
    "Issued",
    "IssuerKey",
    "StatusCounter",
    "Verdict",
    "archive_clr",
    "check",
    "configure",
    "did_document",
    "jwks",
    "keys_from_document",
    "on_certificate_changed",
    "on_event",
    "own_status_list",
    "published_keys_version",
    "reload_keys",
    "rotate_issuer_key",
    "status_from_credential",
    "status_list_credential",
    "verify",
    "worker_credentials",
]
