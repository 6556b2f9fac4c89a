"""Recognition across borders (issue 27): certificates from Chongqing recognised under the
Sichuan-Chongqing cooperation (川渝), and foreign vocational qualifications, each recorded by an
agency (or submitted by the worker), decided by an agency of the worker's region, and stated in
the worker's archive (a recognised one holds its level there).

The public face of the area: what other areas may use (they import from
``portfolio.crossborder``, never from its modules).
"""

from portfolio.crossborder.counting import COUNTS_AS_NEW_SKILLED, BorderCount, border_counts
from portfolio.crossborder.documents import BorderRecognition, BorderStatus, Origin, Submitter
from portfolio.crossborder.stating import finish_entries

__all__ = [
    "COUNTS_AS_NEW_SKILLED",
    "BorderCount",
    "BorderRecognition",
    "BorderStatus",
    "Origin",
    "Submitter",
    "border_counts",
    "finish_entries",
]
