"""The Weekly meeting's figures and tables, built from small literal frames.

(Named test_weekly_figures.py: tests/analytics/test_weekly.py holds the basename test_weekly,
and pytest's default import mode needs unique basenames in a tree without __init__ files.)
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pages.figures import weekly as figures
from pages.shared import theme
from pages.shared.locale import set_language

A, B = date(2025, 3, 9), date(2025, 3, 16)

MOVES = pd.DataFrame(
    {
        "kind": ["new", "advanced", "moved_back", "won", "lost"],
        "deals": [2, 3, 1, 2, 1],
        "amount": [1700.0, 9500.0, 4500.0, 5650.0, 600.0],
        "unconverted": [0, 1, 0, 0, 0],
    }
)
STEPS = pd.DataFrame(
    {
        "step": ["open_at_a", "created", "won", "lost", "amount_changes", "reopened_or_other",
                 "open_at_b"],
        "amount": [18700.65, 1700.0, -5650.0, -600.0, 450.0, 900.0, 15500.65],
        "deals": [11, 2, 2, 1, 2, 1, 11],
        "unconverted": [1, 0, 0, 0, 0, 0, 1],
    }
)  # fmt: skip
SCORECARD = pd.DataFrame(
    {
        "owner": ["<script>alert(1)</script>", "Ben", "Cleo"],
        "pushes": [1, 2, 0],
        "days_pushed": [15, 26, 0],
        "due_in_window": [2, 25, 0],
        "slipped": [0, 5, 0],
        "slip_share": pd.Series([0.0, 0.2, None], dtype=object),
        "ci_low": pd.Series([0.0, 0.0886, None], dtype=object),
        "ci_high": pd.Series([0.6576, 0.3913, None], dtype=object),
        "small_sample": [True, False, True],
    }
)


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def test_movements_chart_has_a_bar_per_kind_with_counts_amounts_and_keys():
    fig = figures.movements_chart(MOVES, "USD")
    (bar,) = fig.data
    assert bar.type == "bar"
    assert list(bar.x) == ["New", "Advanced", "Moved back", "Won", "Lost"]
    assert list(bar.y) == [2, 3, 1, 2, 1]
    assert list(bar.text) == ["2 · $1,700", "3 · $9,500", "1 · $4,500", "2 · $5,650", "1 · $600"]
    # customdata[0] is what a selected bar stands for; the hover shows the full amount
    assert [c[0] for c in bar.customdata] == list(MOVES["kind"])
    assert [c[1] for c in bar.customdata] == ["$1,700", "$9,500", "$4,500", "$5,650", "$600"]
    assert bar.customdata[1][2] == "1"
    assert "Amount: %{customdata[1]}" in bar.hovertemplate
    assert bar.marker.color[3] == theme.WON and bar.marker.color[4] == theme.LOST
    assert fig.layout.yaxis.title.text == "Deals"


def test_movements_chart_in_japanese():
    set_language("ja")
    fig = figures.movements_chart(MOVES, "JPY")
    (bar,) = fig.data
    assert list(bar.x) == ["新規", "前進", "後退", "受注", "失注"]
    assert bar.customdata[0][1] == "￥1,700"
    assert fig.layout.yaxis.title.text == "商談"


def test_waterfall_chart_adds_up_to_the_open_pipeline_at_b():
    fig = figures.waterfall_chart(STEPS, "USD", A, B)
    (trace,) = fig.data
    assert trace.type == "waterfall"
    assert list(trace.measure) == ["absolute", *["relative"] * 5, "total"]
    # Plotly draws the total as the sum of the bars before it: that sum is the pipeline at b
    assert sum(trace.y[:-1]) == pytest.approx(15500.65)
    assert list(trace.x) == ["Open on<br>Mar 9, 2025", "New deals", "Won", "Lost",
                             "Amount<br>changes", "Reopened<br>/ other",
                             "Open on<br>Mar 16, 2025"]  # fmt: skip
    assert [c[0] for c in trace.customdata] == list(STEPS["step"])
    assert trace.customdata[-1][1:] == ["$15,501", "11"]
    assert list(trace.text)[:3] == ["$18.7K", "$1,700", "-$5,650"]
    assert fig.layout.yaxis.title.text == "Open pipeline (USD)"
    # the axis starts below the lowest level (14,150.65 after won and lost), above zero:
    # 14,150.65 − 1.5 × (20,400.65 − 14,150.65) = 4,775.65, up to 20,400.65 + 12% of the span
    low, high = fig.layout.yaxis.range
    assert low == pytest.approx(4775.65) and high == pytest.approx(22275.65)
    assert list(fig.layout.yaxis.tickvals) == [5000, 10000, 15000, 20000]
    assert list(fig.layout.yaxis.ticktext) == ["$5,000", "$10K", "$15K", "$20K"]


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (7_500_000, 12_600_000, [8_000_000, 10_000_000, 12_000_000]),
        (-30, 95, [-25, 0, 25, 50, 75]),
        (5, 5, [5]),
    ],
)
def test_amount_ticks_are_round(low, high, ticks):
    assert figures.amount_ticks(low, high) == ticks


def test_step_labels_name_the_dates():
    assert figures.step_label("open_at_a", A, B) == "Open on Mar 9, 2025"
    assert figures.step_label("open_at_b", A, B) == "Open on Mar 16, 2025"
    set_language("ja")
    assert figures.step_label("open_at_b", A, B) == "2025/03/16 時点の進行中"


def test_scorecard_chart_shows_n_marks_small_samples_and_escapes_names():
    fig = figures.scorecard_chart(SCORECARD)
    bars, labels = fig.data
    assert bars.type == "bar" and bars.orientation == "h"
    assert list(bars.y) == ["&lt;script&gt;alert(1)&lt;/script&gt;", "Ben", "Cleo"]
    assert list(bars.x) == [0.0, 0.2, 0.0]
    assert list(labels.text) == [
        "0% (n=2, small sample)", "20% (n=25)", "— (n=0, small sample)",
    ]  # fmt: skip
    # small samples grey and hatched, the others in the lost colour
    assert list(bars.marker.color) == [theme.NEUTRAL, theme.LOST, theme.NEUTRAL]
    assert list(bars.marker.pattern.shape) == ["/", "", "/"]
    assert bars.error_x.array[1] == pytest.approx(0.1913)
    assert bars.error_x.arrayminus[1] == pytest.approx(0.1114)
    assert bars.customdata[0][0] == "<script>alert(1)</script>"
    # a long list draws its first reps only
    assert list(figures.scorecard_chart(SCORECARD, top=2).data[0].y) == list(bars.y)[:2]


@pytest.mark.parametrize(
    "build",
    [
        lambda: figures.movements_chart(MOVES.iloc[0:0], "USD"),
        lambda: figures.waterfall_chart(STEPS.iloc[0:0], "USD", A, B),
        lambda: figures.scorecard_chart(SCORECARD.iloc[0:0]),
    ],
)
def test_empty_input_gives_a_message_figure(build):
    fig = build()
    assert not fig.data and fig.layout.annotations[0].text.startswith("No ")


def test_slipped_table_says_what_to_do():
    slipped = pd.DataFrame(
        {
            "deal_id": ["A2", "OD2", "X"],
            "name": ["**bold**", "Deal OD2", "Deal X"],
            "owner": ["Ben", "Ben", "Aiko"],
            "stage": ["Negotiation", "Lead", "Lost"],
            "amount": [3000.0, 1200.0, None],
            "old_close": [date(2025, 3, 15), date(2025, 3, 5), date(2025, 3, 1)],
            "new_close": [date(2025, 4, 10), None, date(2025, 3, 20)],
            "days_pushed": pd.array([26, None, 19], dtype="Int64"),
            "reason": ["pushed", "overdue", "pushed"],
        }
    )
    got = figures.slipped_table(slipped, "USD", owner=False)
    assert list(got.columns) == ["Deal", "Stage", "Amount", "Why", "What to do",
                                 "Close date was", "Close date now", "Days pushed"]  # fmt: skip
    assert got.values.tolist() == [
        ["**bold**", "Negotiation", "$3,000", "Pushed out",
         "Confirm the new close date and what it depends on", "Mar 15, 2025", "Apr 10, 2025",
         "26"],
        ["Deal OD2", "Lead", "$1,200", "Overdue", "Update the close date or close the deal",
         "Mar 5, 2025", "—", "—"],
        ["Deal X", "Lost", "—", "Pushed out", "Closed since: check why the date slipped",
         "Mar 1, 2025", "Mar 20, 2025", "19"],
    ]  # fmt: skip
    assert "Owner" in figures.slipped_table(slipped, "USD", owner=True).columns


def test_stalled_and_scorecard_tables():
    stalled = pd.DataFrame(
        {
            "deal_id": ["OLD"], "name": ["Deal OLD"], "owner": ["Aiko"], "pipeline": ["Sales"],
            "stage": ["Lead"], "amount": [800.55], "days_idle": [65], "threshold_days": [15.5],
            "last_stage_change_at": [pd.Timestamp("2024-12-01")],
            "last_activity_at": [pd.NaT],
        }
    )  # fmt: skip
    got = figures.stalled_table(stalled, "USD", owner=True)
    assert got.values.tolist() == [
        ["Deal OLD", "Aiko", "Lead", "$801", "65", "16", "Agree the next step and its date",
         "Dec 1, 2024", "—"],
    ]  # fmt: skip
    card = figures.scorecard_table(SCORECARD)
    assert card.iloc[1].tolist() == ["Ben", "25", "5", "20% (n=25)", "9% – 39%", "2", "26"]
    assert card.iloc[2, 3:5].tolist() == ["— (n=0, small sample)", "—"]


def test_deals_table_keeps_numbers_for_the_csv():
    deals = pd.DataFrame(
        {
            "deal_id": ["D1"], "name": ["<script>alert(1)</script>"], "owner": ["Aiko"],
            "stage": ["Won"], "amount": [62032.085561], "at": [pd.Timestamp("2025-03-12 15:00")],
        }
    )  # fmt: skip
    got = figures.deals_table(deals)
    assert list(got.columns) == ["deal_id", "Deal", "Owner", "Stage", "Amount", "When"]
    assert got["Amount"].iloc[0] == 62032.09
    assert got["Deal"].iloc[0] == "<script>alert(1)</script>"
