"""Training vouchers: policies with versions, issue, bind, claims, redemption and the ledger.

The public face of the area: what other areas may use (they import from ``portfolio.vouchers``,
never from its modules). The area tells others of every voucher's change through its event
(``vouchers.changed``, counted by the reports) and listens to the training area's
(``listening.py``: an enrolment that ended early gives its voucher back).
"""

from portfolio.vouchers.coverage import usable_vouchers
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.events import CourseKinds, VoucherChange, VouchersChanged, changes_to_count
from portfolio.vouchers.ledger import MILESTONE, Payment, post
from portfolio.vouchers.listening import on_event
from portfolio.vouchers.occupation_codes import stored_occupation_codes
from portfolio.vouchers.reading import voucher_times
from portfolio.vouchers.recount import ISSUED_COUNTER as ISSUED_COUNTER
from portfolio.vouchers.redemption import finish_redemptions
from portfolio.vouchers.review_fields import fill_review_fields
from portfolio.vouchers.transitions import (
    expire_due,
    publish_missing_events,
    restore_missing_events,
)

__all__ = [
    "MILESTONE",
    "CourseKinds",
    "Payment",
    "VoucherAction",
    "VoucherChange",
    "VoucherStatus",
    "VouchersChanged",
    "changes_to_count",
    "expire_due",
    "fill_review_fields",
    "finish_redemptions",
    "on_event",
    "post",
    "publish_missing_events",
    "restore_missing_events",
    "stored_occupation_codes",
    "usable_vouchers",
    "voucher_times",
]
