"""Figures and tables of the Deals page, as plain functions on small hand-made frames."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.deal_list import CHANGE_COLUMNS, DEAL_ACTIVITY_COLUMNS, DEAL_LIST_COLUMNS
from analytics.durations import VISIT_COLUMNS
from pages.figures import deals as figures
from pages.shared.locale import ENGLISH, JAPANESE, set_language


@pytest.fixture
def japanese():
    set_language(JAPANESE)
    yield
    set_language(ENGLISH)


T = datetime.fromisoformat
VISITS = pd.DataFrame(
    [
        ["Lead", 1, T("2025-01-01"), T("2025-01-11"), 10.0, False],
        ["<b>Demo</b>", 2, T("2025-01-11"), T("2025-01-16 12:00"), 5.5, False],
        ["Lead", 1, T("2025-01-16 12:00"), T("2025-02-01"), 15.5, True],
    ],
    columns=VISIT_COLUMNS,
)
ACTIVITIES = pd.DataFrame(
    [
        ["A1", "call", "completed", T("2025-01-05"), None, T("2025-01-05"), "Aiko", "<script>x", None],
        ["A2", "follow_up", "overdue", T("2025-01-20"), T("2025-01-20"), None, "Aiko", None, None],
        ["A3", "call", "planned", None, None, None, "Aiko", None, None],
    ],
    columns=DEAL_ACTIVITY_COLUMNS,
)  # fmt: skip


def test_timeline_draws_visits_as_bars_and_activities_as_points():
    fig = figures.timeline(VISITS, ACTIVITIES, as_of=date(2025, 1, 31))
    bars = fig.data[0]
    assert isinstance(bars, go.Bar) and bars.orientation == "h"
    assert list(bars.y) == ["Lead", "&lt;b&gt;Demo&lt;/b&gt;", "Lead"]
    assert list(bars.base) == list(VISITS["entered_at"])
    assert list(bars.x) == [10 * 86_400_000, 5.5 * 86_400_000, 15.5 * 86_400_000]
    assert list(bars.customdata[2]) == ["Lead"]
    assert "still there at the as-of date" in bars.hovertext[2]
    assert "5.5 days in the stage" in bars.hovertext[1]
    # The undated planned call is left out; completed and overdue points each get a trace.
    points = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert [t.name for t in points] == ["Completed", "Overdue"]
    assert list(points[0].y) == ["Activity: call"] and list(points[1].y) == ["Activity: follow up"]
    assert "&lt;script&gt;x" in points[0].hovertext[0]
    assert list(points[1].customdata[0]) == ["A2"]
    # Stages in pipeline order from the top, then the activity rows.
    assert list(fig.layout.yaxis.categoryarray)[::-1] == [
        "Lead", "&lt;b&gt;Demo&lt;/b&gt;", "Activity: call", "Activity: follow up",
    ]  # fmt: skip
    assert fig.layout.shapes[0].x0 == datetime(2025, 2, 1)  # the end of the as-of date


def test_timeline_marks_a_won_close():
    fig = figures.timeline(
        VISITS, ACTIVITIES.iloc[0:0], as_of=date(2025, 3, 1), closed_at=T("2025-02-01"),
        status="won",
    )  # fmt: skip
    won = fig.data[-1]
    assert won.name == "Won" and list(won.x) == [T("2025-02-01")]
    assert won.marker.symbol == "diamond"
    assert not fig.layout.shapes  # no as-of line for a closed deal


def test_timeline_of_a_deal_without_history_is_an_empty_state():
    fig = figures.timeline(VISITS.iloc[0:0], ACTIVITIES.iloc[2:], as_of=date(2025, 1, 31))
    assert not fig.data
    assert fig.layout.annotations[0].text == "This deal has no stage history and no dated activity."


def test_list_table_translates_statuses_and_outcomes(japanese):
    rows = pd.DataFrame(
        [
            [
                "D1",
                "**Bold**",
                "P",
                "Won",
                "won",
                591341.0769,
                "A",
                "T",
                "S",
                None,
                None,
                None,
                None,
                None,
            ]
        ],
        columns=DEAL_LIST_COLUMNS,
    )
    table = figures.list_table(rows, "JPY")
    assert table.iloc[0]["状況"] == "受注"
    assert table.iloc[0]["ステージ"] == "受注"
    assert table.iloc[0]["商談"] == "**Bold**"
    assert "金額 (JPY)" in table.columns
    # A converted amount is rounded to the currency's minor unit: yen have none.
    assert table.iloc[0]["金額 (JPY)"] == 591341
    assert figures.list_table(rows, "USD").iloc[0]["金額 (USD)"] == 591341.08


def test_changes_table_formats_amounts_and_dates():
    changes = pd.DataFrame(
        [
            [T("2025-01-02"), "amount", 4000.0, 5000.0, None, None, "4000.0", "5000.0"],
            [T("2025-01-03"), "expected_close_date", None, None, pd.Timestamp("2025-03-31"),
             pd.Timestamp("2025-04-30"), "2025-03-31", "2025-04-30"],
        ],
        columns=CHANGE_COLUMNS,
    )  # fmt: skip
    table = figures.changes_table(changes, "EUR")
    assert table.columns.tolist() == ["When", "What", "From", "To"]
    assert table.iloc[0, 1:].tolist() == ["Amount", "€4,000", "€5,000"]
    assert table.iloc[1, 1:].tolist() == ["Expected close", "Mar 31, 2025", "Apr 30, 2025"]


def test_record_table_lists_fields_as_text():
    record = pd.Series(
        {"deal_id": "D1", "name": "<script>alert(1)</script>", "pipeline": "P", "stage": "Lost",
         "status": "lost", "amount": 900.0, "currency": "EUR", "amount_rep": 1000.0,
         "owner": "A", "team": None, "source": None, "organization": "Org", "industry": None,
         "region": None, "product": None, "segment": None, "created_at": T("2025-01-01"),
         "expected_close_date": pd.NaT, "closed_at": T("2025-02-01"), "lost_reason": "Price",
         "first_activity_at": None, "last_activity_at": None}
    )  # fmt: skip
    table = figures.record_table(record, "USD").set_index("Field")["Value"]
    assert table["Deal"] == "<script>alert(1)</script>"
    assert table["Status"] == "Lost"
    assert table["Amount (USD)"] == "$1,000"
    assert table["Amount in the deal's currency"] == "€900"
    assert table["Team"] == "—" and table["Expected close"] == "—"
    assert table["Closed"] == "Feb 1, 2025"
