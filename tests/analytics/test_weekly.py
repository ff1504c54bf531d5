"""Weekly-meeting metrics on a fixture whose every deal is explained below.

Window a = 2025-03-09, b = 2025-03-16: timestamps from 2025-03-10 00:00 up to (not including)
2025-03-17 00:00. Pipelines: Sales (Lead 1, Demo 2, Proposal 3, Negotiation 4; rotting days
10, 10, 14, 7), Renewals (one stage, Review, no rotting days), Partners (one stage, Intro, no
rotting days). USD is the reporting currency. Dates are 2025 and times 00:00 unless given;
x→y @t is a change from x to y at time t.

| deal | owner | created     | status           | amount               | expected close           |
|------|-------|-------------|------------------|----------------------|--------------------------|
| N1   | Aiko  | 03-11 09:00 | open             | 1000                 | 04-30→05-15 @03-13       |
| A1   | Aiko  | 02-01       | open             | 1500→2000            | 03-16                    |
|      |       |             |                  | @03-13 12:00         |                          |
| A2   | Ben   | 02-05       | open             | 3000                 | 03-15→03-31 @03-11 10:00 |
|      |       |             |                  |                      | →04-10 @03-14 10:00      |
| B1   | Ben   | 01-15       | open             | 4000→4500 @03-20     | 03-12                    |
| AB   | Aiko  | 01-20       | open             | 500                  | 06-30→05-31 @03-12       |
| W1   | Aiko  | 01-10       | won 03-13 16:00  | 5000                 | 03-14                    |
| L1   | Ben   | 02-01       | lost 03-14 12:00 | 600                  | 03-31                    |
| NW   | Ben   | 03-12 10:00 | won 03-12 15:00  | 700→650 @03-12 15:00 | 03-12                    |
| OLD  | Aiko  | 2024-12-01  | open             | 900→800.55 @01-15    | 06-30                    |
| OD2  | Ben   | 02-20       | open             | 1200                 | 03-05→04-30 @03-20       |
| RO   | Aiko  | 01-05       | reopened         | 900                  | 04-15                    |
| E1   | Ben   | 02-01       | open             | 1000 EUR             | 05-01                    |
| FUT  | Aiko  | 03-18       | open             | 300                  | 04-30                    |
| LOLD | Aiko  | 2024-11-01  | lost 01-20       | 700                  | 01-31                    |
| R1   | Aiko  | 01-01       | open             | 2000                 | 06-30                    |
| R2   | Ben   | 01-01       | won 01-11        | 1000                 | 01-15                    |
| R3   | Ben   | 01-05       | lost 01-10 12:00 | 400                  | 01-15                    |
| P1   | Ben   | 03-01       | open             | 100.10               | 03-31                    |

| deal | stage events                                    | why it is here                     |
|------|-------------------------------------------------|------------------------------------|
| N1   | Lead 03-11 09:00                                | new; pushed 15 days though not due |
| A1   | Lead 02-01, Demo 02-20, Proposal 03-12 10:00    | advanced; amount change; due on b  |
| A2   | Lead 02-05, Negotiation 03-14 09:00             | skips forward; pushed out twice    |
| B1   | Lead 01-15, Proposal 02-10, Demo 03-12 11:00    | moved back; overdue                |
| AB   | Lead 01-20, Demo 03-10 08:00, Lead 03-11 08:00, | advanced and moved back,           |
|      | Demo 03-15 08:00                                | once each; its date pulled in      |
| W1   | Lead 01-10, Proposal 02-15, Won 03-13 16:00     | won; due but closed                |
| L1   | Lead 02-01, Lost 03-14 12:00                    | lost in the window                 |
| NW   | Lead 03-12 10:00, Won 03-12 15:00               | created and won the same day       |
| OLD  | Lead 2024-12-01                                 | stalled since its 01-10 call       |
| OD2  | Lead 02-20                                      | overdue at b, moved after b        |
| RO   | Lead 01-05, Won 02-01, Demo 03-12 12:00         | won, reopened in the window        |
| E1   | Lead 02-01                                      | no rate: counted, not summed       |
| FUT  | Lead 03-18                                      | after b: b is a past date          |
| LOLD | Lead 2024-11-01, Lost 01-20                     | closed before the window           |
| R1   | Review 01-01                                    | one stage; 2 × median rule         |
| R2   | Review 01-01, Won 01-11                         | a 10-day Review visit              |
| R3   | Review 01-05, Lost 01-10 12:00                  | a 5.5-day Review visit             |
| P1   | Intro 03-01                                     | no history: threshold 7            |

Completed activities: OLD 01-10, OD2 03-15, E1 03-14, R1 02-27 (and a planned one on OLD). The
data run to 03-18 (FUT), so b is in the past and states at b are reconstructed from the
timestamps; 03-31 is a current as-of date. RO alone has segment "reopened", to be picked out.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.filters import Filters
from analytics.values_at import changed_since
from analytics.weekly import (
    KINDS,
    BadWindow,
    UnknownMovement,
    movement_deals,
    movements,
    slippage_scorecard,
    slipped_deals,
    stalled_deals,
    waterfall,
)
from tests.analytics.builders import build_store, d, day, pipeline_rows

A, B = d("2025-03-09"), d("2025-03-16")
ALL = Filters()


def deal(deal_id, owner, created, status, amount, close, *, pipeline="Sales", stage=None,
         closed=None, currency="USD"):  # fmt: skip
    return {
        "deal_id": deal_id, "name": f"Deal {deal_id}", "pipeline": pipeline,
        "stage": stage or {"won": "Won", "lost": "Lost"}[status], "status": status,
        "amount": amount, "currency": currency, "owner": owner, "created_at": day(created),
        "closed_at": day(closed) if closed else None, "expected_close_date": d(close),
    }  # fmt: skip


DEALS = [
    deal("N1", "Aiko", "2025-03-11 09:00", "open", 1000, "2025-05-15", stage="Lead"),
    deal("A1", "Aiko", "2025-02-01", "open", 2000, "2025-03-16", stage="Proposal"),
    deal("A2", "Ben", "2025-02-05", "open", 3000, "2025-04-10", stage="Negotiation"),
    deal("B1", "Ben", "2025-01-15", "open", 4500, "2025-03-12", stage="Demo"),
    deal("AB", "Aiko", "2025-01-20", "open", 500, "2025-05-31", stage="Demo"),
    deal("W1", "Aiko", "2025-01-10", "won", 5000, "2025-03-14", closed="2025-03-13 16:00"),
    deal("L1", "Ben", "2025-02-01", "lost", 600, "2025-03-31", closed="2025-03-14 12:00"),
    deal("NW", "Ben", "2025-03-12 10:00", "won", 650, "2025-03-12", closed="2025-03-12 15:00"),
    deal("OLD", "Aiko", "2024-12-01", "open", 800.55, "2025-06-30", stage="Lead"),
    deal("OD2", "Ben", "2025-02-20", "open", 1200, "2025-04-30", stage="Lead"),
    {**deal("RO", "Aiko", "2025-01-05", "open", 900, "2025-04-15", stage="Demo"),
     "segment": "reopened"},
    deal("E1", "Ben", "2025-02-01", "open", 1000, "2025-05-01", stage="Lead", currency="EUR"),
    deal("FUT", "Aiko", "2025-03-18", "open", 300, "2025-04-30", stage="Lead"),
    deal("LOLD", "Aiko", "2024-11-01", "lost", 700, "2025-01-31", closed="2025-01-20"),
    deal("R1", "Aiko", "2025-01-01", "open", 2000, "2025-06-30", pipeline="Renewals",
         stage="Review"),
    deal("R2", "Ben", "2025-01-01", "won", 1000, "2025-01-15", pipeline="Renewals",
         closed="2025-01-11"),
    deal("R3", "Ben", "2025-01-05", "lost", 400, "2025-01-15", pipeline="Renewals",
         closed="2025-01-10 12:00"),
    deal("P1", "Ben", "2025-03-01", "open", 100.10, "2025-03-31", pipeline="Partners",
         stage="Intro"),
]  # fmt: skip

EVENTS = [
    ("N1", "Lead", day("2025-03-11 09:00")),
    ("A1", "Lead", day("2025-02-01")), ("A1", "Demo", day("2025-02-20")),
    ("A1", "Proposal", day("2025-03-12 10:00")),
    ("A2", "Lead", day("2025-02-05")), ("A2", "Negotiation", day("2025-03-14 09:00")),
    ("B1", "Lead", day("2025-01-15")), ("B1", "Proposal", day("2025-02-10")),
    ("B1", "Demo", day("2025-03-12 11:00")),
    ("AB", "Lead", day("2025-01-20")), ("AB", "Demo", day("2025-03-10 08:00")),
    ("AB", "Lead", day("2025-03-11 08:00")), ("AB", "Demo", day("2025-03-15 08:00")),
    ("W1", "Lead", day("2025-01-10")), ("W1", "Proposal", day("2025-02-15")),
    ("W1", "Won", day("2025-03-13 16:00")),
    ("L1", "Lead", day("2025-02-01")), ("L1", "Lost", day("2025-03-14 12:00")),
    ("NW", "Lead", day("2025-03-12 10:00")), ("NW", "Won", day("2025-03-12 15:00")),
    ("OLD", "Lead", day("2024-12-01")),
    ("OD2", "Lead", day("2025-02-20")),
    ("RO", "Lead", day("2025-01-05")), ("RO", "Won", day("2025-02-01")),
    ("RO", "Demo", day("2025-03-12 12:00")),
    ("E1", "Lead", day("2025-02-01")),
    ("FUT", "Lead", day("2025-03-18")),
    ("LOLD", "Lead", day("2024-11-01")), ("LOLD", "Lost", day("2025-01-20")),
    ("R1", "Review", day("2025-01-01")),
    ("R2", "Review", day("2025-01-01")), ("R2", "Won", day("2025-01-11")),
    ("R3", "Review", day("2025-01-05")), ("R3", "Lost", day("2025-01-10 12:00")),
    ("P1", "Intro", day("2025-03-01")),
]  # fmt: skip

CHANGES = [
    ("N1", "expected_close_date", "2025-04-30", "2025-05-15", day("2025-03-13")),
    ("A1", "amount", "1500.0", "2000.0", day("2025-03-13 12:00")),
    ("A2", "expected_close_date", "2025-03-15", "2025-03-31", day("2025-03-11 10:00")),
    ("A2", "expected_close_date", "2025-03-31", "2025-04-10", day("2025-03-14 10:00")),
    ("B1", "amount", "4000.0", "4500.0", day("2025-03-20")),
    ("AB", "expected_close_date", "2025-06-30", "2025-05-31", day("2025-03-12")),
    ("NW", "amount", "700.0", "650.0", day("2025-03-12 15:00")),
    ("OLD", "amount", "900.0", "800.55", day("2025-01-15")),
    ("OD2", "expected_close_date", "2025-03-05", "2025-04-30", day("2025-03-20")),
]  # fmt: skip


def done(activity_id, deal_id, when):
    return {"activity_id": activity_id, "type": "call", "deal_id": deal_id,
            "due_at": day(when), "completed_at": day(when)}  # fmt: skip


ACTIVITIES = [
    done("X1", "OLD", "2025-01-10"), done("X2", "OD2", "2025-03-15"),
    done("X3", "E1", "2025-03-14"), done("X4", "R1", "2025-02-27"),
    # planned, never completed: does not count as activity
    {"activity_id": "X5", "type": "call", "deal_id": "OLD", "due_at": day("2025-03-14")},
]  # fmt: skip

PIPELINES = [
    *pipeline_rows("Sales", ["Lead", "Demo", "Proposal", "Negotiation"], rotting=[10, 10, 14, 7]),
    *pipeline_rows("Renewals", ["Review"]),
    *pipeline_rows("Partners", ["Intro"]),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("weekly") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=DEALS, events=EVENTS,
                      activities=ACTIVITIES, deal_changes=CHANGES)  # fmt: skip
    yield con
    con.close()


def owner(name: str) -> Filters:
    return Filters.build(where={"owner": [name]})


# ---------------------------------------------------------------------------------------------
# movements


def test_movements_count_each_deal_once_per_kind(con):
    expected = pd.DataFrame(
        {
            "kind": list(KINDS),
            # new: N1, NW. advanced: A1, A2 (skip 1 → 4), AB (twice, counted once).
            # moved_back: B1 (3 → 2), AB (2 → 1). won: W1, NW. lost: L1. RO's move after
            # Won is a reopening, not an advance; FUT is created after b.
            "deals": [2, 3, 2, 2, 1],
            # current amounts: N1 1000 + NW 650; A1 2000 + A2 3000 + AB 500;
            # B1 4500 (changed after b) + AB 500; W1 5000 + NW 650; L1 600
            "amount": [1650.0, 5500.0, 5000.0, 5650.0, 600.0],
            "unconverted": [0, 0, 0, 0, 0],
        }
    )
    pd.testing.assert_frame_equal(movements(con, ALL, A, B), expected)


@pytest.mark.parametrize(
    ("filters", "deals"),
    [
        # Aiko: N1 new; A1, AB advanced; AB moved back; W1 won
        (owner("Aiko"), [1, 2, 1, 1, 0]),
        # Ben: NW new; A2 advanced; B1 moved back; NW won; L1 lost
        (owner("Ben"), [1, 1, 1, 1, 1]),
        (Filters(pipeline="Renewals"), [0, 0, 0, 0, 0]),
        (owner("Nobody"), [0, 0, 0, 0, 0]),
    ],
)
def test_movements_follow_the_filters(con, filters, deals):
    assert movements(con, filters, A, B)["deals"].tolist() == deals


def test_movements_count_deals_without_an_exchange_rate_apart(con):
    # the window is the single day 02-01: Ben's deals created then are E1 (EUR, no rate:
    # counted, not summed) and L1 (600)
    got = movements(con, owner("Ben"), d("2025-01-31"), d("2025-02-01"))
    assert got.iloc[0].tolist() == ["new", 2, 600.0, 1]


def test_empty_window_gives_all_kinds_with_zeros(con):
    got = movements(con, ALL, d("2030-01-01"), d("2030-01-08"))
    assert got["kind"].tolist() == list(KINDS)
    assert got["deals"].tolist() == [0] * 5 and got["amount"].tolist() == [0.0] * 5


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        ("new", [("N1", "Aiko", "Lead", 1000.0, "2025-03-11 09:00"),
                 ("NW", "Ben", "Won", 650.0, "2025-03-12 10:00")]),
        # AB advanced twice: the last time counts; stage is the stage at the end of b
        ("advanced", [("A1", "Aiko", "Proposal", 2000.0, "2025-03-12 10:00"),
                      ("A2", "Ben", "Negotiation", 3000.0, "2025-03-14 09:00"),
                      ("AB", "Aiko", "Demo", 500.0, "2025-03-15 08:00")]),
        ("moved_back", [("AB", "Aiko", "Demo", 500.0, "2025-03-11 08:00"),
                        ("B1", "Ben", "Demo", 4500.0, "2025-03-12 11:00")]),
        ("won", [("NW", "Ben", "Won", 650.0, "2025-03-12 15:00"),
                 ("W1", "Aiko", "Won", 5000.0, "2025-03-13 16:00")]),
        ("lost", [("L1", "Ben", "Lost", 600.0, "2025-03-14 12:00")]),
    ],
)  # fmt: skip
def test_movement_deals_list_the_deals_behind_each_count(con, kind, rows):
    expected = pd.DataFrame(
        [(i, f"Deal {i}", o, s, amt, day(at)) for i, o, s, amt, at in rows],
        columns=["deal_id", "name", "owner", "stage", "amount", "at"],
    )
    got = movement_deals(con, ALL, A, B, kind)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_movement_deals_stage_is_reconstructed_at_b(con):
    # advanced in the week to 02-16: B1 (Lead → Proposal 02-10), W1 (Lead → Proposal 02-15);
    # both were in Proposal at the end of 02-16, though B1 is in Demo and W1 won now
    got = movement_deals(con, ALL, d("2025-02-09"), d("2025-02-16"), "advanced")
    assert got[["deal_id", "stage"]].values.tolist() == [["B1", "Proposal"], ["W1", "Proposal"]]


def test_movement_deals_of_an_empty_window_is_an_empty_frame(con):
    got = movement_deals(con, ALL, d("2030-01-01"), d("2030-01-08"), "won")
    assert got.empty and list(got.columns) == ["deal_id", "name", "owner", "stage", "amount", "at"]


def test_unknown_movement_is_refused(con):
    with pytest.raises(UnknownMovement):
        movement_deals(con, ALL, A, B, "stalled")


@pytest.mark.parametrize(
    "fn", [movements, slipped_deals, waterfall, slippage_scorecard]
)  # fmt: skip
@pytest.mark.parametrize(("a", "b"), [(B, A), (A, A)])
def test_a_window_must_start_before_it_ends(con, fn, a, b):
    with pytest.raises(BadWindow):
        fn(con, ALL, a, b)


# ---------------------------------------------------------------------------------------------
# slipped deals

SLIPPED = pd.DataFrame(
    [
        # A2: pushed 03-15 → 03-31 (16 days) then 03-31 → 04-10 (10 days) = 26 days
        ("A2", "Deal A2", "Ben", "Negotiation", 3000.0, d("2025-03-15"), d("2025-04-10"), 26,
         "pushed"),
        # N1: 04-30 → 05-15 = 15 days (not due in the window: still a slipped date)
        ("N1", "Deal N1", "Aiko", "Lead", 1000.0, d("2025-04-30"), d("2025-05-15"), 15,
         "pushed"),
        # OD2: at b its date was 03-05 (moved to 04-30 only on 03-20): overdue, the oldest first
        ("OD2", "Deal OD2", "Ben", "Lead", 1200.0, d("2025-03-05"), None, None, "overdue"),
        # B1: expected 03-12, open at b
        ("B1", "Deal B1", "Ben", "Demo", 4500.0, d("2025-03-12"), None, None, "overdue"),
        # not slipped: AB (pulled in), A1 (due on b itself), W1 (closed), P1 (03-31)
    ],
    columns=["deal_id", "name", "owner", "stage", "amount", "old_close", "new_close",
             "days_pushed", "reason"],
)  # fmt: skip


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Return frame with its date columns as Python dates (None for missing) to compare."""
    for col in ("old_close", "new_close"):
        frame[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[col]]
    frame["days_pushed"] = [None if pd.isna(v) else int(v) for v in frame["days_pushed"]]
    return frame


