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


def test_the_suite_profile_gives_busy_share_inclusive_and_own_shares(tmp_path: Path) -> None:
    from bench.profile import summarise

    stacks = tmp_path / "store.txt"
    stacks.write_text(
        "main (embedded_main.py:1);handle (nx_27017/handler.py:9);"
        "execute (neosqlite/collection.py:5) 3\n"
        "main (embedded_main.py:1);handle (nx_27017/handler.py:9);"
        "encode (bson/__init__.py:7) 1\n"
    )
    text = summarise(stacks, seconds=1)
    lines = text.splitlines()
    # 4 samples in 1 s at 100 Hz: the thread was busy 4% of the time
    assert lines[0].startswith("4 samples"), lines[0]
    assert "(4% of one thread" in lines[0], lines[0]
    on_stack = lines[lines.index("on the stack:") + 1 : lines.index("own (the frame sampled):")]
    own = lines[lines.index("own (the frame sampled):") + 1 :]
    # main and handle are on every stack: left out as outer frames
    assert [line.split(maxsplit=1)[1] for line in on_stack] == [
        "execute (neosqlite/collection.py)",
        "encode (bson/__init__.py)",
    ]
    assert own[0].split() == ["75.0%", "execute", "(neosqlite/collection.py)"]
