"""The domain clock: stopped, moved, and back to the real one."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr, ValidationError

from portfolio import clock
from portfolio.settings import Settings


def test_a_stopped_clock_reads_the_moment_and_moves_only_when_told() -> None:
    clock.travel_to(datetime(2026, 3, 1, 23, 30, 0, 123456, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 1, 23, 30, 0, 123000, tzinfo=UTC)
    assert clock.china_today() == date(2026, 3, 2)  # 07:30 next day in China
    clock.advance(timedelta(days=30))
    assert clock.now() == datetime(2026, 3, 31, 23, 30, 0, 123000, tzinfo=UTC)


def test_an_offset_clock_runs_ahead_of_the_real_one() -> None:
    clock.set_offset(timedelta(days=10))
    ahead = clock.now() - clock.real_now()
    assert timedelta(days=9, hours=23) < ahead <= timedelta(days=10)
    clock.resume()
    assert abs(clock.now() - clock.real_now()) < timedelta(seconds=5)


def test_stopped_at_restores_the_clock_it_found() -> None:
    clock.set_offset(timedelta(days=1))
    with clock.stopped_at(datetime(2020, 1, 1, tzinfo=UTC)):
        assert clock.now() == datetime(2020, 1, 1, tzinfo=UTC)
    assert clock.now() - clock.real_now() > timedelta(hours=23)


def test_epoch_milliseconds_round_trip() -> None:
    moment = datetime(2026, 12, 5, 8, 0, 0, 7000, tzinfo=UTC)
    assert clock.from_epoch_ms(clock.epoch_ms(moment)) == moment


def test_production_refuses_a_moved_clock() -> None:
    with pytest.raises(ValidationError, match="CLOCK_OFFSET_DAYS"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            env="production",
            master_key=SecretStr(base64.b64encode(secrets.token_bytes(32)).decode()),
            mongodb_uri=SecretStr("mongodb://localhost"),
            clock_offset_days=3,
        )