def test_slipped_deals_are_pushed_then_overdue(con):
    pd.testing.assert_frame_equal(
        _dates(slipped_deals(con, ALL, A, B)), _dates(SLIPPED.copy()), check_dtype=False
    )


def test_slipped_deals_follow_the_filters(con):
    assert slipped_deals(con, owner("Aiko"), A, B)["deal_id"].tolist() == ["N1"]
    assert slipped_deals(con, Filters(pipeline="Partners"), A, B).empty


def test_overdue_uses_the_close_date_at_b(con):
    # Week to 03-23: OD2's date was pushed 03-05 → 04-30 on 03-20 (pushed, not overdue);
    # B1 (03-12) and now A1 (03-16) are overdue at 03-23, the older date first.
    got = slipped_deals(con, ALL, d("2025-03-16"), d("2025-03-23"))
    assert got[["deal_id", "reason"]].values.tolist() == [
        ["OD2", "pushed"], ["B1", "overdue"], ["A1", "overdue"],
    ]  # fmt: skip
    # OD2: 03-05 → 04-30 = 26 + 30 = 56 days
    assert got["days_pushed"].iloc[0] == 56


# ---------------------------------------------------------------------------------------------
# stalled deals

STALLED_COLUMNS = ["deal_id", "stage", "days_idle", "threshold_days"]


