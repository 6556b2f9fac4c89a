"""Honours for skilled workers (天府卓越工程师, 天府工匠, 四川技能大师, 四川省技术能手 and city
honours): recorded by an agency with the year, the nominating body and the selection, stated
in the worker's archive.

The public face of the area: what other areas may use (they import from
``portfolio.honours``, never from its modules).
"""

from portfolio.honours.counting import HonourFacts, honours_to_count
from portfolio.honours.documents import Honour, HonourStatus, HonourTitle
from portfolio.honours.rules import TITLE_LABELS
from portfolio.honours.service import finish_entries

__all__ = [
    "TITLE_LABELS",
    "Honour",
    "HonourFacts",
    "HonourStatus",
    "HonourTitle",
    "finish_entries",
    "honours_to_count",
]
