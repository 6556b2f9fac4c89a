"""What the report use cases return: a finished report as plain values, for every face.

A :class:`ReportView` states what it covers (the agency's scope, the region, the months, the
grouping, the filters, the suppression threshold), its columns (wire name and Chinese header)
and its rows and total. A figure hidden because it counts too few people is ``None`` and named
in its row's ``suppressed``; :meth:`ReportView.sheet` gives the same table as text, with a
hidden figure as ``<threshold`` (the CSV export and a page's table). Figures are named flat
(``certificates_by_level.senior``); :meth:`ReportRowView.grouped` nests the dotted names for a
JSON body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portfolio.exports import Cell, Sheet
from portfolio.reports.query import GroupBy
from portfolio.reports.tables import Row, Table, Value

ROW_KEY_HEADER = "分组"
ROW_LABEL_HEADER = "名称"


@dataclass(frozen=True)
class ReportColumnView:
    """One figure of a report: its name and its Chinese header."""

    name: str
    label: str


@dataclass(frozen=True)
class ReportRowView:
    """One group of a report (or the total): its key, label, figures and hidden figures."""

    key: str
    label: str
    figures: dict[str, Value]
    suppressed: list[str]

    @classmethod
    def of(cls, row: Row) -> ReportRowView:
        """The view of a finished row (hidden figures already None)."""
        return cls(row.key, row.label, dict(row.values), sorted(row.suppressed))

    def grouped(self) -> dict[str, Any]:
        """The row with dotted figure names nested (``{"certificates_by_level": {...}}``)."""
        nested: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "suppressed": list(self.suppressed),
        }
        for name, value in self.figures.items():
            head, _, tail = name.partition(".")
            if tail:
                nested.setdefault(head, {})[tail] = value
            else:
                nested[name] = value
        return nested

    def text(self, name: str, threshold: int) -> str:
        """One figure as text: ``<threshold`` when hidden, "" when there is none."""
        if name in self.suppressed:
            return f"<{threshold}"
        value = self.figures[name]
        return "" if value is None else str(value)


@dataclass(frozen=True)
class ReportView:
    """A finished report of an agency (see the module docstring)."""

    report: str
    scope: str
    region: str
    month_from: str
    month_to: str
    group_by: GroupBy
    filters: dict[str, str]
    suppression_threshold: int
    columns: list[ReportColumnView]
    rows: list[ReportRowView]
    total: ReportRowView

    @classmethod
    def of(cls, table: Table) -> ReportView:
        """The view of a finished table."""
        scope = table.scope
        return cls(
            report=table.report,
            scope=scope.agency_prefix,
            region=scope.region,
            month_from=scope.month_from,
            month_to=scope.month_to,
            group_by=scope.group_by,
            filters=dict(scope.filters),
            suppression_threshold=table.threshold,
            columns=[ReportColumnView(c.name, c.label) for c in table.columns],
            rows=[ReportRowView.of(row) for row in table.rows],
            total=ReportRowView.of(table.total),
        )

    def sheet(self) -> Sheet:
        """The header of Chinese labels, one line per row, the total last; all as text."""
        names = [column.name for column in self.columns]
        header = [ROW_KEY_HEADER, ROW_LABEL_HEADER, *(c.label for c in self.columns)]
        lines: list[list[Cell]] = [
            [row.key, row.label, *(row.text(name, self.suppression_threshold) for name in names)]
            for row in [*self.rows, self.total]
        ]
        return Sheet(f"{self.report} {self.region}", header, lines)

    @property
    def file_basename(self) -> str:
        """The download's name without its extension: report, region and months."""
        return f"{self.report}-{self.region}-{self.month_from}-{self.month_to}"
