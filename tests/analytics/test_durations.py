"""Time in stage, bottleneck and deal timelines on a fixture whose every visit is explained below.

Pipelines: "Sales" (Lead 1, Demo 2, Proposal 3) and "Solo" (Intake 1: a one-stage pipeline).
Main view: period 2025-01-01 to 2025-03-31, as of 2025-03-31, so visits still running are
censored at 2025-04-01 00:00 (the end of the as-of date). Times are 00:00 unless given.

| deal | owner | status | stage events (entered_at)                          | why it is here            |
|------|-------|--------|----------------------------------------------------|---------------------------|
| A    | Aiko  | won    | Lead 01-01, Demo 01-03 12:00, Proposal 01-10 06:00, | fractional-day visits:    |
|      |       |        | Won 01-20                                          | 2.5, 6.75 and 9.75 days   |
| B    | Ben   | lost   | Lead 01-05, Proposal 01-06, Lost 01-12             | skips Demo: 1 and 6 days  |
| C    | Aiko  | open   | Lead 02-01, Demo 02-02, Proposal 02-05, Demo 02-07 | moves back: Demo twice,   |
|      |       |        |                                                    | 3 days, then open 53 days |
| D    | Ben   | open   | Lead 03-30 18:00                                   | open 1.25 days at as-of   |
| E    | Ben   | open   | Lead 03-01, Demo 04-10                             | moves after the as-of     |
|      |       |        |                                                    | date: Lead open 31 days   |
| F    | Aiko  | lost   | Lead 2024-12-01, Lost 2024-12-15                   | visit before the period   |
| G    | -     | won    | Intake 02-10 08:00, Won 02-11 20:00                | one-stage pipeline, 1.5 d |
| N    | Ben   | open   | (none)                                             | no history: no visits     |

Visits in the main view (c = completed, o = open, censored at 2025-04-01):
    Lead:     B 1 c, C 1 c, D 1.25 o, A 2.5 c, E 31 o      (F's visit started before the period)
    Demo:     C 3 c, A 6.75 c, C 53 o                      (E's Demo starts after the as-of date)
    Proposal: C 2 c, B 6 c, A 9.75 c
    Intake:   G 1.5 c

Two tests build their own one-deal store: H (history stops before its close, and visits a
stage the pipeline does not have) and T (two stages with equal medians: the bottleneck tie).
The property tests at the end check generated stores against a Python Kaplan-Meier in exact
fractions.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.durations import (
    UnknownDeal,
    bottleneck,
    deal_stage_totals,
    deal_visits,
    time_in_stage,
)
from analytics.filters import NONE, Filters
from tests.analytics.builders import build_store, d, day, pipeline_rows

PIPELINES = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]) + pipeline_rows("Solo", ["Intake"])


def deal(deal_id, pipeline, stage, status, owner, created, closed=None):
    return {
        "deal_id": deal_id, "pipeline": pipeline, "stage": stage, "status": status,
        "owner": owner, "created_at": day(created), "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("A", "Sales", "Won", "won", "Aiko", "2025-01-01", "2025-01-20"),
    deal("B", "Sales", "Lost", "lost", "Ben", "2025-01-05", "2025-01-12"),
    deal("C", "Sales", "Demo", "open", "Aiko", "2025-02-01"),
    deal("D", "Sales", "Lead", "open", "Ben", "2025-03-30 18:00"),
    deal("E", "Sales", "Demo", "open", "Ben", "2025-03-01"),
    deal("F", "Sales", "Lost", "lost", "Aiko", "2024-12-01", "2024-12-15"),
    deal("G", "Solo", "Won", "won", None, "2025-02-10 08:00", "2025-02-11 20:00"),
    deal("N", "Sales", "Lead", "open", "Ben", "2025-03-15"),
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
    ("G", "Intake", day("2025-02-10 08:00")), ("G", "Won", day("2025-02-11 20:00")),
]  # fmt: skip

VIEW = Filters(start=d("2025-01-01"), end=d("2025-03-31"), as_of=d("2025-03-31"))
STAGES = [("Sales", "Lead", 1), ("Sales", "Demo", 2), ("Sales", "Proposal", 3),
          ("Solo", "Intake", 1)]  # fmt: skip
COLUMNS = [
    "pipeline", "stage", "position", "completed_visits", "median_days", "mean_days", "p75_days",
    "p90_days", "km_median_days", "open_now", "open_median_age_days",
]  # fmt: skip
NONE_STATS = (None, None, None, None)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("durations") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=DEALS, events=EVENTS)
    yield con
    con.close()


def frame(rows, key=False):
    """Return the expected frame from (pipeline, stage, position, n, stats..., km, open, age)."""
    cols = (["key"] if key else []) + COLUMNS
    # object columns keep None as None, the way the metric reports a missing figure
    return pd.DataFrame([list(r) for r in rows], columns=cols, dtype=object)


def check(got, expected):
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-9)


def test_time_in_stage_over_the_period(con):
    expected = frame([
        # Lead completed [1, 1, 2.5]: median 1, mean 4.5 / 3 = 1.5;
        # p75 at rank 0.75 * 2 = 1.5 -> 1 + 0.5 * (2.5 - 1) = 1.75; p90 at 1.8 -> 1 + 0.8 * 1.5 = 2.2.
        # Kaplan-Meier over B 1, C 1, D 1.25 (censored), A 2.5, E 31 (censored):
        #   t = 1:    5 at risk, 2 end -> S = 1 - 2/5 = 0.6
        #   t = 1.25: D censored, S stays 0.6, 3 - 1 = 2 left at risk
        #   t = 2.5:  2 at risk (A, E), 1 ends -> S = 0.6 * (1 - 1/2) = 0.3 <= 0.5 -> median 2.5
        # (the plain median, 1, ignores the two deals still sitting in Lead.)
        # Open now: D 1.25 and E 31 days -> median age (1.25 + 31) / 2 = 16.125.
        ("Sales", "Lead", 1, 3, 1.0, 1.5, 1.75, 2.2, 2.5, 2, 16.125),
        # Demo completed [3, 6.75]: median = mean = 4.875; p75 3 + 0.75 * 3.75 = 5.8125;
        # p90 3 + 0.9 * 3.75 = 6.375. KM: t = 3: 3 at risk, S = 2/3; t = 6.75: 2 at risk
        # (A, C's open 53), S = 2/3 * 1/2 = 1/3 -> 6.75. Open now: C since 02-07 = 53 days.
        ("Sales", "Demo", 2, 2, 4.875, 4.875, 5.8125, 6.375, 6.75, 1, 53.0),
        # Proposal completed [2, 6, 9.75] (B skipped Demo): median 6, mean 17.75 / 3;
        # p75 6 + 0.5 * 3.75 = 7.875; p90 6 + 0.8 * 3.75 = 9.0. No censoring: KM S(2) = 2/3,
        # S(6) = 1/3 -> 6, the plain median.
        ("Sales", "Proposal", 3, 3, 6.0, 17.75 / 3, 7.875, 9.0, 6.0, 0, None),
        # One visit of 1.5 days (02-10 08:00 to 02-11 20:00): S(1.5) = 0.
        ("Solo", "Intake", 1, 1, 1.5, 1.5, 1.5, 1.5, 1.5, 0, None),
    ])  # fmt: skip
    check(time_in_stage(con, VIEW), expected)


def test_time_in_stage_as_of_a_past_date_reconstructs_running_visits(con):
    # As of 2025-01-08 (visits censored at 01-09 00:00), all time: A's Demo (left 01-10) and B's
    # Proposal (left 01-12) were still running; C, D, E, G had not started.
    expected = frame([
        # Lead completed: B 1, A 2.5, F 14 (2024-12-01 to 12-15). mean 17.5 / 3;
        # p75 2.5 + 0.5 * 11.5 = 8.25; p90 2.5 + 0.8 * 11.5 = 11.7; KM S(1) = 2/3, S(2.5) = 1/3.
        ("Sales", "Lead", 1, 3, 2.5, 17.5 / 3, 8.25, 11.7, 2.5, 0, None),
        # Only censored visits: no median, KM never falls (A's Demo 01-03 12:00 -> 5.5 days).
        ("Sales", "Demo", 2, 0, *NONE_STATS, None, 1, 5.5),
        ("Sales", "Proposal", 3, 0, *NONE_STATS, None, 1, 3.0),  # B since 01-06
        ("Solo", "Intake", 1, 0, *NONE_STATS, None, 0, None),
    ])  # fmt: skip
    check(time_in_stage(con, Filters(as_of=d("2025-01-08"))), expected)


BY_OWNER = [
    # G has no owner and is the only deal of Solo.
    ("(none)", "Solo", "Intake", 1, 1, 1.5, 1.5, 1.5, 1.5, 1.5, 0, None),
    # Aiko's Lead [A 2.5, C 1]: p75 1 + 0.75 * 1.5 = 2.125, p90 1 + 0.9 * 1.5 = 2.35;
    # KM: t = 1, 2 at risk, S = 1/2 <= 0.5 -> 1.
    ("Aiko", "Sales", "Lead", 1, 2, 1.75, 1.75, 2.125, 2.35, 1.0, 0, None),
    ("Aiko", "Sales", "Demo", 2, 2, 4.875, 4.875, 5.8125, 6.375, 6.75, 1, 53.0),
    # Aiko's Proposal [C 2, A 9.75]: p75 2 + 0.75 * 7.75 = 7.8125, p90 2 + 0.9 * 7.75 = 8.975.
    ("Aiko", "Sales", "Proposal", 3, 2, 5.875, 5.875, 7.8125, 8.975, 2.0, 0, None),
    # Ben's Lead: B 1 completed, D 1.25 and E 31 open: KM S(1) = 1 - 1/3 = 2/3, and nothing
    # ends afterwards, so no survival-adjusted median although the plain median is 1.
    ("Ben", "Sales", "Lead", 1, 1, 1.0, 1.0, 1.0, 1.0, None, 2, 16.125),
    ("Ben", "Sales", "Demo", 2, 0, *NONE_STATS, None, 0, None),  # a stage without visits
    ("Ben", "Sales", "Proposal", 3, 1, 6.0, 6.0, 6.0, 6.0, 6.0, 0, None),
]


def test_time_in_stage_by_owner(con):
    check(time_in_stage(con, VIEW, by="owner"), frame(BY_OWNER, key=True))


@pytest.mark.parametrize(
    ("owner", "pipeline", "rows"),
    [
        ("Ben", None, [r[1:] for r in BY_OWNER if r[0] == "Ben"]),
        ("Aiko", None, [r[1:] for r in BY_OWNER if r[0] == "Aiko"]),
        (None, "Solo", [r[1:] for r in BY_OWNER if r[0] == "(none)"]),
        # Aiko has no Solo deals, but a chosen pipeline still shows its stages.
        ("Aiko", "Solo", [("Solo", "Intake", 1, 0, *NONE_STATS, None, 0, None)]),
    ],
)
def test_filters_narrow_the_deals_and_the_pipelines_in_scope(con, owner, pipeline, rows):
    where = {"owner": [owner]} if owner else None
    filters = Filters.build(VIEW.start, VIEW.end, VIEW.as_of, pipeline, where)
    check(time_in_stage(con, filters), frame(rows))


def test_an_empty_period_still_counts_the_deals_in_each_stage_now(con):
    # Nothing entered a stage in 2030, but open_now describes the as-of date whatever the period.
    empty = Filters(start=d("2030-01-01"), end=d("2030-12-31"), as_of=d("2025-03-31"))
    expected = frame([
        ("Sales", "Lead", 1, 0, *NONE_STATS, None, 2, 16.125),
        ("Sales", "Demo", 2, 0, *NONE_STATS, None, 1, 53.0),
        ("Sales", "Proposal", 3, 0, *NONE_STATS, None, 0, None),
        ("Solo", "Intake", 1, 0, *NONE_STATS, None, 0, None),
    ])  # fmt: skip
    got = time_in_stage(con, empty)
    check(got, expected)
    assert got.loc[2, "median_days"] is None and got.loc[2, "km_median_days"] is None


def test_bottleneck_is_the_stage_with_the_largest_share_of_its_pipeline(con):
    # Sales KM medians 2.5 + 6.75 + 6 = 15.25; Solo has one stage, so it is its own bottleneck.
    expected = pd.DataFrame(
        [("Sales", "Lead", 1, 2.5, 2.5 / 15.25, False),
         ("Sales", "Demo", 2, 6.75, 6.75 / 15.25, True),
         ("Sales", "Proposal", 3, 6.0, 6.0 / 15.25, False),
         ("Solo", "Intake", 1, 1.5, 1.0, True)],
        columns=["pipeline", "stage", "position", "km_median_days", "share", "is_bottleneck"],
    )  # fmt: skip
    check(bottleneck(con, VIEW), expected)


@pytest.mark.parametrize(
    ("filters", "shares", "flags"),
    [
        # Ben's Lead and Demo have no KM median: Proposal (6) takes the whole share.
        (Filters.build(VIEW.start, VIEW.end, VIEW.as_of, where={"owner": ["Ben"]}),
         [None, None, 1.0], [False, False, True]),
        # No visit in 2030: no share, no bottleneck.
        (Filters(start=d("2030-01-01"), as_of=d("2025-03-31")),
         [None, None, None, None], [False, False, False, False]),
    ],
)  # fmt: skip
def test_bottleneck_without_medians(con, filters, shares, flags):
    got = bottleneck(con, filters)
    assert got["share"].tolist() == shares
    assert got["is_bottleneck"].tolist() == flags


def test_deal_visits_show_a_move_back_and_the_open_visit_up_to_the_as_of_date(con):
    expected = pd.DataFrame(
        [("Lead", 1, day("2025-02-01"), day("2025-02-02"), 1.0, False),
         ("Demo", 2, day("2025-02-02"), day("2025-02-05"), 3.0, False),
         ("Proposal", 3, day("2025-02-05"), day("2025-02-07"), 2.0, False),
         ("Demo", 2, day("2025-02-07"), day("2025-04-01"), 53.0, True)],
        columns=["stage", "position", "entered_at", "left_at", "days", "is_open"],
    )  # fmt: skip
    check(deal_visits(con, "C", d("2025-03-31")), expected)


def test_deal_stage_totals_sum_the_visits_of_each_stage(con):
    # C: Demo 3 + 53 = 56 days over two visits.
    expected = pd.DataFrame(
        [("Lead", 1, 1, 1.0), ("Demo", 2, 2, 56.0), ("Proposal", 3, 1, 2.0)],
        columns=["stage", "position", "visits", "total_days"],
    )
    check(deal_stage_totals(con, "C", d("2025-03-31")), expected)


@pytest.mark.parametrize(
    ("as_of", "rows"),
    [
        # As of 01-08: Demo (entered 01-03 12:00) is open, censored at 01-09 -> 5.5 days.
        ("2025-01-08", [("Lead", 1, 1, 2.5), ("Demo", 2, 1, 5.5)]),
        # Default as-of date (the data's last date, 2025-04-10): every visit ended.
        (None, [("Lead", 1, 1, 2.5), ("Demo", 2, 1, 6.75), ("Proposal", 3, 1, 9.75)]),
        # Before the deal existed: an empty timeline.
        ("2024-06-30", []),
    ],
)
def test_deal_stage_totals_as_of(con, as_of, rows):
    got = deal_stage_totals(con, "A", d(as_of) if as_of else None)
    expected = pd.DataFrame(rows, columns=["stage", "position", "visits", "total_days"])
    check(got, expected)


def test_a_deal_without_history_has_an_empty_timeline(con):
    got = deal_visits(con, "N", d("2025-03-31"))
    assert got.empty
    assert list(got.columns) == ["stage", "position", "entered_at", "left_at", "days", "is_open"]


def test_an_unknown_deal_is_a_named_error(con):
    with pytest.raises(UnknownDeal):
        deal_visits(con, "nope")
    with pytest.raises(UnknownDeal):
        deal_stage_totals(con, "nope")


def test_a_single_deal_whose_history_stops_before_its_close(tmp_path):
    """H, lost on 02-20 12:00, has events Lead 02-15 and "Legacy" 02-18 (a stage the pipeline
    does not have) but no Lost event: its last visit ends at the close, not at the as-of date."""
    con = build_store(
        tmp_path / "one.duckdb",
        pipelines=pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]),
        deals=[deal("H", "Sales", "Lost", "lost", "Ben", "2025-02-15", "2025-02-20 12:00")],
        events=[("H", "Lead", day("2025-02-15")), ("H", "Legacy", day("2025-02-18"))],
    )
    as_of = Filters(as_of=d("2025-03-31"))
    # Lead 02-15 -> 02-18 = 3 days; Legacy is not an open stage of Sales, so no row of its own.
    check(time_in_stage(con, as_of), frame([
        ("Sales", "Lead", 1, 1, 3.0, 3.0, 3.0, 3.0, 3.0, 0, None),
        ("Sales", "Demo", 2, 0, *NONE_STATS, None, 0, None),
        ("Sales", "Proposal", 3, 0, *NONE_STATS, None, 0, None),
    ]))  # fmt: skip
    # The timeline keeps the unknown stage (no position, last): 02-18 -> 02-20 12:00 = 2.5 days.
    expected = pd.DataFrame({
        "stage": ["Lead", "Legacy"], "position": pd.array([1, None], dtype="Int64"),
        "visits": [1, 1], "total_days": [3.0, 2.5],
    })  # fmt: skip
    check(deal_stage_totals(con, "H", as_of.as_of), expected)
    con.close()


@pytest.mark.parametrize(
    "filters",
    [VIEW, Filters(as_of=d("2025-01-08")), Filters(VIEW.start, VIEW.end, VIEW.as_of, "Sales")],
)
def test_a_condition_every_deal_meets_changes_no_figure(con, filters):
    """Without conditions only the visits lacking a next event are joined to their deals; a
    condition that every deal meets (owner Aiko, Ben or none) joins them all, same figures."""
    everyone = filters.narrowed("owner", ["Aiko", "Ben", NONE])
    check(time_in_stage(con, everyone), time_in_stage(con, filters))


# --- properties over small generated stores -------------------------------------------------

BASE = datetime(2025, 1, 1)
STAGE_NAMES = {"P3": ["S1", "S2", "S3"], "P1": ["T1"]}

deal_strategy = st.tuples(
    st.sampled_from(["P3", "P1"]),
    st.sampled_from(["a", "b", None]),
    st.integers(0, 1500),  # hours after BASE of the first event
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 400)), min_size=1, max_size=5),
    st.sampled_from([None, "Won", "Lost"]),
)
view_strategy = st.tuples(
    st.integers(0, 120),  # as-of: days after BASE
    st.one_of(st.none(), st.integers(0, 90)),  # period start: days after BASE
    st.one_of(st.none(), st.integers(0, 60)),  # period length in days
)


def make_store(folder: str, specs) -> tuple:
    """Return (connection, events by deal) for generated deals: (pipeline, owner, start hour,
    [(stage index, hours in it)], outcome); times are whole hours, so no two events tie."""
    deals, events, by_deal = [], [], {}
    for i, (pipeline, owner, start, steps, outcome) in enumerate(specs):
        names = STAGE_NAMES[pipeline]
        t = BASE + timedelta(hours=start)
        seq = []
        for stage_index, hours in steps:
            seq.append((names[stage_index % len(names)], t))
            t += timedelta(hours=hours)
        if outcome:
            seq.append((outcome, t))
        deal_id = f"X{i}"
        by_deal[deal_id] = (owner, seq)
        events += [(deal_id, stage, at) for stage, at in seq]
        deals.append({
            "deal_id": deal_id, "pipeline": pipeline, "owner": owner,
            "stage": outcome or seq[-1][0],
            "status": {"Won": "won", "Lost": "lost"}.get(outcome, "open"),
            "created_at": seq[0][1], "closed_at": t if outcome else None,
        })  # fmt: skip
    pipelines = pipeline_rows("P3", STAGE_NAMES["P3"]) + pipeline_rows("P1", STAGE_NAMES["P1"])
    con = build_store(Path(folder) / "x.duckdb", pipelines=pipelines, deals=deals, events=events)
    return con, by_deal


def view_filters(view, owner=None) -> Filters:
    as_of_days, start_days, length = view
    start = (BASE + timedelta(days=start_days)).date() if start_days is not None else None
    end = start + timedelta(days=length) if start and length is not None else None
    where = {"owner": [owner]} if owner else None
    return Filters.build(start, end, (BASE + timedelta(days=as_of_days)).date(), None, where)


def km_median(durations: list[tuple[float, bool]]) -> float | None:
    """Kaplan-Meier median by the textbook: exact fractions, censored visits at risk at t."""
    survival = Fraction(1)
    for t in sorted({t for t, _ in durations}):
        at_risk = sum(1 for u, _ in durations if u >= t)
        ended = sum(1 for u, done in durations if u == t and done)
        survival *= 1 - Fraction(ended, at_risk)
        if ended and survival <= Fraction(1, 2):
            return t
    return None


def reference(by_deal, filters: Filters) -> dict:
    """Return per (pipeline, stage) the visits the definition selects, computed in Python."""
    end = datetime.combine(filters.as_of + timedelta(days=1), datetime.min.time())
    start = datetime.combine(filters.start, datetime.min.time()) if filters.start else None
    stop = datetime.combine(filters.end + timedelta(days=1), datetime.min.time()) \
        if filters.end else None  # fmt: skip
    owners = dict(filters.where).get("owner")
    out: dict = {}
    for owner, seq in by_deal.values():
        if owners and owner not in owners:
            continue
        for (stage, entered), nxt in zip(seq, [*seq[1:], None], strict=True):
            if stage in ("Won", "Lost") or entered >= end:
                continue
            left = nxt[1] if nxt else None
            done = left is not None and left < end
            days = ((left if done else end) - entered).total_seconds() / 86400
            in_period = (start is None or entered >= start) and (stop is None or entered < stop)
            entry = out.setdefault(stage, {"period": [], "open": []})
            if in_period:
                entry["period"].append((days, done))
            if not done:
                entry["open"].append(days)
    return out


@settings(max_examples=30, deadline=None)
@given(st.lists(deal_strategy, min_size=1, max_size=8), view_strategy)
def test_time_in_stage_matches_a_python_reference(specs, view):
    with tempfile.TemporaryDirectory() as folder:
        con, by_deal = make_store(folder, specs)
        filters = view_filters(view)
        got = time_in_stage(con, filters)
        ref = reference(by_deal, filters)
        assert set(ref) <= set(got["stage"])
        for row in got.itertuples():
            entry = ref.get(row.stage, {"period": [], "open": []})
            done = [t for t, ended in entry["period"] if ended]
            assert row.completed_visits == len(done)
            assert row.open_now == len(entry["open"])
            if done:
                assert row.median_days == pytest.approx(float(np.quantile(done, 0.5)))
                assert row.p90_days == pytest.approx(float(np.quantile(done, 0.9)))
                assert min(done) >= 0
                assert min(done) - 1e-9 <= row.median_days <= max(done) + 1e-9
                assert row.median_days <= row.p75_days + 1e-9
                assert row.p75_days <= row.p90_days + 1e-9
            else:
                assert row.median_days is None
            expected_km = km_median(entry["period"])
            if expected_km is None:
                assert row.km_median_days is None
            else:
                assert row.km_median_days == pytest.approx(expected_km)
                assert row.km_median_days >= 0
            if entry["open"]:
                assert row.open_median_age_days >= 0
        shares = bottleneck(con, filters)
        for _, group in shares.groupby("pipeline"):
            known = group["share"].dropna()
            assert group["is_bottleneck"].sum() == (1 if len(known) else 0)
            if len(known):
                assert float(known.sum()) == pytest.approx(1.0)
                assert ((known >= 0) & (known <= 1)).all()
        con.close()


@settings(max_examples=30, deadline=None)
@given(st.lists(deal_strategy, min_size=1, max_size=8), view_strategy)
def test_breakdowns_add_up_and_narrowing_never_adds_visits(specs, view):
    with tempfile.TemporaryDirectory() as folder:
        con, _ = make_store(folder, specs)
        total = time_in_stage(con, view_filters(view)).set_index(["pipeline", "stage"])
        parts = time_in_stage(con, view_filters(view), by="owner")
        summed = parts.groupby(["pipeline", "stage"])[["completed_visits", "open_now"]].sum()
        joined = total.merge(summed, left_index=True, right_index=True, suffixes=("", "_sum"))
        assert (joined["completed_visits"] == joined["completed_visits_sum"]).all()
        assert (joined["open_now"] == joined["open_now_sum"]).all()
        narrow = time_in_stage(con, view_filters(view, "a")).set_index(["pipeline", "stage"])
        both = narrow.merge(total, left_index=True, right_index=True, suffixes=("", "_all"))
        assert (both["completed_visits"] <= both["completed_visits_all"]).all()
        assert (both["open_now"] <= both["open_now_all"]).all()
        con.close()


def test_equal_shares_make_the_earlier_stage_the_bottleneck(tmp_path):
    # T: Lead 2 days, Demo 2 days, then Won; Proposal never entered. Shares 2/4 and 2/4.
    con = build_store(
        tmp_path / "tie.duckdb",
        pipelines=pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]),
        deals=[deal("T", "Sales", "Won", "won", "Ben", "2025-02-01", "2025-02-05")],
        events=[("T", "Lead", day("2025-02-01")), ("T", "Demo", day("2025-02-03")),
                ("T", "Won", day("2025-02-05"))],
    )  # fmt: skip
    got = bottleneck(con, Filters(as_of=d("2025-03-31")))
    assert got["share"].tolist() == [0.5, 0.5, None]
    assert got["is_bottleneck"].tolist() == [True, False, False]
    con.close()


def test_bottleneck_from_a_time_in_stage_frame_equals_the_query(con):
    filters = Filters(as_of=d("2025-03-31"))
    given = bottleneck(con, filters, stages=time_in_stage(con, filters))
    pd.testing.assert_frame_equal(given, bottleneck(con, filters))
