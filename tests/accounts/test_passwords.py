"""Password hashing and policy (unit tests: no database)."""

from __future__ import annotations

import pytest

from portfolio.accounts import passwords
from portfolio.errors import ValidationFailed
from portfolio.settings import Settings


def _settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 8,
        "argon2_parallelism": 1,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def test_hash_verifies_only_the_right_password() -> None:
    settings = _settings()
    stored = await passwords.hash_password("correct horse battery", settings=settings)
    assert stored.startswith("$argon2id$")
    assert await passwords.verify_password("correct horse battery", stored, settings=settings)
    assert not await passwords.verify_password("correct horse batterY", stored, settings=settings)
    assert not await passwords.verify_password("x", "not a hash", settings=settings)
    too_long = "x" * (passwords.MAX_PASSWORD_LENGTH + 1)
    assert not await passwords.verify_password(too_long, stored, settings=settings)


async def test_changed_cost_settings_ask_for_a_rehash() -> None:
    cheap = _settings()
    stored = await passwords.hash_password("correct horse battery", settings=cheap)
    assert not passwords.needs_rehash(stored, settings=cheap)
    assert passwords.needs_rehash(stored, settings=_settings(argon2_time_cost=2))


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short", "min_length"),
        ("x" * (passwords.MAX_PASSWORD_LENGTH + 1), "max_length"),
        ("Alice.Smith", "equals_username"),
    ],
)
def test_policy_refuses_weak_passwords(password: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        passwords.check_policy(password, settings=_settings(), username="alice.smith", field="pw")
    assert [(e.field, e.rule) for e in caught.value.errors] == [("pw", rule)]


def test_policy_accepts_a_long_enough_password() -> None:
    passwords.check_policy(
        "correct horse battery", settings=_settings(), username="alice", field="pw"
    )
