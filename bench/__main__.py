"""``python -m bench [NAME ...]``: the benchmark suite, one of its scenarios, the soak, or
one of the older single-purpose benchmarks.

* no name: every scenario at every size in ``BENCH_SIZES`` (``bench.suite``);
* scenario names (``archive_read``, ``reports``, ``login``, ``append_contended``,
  ``bulk_completion``, ``redeem_distinct``, ``redeem_contended``, ``mixed``): just those;
* ``soak``: the sustained mixed workload of ``make fuzz`` (``bench.soak``);
* ``legacy:credentials``: badges signed per second and a 50-entry CLR verified;
* ``integrity``: claims with the fraud rules on and off (``bench.integrity``);
* ``legacy:archive_read``, ``legacy:reports``: the earlier stand-alone benchmarks (the
  reports one at issue 10's sizes, 10k archives / 100k completions and 100k / 1M, with its
  counters written directly; it seeds archives with ``archive_read``'s seeder).
"""

from __future__ import annotations

import importlib
import sys

LEGACY = ("archive_read", "reports", "credentials", "occupations")


def main() -> int:
    """Dispatch on the command line (see the module docstring)."""
    names = sys.argv[1:]
    if names[:1] == ["integrity"]:
        from bench import integrity

        return integrity.main()
    if names[:1] == ["soak"]:
        from bench import soak

        return soak.main()
    if names and names[0].startswith("legacy:"):
        name = names[0].removeprefix("legacy:")
        if name not in LEGACY:
            print(f"unknown legacy benchmark {name}; known: {', '.join(LEGACY)}")
            return 2
        importlib.import_module(f"bench.{name}").main()
        return 0
    from bench import suite

    return suite.main(names)


if __name__ == "__main__":
    sys.exit(main())
