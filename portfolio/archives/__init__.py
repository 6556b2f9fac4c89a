"""The per-worker archive: identity, links, the tamper-evident entries and the access log."""