@pytest.mark.parametrize(
    ("filters", "as_of", "rows"),
    [
        # At b (a past date). OLD: last activity 01-10 → 03-16 = 21 + 28 + 16 = 65 > 10 (Lead).
        # R1: last activity 02-27 → 03-16 = 17 > 15.5 = 2 × median(10, 5.5) of Review.
        # P1: Intro since 03-01 → 15 > 7 (no completed Intro visit). Every other open deal
        # moved or was touched within its stage's days.
        (ALL, B, [("OLD", "Lead", 65, 10.0), ("R1", "Review", 17, 15.5),
                  ("P1", "Intro", 15, 7.0)]),
        # 03-10, Ben's deals open then, stages as they were: E1 Lead since 02-01 (its 03-14
        # activity is later) = 37; L1 Lead since 02-01 = 37 (lost only on 03-14); A2 Lead since
        # 02-05 = 33; B1 Proposal since 02-10 = 28 > 14; OD2 Lead since 02-20 = 18 (activity
        # 03-15 later); P1 Intro since 03-01 = 9 > 7. R2 and R3 were closed by then.
        (owner("Ben"), d("2025-03-10"), [("E1", "Lead", 37, 10.0), ("L1", "Lead", 37, 10.0),
                                         ("A2", "Lead", 33, 10.0), ("B1", "Proposal", 28, 14.0),
                                         ("OD2", "Lead", 18, 10.0), ("P1", "Intro", 9, 7.0)]),
        # 03-31 is current (nothing happened later). Aiko: OLD 01-10 → 80; R1 02-27 → 32;
        # N1 Lead 03-11 → 20 > 10; A1 Proposal 03-12 → 19 > 14; RO Demo 03-12 → 19 > 10;
        # AB Demo 03-15 → 16 > 10; FUT Lead 03-18 → 13 > 10.
        (owner("Aiko"), d("2025-03-31"), [("OLD", "Lead", 80, 10.0), ("R1", "Review", 32, 15.5),
                                          ("N1", "Lead", 20, 10.0), ("A1", "Proposal", 19, 14.0),
                                          ("RO", "Demo", 19, 10.0), ("AB", "Demo", 16, 10.0),
                                          ("FUT", "Lead", 13, 10.0)]),
        # Renewals on 01-09: no Review visit completed yet (R3 leaves 01-10 12:00), so the
        # threshold is 7; R1 and R2 idle since 01-01 = 8 > 7; R3 since 01-05 = 4.
        (Filters(pipeline="Renewals"), d("2025-01-09"), [("R1", "Review", 8, 7.0),
                                                         ("R2", "Review", 8, 7.0)]),
        # 01-10: R3's 5.5-day visit is complete: threshold max(7, 2 × 5.5) = 11 > 9.
        (Filters(pipeline="Renewals"), d("2025-01-10"), []),
        # Before the first deal: nothing open.
        (ALL, d("2024-01-01"), []),
    ],
)  # fmt: skip
@pytest.mark.parametrize("recent_days", [120, 1], ids=["default search", "search from 1 day"])
def test_stalled_deals(con, filters, as_of, rows, recent_days):
    # Searching the last activity from one day back leaves almost every lookup to the second
    # step, which must find the same.
    got = stalled_deals(con, filters, as_of, recent_days=recent_days)
    assert list(got.columns) == [
        "deal_id", "name", "owner", "pipeline", "stage", "amount", "days_idle",
        "threshold_days", "last_stage_change_at", "last_activity_at",
    ]  # fmt: skip
    expected = pd.DataFrame(rows, columns=STALLED_COLUMNS)
    pd.testing.assert_frame_equal(
        got[STALLED_COLUMNS].reset_index(drop=True), expected, check_dtype=False
    )


