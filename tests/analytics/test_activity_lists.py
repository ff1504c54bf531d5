"""The records behind the activity metrics, on the fixture of test_activity_metrics (every row of
it is explained there): March, or the first quarter, as of Wednesday 2025-03-12."""

from __future__ import annotations

import pytest

from analytics import activity_metrics as am
from analytics.activity_lists import (
    UnknownState,
    activity_list,
    first_activity_deals,
    won_deal_activities,
)
from analytics.filters import NONE, Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows
from tests.analytics.test_activity_metrics import ACTIVITIES, AS_OF, DEALS, MARCH, QUARTER


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("activity_lists") / "store.duckdb"
    pipelines = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]) + pipeline_rows(
        "Partner", ["Deal"]
    )
    con = build_store(path, pipelines=pipelines, deals=DEALS, activities=ACTIVITIES)
    yield con
    con.close()


@pytest.mark.parametrize(
    "narrow, ids",
    [
        # Completed in March by the as-of date, newest first (A15 and A02 both 3 March 09:00).
        ({"state": "completed"}, ["A03", "A05", "A08", "A18", "A17", "A02", "A15", "A04", "A07"]),
        # Planned and not overdue: A10, due on the as-of day itself.
        ({"state": "planned"}, ["A10"]),
        ({"state": "overdue"}, ["A09", "A16", "A20"]),
        ({"owner": "Aiko"}, ["A10", "A09", "A03", "A08", "A02", "A07"]),
        ({"owner": NONE}, ["A18"]),
        ({"activity_type": "meeting"}, ["A09", "A20"]),
        # The heatmap cell Ben × week of 3 March: A15 (3rd) and A05 (7th).
        ({"owner": "Ben", "week": d("2025-03-03"), "state": "completed"}, ["A05", "A15"]),
        ({"week": d("2025-02-24")}, ["A04", "A07"]),
    ],
)  # fmt: skip
def test_activity_list_holds_what_the_volume_counts(con, narrow, ids):
    got = activity_list(con, MARCH, **narrow)
    assert got["activity_id"].tolist() == ids


def test_activity_list_rows_add_up_to_the_volume_and_heatmap(con):
    volume = am.activity_volume(con, MARCH, by="owner").set_index("key")
    for owner, row in volume.iterrows():
        rows = activity_list(con, MARCH, owner=owner)
        assert len(rows) == row["total"]
        assert (rows["state"] == "overdue").sum() == row["overdue"]
    for cell in am.activity_heatmap(con, MARCH).itertuples():
        rows = activity_list(con, MARCH, owner=cell.owner, week=cell.week, state="completed")
        assert len(rows) == cell.completed


def test_overdue_rows_say_how_late_and_which_deal(con):
    got = activity_list(con, MARCH, state="overdue").set_index("activity_id")
    # Due 11, 11 and 10 March; as of the 12th.
    assert got["days_overdue"].tolist() == [1, 1, 2]
    assert got.loc["A20", "deal_id"] == "D4"
    assert activity_list(con, MARCH, state="completed")["days_overdue"].isna().all()


def test_activity_list_follows_the_filters(con):
    partner = Filters.build(MARCH.start, MARCH.end, AS_OF, pipeline="Partner")
    assert activity_list(con, partner)["activity_id"].tolist() == ["A20"]
    west = Filters.build(MARCH.start, MARCH.end, AS_OF, where={"team": ["West"]})
    assert sorted(activity_list(con, west)["activity_id"]) == ["A16", "A17"]


def test_activity_list_rejects_an_unknown_state(con):
    with pytest.raises(UnknownState):
        activity_list(con, MARCH, state="done")


def test_won_deals_with_their_effort_and_follow_up(con):
    got = won_deal_activities(con, QUARTER)
    # Won in Q1 by 12 March: D1 (3 Mar), D2 (5 Mar), D5 (10 Jan), D6 (1 Feb). D2's follow-up
    # A06 is after the as-of date and D5's A13 36 days after: not followed up, listed first.
    assert got["deal_id"].tolist() == ["D2", "D5", "D1", "D6"]
    # D2: A04 A05 (A06 later); D5: A12 A13; D1: A01 A02 A03; D6: A14 A15.
    assert got["activities"].tolist() == [2, 2, 3, 2]
    assert got["followed_up"].tolist() == [False, False, True, True]
    assert got["first_follow_up_at"].tolist()[2:] == [
        day("2025-03-10 11:00"),
        day("2025-03-03 09:00"),
    ]
    per_deal = am.activities_per_won_deal(con, QUARTER).iloc[0]
    assert got["activities"].sum() == per_deal["activities"]
    assert got["followed_up"].sum() == am.follow_up_coverage(con, QUARTER).iloc[0]["covered"]


def test_won_deals_with_a_shorter_window(con):
    # A 7-day window still covers D1 (7 days), no longer D6 (30 days).
    got = won_deal_activities(con, QUARTER, window_days=7).set_index("deal_id")
    assert got["followed_up"].to_dict() == {"D2": False, "D5": False, "D6": False, "D1": True}


def test_first_activity_deals_match_the_cohort_summary(con):
    got = first_activity_deals(con, QUARTER).set_index("deal_id")
    # Created in Q1 by the as-of date: D1 D2 D3 D4 D5 D6 D7; D4 and D7 without an activity yet.
    assert list(got.index[:2]) == ["D4", "D7"]
    assert got["days"].dropna().round(4).to_dict() == {
        "D6": 6.0, "D3": 2.0, "D1": 1.5, "D5": 1.0, "D2": 0.25,
    }  # fmt: skip
    assert got["negative"].to_dict()["D3"]
    summary = am.time_to_first_activity(con, QUARTER).iloc[0]
    assert len(got) == summary["deals"]
    assert got["days"].notna().sum() == summary["with_activity"]
    assert got["days"].median() == pytest.approx(summary["median_days"])
