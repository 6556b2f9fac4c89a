"""Token signing keys: EC P-256 private keys kept in the keyring under purpose ``jwt``."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from portfolio.keyring import Key, Keyring

SIGNING_PURPOSE = "jwt"


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
