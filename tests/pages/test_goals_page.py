"""The Goals page on the sample data: progress, leaderboard, pace line, editing and importing."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from analytics import goals
from analytics.derived import reporting_currency
from analytics.filters import Filters
from analytics.quality import data_as_of
from pages.figures import goals as figures
from pages.shared import formatting, periods
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from tests.analytics.builders import build_store, d, day, pipeline_rows
from tests.pages.conftest import run_page

PAGE = "pages/goals.py"


def view(con, key: str = periods.DEFAULT_PERIOD, **where) -> Filters:
    as_of = data_as_of(con)
    period = periods.resolve(key, as_of)
    return Filters.build(period.start, period.end, as_of, None, where)


def frame(at, first_column: str) -> pd.DataFrame:
    """Return the one shown table whose first column is first_column."""
    (found,) = [t.value for t in at.dataframe if t.value.columns[0] == first_column]
    return found.reset_index(drop=True)


def values(array) -> list:
    """Return a Plotly JSON array as a list (Plotly writes numbers as typed binary)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def stored(con) -> list[tuple]:
    return con.execute(
        "SELECT target_id, scope, scope_value, metric, period_start, period_end, target_value "
        "FROM targets ORDER BY target_id"
    ).fetchall()


def test_progress_leaderboard_and_pace_line(sample_db, expected_con):
    at = run_page(PAGE)
    assert not at.exception
    f = view(expected_con)
    cur = reporting_currency(expected_con)
    progress = goals.goal_progress(expected_con, f)
    won = figures.in_scope_order(progress[progress["metric"] == "won_amount"])
    # The sample's quarter: the company, two teams and twelve reps, every one listed.
    assert len(won) == 15
    pd.testing.assert_frame_equal(frame(at, "Target"), figures.progress_table(won, cur))
    assert frame(at, "Target")["Target"][:3].tolist() == [
        "Company", "Enterprise (team)", "Mid-Market (team)",
    ]  # fmt: skip
    board = goals.leaderboard(expected_con, f, metric="won_amount")
    pd.testing.assert_frame_equal(
        frame(at, "Rank"), figures.leaderboard_table(board, "won_amount", cur)
    )
    # Choosing a target draws its pace line: the actual line is goals.pace_series's.
    company = won.iloc[0]
    at.selectbox(key="goals_target_pick").select(company["target_id"]).run()
    assert not at.exception
    charts = at.get("plotly_chart")
    traces = json.loads(charts[-1].proto.spec)["data"]
    line = goals.pace_series(expected_con, company["target_id"], f.as_of)
    assert values(traces[0]["y"]) == line["actual_cumulative"].tolist()
    assert values(traces[1]["y"]) == line["expected_cumulative"].tolist()
    # Another metric: the bullet table follows it.
    at.segmented_control(key="goals_metric").set_value("won_count").run()
    counts = figures.in_scope_order(progress[progress["metric"] == "won_count"])
    pd.testing.assert_frame_equal(frame(at, "Target"), figures.progress_table(counts, cur))


def test_targets_are_edited_checked_and_saved(sample_db, expected_con):
    f = view(expected_con)
    before = stored(expected_con)
    at = run_page(PAGE)
    editor = at.data_editor(key="goals_editor_0")
    rows = editor.value
    # The quarter's targets are offered, latest first.
    assert len(rows) == len(goals.goal_progress(expected_con, f))
    first, second = rows.iloc[0], rows.iloc[1]

    # A negative value, an unknown scope and a period ending before it starts: named by row,
    # nothing written.
    at.session_state["goals_editor_0"] = {
        "edited_rows": {0: {"target_value": -5}},
        "added_rows": [
            {"scope": "region", "scope_value": "North", "metric": "won_amount",
             "period_start": "2026-10-01", "period_end": "2026-12-31", "target_value": 10},
            {"scope": "company", "metric": "won_count", "period_start": "2026-12-31",
             "period_end": "2026-10-01", "target_value": 10},
        ],
        "deleted_rows": [],
    }  # fmt: skip
    at.run()
    at.button(key="goals_save").click().run()
    assert not at.exception
    assert at.error[0].value == "3 problems found; nothing was saved."
    problems = frame(at, "Row")
    assert problems[["Row", "Column"]].values.tolist() == [
        [1, "target_value"], [len(rows) + 1, "scope"], [len(rows) + 2, "period_end"],
    ]  # fmt: skip
    assert stored(expected_con) == before

    # A change, a deletion and a new row are saved together.
    at.session_state["goals_editor_0"] = {
        "edited_rows": {0: {"target_value": 700.0}},
        "added_rows": [
            {"scope": "owner", "scope_value": "Newcomer", "metric": "won_amount",
             "period_start": "2026-11-01", "period_end": "2026-12-31", "target_value": 5000},
        ],
        "deleted_rows": [1],
    }  # fmt: skip
    at.run()
    at.button(key="goals_save").click().run()
    assert not at.exception
    assert at.success[0].value == "Saved: 1 added, 1 changed, 1 deleted."
    after = {r[0]: r for r in stored(expected_con)}
    assert after[first["target_id"]][-1] == 700.0
    assert second["target_id"] not in after
    assert [r for r in after.values() if r[2] == "Newcomer"][0][-1] == 5000.0
    assert len(after) == len(before)
    # The editor starts again from what is stored.
    assert len(at.data_editor(key="goals_editor_1").value) == len(rows)


