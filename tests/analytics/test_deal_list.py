"""The deal list and one deal's record on a fixture whose every row is explained below.

Pipeline Sales (Lead, Demo, Proposal). Data runs to 2025-03-22 (D5's creation); the list is read as of that day
(deal_facts as stored) and as of 2025-03-12 (stage and status from the history). Period: March.

| deal | name          | status | amount     | created    | closed     | stage history                        |
|------|---------------|--------|------------|------------|------------|--------------------------------------|
| D1   | Alpha 50%_off | open   | 5000 USD   | 2025-01-10 | -          | Lead 01-10, Demo 03-01               |
| D2   | **Bold**      | won    | 9000 EUR   | 2025-02-01 | 2025-03-20 | Lead 02-01, Won 03-20                |
| D3   | Gamma         | lost   | 1000 USD   | 2025-02-15 | 2025-02-28 | Lead 02-15, Lost 02-28 (before March) |
| D4   | Delta         | open   | -          | 2025-03-05 | -          | Lead 03-05, Proposal 03-15           |
| D5   | Epsilon       | open   | 2000 USD   | 2025-03-22 | -          | Lead 03-22 (after the early as-of)   |

EUR converts at 0.9 EUR per USD from 2025-01-01: D2 is 10,000 USD. Activities: D1 call 03-05
and email 03-20; D4 task due 03-10 not done; D2 meeting completed 03-18.

Recorded changes: D1's amount 4000 -> 5000 on 02-01 and close date 03-31 -> 04-30 on 03-15; D2's
amount 3000 -> 3600 EUR on 03-01 and 3600 -> 9000 on 03-16, close date 03-10 -> 03-25 on 03-05.
On 12 March D1 stood at 5000 USD closing 03-31, D2 at 3600 EUR (4000 USD) closing 03-25.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.deal_list import (
    BadDealQuery,
    deal_activities,
    deal_field_changes,
    deal_list,
    deal_list_summary,
    deal_record,
    list_stages,
)
from analytics.durations import UnknownDeal
from analytics.filters import Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows

MARCH = Filters(start=d("2025-03-01"), end=d("2025-03-31"))
EARLY = Filters(start=d("2025-03-01"), end=d("2025-03-31"), as_of=d("2025-03-12"))


def deal(deal_id, name, status, amount, currency, created, closed, stage):
    return {
        "deal_id": deal_id, "name": name, "pipeline": "Sales", "stage": stage, "status": status,
        "amount": amount, "currency": currency, "owner": "Aiko" if deal_id < "D3" else "Ben",
        "team": "East", "created_at": day(created), "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("D1", "Alpha 50%_off", "open", 5000, "USD", "2025-01-10", None, "Demo"),
    deal("D2", "**Bold**", "won", 9000, "EUR", "2025-02-01", "2025-03-20", "Won"),
    deal("D3", "Gamma", "lost", 1000, "USD", "2025-02-15", "2025-02-28", "Lost"),
    deal("D4", "Delta", "open", None, "USD", "2025-03-05", None, "Proposal"),
    deal("D5", "Epsilon", "open", 2000, "USD", "2025-03-22", None, "Lead"),
]
# The close dates the recorded changes (CHANGES) left D1 and D2 with.
DEALS[0]["expected_close_date"] = d("2025-04-30")
DEALS[1]["expected_close_date"] = d("2025-03-25")
EVENTS = [
    ("D1", "Lead", day("2025-01-10")), ("D1", "Demo", day("2025-03-01")),
    ("D2", "Lead", day("2025-02-01")), ("D2", "Won", day("2025-03-20")),
    ("D3", "Lead", day("2025-02-15")), ("D3", "Lost", day("2025-02-28")),
    ("D4", "Lead", day("2025-03-05")), ("D4", "Proposal", day("2025-03-15")),
    ("D5", "Lead", day("2025-03-22")),
]  # fmt: skip
ACTIVITIES = [
    {"activity_id": "A1", "type": "call", "deal_id": "D1", "completed_at": day("2025-03-05")},
    {"activity_id": "A2", "type": "email", "deal_id": "D1", "completed_at": day("2025-03-20")},
    {"activity_id": "A3", "type": "task", "deal_id": "D4", "due_at": day("2025-03-10")},
    {"activity_id": "A4", "type": "meeting", "deal_id": "D2", "completed_at": day("2025-03-18")},
]
CHANGES = [
    ("D1", "amount", "4000.0", "5000.0", day("2025-02-01")),
    ("D1", "expected_close_date", "2025-03-31", "2025-04-30", day("2025-03-15")),
    ("D2", "amount", "3000.0", "3600.0", day("2025-03-01")),
    ("D2", "amount", "3600.0", "9000.0", day("2025-03-16")),
    ("D2", "expected_close_date", "2025-03-10", "2025-03-25", day("2025-03-05")),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("deal_list") / "store.duckdb"
    con = build_store(
        path,
        pipelines=pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]),
        deals=DEALS,
        events=EVENTS,
        activities=ACTIVITIES,
        deal_changes=CHANGES,
        meta={"reporting_currency": "USD"},
    )
    con.execute(
        "INSERT INTO exchange_rates (currency, rate_date, rate) VALUES ('EUR', '2025-01-01', 0.9)"
    )
    from analytics import derived

    derived.refresh(con)
    yield con
    con.close()


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["deal_id"].tolist()


@pytest.mark.parametrize(
    "filters, kwargs, expected",
    [
        # Active in March: all but D3 (lost in February); by amount, D4 without one last.
        (MARCH, {}, ["D2", "D1", "D5", "D4"]),
        (MARCH, {"scope": "created"}, ["D5", "D4"]),
        (MARCH, {"scope": "closed"}, ["D2"]),
        (MARCH, {"scope": "all", "descending": False}, ["D3", "D5", "D1", "D2", "D4"]),
        (MARCH, {"search": "50%"}, ["D1"]),  # % is a character, not a wildcard
        (MARCH, {"search": "a_"}, []),  # nor is _
        (MARCH, {"search": "d4"}, ["D4"]),  # the ID matches too
        (MARCH, {"statuses": ("open",), "sort": "name"}, ["D5", "D4", "D1"]),
        (MARCH, {"stages": ("Demo", "Won"), "sort": "created_at", "descending": False},
         ["D1", "D2"]),
        (MARCH, {"sort": "last_activity_at"}, ["D1", "D2", "D4", "D5"]),
        (MARCH, {"limit": 2, "offset": 1}, ["D1", "D5"]),
        # As of 12 March: D5 not created yet, D2 still open and at 4000 USD (10,000 now).
        (EARLY, {}, ["D1", "D2", "D4"]),
        (EARLY, {"statuses": ("won",)}, []),
        (EARLY, {"stages": ("Lead",)}, ["D2", "D4"]),
        (EARLY, {"sort": "last_activity_at"}, ["D1", "D2", "D4"]),
    ],
)  # fmt: skip
def test_which_deals_and_in_what_order(con, filters, kwargs, expected):
    assert ids(deal_list(con, filters, **kwargs)) == expected


def test_rows_as_stored_at_the_last_day(con):
    got = deal_list(con, MARCH).set_index("deal_id")
    assert got.loc["D2", "amount"] == pytest.approx(10_000)
    assert got.loc["D2", ["stage", "status"]].tolist() == ["Won", "won"]
    # Open deals: whole days in the current stage to 22 March; the won D2 has none.
    assert got["days_in_stage"].isna().tolist() == [True, False, False, False]
    assert got["days_in_stage"].dropna().tolist() == [21, 0, 7]
    assert got.loc["D1", "last_activity_at"] == day("2025-03-20")


def test_rows_as_they_stood_at_an_earlier_as_of_date(con):
    got = deal_list(con, EARLY).set_index("deal_id")
    assert got.loc["D2", ["stage", "status"]].tolist() == ["Lead", "open"]
    assert pd.isna(got.loc["D2", "closed_at"])
    assert got.loc["D4", "stage"] == "Lead"  # Proposal only from the 15th
    # D1 in Demo since 1 March, D2 in Lead since 1 February, D4 in Lead since 5 March.
    assert got["days_in_stage"].tolist() == [11, 39, 7]
    # D1's email of the 20th came after: its last activity then was the call of the 5th.
    assert got.loc["D1", "last_activity_at"] == day("2025-03-05")
    assert pd.isna(got.loc["D2", "last_activity_at"])
    # Amount and close date as they were then: the last change before the 12th gives the value
    # (D1's amount, D2's both), and D1's close date, changed only on the 15th, had the old one.
    assert got["amount"].tolist() == pytest.approx([5000, 4000, float("nan")], nan_ok=True)
    assert got["expected_close_date"].tolist()[:2] == [
        pd.Timestamp("2025-03-31"), pd.Timestamp("2025-03-25"),
    ]  # fmt: skip


def test_summary_counts_the_whole_list(con):
    got = deal_list_summary(con, MARCH).iloc[0].to_dict()
    assert got == pytest.approx({"deals": 4, "open": 3, "won": 1, "lost": 0, "amount": 17_000})
    early = deal_list_summary(con, EARLY, statuses=("open",)).iloc[0]
    assert early["deals"] == 3
    assert early["amount"] == pytest.approx(5000 + 4000)  # D4 has no amount


@pytest.mark.parametrize(
    "kwargs",
    [{"scope": "everything"}, {"statuses": ("closed",)}, {"sort": "name; DROP TABLE deals"},
     {"offset": -1}],
)  # fmt: skip
def test_bad_requests_are_refused(con, kwargs):
    with pytest.raises(BadDealQuery):
        deal_list(con, MARCH, **kwargs)


def test_stages_in_pipeline_order_then_outcomes(con):
    assert list_stages(con, Filters()) == ["Lead", "Demo", "Proposal", "Won", "Lost"]


def test_one_deal_record(con):
    got = deal_record(con, "D2").iloc[0]
    assert (got["name"], got["amount"], got["currency"]) == ("**Bold**", 9000, "EUR")
    assert got["amount_rep"] == pytest.approx(10_000)
    with pytest.raises(UnknownDeal):
        deal_record(con, "D9")


def test_one_deals_activities_in_their_state(con):
    got = deal_activities(con, "D4", d("2025-03-12"))
    assert got[["activity_id", "state"]].values.tolist() == [["A3", "overdue"]]
    early = deal_activities(con, "D1", d("2025-03-12"))
    assert early[["activity_id", "state"]].values.tolist() == [
        ["A1", "completed"], ["A2", "planned"],
    ]  # fmt: skip
    assert pd.isna(early.loc[1, "completed_at"]) and pd.isna(early.loc[1, "at"])


def test_one_deals_field_changes_up_to_the_as_of_date(con):
    got = deal_field_changes(con, "D1")
    assert got["field"].tolist() == ["amount", "expected_close_date"]
    assert got.loc[0, ["old_amount", "new_amount"]].tolist() == [4000, 5000]
    assert got.loc[1, "new_close"] == pd.Timestamp("2025-04-30")
    assert deal_field_changes(con, "D1", d("2025-03-12"))["field"].tolist() == ["amount"]