def test_stalled_deals_show_what_they_were_idle_since(con):
    got = stalled_deals(con, ALL, B).set_index("deal_id")
    # OLD: the planned (uncompleted) activity of 03-14 does not count
    assert got.loc["OLD", "last_stage_change_at"] == day("2024-12-01")
    assert got.loc["OLD", "last_activity_at"] == day("2025-01-10")
    assert got.loc["OLD", "amount"] == 800.55
    assert pd.isna(got.loc["P1", "last_activity_at"])


@pytest.mark.parametrize("recent_days", [120, 1, 1000])
def test_stalled_deals_find_the_last_activity_before_a_past_date_however_old(tmp_path, recent_days):
    # At 03-10, each of these Lead deals (rotting after 10 days) has an activity later on:
    # LONG's last one before was on 2024-07-01, 252 days back (beyond a 120-day first look);
    # NEAR's on 02-20, 18 days back; FRESH had none yet and is idle since its creation, 02-20.
    deals = [
        deal("LONG", "Aiko", "2024-06-01", "open", 100, "2025-06-30", stage="Lead"),
        deal("NEAR", "Aiko", "2025-01-01", "open", 100, "2025-06-30", stage="Lead"),
        deal("FRESH", "Aiko", "2025-02-20", "open", 100, "2025-06-30", stage="Lead"),
    ]
    events = [(x["deal_id"], "Lead", x["created_at"]) for x in deals]
    activities = [
        done("Y1", "LONG", "2024-07-01"),
        done("Y2", "LONG", "2025-03-20"),
        done("Y3", "NEAR", "2025-02-20"),
        done("Y4", "NEAR", "2025-03-15"),
        done("Y5", "FRESH", "2025-03-20"),
    ]
    con = build_store(
        tmp_path / "s.duckdb",
        pipelines=PIPELINES,
        deals=deals,
        events=events,
        activities=activities,
    )
    try:
        got = stalled_deals(con, ALL, d("2025-03-10"), recent_days=recent_days)
    finally:
        con.close()
    assert list(got["deal_id"]) == ["LONG", "FRESH", "NEAR"]
    assert list(got["days_idle"]) == [252, 18, 18]
    shown = [None if pd.isna(t) else t for t in got["last_activity_at"]]
    assert shown == [day("2024-07-01"), None, day("2025-02-20")]
    assert (got["threshold_days"] == 10).all()


