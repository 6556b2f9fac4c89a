"""The credentials benchmark runs and prints both of its figures (at a small size)."""

from __future__ import annotations

import pytest

from bench import credentials as bench_credentials


def test_the_credentials_benchmark_prints_its_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BENCH_CREDENTIALS_SIGN", "20")
    monkeypatch.setenv("BENCH_CREDENTIALS_VERIFY", "1")
    bench_credentials.main()
    out = capsys.readouterr().out
    assert "credentials/s" in out
    assert "verified a 50-entry CLR" in out
