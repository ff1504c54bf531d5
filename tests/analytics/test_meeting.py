"""The weekly meeting's per-rep summaries and waterfall drill-down, on the weekly fixture.

The store is tests/analytics/test_weekly.py's: every deal is explained in its docstring, and
the window is the same, a = 2025-03-09, b = 2025-03-16.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.filters import Filters
from analytics.meeting import (
    ACTION_COLUMNS,
    OWNER_SCORECARD_COLUMNS,
    UnknownStep,
    actions_by_owner,
    open_first,
    scorecard_by_owner,
    waterfall_deals,
)
from analytics.weekly import (
    WATERFALL_STEPS,
    BadWindow,
    slippage_scorecard,
    slipped_deals,
    stalled_deals,
    waterfall,
)
from tests.analytics.builders import build_store, d
from tests.analytics.test_weekly import (
    ACTIVITIES,
    ALL,
    CHANGES,
    DEALS,
    EVENTS,
    PIPELINES,
    A,
    B,
    owner,
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("meeting") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=DEALS, events=EVENTS,
                      activities=ACTIVITIES, deal_changes=CHANGES)  # fmt: skip
    yield con
    con.close()


# The deals of each step of test_weekly's WATERFALL, with the moment each counts at.
WATERFALL_DEALS = {
    # open at a: the 11 deals its comment lists, no moment, by deal_id
    "open_at_a": [("A1", None), ("A2", None), ("AB", None), ("B1", None), ("E1", None),
                  ("L1", None), ("OD2", None), ("OLD", None), ("P1", None), ("R1", None),
                  ("W1", None)],
    "created": [("N1", "2025-03-11 09:00"), ("NW", "2025-03-12 10:00")],
    "won": [("NW", "2025-03-12 15:00"), ("W1", "2025-03-13 16:00")],
    "lost": [("L1", "2025-03-14 12:00")],
    # the last amount change of the window: NW's discount at its close, A1's raise
    "amount_changes": [("NW", "2025-03-12 15:00"), ("A1", "2025-03-13 12:00")],
    # RO re-entered Demo after Won
    "reopened_or_other": [("RO", "2025-03-12 12:00")],
    "open_at_b": [("A1", None), ("A2", None), ("AB", None), ("B1", None), ("E1", None),
                  ("N1", None), ("OD2", None), ("OLD", None), ("P1", None), ("R1", None),
                  ("RO", None)],
}  # fmt: skip


@pytest.mark.parametrize("step", WATERFALL_STEPS)
def test_waterfall_deals_are_the_deals_of_each_step(con, step):
    got = waterfall_deals(con, ALL, A, B, step)
    assert list(got.columns) == ["deal_id", "name", "owner", "stage", "amount", "at"]
    pairs = [
        (deal, None if pd.isna(at) else at.strftime("%Y-%m-%d %H:%M"))
        for deal, at in zip(got["deal_id"], got["at"], strict=True)
    ]
    assert pairs == WATERFALL_DEALS[step]


def test_waterfall_deals_show_the_stage_at_b_and_the_current_amount(con):
    got = waterfall_deals(con, ALL, A, B, "open_at_b").set_index("deal_id")
    # RO was back in Demo at b; B1's amount is its current 4500 (raised after b); E1 has no
    # exchange rate
    assert got.loc["RO", "stage"] == "Demo"
    assert got.loc["B1", "amount"] == 4500.0
    assert pd.isna(got.loc["E1", "amount"])
    won = waterfall_deals(con, ALL, A, B, "won").set_index("deal_id")
    assert won.loc["NW", "stage"] == "Won" and won.loc["NW", "name"] == "Deal NW"


@pytest.mark.parametrize(
    ("filters", "a", "b"),
    [
        (ALL, A, B),
        (owner("Aiko"), A, B),
        (ALL, d("2025-01-01"), d("2025-03-31")),
        (ALL, d("2025-01-04"), d("2025-03-16")),
        (Filters(pipeline="Renewals"), d("2025-01-05"), d("2025-01-12")),
        (owner("Nobody"), A, B),
    ],
)
def test_waterfall_deals_count_as_many_deals_as_the_waterfall(con, filters, a, b):
    steps = waterfall(con, filters, a, b)
    for step, deals in zip(steps["step"], steps["deals"], strict=True):
        assert len(waterfall_deals(con, filters, a, b, step)) == deals, step


def test_waterfall_deals_refuse_unknown_steps_and_bad_windows(con):
    with pytest.raises(UnknownStep):
        waterfall_deals(con, ALL, A, B, "open")
    with pytest.raises(BadWindow):
        waterfall_deals(con, ALL, B, A, "created")


def test_scorecard_by_owner_sums_the_stages(con):
    got = scorecard_by_owner(slippage_scorecard(con, ALL, A, B))
    assert list(got.columns) == OWNER_SCORECARD_COLUMNS
    # Aiko: N1 pushed once by 15 days (not due); A1 and W1 due, neither slipped: 0 of 2.
    # Ben: A2 pushed twice, 16 + 10 days, and slipped; B1 overdue: 2 of 2.
    # most slipped first
    assert got[["owner", "pushes", "days_pushed", "due_in_window", "slipped"]].values.tolist() == [
        ["Ben", 2, 26, 2, 2],
        ["Aiko", 1, 15, 2, 0],
    ]
    assert got["slip_share"].tolist() == [1.0, 0.0]
    # Wilson interval of 2 of 2: (0.3424, 1); of 0 of 2: (0, 0.6576)
    assert got["ci_low"].iloc[0] == pytest.approx(0.3424, 1e-4) and got["ci_high"].iloc[0] == 1.0
    assert got["ci_low"].iloc[1] == 0.0 and got["ci_high"].iloc[1] == pytest.approx(0.6576, 1e-4)
    assert got["small_sample"].tolist() == [True, True]


def test_scorecard_by_owner_without_due_deals_has_no_share(con):
    got = scorecard_by_owner(
        slippage_scorecard(con, owner("Ben"), d("2025-03-16"), d("2025-03-23"))
    )
    # Ben: OD2 pushed 03-05 → 04-30 on 03-20 (56 days); nothing of his fell due in (03-16, 03-23]
    assert got[["owner", "pushes", "days_pushed", "due_in_window"]].values.tolist() == [
        ["Ben", 1, 56, 0]
    ]
    assert got["slip_share"].iloc[0] is None and got["ci_low"].iloc[0] is None


def test_scorecard_by_owner_of_a_quiet_window_is_empty(con):
    got = scorecard_by_owner(slippage_scorecard(con, ALL, d("2030-01-01"), d("2030-01-08")))
    assert got.empty and list(got.columns) == OWNER_SCORECARD_COLUMNS


def test_actions_by_owner_counts_slipped_and_stalled_deals(con):
    got = actions_by_owner(slipped_deals(con, ALL, A, B), stalled_deals(con, ALL, B))
    assert list(got.columns) == ACTION_COLUMNS
    # Ben: slipped A2 3000, OD2 1200, B1 4500; stalled P1 100.10 → 4 deals, first.
    # Aiko: slipped N1 1000; stalled OLD 800.55, R1 2000.
    assert got.values.tolist() == [
        ["Ben", 3, 8700.0, 1, 100.10],
        ["Aiko", 1, 1000.0, 2, 2800.55],
    ]


def test_actions_by_owner_of_nobody_is_empty(con):
    nobody = owner("Nobody")
    got = actions_by_owner(slipped_deals(con, nobody, A, B), stalled_deals(con, nobody, B))
    assert got.empty and list(got.columns) == ACTION_COLUMNS


def test_actions_by_owner_name_deals_without_owner(tmp_path):
    # X: open, no owner, its 03-01 close date past at b (overdue) and idle since 02-01
    deals = [
        {"deal_id": "X", "name": "Deal X", "pipeline": "Partners", "stage": "Intro",
         "status": "open", "amount": 50, "currency": "USD", "created_at": d("2025-02-01"),
         "expected_close_date": d("2025-03-01")},
    ]  # fmt: skip
    con = build_store(tmp_path / "s.duckdb", pipelines=PIPELINES, deals=deals)
    got = actions_by_owner(slipped_deals(con, ALL, A, B), stalled_deals(con, ALL, B))
    con.close()
    assert got.values.tolist() == [["(none)", 1, 50.0, 1, 50.0]]


def test_open_first_puts_closed_deals_last_keeping_the_order():
    deals = pd.DataFrame(
        {"deal_id": ["L", "O1", "W", "O2"], "stage": ["Lost", "Demo", "Won", "Lead"]}
    )
    assert open_first(deals)["deal_id"].tolist() == ["O1", "O2", "L", "W"]
    assert open_first(deals.iloc[0:0]).empty
