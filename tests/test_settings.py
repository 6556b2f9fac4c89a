"""Production refuses a master key that is short or typed rather than random."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable

import pytest
from pydantic import SecretStr, ValidationError

from portfolio.settings import Settings


def _production(master_key: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="production",
        master_key=SecretStr(master_key),
        mongodb_uri=SecretStr("mongodb://localhost"),
    )


@pytest.mark.parametrize(
    "weak",
    [
        "correct horse battery staple",  # a passphrase, not base64 of random bytes
        base64.b64encode(secrets.token_bytes(16)).decode(),  # 16 bytes
        base64.b64encode(b"a" * 48).decode(),  # long enough, but a pattern
        "test-master-key-not-secret",
    ],
)
def test_production_refuses_a_weak_master_key(weak: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 random bytes"):
        _production(weak)


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_production_takes_32_random_bytes_in_base64(encode: Callable[[bytes], bytes]) -> None:
    key = encode(secrets.token_bytes(32)).decode()
    assert _production(key).master_key is not None
    assert _production(key.rstrip("=")).master_key is not None
