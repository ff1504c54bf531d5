"""Goal progress, pacing, leaderboard and pace line on a fixture whose every row is explained.

As of Wednesday 2025-02-12 (data runs to 2025-02-20, so the store is read as it was then).
February 2025 has 28 days; 12 have elapsed at the end of the as-of day (12/28 = 3/7) and 16
remain. Its weekdays: 3-7, 10-14, 17-21, 24-28 = 20; 8 elapsed by Wednesday 12th (3-7, 10-12),
12 remain. Pipelines "Sales" (Lead, Demo, Proposal) and "Partner" (one stage, Deal).

| deal | owner | team | pipeline | status | created          | closed           | amount   | why it is here                           |
|------|-------|------|----------|--------|------------------|------------------|----------|------------------------------------------|
| D1   | Aiko  | East | Sales    | won    | 2025-01-20       | 2025-02-03       | 3000     | won in February, created in January      |
| D2   | Aiko  | East | Sales    | won    | 2025-02-02       | 2025-02-10       | 2000     | created and won in February              |
| D3   | Ben   | East | Sales    | won    | 2025-01-05       | 2025-02-05 10:00 | 1500     | Ben's February win                       |
| D4   | Ben   | West | Sales    | won    | 2025-02-04 09:00 | 2025-02-04 17:00 | 500      | closed the day it was created; Ben's one |
|      |       |      |          |        |                  |                  |          | West deal (his rep team stays East)      |
| D5   | Ben   | East | Sales    | won    | 2025-02-06       | 2025-02-20       | 2500     | won after the as-of date                 |
| D6   | Cleo  | West | Sales    | won    | 2025-01-02       | 2025-01-15       | 4000     | January win (the ended targets)          |
| D7   | Cleo  | West | Sales    | won    | 2025-02-01       | 2025-02-11       | 1000 EUR | no rate to USD: unconverted, not summed  |
| D8   | Aiko  | East | Sales    | open   | 2025-02-12 15:00 | -                | 800      | created on the as-of day: counts         |
| D9   | Aiko  | East | Sales    | open   | 2025-02-13       | -                | 900      | created after the as-of date             |
| D10  | Cleo  | West | Sales    | lost   | 2025-02-03       | 2025-02-07       | 700      | lost: never in won figures               |
| D11  | Aiko  | East | Partner  | won    | 2025-02-03       | 2025-02-08       | 600      | the other pipeline                       |
| D12  | Ben   | East | Sales    | lost   | 2024-12-10       | 2025-01-10       | 300      | a January loss                           |

| activity | type | owner | deal | completed        | why it is here                                  |
|----------|------|-------|------|------------------|-------------------------------------------------|
| A1       | call | Aiko  | D1   | 2025-02-03 10:00 | counted for Aiko, her calls and East            |
| A2       | call | Aiko  | -    | 2025-02-10       | no deal: counts, but not with a pipeline set    |
| A3       | email| Aiko  | D2   | 2025-02-11       | not a call                                      |
| A4       | call | Aiko  | D1   | 2025-02-14       | completed after the as-of date                  |
| A5       | meeting | Aiko | D1 | - (planned)      | never completed                                 |
| A6       | demo | Ben   | D4   | 2025-02-04       | on a West deal, yet East by Ben's rep team      |
| A7       | call | Cleo  | -    | 2025-02-06       | Cleo's call: on leaderboards without a target   |
| A8       | call | Aiko  | D1   | 2025-01-31       | before the February period                      |

| target | scope   | of   | metric                    | period   | value | why it is here                       |
|--------|---------|------|---------------------------|----------|-------|--------------------------------------|
| G1     | company | -    | won_amount                | February | 10000 | in progress, on track                |
| G2     | team    | East | won_count                 | February | 10    | at risk (on track by business days)  |
| G3     | owner   | Aiko | new_deals                 | February | 2     | achieved early                       |
| G4     | owner   | Ben  | pipeline_created          | February | 5000  | amount of deals created              |
| G5     | owner   | Aiko | activities_completed      | February | 8     | activities of every type             |
| G6     | owner   | Aiko | activities_completed:call | February | 2     | calls only                           |
| G7     | team    | East | activities_completed      | February | 6     | team of activities = reps' team      |
| G8     | company | -    | won_amount                | January  | 10000 | ended, missed                        |
| G9     | owner   | Cleo | won_amount                | January  | 3000  | ended, achieved                      |
| G10    | company | -    | won_count                 | March    | 5     | not started                          |
| G11    | owner   | Ben  | won_amount                | February | 6000  | behind                               |
| G12    | owner   | Cleo | won_amount                | February | 1000  | only an unconverted win: actual 0    |
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import goals
from analytics.filters import Filters
from analytics.goals import (
    PROGRESS_COLUMNS,
    UnknownMetric,
    UnknownTarget,
    _pacing,
    _status,
    goal_progress,
    leaderboard,
    pace_series,
)
from tests.analytics.builders import build_store, d, day, pipeline_rows

AS_OF = d("2025-02-12")
FEB = Filters(start=d("2025-02-01"), end=d("2025-02-28"), as_of=AS_OF)


def deal(deal_id, owner, team, status, created, closed, amount, currency="USD", pipeline="Sales"):
    stage = {"won": "Won", "lost": "Lost"}.get(status, "Lead" if pipeline == "Sales" else "Deal")
    return {
        "deal_id": deal_id, "pipeline": pipeline, "stage": stage, "status": status,
        "amount": amount, "currency": currency, "owner": owner, "team": team,
        "created_at": day(created), "closed_at": day(closed) if closed else None,
    }  # fmt: skip


def activity(activity_id, kind, owner, deal_id, completed):
    return {
        "activity_id": activity_id, "type": kind, "owner": owner, "deal_id": deal_id,
        "completed_at": day(completed) if completed else None,
    }  # fmt: skip


def target(target_id, scope, value, metric, start, end, amount):
    return {
        "target_id": target_id, "scope": scope, "scope_value": value, "metric": metric,
        "period_start": d(start), "period_end": d(end), "target_value": amount,
    }  # fmt: skip


DEALS = [
    deal("D1", "Aiko", "East", "won", "2025-01-20", "2025-02-03", 3000),
    deal("D2", "Aiko", "East", "won", "2025-02-02", "2025-02-10", 2000),
    deal("D3", "Ben", "East", "won", "2025-01-05", "2025-02-05 10:00", 1500),
    deal("D4", "Ben", "West", "won", "2025-02-04 09:00", "2025-02-04 17:00", 500),
    deal("D5", "Ben", "East", "won", "2025-02-06", "2025-02-20", 2500),
    deal("D6", "Cleo", "West", "won", "2025-01-02", "2025-01-15", 4000),
    deal("D7", "Cleo", "West", "won", "2025-02-01", "2025-02-11", 1000, currency="EUR"),
    deal("D8", "Aiko", "East", "open", "2025-02-12 15:00", None, 800),
    deal("D9", "Aiko", "East", "open", "2025-02-13", None, 900),
    deal("D10", "Cleo", "West", "lost", "2025-02-03", "2025-02-07", 700),
    deal("D11", "Aiko", "East", "won", "2025-02-03", "2025-02-08", 600, pipeline="Partner"),
    deal("D12", "Ben", "East", "lost", "2024-12-10", "2025-01-10", 300),
]
ACTIVITIES = [
    activity("A1", "call", "Aiko", "D1", "2025-02-03 10:00"),
    activity("A2", "call", "Aiko", None, "2025-02-10"),
    activity("A3", "email", "Aiko", "D2", "2025-02-11"),
    activity("A4", "call", "Aiko", "D1", "2025-02-14"),
    activity("A5", "meeting", "Aiko", "D1", None),
    activity("A6", "demo", "Ben", "D4", "2025-02-04"),
    activity("A7", "call", "Cleo", None, "2025-02-06"),
    activity("A8", "call", "Aiko", "D1", "2025-01-31"),
]
FEB_START, FEB_END = "2025-02-01", "2025-02-28"
TARGETS = [
    target("G1", "company", None, "won_amount", FEB_START, FEB_END, 10000),
    target("G2", "team", "East", "won_count", FEB_START, FEB_END, 10),
    target("G3", "owner", "Aiko", "new_deals", FEB_START, FEB_END, 2),
    target("G4", "owner", "Ben", "pipeline_created", FEB_START, FEB_END, 5000),
    target("G5", "owner", "Aiko", "activities_completed", FEB_START, FEB_END, 8),
    target("G6", "owner", "Aiko", "activities_completed:call", FEB_START, FEB_END, 2),
    target("G7", "team", "East", "activities_completed", FEB_START, FEB_END, 6),
    target("G8", "company", None, "won_amount", "2025-01-01", "2025-01-31", 10000),
    target("G9", "owner", "Cleo", "won_amount", "2025-01-01", "2025-01-31", 3000),
    target("G10", "company", None, "won_count", "2025-03-01", "2025-03-31", 5),
    target("G11", "owner", "Ben", "won_amount", FEB_START, FEB_END, 6000),
    target("G12", "owner", "Cleo", "won_amount", FEB_START, FEB_END, 1000),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("goals") / "store.duckdb"
    pipelines = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]) + pipeline_rows(
        "Partner", ["Deal"]
    )
    con = build_store(path, pipelines=pipelines, deals=DEALS, activities=ACTIVITIES,
                      targets=TARGETS)  # fmt: skip
    yield con
    con.close()


def progress(con, filters=FEB, **kwargs):
    return goal_progress(con, filters, **kwargs).set_index("target_id")


# February figures, calendar pacing: elapsed 12/28, 16 days remain.
# (target, actual, attainment, expected = target*12/28, pace, projection = actual*28/12,
#  required = (target - actual) / 16, status, unconverted)
FEBRUARY = [
    # D1 3000 + D2 2000 + D3 1500 + D4 500 + D11 600 = 7600; D7 unconverted, D5 after as-of
    ("G1", 7600, 0.76, 10000 * 12 / 28, 7600 / (10000 * 12 / 28), 7600 * 28 / 12,
     2400 / 16, "on_track", 1),
    # East wins D1, D2, D3, D11 = 4; expected 10*3/7 = 4.2857, pace 0.9333
    ("G2", 4, 0.4, 10 * 12 / 28, 4 / (10 * 12 / 28), 4 * 28 / 12, 6 / 16, "at_risk", 0),
    # Aiko created D2, D11, D8 (on the as-of day) = 3; D9 after as-of
    ("G3", 3, 1.5, 2 * 12 / 28, 3 / (2 * 12 / 28), 3 * 28 / 12, 0.0, "achieved", 0),
    # Ben created D4 500 + D5 2500 = 3000; pace 3000 / 2142.86 = 1.4
    ("G4", 3000, 0.6, 5000 * 12 / 28, 1.4, 7000, 2000 / 16, "on_track", 0),
    # Aiko completed A1, A2, A3 = 3 (A4 after as-of, A5 planned, A8 in January)
    ("G5", 3, 3 / 8, 8 * 12 / 28, 3 / (8 * 12 / 28), 7, 5 / 16, "at_risk", 0),
    # Aiko's calls A1, A2 = 2
    ("G6", 2, 1.0, 2 * 12 / 28, 2 / (2 * 12 / 28), 2 * 28 / 12, 0.0, "achieved", 0),
    # East reps: Aiko's 3 + Ben's A6 (on West deal D4; Ben is East by 3 deals to 1) = 4
    ("G7", 4, 4 / 6, 6 * 12 / 28, 4 / (6 * 12 / 28), 4 * 28 / 12, 2 / 16, "on_track", 0),
    # Ben won D3 1500 + D4 500 = 2000; pace 2000 / 2571.43 = 0.7778
    ("G11", 2000, 1 / 3, 6000 * 12 / 28, 2000 / (6000 * 12 / 28), 2000 * 28 / 12,
     4000 / 16, "behind", 0),
    # Cleo's only February win D7 has no rate: actual 0, one unconverted
    ("G12", 0, 0.0, 1000 * 12 / 28, 0.0, 0.0, 1000 / 16, "behind", 1),
]  # fmt: skip


@pytest.mark.parametrize(
    "target_id, actual, attainment, expected, pace, projection, required, status, unconverted",
    FEBRUARY,
)
def test_targets_in_progress(
    con, target_id, actual, attainment, expected, pace, projection, required, status, unconverted
):
    row = progress(con).loc[target_id]
    assert row["actual"] == pytest.approx(actual)
    assert row["attainment"] == pytest.approx(attainment)
    assert row["elapsed_fraction"] == pytest.approx(12 / 28)
    assert row["expected_by_now"] == pytest.approx(expected)
    assert row["pace"] == pytest.approx(pace)
    assert row["projection"] == pytest.approx(projection)
    assert row["remaining_days"] == 16
    assert row["required_per_day"] == pytest.approx(required)
    assert row["status"] == status
    assert row["unconverted"] == unconverted


def test_ended_and_not_started_targets(con):
    got = progress(con, Filters(as_of=AS_OF)).loc[["G8", "G9", "G10"]]
    expected = pd.DataFrame(
        {
            "target_id": ["G8", "G9", "G10"],
            # January: D6 4000 is the one win (D12 is a loss); nothing counts before March
            "actual": [4000.0, 4000.0, 0.0],
            "attainment": [0.4, 4000 / 3000, 0.0],
            "elapsed_fraction": [1.0, 1.0, 0.0],
            "expected_by_now": [10000.0, 3000.0, 0.0],
            # January ended: pace = actual / target; March: nothing expected, no pace
            "pace": [0.4, 4000 / 3000, None],
            "projection": [4000.0, 4000.0, None],
            "remaining_days": [0, 0, 31],
            # missed: no day left, no figure; achieved: 0; March: 5 over its 31 days
            "required_per_day": [None, 0.0, 5 / 31],
            "status": ["missed", "achieved", "not_started"],
        }
    ).set_index("target_id")
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_whole_row_of_the_company_target(con):
    got = goal_progress(con, FEB).iloc[[0]].reset_index(drop=True)
    expected = pd.DataFrame(
        [{
            "target_id": "G1", "scope": "company", "scope_value": float("nan"),
            "metric": "won_amount",
            "period_start": pd.Timestamp("2025-02-01"), "period_end": pd.Timestamp("2025-02-28"),
            "target_value": 10000.0, "actual": 7600.0, "attainment": 0.76,
            "elapsed_fraction": 12 / 28, "expected_by_now": 10000 * 12 / 28,
            "pace": 7600 / (10000 * 12 / 28), "projection": 7600 * 28 / 12, "remaining_days": 16,
            "required_per_day": 150.0, "status": "on_track", "unconverted": 1,
        }]
    )  # fmt: skip
    assert list(got.columns) == PROGRESS_COLUMNS
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


# Business days: elapsed 8/20 = 0.4, 12 remain.
@pytest.mark.parametrize(
    "target_id, expected, pace, projection, required, status",
    [
        # 10000 * 0.4 = 4000; 7600 / 4000 = 1.9; 7600 / 0.4 = 19000; 2400 / 12 = 200
        ("G1", 4000, 1.9, 19000, 200, "on_track"),
        # 10 * 0.4 = 4 and 4 won: exactly on pace (at risk by calendar days)
        ("G2", 4, 1.0, 10, 0.5, "on_track"),
        # 8 * 0.4 = 3.2; 3 / 3.2 = 0.9375
        ("G5", 3.2, 0.9375, 7.5, 5 / 12, "at_risk"),
    ],
)
def test_business_day_pacing(con, target_id, expected, pace, projection, required, status):
    row = progress(con, business_days=True).loc[target_id]
    assert row["elapsed_fraction"] == pytest.approx(0.4)
    assert row["remaining_days"] == 12
    assert row["expected_by_now"] == pytest.approx(expected)
    assert row["pace"] == pytest.approx(pace)
    assert row["projection"] == pytest.approx(projection)
    assert row["required_per_day"] == pytest.approx(required)
    assert row["status"] == status


@pytest.mark.parametrize(
    "target_id, actual",
    [
        ("G1", 7000),  # D11 is in Partner
        ("G2", 3),  # D1, D2, D3
        ("G3", 2),  # D2, D8
        ("G5", 2),  # A1, A3: A2 has no deal, so no pipeline
        ("G6", 1),  # A1
    ],
)
def test_pipeline_narrows_the_actuals(con, target_id, actual):
    filters = Filters(FEB.start, FEB.end, AS_OF, pipeline="Sales")
    assert progress(con, filters).loc[target_id, "actual"] == actual


@pytest.mark.parametrize(
    "where, start, end, targets",
    [
        ({}, FEB.start, FEB.end, ["G1", "G11", "G12", "G2", "G3", "G4", "G5", "G6", "G7"]),
        ({"owner": ["Aiko"]}, FEB.start, FEB.end, ["G3", "G5", "G6"]),
        ({"team": ["East"]}, FEB.start, FEB.end, ["G2", "G7"]),
        ({"owner": ["Aiko"], "team": ["East"]}, FEB.start, FEB.end,
         ["G2", "G3", "G5", "G6", "G7"]),
        # a condition on another column picks no targets out: all are shown
        ({"source": ["Web"]}, FEB.start, FEB.end,
         ["G1", "G11", "G12", "G2", "G3", "G4", "G5", "G6", "G7"]),
        # overlaps January and February, not March
        ({}, d("2025-01-20"), d("2025-02-05"),
         ["G1", "G11", "G12", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "G9"]),
        ({"owner": ["Cleo"]}, d("2025-01-01"), d("2025-01-31"), ["G9"]),
        ({}, None, None, sorted(t["target_id"] for t in TARGETS)),
        ({}, d("2030-01-01"), d("2030-12-31"), []),
    ],
)  # fmt: skip
def test_which_targets_are_shown(con, where, start, end, targets):
    got = goal_progress(con, Filters.build(start, end, AS_OF, where=where))
    assert list(got["target_id"]) == targets


def test_no_target_gives_an_empty_frame(con):
    got = goal_progress(con, Filters(d("2030-01-01"), d("2030-12-31"), AS_OF))
    assert got.empty and list(got.columns) == PROGRESS_COLUMNS


def test_a_later_as_of_date_counts_the_later_win(con):
    # As of 2025-02-20 D5 (2500) is won too: 7600 + 2500 = 10100, achieved.
    row = progress(con, Filters(FEB.start, FEB.end, d("2025-02-20"))).loc["G1"]
    assert (row["actual"], row["status"], row["required_per_day"]) == (10100, "achieved", 0)


def test_leaderboard_ranks_targets_then_owners_without(con):
    got = leaderboard(con, FEB)
    expected = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "owner": ["Ben", "Cleo", "Aiko"],
            "team": ["East", "West", "East"],
            "target": [6000.0, 1000.0, None],
            # Aiko has no won_amount target: D1 3000 + D2 2000 + D11 600
            "actual": [2000.0, 0.0, 5600.0],
            "attainment": [1 / 3, 0.0, None],
            "pace": [2000 / (6000 * 12 / 28), 0.0, None],
            "status": ["behind", "behind", None],
            "unconverted": [0, 1, 0],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize(
    "filters, metric, owners",
    [
        (FEB, "won_amount", ["Ben", "Cleo", "Aiko"]),
        (Filters.build(FEB.start, FEB.end, AS_OF, where={"team": ["West"]}), "won_amount",
         ["Cleo"]),
        (Filters.build(FEB.start, FEB.end, AS_OF, where={"owner": ["Aiko"]}), "won_amount",
         ["Aiko"]),
        # Aiko 2/2 calls with a target; Cleo's one call (A7) without
        (FEB, "activities_completed:call", ["Aiko", "Cleo"]),
        # No owner target of new deals: owners by deals created in January, one each
        (Filters(d("2025-01-01"), d("2025-01-31"), AS_OF), "new_deals", ["Aiko", "Ben", "Cleo"]),
        (Filters(d("2030-01-01"), d("2030-12-31"), AS_OF), "won_amount", []),
    ],
)  # fmt: skip
def test_leaderboard_owners(con, filters, metric, owners):
    got = leaderboard(con, filters, metric=metric)
    assert list(got["owner"]) == owners
    assert list(got["rank"]) == list(range(1, len(owners) + 1))


def test_leaderboard_sums_an_owners_targets_over_the_period(con):
    got = leaderboard(con, Filters(d("2025-01-01"), d("2025-02-28"), AS_OF)).set_index("owner")
    # Cleo: G9 (January, 3000, actual 4000) + G12 (February, 1000, actual 0): 4000 of 4000,
    # expected 3000 * 1 + 1000 * 12/28. Ben: G11 only. Aiko: no target, 5600 won.
    assert list(got.index) == ["Cleo", "Ben", "Aiko"]
    cleo = got.loc["Cleo"]
    assert (cleo["target"], cleo["actual"], cleo["attainment"]) == (4000, 4000, 1.0)
    assert cleo["pace"] == pytest.approx(4000 / (3000 + 1000 * 12 / 28))
    assert cleo["status"] == "achieved" and cleo["unconverted"] == 1


def test_a_store_with_a_single_deal(tmp_path):
    con = build_store(
        tmp_path / "one.duckdb",
        pipelines=pipeline_rows("Solo", ["Only"]),
        deals=[{"deal_id": "X", "pipeline": "Solo", "stage": "Won", "status": "won",
                "amount": 100, "currency": "USD", "owner": "Aiko", "created_at": day("2025-02-03"),
                "closed_at": day("2025-02-03")}],
        targets=[target("T", "owner", "Aiko", "won_amount", FEB_START, FEB_END, 200)],
    )  # fmt: skip
    try:
        row = goal_progress(con, FEB).iloc[0]
        # 100 of 200; expected 200 * 12/28; 100 left over 16 days
        assert (row["actual"], row["attainment"], row["status"]) == (100, 0.5, "on_track")
        assert row["required_per_day"] == pytest.approx(100 / 16)
        assert leaderboard(con, FEB)["owner"].tolist() == ["Aiko"]
    finally:
        con.close()


def test_leaderboard_of_calls(con):
    got = leaderboard(con, FEB, metric="activities_completed:call")
    assert got.loc[0, ["target", "actual", "status"]].tolist() == [2.0, 2.0, "achieved"]
    assert got.loc[1, "actual"] == 1.0 and pd.isna(got.loc[1, "target"])


@pytest.mark.parametrize("metric", ["revenue", "won_amount:call", "activities_completed:"])
def test_leaderboard_refuses_unknown_metrics(con, metric):
    with pytest.raises(UnknownMetric):
        leaderboard(con, FEB, metric=metric)


def test_pace_series_of_the_company_target(con):
    got = pace_series(con, "G1", AS_OF)
    # Wins by day: 3rd D1 3000, 4th D4 500, 5th D3 1500, 8th D11 600, 10th D2 2000, 11th D7
    # (unconverted, 0).
    cumulative = [0, 0, 3000, 3500, 5000, 5000, 5000, 5600, 5600, 7600, 7600, 7600]
    expected = pd.DataFrame(
        {
            "day": pd.date_range("2025-02-01", "2025-02-12", unit="us"),
            "actual_cumulative": [float(v) for v in cumulative],
            "expected_cumulative": [10000 * k / 28 for k in range(1, 13)],
        }
    )
    pd.testing.assert_frame_equal(got, expected)


def test_pace_series_by_business_days_and_pipeline(con):
    got = pace_series(con, "G1", AS_OF, business_days=True, pipeline="Sales")
    # Sat 1st and Sun 2nd expect nothing; each weekday adds 10000 / 20 = 500.
    weekdays_done = [0, 0, 1, 2, 3, 4, 5, 5, 5, 6, 7, 8]
    assert got["expected_cumulative"].tolist() == pytest.approx([500 * k for k in weekdays_done])
    # Without D11 (Partner) the 8th adds nothing.
    assert got["actual_cumulative"].iloc[7] == 5000


def test_pace_series_ends_at_the_period_end_and_is_empty_before_it_starts(con):
    assert len(pace_series(con, "G8", AS_OF)) == 31
    assert pace_series(con, "G8", AS_OF)["actual_cumulative"].iloc[-1] == 4000
    got = pace_series(con, "G10", AS_OF)
    assert got.empty and list(got.columns) == ["day", "actual_cumulative", "expected_cumulative"]


def test_pace_series_of_an_unknown_target(con):
    with pytest.raises(UnknownTarget):
        pace_series(con, "nope", AS_OF)


@pytest.mark.parametrize(
    "start, end, as_of, business, fraction, remaining",
    [
        ("2025-02-01", "2025-02-28", "2025-01-31", False, 0.0, 28),  # before the start
        ("2025-02-01", "2025-02-28", "2025-02-01", False, 1 / 28, 27),  # first day counts
        ("2025-02-01", "2025-02-28", "2025-02-12", False, 12 / 28, 16),
        ("2025-02-01", "2025-02-28", "2025-02-28", False, 1.0, 0),  # last day: over
        ("2025-02-01", "2025-02-28", "2025-03-05", False, 1.0, 0),
        ("2025-02-01", "2025-02-28", "2025-02-12", True, 8 / 20, 12),
        ("2025-02-01", "2025-02-28", "2025-02-01", True, 0.0, 20),  # a Saturday
        ("2025-02-01", "2025-02-28", "2025-02-02", True, 0.0, 20),  # a Sunday
        ("2025-02-01", "2025-02-28", "2025-02-03", True, 1 / 20, 19),  # first Monday
        ("2025-02-01", "2025-02-28", "2025-01-31", True, 0.0, 20),
        ("2025-02-01", "2025-02-28", "2025-03-05", True, 1.0, 0),
        ("2025-02-01", "2025-02-02", "2025-02-01", True, 0.5, 1),  # weekend only: calendar
        ("2025-02-03", "2025-02-03", "2025-02-03", False, 1.0, 0),  # one-day period
    ],
)
def test_pacing(start, end, as_of, business, fraction, remaining):
    got = _pacing(d(start), d(end), d(as_of), business)
    assert got[0] == pytest.approx(fraction) and got[1] == remaining


@pytest.mark.parametrize(
    "actual, target, pace, started, ended, status",
    [
        (5, 5, 2.0, True, False, "achieved"),
        (0, 0, None, False, False, "achieved"),  # a zero target is met at once
        (0, 5, None, False, False, "not_started"),
        (1, 5, 0.2, True, True, "missed"),
        (1, 5, 1.0, True, False, "on_track"),
        (0, 5, None, True, False, "on_track"),  # started on a weekend: nothing expected yet
        (1, 5, 0.8, True, False, "at_risk"),
        (1, 5, 0.7999, True, False, "behind"),
    ],
)
def test_status(actual, target, pace, started, ended, status):
    assert _status(actual, target, pace, started, ended) == status


def test_definitions_are_declared():
    keys = [goals.GOAL_ATTAINMENT, goals.GOAL_PACE, goals.GOAL_PROJECTION,
            goals.GOAL_REQUIRED_PER_DAY]  # fmt: skip
    assert [k.key for k in keys] == [
        "goal_attainment", "goal_pace", "goal_projection", "goal_required_per_day",
    ]  # fmt: skip


# ---- properties over small generated stores -----------------------------------------------

BASE = date(2025, 1, 1)
OWNERS = ["Aiko", "Ben", "Cleo"]
METRICS = ["won_amount", "won_count", "new_deals", "pipeline_created", "activities_completed",
           "activities_completed:call"]  # fmt: skip

deals_st = st.lists(
    st.tuples(
        st.sampled_from(OWNERS), st.sampled_from(["East", "West"]),
        st.sampled_from(["open", "won", "lost"]), st.integers(0, 60), st.integers(0, 30),
        st.one_of(st.none(), st.integers(0, 5000)),
    ),
    max_size=12,
)  # fmt: skip
activities_st = st.lists(
    st.tuples(st.sampled_from(OWNERS), st.sampled_from(["call", "email"]),
              st.one_of(st.none(), st.integers(0, 90))),
    max_size=12,
)  # fmt: skip
targets_st = st.lists(
    st.tuples(
        st.sampled_from(["company", "team", "owner"]), st.sampled_from(METRICS),
        st.integers(0, 60), st.integers(0, 40), st.integers(0, 6000),
    ),
    min_size=1,
    max_size=6,
)  # fmt: skip


def generated_store(path, deals, activities, targets):
    deal_rows = [
        {"deal_id": f"D{i}", "pipeline": "Sales", "owner": o, "team": t, "status": s,
         "stage": {"won": "Won", "lost": "Lost"}.get(s, "Lead"), "amount": a, "currency": "USD",
         "created_at": BASE + timedelta(days=c),
         "closed_at": BASE + timedelta(days=c + k) if s != "open" else None}
        for i, (o, t, s, c, k, a) in enumerate(deals)
    ]  # fmt: skip
    activity_rows = [
        {"activity_id": f"A{i}", "owner": o, "type": k,
         "completed_at": BASE + timedelta(days=c) if c is not None else None}
        for i, (o, k, c) in enumerate(activities)
    ]  # fmt: skip
    target_rows = [
        {"target_id": f"T{i}", "scope": s,
         "scope_value": None if s == "company" else ("East" if s == "team" else "Ben"),
         "metric": m, "period_start": BASE + timedelta(days=b),
         "period_end": BASE + timedelta(days=b + n), "target_value": v}
        for i, (s, m, b, n, v) in enumerate(targets)
    ]  # fmt: skip
    return build_store(Path(path) / "g.duckdb", pipelines=pipeline_rows("Sales", ["Lead"]),
                       deals=deal_rows, activities=activity_rows, targets=target_rows)  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(deals_st, activities_st, targets_st, st.integers(0, 120), st.booleans())
def test_progress_invariants(deals, activities, targets, as_of_day, business):
    as_of = BASE + timedelta(days=as_of_day)
    with tempfile.TemporaryDirectory() as tmp:
        con = generated_store(tmp, deals, activities, targets)
        try:
            got = goal_progress(con, Filters(as_of=as_of), business_days=business)
            assert len(got) == len(targets)
            assert (got["actual"] >= 0).all()
            assert got["attainment"].dropna().ge(0).all()
            assert got["elapsed_fraction"].between(0, 1).all()
            assert (got["remaining_days"] >= 0).all()
            assert got["pace"].dropna().ge(0).all()
            assert set(got["status"]) <= {
                "achieved", "not_started", "missed", "on_track", "at_risk", "behind",
            }  # fmt: skip
            # The pace line ends where the target's actual stands.
            for row in got.itertuples():
                line = pace_series(con, row.target_id, as_of, business_days=business)
                if line.empty:
                    assert row.actual == 0
                else:
                    assert line["actual_cumulative"].iloc[-1] == pytest.approx(row.actual)
                    assert line["expected_cumulative"].diff().dropna().ge(-1e-9).all()
            board = leaderboard(con, Filters(as_of=as_of))
            assert list(board["rank"]) == list(range(1, len(board) + 1))
        finally:
            con.close()
