"""Open and weighted pipeline, empirical stage probabilities, calibration and velocity.

Pipelines: "Sales" = Lead (1, p 0.1), Demo (2, p 0.4), Proposal (3, no probability),
Negotiation (4, p 0.8); "Quick" = Call (1, p 0.5), a pipeline with one stage.
NOW = 2025-03-31 (after the last event, 2025-03-20: deal_facts describe the deals as they are);
PAST = 2025-02-28 (state rebuilt from timestamps: "at PAST" means before 2025-03-01 00:00).
USD is the reporting currency (the commonest); EUR amounts have no rate.

| deal | pipe  | now      | created | closed | amount   | owner | events (2025)                 | why it is here                                    |
|------|-------|----------|---------|--------|----------|-------|-------------------------------|---------------------------------------------------|
| O1   | Sales | Lead     | 01-10   | -      | 1000     | Aiko  | Lead 01-10                    | plain open deal                                   |
| O2   | Sales | Demo     | 01-05   | -      | 2000     | Ben   | Lead 01-05, Demo 02-01        | plain open deal                                   |
| O3   | Sales | Proposal | 01-03   | -      | 3000     | Aiko  | Lead 01-03, Proposal 02-10    | skipped Demo; stage without a probability         |
| O4   | Sales | Negot.   | 01-02   | -      | -        | Ben   | Lead 01-02, Negot. 03-01 00:00| no amount; at PAST still in Lead (boundary)       |
| O5   | Sales | Demo     | 02-15   | -      | 500 EUR  | Aiko  | Demo 02-15                    | not convertible: counted, not summed              |
| O6   | Sales | Demo     | 01-01   | -      | 4000     | Ben   | Lead 01-01, Negot. 02-01,     | moved back: Demo now, Negotiation at PAST         |
|      |       |          |         |        |          |       | Demo 03-15                    |                                                   |
| S1   | Sales | Demo     | 02-20   | -      | 100      | Ben   | Demo 03-03                    | open at PAST but no event by then: no stage       |
| N1   | Sales | Lead     | 01-15   | -      | 200      | Aiko  | none                          | no events: current stage NOW, no stage at PAST    |
| F1   | Sales | Lead     | 03-05   | -      | 5000     | Aiko  | Lead 03-05                    | created after PAST                                |
| W1   | Sales | Won      | 01-02   | 03-10  | 1500     | Aiko  | Lead 01-02, Demo 01-20,       | won now; open in Demo at PAST                     |
|      |       |          |         |        |          |       | Negot. 03-05, Won 03-10       |                                                   |
| W2   | Sales | Won      | 02-14   | 02-14  | 800      | Ben   | Lead 09:00, Won 17:00 (02-14) | won the day it was created, skipping every stage  |
| L1   | Sales | Lost     | 01-03   | 02-20  | 600      | Ben   | Lead 01-03, Demo 01-15,       | moved back: two visits of Lead and of Demo        |
|      |       |          |         |        |          |       | Lead 01-25, Demo 02-05,       | (one deal each in calibration); furthest 2        |
|      |       |          |         |        |          |       | Lost 02-20                    |                                                   |
| L2   | Sales | Lost     | 01-04   | 01-25  | 900      | Aiko  | Lead 01-04, Lost 01-25        | lost in the first stage; furthest 1               |
| L3   | Sales | Lost     | 01-06   | 03-20  | 1100     | Aiko  | Lead 01-06, Proposal 02-05,   | lost after PAST: open in Proposal at PAST;        |
|      |       |          |         |        |          |       | Lost 03-20                    | furthest 3                                        |
| Q1   | Quick | Call     | 02-01   | -      | 700      | Ben   | Call 02-01                    | open deal of the one-stage pipeline               |
| Q2   | Quick | Won      | 01-10   | 02-10  | 300 EUR  | Ben   | Call 01-10, Won 02-10         | won, not convertible                              |

Deals closed by NOW: W1, W2, Q2 won; L1, L2, L3 lost. By PAST: W2, Q2 won; L1, L2 lost.
The conversion of open deals at the as-of date's rates has its own small store with EUR rates,
explained in its test; the properties at the bottom run on small random stores.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import derived
from analytics.filters import Filters
from analytics.forecast import forecast
from analytics.pipeline_value import (
    CALIBRATION_COLUMNS,
    EMPIRICAL_COLUMNS,
    OPEN_PIPELINE_COLUMNS,
    Velocity,
    calibration,
    empirical_probability,
    open_pipeline,
    velocity,
)
from tests.analytics.builders import build_store, d, day, pipeline_rows

NOW = d("2025-03-31")
PAST = d("2025-02-28")
PIPELINES = pipeline_rows("Sales", ["Lead", "Demo", "Proposal", "Negotiation"],
                          [0.1, 0.4, None, 0.8]) + pipeline_rows("Quick", ["Call"], [0.5])  # fmt: skip


def deal(deal_id, pipeline, stage, created, closed, amount, owner, currency="USD"):
    status = {"Won": "won", "Lost": "lost"}.get(stage, "open")
    return {
        "deal_id": deal_id, "pipeline": pipeline, "stage": stage, "status": status,
        "amount": amount, "currency": currency, "owner": owner, "created_at": day(created),
        "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("O1", "Sales", "Lead", "2025-01-10", None, 1000, "Aiko"),
    deal("O2", "Sales", "Demo", "2025-01-05", None, 2000, "Ben"),
    deal("O3", "Sales", "Proposal", "2025-01-03", None, 3000, "Aiko"),
    deal("O4", "Sales", "Negotiation", "2025-01-02", None, None, "Ben"),
    deal("O5", "Sales", "Demo", "2025-02-15", None, 500, "Aiko", currency="EUR"),
    deal("O6", "Sales", "Demo", "2025-01-01", None, 4000, "Ben"),
    deal("S1", "Sales", "Demo", "2025-02-20", None, 100, "Ben"),
    deal("N1", "Sales", "Lead", "2025-01-15", None, 200, "Aiko"),
    deal("F1", "Sales", "Lead", "2025-03-05", None, 5000, "Aiko"),
    deal("W1", "Sales", "Won", "2025-01-02", "2025-03-10", 1500, "Aiko"),
    deal("W2", "Sales", "Won", "2025-02-14 09:00", "2025-02-14 17:00", 800, "Ben"),
    deal("L1", "Sales", "Lost", "2025-01-03", "2025-02-20", 600, "Ben"),
    deal("L2", "Sales", "Lost", "2025-01-04", "2025-01-25", 900, "Aiko"),
    deal("L3", "Sales", "Lost", "2025-01-06", "2025-03-20", 1100, "Aiko"),
    deal("Q1", "Quick", "Call", "2025-02-01", None, 700, "Ben"),
    deal("Q2", "Quick", "Won", "2025-01-10", "2025-02-10", 300, "Ben", currency="EUR"),
]


def path(deal_id, *steps):
    return [(deal_id, stage, day(when)) for stage, when in steps]


EVENTS = [
    *path("O1", ("Lead", "2025-01-10")),
    *path("O2", ("Lead", "2025-01-05"), ("Demo", "2025-02-01")),
    *path("O3", ("Lead", "2025-01-03"), ("Proposal", "2025-02-10")),
    *path("O4", ("Lead", "2025-01-02"), ("Negotiation", "2025-03-01 00:00")),
    *path("O5", ("Demo", "2025-02-15")),
    *path("O6", ("Lead", "2025-01-01"), ("Negotiation", "2025-02-01"), ("Demo", "2025-03-15")),
    *path("S1", ("Demo", "2025-03-03")),
    *path("F1", ("Lead", "2025-03-05")),
    *path("W1", ("Lead", "2025-01-02"), ("Demo", "2025-01-20"), ("Negotiation", "2025-03-05"),
          ("Won", "2025-03-10")),
    *path("W2", ("Lead", "2025-02-14 09:00"), ("Won", "2025-02-14 17:00")),
    *path("L1", ("Lead", "2025-01-03"), ("Demo", "2025-01-15"), ("Lead", "2025-01-25"),
          ("Demo", "2025-02-05"), ("Lost", "2025-02-20")),
    *path("L2", ("Lead", "2025-01-04"), ("Lost", "2025-01-25")),
    *path("L3", ("Lead", "2025-01-06"), ("Proposal", "2025-02-05"), ("Lost", "2025-03-20")),
    *path("Q1", ("Call", "2025-02-01")),
    *path("Q2", ("Call", "2025-01-10"), ("Won", "2025-02-10")),
]  # fmt: skip


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = build_store(tmp_path_factory.mktemp("value") / "store.duckdb", pipelines=PIPELINES,
                      deals=DEALS, events=EVENTS)  # fmt: skip
    yield con
    con.close()


def one_row(**values) -> pd.DataFrame:
    return pd.DataFrame([values])[OPEN_PIPELINE_COLUMNS]


# --- open pipeline -------------------------------------------------------------------------

OPEN_CASES = {
    # Open NOW: O1-O6, S1, N1, F1, Q1 (10). Amounts: O4 has none, O5 is EUR:
    # 1000 + 2000 + 3000 + 4000 + 100 + 200 + 5000 + 700 = 16000.
    # Weighted: O1 1000*.1 + O2 2000*.4 + O6 4000*.4 + S1 100*.4 + N1 200*.1 + F1 5000*.1
    #           + Q1 700*.5 = 100 + 800 + 1600 + 40 + 20 + 500 + 350 = 3410 (O3: no probability).
    # Empirical NOW (below): Lead .4, Demo .5, Proposal 2/3, Call 1:
    #   O1 400 + O2 1000 + O3 2000 + O6 2000 + S1 50 + N1 80 + F1 2000 + Q1 700 = 8230.
    "now": (
        Filters(as_of=NOW),
        one_row(open_count=10, open_amount=16000.0, weighted_amount=3410.0,
                empirical_weighted_amount=8230.0, no_probability=1, unconverted=1),
    ),
    # The period does not apply to a snapshot.
    "now, any period": (
        Filters(start=d("2030-01-01"), end=d("2030-12-31"), as_of=NOW),
        one_row(open_count=10, open_amount=16000.0, weighted_amount=3410.0,
                empirical_weighted_amount=8230.0, no_probability=1, unconverted=1),
    ),
    # Open at PAST: O1-O6, S1, N1, W1, L3, Q1 (11; F1 not created, W2 L1 L2 Q2 closed).
    # Stages then: O1 Lead, O2 Demo, O3 Proposal, O4 Lead, O5 Demo, O6 Negotiation, S1 and N1
    # none, W1 Demo, L3 Proposal, Q1 Call.
    # Amount: 1000 + 2000 + 3000 + 4000 + 100 + 200 + 1500 + 1100 + 700 = 13600.
    # Weighted: O1 100 + O2 800 + O6 4000*.8 + W1 1500*.4 + Q1 350 = 100+800+3200+600+350 = 5050.
    # No probability: O3, L3 (Proposal), S1, N1 (no stage) = 4.
    # Empirical at PAST: Lead 1/3, Demo 1/2, Proposal 1, Negotiation 1, Call 1:
    #   O1 1000/3 + O2 1000 + O3 3000 + O6 4000 + W1 750 + L3 1100 + Q1 700 = 10550 + 1000/3.
    "past": (
        Filters(as_of=PAST),
        one_row(open_count=11, open_amount=13600.0, weighted_amount=5050.0,
                empirical_weighted_amount=10550 + 1000 / 3, no_probability=4, unconverted=1),
    ),
    # Aiko's open deals NOW: O1, O3, O5, N1, F1. Amount 1000 + 3000 + 200 + 5000 = 9200;
    # weighted 100 + 20 + 500 = 620. Her closed deals (W1 won; L2 furthest 1, L3 furthest 3)
    # give Lead 1/3 and Proposal 1/2: (1000 + 200 + 5000) / 3 + 3000 / 2.
    "owner Aiko": (
        Filters.build(as_of=NOW, where={"owner": ["Aiko"]}),
        one_row(open_count=5, open_amount=9200.0, weighted_amount=620.0,
                empirical_weighted_amount=6200 / 3 + 1500, no_probability=1, unconverted=1),
    ),
    "pipeline Quick": (
        Filters(as_of=NOW, pipeline="Quick"),
        one_row(open_count=1, open_amount=700.0, weighted_amount=350.0,
                empirical_weighted_amount=700.0, no_probability=0, unconverted=0),
    ),
    "before any deal": (
        Filters(as_of=d("2024-12-31")),
        one_row(open_count=0, open_amount=0.0, weighted_amount=0.0,
                empirical_weighted_amount=0.0, no_probability=0, unconverted=0),
    ),
    "unknown pipeline": (
        Filters(as_of=NOW, pipeline="Nope"),
        one_row(open_count=0, open_amount=0.0, weighted_amount=0.0,
                empirical_weighted_amount=0.0, no_probability=0, unconverted=0),
    ),
}  # fmt: skip


@pytest.mark.parametrize("filters, expected", OPEN_CASES.values(), ids=OPEN_CASES.keys())
def test_open_pipeline(con, filters, expected):
    pd.testing.assert_frame_equal(open_pipeline(con, filters), expected, check_dtype=False)


def test_open_pipeline_by_owner_now(con):
    # Aiko: the "owner Aiko" case above, but weighted with everyone's empirical probabilities
    # (Lead .4, Proposal 2/3): O1 400 + O3 2000 + N1 80 + F1 2000 = 4480.
    # Ben: O2, O4, O6, S1, Q1: amount 2000 + 4000 + 100 + 700 = 6800; weighted 800 + 1600 + 40
    # + 350 = 2790; empirical 1000 + 2000 + 50 + 700 = 3750.
    expected = pd.DataFrame(
        {"key": ["Aiko", "Ben"], "open_count": [5, 5], "open_amount": [9200.0, 6800.0],
         "weighted_amount": [620.0, 2790.0], "empirical_weighted_amount": [4480.0, 3750.0],
         "no_probability": [1, 0], "unconverted": [1, 0]}
    )  # fmt: skip
    got = open_pipeline(con, Filters(as_of=NOW), by="owner")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_open_pipeline_by_pipeline_in_the_past(con):
    # Quick: Q1 alone. Sales: the "past" case less Q1.
    expected = pd.DataFrame(
        {"key": ["Quick", "Sales"], "open_count": [1, 10], "open_amount": [700.0, 12900.0],
         "weighted_amount": [350.0, 4700.0],
         "empirical_weighted_amount": [700.0, 9850 + 1000 / 3],
         "no_probability": [0, 4], "unconverted": [0, 1]}
    )  # fmt: skip
    got = open_pipeline(con, Filters(as_of=PAST), by="pipeline")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_open_pipeline_by_a_column_without_values_keys_none(con):
    got = open_pipeline(con, Filters(as_of=NOW), by="team")
    assert got["key"].tolist() == ["(none)"]
    assert got.at[0, "open_count"] == 10


def test_empty_breakdown_is_a_frame_with_the_columns(con):
    got = open_pipeline(con, Filters(as_of=NOW, pipeline="Nope"), by="owner")
    assert got.empty and list(got.columns) == ["key", *OPEN_PIPELINE_COLUMNS]


def test_open_deals_are_converted_at_the_rates_of_the_as_of_date(tmp_path):
    # EUR rates (EUR per USD): 0.9 from 2025-01-01, 0.8 from 2025-03-01. USD (three deals) is
    # the reporting currency. E2 (450 EUR) wins on 03-15: its amount_rep is 450 / 0.8 = 562.5,
    # but open at PAST it counts at that day's rate, 450 / 0.9 = 500.
    rows = [
        deal("E1", "Sales", "Lead", "2025-01-10", None, 900, "Aiko", currency="EUR"),
        deal("E2", "Sales", "Won", "2025-01-05", "2025-03-15", 450, "Aiko", currency="EUR"),
        deal("U1", "Sales", "Lead", "2025-01-02", None, 100, "Ben"),
        deal("U2", "Sales", "Lost", "2025-01-03", "2025-02-01", 200, "Ben"),
        deal("U3", "Sales", "Won", "2025-01-04", "2025-01-20", 300, "Ben"),
    ]
    events = [
        *path("E1", ("Lead", "2025-01-10")),
        *path("E2", ("Lead", "2025-01-05"), ("Won", "2025-03-15")),
        *path("U1", ("Lead", "2025-01-02")),
        *path("U2", ("Lead", "2025-01-03"), ("Lost", "2025-02-01")),
        *path("U3", ("Lead", "2025-01-04"), ("Won", "2025-01-20")),
    ]
    con = build_store(tmp_path / "rates.duckdb", pipelines=PIPELINES, deals=rows, events=events)
    con.execute("INSERT INTO exchange_rates VALUES ('EUR', DATE '2025-01-01', 0.9), "
                "('EUR', DATE '2025-03-01', 0.8)")  # fmt: skip
    derived.refresh(con)
    # NOW: E1 900 / 0.8 = 1125, U1 100: 1225; Lead p .1: 122.5. Closed: U3 E2 won, U2 lost: 2/3.
    now = one_row(open_count=2, open_amount=1225.0, weighted_amount=122.5,
                  empirical_weighted_amount=1225 * 2 / 3, no_probability=0, unconverted=0)  # fmt: skip
    # PAST: E1 900 / 0.9 = 1000, E2 500, U1 100: 1600; 160 weighted. Closed: U3 won, U2 lost.
    past = one_row(open_count=3, open_amount=1600.0, weighted_amount=160.0,
                   empirical_weighted_amount=800.0, no_probability=0, unconverted=0)  # fmt: skip
    try:
        pd.testing.assert_frame_equal(open_pipeline(con, Filters(as_of=NOW)), now,
                                      check_dtype=False)  # fmt: skip
        pd.testing.assert_frame_equal(open_pipeline(con, Filters(as_of=PAST)), past,
                                      check_dtype=False)  # fmt: skip
    finally:
        con.close()


def test_open_deals_count_at_the_amount_and_close_date_they_had_then(tmp_path):
    # Amount changes recorded by successive exports (deal_changes). At PAST (the end of 02-28):
    # A1 1000 now, 400 -> 700 on 02-10 and 700 -> 1000 on 03-05: 700 then.
    # A2 500 EUR now, 250 -> 500 on 03-10: 250 EUR then, / 0.5 = 500 USD (1000 now).
    # A3 no amount now, 300 -> none on 03-02: 300 then.
    # A4 300 now, 100 -> 200 on 02-01 and 250 -> 300 on 03-03, which contradict each other: the
    # last change before PAST says 200, as the weekly waterfall reads it.
    # All in Lead (p 0.1); nothing closed, so no empirical probability. USD is the commonest.
    # A1's close date moved from 03-20 to 04-15 on 03-05: at PAST it was due in March.
    rows = [
        {**deal("A1", "Sales", "Lead", "2025-01-10", None, 1000, "Aiko"),
         "expected_close_date": d("2025-04-15")},
        deal("A2", "Sales", "Lead", "2025-01-11", None, 500, "Aiko", currency="EUR"),
        deal("A3", "Sales", "Lead", "2025-01-12", None, None, "Ben"),
        deal("A4", "Sales", "Lead", "2025-01-13", None, 300, "Ben"),
    ]  # fmt: skip
    events = [(r["deal_id"], "Lead", r["created_at"]) for r in rows]
    changes = [
        ("A1", "amount", "400.0", "700.0", day("2025-02-10")),
        ("A1", "amount", "700.0", "1000.0", day("2025-03-05")),
        ("A1", "expected_close_date", "2025-03-20", "2025-04-15", day("2025-03-05")),
        ("A2", "amount", "250.0", "500.0", day("2025-03-10")),
        ("A3", "amount", "300.0", None, day("2025-03-02")),
        ("A4", "amount", "100.0", "200.0", day("2025-02-01")),
        ("A4", "amount", "250.0", "300.0", day("2025-03-03")),
    ]
    con = build_store(tmp_path / "changes.duckdb", pipelines=PIPELINES, deals=rows,
                      events=events, deal_changes=changes)  # fmt: skip
    con.execute("INSERT INTO exchange_rates VALUES ('EUR', DATE '2025-01-01', 0.5)")
    derived.refresh(con)
    then = one_row(open_count=4, open_amount=700 + 500 + 300 + 200.0, weighted_amount=170.0,
                   empirical_weighted_amount=0.0, no_probability=0, unconverted=0)  # fmt: skip
    now = one_row(open_count=4, open_amount=1000 + 1000 + 300.0, weighted_amount=230.0,
                  empirical_weighted_amount=0.0, no_probability=0, unconverted=0)  # fmt: skip
    march = dict(start=d("2025-03-01"), end=d("2025-03-31"))
    try:
        pd.testing.assert_frame_equal(open_pipeline(con, Filters(as_of=PAST)), then,
                                      check_dtype=False)  # fmt: skip
        pd.testing.assert_frame_equal(open_pipeline(con, Filters(as_of=NOW)), now,
                                      check_dtype=False)  # fmt: skip
        # Ben's deals at PAST: A3 300 and A4 200, weighted 0.1 x 500 (a condition on a deal
        # column also narrows the changes looked up).
        ben = one_row(open_count=2, open_amount=500.0, weighted_amount=50.0,
                      empirical_weighted_amount=0.0, no_probability=0, unconverted=0)  # fmt: skip
        pd.testing.assert_frame_equal(
            open_pipeline(con, Filters.build(as_of=PAST, where={"owner": ["Ben"]})), ben,
            check_dtype=False,
        )  # fmt: skip
        # Due in March as seen at PAST: A1 alone, at its amount then (700 x 0.1).
        early = forecast(con, Filters(**march, as_of=PAST))
        assert (early.open_due_count, early.weighted_open) == (1, pytest.approx(70.0))
        assert forecast(con, Filters(**march, as_of=NOW)).open_due_count == 0
    finally:
        con.close()


# --- empirical probability -----------------------------------------------------------------


def probabilities(rows) -> pd.DataFrame:
    """Return the expected frame from (pipeline, stage, position, reached, won, p, low, high,
    small, configured) tuples."""
    return pd.DataFrame(rows, columns=EMPIRICAL_COLUMNS)


# Wilson 95% intervals (stats.wilson): 2/5 (.1176, .7693), 2/4 (.1500, .8500), 2/3 (.2077,
# .9385), 2/2 (.3424, 1), 1/1 (.2065, 1), 1/3 (.0615, .7923), 1/2 (.0945, .9055).
EMPIRICAL_CASES = {
    # Closed by NOW: Sales W1, W2 won (reach every stage); L1 furthest 2, L2 1, L3 3.
    # Lead: W1 W2 L1 L2 L3 = 5; Demo: W1 W2 L1 L3 = 4; Proposal: W1 W2 L3 = 3; Negot.: 2.
    # Quick: Q2 won.
    "now": (Filters(as_of=NOW), probabilities([
        ("Quick", "Call", 1, 1, 1, 1.0, 0.2065, 1.0, True, 0.5),
        ("Sales", "Lead", 1, 5, 2, 0.4, 0.1176, 0.7693, True, 0.1),
        ("Sales", "Demo", 2, 4, 2, 0.5, 0.1500, 0.8500, True, 0.4),
        ("Sales", "Proposal", 3, 3, 2, 2 / 3, 0.2077, 0.9385, True, None),
        ("Sales", "Negotiation", 4, 2, 2, 1.0, 0.3424, 1.0, True, 0.8),
    ])),
    # Closed by PAST: W2 won; L1 furthest 2, L2 1; Q2 won.
    "past": (Filters(as_of=PAST), probabilities([
        ("Quick", "Call", 1, 1, 1, 1.0, 0.2065, 1.0, True, 0.5),
        ("Sales", "Lead", 1, 3, 1, 1 / 3, 0.0615, 0.7923, True, 0.1),
        ("Sales", "Demo", 2, 2, 1, 0.5, 0.0945, 0.9055, True, 0.4),
        ("Sales", "Proposal", 3, 1, 1, 1.0, 0.2065, 1.0, True, None),
        ("Sales", "Negotiation", 4, 1, 1, 1.0, 0.2065, 1.0, True, 0.8),
    ])),
    # Aiko's deals are all in Sales, so Quick is out of scope. W1 won; L2 furthest 1, L3 3.
    "owner Aiko": (Filters.build(as_of=NOW, where={"owner": ["Aiko"]}), probabilities([
        ("Sales", "Lead", 1, 3, 1, 1 / 3, 0.0615, 0.7923, True, 0.1),
        ("Sales", "Demo", 2, 2, 1, 0.5, 0.0945, 0.9055, True, 0.4),
        ("Sales", "Proposal", 3, 2, 1, 0.5, 0.0945, 0.9055, True, None),
        ("Sales", "Negotiation", 4, 1, 1, 1.0, 0.2065, 1.0, True, 0.8),
    ])),
    # Quick's deals (Q1, Q2) keep it in scope even when none was closed yet.
    "nothing closed yet": (Filters(as_of=d("2025-01-20"), pipeline="Quick"), probabilities([
        ("Quick", "Call", 1, 0, 0, None, None, None, True, 0.5),
    ])),
    "unknown pipeline": (Filters(as_of=NOW, pipeline="Nope"), probabilities([])),
}  # fmt: skip


@pytest.mark.parametrize("filters, expected", EMPIRICAL_CASES.values(), ids=EMPIRICAL_CASES.keys())
def test_empirical_probability(con, filters, expected):
    got = empirical_probability(con, filters)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-4)


# --- calibration ---------------------------------------------------------------------------


def calibrated(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


CALIBRATION_CASES = {
    # Completed visits of deals closed by NOW: W1 Lead Demo Negotiation; W2 Lead; L1 Lead Demo
    # (twice each, one deal); L2 Lead; L3 Lead Proposal; Q2 Call. O6 left Negotiation but is
    # still open. Lead: W1 W2 L1 L2 L3 = 5, 2 won; Demo: W1 L1 = 2, 1 won; Proposal: L3;
    # Negotiation: W1.
    "now": (Filters(as_of=NOW), calibrated([
        ("Quick", "Call", 1, 0.5, 1, 1, 1.0, 0.2065, 1.0, True),
        ("Sales", "Lead", 1, 0.1, 5, 2, 0.4, 0.1176, 0.7693, True),
        ("Sales", "Demo", 2, 0.4, 2, 1, 0.5, 0.0945, 0.9055, True),
        ("Sales", "Proposal", 3, None, 1, 0, 0.0, 0.0, 0.7935, True),
        ("Sales", "Negotiation", 4, 0.8, 1, 1, 1.0, 0.2065, 1.0, True),
    ])),
    # Closed by PAST: W2, L1, L2, Q2. Lead: W2 L1 L2 = 3, 1 won; Demo: L1.
    "past": (Filters(as_of=PAST), calibrated([
        ("Quick", "Call", 1, 0.5, 1, 1, 1.0, 0.2065, 1.0, True),
        ("Sales", "Lead", 1, 0.1, 3, 1, 1 / 3, 0.0615, 0.7923, True),
        ("Sales", "Demo", 2, 0.4, 1, 0, 0.0, 0.0, 0.7935, True),
        ("Sales", "Proposal", 3, None, 0, 0, None, None, None, True),
        ("Sales", "Negotiation", 4, 0.8, 0, 0, None, None, None, True),
    ])),
    "pipeline Quick, owner Ben": (
        Filters.build(as_of=NOW, pipeline="Quick", where={"owner": ["Ben"]}),
        calibrated([("Quick", "Call", 1, 0.5, 1, 1, 1.0, 0.2065, 1.0, True)]),
    ),
    "unknown pipeline": (Filters(as_of=NOW, pipeline="Nope"), calibrated([])),
}  # fmt: skip


@pytest.mark.parametrize(
    "filters, expected", CALIBRATION_CASES.values(), ids=CALIBRATION_CASES.keys()
)
def test_calibration(con, filters, expected):
    got = calibration(con, filters)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-4)


# --- velocity ------------------------------------------------------------------------------

VELOCITY_CASES = {
    # Closed in Q1 by NOW: W1, W2, Q2 won; L1, L2, L3 lost: rate 3/6. Won amounts W1 1500,
    # W2 800 (Q2 EUR left out): mean 1150. Cycles W1 01-02..03-10 = 67, W2 0, Q2 01-10..02-10
    # = 31: median 31. Open NOW: 10. 10 * .5 * 1150 / 31 = 5750 / 31.
    "quarter now": (
        Filters(start=d("2025-01-01"), end=d("2025-03-31"), as_of=NOW),
        Velocity(10, 0.5, 1150.0, 31.0, 5750 / 31, 1),
    ),
    # Closed in Jan-Feb by PAST: W2, Q2 won; L1, L2 lost: 2/4. Mean won: W2 800. Median of
    # 0 and 31: 15.5. Open at PAST: 11. 11 * .5 * 800 / 15.5.
    "past": (
        Filters(start=d("2025-01-01"), end=d("2025-02-28"), as_of=PAST),
        Velocity(11, 0.5, 800.0, 15.5, 4400 / 15.5, 1),
    ),
    # W2 alone closed on 02-14, the day it was created: a median cycle of 0 gives no velocity.
    "median cycle 0": (
        Filters(start=d("2025-02-14"), end=d("2025-02-14"), as_of=NOW),
        Velocity(10, 1.0, 800.0, 0.0, None, 0),
    ),
    "empty period": (
        Filters(start=d("2030-01-01"), end=d("2030-12-31"), as_of=NOW),
        Velocity(10, None, None, None, None, 0),
    ),
    # Ben, Q1: W2 won (Q2 EUR), L1 lost: 2/3 won; mean W2 800; median of 0, 31 = 15.5. Open:
    # O2, O4, O6, S1, Q1 = 5. 5 * 2/3 * 800 / 15.5.
    "owner Ben": (
        Filters.build(d("2025-01-01"), d("2025-03-31"), NOW, where={"owner": ["Ben"]}),
        Velocity(5, 2 / 3, 800.0, 15.5, 5 * 2 / 3 * 800 / 15.5, 1),
    ),
}


@pytest.mark.parametrize("filters, expected", VELOCITY_CASES.values(), ids=VELOCITY_CASES.keys())
def test_velocity(con, filters, expected):
    assert asdict(velocity(con, filters)) == pytest.approx(asdict(expected))


# --- properties on random stores -----------------------------------------------------------

STAGES = ["A", "B", "C"]
BASE = datetime(2025, 1, 1)
AS_OF_DATES = [date(2025, 1, 15), date(2025, 2, 10), date(2025, 3, 1), date(2025, 12, 31)]


@st.composite
def random_stores(draw) -> dict:
    """Draw the rows of a small store: one pipeline of three stages with probabilities in
    [0, 1] or none, deals whose events skip stages and move back, open or closed at their last
    event, amounts missing or in a currency without rate, and expected close dates."""
    probabilities = draw(st.lists(st.none() | st.sampled_from([0.0, 0.25, 0.6, 1.0]),
                                  min_size=3, max_size=3))  # fmt: skip
    deals, events = [], []
    for n in range(draw(st.integers(0, 12))):
        deal_id = f"D{n}"
        at = BASE + timedelta(hours=draw(st.integers(0, 24 * 60)))
        created = at
        positions = draw(st.lists(st.integers(1, 3), min_size=0, max_size=4))
        for position in positions:
            events.append((deal_id, STAGES[position - 1], at))
            at += timedelta(hours=draw(st.integers(0, 24 * 20)))
        status = draw(st.sampled_from(["open", "won", "lost"]))
        if status != "open":
            events.append((deal_id, status.title(), at))
        stage = STAGES[positions[-1] - 1] if positions else "A"
        deals.append({
            "deal_id": deal_id, "pipeline": "P", "status": status,
            "stage": stage if status == "open" else status.title(),
            "amount": draw(st.none() | st.integers(0, 5000).map(float)),
            "currency": draw(st.sampled_from(["USD", "USD", "EUR"])),
            "owner": draw(st.sampled_from(["Aiko", "Ben", None])),
            "created_at": created, "closed_at": at if status != "open" else None,
            "expected_close_date": (created + timedelta(days=draw(st.integers(0, 90)))).date(),
        })  # fmt: skip
    return {"pipelines": pipeline_rows("P", STAGES, probabilities), "deals": deals,
            "events": events}  # fmt: skip


def random_filters():
    """Return a strategy of filters: a period in 2025 or none, and one of AS_OF_DATES."""
    period = st.sampled_from([(None, None), (date(2025, 1, 1), date(2025, 2, 15)),
                              (date(2025, 2, 1), date(2025, 3, 31))])  # fmt: skip
    return st.builds(lambda p, a: Filters(p[0], p[1], a), period, st.sampled_from(AS_OF_DATES))


def in_temporary_store(rows: dict, check) -> None:
    with tempfile.TemporaryDirectory() as folder:
        con = build_store(Path(folder) / "random.duckdb", **rows)
        try:
            check(con)
        finally:
            con.close()


@settings(max_examples=30, deadline=None)
@given(random_stores(), random_filters())
def test_weighted_pipeline_stays_within_the_open_amount(rows, filters):
    def check(con):
        row = open_pipeline(con, filters).iloc[0]
        assert 0 <= row["weighted_amount"] <= row["open_amount"] + 1e-6
        assert 0 <= row["empirical_weighted_amount"] <= row["open_amount"] + 1e-6
        assert row["no_probability"] <= row["open_count"]
        assert row["unconverted"] <= row["open_count"]

    in_temporary_store(rows, check)


@settings(max_examples=30, deadline=None)
@given(random_stores(), random_filters())
def test_breakdown_adds_up_and_narrowing_never_adds(rows, filters):
    def check(con):
        total = open_pipeline(con, filters).iloc[0]
        parts = open_pipeline(con, filters, by="owner")
        for column in OPEN_PIPELINE_COLUMNS:
            assert parts[column].sum() == pytest.approx(total[column])
        narrowed = filters.narrowed("owner", ["Aiko"])
        assert open_pipeline(con, narrowed).at[0, "open_count"] <= total["open_count"]
        assert velocity(con, narrowed).open_deals <= velocity(con, filters).open_deals
        wide, narrow = empirical_probability(con, filters), empirical_probability(con, narrowed)
        assert (narrow["reached"].to_numpy() <= wide["reached"].to_numpy()[: len(narrow)]).all()

    in_temporary_store(rows, check)


@settings(max_examples=30, deadline=None)
@given(random_stores(), random_filters())
def test_rates_are_shares_and_reach_never_grows_along_the_pipeline(rows, filters):
    def check(con):
        empirical = empirical_probability(con, filters)
        assert empirical["reached"].is_monotonic_decreasing
        assert (empirical["won"] <= empirical["reached"]).all()
        observed = calibration(con, filters)
        assert (observed["won"] <= observed["left"]).all()
        for rate, low, high in [*zip(empirical["probability"], empirical["ci_low"],
                                     empirical["ci_high"], strict=True),
                                *zip(observed["observed"], observed["ci_low"],
                                     observed["ci_high"], strict=True)]:  # fmt: skip
            assert pd.isna(rate) or 0 <= low <= rate <= high <= 1
        v = velocity(con, filters)
        assert v.win_rate is None or 0 <= v.win_rate <= 1
        assert v.median_won_cycle_days is None or v.median_won_cycle_days >= 0
        assert v.per_day is None or v.per_day >= 0

    in_temporary_store(rows, check)
