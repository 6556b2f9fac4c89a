"""The read-path benchmark's profile summary: py-spy's collapsed stacks read as shares of our
functions and of each library (a parser test; nothing is timed)."""

from __future__ import annotations

from pathlib import Path

from bench.read_path import summarise_profile

STACKS = (
    "run (uvicorn/server.py:1);get_my_archive (api/routers/me.py:90);"
    "find_one (pymongo/asynchronous/collection.py:5) 6\n"
    "run (uvicorn/server.py:1);get_my_archive (api/routers/me.py:90);"
    "summary_of (portfolio/archives/kept_summary.py:80) 2\n"
    "select (selectors.py:469) 2\n"
)


def test_shares_count_each_frame_once_per_sample(tmp_path: Path) -> None:
    profile = tmp_path / "stacks.txt"
    profile.write_text(STACKS)
    lines = summarise_profile(profile).splitlines()
    assert lines[0].startswith("10 samples")
    shares = {line.split("  ", 2)[-1].strip(): line.split("%")[0].strip() for line in lines[1:]}
    assert shares["get_my_archive (api/routers/me.py)"] == "80.0"
    assert shares["[uvicorn]"] == "80.0"
    assert shares["[pymongo]"] == "60.0"
    assert shares["summary_of (portfolio/archives/kept_summary.py)"] == "20.0"
    assert shares["[event loop: select]"] == "20.0"
