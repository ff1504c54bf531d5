"""Figures and tables of the Funnel page, as plain functions on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.funnel import ACCOUNTING_COLUMNS, FUNNEL_COLUMNS, MODES_COLUMNS, TRANSITION_COLUMNS
from pages.figures import funnel as figures
from pages.shared.locale import ENGLISH, JAPANESE, set_language


def funnel_frame(reached, drop_off):
    """Return a funnel() frame over Lead, <b>Demo</b> and Won with the conversions worked out."""
    stages = ["Lead", "<b>Demo</b>", "Won"][: len(reached)]
    rows, previous = [], None
    for i, (stage, r, lost) in enumerate(zip(stages, reached, drop_off, strict=True)):
        n = reached[0] if previous is None else previous
        conversion = None if previous is None else (r / previous if previous else None)
        rows.append(
            {"pipeline": "P", "stage": stage, "position": i + 1, "reached": r,
             "conversion": conversion, "cumulative": r / reached[0] if reached[0] else None, "drop_off": lost, "n": n,
             "ci_low": None if previous is None else 0.25, "ci_high": None if previous is None else 0.75,
             "small_sample": n < 20}
        )  # fmt: skip
        previous = r
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


@pytest.fixture
def japanese():
    set_language(JAPANESE)
    yield
    set_language(ENGLISH)


def test_funnel_chart_counts_rates_and_drill_keys():
    frame = funnel_frame([200, 50, 10], [120, 30, 0])
    fig = figures.funnel_chart(frame)
    (trace,) = fig.data
    assert isinstance(trace, go.Funnel)
    assert list(trace.x) == [200, 50, 10]
    # Data text is escaped for Plotly; the drill key keeps the stage as it is.
    assert list(trace.y) == ["Lead", "&lt;b&gt;Demo&lt;/b&gt;", "Won"]
    assert [c[0] for c in trace.customdata] == ["Lead", "<b>Demo</b>", "Won"]
    assert trace.text[0] == "200"
    assert trace.text[1] == "50<br>25% of previous, 25% of first"
    assert trace.text[2] == "10<br>20% of previous, 5% of first"
    assert "Stage-to-stage: 25% (n=200)" in trace.hovertext[1]
    assert "95% interval 25%–75%" in trace.hovertext[1]
    assert "Dropped out here: 120" in trace.hovertext[0]
    assert "Dropped out here" not in trace.hovertext[2]
    assert list(trace.marker.color) == [figures.theme.OPEN, figures.theme.OPEN, figures.theme.WON]


def test_funnel_chart_greys_small_samples_and_says_so():
    frame = funnel_frame([15, 6, 3], [9, 3, 0])
    trace = figures.funnel_chart(frame).data[0]
    assert list(trace.marker.color)[1:] == [figures.SMALL_COLOUR, figures.SMALL_COLOUR]
    assert "40% (n=15, small sample)" in trace.hovertext[1]


def test_empty_funnel_gives_a_message_not_bars():
    frame = funnel_frame([0, 0, 0], [0, 0, 0])
    fig = figures.funnel_chart(frame)
    assert not fig.data
    assert fig.layout.annotations[0].text.startswith("No deal reached")


def test_drop_off_chart_and_largest_drop():
    frame = funnel_frame([200, 50, 10], [120, 30, 0])
    (bar,) = figures.drop_off_chart(frame).data
    assert list(bar.x) == [120, 30] and bar.orientation == "h"
    assert "Share of all lost: 80%" in bar.hovertext[0]
    assert figures.largest_drop(frame) == ("Lead", 120, 0.8)
    assert figures.largest_drop(funnel_frame([5, 5, 5], [0, 0, 0])) is None
    assert not figures.drop_off_chart(funnel_frame([5, 5, 5], [0, 0, 0])).data


def test_stage_table_formats_rates_with_n():
    table = figures.stage_table(funnel_frame([200, 50, 10], [120, 30, 0]))
    assert list(table.columns) == [
        "Stage", "Deals", "Stage-to-stage", "95% interval", "Cumulative conversion",
        "Dropped out here",
    ]  # fmt: skip
    assert table.iloc[0].tolist() == ["Lead", "200", "—", "—", "100%", "120"]
    assert table.iloc[2].tolist() == ["Won", "10", "20% (n=50)", "25%–75%", "5%", "—"]


def test_japanese_labels_and_formats(japanese):
    frame = funnel_frame([2000, 500, 100], [1200, 300, 0])
    trace = figures.funnel_chart(frame).data[0]
    assert trace.y[2] == "受注"
    assert trace.text[1] == "500<br>前のステージの 25%、最初の 25%"
    assert figures.stage_table(frame).columns[0] == "ステージ"
    assert figures.stage_table(frame).iloc[0, 1] == "2,000"


def split_frame():
    rows = []
    for key, reached in (("Aiko", [30, 15, 6]), ("Ben", [10, 2, 1]), ("Cy", [40, 10, 8])):
        for i, (stage, r) in enumerate(zip(["Lead", "Demo", "Won"], reached, strict=True)):
            rows.append(
                {"key": key, "pipeline": "P", "stage": stage, "position": i + 1, "reached": r,
                 "conversion": None, "cumulative": r / reached[0] if reached[0] else None, "drop_off": 0, "n": reached[0],
                 "ci_low": None, "ci_high": None, "small_sample": reached[0] < 20}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["key", *FUNNEL_COLUMNS])


def test_split_by_group():
    frame = split_frame()
    assert figures.top_groups(frame) == ["Cy", "Aiko", "Ben"]
    assert figures.top_groups(frame, limit=2) == ["Cy", "Aiko"]
    fig = figures.split_chart(frame, ["Cy", "Ben"])
    assert [t.name for t in fig.data] == ["Cy (n=40)", "Ben (n=10)"]
    assert list(fig.data[0].y) == pytest.approx([0.25, 0.2])  # Demo 10/40, Won 8/40
    assert fig.data[1].marker.pattern.shape == "/"  # Ben: 10 deals, a small sample
    assert fig.data[0].marker.pattern.shape == ""
    assert "Cumulative: 10% (n=10, small sample)" in fig.data[1].hovertext[1]
    table = figures.split_table(frame, ["Cy", "Ben"], "Owner")
    assert table.to_dict("records") == [
        {"Owner": "Cy", "Deals": "40", "Won": "8", "Conversion to Won": "20% (n=40)"},
        {
            "Owner": "Ben",
            "Deals": "10",
            "Won": "1",
            "Conversion to Won": "10% (n=10, small sample)",
        },
    ]


def test_compare_two_periods():
    now = funnel_frame([200, 50, 10], [0, 0, 0])
    before = funnel_frame([100, 50, 20], [0, 0, 0])
    fig = figures.compare_chart(now, before, ("This quarter", "Last quarter"))
    assert [t.name for t in fig.data] == ["Last quarter (n=100)", "This quarter (n=200)"]
    assert list(fig.data[1].y) == pytest.approx([1.0, 0.25, 0.05])
    table = figures.compare_table(now, before, ("This quarter", "Last quarter"))
    assert table["Change"].tolist() == ["0 pts", "-25 pts", "-15 pts"]
    assert table["Deals (Last quarter)"].tolist() == ["100", "50", "20"]


def test_modes_accounting_and_transitions():
    modes = pd.DataFrame(
        [("P", "Lead", 1, 10, 8, 12), ("P", "Won", 2, 3, 3, 5)], columns=MODES_COLUMNS
    )
    fig = figures.modes_chart(modes)
    assert [t.name for t in fig.data] == ["Reached or passed", "Entered", "Active in the period"]
    assert [list(t.y) for t in fig.data] == [[10, 3], [8, 3], [12, 5]]

    accounting = pd.DataFrame([("P", "Lead", 1, 10, 5, 2, 1, 2)], columns=ACCOUNTING_COLUMNS)
    fig = figures.accounting_chart(accounting)
    assert [t.name for t in fig.data] == ["Advanced", "Lost", "Moved back", "Still there"]
    assert [t.x[0] for t in fig.data] == [5, 2, 1, 2]
    assert "5 of 10 visits (50%)" in fig.data[0].hovertext[0]
    assert figures.accounting_table(accounting).iloc[0].tolist() == [
        "Lead",
        "10",
        "5",
        "2",
        "1",
        "2",
    ]

    moves = pd.DataFrame(
        [
            ("P", "(created)", 0, "Lead", 1, 7, "forward"),
            ("P", "Lead", 1, "Demo", 2, 4, "forward"),
            ("P", "Lead", 1, "Lost", None, 2, "lost"),
            ("P", "Demo", 2, "Won", None, 3, "won"),
        ],
        columns=TRANSITION_COLUMNS,
    )
    (heat,) = figures.transitions_heatmap(moves).data
    assert isinstance(heat, go.Heatmap)
    assert list(heat.y) == ["(created)", "Lead", "Demo"]
    assert list(heat.x) == ["Lead", "Demo", "Won", "Lost"]
    assert heat.z[0] == (7, None, None, None) or list(heat.z[0]) == [7, None, None, None]
    assert list(heat.z[1]) == [None, 4, None, 2]
    assert heat.hovertext[2][2] == "Demo → Won: 3 moves"
    table = figures.transitions_table(moves)
    assert table.iloc[2].tolist() == ["Lead", "Lost", "Lost", 2]


def test_empty_inputs_give_messages():
    assert not figures.modes_chart(pd.DataFrame(columns=MODES_COLUMNS)).data
    assert not figures.accounting_chart(pd.DataFrame(columns=ACCOUNTING_COLUMNS)).data
    assert not figures.transitions_heatmap(pd.DataFrame(columns=TRANSITION_COLUMNS)).data
    assert not figures.split_chart(pd.DataFrame(columns=["key", *FUNNEL_COLUMNS]), []).data


def test_deal_table_names_columns_and_keeps_data_text():
    deals = pd.DataFrame(
        [("D1", "**bold**", "Aiko", "P", "Won", "won", 12.3456, pd.Timestamp("2025-01-01"))],
        columns=["deal_id", "name", "owner", "pipeline", "stage", "status", "amount", "created_at"],
    )
    table = figures.deal_table(deals, "USD")
    assert list(table.columns) == [
        "Deal ID", "Deal", "Owner", "Pipeline", "Stage", "Status", "Amount (USD)", "Created",
    ]  # fmt: skip
    assert table.iloc[0]["Deal"] == "**bold**"
    assert table.iloc[0]["Amount (USD)"] == 12.35  # a converted amount, to the cent