# ---------------------------------------------------------------------------------------------
# waterfall

# open at a (03-10 00:00): A1 1500 (its 2000 comes on 03-13), A2 3000, B1 4000, AB 500, W1 5000,
# L1 600, OLD 800.55, OD2 1200, E1 (EUR: counted, 0), R1 2000, P1 100.10 = 18700.65 over 11 deals.
# created: N1 1000 + NW 700 (its amount before the discount) = 1700.
# won: W1 5000 + NW 650 (at the close, discount included) = −5650. lost: L1 −600.
# amount changes while open in the window: A1 +500, NW −50 = +450 (B1's is after b).
# reopened: RO +900.
# open at b (03-17 00:00): N1 1000, A1 2000, A2 3000, B1 4000 (4500 only from 03-20), AB 500,
# OLD 800.55, OD2 1200, E1 0, R1 2000, P1 100.10, RO 900 = 15500.65 over 11 deals.
# 18700.65 + 1700 − 5650 − 600 + 450 + 900 = 15500.65.
WATERFALL = pd.DataFrame(
    {
        "step": ["open_at_a", "created", "won", "lost", "amount_changes", "reopened_or_other",
                 "open_at_b"],
        "amount": [18700.65, 1700.0, -5650.0, -600.0, 450.0, 900.0, 15500.65],
        "deals": [11, 2, 2, 1, 2, 1, 11],
        "unconverted": [1, 0, 0, 0, 0, 0, 1],
    }
)  # fmt: skip


def test_waterfall_steps(con):
    pd.testing.assert_frame_equal(waterfall(con, ALL, A, B), WATERFALL)


def _adds_up(frame: pd.DataFrame) -> bool:
    """Return True when every step but the last adds up to the last, to the cent."""
    cents = [Decimal(str(round(v, 2))) for v in frame["amount"]]
    return sum(cents[:-1]) == cents[-1]


@pytest.mark.parametrize(
    ("filters", "a", "b"),
    [
        (ALL, A, B),
        (owner("Aiko"), A, B),
        (ALL, d("2025-01-01"), d("2025-03-31")),
        (ALL, d("2025-03-11"), d("2025-03-12")),
        (Filters(pipeline="Renewals"), d("2025-01-05"), d("2025-01-12")),
    ],
)
def test_waterfall_adds_up(con, filters, a, b):
    assert _adds_up(waterfall(con, filters, a, b))


def test_waterfall_of_a_quiet_window_carries_the_open_pipeline_over(con):
    # 2030: every deal open now is open at a and b, nothing moves
    got = waterfall(con, ALL, d("2030-01-01"), d("2030-01-08")).set_index("step")
    # open now: 15500.65 at b + FUT 300 (created after b) + B1's raise to 4500 = 16300.65
    assert got.loc["open_at_a", "amount"] == got.loc["open_at_b", "amount"] == 16300.65
    assert got.drop(["open_at_a", "open_at_b"])["amount"].tolist() == [0.0] * 5


def test_waterfall_of_nothing_is_all_zeros(con):
    got = waterfall(con, owner("Nobody"), A, B)
    assert got["step"].tolist() == WATERFALL["step"].tolist()
    assert got["amount"].tolist() == [0.0] * 7 and got["deals"].tolist() == [0] * 7


def test_waterfall_reopened_deal_leaves_and_comes_back(con):
    # RO alone: open at 01-05, won 02-01, back on 03-12 (all at 900)
    ro = Filters.build(where={"segment": ["reopened"]})
    got = waterfall(con, ro, d("2025-01-04"), d("2025-03-16"))
    assert got["amount"].tolist() == [0.0, 900.0, -900.0, 0.0, 0.0, 900.0, 900.0]


def test_waterfall_deals_without_status(tmp_path):
    # X: no status but a close date 03-12 (closed, neither won nor lost); Y: no status, no close
    # date (open). open at a: 100 + 50; X leaves through "other": −100; open at b: Y 50.
    deals = [
        {"deal_id": "X", "pipeline": "Renewals", "stage": "Review", "amount": 100,
         "currency": "USD", "created_at": day("2025-03-01"), "closed_at": day("2025-03-12")},
        {"deal_id": "Y", "pipeline": "Renewals", "stage": "Review", "amount": 50,
         "currency": "USD", "created_at": day("2025-03-01")},
    ]  # fmt: skip
    con = build_store(tmp_path / "s.duckdb", pipelines=PIPELINES, deals=deals)
    got = waterfall(con, ALL, A, B)
    con.close()
    assert got["amount"].tolist() == [150.0, 0.0, 0.0, 0.0, 0.0, -100.0, 50.0]
    assert got["deals"].tolist() == [2, 0, 0, 0, 0, 1, 1]


