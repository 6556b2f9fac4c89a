"""The accounts area's keys in the keyring: token signing (``jwt``) and the throttle's HMAC key.

* ``jwt``: EC P-256 private keys that sign access tokens; ``portfolio keys rotate`` adds one.
* ``login-throttle``: 32 random bytes keying the HMAC under which rate-limit and failed-login
  counters name a username or a client address (people type passwords into the username
  field: an unkeyed hash of it could be reversed by guessing). It never rotates on purpose;
  should it, counters simply start afresh.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from portfolio.keyring import Key, Keyring

SIGNING_PURPOSE = "jwt"
THROTTLE_PURPOSE = "login-throttle"


def make_signing_key() -> bytes:
    """A new EC P-256 private key as unencrypted PKCS#8 PEM (the keyring wraps it)."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    return private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


async def ensure_signing_key(keyring: Keyring) -> Key:
    """The current signing key, created on first start (safe on many replicas at once)."""
    return await keyring.ensure(SIGNING_PURPOSE, make_signing_key)


async def throttle_secret(keyring: Keyring) -> bytes:
    """The throttle's HMAC key, created on first use (safe on many replicas at once)."""
    key = await keyring.ensure(THROTTLE_PURPOSE, lambda: secrets.token_bytes(32))
    return key.secret
