"""The audit trail of security events: insert-only, readable by admins, never edited.

The public face of the area: what other areas may use (they import from ``portfolio.audit``,
never from its modules).
"""

from portfolio.audit.context import request_client
from portfolio.audit.service import AuditKind, Outcome, record

__all__ = ["AuditKind", "Outcome", "record", "request_client"]