# Changes at one instant, one of them clearing the value (a CRM writing several history rows in
# one second): the weekly figures read them as analytics.values_at does.
# X: amount 200 -> 300 and 250 -> (none) at 02-01. First: the smaller new value (an empty one
#    after), so 200 before 02-01; last: the larger new value (an empty one only when all are
#    empty), so 300 after; 300 -> 400 on 03-01.
# C: close date 03-01 -> 01-15 and 03-01 -> (none) at 01-10, so 01-15 after: overdue at 02-10;
#    pushed to 04-30 on 03-01.
TIES = [
    ("X", "amount", "200.0", "300.0", day("2025-02-01")),
    ("X", "amount", "250.0", None, day("2025-02-01")),
    ("X", "amount", "300.0", "400.0", day("2025-03-01")),
    ("C", "expected_close_date", "2025-03-01", "2025-01-15", day("2025-01-10")),
    ("C", "expected_close_date", "2025-03-01", None, day("2025-01-10")),
    ("C", "expected_close_date", "2025-01-15", "2025-04-30", day("2025-03-01")),
]
TIE_DEALS = [
    deal("X", "Aiko", "2025-01-01", "open", 400, "2025-06-30", stage="Lead"),
    deal("C", "Ben", "2025-01-01", "open", 100, "2025-04-30", stage="Lead"),
]
TIE_A, TIE_B = d("2025-01-20"), d("2025-02-10")


def _changes_store(tmp_path_factory, deals, changes):
    """Yield a store of the fixture's pipelines with deals and their changes (closed after)."""
    path = tmp_path_factory.mktemp("changes") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=deals, deal_changes=changes)
    yield con
    con.close()


@pytest.fixture(scope="module")
def ties(tmp_path_factory):
    yield from _changes_store(tmp_path_factory, TIE_DEALS, TIES)


def _then(con, deal_id: str, moment: str) -> tuple[str | None, str | None]:
    """Return values_at's amount and close date (text) of deal_id at moment."""
    return con.execute(
        f"SELECT amount_then, close_then FROM ({changed_since()}) WHERE deal_id = ?",
        [day(moment), day(moment), deal_id],
    ).fetchone()


def test_the_tie_fixture_reads_as_values_at_says(ties):
    # at the end of a and of b
    assert _then(ties, "X", "2025-01-21") == ("200.0", None)
    assert _then(ties, "X", "2025-02-11") == ("300.0", None)
    assert _then(ties, "C", "2025-02-11") == (None, "2025-01-15")


def test_waterfall_reads_changes_at_one_instant_as_values_at_does(ties):
    got = waterfall(ties, ALL, TIE_A, TIE_B)
    # open at a: X 200 + C 100; X moved 200 -> 300; open at b: 300 + 100
    assert got["amount"].tolist() == [300.0, 0.0, 0.0, 0.0, 100.0, 0.0, 400.0]
    assert got["deals"].tolist() == [2, 0, 0, 0, 1, 0, 2]


def test_slipped_deals_read_close_dates_changed_at_one_instant_as_values_at_does(ties):
    got = _dates(slipped_deals(ties, ALL, TIE_A, TIE_B))
    assert got[["deal_id", "old_close", "reason"]].values.tolist() == [
        ["C", d("2025-01-15"), "overdue"]
    ]


# A history file older than the deals file: its last change ends on another value than the
# deal holds now. After the last change the stored value holds, as in analytics.values_at.
# S: amount 100 -> 200 on 02-01, stored 250. T: close date 03-01 -> 01-15 on 01-10, stored 04-30.
STALE = [
    ("S", "amount", "100.0", "200.0", day("2025-02-01")),
    ("T", "expected_close_date", "2025-03-01", "2025-01-15", day("2025-01-10")),
]
STALE_DEALS = [
    deal("S", "Aiko", "2025-01-01", "open", 250, "2025-06-30", stage="Lead"),
    deal("T", "Ben", "2025-01-01", "open", 100, "2025-04-30", stage="Lead"),
]


@pytest.fixture(scope="module")
def stale(tmp_path_factory):
    yield from _changes_store(tmp_path_factory, STALE_DEALS, STALE)


def test_after_the_last_change_the_stored_value_holds_as_in_values_at(stale):
    # values_at lists neither deal after its last change: their stored values hold
    assert _then(stale, "S", "2025-02-11") is None
    assert _then(stale, "T", "2025-02-11") is None
    assert _then(stale, "S", "2025-01-21") == ("100.0", None)
    got = waterfall(stale, ALL, TIE_A, TIE_B)
    # open at a: S 100 + T 100; S moved 100 -> 250 on 02-01; open at b: 250 + 100
    assert got["amount"].tolist() == [200.0, 0.0, 0.0, 0.0, 150.0, 0.0, 350.0]
    # T's close date at b is its stored 04-30, not the history's 01-15: not overdue
    assert slipped_deals(stale, ALL, TIE_A, TIE_B).empty


# ---------------------------------------------------------------------------------------------
# slippage scorecard


def test_slippage_scorecard(con):
    expected = pd.DataFrame(
        [
            # N1: 1 push of 15 days, not open at a so not due
            ("Aiko", "Lead", 1, 15, 0, 0, None),
            # A1: due 03-16 = b, open, not slipped
            ("Aiko", "Proposal", 0, 0, 1, 0, 0.0),
            # W1: due 03-14, won in the window: not slipped
            ("Aiko", "Won", 0, 0, 1, 0, 0.0),
            # B1: due 03-12, still open at b and overdue
            ("Ben", "Demo", 0, 0, 1, 1, 1.0),
            # A2: due 03-15, pushed twice (16 + 10 days) out of the window
            ("Ben", "Negotiation", 2, 26, 1, 1, 1.0),
        ],
        columns=["owner", "stage", "pushes", "days_pushed", "due_in_window", "slipped",
                 "slip_share"],
    )  # fmt: skip
    expected["slip_share"] = pd.Series([None, 0.0, 0.0, 1.0, 1.0], dtype=object)
    got = slippage_scorecard(con, ALL, A, B)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    # 1 of 1: Wilson interval (0.2065, 1); every row is a small sample
    assert got["ci_low"].iloc[3] == pytest.approx(0.2065, abs=1e-4)
    assert got["ci_low"].iloc[0] is None and got["small_sample"].all()


