"""Forecast, commit and best case for a period, the deals behind them, and pipeline coverage.

Pipelines: "Sales" = Lead (1, p 0.2), Demo (2, p 0.5), Closing (3, p 0.9: the last open stage);
"Mini" = Only (1, no probability): a one-stage pipeline, so its deals are in its last stage.
Period Q1 = 2025-01-01 to 2025-03-31. NOW = 2025-03-31 (after the last event, 03-15);
PAST = 2025-02-28 (state rebuilt from timestamps). USD is the reporting currency; EUR has no
rate. Aiko is in team East, Ben in team West. Dates are 2025 unless said.

| deal | pipe  | now     | created    | closed     | amount  | owner | due        | events                               | why it is here                                 |
|------|-------|---------|------------|------------|---------|-------|------------|--------------------------------------|------------------------------------------------|
| W1   | Sales | Won     | 01-05      | 02-10      | 1000    | Aiko  | -          | Lead 01-05, Closing 02-01, Won 02-10 | won in Q1 before PAST                          |
| W2   | Sales | Won     | 2024-11-01 | 2024-12-20 | 700     | Aiko  | -          | Lead 2024-11-01, Won 2024-12-20      | won before the period                          |
| W3   | Sales | Won     | 01-05      | 03-15      | 1200    | Ben   | 03-20      | Lead 01-05, Demo 02-01,              | won after PAST: at PAST open in Demo, due in   |
|      |       |         |            |            |         |       |            | Closing 03-05, Won 03-15             | Q1 (weighted, not commit)                      |
| W4   | Sales | Won     | 01-10      | 01-31      | 500 EUR | Aiko  | -          | Lead 01-10, Won 01-31                | won, not convertible: counted, not summed      |
| L1   | Sales | Lost    | 01-06      | 02-05      | 900     | Aiko  | 02-15      | Lead 01-06, Lost 02-05               | lost: never in a forecast                      |
| C1   | Sales | Closing | 01-07      | -          | 2000    | Aiko  | 03-15      | Lead 01-07, Closing 02-12            | commit                                         |
| C2   | Sales | Closing | 01-08      | -          | 3000    | Ben   | 04-10      | Lead 01-08, Closing 02-15            | due after the period                           |
| D1   | Sales | Demo    | 01-09      | -          | 1500    | Ben   | 03-31      | Lead 01-09, Demo 02-03               | due on the period's last day                   |
| D2   | Sales | Demo    | 01-02      | -          | 400     | Aiko  | 01-15      | Lead 01-02, Demo 01-10               | overdue but due in the period: counted         |
| D3   | Sales | Lead    | 01-11      | -          | 800     | Aiko  | -          | Lead 01-11                           | no expected close date                         |
| D4   | Sales | Lead    | 01-12      | -          | -       | Ben   | 03-01      | Lead 01-12                           | no amount: due, counted, nothing summed        |
| E1   | Sales | Demo    | 01-13      | -          | 600 EUR | Aiko  | 03-10      | Lead 01-13, Demo 02-02               | due, not convertible                           |
| M1   | Mini  | Only    | 01-14      | -          | 250     | Ben   | 03-05      | Only 01-14                           | last stage without probability: commit, 0 wtd  |
| S1   | Sales | Closing | 01-15      | -          | 1000    | Ben   | 03-25      | Lead 01-15, Closing 03-05            | commit NOW; in Lead at PAST                    |

Targets (won_amount unless said):

| scope   | value | period                   | target | why                                        |
|---------|-------|--------------------------|--------|--------------------------------------------|
| company | -     | January, February, March | 3000 each | monthly targets inside Q1: summed to 9000 |
| company | -     | 04-01 to 06-30           | 5000   | another period                             |
| company | -     | 2024-12-01 to 2025-01-31 | 999    | overlaps Q1 without lying within it        |
| company | -     | Q1, metric won_count     | 50     | another metric                             |
| team    | East  | Q1                       | 4000   |                                            |
| team    | West  | Q1                       | 6000   |                                            |
| owner   | Aiko  | Q1                       | 2500   |                                            |
| owner   | Ben   | Q1                       | 3000   |                                            |
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings

from analytics.filters import Filters
from analytics.forecast import (
    DRILL_COLUMNS,
    Coverage,
    Forecast,
    PeriodRequired,
    UnknownCategory,
    coverage,
    forecast,
    forecast_deals,
)
from tests.analytics.builders import build_store, d, day, pipeline_rows
from tests.analytics.test_pipeline_value import in_temporary_store, random_filters, random_stores

Q1_START, Q1_END = d("2025-01-01"), d("2025-03-31")
NOW = d("2025-03-31")
PAST = d("2025-02-28")
PIPELINES = pipeline_rows("Sales", ["Lead", "Demo", "Closing"], [0.2, 0.5, 0.9]) + pipeline_rows(
    "Mini", ["Only"], [None]
)
TEAMS = {"Aiko": "East", "Ben": "West"}


def deal(deal_id, stage, created, closed, amount, owner, due=None, pipeline="Sales", cur="USD"):
    status = {"Won": "won", "Lost": "lost"}.get(stage, "open")
    return {
        "deal_id": deal_id, "name": f"{deal_id} deal", "pipeline": pipeline, "stage": stage,
        "status": status, "amount": amount, "currency": cur, "owner": owner,
        "team": TEAMS[owner], "created_at": day(created),
        "closed_at": day(closed) if closed else None,
        "expected_close_date": d(due) if due else None,
    }  # fmt: skip


DEALS = [
    deal("W1", "Won", "2025-01-05", "2025-02-10", 1000, "Aiko"),
    deal("W2", "Won", "2024-11-01", "2024-12-20", 700, "Aiko"),
    deal("W3", "Won", "2025-01-05", "2025-03-15", 1200, "Ben", due="2025-03-20"),
    deal("W4", "Won", "2025-01-10", "2025-01-31", 500, "Aiko", cur="EUR"),
    deal("L1", "Lost", "2025-01-06", "2025-02-05", 900, "Aiko", due="2025-02-15"),
    deal("C1", "Closing", "2025-01-07", None, 2000, "Aiko", due="2025-03-15"),
    deal("C2", "Closing", "2025-01-08", None, 3000, "Ben", due="2025-04-10"),
    deal("D1", "Demo", "2025-01-09", None, 1500, "Ben", due="2025-03-31"),
    deal("D2", "Demo", "2025-01-02", None, 400, "Aiko", due="2025-01-15"),
    deal("D3", "Lead", "2025-01-11", None, 800, "Aiko"),
    deal("D4", "Lead", "2025-01-12", None, None, "Ben", due="2025-03-01"),
    deal("E1", "Demo", "2025-01-13", None, 600, "Aiko", due="2025-03-10", cur="EUR"),
    deal("M1", "Only", "2025-01-14", None, 250, "Ben", due="2025-03-05", pipeline="Mini"),
    deal("S1", "Closing", "2025-01-15", None, 1000, "Ben", due="2025-03-25"),
]


def path(deal_id, *steps):
    return [(deal_id, stage, day(when)) for stage, when in steps]


EVENTS = [
    *path("W1", ("Lead", "2025-01-05"), ("Closing", "2025-02-01"), ("Won", "2025-02-10")),
    *path("W2", ("Lead", "2024-11-01"), ("Won", "2024-12-20")),
    *path("W3", ("Lead", "2025-01-05"), ("Demo", "2025-02-01"), ("Closing", "2025-03-05"),
          ("Won", "2025-03-15")),
    *path("W4", ("Lead", "2025-01-10"), ("Won", "2025-01-31")),
    *path("L1", ("Lead", "2025-01-06"), ("Lost", "2025-02-05")),
    *path("C1", ("Lead", "2025-01-07"), ("Closing", "2025-02-12")),
    *path("C2", ("Lead", "2025-01-08"), ("Closing", "2025-02-15")),
    *path("D1", ("Lead", "2025-01-09"), ("Demo", "2025-02-03")),
    *path("D2", ("Lead", "2025-01-02"), ("Demo", "2025-01-10")),
    *path("D3", ("Lead", "2025-01-11")),
    *path("D4", ("Lead", "2025-01-12")),
    *path("E1", ("Lead", "2025-01-13"), ("Demo", "2025-02-02")),
    *path("M1", ("Only", "2025-01-14")),
    *path("S1", ("Lead", "2025-01-15"), ("Closing", "2025-03-05")),
]  # fmt: skip


def target(scope, value, start, end, amount, metric="won_amount"):
    return {"target_id": f"{scope}-{value}-{start}-{metric}", "scope": scope, "scope_value": value,
            "metric": metric, "period_start": d(start), "period_end": d(end),
            "target_value": amount}  # fmt: skip


TARGETS = [
    target("company", None, "2025-01-01", "2025-01-31", 3000),
    target("company", None, "2025-02-01", "2025-02-28", 3000),
    target("company", None, "2025-03-01", "2025-03-31", 3000),
    target("company", None, "2025-04-01", "2025-06-30", 5000),
    target("company", None, "2024-12-01", "2025-01-31", 999),
    target("company", None, "2025-01-01", "2025-03-31", 50, metric="won_count"),
    target("team", "East", "2025-01-01", "2025-03-31", 4000),
    target("team", "West", "2025-01-01", "2025-03-31", 6000),
    target("owner", "Aiko", "2025-01-01", "2025-03-31", 2500),
    target("owner", "Ben", "2025-01-01", "2025-03-31", 3000),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = build_store(tmp_path_factory.mktemp("forecast") / "store.duckdb", pipelines=PIPELINES,
                      deals=DEALS, events=EVENTS, targets=TARGETS)  # fmt: skip
    yield con
    con.close()


def q1(as_of: date = NOW, **where) -> Filters:
    return Filters.build(Q1_START, Q1_END, as_of, where=where)


FORECAST_CASES = {
    # Won in Q1 by NOW: W1 1000 + W3 1200 = 2200 (W4 EUR, W2 before the period).
    # Open NOW and due in Q1: C1, D1, D2, D4, E1, M1, S1 = 7 (C2 due in April, D3 no date).
    # Weighted: C1 2000*.9 + D1 1500*.5 + D2 400*.5 + M1 250*0 + S1 1000*.9
    #         = 1800 + 750 + 200 + 0 + 900 = 3650.
    # Last stage: C1 2000 + M1 250 + S1 1000 = 3250. All: 3250 + 1500 + 400 = 5150.
    # Unconverted: W4 and E1.
    "now": (q1(), Forecast(Q1_START, Q1_END, won_so_far=2200.0, weighted_open=3650.0,
                           forecast=5850.0, commit=5450.0, best_case=7350.0, open_due_count=7,
                           unconverted=2, open_due_amount=5150.0)),
    # At PAST: won W1 1000 (W3 wins on 03-15). Open then and due in Q1: W3 (Demo), C1, D1, D2,
    # D4, E1, M1 = 7; S1 is due in Q1 too but sits in Lead (0.2).
    # Weighted: W3 1200*.5 + C1 1800 + D1 750 + D2 200 + S1 1000*.2 = 600+1800+750+200+200 = 3550.
    # Last stage: C1 2000 + M1 250 = 2250. All: 1200 + 2000 + 1500 + 400 + 250 + 1000 = 6350.
    "past": (q1(PAST), Forecast(Q1_START, Q1_END, won_so_far=1000.0, weighted_open=3550.0,
                                forecast=4550.0, commit=3250.0, best_case=7350.0,
                                open_due_count=8, unconverted=2,
                                open_due_amount=6350.0)),
    # Aiko NOW: won W1 1000 (W4 EUR); due C1 2000 (Closing), D2 400 (Demo), E1 (EUR).
    "owner Aiko": (q1(owner=["Aiko"]), Forecast(Q1_START, Q1_END, won_so_far=1000.0,
                                                weighted_open=2000.0, forecast=3000.0,
                                                commit=3000.0, best_case=3400.0,
                                                open_due_count=3, unconverted=2,
                                                open_due_amount=2400.0)),
    # Mini alone: M1 is in the last stage (commit) with no probability (weighted 0).
    "pipeline Mini": (
        Filters(Q1_START, Q1_END, NOW, pipeline="Mini"),
        Forecast(Q1_START, Q1_END, won_so_far=0.0, weighted_open=0.0, forecast=0.0,
                 commit=250.0, best_case=250.0, open_due_count=1, unconverted=0,
                 open_due_amount=250.0),
    ),
    # Nothing closes or is due in 2030.
    "empty period": (
        Filters(d("2030-01-01"), d("2030-03-31"), NOW),
        Forecast(d("2030-01-01"), d("2030-03-31"), won_so_far=0.0, weighted_open=0.0,
                 forecast=0.0, commit=0.0, best_case=0.0, open_due_count=0, unconverted=0,
                 open_due_amount=0.0),
    ),
}  # fmt: skip


@pytest.mark.parametrize("filters, expected", FORECAST_CASES.values(), ids=FORECAST_CASES.keys())
def test_forecast(con, filters, expected):
    assert asdict(forecast(con, filters)) == pytest.approx(asdict(expected))


def drill(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=DRILL_COLUMNS)
    frame["expected_close_date"] = pd.to_datetime(frame["expected_close_date"])
    return frame


DRILL_CASES = {
    # NOW, best case: the seven due deals, largest amount first, those without one last.
    "best case now": (q1(), "best_case", drill([
        ("C1", "C1 deal", "Aiko", "Closing", 2000.0, "2025-03-15", 0.9),
        ("D1", "D1 deal", "Ben", "Demo", 1500.0, "2025-03-31", 0.5),
        ("S1", "S1 deal", "Ben", "Closing", 1000.0, "2025-03-25", 0.9),
        ("D2", "D2 deal", "Aiko", "Demo", 400.0, "2025-01-15", 0.5),
        ("M1", "M1 deal", "Ben", "Only", 250.0, "2025-03-05", None),
        ("D4", "D4 deal", "Ben", "Lead", None, "2025-03-01", 0.2),
        ("E1", "E1 deal", "Aiko", "Demo", None, "2025-03-10", 0.5),
    ])),
    "commit now": (q1(), "commit", drill([
        ("C1", "C1 deal", "Aiko", "Closing", 2000.0, "2025-03-15", 0.9),
        ("S1", "S1 deal", "Ben", "Closing", 1000.0, "2025-03-25", 0.9),
        ("M1", "M1 deal", "Ben", "Only", 250.0, "2025-03-05", None),
    ])),
    # At PAST S1 was still in Lead and W3 in Demo: neither is commit then.
    "commit past": (q1(PAST), "commit", drill([
        ("C1", "C1 deal", "Aiko", "Closing", 2000.0, "2025-03-15", 0.9),
        ("M1", "M1 deal", "Ben", "Only", 250.0, "2025-03-05", None),
    ])),
    "empty period": (Filters(d("2030-01-01"), d("2030-03-31"), NOW), "best_case", drill([])),
}  # fmt: skip


@pytest.mark.parametrize(
    "filters, category, expected", DRILL_CASES.values(), ids=DRILL_CASES.keys()
)
def test_forecast_deals(con, filters, category, expected):
    got = forecast_deals(con, filters, category=category)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_drill_down_adds_up_to_the_figures(con):
    figures = forecast(con, q1(PAST))
    best = forecast_deals(con, q1(PAST), category="best_case")
    commit = forecast_deals(con, q1(PAST), category="commit")
    assert len(best) == figures.open_due_count
    assert best["amount"].sum() == pytest.approx(figures.best_case - figures.won_so_far)
    assert commit["amount"].sum() == pytest.approx(figures.commit - figures.won_so_far)


COVERAGE_CASES = {
    # Company: the three monthly targets, 9000. Due NOW 5150, won 2200: 5150 / (9000 - 2200).
    "company": (q1(), None, Coverage(5150.0, 9000.0, 2200.0, 6800.0, 5150 / 6800, 2)),
    # At PAST: due 6350, won 1000: 6350 / 8000.
    "company past": (q1(PAST), None, Coverage(6350.0, 9000.0, 1000.0, 8000.0, 6350 / 8000, 2)),
    # Aiko: won 1000, due C1 2000 + D2 400; her target 2500: 2400 / 1500.
    "owner": (q1(owner=["Aiko"]), None, Coverage(2400.0, 2500.0, 1000.0, 1500.0, 1.6, 2)),
    # Team West (Ben's deals): won W3 1200; due D1 1500 + M1 250 + S1 1000 = 2750; 6000.
    "team": (q1(team=["West"]), None, Coverage(2750.0, 6000.0, 1200.0, 4800.0, 2750 / 4800, 0)),
    # An owner condition wins over a team one.
    "owner and team": (q1(owner=["Aiko"], team=["East"]), None,
                       Coverage(2400.0, 2500.0, 1000.0, 1500.0, 1.6, 2)),
    # Several owners: their targets summed, 2500 + 3000.
    "two owners": (q1(owner=["Aiko", "Ben"]), None,
                   Coverage(5150.0, 5500.0, 2200.0, 3300.0, 5150 / 3300, 2)),
    # Without a condition on owner or team, other conditions keep the company target.
    "other condition": (Filters(Q1_START, Q1_END, NOW, pipeline="Mini"), None,
                        Coverage(250.0, 9000.0, 0.0, 9000.0, 250 / 9000, 0)),
    # A given target replaces the table's; already exceeded (gap < 0) or just met: no ratio.
    "given target": (q1(), 8200.0, Coverage(5150.0, 8200.0, 2200.0, 6000.0, 5150 / 6000, 2)),
    "target exceeded": (q1(), 2000.0, Coverage(5150.0, 2000.0, 2200.0, -200.0, None, 2)),
    "target just met": (q1(), 2200.0, Coverage(5150.0, 2200.0, 2200.0, 0.0, None, 2)),
    # No target for Carl, none in 2030.
    "no owner target": (q1(owner=["Carl"]), None, Coverage(0.0, None, 0.0, None, None, 0)),
    "no target in the period": (Filters(d("2030-01-01"), d("2030-03-31"), NOW), None,
                                Coverage(0.0, None, 0.0, None, None, 0)),
}  # fmt: skip


@pytest.mark.parametrize(
    "filters, given_target, expected", COVERAGE_CASES.values(), ids=COVERAGE_CASES.keys()
)
def test_coverage(con, filters, given_target, expected):
    assert asdict(coverage(con, filters, given_target)) == pytest.approx(asdict(expected))


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(start=Q1_START), Filters(end=Q1_END)],
    ids=["no period", "no end", "no start"],
)
@pytest.mark.parametrize(
    "call",
    [forecast, coverage, lambda con, f: forecast_deals(con, f, category="commit")],
    ids=["forecast", "coverage", "forecast_deals"],
)
def test_a_period_with_both_ends_is_required(con, filters, call):
    with pytest.raises(PeriodRequired):
        call(con, filters)


def test_unknown_drill_down_category(con):
    with pytest.raises(UnknownCategory, match="commit or best_case"):
        forecast_deals(con, q1(), category="pipeline")


# --- properties on random stores -----------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(random_stores(), random_filters())
def test_forecast_lies_between_won_so_far_and_best_case(rows, filters):
    if filters.start is None:
        filters = filters.with_period(date(2025, 1, 1), date(2025, 3, 31))

    def check(con):
        f = forecast(con, filters)
        assert f.won_so_far >= 0
        assert f.won_so_far - 1e-6 <= f.commit <= f.best_case + 1e-6
        assert f.won_so_far - 1e-6 <= f.forecast <= f.best_case + 1e-6
        narrowed = forecast(con, filters.narrowed("owner", ["Aiko"]))
        assert narrowed.open_due_count <= f.open_due_count
        best = forecast_deals(con, filters, category="best_case")
        assert len(best) == f.open_due_count
        assert best["amount"].sum() == pytest.approx(f.best_case - f.won_so_far)
        c = coverage(con, filters, target=10_000.0)
        assert c.open_due_amount == pytest.approx(f.best_case - f.won_so_far)
        assert c.coverage is None or (c.gap > 0 and c.coverage >= 0 and math.isfinite(c.coverage))

    in_temporary_store(rows, check)
