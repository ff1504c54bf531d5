"""Sales-cycle length and its monthly trend on a fixture whose every deal is explained below.

Period 2025-01-01 to 2025-06-30, as of 2025-05-31. Cycle = closed date − created date in whole
calendar days (times of day do not count). Pipeline "Sales" unless said.

| deal | status | owner | created          | closed           | days | why it is here                 |
|------|--------|-------|------------------|------------------|------|--------------------------------|
| W1   | won    | Aiko  | 2025-01-01 09:00 | 2025-01-11 17:00 | 10   | plain win; times of day ignored|
| W2   | won    | Ben   | 2025-01-15 23:00 | 2025-01-16 01:00 | 1    | two hours, but across midnight |
| W3   | won    | Aiko  | 2025-02-01 08:00 | 2025-02-01 18:00 | 0    | closed the day it was created  |
| W4   | won    | Ben   | 2024-11-01       | 2025-03-01       | 120  | created before the period      |
| W5   | won    | Aiko  | 2025-03-10       | 2025-03-05       | -    | closed before created: excluded|
| L1   | lost   | Aiko  | 2025-01-05       | 2025-02-04       | 30   | plain loss                     |
| L2   | lost   | Ben   | 2025-02-10       | 2025-02-25       | 15   | plain loss                     |
| L3   | lost   | -     | 2025-05-02       | 2025-05-09       | 7    | no owner; the only deal of the |
|      |        |       |                  |                  |      | "Other" pipeline               |
| O1   | open   | Aiko  | 2025-01-01       | -                | -    | open: never counted            |
| W6   | won    | Aiko  | 2024-10-01       | 2024-12-20       | 80   | closed before the period       |
| W7   | won    | Ben   | 2025-06-01       | 2025-06-15       | 14   | closes after the as-of date    |

W4: 30 (Nov) + 31 (Dec) + 31 (Jan) + 28 (Feb) = 120. W6: 31 (Oct) + 30 (Nov) + 19 = 80.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.cycle import cycle_trend, sales_cycle
from analytics.filters import Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows


def deal(deal_id, status, owner, created, closed=None, pipeline="Sales"):
    return {
        "deal_id": deal_id, "pipeline": pipeline, "status": status, "owner": owner,
        "stage": {"won": "Won", "lost": "Lost"}.get(status, "Lead"),
        "created_at": day(created), "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("W1", "won", "Aiko", "2025-01-01 09:00", "2025-01-11 17:00"),
    deal("W2", "won", "Ben", "2025-01-15 23:00", "2025-01-16 01:00"),
    deal("W3", "won", "Aiko", "2025-02-01 08:00", "2025-02-01 18:00"),
    deal("W4", "won", "Ben", "2024-11-01", "2025-03-01"),
    deal("W5", "won", "Aiko", "2025-03-10", "2025-03-05"),
    deal("L1", "lost", "Aiko", "2025-01-05", "2025-02-04"),
    deal("L2", "lost", "Ben", "2025-02-10", "2025-02-25"),
    deal("L3", "lost", None, "2025-05-02", "2025-05-09", pipeline="Other"),
    deal("O1", "open", "Aiko", "2025-01-01"),
    deal("W6", "won", "Aiko", "2024-10-01", "2024-12-20"),
    deal("W7", "won", "Ben", "2025-06-01", "2025-06-15"),
]
PIPELINES = pipeline_rows("Sales", ["Lead", "Demo"]) + pipeline_rows("Other", ["Lead"])
VIEW = Filters(start=d("2025-01-01"), end=d("2025-06-30"), as_of=d("2025-05-31"))
COLUMNS = ["outcome", "n", "median", "mean", "p25", "p75", "p90", "excluded"]
NO_STATS = (None, None, None, None, None)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("cycle") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=DEALS)
    yield con
    con.close()


def frame(rows, columns):
    # object columns keep None as None, the way the metric reports a missing figure
    return pd.DataFrame([list(r) for r in rows], columns=columns, dtype=object)


def check(got, expected):
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-9)


WON_AND_LOST = [
    # Won [0, 1, 10, 120]: median (1 + 10) / 2 = 5.5, mean 131 / 4 = 32.75;
    # p25 at rank 0.75 -> 0 + 0.75 * 1 = 0.75; p75 at 2.25 -> 10 + 0.25 * 110 = 37.5;
    # p90 at 2.7 -> 10 + 0.7 * 110 = 87. W5 closed before it was created: excluded.
    ("won", 4, 5.5, 32.75, 0.75, 37.5, 87.0, 1),
    # Lost [7, 15, 30]: mean 52 / 3; p25 at 0.5 -> 7 + 0.5 * 8 = 11; p75 at 1.5 -> 22.5;
    # p90 at 1.8 -> 15 + 0.8 * 15 = 27.
    ("lost", 3, 15.0, 52 / 3, 11.0, 22.5, 27.0, 0),
]
BY_OWNER = [
    ("(none)", "won", 0, *NO_STATS, 0),
    ("(none)", "lost", 1, 7.0, 7.0, 7.0, 7.0, 7.0, 0),
    # Aiko won [0, 10]: p25 2.5, p75 7.5, p90 9; W5 excluded.
    ("Aiko", "won", 2, 5.0, 5.0, 2.5, 7.5, 9.0, 1),
    ("Aiko", "lost", 1, 30.0, 30.0, 30.0, 30.0, 30.0, 0),
    # Ben won [1, 120]: p25 1 + 0.25 * 119 = 30.75, p75 90.25, p90 1 + 0.9 * 119 = 108.1.
    ("Ben", "won", 2, 60.5, 60.5, 30.75, 90.25, 108.1, 0),
    ("Ben", "lost", 1, 15.0, 15.0, 15.0, 15.0, 15.0, 0),
]


@pytest.mark.parametrize(
    ("filters", "rows"),
    [
        (VIEW, WON_AND_LOST),
        # As of 2025-02-15, all time: won W6 80, W1 10, W2 1, W3 0 -> [0, 1, 10, 80]:
        # mean 91 / 4 = 22.75, p75 10 + 0.25 * 70 = 27.5, p90 10 + 0.7 * 70 = 59. Lost: L1.
        # W4, W5 and L2 close after the as-of date.
        (Filters(as_of=d("2025-02-15")),
         [("won", 4, 5.5, 22.75, 0.75, 27.5, 59.0, 0), ("lost", 1, *[30.0] * 5, 0)]),
        # The owner filter keeps Aiko's deals, the pipeline filter the single deal L3.
        (Filters.build(VIEW.start, VIEW.end, VIEW.as_of, where={"owner": ["Aiko"]}),
         [r[1:] for r in BY_OWNER if r[0] == "Aiko"]),
        (Filters.build(VIEW.start, VIEW.end, VIEW.as_of, pipeline="Other"),
         [("won", 0, *NO_STATS, 0), ("lost", 1, *[7.0] * 5, 0)]),
        # Nothing closed in 2030: two rows, zero counts and no figures.
        (Filters(start=d("2030-01-01"), end=d("2030-12-31"), as_of=d("2030-12-31")),
         [("won", 0, *NO_STATS, 0), ("lost", 0, *NO_STATS, 0)]),
    ],
)  # fmt: skip
def test_sales_cycle(con, filters, rows):
    check(sales_cycle(con, filters), frame(rows, COLUMNS))


def test_sales_cycle_by_owner_has_both_outcomes_for_every_owner(con):
    check(sales_cycle(con, VIEW, by="owner"), frame(BY_OWNER, ["key", *COLUMNS]))


def test_empty_period_is_a_well_formed_frame(con):
    empty = Filters(start=d("2030-01-01"), end=d("2030-12-31"))
    got = sales_cycle(con, empty)
    assert got["median"].tolist() == [None, None]
    assert list(sales_cycle(con, empty, by="owner").columns) == ["key", *COLUMNS]
    trend = cycle_trend(con, empty)
    assert trend.empty and list(trend.columns) == ["close_month", "outcome", "n", "median", "mean"]


TREND = [
    ("2025-01-01", "won", 2, 5.5, 5.5),  # W1 10, W2 1
    ("2025-01-01", "lost", 0, None, None),
    ("2025-02-01", "won", 1, 0.0, 0.0),  # W3, closed the day it was created
    ("2025-02-01", "lost", 2, 22.5, 22.5),  # L1 30, L2 15
    ("2025-03-01", "won", 1, 120.0, 120.0),  # W4; W5 (also closed in March) excluded
    ("2025-03-01", "lost", 0, None, None),
    ("2025-04-01", "won", 0, None, None),  # nothing closed in April: the month still shows
    ("2025-04-01", "lost", 0, None, None),
    ("2025-05-01", "won", 0, None, None),
    ("2025-05-01", "lost", 1, 7.0, 7.0),  # L3
]


def months(rows):
    return [(date.fromisoformat(r[0]), *r[1:]) for r in rows]


def test_cycle_trend_by_close_month(con):
    expected = frame(months(TREND), ["close_month", "outcome", "n", "median", "mean"])
    check(cycle_trend(con, VIEW), expected)


def test_cycle_trend_by_owner_covers_every_month_for_every_owner(con):
    got = cycle_trend(con, VIEW, by="owner")
    assert got["key"].tolist() == ["(none)"] * 10 + ["Aiko"] * 10 + ["Ben"] * 10
    aiko = got[got["key"] == "Aiko"].drop(columns="key").reset_index(drop=True)
    expected = frame(months([
        ("2025-01-01", "won", 1, 10.0, 10.0), ("2025-01-01", "lost", 0, None, None),
        ("2025-02-01", "won", 1, 0.0, 0.0), ("2025-02-01", "lost", 1, 30.0, 30.0),
        # W5 is Aiko's only deal closed in March, and it is excluded.
        ("2025-03-01", "won", 0, None, None), ("2025-03-01", "lost", 0, None, None),
        ("2025-04-01", "won", 0, None, None), ("2025-04-01", "lost", 0, None, None),
        ("2025-05-01", "won", 0, None, None), ("2025-05-01", "lost", 0, None, None),
    ]), ["close_month", "outcome", "n", "median", "mean"])  # fmt: skip
    check(aiko, expected)
    # The breakdown adds up to the total, month by month.
    summed = got.groupby(["close_month", "outcome"], sort=False)["n"].sum().tolist()
    assert summed == [r[2] for r in TREND]


def test_cycle_trend_over_a_year_boundary(con):
    # All time as of 2025-01-31: W6 (December 2024), then W1 and W2 (January 2025).
    got = cycle_trend(con, Filters(as_of=d("2025-01-31")))
    assert got["close_month"].tolist() == [date(2024, 12, 1)] * 2 + [date(2025, 1, 1)] * 2
    assert got["n"].tolist() == [1, 0, 2, 0]


# --- properties over small generated stores -------------------------------------------------

BASE = datetime(2025, 1, 1)

deal_strategy = st.tuples(
    st.sampled_from(["won", "lost", "open"]),
    st.sampled_from(["a", "b", None]),
    st.integers(0, 24 * 200),  # created: hours after BASE
    st.integers(-24 * 5, 24 * 90),  # closed: hours after created (negative: before)
)
view_strategy = st.tuples(
    st.integers(0, 300),  # as-of: days after BASE
    st.one_of(st.none(), st.integers(0, 200)),  # period start: days after BASE
    st.one_of(st.none(), st.integers(0, 120)),  # period length in days
)


def view_filters(view, owner=None) -> Filters:
    as_of_days, start_days, length = view
    start = (BASE + timedelta(days=start_days)).date() if start_days is not None else None
    end = start + timedelta(days=length) if start and length is not None else None
    where = {"owner": [owner]} if owner else None
    return Filters.build(start, end, (BASE + timedelta(days=as_of_days)).date(), None, where)


def make_store(folder: str, specs) -> tuple:
    """Return (connection, deals as (status, owner, created, closed)) for generated deals."""
    rows, deals = [], []
    for i, (status, owner, created_h, cycle_h) in enumerate(specs):
        created = BASE + timedelta(hours=created_h)
        closed = created + timedelta(hours=cycle_h) if status != "open" else None
        deals.append((status, owner, created, closed))
        rows.append({
            "deal_id": f"X{i}", "pipeline": "P", "stage": "S1", "status": status,
            "owner": owner, "created_at": created, "closed_at": closed,
        })  # fmt: skip
    con = build_store(Path(folder) / "x.duckdb", pipelines=pipeline_rows("P", ["S1"]), deals=rows)
    return con, deals


def closed_in_view(deals, filters: Filters, outcome: str) -> tuple[list[int], int]:
    """Return (cycle days, excluded count) of the deals the definition selects, in Python."""
    last = filters.as_of
    if filters.end and filters.end < last:
        last = filters.end
    days, excluded = [], 0
    for status, _, created, closed in deals:
        if status != outcome or closed.date() > last:
            continue
        if filters.start and closed.date() < filters.start:
            continue
        cycle = (closed.date() - created.date()).days
        if cycle < 0:
            excluded += 1
        else:
            days.append(cycle)
    return days, excluded


@settings(max_examples=30, deadline=None)
@given(st.lists(deal_strategy, min_size=1, max_size=10), view_strategy)
def test_sales_cycle_matches_a_python_reference_and_adds_up(specs, view):
    with tempfile.TemporaryDirectory() as folder:
        con, deals = make_store(folder, specs)
        filters = view_filters(view)
        got = sales_cycle(con, filters).set_index("outcome")
        for outcome in ("won", "lost"):
            days, excluded = closed_in_view(deals, filters, outcome)
            row = got.loc[outcome]
            assert (row["n"], row["excluded"]) == (len(days), excluded)
            if days:
                assert row["median"] == pytest.approx(float(np.quantile(days, 0.5)))
                assert row["p90"] == pytest.approx(float(np.quantile(days, 0.9)))
                assert 0 <= min(days) <= row["p25"] <= row["median"] <= row["p75"] <= max(days)
                assert min(days) <= row["mean"] <= max(days)
            else:
                assert row["median"] is None and row["mean"] is None
        parts = sales_cycle(con, filters, by="owner")
        summed = parts.groupby("outcome")[["n", "excluded"]].sum()
        for outcome in ("won", "lost"):
            total = got.loc[outcome]
            if outcome in summed.index:
                assert summed.loc[outcome, "n"] == total["n"]
                assert summed.loc[outcome, "excluded"] == total["excluded"]
            else:
                assert total["n"] == 0 and total["excluded"] == 0
        narrow = sales_cycle(con, view_filters(view, "a")).set_index("outcome")
        assert (narrow["n"] <= got["n"]).all()
        trend = cycle_trend(con, filters)
        assert trend.groupby("outcome")["n"].sum().reindex(["won", "lost"]).fillna(0).tolist() \
            == got["n"].tolist()  # fmt: skip
        con.close()
