"""Targets edited as a table: which rows are offered, every problem named by row, one save."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from analytics import importer
from analytics.filters import Filters
from analytics.target_editing import (
    EDITED,
    TARGET_COLUMNS,
    Saved,
    TargetsRejected,
    check_targets,
    save_targets,
    targets_table,
)
from tests.analytics.builders import build_store, d

JAN = (d("2025-01-01"), d("2025-01-31"))
FEB = (d("2025-02-01"), d("2025-02-28"))


def target(target_id, scope, of, metric, period, value):
    return {
        "target_id": target_id, "scope": scope, "scope_value": of, "metric": metric,
        "period_start": period[0], "period_end": period[1], "target_value": value,
    }  # fmt: skip


STORED = [
    target("A", "company", None, "won_amount", FEB, 10000),
    target("B", "owner", "Aiko", "won_count", FEB, 4),
    target("C", "team", "East", "new_deals", JAN, 20),
]


@pytest.fixture
def con(tmp_path):
    con = build_store(tmp_path / "t.duckdb", targets=STORED)
    yield con
    con.close()


def stored(con) -> list[tuple]:
    return con.execute(
        "SELECT target_id, scope, scope_value, metric, period_start, period_end, target_value "
        "FROM targets ORDER BY target_id"
    ).fetchall()


def test_targets_table_offers_what_the_filters_select(con):
    every = targets_table(con)
    assert list(every.columns) == TARGET_COLUMNS
    # Latest period first; then scope and name.
    assert list(every["target_id"]) == ["A", "B", "C"]
    assert every.loc[0, "period_start"] == d("2025-02-01")
    assert list(targets_table(con, Filters(JAN[0], JAN[1]))["target_id"]) == ["C"]
    feb_aiko = Filters.build(FEB[0], FEB[1], where={"owner": ["Aiko"]})
    assert list(targets_table(con, feb_aiko)["target_id"]) == ["B"]
    east = Filters.build(where={"team": ["East"], "owner": ["Aiko"]})
    assert list(targets_table(con, east)["target_id"]) == ["B", "C"]


def test_every_problem_is_named_by_its_row():
    rows = pd.DataFrame(
        [
            target("A", "region", "North", "won_amount", FEB, 10),
            target(None, "owner", "Aiko", "won_amount", FEB, -5),
            target(None, "company", None, "won_amount", (FEB[1], FEB[0]), 10),
            target(None, "team", " ", "calls", FEB, 10),
            target("A", "company", None, "activities_completed:call", (None, FEB[1]), None),
        ]
    )
    found = [(p.file, p.row, p.column, p.value, p.message) for p in check_targets(rows)]
    assert found == [
        (EDITED, 1, "scope", "region",
         "not a target scope (expected one of company, team, owner)"),
        (EDITED, 2, "target_value", "-5.0", "a target value must be a number of 0 or more"),
        (EDITED, 3, "period_end", "2025-02-01", "the period ends before it starts"),
        (EDITED, 4, "scope_value", None,
         "a team or owner target needs the team's or owner's name"),
        (EDITED, 4, "metric", "calls",
         "not a target metric (expected one of won_amount, won_count, new_deals, "
         "pipeline_created, activities_completed, or activities_completed:<type>)"),
        (EDITED, 5, "period_start", None, "a target needs the first and last day of its period"),
        (EDITED, 5, "target_value", None, "a target needs a value"),
        (EDITED, 5, "target_id", "A", "the same target id is in row 1"),
    ]  # fmt: skip


def test_save_adds_changes_and_deletes_in_one_go(con):
    edited = targets_table(con)
    edited.loc[edited["target_id"] == "A", "target_value"] = 12000.0
    edited = edited[edited["target_id"] != "B"]
    new = pd.DataFrame([target(None, "team", "East", "won_amount", FEB, 3000)])
    saved = save_targets(con, pd.concat([edited, new], ignore_index=True))
    assert saved == Saved(inserted=1, updated=1, deleted=1)
    # The new row gets the id the importer gives a target file's row without one.
    digest = hashlib.md5(b"team|East|won_amount|2025-02-01|2025-02-28").hexdigest()
    new_id = "T-" + digest[:12]
    assert stored(con) == [
        ("A", "company", None, "won_amount", FEB[0], FEB[1], 12000.0),
        ("C", "team", "East", "new_deals", JAN[0], JAN[1], 20.0),
        (new_id, "team", "East", "won_amount", FEB[0], FEB[1], 3000.0),
    ]


def test_the_importer_recognises_a_saved_row(con, tmp_path):
    save_targets(con, pd.DataFrame([target(None, "team", "East", "won_amount", FEB, 3000)]))
    path = tmp_path / "targets.csv"
    path.write_text(
        "scope,scope_value,metric,period_start,period_end,target_value\n"
        "team,East,won_amount,2025-02-01,2025-02-28,3500\n"
    )
    result = importer.import_files(con, [path], kind="targets")
    assert (result.changes["targets_inserted"], result.changes["targets_updated"]) == (0, 1)
    assert [r[-1] for r in stored(con)] == [3500.0]


def test_a_save_with_problems_writes_nothing(con):
    edited = targets_table(con)
    edited.loc[0, "scope"] = "region"
    edited = edited[edited["target_id"] != "C"]
    with pytest.raises(TargetsRejected) as rejected:
        save_targets(con, edited)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(1, "scope")]
    assert stored(con) == [tuple(t.values()) for t in [
        {**t, "target_value": float(t["target_value"])} for t in STORED
    ]]  # fmt: skip


def test_two_new_rows_for_one_target_are_refused(con):
    twice = pd.DataFrame([target(None, "owner", "Ben", "won_count", JAN, n) for n in (3, 4)])
    with pytest.raises(TargetsRejected) as rejected:
        save_targets(con, pd.concat([targets_table(con), twice], ignore_index=True))
    assert [(p.row, p.column, p.message) for p in rejected.value.problems] == [
        (5, "target_id", "the same target as row 4 (same scope, metric and period)")
    ]
    assert [r[0] for r in stored(con)] == ["A", "B", "C"]


def test_only_the_shown_targets_can_be_deleted(con):
    shown = targets_table(con, Filters(FEB[0], FEB[1]))
    kept = shown[shown["target_id"] == "A"]
    assert save_targets(con, kept, shown=tuple(shown["target_id"])) == Saved(0, 0, 1)
    assert [r[0] for r in stored(con)] == ["A", "C"]
