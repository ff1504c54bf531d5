"""Figures and tables of the Velocity page, as plain functions on small hand-made frames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.cycle import CYCLE_TREND_COLUMNS, SALES_CYCLE_COLUMNS
from analytics.distributions import HISTOGRAM_COLUMNS, SPREAD_COLUMNS
from analytics.durations import BOTTLENECK_COLUMNS, TIME_IN_STAGE_COLUMNS
from pages.figures import velocity as figures
from pages.shared.locale import ENGLISH, JAPANESE, set_language


def stage_frames():
    """Return time_in_stage, stage_spread and bottleneck frames of stages Lead, Demo, Empty."""
    stages = pd.DataFrame(
        [
            ("P", "Lead", 1, 40, 3.0, 4.0, 5.0, 8.0, 3.5, 6, 2.0),
            ("P", "<i>Demo</i>", 2, 12, 10.0, 11.0, 14.0, 20.0, 12.0, 3, 9.0),
            ("P", "Empty", 3, 0, None, None, None, None, None, 0, None),
        ],
        columns=TIME_IN_STAGE_COLUMNS,
    ).astype(object)
    spread = pd.DataFrame(
        [
            ("P", "Lead", 1, 40, 1.0, 2.0, 3.0, 5.0, 8.0),
            ("P", "<i>Demo</i>", 2, 12, 4.0, 6.0, 10.0, 14.0, 20.0),
            ("P", "Empty", 3, 0, None, None, None, None, None),
        ],
        columns=SPREAD_COLUMNS,
    )
    shares = pd.DataFrame(
        [
            ("P", "Lead", 1, 3.5, 3.5 / 15.5, False),
            ("P", "<i>Demo</i>", 2, 12.0, 12 / 15.5, True),
            ("P", "Empty", 3, None, None, False),
        ],
        columns=BOTTLENECK_COLUMNS,
    )
    return stages, spread, shares


@pytest.fixture
def japanese():
    set_language(JAPANESE)
    yield
    set_language(ENGLISH)


def test_time_in_stage_boxes_medians_and_bottleneck():
    rows = figures.stage_rows(*stage_frames())
    assert list(rows["stage"]) == ["Lead", "<i>Demo</i>", "Empty"]
    fig = figures.time_in_stage_chart(rows)
    boxes = [t for t in fig.data if isinstance(t, go.Box)]
    assert [b.name for b in boxes] == ["Completed visits", "Bottleneck"]
    normal, neck = boxes
    assert list(normal.y) == ["Lead"] and list(normal.q1) == [2.0] and list(normal.median) == [3.0]
    assert list(normal.lowerfence) == [1.0] and list(normal.upperfence) == [8.0]
    assert (
        list(neck.y) == ["&lt;i&gt;Demo&lt;/i&gt;"] and neck.marker.color == figures.theme.HIGHLIGHT
    )
    (diamonds,) = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert list(diamonds.x) == [3.5, 12.0, None]
    assert [c[0] for c in diamonds.customdata] == ["Lead", "<i>Demo</i>", "Empty"]
    assert "Survival-adjusted median: 3.5 days" in diamonds.hovertext[0]
    assert "Median of completed visits: 3 days (n=40)" in diamonds.hovertext[0]
    assert "In the stage now: 6 deals, median age 2 days" in diamonds.hovertext[0]
    assert "Bottleneck" in diamonds.hovertext[1] and "Small sample" in diamonds.hovertext[1]
    assert figures.bottleneck_stage(rows)["stage"] == "<i>Demo</i>"


def test_time_in_stage_table():
    table = figures.time_in_stage_table(figures.stage_rows(*stage_frames()))
    lead, demo, empty = table.to_dict("records")
    assert lead["Completed visits"] == "40" and lead["Median"] == "3 days"
    assert lead["Survival-adjusted median"] == "3.5 days" and lead["Share of the cycle"] == "23%"
    assert demo["Completed visits"] == "12 (small sample)" and demo["Bottleneck"] == "Yes"
    assert demo["Stage"] == "<i>Demo</i>"  # data text as it is: st.dataframe shows it literally
    assert empty["Median"] == "—" and empty["Completed visits"] == "0"


def test_no_visits_give_a_message():
    stages, spread, shares = stage_frames()
    rows = figures.stage_rows(stages.iloc[2:], spread.iloc[2:], shares.iloc[2:])
    fig = figures.time_in_stage_chart(rows)
    assert not fig.data and "No stage visit" in fig.layout.annotations[0].text


def histogram():
    rows = [
        ("won", 0, 7, 1, False), ("lost", 0, 7, 4, False),
        ("won", 7, 14, 3, False), ("lost", 7, 14, 0, False),
        ("won", 14, 21, 0, True), ("lost", 14, 21, 2, True),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=HISTOGRAM_COLUMNS)


def fig_axis_title(frame):
    return figures.cycle_histogram_chart(frame).layout.xaxis.title.text


def test_cycle_histogram_chart():
    won, lost = figures.cycle_histogram_chart(histogram()).data
    assert (won.name, lost.name) == ("Won", "Lost")
    assert list(won.x) == [3.5, 10.5, 17.5]  # the middle of each 7-day band
    assert (
        fig_axis_title(histogram()) == "Days from creation to close<br>(last bar: 14 days and more)"
    )
    assert won.hovertext[0] == "<b>Won</b> · 0–6 days<br>Deals: 1"
    assert list(won.y) == [1, 3, 0] and list(lost.y) == [4, 0, 2]
    assert won.marker.color == figures.theme.WON
    assert lost.hovertext[2] == "<b>Lost</b> · 14+ days<br>Deals: 2"
    empty = figures.cycle_histogram_chart(pd.DataFrame(columns=HISTOGRAM_COLUMNS))
    assert not empty.data


def test_cycle_trend_and_table(japanese):
    trend = pd.DataFrame(
        [
            (date(2025, 1, 1), "won", 25, 30.0, 32.5),
            (date(2025, 1, 1), "lost", 4, 12.0, 15.0),
            (date(2025, 2, 1), "won", 0, None, None),
            (date(2025, 2, 1), "lost", 30, 9.5, 10.0),
        ],
        columns=CYCLE_TREND_COLUMNS,
    )
    won, lost = figures.cycle_trend_chart(trend).data
    assert (won.name, lost.name) == ("受注", "失注")
    assert list(won.y) == [30.0, None] and list(lost.y) == [12.0, 9.5]
    # A month on fewer than 20 deals gets a hollow marker.
    assert list(lost.marker.color) == ["white", figures.theme.LOST]
    assert "2025年1月" in lost.hovertext[0] and "少数サンプル" in lost.hovertext[0]
    summary = pd.DataFrame(
        [
            ("won", 1200, 30.0, 35.25, 20.0, 45.0, 60.0, 2),
            ("lost", 0, None, None, None, None, None, 0),
        ],
        columns=SALES_CYCLE_COLUMNS,
    )
    table = figures.cycle_table(summary)
    assert table.iloc[0].tolist()[:3] == ["受注", "1,200", "30 日"]
    assert table.iloc[1].tolist()[2] == "—"
