"""Agency statistics: training, vouchers and apprenticeships in the agency's region, as JSON
or as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese headers)."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import AUTH_RESPONSES, AgencyUser
from api.runtime import RuntimeDep
from portfolio.reports import apprenticeships, training, vouchers
from portfolio.reports.query import GroupBy, ReportQuery
from portfolio.reports.tables import Row, Table
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType
from schemas.reports import (
    ApprenticeshipReportOut,
    ReportFiltersOut,
    TrainingReportOut,
    VoucherReportOut,
)

router = APIRouter(prefix="/reports", tags=["reports"])

Out = TypeVar("Out", bound=BaseModel)
Responses = dict[int | str, dict[str, Any]]
READ_ERRORS: Responses = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The report (JSON, or CSV with `?format=csv`)",
    },
    **AUTH_RESPONSES,
    403: {"description": "Not an agency (problem+json)"},
    404: {"description": "The region lies outside your scope"},
    422: {
        "description": "A malformed month or region, or a grouping or filter this report has not"
    },
}

MonthFrom = Annotated[
    str | None,
    Query(alias="from", max_length=7, description="first month, YYYY-MM (default: 11 before `to`)"),
]
MonthTo = Annotated[
    str | None, Query(max_length=7, description="last month, YYYY-MM (default: this month)")
]
Region = Annotated[
    str | None,
    Query(max_length=6, description="a region prefix inside your scope (default: your scope)"),
]
Grouping = Annotated[
    GroupBy | None,
    Query(description="rows by: region (one level below `region`, the default), month, ..."),
]
Occupation = Annotated[str | None, Query(max_length=16, description="e.g. 4-03-02-01")]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


def _values(row: Row) -> dict[str, Any]:
    """A row's figures with dotted names nested (``certificates_by_level.senior``)."""
    nested: dict[str, Any] = {
        "key": row.key,
        "label": row.label,
        "suppressed": sorted(row.suppressed),
    }
    for name, value in row.values.items():
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[name] = value
    return nested


def _json(table: Table, model: type[Out]) -> Out:
    scope = table.scope
    return model.model_validate(
        {
            "report": table.report,
            "scope": scope.agency_prefix,
            "region": scope.region,
            "month_from": scope.month_from,
            "month_to": scope.month_to,
            "group_by": scope.group_by,
            "filters": ReportFiltersOut(**scope.filters),
            "suppression_threshold": table.threshold,
            "rows": [_values(row) for row in table.rows],
            "total": _values(table.total),
        }
    )


def _cell(row: Row, name: str, threshold: int) -> str:
    if name in row.suppressed:
        return f"<{threshold}"
    value = row.values[name]
    return "" if value is None else str(value)


def _csv(table: Table) -> Response:
    """Header row of Chinese labels, one line per row, the total last; hidden figures "<5"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["分组", "名称", *(column.label for column in table.columns)])
    for row in [*table.rows, table.total]:
        writer.writerow(
            [row.key, row.label, *(_cell(row, c.name, table.threshold) for c in table.columns)]
        )
    scope = table.scope
    filename = f"{table.report}-{scope.region}-{scope.month_from}-{scope.month_to}.csv"
    return Response(
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _answer(
    compute: Callable[[], Awaitable[Table]], model: type[Out], format: str
) -> Out | Response:
    table = await compute()
    return _csv(table) if format == "csv" else _json(table, model)


@router.get(
    "/training",
    summary="Training figures of my region",
    response_model=TrainingReportOut,
    responses=READ_ERRORS,
)
async def training_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    month_from: MonthFrom = None,
    to: MonthTo = None,
    region: Region = None,
    group_by: Grouping = None,
    type: TrainingType | None = None,
    brand: SkillBrand | None = None,
    occupation: Occupation = None,
    format: Format = "json",
) -> TrainingReportOut | Response:
    """People trained, completions and completion rate, training hours, certificates by level
    and the share of high-skill workers; rows by region, month, type, brand or occupation."""
    query = ReportQuery(
        region=region,
        month_from=month_from,
        month_to=to,
        group_by=group_by,
        training_type=type,
        brand=brand,
        occupation=occupation,
    )
    return await _answer(
        lambda: training.report(
            actor=actor,
            query=query,
            threshold=runtime.settings.report_min_cell,
            now=datetime.now(UTC),
        ),
        TrainingReportOut,
        format,
    )


@router.get(
    "/vouchers",
    summary="Voucher figures of my region",
    response_model=VoucherReportOut,
    responses=READ_ERRORS,
)
async def voucher_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    month_from: MonthFrom = None,
    to: MonthTo = None,
    region: Region = None,
    group_by: Grouping = None,
    type: TrainingType | None = None,
    brand: SkillBrand | None = None,
    policy: Annotated[str | None, Query(max_length=64, description="a policy id")] = None,
    format: Format = "json",
) -> VoucherReportOut | Response:
    """Vouchers issued, bound, claimed, redeemed, expired and cancelled (counts and fen), the
    uptake rate and the median days from issue to redemption; rows by region, month, policy,
    type or brand (type and brand: of the course a voucher was bound to)."""
    query = ReportQuery(
        region=region,
        month_from=month_from,
        month_to=to,
        group_by=group_by,
        training_type=type,
        brand=brand,
        policy=policy,
    )
    return await _answer(
        lambda: vouchers.report(
            actor=actor,
            query=query,
            threshold=runtime.settings.report_min_cell,
            now=datetime.now(UTC),
        ),
        VoucherReportOut,
        format,
    )


@router.get(
    "/apprenticeships",
    summary="Apprenticeship figures of my region",
    response_model=ApprenticeshipReportOut,
    responses=READ_ERRORS,
)
async def apprenticeship_report(
    actor: AgencyUser,
    runtime: RuntimeDep,
    month_from: MonthFrom = None,
    to: MonthTo = None,
    region: Region = None,
    group_by: Grouping = None,
    type: Annotated[TrainingType | None, Query(description="refused: not applicable")] = None,
    brand: Annotated[SkillBrand | None, Query(description="refused: not applicable")] = None,
    occupation: Occupation = None,
    level: Annotated[SkillLevel | None, Query(description="the target level")] = None,
    format: Format = "json",
) -> ApprenticeshipReportOut | Response:
    """Agreements created in the period by their current state, completions by the level
    reached and stops in the period, and the subsidy owed for them; rows by region, month,
    occupation or target level. Apprenticeships have no training type or brand: those
    filters are refused (422) rather than ignored."""
    query = ReportQuery(
        region=region,
        month_from=month_from,
        month_to=to,
        group_by=group_by,
        training_type=type,
        brand=brand,
        occupation=occupation,
        level=level,
    )
    return await _answer(
        lambda: apprenticeships.report(
            actor=actor,
            query=query,
            threshold=runtime.settings.report_min_cell,
            now=datetime.now(UTC),
        ),
        ApprenticeshipReportOut,
        format,
    )
