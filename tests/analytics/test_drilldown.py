"""The lists behind the funnel and time-in-stage figures, on a fixture whose every deal is below.

Pipelines: "Sales" (Lead 1, Demo 2, Proposal 3) and "Solo" (Intake 1). Main view: period
2025-01-01 to 2025-03-31, as of 2025-03-31, so running visits end at 2025-04-01 00:00.

| deal | owner | status | created → closed     | stage events                                   |
|------|-------|--------|----------------------|------------------------------------------------|
| A    | Aiko  | won    | 01-01 → 01-20        | Lead 01-01, Demo 01-03 12:00, Proposal 01-10 06:00, Won 01-20 |
| B    | Ben   | lost   | 01-05 → 01-12        | Lead 01-05, Proposal 01-06 (skips Demo), Lost 01-12 |
| C    | Ben   | open   | 02-01                | Lead 02-01, Demo 02-02, Proposal 02-05, Demo 02-07 (back) |
| D    | Ben   | open   | 03-30 18:00          | Lead 03-30 18:00                               |
| E    | Ben   | open   | 03-01                | Lead 03-01, Demo 04-10 (after the as-of date)  |
| F    | Ben   | lost   | 2024-12-01 → 12-15   | Lead 2024-12-01, Lost 2024-12-15 (before the period) |
| G    | Ben   | lost   | 2024-11-01 → 01-15   | Lead 2024-11-01, Lost 01-15 (created before, lost in the period) |
| H    | Ben   | won    | 02-01 → 02-20        | Lead 02-01 (history stops before its close)    |
| L    | Aiko  | lost   | 01-10 → 02-10        | Lead 01-10, Lost 02-10                         |
| M    | Ben   | lost   | 01-15 → 03-01        | Lead 01-15, Demo 01-20, Lost 03-01 (no amount) |
| X    | Ben   | lost   | 03-10 → 03-05        | (none: closed before it was created)           |
| S    | Ben   | open   | 02-01 (Solo)         | Intake 02-01                                   |

Lost while their furthest stage was: Lead L (cohort), G too in the active mode (lost in the
period); Demo M; Proposal B. Running at the as-of date: Lead E 31 days, D 1.25 days; Demo C
53 days. Completed Lead visits started in the period: L 31, H 19 (ends at its close), M 5,
A 2.5, B 1, C 1; Demo M 40, A 6.75, C 3; Proposal A 9.75, B 6, C 2.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import durations, funnel
from analytics.drilldown import (
    completed_visits,
    deals_in_stage,
    drop_off_deals,
    pipelines_by_size,
)
from analytics.filters import Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows

PIPELINES = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]) + pipeline_rows("Solo", ["Intake"])


def deal(deal_id, status, owner, created, closed=None, amount=None, pipeline="Sales"):
    return {
        "deal_id": deal_id, "name": f"Deal {deal_id}", "pipeline": pipeline, "status": status,
        "owner": owner, "created_at": day(created), "closed_at": day(closed) if closed else None,
        "amount": amount, "currency": "USD",
    }  # fmt: skip


DEALS = [
    deal("A", "won", "Aiko", "2025-01-01", "2025-01-20", 100.0),
    deal("B", "lost", "Ben", "2025-01-05", "2025-01-12", 200.0),
    deal("C", "open", "Ben", "2025-02-01", amount=300.0),
    deal("D", "open", "Ben", "2025-03-30 18:00", amount=10.0),
    deal("E", "open", "Ben", "2025-03-01", amount=20.0),
    deal("F", "lost", "Ben", "2024-12-01", "2024-12-15", 30.0),
    deal("G", "lost", "Ben", "2024-11-01", "2025-01-15", 40.0),
    deal("H", "won", "Ben", "2025-02-01", "2025-02-20", 50.0),
    deal("L", "lost", "Aiko", "2025-01-10", "2025-02-10", 60.0),
    deal("M", "lost", "Ben", "2025-01-15", "2025-03-01"),
    deal("X", "lost", "Ben", "2025-03-10", "2025-03-05", 70.0),
    deal("S", "open", "Ben", "2025-02-01", amount=80.0, pipeline="Solo"),
]
EVENTS = [
    ("A", "Lead", day("2025-01-01")), ("A", "Demo", day("2025-01-03 12:00")),
    ("A", "Proposal", day("2025-01-10 06:00")), ("A", "Won", day("2025-01-20")),
    ("B", "Lead", day("2025-01-05")), ("B", "Proposal", day("2025-01-06")),
    ("B", "Lost", day("2025-01-12")),
    ("C", "Lead", day("2025-02-01")), ("C", "Demo", day("2025-02-02")),
    ("C", "Proposal", day("2025-02-05")), ("C", "Demo", day("2025-02-07")),
    ("D", "Lead", day("2025-03-30 18:00")),
    ("E", "Lead", day("2025-03-01")), ("E", "Demo", day("2025-04-10")),
    ("F", "Lead", day("2024-12-01")), ("F", "Lost", day("2024-12-15")),
    ("G", "Lead", day("2024-11-01")), ("G", "Lost", day("2025-01-15")),
    ("H", "Lead", day("2025-02-01")),
    ("L", "Lead", day("2025-01-10")), ("L", "Lost", day("2025-02-10")),
    ("M", "Lead", day("2025-01-15")), ("M", "Demo", day("2025-01-20")),
    ("M", "Lost", day("2025-03-01")),
    ("S", "Intake", day("2025-02-01")),
]  # fmt: skip

VIEW = Filters(start=d("2025-01-01"), end=d("2025-03-31"), as_of=d("2025-03-31"))
SALES = Filters(d("2025-01-01"), d("2025-03-31"), d("2025-03-31"), "Sales")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("drilldown") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=DEALS, events=EVENTS)
    yield con
    con.close()


def test_pipelines_by_size_counts_the_deals_passing_the_conditions(con):
    assert pipelines_by_size(con, VIEW) == [("Sales", 11), ("Solo", 1)]
    # The period does not apply; conditions do.
    assert pipelines_by_size(con, Filters(where=(("owner", ("Aiko",)),))) == [("Sales", 2)]
    assert pipelines_by_size(con, Filters(where=(("owner", ("Nobody",)),))) == []


@pytest.mark.parametrize(
    ("mode", "stage", "expected"),
    [
        ("reached", "Lead", ["L"]),
        ("reached", "Demo", ["M"]),
        ("reached", "Proposal", ["B"]),
        ("entered", "Demo", ["M"]),
        # Active: lost in the period, whatever the creation date: G was created in 2024.
        ("active", "Lead", ["L", "G"]),
        ("active", "Proposal", ["B"]),
    ],
)
def test_drop_off_deals_are_the_deals_the_funnel_counts(con, mode, stage, expected):
    got = drop_off_deals(con, SALES, stage, mode=mode)
    assert list(got["deal_id"]) == expected  # largest amount first
    assert set(got["stage"]) == {"Lost"} and set(got["status"]) == {"lost"}
    counted = funnel.funnel(con, SALES, mode=mode).set_index("stage")["drop_off"]
    assert len(got) == counted[stage]


def test_drop_off_deals_limit_amount_order_and_unknown_stage(con):
    got = drop_off_deals(con, SALES, "Lead", mode="active", limit=1)
    assert list(got["deal_id"]) == ["L"]
    assert list(got.columns) == [*funnel.DEAL_COLUMNS, "closed_at"]
    assert got["amount"].iloc[0] == pytest.approx(60.0)
    with pytest.raises(funnel.UnknownStage):
        drop_off_deals(con, SALES, "Won")
    with pytest.raises(ValueError):
        drop_off_deals(con, SALES, "Lead", mode="cohort")


def test_deals_in_stage_now_longest_first(con):
    lead = deals_in_stage(con, SALES, "Lead")
    assert list(lead["deal_id"]) == ["E", "D"]
    assert list(lead["days"]) == pytest.approx([31.0, 1.25])
    demo = deals_in_stage(con, SALES, "Demo")
    assert list(demo["deal_id"]) == ["C"] and demo["days"].iloc[0] == pytest.approx(53.0)
    assert deals_in_stage(con, SALES, "Proposal").empty
    # The same visits time_in_stage counts as open now.
    open_now = durations.time_in_stage(con, SALES).set_index("stage")["open_now"]
    assert [len(deals_in_stage(con, SALES, s)) for s in open_now.index] == list(open_now)


def test_completed_visits_longest_first(con):
    lead = completed_visits(con, SALES, "Lead")
    assert list(lead["deal_id"]) == ["L", "H", "M", "A", "B", "C"]
    assert list(lead["days"]) == pytest.approx([31.0, 19.0, 5.0, 2.5, 1.0, 1.0])
    assert lead.set_index("deal_id").loc["H", "left_at"] == pd.Timestamp("2025-02-20")
    demo = completed_visits(con, SALES, "Demo")
    assert list(demo["deal_id"]) == ["M", "A", "C"]
    assert list(demo["days"]) == pytest.approx([40.0, 6.75, 3.0])
    counted = durations.time_in_stage(con, SALES).set_index("stage")["completed_visits"]
    assert [len(completed_visits(con, SALES, s)) for s in counted.index] == list(counted)


def test_stage_lists_follow_conditions_and_need_a_pipeline(con):
    aiko = Filters(SALES.start, SALES.end, SALES.as_of, "Sales", (("owner", ("Aiko",)),))
    assert list(completed_visits(con, aiko, "Lead")["deal_id"]) == ["L", "A"]
    assert deals_in_stage(con, aiko, "Lead").empty
    with pytest.raises(ValueError):
        deals_in_stage(con, VIEW, "Lead")
    with pytest.raises(funnel.UnknownStage):
        completed_visits(con, SALES, "Intake")
