"""The audit trail: security events (``record``) and the change trail (``changed``).

Both are insert-only. The public face of the area: what other areas may use (they import from
``portfolio.audit``, never from its modules).
"""

from portfolio.audit.context import request_client
from portfolio.audit.restore import Snapshot, finish_trail, register_documents, register_source
from portfolio.audit.search import ChangeFilter, search_changes
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.audit.trail import (
    Change,
    ChangeRecord,
    changed,
    changed_many,
    check_chain,
    mask_login,
    mask_name,
    trail_heads,
)

__all__ = [
    "AuditKind",
    "Change",
    "ChangeFilter",
    "ChangeRecord",
    "Outcome",
    "Snapshot",
    "changed",
    "changed_many",
    "check_chain",
    "finish_trail",
    "mask_login",
    "mask_name",
    "record",
    "register_documents",
    "register_source",
    "request_client",
    "search_changes",
    "trail_heads",
]
