"""Unit tests of the dense rules: suppression, the histogram median, the request checks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from portfolio.accounts.principal import Actor, Role
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from portfolio.reports.counters import FINE, Cell, Level, choose_level
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Row, suppress
from portfolio.reports.vouchers import bucket, median_days
from portfolio.vocabulary import TrainingType

COLUMNS = (
    Column("people", "人数", people=True),
    Column("passed", "合格", people=True),
    Column("rate", "合格率", follows=("people", "passed")),
    Column("hours", "学时", follows=("people",)),
    Column("junior", "初级", people=True, part_of="certs"),
    Column("senior", "高级", people=True, part_of="certs"),
    Column("none", "无", people=True, part_of="certs"),
    Column("certs", "证书", people=True),
)


def row(key: str, **values: int | float) -> Row:
    return Row(key, key, {c.name: values.get(c.name, 0) for c in COLUMNS})


def test_small_counts_are_hidden_zero_and_large_ones_stay() -> None:
    rows = [row("a", people=3, passed=0, hours=12.5, certs=0), row("b", people=0, certs=0)]
    total = row("total", people=3, hours=12.5)
    suppress(COLUMNS, rows, total, 5)
    assert rows[0].suppressed == {"people", "rate", "hours"}
    assert rows[0].values["people"] is None
    assert rows[0].values["passed"] == 0
    assert rows[1].suppressed == set()
    assert total.suppressed == {"people", "rate", "hours"}


def test_one_hidden_cell_in_a_column_hides_the_next_smallest() -> None:
    rows = [row("a", people=4), row("b", people=30), row("c", people=9), row("d", people=0)]
    total = row("total", people=43)
    suppress(COLUMNS, rows, total, 5)
    assert [r.values["people"] for r in rows] == [None, 30, None, 0]
    assert total.values["people"] == 43
    # Two hidden cells: only their sum (13) can be worked out.
    rows = [row("a", people=4), row("b", people=3), row("c", people=9)]
    total = row("total", people=16)
    suppress(COLUMNS, rows, total, 5)
    assert [r.values["people"] for r in rows] == [None, None, 9]


def test_one_hidden_part_of_a_sum_hides_the_next_smallest_part() -> None:
    rows = [row("a", junior=2, senior=7, none=20, certs=29, people=29, passed=29)]
    total = row("total", junior=2, senior=7, none=20, certs=29, people=29, passed=29)
    suppress(COLUMNS, rows, total, 5)
    for line in (rows[0], total):
        assert (line.values["junior"], line.values["senior"], line.values["none"]) == (
            None,
            None,
            20,
        )
        assert line.values["certs"] == 29


def test_threshold_zero_hides_nothing() -> None:
    rows = [row("a", people=1, passed=1)]
    total = row("total", people=1, passed=1)
    suppress(COLUMNS, rows, total, 0)
    assert rows[0].suppressed == set()
    assert rows[0].values["people"] == 1


@pytest.mark.parametrize(
    ("days", "field"),
    [
        (0, "rd_000"),
        (60, "rd_060"),
        (61, "rd_061"),
        (67, "rd_061"),
        (68, "rd_068"),
        (365, "rd_362"),
        (366, "rd_366"),
        (900, "rd_366"),
    ],
)
def test_days_buckets(days: int, field: str) -> None:
    assert bucket(days) == field


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ({}, None),
        ({"rd_041": 1}, 41.0),
        ({"rd_019": 1, "rd_041": 1, "rd_060": 1}, 41.0),
        ({"rd_010": 2, "rd_020": 2}, 15.0),
        ({"rd_003": 1, "rd_005": 3, "rd_366": 1}, 5.0),
        ({"rd_061": 1}, 64.0),  # a week's bucket counts as its middle day
        ({"rd_059": 1, "rd_075": 2}, 78.0),
        ({"rd_366": 2, "rd_001": 1}, 366.0),
        ({"rd_001": 0, "rd_002": 1, "rd_008": 0, "rd_004": 1}, 3.0),
        ({"rd_001": 1, "issued": 7}, 1.0),
    ],
)
def test_median_of_the_days_histogram(histogram: dict[str, int], median: float | None) -> None:
    assert median_days(Counter(histogram)) == median


AGENCY = Actor("p", "a", Role.AGENCY, region_prefix="5101")
NOW = datetime(2026, 11, 27, 3, tzinfo=UTC)
TRAINING = frozenset({GroupBy.REGION, GroupBy.MONTH, GroupBy.TYPE})


def test_resolve_defaults_and_depth() -> None:
    scope = resolve(AGENCY, ReportQuery(), groups=TRAINING, filters=frozenset(), now=NOW)
    assert (scope.region, scope.month_from, scope.month_to) == ("5101", "2025-12", "2026-11")
    assert (scope.group_by, scope.region_depth) == (GroupBy.REGION, 6)
    district = resolve(
        AGENCY,
        ReportQuery(region="510104", training_type=TrainingType.SKILL_UPGRADING),
        groups=TRAINING,
        filters=frozenset({"type"}),
        now=NOW,
    )
    assert (district.region_depth, district.filters) == (6, {"type": "skill_upgrading"})
    province = Actor("p", "a", Role.AGENCY, region_prefix="51")
    assert resolve(province, ReportQuery(), groups=TRAINING, filters=frozenset(), now=NOW)
    scope = resolve(province, ReportQuery(), groups=TRAINING, filters=frozenset(), now=NOW)
    assert scope.region_depth == 4


def test_resolve_refuses_what_the_report_has_not() -> None:
    with pytest.raises(ValidationFailed) as failed:
        resolve(
            AGENCY,
            ReportQuery(
                month_from="2026-1",
                group_by=GroupBy.POLICY,
                training_type=TrainingType.ENTREPRENEURSHIP,
            ),
            groups=TRAINING,
            filters=frozenset(),
            now=NOW,
        )
    assert {e.field for e in failed.value.errors} == {"from", "group_by", "type"}
    with pytest.raises(NotFound):
        resolve(AGENCY, ReportQuery(region="51"), groups=TRAINING, filters=frozenset(), now=NOW)
    with pytest.raises(Forbidden):
        resolve(
            Actor("p", "w", Role.WORKER, archive_id="x"),
            ReportQuery(),
            groups=TRAINING,
            filters=frozenset(),
            now=NOW,
        )


def test_cell_keys_fields_and_rollups() -> None:
    cell = Cell(
        "training",
        "510104",
        "2026-03",
        (("type", "employment_skills"), ("brand", "sichuan_chef"), ("occupation", "4-03-02-01")),
        rollups=((4, ()), (6, ("type", "brand"))),
    )
    assert cell.key == "training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01"
    assert [(document.__name__, key, fields) for document, key, fields in cell.stored()] == [
        (
            "ReportCounter",
            cell.key,
            {
                "kind": "training",
                "rollup": "cell",
                "slot": "training|510104",
                "region_code": "510104",
                "month": "2026-03",
                "type": "employment_skills",
                "brand": "sichuan_chef",
                "occupation": "4-03-02-01",
            },
        ),
        (
            "ReportTotal",
            "training.r4|5101|2026-03",
            {
                "kind": "training",
                "rollup": "r4",
                "slot": "training.r4|5101",
                "region_code": "5101",
                "month": "2026-03",
            },
        ),
        (
            "DistrictBreakdown",
            "training.r6+type+brand|510104|2026-03|employment_skills|sichuan_chef",
            {
                "kind": "training",
                "rollup": "r6+type+brand",
                "slot": "training.r6+type+brand|510104",
                "region_code": "510104",
                "month": "2026-03",
                "type": "employment_skills",
                "brand": "sichuan_chef",
            },
        ),
    ]
    for bad in (
        {"region_code": "5101"},
        {"month": "2026-3"},
        {"dims": (("type", "a|b"),)},
        {"dims": (("month", "x"),)},
    ):
        arguments = {"kind": "training", "region_code": "510104", "month": "2026-03", **bad}
        with pytest.raises(ValueError, match="a"):
            Cell(**arguments)  # type: ignore[arg-type]


def test_the_coarsest_fitting_level_is_read() -> None:
    dims = ("type", "brand", "occupation")
    rollups = ((4, ()), (4, ("type", "brand")), (4, dims), (6, ()), (6, ("type", "brand")))
    assert choose_level(dims, rollups, depth=4, needs=set()) == Level("r4", 4, (), False)
    assert choose_level(dims, rollups, depth=4, needs={"brand"}).name == "r4+type+brand"
    assert choose_level(dims, rollups, depth=4, needs={"occupation"}).name == (
        "r4+type+brand+occupation"
    )
    assert choose_level(dims, rollups, depth=6, needs={"type"}).name == "r6+type+brand"
    assert choose_level(dims, rollups, depth=6, needs={"occupation"}) == Level(FINE, 6, dims)
    assert choose_level(dims, rollups, depth=4, needs={"occupation"}).document.__name__ == (
        "CityDetail"
    )
    assert choose_level(dims, rollups, depth=4, needs={"type"}).document.__name__ == (
        "CityBreakdown"
    )
