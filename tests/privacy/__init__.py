"""Privacy checks shared by the suite: scans for plaintext personal data, candidate counts of
masked numbers, and the old stored forms that ``portfolio migrate`` converts."""

from __future__ import annotations

from tests.privacy.scan import Finding, identity_numbers_in, scan_database, scan_document, scan_text

__all__ = ["Finding", "identity_numbers_in", "scan_database", "scan_document", "scan_text"]
