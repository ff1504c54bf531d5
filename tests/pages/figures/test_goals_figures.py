"""The Goals figures and tables, built from small literal frames.

(Named test_goals_figures.py: tests/analytics/test_goals.py holds the basename test_goals, and
pytest's default import mode needs unique basenames in a tree without __init__ files.)
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.errors import Problem
from pages.figures import goals as figures
from pages.shared import theme
from pages.shared.locale import ENGLISH, JAPANESE, set_language

Q4 = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-12-31"))


def row(target_id, scope, of, metric, value, actual, pace, status, period=Q4):
    attainment = actual / value
    return {
        "target_id": target_id, "scope": scope, "scope_value": of, "metric": metric,
        "period_start": period[0], "period_end": period[1], "target_value": value,
        "actual": actual, "attainment": attainment, "elapsed_fraction": 0.5,
        "expected_by_now": value / 2, "pace": pace, "projection": actual * 2,
        "remaining_days": 46, "required_per_day": (value - actual) / 46, "status": status,
        "unconverted": 0,
    }  # fmt: skip


PROGRESS = pd.DataFrame(
    [
        row("R2", "owner", "Ben", "won_amount", 2000.0, 500.0, 0.5, "behind"),
        row("C", "company", None, "won_amount", 10000.0, 5600.0, 1.12, "on_track"),
        row("R1", "owner", "<b>Aiko</b>", "won_amount", 4000.0, 1800.0, 0.9, "at_risk"),
        row("T", "team", "East", "won_amount", 3000.0, 3000.0, 2.0, "achieved"),
    ]
)


@pytest.fixture(autouse=True)
def english():
    set_language(ENGLISH)
    yield
    set_language(ENGLISH)


def test_reading_order_and_labels():
    ordered = figures.in_scope_order(PROGRESS)
    assert ordered["target_id"].tolist() == ["C", "T", "R1", "R2"]
    assert figures.target_labels(ordered) == ["Company", "East (team)", "<b>Aiko</b>", "Ben"]
    two_periods = ordered.assign(
        period_start=[Q4[0], Q4[0], pd.Timestamp("2026-07-01"), Q4[0]],
        period_end=[Q4[1], Q4[1], pd.Timestamp("2026-09-30"), Q4[1]],
    )
    assert figures.target_labels(two_periods)[2] == "<b>Aiko</b> · Jul 1, 2026 – Sep 30, 2026"


def test_bullet_rows_keep_company_and_teams_and_pick_reps():
    assert figures.bullet_rows(PROGRESS, 1)["target_id"].tolist() == ["C", "T", "R2"]
    assert figures.bullet_rows(PROGRESS, 1, behind_first=False)["target_id"].tolist() == [
        "C", "T", "R1",
    ]  # fmt: skip
    assert figures.bullet_rows(PROGRESS, 5)["target_id"].tolist() == ["C", "T", "R1", "R2"]


def test_bullets():
    ordered = figures.in_scope_order(PROGRESS)
    fig = figures.bullets(ordered, figures.target_labels(ordered), "USD")
    bars, ticks, projections, *legend = fig.data
    assert (bars.type, ticks.type, projections.type) == ("bar", "scatter", "scatter")
    # Data names are escaped: Plotly would read <b> as markup.
    assert list(bars.y) == ["Company", "East (team)", "&lt;b&gt;Aiko&lt;/b&gt;", "Ben"]
    assert list(bars.x) == pytest.approx([0.56, 1.0, 0.45, 0.25])
    assert list(bars.marker.color) == [
        "#43A047", theme.WON, theme.HIGHLIGHT, theme.LOST,
    ]  # fmt: skip
    assert list(ticks.x) == [0.5] * 4
    # The share reached is written in a column at the right edge, not next to the bar (where a
    # short bar's text sat on the pace tick).
    assert bars.text is None
    assert [(a.text, a.y, a.xref, a.x) for a in fig.layout.annotations] == [
        ("56%", "Company", "paper", 1), ("100%", "East (team)", "paper", 1),
        ("45%", "&lt;b&gt;Aiko&lt;/b&gt;", "paper", 1), ("25%", "Ben", "paper", 1),
    ]  # fmt: skip
    assert list(projections.x) == pytest.approx([1.12, 2.0, 0.9, 0.5])
    assert [t.name for t in legend] == ["Achieved", "On track", "At risk", "Behind"]
    company = bars.customdata[0]
    assert list(company) == [
        "C", "$5,600", "$10,000", "56%", "1.12", "$11,200", "$96", "On track", "50%",
    ]  # fmt: skip
    assert "%{customdata[4]}" in bars.hovertemplate
    assert fig.layout.xaxis.title.text == "Share of target"
    assert fig.layout.height == 130 + 44 * 4


def test_empty_inputs_give_a_message():
    empty = figures.bullets(PROGRESS.iloc[0:0], [], "USD")
    assert not empty.data and empty.layout.annotations[0].text == "No targets to show."
    line = figures.pace_line(pd.DataFrame(columns=["day"]), 10.0, amount=True, currency="USD")
    assert line.layout.annotations[0].text == "The target&#x27;s period has not started yet."


def test_pace_line():
    series = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-10-01", "2026-10-02"]),
            "actual_cumulative": [0.0, 1500.0],
            "expected_cumulative": [500.0, 1000.0],
        }
    )
    fig = figures.pace_line(series, 46000.0, amount=True, currency="USD")
    actual, expected = fig.data
    assert list(actual.y) == [0.0, 1500.0] and list(expected.y) == [500.0, 1000.0]
    assert [list(c) for c in actual.customdata] == [
        ["2026-10-01", "Oct 1, 2026", "$0", "$500"],
        ["2026-10-02", "Oct 2, 2026", "$1,500", "$1,000"],
    ]
    assert fig.layout.shapes[0].y0 == 46000.0
    assert fig.layout.annotations[0].text == "Target $46,000"
    assert fig.layout.yaxis.title.text == "Cumulative (USD)"
    counts = figures.pace_line(series, 4.0, amount=False, currency="USD")
    assert counts.layout.yaxis.title.text == "Cumulative"
    assert counts.data[0].customdata[1][2] == "1,500"
    set_language(JAPANESE)
    japanese = figures.pace_line(series, 46000.0, amount=True, currency="USD")
    assert japanese.layout.xaxis.tickformat == "%m/%d"
    assert japanese.data[0].name == "これまでの実績"


def test_tables():
    ordered = figures.in_scope_order(PROGRESS)
    table = figures.progress_table(ordered, "USD")
    assert table.columns.tolist() == [
        "Target", "Metric", "Target value", "Actual", "Attainment", "Pace", "Projection",
        "Required per day", "Status",
    ]  # fmt: skip
    assert table.iloc[0].tolist() == [
        "Company", "Won revenue", "$10,000", "$5,600", "56%", "112%", "$11,200", "$96",
        "On track",
    ]  # fmt: skip
    counts = figures.progress_table(ordered.assign(metric="activities_completed:call"), "USD")
    assert counts.iloc[0, 1:4].tolist() == ["Activities completed (call)", "10,000", "5,600"]
    board = pd.DataFrame(
        [
            {"rank": 1, "owner": "Aiko", "team": "East", "target": 4000.0, "actual": 4400.0,
             "attainment": 1.1, "pace": 2.2, "status": "achieved", "unconverted": 0},
            {"rank": 2, "owner": "Cleo", "team": None, "target": None, "actual": 300.0,
             "attainment": None, "pace": None, "status": None, "unconverted": 0},
        ]
    )  # fmt: skip
    shown = figures.leaderboard_table(board, "won_amount", "USD")
    assert shown.values.tolist() == [
        [1, "Aiko", "East", "$4,000", "$4,400", "110%", "220%", "Achieved"],
        [2, "Cleo", "—", "—", "$300", "—", "—", "No target"],
    ]
    problems = figures.problems_table([Problem("t.csv", 2, "scope", "region", "not a scope")])
    assert problems.values.tolist() == [[2, "scope", "region", "not a scope"]]
    exported = figures.progress_export(ordered)
    assert exported["period_start"].tolist()[0] == Q4[0].date()
    assert exported["attainment"].tolist()[0] == pytest.approx(0.56)


def test_common_elapsed():
    assert figures.common_elapsed(PROGRESS) == 0.5
    mixed = PROGRESS.assign(elapsed_fraction=[0.5, 0.5, 1.0, 0.5])
    assert figures.common_elapsed(mixed) is None
