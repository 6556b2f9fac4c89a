"""The agency's statistics (``/agency/statistics``): the training, voucher and apprenticeship
reports of its region by region, month, type, level, occupation or policy, as a bar chart of
one figure (SVG drawn on the server) and a table of the main figures, with the whole report
as CSV or .xlsx (``/agency/statistics/file``) through the single export writer.

The same use cases as ``GET /reports/*`` (``portfolio.reports``): the same scope (a region
outside the agency's answers 404), the same suppression of small cells, the same refusals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.downloads import download
from api.runtime import get_runtime
from api.web.formatting import level
from api.web.forms import FormState, PageError
from api.web.i18n import N_
from api.web.report_pages import GROUPS, REPORTS, cell, chart, column_name, main_columns
from api.web.routing import page_router
from api.web.templating import language_of, render, t
from api.web.training_words import page_words, word_of
from portfolio.accounts import Actor
from portfolio.errors import FieldError, ValidationFailed
from portfolio.exports import export
from portfolio.reports import apprenticeships, distinctions, levels, priority, training, vouchers
from portfolio.reports.query import GroupBy, ReportQuery
from portfolio.reports.views import ReportView
from portfolio.vocabulary import SkillLevel, TrainingType
from portfolio.vouchers import policies

router = page_router()
ReportName = Literal[
    "training", "vouchers", "apprenticeships", "distinctions", "levels", "priority"
]
_USE_CASES = {
    "training": (training.report, training.GROUPS),
    "vouchers": (vouchers.report, vouchers.GROUPS),
    "apprenticeships": (apprenticeships.report, apprenticeships.GROUPS),
    "distinctions": (distinctions.report, distinctions.GROUPS),
    "levels": (levels.report, levels.GROUPS),
}
# The priority-groups report opens sealed groups to count them: it takes the keyring too.
_GROUPS = {
    **{name: groups for name, (_, groups) in _USE_CASES.items()},
    "priority": priority.GROUPS,
}
_MESSAGES = {
    "from": N_("Enter the first month as a year and month, for example 2026-01"),
    "to": N_("Enter the last month as a year and month, for example 2026-12"),
    "after_to": N_("The first month comes after the last"),
    "group_by": N_("Choose one of the groupings this report has"),
    "region": N_("Enter a region code of 2, 4 or 6 digits within your region"),
    "type": N_("Choose one of the training types"),
    "level": N_("Choose one of the levels"),
    "occupation": N_("Enter an occupation code, for example 4-03-02-01"),
    "policy": N_("Choose one of the policies"),
}
POLICIES_SHOWN = 100
_FIELDS = ("from", "to", "region", "type", "level", "occupation", "policy")
_FILTERS = {
    "training": training.FILTERS,
    "vouchers": vouchers.FILTERS,
    "apprenticeships": apprenticeships.FILTERS,
    "distinctions": distinctions.FILTERS,
    "levels": levels.FILTERS,
    "priority": priority.FILTERS,
}
_Text = Query(default=None, max_length=10)


@dataclass(frozen=True)
class Narrow:
    """The report's filters as typed (``""``: not filtered); only those the report has
    are passed on (a filter left from another report is ignored, not refused)."""

    type: str = ""
    occupation: str = ""
    policy: str = ""
    level: str = ""

    def given(self, report: str) -> dict[str, str]:
        has = _FILTERS[report]
        return {k: v for k, v in asdict(self).items() if v and k in has}


def _narrow(
    type: str = Query(default="", max_length=40),
    occupation: str = Query(default="", max_length=20),
    policy: str = Query(default="", max_length=64),
    level: str = Query(default="", max_length=20),
) -> Narrow:
    return Narrow(type.strip(), occupation.strip(), policy.strip(), level.strip())


NarrowDep = Annotated[Narrow, Depends(_narrow)]


def _query(
    region: str | None, start: str | None, end: str | None, group: str, given: dict[str, str]
) -> ReportQuery:
    grouping = GroupBy(group) if group in GroupBy._value2member_map_ else None
    errors = [
        FieldError(name, "unknown", "not one of the choices")
        for name, kind in (("type", TrainingType), ("level", SkillLevel))
        if name in given and given[name] not in kind._value2member_map_
    ]
    if errors:
        raise ValidationFailed(errors)
    return ReportQuery(
        region=region or None,
        month_from=start or None,
        month_to=end or None,
        group_by=grouping,
        training_type=TrainingType(given["type"]) if "type" in given else None,
        occupation=given.get("occupation"),
        policy=given.get("policy"),
        level=SkillLevel(given["level"]) if "level" in given else None,
    )


async def _report(request: Request, actor: Actor, report: str, query: ReportQuery) -> ReportView:
    runtime = get_runtime(request)
    threshold = runtime.settings.report_min_cell
    if report == "priority":
        return await priority.report(
            actor=actor, query=query, threshold=threshold, keyring=runtime.keyring
        )
    use_case, _ = _USE_CASES[report]
    return await use_case(actor=actor, query=query, threshold=threshold)


def _errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    found = []
    for error in failed.errors:
        field = error.field if error.field in _FIELDS else "group_by"
        message = _MESSAGES.get("after_to" if error.rule == "after_to" else field)
        found.append(PageError(field, t(request, message) if message else error.message))
    return found


async def _filter_options(request: Request, actor: Actor, report: str) -> dict[str, object]:
    """The choices of the report's filters: training types, levels, the region's policies."""
    word = word_of(request)
    language = language_of(request)
    has = _FILTERS[report]
    found = (
        await policies.list_policies(actor=actor, after=None, limit=POLICIES_SHOWN)
        if "policy" in has
        else None
    )
    return {
        "type_options": [(v.value, word("type", v)) for v in TrainingType],
        "level_options": [(v.value, level(v, language)) for v in SkillLevel],
        "policy_options": [(p.policy_key, p.name) for p in found.items] if found else [],
    }


@router.get("/agency/statistics")
async def statistics_page(
    request: Request,
    actor: AgencyPage,
    report: ReportName = "training",
    group_by: str = Query(default="region", max_length=20),
    start: str | None = Query(default=None, alias="from", max_length=10),
    end: str | None = Query(default=None, alias="to", max_length=10),
    region: str | None = Query(default=None, max_length=10),
    figure: str = Query(default="", max_length=40),
    narrow: NarrowDep = Narrow(),
) -> Response:
    """One report of the region as a chart and a table, with its files to download."""
    groups = _GROUPS[report]
    if group_by not in {g.value for g in groups}:
        group_by = GroupBy.REGION.value
    errors: list[PageError] = []
    view: ReportView | None = None
    given = narrow.given(report)
    try:
        view = await _report(request, actor, report, _query(region, start, end, group_by, given))
    except ValidationFailed as failed:
        errors = _errors(request, failed)
    context: dict[str, object] = {"view": None}
    if view is not None:
        shown = main_columns(view)
        figure = figure if figure in shown else shown[0]
        params = {
            "report": report,
            "group_by": group_by,
            "from": view.month_from,
            "to": view.month_to,
            "region": view.region,
            **given,
        }
        context = {
            "view": view,
            "columns": [(name, column_name(request, view, name)) for name in shown],
            "cells": [
                [cell(request, view, row, name) for name in shown]
                for row in [*view.rows, view.total]
            ],
            "chart": chart(request, view, figure),
            "csv_url": f"/agency/statistics/file?{urlencode({**params, 'format': 'csv'})}",
            "xlsx_url": f"/agency/statistics/file?{urlencode({**params, 'format': 'xlsx'})}",
        }
    return await render(
        request,
        "agency/statistics/report.html",
        {
            **page_words(request),
            **context,
            "errors": errors,
            "error_of": FormState(errors=errors).error_of,
            "report": report,
            "group_by": group_by,
            "figure": figure,
            "start": start or (view.month_from if view else ""),
            "end": end or (view.month_to if view else ""),
            "region": region or "",
            "reports": [(k, t(request, v)) for k, v in REPORTS.items()],
            "groups": [(g, t(request, GROUPS[g])) for g in GROUPS if GroupBy(g) in groups],
            "figures": context.get("columns", []),
            "narrow": narrow,
            "has": _FILTERS[report],
            **await _filter_options(request, actor, report),
        },
    )


@router.get("/agency/statistics/file")
async def statistics_file(
    request: Request,
    actor: AgencyPage,
    report: ReportName = "training",
    group_by: str = Query(default="region", max_length=20),
    start: str | None = Query(default=None, alias="from", max_length=10),
    end: str | None = Query(default=None, alias="to", max_length=10),
    region: str | None = Query(default=None, max_length=10),
    format: Literal["csv", "xlsx"] = "csv",
    narrow: NarrowDep = Narrow(),
) -> Response:
    """The whole report as a file: CSV (UTF-8 with a byte-order mark) or .xlsx."""
    given = narrow.given(report)
    view = await _report(request, actor, report, _query(region, start, end, group_by, given))
    return download(export(view.sheet(), file_format=format, basename=view.file_basename))