def test_slippage_scorecard_follows_filters_and_is_empty_when_quiet(con):
    got = slippage_scorecard(con, owner("Ben"), A, B)
    assert got["stage"].tolist() == ["Demo", "Negotiation"]
    empty = slippage_scorecard(con, ALL, d("2030-01-01"), d("2030-01-08"))
    assert empty.empty and "slip_share" in empty.columns


# ---------------------------------------------------------------------------------------------
# a window up to a current date (nothing happened after 03-31): the deals' stages now are the
# stages at b, read from the deals rather than reconstructed

NOW_A, NOW_B = d("2025-03-17"), d("2025-03-31")


def test_current_window_movements_and_slips(con):
    # 03-18 to 03-31: FUT is created (Lead); nothing else moves
    assert movements(con, ALL, NOW_A, NOW_B)["deals"].tolist() == [1, 0, 0, 0, 0]
    got = movement_deals(con, ALL, NOW_A, NOW_B, "new")
    assert got[["deal_id", "stage"]].values.tolist() == [["FUT", "Lead"]]
    # OD2 pushed 03-05 → 04-30 on 03-20 (26 + 30 = 56 days); B1 (03-12) and A1 (03-16) are
    # overdue at 03-31; P1 is due on 03-31 itself
    slipped = slipped_deals(con, ALL, NOW_A, NOW_B)
    assert slipped[["deal_id", "stage", "reason"]].values.tolist() == [
        ["OD2", "Lead", "pushed"], ["B1", "Demo", "overdue"], ["A1", "Proposal", "overdue"],
    ]  # fmt: skip


def test_current_window_scorecard(con):
    # due: open at the end of 03-17 with the date then in (03-17, 03-31]: only P1 (03-31),
    # open and due on b itself, not slipped. OD2 was due 03-05 at a: overdue already, not due.
    got = slippage_scorecard(con, ALL, NOW_A, NOW_B)
    counts = ["owner", "stage", "pushes", "days_pushed", "due_in_window", "slipped"]
    assert got[counts].values.tolist() == [
        ["Ben", "Intro", 0, 0, 1, 0], ["Ben", "Lead", 1, 56, 0, 0],
    ]  # fmt: skip


def test_current_window_waterfall(con):
    got = waterfall(con, ALL, NOW_A, NOW_B).set_index("step")["amount"]
    # open at a: 15500.65 (the open pipeline at 03-16; nothing closed on 03-17); created FUT 300;
    # B1 4000 → 4500 on 03-20: +500; open at b: 16300.65
    assert got.tolist() == [15500.65, 300.0, 0.0, 0.0, 500.0, 0.0, 16300.65]


def test_an_empty_store_gives_well_formed_frames(tmp_path):
    con = build_store(tmp_path / "empty.duckdb")
    assert movements(con, ALL, A, B)["deals"].tolist() == [0] * 5
    assert movement_deals(con, ALL, A, B, "new").empty
    assert slipped_deals(con, ALL, A, B).columns.tolist() == SLIPPED.columns.tolist()
    assert stalled_deals(con, ALL, B).empty
    assert waterfall(con, ALL, A, B)["amount"].tolist() == [0.0] * 7
    assert slippage_scorecard(con, ALL, A, B).empty
    con.close()


# ---------------------------------------------------------------------------------------------
# properties on small generated stores

BASE = datetime(2025, 3, 1)
STAGES = ["S1", "S2", "S3"]


@st.composite
def stores(draw):
    """Return (deals, events, changes) of a few random deals, odd data included.

    Amount changes may contradict each other (an old value that is not the previous new one);
    close-date changes are pushes and pull-ins that follow one another.
    """
    deals, events, changes = [], [], []
    for i in range(draw(st.integers(1, 6))):
        deal_id = f"D{i}"
        created = BASE + timedelta(hours=draw(st.integers(0, 30 * 24)))
        # a missing status is open until a close date says otherwise
        status = draw(st.sampled_from(["open", "won", "lost", "won", "lost", None]))
        closed = None
        if status != "open" and draw(st.integers(0, 9)) > 0:
            # may precede the creation (a data-quality case)
            closed = created + timedelta(hours=draw(st.integers(-48, 20 * 24)))
        # a stage path: open positions and outcomes, reopenings included
        t = created
        for step in draw(st.lists(st.sampled_from([*STAGES, "Won", "Lost"]), max_size=5)):
            events.append((deal_id, step, t))
            t += timedelta(hours=draw(st.integers(1, 5 * 24)))
        amount = draw(st.none() | st.integers(0, 4000).map(lambda v: v / 4))
        t = created - timedelta(days=2)
        for _ in range(draw(st.integers(0, 3))):
            t += timedelta(hours=draw(st.integers(1, 10 * 24)))
            old, new = draw(st.integers(0, 4000)) / 4, draw(st.none() | st.integers(0, 4000))
            changes.append((deal_id, "amount", str(old), None if new is None else str(new / 4), t))
        close = created.date() + timedelta(days=draw(st.integers(-5, 30)))
        t = created
        for _ in range(draw(st.integers(0, 2))):
            t += timedelta(hours=draw(st.integers(1, 10 * 24)))
            moved_to = close + timedelta(days=draw(st.integers(-10, 30)))
            changes.append(
                (deal_id, "expected_close_date", close.isoformat(), moved_to.isoformat(), t)
            )
            close = moved_to
        deals.append(
            {
                "deal_id": deal_id, "pipeline": "P", "status": status,
                "stage": {"won": "Won", "lost": "Lost"}.get(status, "S1"), "amount": amount,
                "currency": draw(st.sampled_from(["USD", "USD", "EUR"])),
                "owner": draw(st.sampled_from(["Aiko", "Ben", None])), "created_at": created,
                "closed_at": closed, "expected_close_date": close,
            }
        )  # fmt: skip
    return deals, events, changes


