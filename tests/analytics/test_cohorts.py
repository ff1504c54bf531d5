"""Cohort tables by creation month on a fixture whose every deal is explained below.

Pipeline "Sales" (Lead, Demo, Proposal). Period 2025-01-01 to 2025-03-31, as of 2025-05-15.
USD is the reporting currency (the commonest); EUR has no rate.

| deal | status | created          | closed           | amount  | team | why it is here           |
|------|--------|------------------|------------------|---------|------|--------------------------|
| J1   | won    | 2025-01-05       | 2025-01-20       | 1000    | A    | won in its creation      |
|      |        |                  |                  |         |      | month (months_after 0),  |
|      |        |                  |                  |         |      | cycle 15                 |
| J2   | won    | 2025-01-10       | 2025-03-05       | 2000    | A    | won two months later,    |
|      |        |                  |                  |         |      | cycle 21 + 28 + 5 = 54   |
| J3   | lost   | 2025-01-31       | 2025-02-01       | 300     | B    | lost the next day, which |
|      |        |                  |                  |         |      | is the next month        |
| J4   | open   | 2025-01-15       | -                | 500     | B    | still open               |
| F1   | won    | 2025-02-03       | 2025-02-03       | 700 EUR | A    | won the day it was       |
|      |        |                  |                  |         |      | created; no rate:        |
|      |        |                  |                  |         |      | counted, not summed      |
| F2   | lost   | 2025-02-14       | 2025-05-20       | 300     | B    | lost after the as-of     |
|      |        |                  |                  |         |      | date: open at as-of      |
| F3   | won    | 2025-02-20       | 2025-04-29       | 800     | -    | no team; cycle 9 + 31 +  |
|      |        |                  |                  |         |      | 28 = 68, months_after 2  |
| M1   | won    | 2025-03-31 23:00 | 2025-05-15 10:00 | 400     | A    | created late on the      |
|      |        |                  |                  |         |      | period's last day, won   |
|      |        |                  |                  |         |      | on the as-of date; cycle |
|      |        |                  |                  |         |      | 30 + 15 = 45             |
| M2   | lost   | 2025-03-10       | 2025-02-27       | 100     | A    | closed before it was     |
|      |        |                  |                  |         |      | created: lost, no cycle; |
|      |        |                  |                  |         |      | closed from month 0 on   |
|      |        |                  |                  |         |      | (offset -1)              |
| M3   | won    | 2025-03-05       | -                | 200     | B    | won without a close      |
|      |        |                  |                  |         |      | date: still open in its  |
|      |        |                  |                  |         |      | cohort                   |
| D0   | won    | 2024-12-20       | 2025-01-05       | 900     | A    | created before the       |
|      |        |                  |                  |         |      | period                   |
| A0   | open   | 2025-04-02       | -                | 100     | A    | created after the period |
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.cohorts import BadCohortWindow, cohort_matrix, cohort_summary
from analytics.errors import AnalyticsError
from analytics.filters import Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows

PIPELINE = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"])


def deal(deal_id, status, created, closed, amount, team, currency="USD", pipeline="Sales"):
    return {
        "deal_id": deal_id, "pipeline": pipeline, "stage": {"won": "Won", "lost": "Lost"}.get(
            status, "Demo"), "status": status, "amount": amount, "currency": currency,
        "team": team, "created_at": day(created), "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("J1", "won", "2025-01-05", "2025-01-20", 1000, "A"),
    deal("J2", "won", "2025-01-10", "2025-03-05", 2000, "A"),
    deal("J3", "lost", "2025-01-31", "2025-02-01", 300, "B"),
    deal("J4", "open", "2025-01-15", None, 500, "B"),
    deal("F1", "won", "2025-02-03", "2025-02-03", 700, "A", currency="EUR"),
    deal("F2", "lost", "2025-02-14", "2025-05-20", 300, "B"),
    deal("F3", "won", "2025-02-20", "2025-04-29", 800, None),
    deal("M1", "won", "2025-03-31 23:00", "2025-05-15 10:00", 400, "A"),
    deal("M2", "lost", "2025-03-10", "2025-02-27", 100, "A"),
    deal("M3", "won", "2025-03-05", None, 200, "B"),
    deal("D0", "won", "2024-12-20", "2025-01-05", 900, "A"),
    deal("A0", "open", "2025-04-02", None, 100, "A"),
]

PERIOD = Filters(start=d("2025-01-01"), end=d("2025-03-31"), as_of=d("2025-05-15"))
SUMMARY = [
    "cohort_month", "created", "won", "lost", "open", "win_rate", "won_amount",
    "median_won_cycle_days", "ci_low", "ci_high", "small_sample", "unconverted",
]  # fmt: skip
MATRIX = [
    "cohort_month", "months_after", "won_cumulative", "closed_cumulative",
    "cumulative_win_share", "created", "ci_low", "ci_high", "small_sample",
]  # fmt: skip
JAN, FEB, MAR = d("2025-01-01"), d("2025-02-01"), d("2025-03-01")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("cohorts") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINE, deals=DEALS)
    yield con
    con.close()


def summary_frame(rows: list[tuple], key: bool = False) -> pd.DataFrame:
    """Expected summary columns from (cohort_month, created, won, lost, open, win_rate,
    won_amount, median_won_cycle_days, unconverted) tuples, with a key first when key."""
    names = ["cohort_month", "created", "won", "lost", "open", "win_rate", "won_amount",
             "median_won_cycle_days", "unconverted"]  # fmt: skip
    return pd.DataFrame(rows, columns=(["key"] if key else []) + names)


def test_summary_by_creation_month(con):
    got = cohort_summary(con, PERIOD)
    assert list(got.columns) == SUMMARY
    expected = summary_frame([
        # Jan: J1 J2 won, J3 lost, J4 open; 2/3; 1000 + 2000; median(15, 54) = 34.5.
        (JAN, 4, 2, 1, 1, 2 / 3, 3000.0, 34.5, 0),
        # Feb: F1 F3 won, F2 lost only after the as-of date; 2/2; F1 in EUR not summed;
        # median(0, 68) = 34.
        (FEB, 3, 2, 0, 1, 1.0, 800.0, 34.0, 1),
        # Mar: M1 won (on the as-of date), M2 lost, M3 won without a date: open; 1/2; 400; 45.
        (MAR, 3, 1, 1, 1, 0.5, 400.0, 45.0, 0),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    # Wilson 95% of 2/3 (z² = 3.8415): denominator 1 + 3.8415/3 = 2.28050; centre
    # (0.66667 + 3.8415/6) / 2.28050 = 0.57308; half 1.96 * sqrt(0.22222/3 + 3.8415/36)
    # / 2.28050 = 0.36540; so 0.20768 .. 0.93848.
    assert got.loc[0, "ci_low"] == pytest.approx(0.20768, abs=1e-4)
    assert got.loc[0, "ci_high"] == pytest.approx(0.93848, abs=1e-4)
    assert got["small_sample"].tolist() == [True, True, True]


def test_summary_by_team(con):
    got = cohort_summary(con, PERIOD, by="team")
    assert list(got.columns) == ["key", *SUMMARY]
    expected = summary_frame([
        ("(none)", FEB, 1, 1, 0, 0, 1.0, 800.0, 68.0, 0),  # F3
        ("A", JAN, 2, 2, 0, 0, 1.0, 3000.0, 34.5, 0),  # J1 J2
        ("A", FEB, 1, 1, 0, 0, 1.0, 0.0, 0.0, 1),  # F1, EUR
        ("A", MAR, 2, 1, 1, 0, 0.5, 400.0, 45.0, 0),  # M1 won, M2 lost
        ("B", JAN, 2, 0, 1, 1, 0.0, 0.0, None, 0),  # J3 lost, J4 open
        ("B", FEB, 1, 0, 0, 1, None, 0.0, None, 0),  # F2 open at as-of
        ("B", MAR, 1, 0, 0, 1, None, 0.0, None, 0),  # M3 won without a close date
    ], key=True)  # fmt: skip
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_summary_with_an_as_of_date_cutting_the_cohorts(con):
    got = cohort_summary(con, Filters(start=PERIOD.start, end=PERIOD.end, as_of=d("2025-02-15")))
    expected = summary_frame([
        # Jan: J1 won 01-20, J3 lost 02-01; J2 (won 03-05) and J4 still open.
        (JAN, 4, 1, 1, 2, 0.5, 1000.0, 15.0, 0),
        # Feb up to the 15th: F1 won, F2 open; F3 not created yet.
        (FEB, 2, 1, 0, 1, 1.0, 0.0, 0.0, 1),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_summary_with_a_condition(con):
    filters = Filters.build(PERIOD.start, PERIOD.end, PERIOD.as_of, where={"team": ["B"]})
    got = cohort_summary(con, filters)
    expected = summary_frame([
        (JAN, 2, 0, 1, 1, 0.0, 0.0, None, 0),
        (FEB, 1, 0, 0, 1, None, 0.0, None, 0),
        (MAR, 1, 0, 0, 1, None, 0.0, None, 0),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_summary_all_time_takes_in_the_deals_outside_the_period(con):
    got = cohort_summary(con, Filters(as_of=PERIOD.as_of))
    # D0 makes a December cohort; A0 (open) joins April.
    assert got["cohort_month"].tolist() == [d("2024-12-01"), JAN, FEB, MAR, d("2025-04-01")]
    assert got["created"].tolist() == [1, 4, 3, 3, 1]


@pytest.mark.parametrize("by", [None, "team"])
def test_empty_period_gives_an_empty_table(con, by):
    got = cohort_summary(con, Filters(start=d("2030-01-01"), end=d("2030-12-31")), by=by)
    assert got.empty and list(got.columns) == (["key"] if by else []) + SUMMARY
    matrix = cohort_matrix(con, Filters(start=d("2030-01-01"), end=d("2030-12-31")))
    assert matrix.empty and list(matrix.columns) == MATRIX


def matrix_frame(rows: list[tuple]) -> pd.DataFrame:
    """Expected matrix columns from (cohort_month, months_after, won_cum, closed_cum, created)."""
    frame = pd.DataFrame(rows, columns=["cohort_month", "months_after", "won_cumulative",
                                        "closed_cumulative", "created"])  # fmt: skip
    frame["cumulative_win_share"] = frame["won_cumulative"] / frame["created"]
    return frame


def test_matrix_follows_each_cohort_month_by_month(con):
    got = cohort_matrix(con, PERIOD, months=3)
    assert list(got.columns) == MATRIX
    expected = matrix_frame([
        # Jan (4): J1 won in month 0, J3 lost in month 1, J2 won in month 2; J4 open.
        (JAN, 0, 1, 1, 4), (JAN, 1, 1, 2, 4), (JAN, 2, 2, 3, 4), (JAN, 3, 2, 3, 4),
        # Feb (3): F1 won in month 0, F3 won in month 2 (April); F2 lost after the as-of date.
        (FEB, 0, 1, 1, 3), (FEB, 1, 1, 1, 3), (FEB, 2, 2, 2, 3), (FEB, 3, 2, 2, 3),
        # Mar (3): M2 closed before creation counts in month 0; M1 won in month 2 (May);
        # month 3 (June) has not begun by the as-of date.
        (MAR, 0, 0, 1, 3), (MAR, 1, 0, 1, 3), (MAR, 2, 1, 2, 3),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_matrix_with_an_as_of_date_cutting_the_cohorts(con):
    got = cohort_matrix(con, Filters(start=PERIOD.start, end=PERIOD.end, as_of=d("2025-02-15")))
    expected = matrix_frame([
        # Jan: J1 won in January, J3 lost on 02-01; J2 wins only in March. Feb: F1 and F2.
        (JAN, 0, 1, 1, 4), (JAN, 1, 1, 2, 4),
        (FEB, 0, 1, 1, 2),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_matrix_with_months_zero_and_a_condition(con):
    filters = Filters.build(PERIOD.start, PERIOD.end, PERIOD.as_of, where={"team": ["A"]})
    got = cohort_matrix(con, filters, months=0)
    # Team A: Jan J1 J2 (J1 in month 0); Feb F1 (won in month 0); Mar M1 M2 (M2 in month 0).
    expected = matrix_frame([(JAN, 0, 1, 1, 2), (FEB, 0, 1, 1, 1), (MAR, 0, 0, 1, 2)])
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


@pytest.mark.parametrize("months", [-1, 121, 1.5, "12", True])
def test_matrix_refuses_a_bad_number_of_months(con, months):
    with pytest.raises(BadCohortWindow) as caught:
        cohort_matrix(con, PERIOD, months=months)
    assert isinstance(caught.value, AnalyticsError)


def test_a_single_deal_in_a_one_stage_pipeline(tmp_path):
    con = build_store(
        tmp_path / "one.duckdb",
        pipelines=pipeline_rows("Solo", ["Only"]),
        deals=[deal("S1", "won", "2025-06-30", "2025-06-30", 50, "A", pipeline="Solo")],
    )
    filters = Filters(pipeline="Solo", as_of=d("2025-08-10"))
    got = cohort_summary(con, filters)
    expected = summary_frame([(d("2025-06-01"), 1, 1, 0, 0, 1.0, 50.0, 0.0, 0)])
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    # June, July and August have begun by 2025-08-10: months_after 0, 1, 2.
    matrix = cohort_matrix(con, filters)
    expected_matrix = matrix_frame([(d("2025-06-01"), m, 1, 1, 1) for m in range(3)])
    pd.testing.assert_frame_equal(matrix[expected_matrix.columns], expected_matrix,
                                  check_dtype=False)  # fmt: skip
    assert cohort_summary(con, Filters(pipeline="Sales", as_of=d("2025-08-10"))).empty
    con.close()


# ---- properties over generated stores ---------------------------------------------------

BASE = date(2025, 1, 1)

deal_rows = st.lists(
    st.tuples(
        st.integers(0, 150),  # created, days after BASE
        st.sampled_from(["open", "won", "lost"]),
        st.one_of(st.none(), st.integers(-10, 120)),  # closed, days after creation
        st.sampled_from(["A", "B", None]),
    ),
    max_size=30,
)


def datetime_at(days: int):
    return day((BASE + timedelta(days=days)).isoformat())


def _store(directory: str, rows):
    deals = []
    for i, (created, status, closed, team) in enumerate(rows):
        at = datetime_at(created)
        deals.append({
            "deal_id": f"G{i}", "pipeline": "Sales", "stage": "Lead", "status": status,
            "amount": 10.0, "currency": "USD", "team": team, "created_at": at,
            "closed_at": at + timedelta(days=closed) if status != "open" and closed is not None
            else None,
        })  # fmt: skip
    return build_store(Path(directory) / "p.duckdb", pipelines=PIPELINE, deals=deals)


@settings(max_examples=30, deadline=None)
@given(rows=deal_rows, as_of_day=st.integers(0, 300))
def test_summary_rates_are_shares_and_breakdowns_add_up(rows, as_of_day):
    with tempfile.TemporaryDirectory() as directory:
        con = _store(directory, rows)
        filters = Filters(as_of=BASE + timedelta(days=as_of_day))
        total = cohort_summary(con, filters)
        assert (total["won"] + total["lost"] + total["open"] == total["created"]).all()
        assert (total[["won", "lost", "open"]] >= 0).all().all()
        for rate in ("win_rate", "ci_low", "ci_high"):
            assert all(v is None or pd.isna(v) or 0 <= v <= 1 for v in total[rate])
        assert all(v is None or pd.isna(v) or v >= 0 for v in total["median_won_cycle_days"])
        parts = cohort_summary(con, filters, by="team")
        summed = parts.groupby("cohort_month")[["created", "won", "lost", "open"]].sum()
        pd.testing.assert_frame_equal(
            summed.reset_index(), total[["cohort_month", "created", "won", "lost", "open"]],
            check_dtype=False,
        )  # fmt: skip
        narrow = cohort_summary(con, Filters.build(as_of=filters.as_of, where={"team": ["A"]}))
        wide = total.set_index("cohort_month")
        for _, row in narrow.iterrows():
            assert row["created"] <= wide.loc[row["cohort_month"], "created"]
            assert row["won"] <= wide.loc[row["cohort_month"], "won"]
        con.close()


@settings(max_examples=30, deadline=None)
@given(rows=deal_rows, as_of_day=st.integers(0, 300), months=st.integers(0, 14))
def test_matrix_is_cumulative_and_ends_at_the_summary(rows, as_of_day, months):
    with tempfile.TemporaryDirectory() as directory:
        con = _store(directory, rows)
        filters = Filters(as_of=BASE + timedelta(days=as_of_day))
        matrix = cohort_matrix(con, filters, months=months)
        summary = cohort_summary(con, filters).set_index("cohort_month")
        assert set(matrix["cohort_month"]) == set(summary.index)
        for month, cells in matrix.groupby("cohort_month"):
            assert cells["months_after"].tolist() == list(range(len(cells)))
            assert cells["won_cumulative"].is_monotonic_increasing
            assert cells["closed_cumulative"].is_monotonic_increasing
            assert (cells["won_cumulative"] <= cells["closed_cumulative"]).all()
            assert (cells["closed_cumulative"] <= cells["created"]).all()
            assert all(0 <= v <= 1 for v in cells["cumulative_win_share"])
            last = cells.iloc[-1]
            # Every deal closed by the as-of date closed by the end of the as-of month, so a
            # window reaching that month agrees with the summary.
            if len(cells) < months + 1:
                assert last["won_cumulative"] == summary.loc[month, "won"]
                assert last["closed_cumulative"] == summary.loc[month, "won"] + summary.loc[
                    month, "lost"]  # fmt: skip
        con.close()
