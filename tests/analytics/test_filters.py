"""The filters value: SQL conditions, bound parameters, sentences, and refused columns.

Fixture deals (pipeline, owner, team, custom map):
| deal | pipeline | owner | team | custom            |
|------|----------|-------|------|-------------------|
| A    | Sales    | Aiko  | East | {Tier: Gold}      |
| B    | Sales    | Ben   | West | {Tier: Silver}    |
| C    | Renewals | -     | East | -                 |
"""

from __future__ import annotations

from datetime import date

import pytest

from analytics.filters import (
    NONE,
    BadFilters,
    Filters,
    UnknownColumn,
    column_sql,
    deal_conditions,
    dimension_values,
    dimensions,
    period_condition,
    pipelines_in_scope,
)
from analytics.quality import data_as_of
from tests.analytics.builders import build_store, day, pipeline_rows


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("filters") / "store.duckdb"
    con = build_store(
        path,
        pipelines=pipeline_rows("Sales", ["Lead", "Won over"]) + pipeline_rows("Renewals", ["Due"]),
        deals=[
            {"deal_id": "A", "pipeline": "Sales", "stage": "Lead", "status": "open",
             "owner": "Aiko", "team": "East", "created_at": day("2025-01-01"),
             "custom": {"Tier": "Gold"}},
            {"deal_id": "B", "pipeline": "Sales", "stage": "Lead", "status": "open",
             "owner": "Ben", "team": "West", "created_at": day("2025-01-02"),
             "custom": {"Tier": "Silver"}},
            {"deal_id": "C", "pipeline": "Renewals", "stage": "Due", "status": "open",
             "team": "East", "created_at": day("2025-01-03")},
        ],
    )  # fmt: skip
    yield con
    con.close()


def _ids(con, filters):
    where, params = deal_conditions(con, filters, "d")
    return [r[0] for r in con.execute(
        f"SELECT deal_id FROM deals AS d WHERE {where} ORDER BY 1", params).fetchall()]  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "sql", "params", "ids"),
    [
        (Filters(), "TRUE", [], ["A", "B", "C"]),
        (Filters(pipeline="Sales"), "TRUE AND d.pipeline = ?", ["Sales"], ["A", "B"]),
        (Filters.build(where={"owner": ["Aiko"]}), 'TRUE AND (d."owner" IN (?))', ["Aiko"],
         ["A"]),
        (Filters.build(where={"owner": ["Ben", "Aiko"]}), 'TRUE AND (d."owner" IN (?, ?))',
         ["Aiko", "Ben"], ["A", "B"]),
        (Filters.build(where={"owner": [NONE]}), 'TRUE AND (d."owner" IS NULL)', [], ["C"]),
        (Filters.build(where={"owner": [NONE, "Ben"]}),
         'TRUE AND (d."owner" IN (?) OR d."owner" IS NULL)', ["Ben"], ["B", "C"]),
        (Filters.build(pipeline="Sales", where={"team": ["East"]}),
         'TRUE AND d.pipeline = ? AND (d."team" IN (?))', ["Sales", "East"], ["A"]),
        (Filters.build(where={"Tier": ["Gold"]}),
         "TRUE AND (element_at(d.custom, 'Tier')[1] IN (?))", ["Gold"], ["A"]),
        # A value that looks like SQL is a bound parameter, never text of the query.
        (Filters.build(where={"owner": ["x') OR TRUE --"]}), 'TRUE AND (d."owner" IN (?))',
         ["x') OR TRUE --"], []),
    ],
)  # fmt: skip
def test_deal_conditions(con, filters, sql, params, ids):
    assert deal_conditions(con, filters, "d") == (sql, params)
    assert _ids(con, filters) == ids


@pytest.mark.parametrize("column", ["nope", "deal_id", "amount", 'owner" OR 1=1 --', "custom"])
def test_columns_that_are_not_dimensions_are_refused(con, column):
    with pytest.raises(UnknownColumn, match="Columns you can use"):
        column_sql(con, column)


def test_dimensions_lists_table_columns_then_custom_keys(con):
    dims = dimensions(con)
    assert dims[-1] == "Tier"
    assert {"pipeline", "owner", "team", "source", "region", "product"} <= set(dims)
    assert not {"deal_id", "amount", "created_at", "custom"} & set(dims)