def test_targets_imported_from_csv_through_the_importer(sample_db, expected_con):
    before = stored(expected_con)
    at = run_page(PAGE)
    broken = (
        "scope,scope_value,metric,period_start,period_end,target_value\n"
        "region,N,won_amount,2026-10-01,2026-12-31,-4\n"
    )
    at.file_uploader(key="goals_upload").set_value(("targets.csv", broken.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert at.error[0].value == "2 problems found; nothing will be imported."
    problems = frame(at, "Row")
    assert sorted(problems["Value"]) == ["-4", "region"]
    assert stored(expected_con) == before

    good = (
        "scope,scope_value,metric,period_start,period_end,target_value\n"
        "owner,Newcomer,won_count,2026-10-01,2026-12-31,4\n"
    )
    at.file_uploader(key="goals_upload").set_value(("targets.csv", good.encode(), "text/csv"))
    at.run()
    assert at.success[0].value == "1 row checked, no problem found."
    at.button(key="goals_import").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported: 1 added, 0 changed."
    assert len(stored(expected_con)) == len(before) + 1


TARGETS_HEADER = "scope,scope_value,metric,period_start,period_end,target_value\n"


@pytest.mark.parametrize(
    ("rows", "errors", "successes"),
    [
        (["company,,won_amount,2026-10-01,2026-12-31,-4"],
         ["1 problem found; nothing will be imported."], []),
        (["region,N,won_amount,2026-10-01,2026-12-31,-4"],
         ["2 problems found; nothing will be imported."], []),
        (["owner,Newcomer,won_count,2026-10-01,2026-12-31,4"],
         [], ["1 row checked, no problem found."]),
        (["owner,Newcomer,won_count,2026-10-01,2026-12-31,4",
          "owner,Other,won_count,2026-10-01,2026-12-31,5"],
         [], ["2 rows checked, no problem found."]),
    ],
)  # fmt: skip
def test_the_import_check_counts_in_the_singular_and_the_plural(sample_db, rows, errors, successes):
    at = run_page(PAGE)
    text = TARGETS_HEADER + "".join(f"{row}\n" for row in rows)
    at.file_uploader(key="goals_upload").set_value(("targets.csv", text.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == errors
    assert [s.value for s in at.success] == successes


def test_the_import_check_lists_its_data_quality_notes_as_a_table(sample_db):
    # The same target twice: merged, and said in a note, as on the Data page.
    text = (
        "target_id,scope,scope_value,metric,period_start,period_end,target_value\n"
        "T1,owner,Ann,won_count,2026-10-01,2026-12-31,4\n"
        "T1,owner,Ann,won_count,2026-10-01,2026-12-31,4\n"
    )
    at = run_page(PAGE)
    at.file_uploader(key="goals_upload").set_value(("targets.csv", text.encode(), "text/csv"))
    at.run()
    assert not at.exception
    notes = frame(at, "File")
    assert notes.columns.tolist() == ["File", "Column", "Rows", "Note", "Example rows"]
    assert notes.values.tolist() == [
        ["targets.csv", "target_id", 1, "rows repeat another row exactly and were merged", "3"]
    ]


def test_a_period_without_targets_and_japanese(sample_db, expected_con):
    at = run_page(
        PAGE, {"filter_period": "Custom range", "filter_range": ["2017-01-01", "2017-01-31"]}
    )
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No target overlaps this period for the filtered team or owner. "
        "Choose another period, or add targets in the Edit targets tab.",
        "No rep has a target or a result in this period. "
        "Choose a longer period or clear the owner filter.",
    ]
    at = run_page(PAGE, {"lang": "JA"})
    assert not at.exception
    assert at.title[0].value == "目標"
    f = view(expected_con)
    progress = goals.goal_progress(expected_con, f)
    won = figures.in_scope_order(progress[progress["metric"] == "won_amount"])
    set_language(JAPANESE)
    try:
        expected = figures.progress_table(won, reporting_currency(expected_con))
    finally:
        set_language(ENGLISH)
    pd.testing.assert_frame_equal(frame(at, "目標"), expected)
    assert expected.iloc[0].tolist()[:2] == ["全社", "受注額"]


def test_names_from_the_data_show_literally(db_path):
    name = "<script>alert(1)</script> **bold**"
    con = build_store(
        db_path,
        pipelines=pipeline_rows("Sales", ["Lead"]),
        deals=[{"deal_id": "D1", "name": "x", "pipeline": "Sales", "owner": name,
                "team": "East", "stage": "Won", "status": "won", "amount": 100.0,
                "currency": "USD", "created_at": day("2025-01-02"),
                "closed_at": day("2025-02-03")}],
        targets=[{"target_id": "O", "scope": "owner", "scope_value": name,
                  "metric": "won_amount", "period_start": d("2025-01-01"),
                  "period_end": d("2025-03-31"), "target_value": 1000.0}],
    )  # fmt: skip
    con.close()
    at = run_page(
        PAGE,
        {"filter_period": "Custom range", "filter_range": ["2025-01-01", "2025-03-31"],
         "filter_as_of": "2025-02-10"},
    )  # fmt: skip
    assert not at.exception
    assert frame(at, "Target")["Target"].tolist() == [name]
    assert frame(at, "Rank")["Rep"].tolist() == [name]
    assert frame(at, "Target")["Actual"].tolist() == [formatting.money(100.0, "USD")]
