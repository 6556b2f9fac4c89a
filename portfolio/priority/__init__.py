"""Priority groups (重点群体) of the plan: migrant workers, college graduates, veterans, the
unemployed, people lifted out of poverty, people with disabilities and rural workers of
assisted counties, and the agency's designation of village craftsmen (乡村工匠).

Each membership is recorded by an officer of the worker's region with its source (the register
or document), from and until dates, and is ended with a reason. Disability and poverty are
sensitive personal information: sealed at rest, opened only for the worker themself and for an
agency officer of the region who states a purpose (each such read is in the worker's access
log); providers never see any group (they learn only that a voucher was issued).

The public face of the area: what other areas may use (they import from
``portfolio.priority``, never from its modules).
"""

from portfolio.priority.documents import MembershipStatus, PriorityMembership
from portfolio.priority.reading import MemberFacts, current_groups, members_to_count
from portfolio.priority.views import MembershipView, WorkerGroups

__all__ = [
    "MemberFacts",
    "MembershipStatus",
    "MembershipView",
    "PriorityMembership",
    "WorkerGroups",
    "current_groups",
    "members_to_count",
]