def test_dimension_values_respect_the_other_filters(con):
    assert dimension_values(con, Filters(), "owner") == [NONE, "Aiko", "Ben"]
    assert dimension_values(con, Filters(pipeline="Renewals"), "owner") == [NONE]
    assert dimension_values(con, Filters(), "Tier") == [NONE, "Gold", "Silver"]


def test_pipelines_in_scope(con):
    assert pipelines_in_scope(con, Filters()) == ["Renewals", "Sales"]
    assert pipelines_in_scope(con, Filters.build(where={"owner": ["Ben"]})) == ["Sales"]


@pytest.mark.parametrize(
    ("filters", "sql", "params"),
    [
        (Filters(), "TRUE", []),
        (Filters(start=date(2025, 1, 1)), "TRUE AND x >= ?", [date(2025, 1, 1)]),
        # The end day is included: timestamps before the next midnight.
        (Filters(end=date(2025, 3, 31)), "TRUE AND x < ?", [date(2025, 4, 1)]),
        (Filters(start=date(2025, 1, 1), end=date(2025, 1, 1)), "TRUE AND x >= ? AND x < ?",
         [date(2025, 1, 1), date(2025, 1, 2)]),
    ],
)  # fmt: skip
def test_period_condition(filters, sql, params):
    assert period_condition("x", filters) == (sql, params)


def test_build_normalises_so_equal_selections_are_equal_and_hashable():
    a = Filters.build(where={"team": ["West", "East"], "owner": ["Ben"], "source": []})
    b = Filters.build(where={"owner": ["Ben"], "team": ["East", "West", "East"]})
    assert a == b and hash(a) == hash(b)
    assert a.where == (("owner", ("Ben",)), ("team", ("East", "West")))


def test_narrowed_replaces_a_condition_on_the_same_column():
    f = Filters.build(where={"owner": ["Aiko"]}).narrowed("owner", ["Ben"]).narrowed("team", ["E"])
    assert f.where == (("owner", ("Ben",)), ("team", ("E",)))


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(BadFilters, match="ends"):
        Filters(start=date(2025, 2, 1), end=date(2025, 1, 1))


@pytest.mark.parametrize(
    ("filters", "sentence"),
    [
        (Filters(), "all time"),
        (Filters.build(date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 2), "Sales",
                       {"owner": ["Aiko", "Ben"]}),
         "period 2025-01-01 to 2025-03-31, pipeline Sales, owner = Aiko or Ben, as of 2025-04-02"),
    ],
)  # fmt: skip
def test_describe(filters, sentence):
    assert filters.describe() == sentence


BASE_DEAL = {"deal_id": "D1", "pipeline": "Sales", "stage": "Lead", "status": "open",
             "created_at": day("2025-01-10")}  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({}, date(2025, 1, 10)),  # the deal's creation is the only record
        ({"deals": [{**BASE_DEAL, "status": "lost", "stage": "Lost",
                     "closed_at": day("2025-02-01")}]}, date(2025, 2, 1)),
        ({"events": [("D1", "Lead", day("2025-02-02"))]}, date(2025, 2, 2)),
        ({"activities": [{"activity_id": "A1", "deal_id": "D1",
                          "completed_at": day("2025-02-03")}]}, date(2025, 2, 3)),
        # A later export changed the amount: the stored amount describes that day.
        ({"deal_changes": [("D1", "amount", "10.0", "20.0", day("2025-02-04"))]},
         date(2025, 2, 4)),
        # Leads newer than every deal are not cut off by the default as-of date.
        ({"leads": [{"lead_id": "L1", "created_at": day("2025-02-05")}]}, date(2025, 2, 5)),
        ({"leads": [{"lead_id": "L1", "created_at": day("2025-01-05"),
                     "converted_at": day("2025-02-06")}]}, date(2025, 2, 6)),
        # Data reaching past today: today.
        ({"leads": [{"lead_id": "L1", "created_at": day("2025-03-01")}]}, date(2025, 2, 15)),
    ],
)  # fmt: skip
def test_the_default_as_of_date_is_the_last_day_any_record_describes(tmp_path, rows, expected):
    rows = {"deals": [BASE_DEAL], **rows}
    con = build_store(tmp_path / "s.duckdb", pipelines=pipeline_rows("Sales", ["Lead"]), **rows)
    try:
        assert data_as_of(con, today=date(2025, 2, 15)) == expected
    finally:
        con.close()