def _store(tmp: str, deals, events, changes):
    return build_store(Path(tmp) / "s.duckdb", pipelines=pipeline_rows("P", STAGES),
                       deals=deals, events=events, deal_changes=changes,
                       meta={"reporting_currency": "USD"})  # fmt: skip


def _oracle_open_amount(deals, events, changes, t_end: datetime) -> Decimal:
    """Return the open pipeline at t_end worked out row by row in Python."""
    total = Decimal(0)
    for deal_ in deals:
        created, closed, status = deal_["created_at"], deal_["closed_at"], deal_["status"]
        if created >= t_end:
            continue
        # A closed deal closed at its close date, or at its last entry into its outcome when
        # that is earlier or the close date is missing.
        entries = [t for i, stage, t in events if i == deal_["deal_id"] and stage == deal_["stage"]]
        if status in ("won", "lost") and entries and (closed is None or max(entries) < closed):
            closed = max(entries)
        path = [(max(t, created), stage in ("Won", "Lost"))
                for i, stage, t in events if i == deal_["deal_id"]]  # fmt: skip
        reopened = any(prev[1] and not cur[1] for prev, cur in pairwise(path))
        if reopened:
            before = [is_outcome for t, is_outcome in path if t < t_end]
            is_open = not before or not before[-1]
        elif status == "open" or (status is None and closed is None):
            is_open = True
        else:
            is_open = closed is not None and max(closed, created) >= t_end
        if not is_open or deal_["currency"] != "USD":
            continue
        mine = sorted(
            (c for c in changes if c[0] == deal_["deal_id"] and c[1] == "amount"),
            key=lambda c: c[4],
        )
        earlier = [c for c in mine if c[4] < t_end]
        if len(earlier) == len(mine):
            # not changed since (or never): the amount it has, whatever its last change says
            value = deal_["amount"]
        elif earlier:
            value = earlier[-1][3]
        else:
            value = mine[0][2]
        total += Decimal(str(float(value))) if value is not None else Decimal(0)
    return total


windows = st.tuples(st.integers(-3, 35), st.integers(1, 10)).map(
    lambda p: (BASE.date() + timedelta(days=p[0]), BASE.date() + timedelta(days=p[0] + p[1]))
)


@settings(max_examples=30, deadline=None)
@given(stores(), windows)
def test_waterfall_adds_up_and_matches_the_open_pipeline_worked_out_by_hand(store, window):
    deals, events, changes = store
    a, b = window
    with tempfile.TemporaryDirectory() as tmp:
        con = _store(tmp, deals, events, changes)
        got = waterfall(con, ALL, a, b).set_index("step")
        con.close()
    amounts = {k: Decimal(str(round(v, 2))) for k, v in got["amount"].items()}
    assert sum(v for k, v in amounts.items() if k != "open_at_b") == amounts["open_at_b"]
    a_end = datetime.combine(a + timedelta(days=1), datetime.min.time())
    b_end = datetime.combine(b + timedelta(days=1), datetime.min.time())
    assert amounts["open_at_a"] == _oracle_open_amount(deals, events, changes, a_end)
    assert amounts["open_at_b"] == _oracle_open_amount(deals, events, changes, b_end)
    assert amounts["won"] <= 0 and amounts["lost"] <= 0 and amounts["created"] >= 0
    reopens = any(
        e1[0] == e2[0] and e1[1] in ("Won", "Lost") and e2[1] not in ("Won", "Lost")
        for e1, e2 in pairwise(events)
    )
    closed_without_status = any(x["status"] is None and x["closed_at"] for x in deals)
    if not reopens and not closed_without_status:
        assert amounts["reopened_or_other"] == 0


# 13 queries an example: fewer examples keep it near 20 s
@settings(max_examples=25, deadline=None)
@given(stores(), windows)
def test_drill_downs_add_up_to_the_counts_and_filters_only_narrow(store, window):
    deals, events, changes = store
    a, b = window
    with tempfile.TemporaryDirectory() as tmp:
        con = _store(tmp, deals, events, changes)
        total = movements(con, ALL, a, b).set_index("kind")
        aiko = movements(con, owner("Aiko"), a, b).set_index("kind")
        listed = {kind: movement_deals(con, ALL, a, b, kind) for kind in KINDS}
        slipped = slipped_deals(con, ALL, a, b)
        card = slippage_scorecard(con, ALL, a, b)
        flows = waterfall(con, ALL, a, b)
        aiko_flows = waterfall(con, owner("Aiko"), a, b)
        stalled = stalled_deals(con, ALL, b)
        searched_from_a_day = stalled_deals(con, ALL, b, recent_days=1)
        con.close()
    for kind, frame in listed.items():
        # the drill-down lists exactly the deals counted, and the owners partition them
        assert len(frame) == total.loc[kind, "deals"] >= 0
        assert (frame["owner"] == "Aiko").sum() == aiko.loc[kind, "deals"]
        assert frame["amount"].fillna(0).sum() == pytest.approx(total.loc[kind, "amount"])
    # narrowing the filters never adds deals to a step
    assert (aiko_flows["deals"] <= flows["deals"]).all()
    # the scorecard's pushes are the slipped list's
    pushed = slipped[slipped["reason"] == "pushed"]
    assert card["days_pushed"].sum() == pushed["days_pushed"].sum()
    assert ((card["slipped"] <= card["due_in_window"]) & (card["pushes"] >= 0)).all()
    shares = [s for s in card["slip_share"] if s is not None]
    assert all(0 <= s <= 1 for s in shares)
    assert (pushed["days_pushed"] > 0).all()
    assert (stalled["days_idle"] > stalled["threshold_days"]).all()
    assert (stalled["threshold_days"] >= 7).all()  # no rotting days in these pipelines
    # where the search for the last activity starts changes nothing
    pd.testing.assert_frame_equal(stalled, searched_from_a_day)
