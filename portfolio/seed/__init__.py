"""A deterministic synthetic province for benchmarks and demos (``portfolio seed``).

``seed_province(settings, keyring, *, archives=N, seed=S, password=P, progress=None)`` writes
straight to the collections (unordered ``insert_many`` in chunks of 1,000, never the HTTP
API), in exactly the stored form the services write: sealed identity numbers, birth dates and
phone numbers (keyed synthetic nonces, so a resumed run writes the same bytes), blind indexes,
masked numbers, real hash chains, voucher events and ledger rows, then rebuilds the report
counters. Beanie must be initialised by the caller (``DOCUMENT_MODELS``) and the keys prepared
(``bootstrap.prepare``), as every command does.

Contract (the benchmarks rely on it):

* Logins, all with the password ``P`` (default ``seed-password``; synthetic local data only):
  ``seed-agency-51`` (the province, region prefix ``51``); ``seed-agency-<city>`` for each of
  Sichuan's 21 cities (``seed-agency-5101`` …); ``seed-provider-<k:04d>`` for provider
  organisation ``k = 0 ..``; ``seed-worker-<n:07d>`` for the ``n``-th archive,
  ``n = 0 .. N-1`` (active accounts: ``POST /auth/token`` then ``GET /me/archive``).
* ``seed_runs`` document ``_id: "province"``: ``archives``, ``seed``, ``as_of``,
  ``batch_size``, ``done`` (batches per phase), ``counts`` (documents per collection),
  ``finished``. Same N and S write the same documents; re-running continues where a run
  stopped and writes nothing twice; another N or S on a seeded database is refused.
* Open work for writing scenarios (about 10 % of the data): runs that ended in the last three
  weeks whose enrolled workers (at least 40 a run where the batch has 40 workers) are in
  training with confirmed attendance and no completion yet (a class sheet completes them);
  and vouchers in state ``claimed`` whose enrolment has a passed completion and enough
  confirmed attendance, so an agency of the voucher's region may redeem them.
"""

from __future__ import annotations

from portfolio.seed.province import SeedRefused, SeedSummary, seed_province

__all__ = ["SeedRefused", "SeedSummary", "seed_province"]
