"""``portfolio migrate``: bring stored data to the forms the current code writes.

One migration so far, ``privacy-2`` (issue 19, SECURITY.md "Personal data"):

* archives: birth date and phone number sealed (they were plaintext), the masked forms
  recomputed (``510104********1234`` -> ``510104**********34``), every sealed value sealed
  again with a fresh random nonce (the seeder's nonces were an unkeyed hash of the public seed
  and the plaintext), ``form: 2``;
* archive entries: the ``registered`` entry without the birth date, every masked number in
  the new form, and the chain hashed again from that entry on (the old hashes commit, without
  a key, to the birth date: kept, they would confirm a guessed date). An archive whose chain
  does not verify before the migration is left as it is (its fields are still sealed) and
  reported: the evidence stays for whoever investigates;
* copies of the masked number (enrolments, vouchers, apprenticeships) in the new form; the
  voucher grounds' age-band reason without the exact age;
* worker logins named by a phone number renamed to the number's keyed name
  (``portfolio.accounts.logins``), and the audit trail's copies of those names.

Idempotent and resumable: each step walks its collection in ``_id`` order in batches, every
write is a conditional update computed from what it reads (a value already in the new form is
left alone), and a checkpoint after each batch lets a stopped run continue where it was. An
archive's chain is rewritten under a journal (``migrating`` on the archive, set after its old
chain verified), so a run killed in the middle of one archive finishes it next time. Run it
with the service stopped (reads of archives still in the old form fail); a write that races
it anyway loses its conditional update or makes the migration retry that archive.
"""

from __future__ import annotations

from portfolio.migrations.runner import MIGRATION_ID, MigrationSummary, migrate, pending

__all__ = ["MIGRATION_ID", "MigrationSummary", "migrate", "pending"]
