"""A finished report (``portfolio.reports.views.ReportView``) as a page shows it: its main
figures with their names in the page's language, each cell as text (money in yuan, rates
in per cent, a hidden figure as ``<5``), and one figure as a bar chart drawn on the server
(SVG geometry computed here, so the template only places it).

Nothing is counted here: the figures are the report's, the same as its CSV and .xlsx.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from api.web.formatting import yuan
from api.web.i18n import N_
from api.web.templating import language_of, t
from portfolio.reports.tables import Value
from portfolio.reports.views import ReportRowView, ReportView

NAMES = {
    "people_trained": N_("People trained"),
    "completions": N_("Completions"),
    "passed": N_("Passed"),
    "completion_rate": N_("Pass rate"),
    "training_hours": N_("Training hours"),
    "certificates": N_("Certificates"),
    "certified_workers": N_("Workers with a certificate"),
    "high_skill_workers": N_("High-skill workers"),
    "high_skill_share": N_("Share of high-skill workers"),
    "issued": N_("Vouchers issued"),
    "bound": N_("Bound to a course"),
    "released": N_("Released"),
    "claimed": N_("Claimed"),
    "claims_rejected": N_("Claims sent back"),
    "redeemed": N_("Redeemed"),
    "expired": N_("Expired"),
    "cancelled": N_("Cancelled"),
    "redeemed_of_issued": N_("Issued in the period and redeemed"),
    "uptake_rate": N_("Uptake rate"),
    "median_days_to_redemption": N_("Median days from issue to redemption"),
    "agreements": N_("New agreements"),
    "completed": N_("Completed"),
    "stopped": N_("Stopped"),
    "subsidy_owed_fen": N_("Subsidy owed"),
    "competitions": N_("Competitions held"),
    "entrants": N_("Entrants"),
    "results": N_("Placed"),
    "levels_granted": N_("Levels granted"),
    "members": N_("Priority-group memberships"),
    "enrolled": N_("Enrolments while a member"),
    "vouchers": N_("Vouchers issued while a member"),
    "honours": N_("Honours"),
    "granted": N_("New skill levels"),
    "high_skill": N_("Of them high-skill"),
}
REPORTS = {
    "training": N_("Training"),
    "vouchers": N_("Vouchers"),
    "apprenticeships": N_("Apprenticeships"),
    "distinctions": N_("Competitions and honours"),
    "levels": N_("Ways to a skill level"),
    "priority": N_("Priority groups"),
}
GROUPS = {
    "region": N_("By region"),
    "month": N_("By month"),
    "type": N_("By type of training"),
    "brand": N_("By skill brand"),
    "occupation": N_("By occupation"),
    "level": N_("By level"),
    "policy": N_("By voucher policy"),
    "road": N_("By way to the level"),
    "year": N_("By year"),
    "priority_group": N_("By priority group"),
}
# Bars: the width of the drawing, the room for the value after a bar, one row's height.
WIDTH, VALUE_ROOM, ROW = 360, 96, 44


@dataclass(frozen=True)
class Bar:
    """One row of the chart: its label, the bar's width (0 when none) and the value shown."""

    label: str
    y: int
    width: int
    text: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of one figure, a row per group."""

    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH


def main_columns(view: ReportView) -> list[str]:
    """The figures a page shows: the named ones (the breakdowns stay in the downloads)."""
    return [c.name for c in view.columns if c.name in NAMES]


def column_name(request: Request, view: ReportView, name: str) -> str:
    """A figure's header: the report's own Chinese label, or its English name."""
    if language_of(request).code.startswith("zh"):
        return next(c.label for c in view.columns if c.name == name)
    return t(request, NAMES[name])


def cell(request: Request, view: ReportView, row: ReportRowView, name: str) -> str:
    """One figure of a row as text."""
    if name in row.suppressed:
        return f"<{view.suppression_threshold}"
    value: Value = row.figures.get(name)
    if value is None:
        return "—"
    if name.endswith("_fen"):
        return yuan(int(value), language_of(request))
    if name.endswith(("_rate", "_share")):
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return f"{value:,}"


def chart(request: Request, view: ReportView, name: str) -> Chart:
    """The bar chart of figure ``name`` over the report's rows (hidden figures drawn as none)."""
    values = [(row, None if name in row.suppressed else row.figures.get(name)) for row in view.rows]
    top = max((float(v) for _, v in values if v is not None), default=0.0)
    room = WIDTH - VALUE_ROOM
    bars = [
        Bar(
            label=row.label or row.key,
            y=index * ROW,
            width=round(float(value) / top * room) if value is not None and top > 0 else 0,
            text=cell(request, view, row, name),
        )
        for index, (row, value) in enumerate(values)
    ]
    return Chart(column_name(request, view, name), bars, max(len(bars), 1) * ROW)
