"""Agency statistics: training, vouchers and apprenticeships in the agency's region, as JSON
or as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese headers).

Each report is one use case returning a report view; this router only renders it.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AgencyUser
from api.downloads import FormatQuery, download
from api.responses import AUTH_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.exports import XLSX_MEDIA_TYPE, export
from portfolio.reports import apprenticeships, distinctions, levels, priority, training, vouchers
from portfolio.reports.views import ReportView
from schemas.reports import (
    ApprenticeshipReportOut,
    ApprenticeshipReportParams,
    DistinctionsReportOut,
    DistinctionsReportParams,
    LevelsReportOut,
    LevelsReportParams,
    PriorityReportOut,
    PriorityReportParams,
    ReportOut,
    TrainingReportOut,
    TrainingReportParams,
    VoucherReportOut,
    VoucherReportParams,
)

router = APIRouter(prefix="/reports", tags=["reports"])

Out = TypeVar("Out", bound=ReportOut)
REPORT_RESPONSES: Responses = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "The report (JSON, or a file with `?format=csv` or `xlsx`)",
    },
    **AUTH_ERRORS,
    403: {"description": "Not an agency (problem+json)"},
    404: {"description": "The region lies outside your scope"},
    422: {
        "description": "A malformed month or region, or a grouping or filter this report has not"
    },
}


def _render(view: ReportView, model: type[Out], format: str) -> Out | Response:
    if format == "json":
        return model.from_view(view)
    return download(export(view.sheet(), file_format=format, basename=view.file_basename))


@router.get(
    "/training",
    summary="Training figures of my region",
    response_model=TrainingReportOut,
    responses=REPORT_RESPONSES,
)
async def training_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    params: Annotated[TrainingReportParams, Query()],
    format: FormatQuery = "json",
) -> TrainingReportOut | Response:
    """People trained, completions and completion rate, training hours, certificates by level
    and the share of high-skill workers; rows by region, month, type, brand or occupation."""
    view = await training.report(
        actor=actor, query=params.to_domain(), threshold=runtime.settings.report_min_cell
    )
    return _render(view, TrainingReportOut, format)


@router.get(
    "/vouchers",
    summary="Voucher figures of my region",
    response_model=VoucherReportOut,
    responses=REPORT_RESPONSES,
)
async def voucher_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    params: Annotated[VoucherReportParams, Query()],
    format: FormatQuery = "json",
) -> VoucherReportOut | Response:
    """Vouchers issued, bound, claimed, redeemed, expired and cancelled (counts and fen), the
    uptake rate and the median days from issue to redemption; rows by region, month, policy,
    type or brand (type and brand: of the course a voucher was bound to)."""
    view = await vouchers.report(
        actor=actor, query=params.to_domain(), threshold=runtime.settings.report_min_cell
    )
    return _render(view, VoucherReportOut, format)


@router.get(
    "/apprenticeships",
    summary="Apprenticeship figures of my region",
    response_model=ApprenticeshipReportOut,
    responses=REPORT_RESPONSES,
)
async def apprenticeship_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    params: Annotated[ApprenticeshipReportParams, Query()],
    format: FormatQuery = "json",
) -> ApprenticeshipReportOut | Response:
    """Agreements created in the period by their current state, completions by the level
    reached and stops in the period, and the subsidy owed for them; rows by region, month,
    occupation or target level. Apprenticeships have no training type or brand: those
    filters are refused (422) rather than ignored."""
    view = await apprenticeships.report(
        actor=actor, query=params.to_domain(), threshold=runtime.settings.report_min_cell
    )
    return _render(view, ApprenticeshipReportOut, format)


@router.get(
    "/distinctions",
    summary="Competitions and honours of my region",
    response_model=DistinctionsReportOut,
    responses=REPORT_RESPONSES,
)
async def distinctions_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    params: Annotated[DistinctionsReportParams, Query()],
    format: FormatQuery = "json",
) -> DistinctionsReportOut | Response:
    """Competitions held, entrants, placed results and the levels they granted, and honours
    by title; rows by region or year (the months asked for are read as their years)."""
    view = await distinctions.report(
        actor=actor, query=params.to_domain(), threshold=runtime.settings.report_min_cell
    )
    return _render(view, DistinctionsReportOut, format)


@router.get(
    "/priority-groups",
    summary="Priority groups' members, training and vouchers in my region",
    response_model=PriorityReportOut,
    responses=REPORT_RESPONSES,
)
async def priority_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    params: Annotated[PriorityReportParams, Query()],
    format: FormatQuery = "json",
) -> PriorityReportOut | Response:
    """Memberships of the plan's priority groups (and village craftsmen) current in the period,
    the enrolments and vouchers of members while members; rows by region or by
    ``priority_group``. Sensitive groups appear only as counts, small ones suppressed."""
    view = await priority.report(
        actor=actor,
        query=params.to_domain(),
        threshold=runtime.settings.report_min_cell,
        keyring=runtime.keyring,
    )
    return _render(view, PriorityReportOut, format)


@router.get(
    "/levels",
    summary="New skill levels of my region by road",
    response_model=LevelsReportOut,
    responses=REPORT_RESPONSES,
)
async def levels_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    params: Annotated[LevelsReportParams, Query()],
    format: FormatQuery = "json",
) -> LevelsReportOut | Response:
    """Levels granted in the period by each of the plan's roads (course, assessment body,
    enterprise, direct recognition, special ability, apprenticeship) and the high-skill part;
    rows by region (the worker's), month, year, road or level."""
    view = await levels.report(
        actor=actor, query=params.to_domain(), threshold=runtime.settings.report_min_cell
    )
    return _render(view, LevelsReportOut, format)
