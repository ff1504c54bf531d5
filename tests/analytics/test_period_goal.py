"""The won-revenue goal of a scope: summed targets, their pace line and the deals won, by hand.

As of Friday 2025-02-14: 14 of February's 28 days have elapsed (one half). One open stage.

| deal | owner | team | pipeline | status | closed     | amount | why it is here                     |
|------|-------|------|----------|--------|------------|--------|------------------------------------|
| D1   | Aiko  | East | Sales    | won    | 2025-01-10 | 1000   | January's win                      |
| D2   | Aiko  | East | Sales    | won    | 2025-02-05 | 2000   | February                           |
| D3   | Ben   | West | Sales    | won    | 2025-02-10 | 3000   | February, the other team           |
| D4   | Ben   | West | Sales    | won    | 2025-02-20 | 500    | after the as-of date               |
| D5   | Aiko  | East | Sales    | lost   | 2025-02-06 | 700    | lost: never counted                |
| D6   | Aiko  | East | Partner  | won    | 2025-02-03 | 600    | the other pipeline                 |

| target | scope   | of   | metric     | period   | value | why it is here                  |
|--------|---------|------|------------|----------|-------|---------------------------------|
| C1     | company | -    | won_amount | January  | 2000  | ended, missed                   |
| C2     | company | -    | won_amount | February | 10000 | in progress                     |
| C3     | company | -    | won_count  | February | 5     | another metric: never summed    |
| O1     | owner   | Aiko | won_amount | February | 4000  |                                 |
| O2     | owner   | Ben  | won_amount | February | 2000  |                                 |
| T1     | team    | East | won_amount | February | 3000  |                                 |
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import goals
from analytics.filters import Filters
from analytics.period_goal import PeriodGoal, period_goal, period_pace, won_deals
from tests.analytics.builders import build_store, d, day, pipeline_rows

AS_OF = d("2025-02-14")
JAN = (d("2025-01-01"), d("2025-01-31"))
FEB = (d("2025-02-01"), d("2025-02-28"))


def deal(deal_id, owner, team, pipeline, status, closed, amount):
    return {
        "deal_id": deal_id, "name": f"Deal {deal_id}", "pipeline": pipeline, "owner": owner,
        "team": team, "stage": {"won": "Won", "lost": "Lost"}[status], "status": status,
        "amount": amount, "currency": "USD", "created_at": day("2025-01-02"),
        "closed_at": day(closed),
    }  # fmt: skip


def target(target_id, scope, of, metric, period, value):
    return {
        "target_id": target_id, "scope": scope, "scope_value": of, "metric": metric,
        "period_start": period[0], "period_end": period[1], "target_value": value,
    }  # fmt: skip


DEALS = [
    deal("D1", "Aiko", "East", "Sales", "won", "2025-01-10", 1000),
    deal("D2", "Aiko", "East", "Sales", "won", "2025-02-05", 2000),
    deal("D3", "Ben", "West", "Sales", "won", "2025-02-10", 3000),
    deal("D4", "Ben", "West", "Sales", "won", "2025-02-20", 500),
    deal("D5", "Aiko", "East", "Sales", "lost", "2025-02-06", 700),
    deal("D6", "Aiko", "East", "Partner", "won", "2025-02-03", 600),
]
TARGETS = [
    target("C1", "company", None, "won_amount", JAN, 2000),
    target("C2", "company", None, "won_amount", FEB, 10000),
    target("C3", "company", None, "won_count", FEB, 5),
    target("O1", "owner", "Aiko", "won_amount", FEB, 4000),
    target("O2", "owner", "Ben", "won_amount", FEB, 2000),
    target("T1", "team", "East", "won_amount", FEB, 3000),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("period_goal") / "g.duckdb"
    pipelines = pipeline_rows("Sales", ["Lead"]) + pipeline_rows("Partner", ["Lead"])
    con = build_store(path, pipelines=pipelines, deals=DEALS, targets=TARGETS)
    yield con
    con.close()


def filters(period=FEB, as_of=AS_OF, pipeline=None, **where) -> Filters:
    return Filters.build(period[0], period[1], as_of, pipeline, where)


# (filters, targets, target, actual, expected by now, pace, projection, status)
CASES = [
    # February's won: D2 2000 + D3 3000 + D6 600 = 5600 (D4 comes after the as-of date);
    # expected 10000 × 1/2; projection 5600 ÷ 1/2.
    (filters(), ("C2",), 10000, 5600, 5000, 1.12, 11200, "on_track"),
    # The Sales pipeline leaves out D6.
    (filters(pipeline="Sales"), ("C2",), 10000, 5000, 5000, 1.0, 10000, "on_track"),
    # Aiko's: D2 + D6 = 2600 against 4000 × 1/2.
    (filters(owner=["Aiko"]), ("O1",), 4000, 2600, 2000, 1.3, 5200, "on_track"),
    # Two owners: their targets and actuals summed (2600 + 3000).
    (
        filters(owner=["Aiko", "Ben"]),
        ("O1", "O2"),
        6000,
        5600,
        3000,
        5600 / 3000,
        11200,
        "on_track",
    ),  # fmt: skip
    # A team filter takes the team's target; an owner filter wins over it.
    (filters(team=["East"]), ("T1",), 3000, 2600, 1500, 2600 / 1500, 5200, "on_track"),
    (filters(team=["East"], owner=["Ben"]), ("O2",), 2000, 3000, 1000, 3.0, 6000, "achieved"),
    # January and February: C1 (ended: 1000 of 2000 expected in full) and C2.
    (
        filters(period=(JAN[0], FEB[1])),
        ("C1", "C2"),
        12000,
        6600,
        7000,
        6600 / 7000,
        1000 + 11200,
        "at_risk",
    ),  # fmt: skip
    # January alone, seen from February: over and missed.
    (filters(period=JAN), ("C1",), 2000, 1000, 2000, 0.5, 1000, "missed"),
]


@pytest.mark.parametrize("f, ids, target_value, actual, expected, pace, projection, status", CASES)
def test_period_goal(con, f, ids, target_value, actual, expected, pace, projection, status):
    goal = period_goal(con, f)
    assert goal.target_ids == ids
    assert goal.target == target_value
    assert goal.actual == pytest.approx(actual)
    assert goal.expected_by_now == pytest.approx(expected)
    assert goal.attainment == pytest.approx(actual / target_value)
    assert goal.pace == pytest.approx(pace)
    assert goal.projection == pytest.approx(projection)
    assert goal.status == status


def test_actuals_are_those_of_goal_progress(con):
    progress = goals.goal_progress(con, filters()).set_index("target_id")
    goal = period_goal(con, filters())
    assert goal.actual == pytest.approx(progress.loc["C2", "actual"])
    assert goal.expected_by_now == pytest.approx(progress.loc["C2", "expected_by_now"])
    assert goal.status == progress.loc["C2", "status"]


def test_no_target_and_not_started(con):
    march = filters(period=(d("2025-03-01"), d("2025-03-31")))
    assert period_goal(con, march) == PeriodGoal(
        "company", (), (), None, None, None, 0.0, 0.0, None, None, None, None
    )
    assert period_pace(con, march).empty
    assert won_deals(con, march, d("2025-03-31")).empty
    early = period_goal(con, filters(as_of=d("2025-01-20")))
    assert (early.target_ids, early.status, early.pace, early.projection) == (
        ("C2",), "not_started", None, None,
    )  # fmt: skip
    assert period_pace(con, filters(as_of=d("2025-01-20"))).empty


def test_pace_line_sums_the_targets_day_by_day(con):
    line = period_pace(con, filters(period=(JAN[0], FEB[1]))).set_index("day")
    assert list(line.columns) == ["actual_cumulative", "expected_cumulative"]
    assert len(line) == 31 + 14  # January 1 to the as-of date
    assert line.loc[pd.Timestamp("2025-01-09"), "actual_cumulative"] == 0
    assert line.loc[pd.Timestamp("2025-01-10"), "actual_cumulative"] == 1000
    # January's target stays at its full 2000 once over; February's adds 10000/28 a day.
    assert line.loc[pd.Timestamp("2025-01-31"), "expected_cumulative"] == pytest.approx(2000)
    assert line.loc[pd.Timestamp("2025-02-01"), "expected_cumulative"] == pytest.approx(
        2000 + 10000 / 28
    )
    assert line.loc[pd.Timestamp("2025-02-05"), "actual_cumulative"] == 1000 + 600 + 2000
    last = line.iloc[-1]
    assert (last["actual_cumulative"], last["expected_cumulative"]) == pytest.approx((6600, 7000))


def test_won_deals_add_up_to_the_pace_line(con):
    f = filters(period=(JAN[0], FEB[1]))
    deals = won_deals(con, f, d("2025-02-05"))
    assert list(deals.columns) == ["deal_id", "name", "owner", "team", "amount", "closed_at"]
    assert list(deals["deal_id"]) == ["D2", "D6", "D1"]
    line = period_pace(con, f).set_index("day")
    assert deals["amount"].sum() == line.loc[pd.Timestamp("2025-02-05"), "actual_cumulative"]
    # A day after the as-of date lists the deals to the as-of date; owners narrow the list.
    assert list(won_deals(con, filters(), date(2025, 2, 28))["deal_id"]) == ["D3", "D2", "D6"]
    assert list(won_deals(con, filters(owner=["Ben"]), AS_OF)["deal_id"]) == ["D3"]
    assert list(won_deals(con, filters(pipeline="Sales"), AS_OF)["deal_id"]) == ["D3", "D2"]
