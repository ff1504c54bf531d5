"""Activity metrics on a fixture whose every row is explained below.

Period 2025-01-01 to 2025-03-31 for the deal-based metrics, March for volume and heatmap; as of
Wednesday 2025-03-12 (data runs to 2025-03-25, so the store is read as it was then). Weeks
start on Monday: Sat 1 and Sun 2 March belong to the week of 2025-02-24. Pipelines "Sales"
(Lead, Demo, Proposal) and "Partner" (one stage, Deal). Ben owns two East deals and one West
deal, so his rep team is East; Aiko is East, Cleo West.

| deal | owner | team | region | pipeline | status | created          | closed           | why it is here                            |
|------|-------|------|--------|----------|--------|------------------|------------------|-------------------------------------------|
| D0   | Cleo  | West | North  | Sales    | won    | 2024-12-15 09:00 | 2024-12-20       | created and won before the period         |
| D1   | Aiko  | East | North  | Sales    | won    | 2025-02-20 09:00 | 2025-03-03 12:00 | follow-up 7 days after the win            |
| D2   | Ben   | East | South  | Sales    | won    | 2025-03-02 09:00 | 2025-03-05 17:00 | a call after the win; follow-up after as-of |
| D3   | Aiko  | East | -      | Sales    | open   | 2025-03-04 00:00 | -                | an activity logged before its creation    |
| D4   | Ben   | West | South  | Partner  | open   | 2025-03-10 08:00 | -                | no completed activity; other pipeline     |
| D5   | Cleo  | West | North  | Sales    | won    | 2025-01-02 09:00 | 2025-01-10 16:00 | follow-up 36 days after: outside 30       |
| D6   | Ben   | East | North  | Sales    | won    | 2025-01-20 00:00 | 2025-02-01 10:00 | follow-up exactly 30 days after           |
| D7   | Cleo  | West | South  | Sales    | open   | 2025-03-11 09:00 | -                | first activity only after the as-of date  |
| D8   | Aiko  | East | North  | Sales    | won    | 2025-03-20 00:00 | 2025-03-25       | created and won after the as-of date      |

| act | type      | owner | deal | due              | completed        | why it is here                           |
|-----|-----------|-------|------|------------------|------------------|------------------------------------------|
| A01 | call      | Aiko  | D1   | -                | 2025-02-21 21:00 | D1's first activity: 1.5 days            |
| A02 | email     | Aiko  | D1   | -                | 2025-03-03 09:00 |                                          |
| A03 | follow_up | Aiko  | D1   | 2025-03-10       | 2025-03-10 11:00 | 7 days after D1's win: covered           |
| A04 | call      | Ben   | D2   | -                | 2025-03-02 15:00 | D2's first activity: 0.25 days           |
| A05 | call      | Ben   | D2   | 2025-03-04       | 2025-03-07       | not a follow-up; overdue as of 5 March   |
| A06 | follow_up | Ben   | D2   | 2025-03-14       | 2025-03-14 10:00 | done after the as-of date                |
| A07 | task      | Aiko  | D3   | -                | 2025-03-01 12:00 | before D3 was created: negative          |
| A08 | call      | Aiko  | D3   | -                | 2025-03-06 00:00 | D3's first activity after creation: 2 d  |
| A09 | meeting   | Aiko  | D3   | 2025-03-11 09:00 | -                | planned, overdue                         |
| A10 | demo      | Aiko  | D3   | 2025-03-12 15:00 | -                | planned, due on the as-of day: not overdue |
| A11 | call      | Aiko  | D3   | 2025-03-18       | -                | due after the as-of date: not counted    |
| A12 | call      | Cleo  | D5   | -                | 2025-01-03 09:00 | D5's first activity: 1 day               |
| A13 | follow_up | Cleo  | D5   | -                | 2025-02-15       | 36 days after D5's win                   |
| A14 | email     | Ben   | D6   | -                | 2025-01-26 00:00 | D6's first activity: 6 days              |
| A15 | follow_up | Ben   | D6   | -                | 2025-03-03 09:00 | 30 calendar days after D6's win          |
| A16 | call      | Cleo  | D7   | 2025-03-11       | 2025-03-15 00:00 | done late: planned and overdue at as-of  |
| A17 | call      | Cleo  | -    | -                | 2025-03-04       | no deal (a lead call)                    |
| A18 | email     | -     | -    | -                | 2025-03-05       | no owner, no deal                        |
| A19 | call      | Aiko  | D0   | -                | 2024-12-16       | before the period                        |
| A20 | meeting   | Ben   | D4   | 2025-03-10       | -                | planned, overdue, Partner pipeline       |

In March up to the as-of date: completed A02 A03 A04 A05 A07 A08 A15 A17 A18 (9); planned
A09 A10 A16 A20 (4), of which overdue A09 A16 A20 (3). A06 and A11 are dated after the as-of
date (their due dates), the rest before March.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import activity_metrics as am
from analytics.activity_metrics import (
    BadWindow,
    activities_per_won_deal,
    activity_heatmap,
    activity_volume,
    follow_up_coverage,
    time_to_first_activity,
)
from analytics.filters import NONE, Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows

AS_OF = d("2025-03-12")
MARCH = Filters(start=d("2025-03-01"), end=d("2025-03-31"), as_of=AS_OF)
QUARTER = Filters(start=d("2025-01-01"), end=d("2025-03-31"), as_of=AS_OF)


def deal(deal_id, owner, team, region, status, created, closed, pipeline="Sales"):
    stage = {"won": "Won", "lost": "Lost"}.get(status, "Lead" if pipeline == "Sales" else "Deal")
    return {
        "deal_id": deal_id, "pipeline": pipeline, "stage": stage, "status": status,
        "amount": 1000, "currency": "USD", "owner": owner, "team": team, "region": region,
        "created_at": day(created), "closed_at": day(closed) if closed else None,
    }  # fmt: skip


def act(activity_id, kind, owner, deal_id, due, completed):
    return {
        "activity_id": activity_id, "type": kind, "owner": owner, "deal_id": deal_id,
        "due_at": day(due) if due else None, "completed_at": day(completed) if completed else None,
    }  # fmt: skip


DEALS = [
    deal("D0", "Cleo", "West", "North", "won", "2024-12-15 09:00", "2024-12-20"),
    deal("D1", "Aiko", "East", "North", "won", "2025-02-20 09:00", "2025-03-03 12:00"),
    deal("D2", "Ben", "East", "South", "won", "2025-03-02 09:00", "2025-03-05 17:00"),
    deal("D3", "Aiko", "East", None, "open", "2025-03-04 00:00", None),
    deal("D4", "Ben", "West", "South", "open", "2025-03-10 08:00", None, pipeline="Partner"),
    deal("D5", "Cleo", "West", "North", "won", "2025-01-02 09:00", "2025-01-10 16:00"),
    deal("D6", "Ben", "East", "North", "won", "2025-01-20 00:00", "2025-02-01 10:00"),
    deal("D7", "Cleo", "West", "South", "open", "2025-03-11 09:00", None),
    deal("D8", "Aiko", "East", "North", "won", "2025-03-20 00:00", "2025-03-25"),
]
ACTIVITIES = [
    act("A01", "call", "Aiko", "D1", None, "2025-02-21 21:00"),
    act("A02", "email", "Aiko", "D1", None, "2025-03-03 09:00"),
    act("A03", "follow_up", "Aiko", "D1", "2025-03-10", "2025-03-10 11:00"),
    act("A04", "call", "Ben", "D2", None, "2025-03-02 15:00"),
    act("A05", "call", "Ben", "D2", "2025-03-04", "2025-03-07"),
    act("A06", "follow_up", "Ben", "D2", "2025-03-14", "2025-03-14 10:00"),
    act("A07", "task", "Aiko", "D3", None, "2025-03-01 12:00"),
    act("A08", "call", "Aiko", "D3", None, "2025-03-06 00:00"),
    act("A09", "meeting", "Aiko", "D3", "2025-03-11 09:00", None),
    act("A10", "demo", "Aiko", "D3", "2025-03-12 15:00", None),
    act("A11", "call", "Aiko", "D3", "2025-03-18", None),
    act("A12", "call", "Cleo", "D5", None, "2025-01-03 09:00"),
    act("A13", "follow_up", "Cleo", "D5", None, "2025-02-15"),
    act("A14", "email", "Ben", "D6", None, "2025-01-26 00:00"),
    act("A15", "follow_up", "Ben", "D6", None, "2025-03-03 09:00"),
    act("A16", "call", "Cleo", "D7", "2025-03-11", "2025-03-15 00:00"),
    act("A17", "call", "Cleo", None, None, "2025-03-04"),
    act("A18", "email", None, None, None, "2025-03-05"),
    act("A19", "call", "Aiko", "D0", None, "2024-12-16"),
    act("A20", "meeting", "Ben", "D4", "2025-03-10", None),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("activities") / "store.duckdb"
    pipelines = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]) + pipeline_rows(
        "Partner", ["Deal"]
    )
    con = build_store(path, pipelines=pipelines, deals=DEALS, activities=ACTIVITIES)
    yield con
    con.close()


def frame(keys, rows, columns):
    data = {"key": keys} if keys is not None else {}
    data.update({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    return pd.DataFrame(data)


VOLUME = ["completed", "planned", "overdue", "total"]


def test_volume_in_march(con):
    pd.testing.assert_frame_equal(
        activity_volume(con, MARCH), frame(None, [(9, 4, 3, 13)], VOLUME), check_dtype=False
    )


@pytest.mark.parametrize(
    "by, keys, rows",
    [
        # Aiko: A02 A03 A07 A08 done, A09 A10 planned (A09 overdue); Ben: A04 A05 A15 done,
        # A20 overdue; Cleo: A17 done, A16 overdue; (none): A18 done.
        ("owner", [NONE, "Aiko", "Ben", "Cleo"],
         [(1, 0, 0, 1), (4, 2, 1, 6), (3, 1, 1, 4), (1, 1, 1, 2)]),
        # call: A04 A05 A08 A17 done, A16 overdue; demo A10; email A02 A18; follow_up A03 A15;
        # meeting A09 A20 (overdue); task A07
        ("type", ["call", "demo", "email", "follow_up", "meeting", "task"],
         [(4, 1, 1, 5), (0, 1, 0, 1), (2, 0, 0, 2), (2, 0, 0, 2), (0, 2, 2, 2), (1, 0, 0, 1)]),
        # Week of 24 Feb: A07 (Sat 1), A04 (Sun 2). Week of 3 Mar: A02 A15 A17 A18 A08 A05.
        # Week of 10 Mar: A03 done; A20 (10th), A09 A16 (11th), A10 (12th) planned.
        ("week", ["2025-02-24", "2025-03-03", "2025-03-10"],
         [(2, 0, 0, 2), (6, 0, 0, 6), (1, 4, 3, 5)]),
        # Rep teams: Aiko and Ben East (Ben's A20 is on a West deal), Cleo West, A18 no owner.
        ("team", [NONE, "East", "West"], [(1, 0, 0, 1), (7, 3, 2, 10), (1, 1, 1, 2)]),
        # Region of the linked deal: D3 has none, A17 and A18 no deal.
        ("region", [NONE, "North", "South"], [(4, 2, 1, 6), (3, 0, 0, 3), (2, 2, 2, 4)]),
        # Pipeline of the linked deal (a deal dimension like any other).
        ("pipeline", [NONE, "Partner", "Sales"], [(2, 0, 0, 2), (0, 1, 1, 1), (7, 3, 2, 10)]),
    ],
)  # fmt: skip
def test_volume_breakdowns(con, by, keys, rows):
    got = activity_volume(con, MARCH, by=by)
    pd.testing.assert_frame_equal(got, frame(keys, rows, VOLUME), check_dtype=False)


@pytest.mark.parametrize(
    "where, pipeline, row",
    [
        ({"owner": ["Aiko"]}, None, (4, 2, 1, 6)),
        ({"owner": [NONE]}, None, (1, 0, 0, 1)),  # A18
        ({"owner": ["Ben", NONE]}, None, (4, 1, 1, 5)),
        ({"team": ["East"]}, None, (7, 3, 2, 10)),
        # Cleo's call A17 has no deal but stays: team describes the rep
        ({"team": ["West"]}, None, (1, 1, 1, 2)),
        # a deal condition drops activities without a deal: A02 A03 A15
        ({"region": ["North"]}, None, (3, 0, 0, 3)),
        ({}, "Partner", (0, 1, 1, 1)),  # A20
        ({}, "Sales", (7, 3, 2, 10)),  # all but A20, A17, A18
        ({"owner": ["Aiko"], "region": ["North"]}, None, (2, 0, 0, 2)),  # A02 A03
    ],
)
def test_volume_filters(con, where, pipeline, row):
    filters = Filters.build(MARCH.start, MARCH.end, AS_OF, pipeline=pipeline, where=where)
    pd.testing.assert_frame_equal(
        activity_volume(con, filters), frame(None, [row], VOLUME), check_dtype=False
    )


def test_volume_as_of_an_earlier_day(con):
    # As of 5 March: done by then A07 A04 A02 A15 A17 A18; A05 (done on the 7th) was planned
    # and overdue (due the 4th); A08 (done the 6th) has no due date, so it is not counted.
    got = activity_volume(con, Filters(MARCH.start, MARCH.end, d("2025-03-05")))
    pd.testing.assert_frame_equal(got, frame(None, [(6, 1, 1, 7)], VOLUME), check_dtype=False)


def test_volume_of_an_empty_period(con):
    got = activity_volume(con, Filters(d("2030-01-01"), d("2030-12-31"), AS_OF))
    pd.testing.assert_frame_equal(got, frame(None, [(0, 0, 0, 0)], VOLUME), check_dtype=False)
    by_owner = activity_volume(con, Filters(d("2030-01-01"), d("2030-12-31"), AS_OF), by="owner")
    assert by_owner.empty and list(by_owner.columns) == ["key", *VOLUME]


def test_heatmap(con):
    got = activity_heatmap(con, MARCH)
    expected = pd.DataFrame(
        {
            "owner": [NONE, "Aiko", "Aiko", "Aiko", "Ben", "Ben", "Cleo"],
            "week": pd.to_datetime(["2025-03-03", "2025-02-24", "2025-03-03", "2025-03-10",
                                    "2025-02-24", "2025-03-03", "2025-03-03"]).as_unit("us"),
            # (none) A18; Aiko A07 | A02 A08 | A03; Ben A04 | A15 A05; Cleo A17
            "completed": [1, 1, 2, 1, 1, 2, 1],
        }
    )  # fmt: skip
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_heatmap_for_one_team(con):
    got = activity_heatmap(con, Filters.build(MARCH.start, MARCH.end, AS_OF,
                                              where={"team": ["West"]}))  # fmt: skip
    assert got[["owner", "completed"]].values.tolist() == [["Cleo", 1]]


@pytest.mark.parametrize(
    "filters, row",
    [
        # Won by 12 March: D5, D6, D1, D2. Their activities done by then: D1 A01 A02 A03,
        # D2 A04 A05 (A06 later), D5 A12 A13, D6 A14 A15 = 9; 9 / 4 = 2.25
        (QUARTER, (4, 9, 2.25)),
        # Ben's deals D2 and D6: 4 activities
        (Filters.build(QUARTER.start, QUARTER.end, AS_OF, where={"owner": ["Ben"]}), (2, 4, 2.0)),
        # As of 31 March D8 is won too (no activity) and A06 is done: 10 / 5
        (Filters(QUARTER.start, QUARTER.end, d("2025-03-31")), (5, 10, 2.0)),
        (Filters(d("2030-01-01"), d("2030-12-31"), AS_OF), (0, 0, None)),
    ],
)
def test_activities_per_won_deal(con, filters, row):
    got = activities_per_won_deal(con, filters)
    pd.testing.assert_frame_equal(
        got, frame(None, [row], ["won_deals", "activities", "per_deal"]), check_dtype=False
    )


FIRST = ["deals", "with_activity", "median_days", "mean_days", "p75_days", "negative"]


def test_time_to_first_activity(con):
    # Created by 12 March in the quarter: D5 D6 D1 D2 D3 D4 D7. First activities: D5 1.0,
    # D6 6.0, D1 1.5, D2 0.25, D3 2.0 (A08; A07 precedes creation), D4 none, D7 only after
    # the as-of date. Sorted 0.25 1 1.5 2 6: median 1.5, mean 10.75 / 5 = 2.15,
    # p75 at position 0.75 * 4 = 3: 2.0.
    got = time_to_first_activity(con, QUARTER)
    pd.testing.assert_frame_equal(
        got, frame(None, [(7, 5, 1.5, 2.15, 2.0, 1)], FIRST), check_dtype=False
    )


def test_time_to_first_activity_as_of_the_end_of_march(con):
    # D8 joins (no activity); D7's A16 counts: 15 Mar 00:00 - 11 Mar 09:00 = 3.625 days.
    # Sorted 0.25 1 1.5 2 3.625 6: median 1.75, mean 14.375 / 6, p75 at 3.75: 2 + 0.75 * 1.625
    got = time_to_first_activity(con, Filters(QUARTER.start, QUARTER.end, d("2025-03-31")))
    expected = frame(None, [(8, 6, 1.75, 14.375 / 6, 3.21875, 1)], FIRST)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_time_to_first_activity_by_owner(con):
    got = time_to_first_activity(con, QUARTER, by="owner")
    expected = frame(
        ["Aiko", "Ben", "Cleo"],
        [
            (2, 2, 1.75, 1.75, 1.875, 1),  # D1 1.5, D3 2.0 (negative)
            (3, 2, 3.125, 3.125, 0.25 + 0.75 * 5.75, 0),  # D2 0.25, D6 6.0, D4 none
            (2, 1, 1.0, 1.0, 1.0, 0),  # D5 1.0, D7 none by the as-of date
        ],
        FIRST,
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_time_to_first_activity_of_an_empty_period(con):
    row = time_to_first_activity(con, Filters(d("2030-01-01"), d("2030-12-31"), AS_OF)).iloc[0]
    assert (row["deals"], row["with_activity"], row["negative"]) == (0, 0, 0)
    assert pd.isna(row["median_days"]) and pd.isna(row["mean_days"])


@pytest.mark.parametrize(
    "window, covered",
    [
        (30, 2),  # D1 (7 days), D6 (30 days); D5 is 36 days; D2 only a call by the as-of date
        (29, 1),  # D6's 30 days are out
        (36, 3),  # D5's 36 days are in
        (7, 1),
        (6, 0),
        (0, 0),
    ],
)
def test_follow_up_coverage_window(con, window, covered):
    row = follow_up_coverage(con, QUARTER, window_days=window).iloc[0]
    assert (row["won_deals"], row["covered"]) == (4, covered)
    assert row["rate"] == pytest.approx(covered / 4)
    assert bool(row["small_sample"]) is True


def test_follow_up_coverage_row(con):
    got = follow_up_coverage(con, QUARTER)
    # Wilson 95% interval of 2/4: centre 0.5, half-width
    # 1.96 * sqrt(0.0625 + 3.8415/64) / (1 + 3.8415/4) = 0.3500
    expected = pd.DataFrame([{"won_deals": 4, "covered": 2, "rate": 0.5, "ci_low": 0.1500,
                              "ci_high": 0.8500, "small_sample": True}])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-4)


def test_follow_up_coverage_as_of_later(con):
    # As of 31 March D8 is won (no follow-up) and D2's follow-up A06 (9 days) is done.
    row = follow_up_coverage(con, Filters(QUARTER.start, QUARTER.end, d("2025-03-31"))).iloc[0]
    assert (row["won_deals"], row["covered"]) == (5, 3)


def test_follow_up_coverage_of_an_empty_period(con):
    row = follow_up_coverage(con, Filters(d("2030-01-01"), d("2030-12-31"), AS_OF)).iloc[0]
    assert (row["won_deals"], row["covered"]) == (0, 0)
    assert row["rate"] is None and row["ci_low"] is None


def test_follow_up_coverage_refuses_a_negative_window(con):
    with pytest.raises(BadWindow):
        follow_up_coverage(con, QUARTER, window_days=-1)


def test_a_store_with_a_single_deal(tmp_path):
    con = build_store(
        tmp_path / "one.duckdb",
        pipelines=pipeline_rows("Solo", ["Only"]),
        deals=[deal("X", "Aiko", "East", None, "won", "2025-03-03 08:00", "2025-03-03 18:00",
                    pipeline="Solo")],
        activities=[act("F", "follow_up", "Aiko", "X", None, "2025-03-04 08:00")],
    )  # fmt: skip
    try:
        # closed the day it was created; its follow-up the next day, 1 day after creation
        assert follow_up_coverage(con, MARCH).iloc[0][["won_deals", "covered"]].tolist() == [1, 1]
        first = time_to_first_activity(con, MARCH).iloc[0]
        assert (first["deals"], first["with_activity"], first["median_days"]) == (1, 1, 1.0)
        assert activities_per_won_deal(con, MARCH).iloc[0]["per_deal"] == 1.0
        assert activity_volume(con, MARCH, by="pipeline")["key"].tolist() == ["Solo"]
    finally:
        con.close()


def test_definitions_are_declared():
    keys = [am.ACTIVITY_VOLUME, am.ACTIVITIES_OVERDUE, am.ACTIVITIES_PER_WON_DEAL,
            am.TIME_TO_FIRST_ACTIVITY, am.FOLLOW_UP_COVERAGE]  # fmt: skip
    assert [k.key for k in keys] == [
        "activity_volume", "activities_overdue", "activities_per_won_deal",
        "time_to_first_activity", "follow_up_coverage",
    ]  # fmt: skip


# ---- properties over small generated stores -----------------------------------------------

BASE = datetime(2025, 3, 1)
OWNERS = ["Aiko", "Ben", None]

deals_st = st.lists(
    st.tuples(st.sampled_from(["Aiko", "Ben"]), st.sampled_from(["East", "West"]),
              st.sampled_from(["open", "won", "lost"]), st.integers(0, 40), st.integers(0, 20)),
    max_size=6,
)  # fmt: skip
activities_st = st.lists(
    st.tuples(
        st.sampled_from(OWNERS), st.sampled_from(["call", "follow_up", "email"]),
        st.one_of(st.none(), st.integers(0, 5)),  # index of the linked deal
        st.one_of(st.none(), st.integers(0, 60 * 24)),  # due, hours after BASE
        st.one_of(st.none(), st.integers(-5 * 24, 60 * 24)),  # completed, hours after BASE
    ),
    max_size=15,
)  # fmt: skip


def generated_store(path, deals, activities):
    deal_rows = [
        {"deal_id": f"D{i}", "pipeline": "Sales", "owner": o, "team": t, "status": s,
         "stage": {"won": "Won", "lost": "Lost"}.get(s, "Lead"), "amount": 100,
         "created_at": BASE + timedelta(days=c),
         "closed_at": BASE + timedelta(days=c + k) if s != "open" else None}
        for i, (o, t, s, c, k) in enumerate(deals)
    ]  # fmt: skip
    activity_rows = [
        {"activity_id": f"A{i}", "owner": o, "type": kind,
         "deal_id": f"D{link}" if link is not None and link < len(deals) else None,
         "due_at": BASE + timedelta(hours=due) if due is not None else None,
         "completed_at": BASE + timedelta(hours=done) if done is not None else None}
        for i, (o, kind, link, due, done) in enumerate(activities)
    ]  # fmt: skip
    return build_store(Path(path) / "a.duckdb", pipelines=pipeline_rows("Sales", ["Lead"]),
                       deals=deal_rows, activities=activity_rows)  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(deals_st, activities_st, st.integers(0, 70), st.integers(0, 40), st.integers(0, 40))
def test_activity_invariants(deals, activities, as_of_day, start_day, length):
    as_of = (BASE + timedelta(days=as_of_day)).date()
    start = (BASE + timedelta(days=start_day)).date()
    filters = Filters(start, start + timedelta(days=length), as_of)
    with tempfile.TemporaryDirectory() as tmp:
        con = generated_store(tmp, deals, activities)
        try:
            total = activity_volume(con, filters)
            assert total["completed"][0] + total["planned"][0] == total["total"][0]
            assert total["overdue"][0] <= total["planned"][0]
            for by in ("owner", "type", "week", "team", "region"):
                parts = activity_volume(con, filters, by=by)
                assert parts[VOLUME].sum().tolist() == total[VOLUME].iloc[0].tolist()
            narrowed = activity_volume(con, filters.narrowed("owner", ["Aiko"]))
            assert (narrowed[VOLUME].iloc[0] <= total[VOLUME].iloc[0]).all()
            heat = activity_heatmap(con, filters)
            assert heat["completed"].sum() == total["completed"][0]
            first = time_to_first_activity(con, filters).iloc[0]
            assert first["with_activity"] <= first["deals"]
            if first["with_activity"]:
                assert first["median_days"] >= 0 and first["mean_days"] >= 0
            by_owner = time_to_first_activity(con, filters, by="owner")
            assert by_owner["deals"].sum() == first["deals"]
            coverage = follow_up_coverage(con, filters).iloc[0]
            assert 0 <= coverage["covered"] <= coverage["won_deals"]
            if coverage["won_deals"]:
                assert 0 <= coverage["ci_low"] <= coverage["rate"] <= coverage["ci_high"] <= 1
            per_deal = activities_per_won_deal(con, filters).iloc[0]
            assert per_deal["won_deals"] == coverage["won_deals"]
        finally:
            con.close()


won_deals_st = st.lists(
    st.tuples(st.just("Aiko"), st.just("East"), st.sampled_from(["won", "won", "open"]),
              st.integers(0, 20), st.integers(0, 10)),
    min_size=1, max_size=3,
)  # fmt: skip
follow_ups_st = st.lists(
    st.tuples(
        st.just("Aiko"), st.sampled_from(["follow_up", "follow_up", "call"]),
        st.integers(0, 2), st.none(),
        st.one_of(st.none(), st.integers(0, 50 * 24)),  # completed, hours after BASE
    ),
    min_size=1, max_size=8,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(won_deals_st, follow_ups_st, st.integers(5, 50), st.data())
def test_won_deal_activity_counts_match_their_definition(deals, activities, as_of_day, data):
    # Counted straight from the rows: deals won by the as-of date, their activities completed
    # by then, and those with a follow-up 0..window days after the win.
    as_of = (BASE + timedelta(days=as_of_day)).date()
    filters = Filters(None, None, as_of)
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    closed = {
        f"D{i}": BASE + timedelta(days=c + k)
        for i, (_, _, s, c, k) in enumerate(deals)
        if s == "won" and BASE + timedelta(days=c + k) < end
    }
    done = [
        (f"D{link}", kind, BASE + timedelta(hours=hours))
        for _, kind, link, _, hours in activities
        if link < len(deals) and hours is not None and BASE + timedelta(hours=hours) < end
    ]
    gaps = {(at.date() - closed[deal].date()).days for deal, _, at in done if deal in closed}
    # Windows ending on a follow-up's own day and on the day before test both edges.
    window = data.draw(st.sampled_from(sorted({30} | {g for g in gaps if g >= 0}
                                              | {g - 1 for g in gaps if g >= 1})))  # fmt: skip
    expected_activities = sum(1 for deal, _, _ in done if deal in closed)
    expected_covered = len({
        deal for deal, kind, at in done
        if deal in closed and kind == "follow_up"
        and 0 <= (at.date() - closed[deal].date()).days <= window
    })  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        con = generated_store(tmp, deals, activities)
        try:
            per_deal = activities_per_won_deal(con, filters).iloc[0]
            coverage = follow_up_coverage(con, filters, window_days=window).iloc[0]
        finally:
            con.close()
    assert (per_deal["won_deals"], per_deal["activities"]) == (len(closed), expected_activities)
    assert (coverage["won_deals"], coverage["covered"]) == (len(closed), expected_covered)
