"""The audit trail of security events: insert-only, readable by admins, never edited."""
