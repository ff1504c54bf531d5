"""Figures and tables of the Activities page, as plain functions on small hand-made frames."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.activity_lists import ACTIVITY_COLUMNS
from analytics.activity_metrics import VOLUME_COLUMNS
from analytics.filters import NONE
from pages.figures import activities as figures
from pages.shared.locale import ENGLISH, JAPANESE, set_language


@pytest.fixture
def japanese():
    set_language(JAPANESE)
    yield
    set_language(ENGLISH)


def volume(rows):
    """Return an activity_volume(by=...) frame from (key, completed, planned, overdue) rows."""
    return pd.DataFrame(
        [(k, c, p, o, c + p) for k, c, p, o in rows], columns=["key", *VOLUME_COLUMNS]
    )


BY_TYPE = volume([("call", 10, 4, 1), ("follow_up", 2, 0, 0), ("<b>demo</b>", 5, 3, 3)])


def test_volume_bars_split_completed_planned_and_overdue():
    fig = figures.volume_bars(BY_TYPE, "Type", types=True)
    assert [t.name for t in fig.data] == ["Completed", "Planned", "Overdue"]
    assert all(isinstance(t, go.Bar) and t.orientation == "h" for t in fig.data)
    # Fewest on the bottom: follow_up (2), demo (8), call (14); planned excludes overdue.
    assert list(fig.data[0].y) == ["follow up", "&lt;b&gt;demo&lt;/b&gt;", "call"]
    assert [list(t.x) for t in fig.data] == [[2, 5, 10], [0, 0, 3], [0, 3, 1]]
    assert [list(c) for c in fig.data[2].customdata] == [
        ["follow_up", "overdue"], ["<b>demo</b>", "overdue"], ["call", "overdue"],
    ]  # fmt: skip
    assert "Overdue: 3" in fig.data[2].hovertext[1]
    assert "All activities: 8" in fig.data[2].hovertext[1]
    assert fig.layout.barmode == "stack"
    assert fig.data[0].hovertext[2].startswith("Type: <b>call</b>")
    assert fig.layout.xaxis.title.text == "Activities"


def test_volume_table_matches_the_chart_split():
    table = figures.volume_table(BY_TYPE, "Type", types=True)
    assert table.columns.tolist() == ["Type", "Completed", "Planned", "Overdue", "All activities"]
    assert table.values.tolist() == [
        ["call", 10, 3, 1, 14], ["follow up", 2, 0, 0, 2], ["<b>demo</b>", 5, 0, 3, 8],
    ]  # fmt: skip


def test_empty_volume_gives_a_message_not_bars():
    fig = figures.volume_bars(volume([]), "Type")
    assert not fig.data
    assert fig.layout.annotations[0].text == "No activities in this view."


def test_weekly_bars_date_each_week():
    frame = volume([("2025-03-03", 6, 0, 0), ("2025-03-10", 1, 4, 3)])
    fig = figures.weekly_bars(frame)
    assert list(fig.data[0].x) == [datetime(2025, 3, 3).date(), datetime(2025, 3, 10).date()]
    assert list(fig.data[1].y) == [0, 1] and list(fig.data[2].y) == [0, 3]
    assert list(fig.data[2].customdata[1]) == ["2025-03-10", "overdue"]
    assert "Week of Mar 10, 2025" in fig.data[0].hovertext[1]


def test_overdue_bars_most_on_top():
    frame = pd.DataFrame({"key": ["Aiko", NONE], "overdue": [1, 4], "planned": [2, 5]})
    fig = figures.overdue_bars(frame)
    assert list(fig.data[0].y) == ["Aiko", "(none)"]
    assert list(fig.data[0].x) == [1, 4]
    assert list(fig.data[0].customdata[1]) == [NONE]
    assert "Overdue: 4 of 5 planned" in fig.data[0].hovertext[1]


HEAT = pd.DataFrame(
    {
        "owner": ["Aiko", "Aiko", "Ben", "<i>Cleo</i>"],
        "week": pd.to_datetime(["2025-03-03", "2025-03-17", "2025-03-10", "2025-03-03"]),
        "completed": [2, 5, 1, 9],
    }
)


def test_heatmap_fills_missing_weeks_and_puts_the_busiest_rep_on_top():
    reps = figures.top_reps(HEAT)
    assert reps == ["<i>Cleo</i>", "Aiko", "Ben"]
    fig = figures.heatmap(HEAT, reps[:2])
    trace = fig.data[0]
    assert isinstance(trace, go.Heatmap)
    # Rows bottom-up (Plotly draws the first row at the bottom), weeks 3, 10 and 17 March.
    assert list(trace.y) == ["Aiko", "&lt;i&gt;Cleo&lt;/i&gt;"]
    assert trace.z.tolist() == [[2, 0, 5], [9, 0, 0]]
    assert list(trace.x) == ["Mar 3, 2025", "Mar 10, 2025", "Mar 17, 2025"]
    # Clickable cells: one invisible point per cell with activities, saying which it is.
    points = fig.data[1]
    assert isinstance(points, go.Scatter) and points.marker.opacity < 0.05
    assert [list(c) for c in points.customdata] == [
        ["Aiko", "2025-03-03"], ["Aiko", "2025-03-17"], ["<i>Cleo</i>", "2025-03-03"],
    ]  # fmt: skip
    assert list(points.x) == ["Mar 3, 2025", "Mar 17, 2025", "Mar 3, 2025"]
    assert "Completed: 5" in points.hovertext[1]
    assert fig.layout.xaxis.title.text == "Week (starting Monday)"


def test_heatmap_without_cells_is_an_empty_state():
    fig = figures.heatmap(HEAT.iloc[0:0], [])
    assert not fig.data and fig.layout.annotations


def test_activity_table_names_columns_and_states_in_japanese(japanese):
    rows = pd.DataFrame(
        [["A1", "follow_up", "Aiko", "overdue", datetime(2025, 3, 1), 3, "**Call**", "D1", "X"]],
        columns=ACTIVITY_COLUMNS,
    )
    table = figures.activity_table(rows)
    assert table.columns.tolist()[:4] == ["活動 ID", "種類", "担当者", "状態"]
    assert table.iloc[0].tolist()[1:4] == ["フォローアップ", "Aiko", "期限切れ"]
    assert table.iloc[0]["件名"] == "**Call**"  # data text as it is
    done = rows.assign(state="completed", days_overdue=None)
    assert "超過日数" not in figures.activity_table(done).columns


def test_won_deal_table_says_yes_or_no():
    rows = pd.DataFrame(
        {"deal_id": ["D1", "D2"], "name": ["a", "b"], "owner": ["A", "B"], "amount": [1.0, 2.0],
         "closed_at": [None, None], "activities": [3, 0], "followed_up": [True, False],
         "first_follow_up_at": [None, None]}
    )  # fmt: skip
    rows["amount"] = [1000.4049, 2000.6]
    rows["closed_at"] = [datetime(2025, 3, 3, 12), datetime(2025, 3, 5, 17)]
    rows["first_follow_up_at"] = [datetime(2025, 3, 10, 11), None]
    table = figures.won_deal_table(rows, "USD")
    assert table["Followed up"].tolist() == ["Yes", "No"]
    assert table["Amount (USD)"].tolist() == [1000.4, 2000.6]  # to the cent
    assert figures.won_deal_table(rows, "JPY")["Amount (JPY)"].tolist() == [1000, 2001]
    assert table["Won on"].tolist() == [date(2025, 3, 3), date(2025, 3, 5)]
    assert table["First follow-up"].tolist() == [date(2025, 3, 10), None]
    assert "Amount (USD)" in table.columns
