"""Project-based training (项目制培训): an agency buys a training project from a provider for
a group of workers and pays it by milestone, with the voucher claims' guarantees (measured
conditions, the workers' attestations, the fraud rules' flags, four eyes, exactly-once
payment on the ledger with the project's fund, within the budget).

The public face of the area: what the API, the pages and the repair routine may call.
"""

from portfolio.projects.documents import (
    Condition,
    MilestoneStatus,
    ProjectAttestation,
    TrainingProject,
    milestone_entry_id,
)
from portfolio.projects.measuring import CONFIRMED, DISPUTED, Measures, measure
from portfolio.projects.milestones import (
    AFTER_PAYMENT,
    PaymentsFinished,
    claim,
    decide,
    finish_payments,
)
from portfolio.projects.service import (
    MilestoneContent,
    ProjectContent,
    attest,
    create,
    get,
    list_visible,
    measured,
    projects_of_worker,
)
from portfolio.projects.views import MilestoneView, ProjectView
from portfolio.projects.worker import MyProject, ProjectClass, my_projects

__all__ = [
    "AFTER_PAYMENT",
    "CONFIRMED",
    "DISPUTED",
    "Condition",
    "Measures",
    "MilestoneContent",
    "MilestoneStatus",
    "MilestoneView",
    "MyProject",
    "PaymentsFinished",
    "ProjectAttestation",
    "ProjectClass",
    "ProjectContent",
    "ProjectView",
    "TrainingProject",
    "attest",
    "claim",
    "create",
    "decide",
    "finish_payments",
    "get",
    "list_visible",
    "measure",
    "measured",
    "milestone_entry_id",
    "my_projects",
    "projects_of_worker",
]
