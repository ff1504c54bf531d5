"""The Overview's chart and tile texts, built from small literal values."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pages.figures import overview as figures
from pages.shared import theme
from pages.shared.locale import ENGLISH, JAPANESE, set_language


@pytest.fixture(autouse=True)
def english():
    set_language(ENGLISH)
    yield
    set_language(ENGLISH)


@pytest.mark.parametrize(
    "start, end, as_of, before, expected",
    [
        # 50 days into Q4 → 50 days into Q3.
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 19),
         (date(2026, 7, 1), date(2026, 9, 30)), date(2026, 8, 19)),
        # A period already over compares with the whole previous one.
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 11, 20),
         (date(2026, 4, 1), date(2026, 6, 30)), date(2026, 6, 30)),
        # Day for day: the last of Q1's 90 days is the 90th of Q4 (which has 92).
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 3, 31),
         (date(2026, 10, 1), date(2026, 12, 31)), date(2026, 12, 29)),
        # Before the period: the previous period's first day.
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 9, 1),
         (date(2026, 7, 1), date(2026, 9, 30)), date(2026, 7, 1)),
    ],
)  # fmt: skip
def test_same_point(start, end, as_of, before, expected):
    assert figures.same_point(start, end, as_of, *before) == expected


def test_deltas_and_rates():
    assert figures.delta_money(12_500.0, 10_000.0, "USD") == "+$2,500"
    assert figures.delta_money(10_000.0, 1_250_000.0, "USD") == "-$1.2M"
    assert figures.delta_money(1.0, None, "USD") is None
    assert figures.delta_times(3.5, 3.1) == "+0.4×"
    assert figures.delta_times(1.2, 2.0) == "-0.8×"
    assert figures.delta_times(None, 2.0) is None
    assert figures.delta_points(0.30, 0.25) == "+5 pts"
    assert figures.delta_points(0.25, 0.30) == "-5 pts"
    assert figures.delta_points(None, 0.3) is None
    assert figures.delta_days(36.0, 42.0) == "-6 days"
    assert figures.delta_days(42.0, 36.0) == "+6 days"
    assert figures.coverage_text(3.456) == "3.5×"
    assert figures.coverage_text(None) == "—"
    set_language(JAPANESE)
    assert figures.delta_money(2_000_000.0, 0.0, "USD") == "+$200万"


SERIES = pd.DataFrame(
    {
        "day": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
        "actual_cumulative": [0.0, 1000.0, 3000.0],
        "expected_cumulative": [100.0, 200.0, 300.0],
    }
)


def test_won_vs_target():
    fig = figures.won_vs_target(SERIES, 9200.0, 92_000.0, date(2026, 12, 31), "USD")
    won, pace, projection = fig.data
    assert won.line.color == theme.WON and list(won.y) == [0.0, 1000.0, 3000.0]
    assert [c[0] for c in won.customdata] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert list(pace.y) == [100.0, 200.0, 300.0]
    assert list(projection.x) == [pd.Timestamp("2026-10-03"), pd.Timestamp("2026-12-31")]
    assert list(projection.y) == [3000.0, 92_000.0]
    assert list(projection.customdata[0]) == ["Dec 31, 2026", "$92,000"]
    assert fig.layout.annotations[0].text == "Target $9,200"
    # On the last day there is nothing left to project; an empty line gives a message.
    over = figures.won_vs_target(SERIES, 9200.0, 3000.0, date(2026, 10, 3), "USD")
    assert len(over.data) == 2
    empty = figures.won_vs_target(SERIES.iloc[0:0], None, None, None, "USD")
    assert not empty.data


def test_won_deals_table():
    deals = pd.DataFrame(
        {
            "deal_id": ["D2", "D1"],
            "name": ["**bold**", "<script>alert(1)</script>"],
            "owner": ["Aiko", "Ben"],
            "team": ["East", None],
            "amount": [2000.0, None],
            "closed_at": pd.to_datetime(["2026-10-05 14:00", "2026-10-01 09:00"]),
        }
    )
    shown = figures.won_deals_table(deals, "USD")
    assert shown.columns.tolist() == ["Deal ID", "Deal", "Owner", "Team", "Amount", "Won on"]
    assert shown["Deal"].tolist() == ["**bold**", "<script>alert(1)</script>"]
    assert shown["Amount"].tolist() == ["$2,000", "—"]
    assert shown["Won on"].tolist() == ["Oct 5, 2026", "Oct 1, 2026"]
