"""Spread of time in stage and the sales-cycle histogram, on the fixture of test_drilldown.

Completed visits started in the period (2025 Q1, as of 2025-03-31), sorted:
    Lead     [1, 1, 2.5, 5, 19, 31]    (B, C, A, M, H at its close, L)
    Demo     [3, 6.75, 40]             (C, A, M)
    Proposal [2, 6, 9.75]              (C, B, A)
Quantiles interpolate linearly at rank q × (n − 1). Cycles of the deals closed in the period:
won A 19, H 19; lost B 7, L 31, M 45, G 75 (X closed before it was created: left out).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import cycle, durations
from analytics.distributions import (
    HISTOGRAM_COLUMNS,
    SPREAD_COLUMNS,
    band_width,
    cycle_histogram,
    stage_spread,
)
from analytics.filters import Filters
from tests.analytics.builders import build_store, d
from tests.analytics.test_drilldown import DEALS, EVENTS, PIPELINES, SALES, VIEW


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("distributions") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=DEALS, events=EVENTS)
    yield con
    con.close()


def test_stage_spread_over_the_period(con):
    expected = pd.DataFrame(
        [
            # Lead n=6: ranks 0.5, 1.25, 2.5, 3.75, 4.5 -> 1, 1 + 0.25 * 1.5, 2.5 + 0.5 * 2.5,
            # 5 + 0.75 * 14, 19 + 0.5 * 12.
            ("Sales", "Lead", 1, 6, 1.0, 1.375, 3.75, 15.5, 25.0),
            # Demo n=3: ranks 0.2, 0.5, 1, 1.5, 1.8 -> 3 + 0.2 * 3.75, 3 + 0.5 * 3.75, 6.75,
            # 6.75 + 0.5 * 33.25, 6.75 + 0.8 * 33.25.
            ("Sales", "Demo", 2, 3, 3.75, 4.875, 6.75, 23.375, 33.35),
            # Proposal n=3: 2 + 0.2 * 4, 2 + 0.5 * 4, 6, 6 + 0.5 * 3.75, 6 + 0.8 * 3.75.
            ("Sales", "Proposal", 3, 3, 2.8, 4.0, 6.0, 7.875, 9.0),
        ],
        columns=SPREAD_COLUMNS,
    )
    got = stage_spread(con, SALES)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-9)
    # The median is the one time_in_stage reports.
    medians = durations.time_in_stage(con, SALES)["median_days"]
    assert list(got["median_days"]) == pytest.approx(list(medians))


def test_stage_spread_with_a_condition_and_without_visits(con):
    aiko = Filters(SALES.start, SALES.end, SALES.as_of, "Sales", (("owner", ("Aiko",)),))
    got = stage_spread(con, aiko).set_index("stage")
    # Lead [2.5, 31]: ranks 0.1, 0.25, 0.5, 0.75, 0.9 of the one gap of 28.5.
    assert list(got.loc["Lead", SPREAD_COLUMNS[3:]]) == pytest.approx(
        [2, 5.35, 9.625, 16.75, 23.875, 28.15]
    )
    assert got.loc["Demo", "median_days"] == pytest.approx(6.75)
    empty = stage_spread(con, Filters(d("2001-01-01"), d("2001-01-31"), SALES.as_of, "Sales"))
    assert list(empty["completed_visits"]) == [0, 0, 0]
    assert empty["median_days"].tolist() == [None, None, None]
    with pytest.raises(ValueError):
        stage_spread(con, VIEW)


@pytest.mark.parametrize(
    ("p95", "width"),
    [(0, 1), (25, 1), (26, 2), (50, 2), (67.5, 5), (175, 7), (176, 14), (10**6, 365)],
)
def test_band_width(p95, width):
    assert band_width(p95) == width


def test_cycle_histogram(con):
    # p95 of [7, 19, 19, 31, 45, 75] at rank 4.75: 45 + 0.75 * 30 = 67.5 -> 5-day bands; the
    # open-ended band starts at the first edge above it, 70 (band 14).
    got = cycle_histogram(con, VIEW)
    assert list(got.columns) == HISTOGRAM_COLUMNS
    assert len(got) == 15 * 2  # bands 0..14, won and lost each
    nonzero = got[got["deals"] > 0]
    assert [tuple(r) for r in nonzero.itertuples(index=False)] == [
        ("lost", 5, 10, 1, False),  # B 7
        ("won", 15, 20, 2, False),  # A, H 19
        ("lost", 30, 35, 1, False),  # L 31
        ("lost", 45, 50, 1, False),  # M 45
        ("lost", 70, 75, 1, True),  # G 75, in the open-ended band
    ]
    # The same deals as the sales cycle's n.
    summary = cycle.sales_cycle(con, VIEW).set_index("outcome")["n"]
    assert got.groupby("outcome")["deals"].sum().to_dict() == summary.to_dict()


def test_cycle_histogram_without_closed_deals(con):
    got = cycle_histogram(con, Filters(d("2001-01-01"), d("2001-01-31"), SALES.as_of))
    assert got.empty and list(got.columns) == HISTOGRAM_COLUMNS
