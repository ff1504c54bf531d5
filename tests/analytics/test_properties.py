"""Invariants every metric must keep, checked by hypothesis on small random stores.

The stores come from oracle.random_stores (1-2 pipelines of 1-4 stages; deals born won,
skipping stages, moving back, entering stages not in the pipeline, still open, closed before
they were created; amounts None or 0 and a second currency; leads, activities, amount and
close-date changes) and the filters from oracle.random_filters (a period or none, an as-of
date in the past or the default, pipeline P1 or none, an owner condition or none).

| invariant (the issue's list)               | where it is checked                              |
|--------------------------------------------|--------------------------------------------------|
| rates within [0, 1]                        | win rate, value win rate, cohort win rate, their |
|                                            | intervals; funnel conversion and cumulative;     |
|                                            | empirical probability; lead conversion and       |
|                                            | lead-to-win; cohort win rate by month; follow-up |
|                                            | coverage                                         |
| reached never increases along the funnel   | funnel (reached mode), per pipeline and per      |
|                                            | owner, Won row included                          |
| stage accounting adds up for every stage   | entered = advanced + lost + moved back + still   |
|                                            | there                                            |
| waterfall bars add up exactly              | open at A + every bar = open at B, to the cent,  |
|                                            | for random windows                               |
| durations >= 0                             | time in stage (stats, KM median, open ages),     |
|                                            | visits and stage totals of every deal, sales     |
|                                            | cycle, days to convert a lead, time to first     |
|                                            | activity, median won cycle of cohorts            |
| the sum over a breakdown equals the total  | every count and amount above, by owner (leads by |
|                                            | source; activities by owner and by type)         |
| narrowing a filter never increases a count | the same counts with source = Web added          |

Modules not written yet are skipped with importorskip at the top of their test.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import strategies as st

from analytics import winrate
from analytics.filters import Filters, pipelines_in_scope
from tests import oracle

EXAMPLES = 30  # stores per property: about 10 s each


def present(values):
    return [v for v in values if not oracle.missing(v)]


def assert_within_0_1(frame, columns, what):
    for column in columns:
        for value in present(frame[column]):
            assert 0 <= value <= 1, f"{what}: {column} = {value}\n{frame}"


def assert_non_negative(frame, columns, what):
    for column in columns:
        for value in present(frame[column]):
            assert value >= 0, f"{what}: {column} = {value}\n{frame}"


def close(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def totals(frame, columns, keys):
    """Return {row key: {column: value}} for frame's rows identified by the keys columns."""
    out: dict = {}
    for _, row in frame.iterrows():
        mine = out.setdefault(tuple(row[k] for k in keys), dict.fromkeys(columns, 0))
        for c in columns:
            mine[c] += 0 if oracle.missing(row[c]) else row[c]
    return out


def assert_breakdown_adds_up(by_frame, total, columns, what, keys=()):
    """The rows of by_frame, summed per keys (e.g. stage), equal the rows of total."""
    summed = totals(by_frame, columns, keys)
    for key, expected in totals(total, columns, keys).items():
        got = summed.get(key, dict.fromkeys(columns, 0))
        for c in columns:
            assert close(got[c], expected[c]), (
                f"{what} {key} {c}: by key {got[c]}, total {expected[c]}"
            )


def assert_not_more(narrow, wide, columns, what, keys=()):
    """Every count of narrow is at most the same count of wide."""
    before = totals(wide, columns, keys)
    for key, got in totals(narrow, columns, keys).items():
        for c in columns:
            limit = before.get(key, dict.fromkeys(columns, 0))[c]
            assert got[c] <= limit, f"{what} {key} {c}: {got[c]} after narrowing, {limit} before"


def narrowed(f: Filters) -> Filters:
    return f.narrowed("source", ["Web"])  # random filters never set source


def one_pipeline_each(con, f: Filters) -> list[Filters]:
    return [replace(f, pipeline=p) for p in pipelines_in_scope(con, f)]


def test_win_rates():
    def check(con, f):
        counts = ["won", "lost", "n", "won_amount", "lost_amount", "unconverted"]
        for fn, rates, summed in (
            (winrate.win_rate, ["rate", "ci_low", "ci_high", "value_rate"], counts),
            (winrate.cohort_win_rate, ["rate", "ci_low", "ci_high"], ["created", "won", "lost"]),
        ):
            total = fn(con, f)
            assert_within_0_1(total, rates, fn.__name__)
            assert_breakdown_adds_up(fn(con, f, by="owner"), total, summed, fn.__name__)
            assert_not_more(fn(con, narrowed(f)), total, summed, fn.__name__)

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_funnel():
    funnel = pytest.importorskip("analytics.funnel")

    def check(con, f):
        for one in one_pipeline_each(con, f):
            total = funnel.funnel(con, one)
            reached = list(total["reached"])
            assert reached == sorted(reached, reverse=True), f"reached increases: {total}"
            assert_within_0_1(total, ["conversion", "cumulative"], "funnel")
            assert_non_negative(total, ["reached", "drop_off"], "funnel")
            by_owner = funnel.funnel(con, one, by="owner")
            for _, rows in by_owner.groupby("key"):
                mine = list(rows["reached"])
                assert mine == sorted(mine, reverse=True), f"reached increases: {rows}"
            cols = ["reached", "drop_off"]
            assert_breakdown_adds_up(by_owner, total, cols, "funnel", keys=["stage"])
            assert_not_more(funnel.funnel(con, narrowed(one)), total, cols, "funnel", ["stage"])
            accounting = funnel.stage_accounting(con, one)
            for _, row in accounting.iterrows():
                parts = row["advanced"] + row["lost"] + row["moved_back"] + row["still_there"]
                assert row["entered"] == parts, f"stage accounting:\n{accounting}"

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_time_in_stage():
    durations = pytest.importorskip("analytics.durations")
    days = ["median_days", "mean_days", "p75_days", "p90_days", "km_median_days",
            "open_median_age_days"]  # fmt: skip
    counts = ["completed_visits", "open_now"]

    def check(con, f):
        total = durations.time_in_stage(con, f)
        assert_non_negative(total, days + counts, "time_in_stage")
        by_owner = durations.time_in_stage(con, f, by="owner")
        assert_non_negative(by_owner, days, "time_in_stage by owner")
        keys = ["pipeline", "stage"]
        assert_breakdown_adds_up(by_owner, total, counts, "time_in_stage", keys)
        assert_not_more(durations.time_in_stage(con, narrowed(f)), total, counts, "time", keys)
        for (deal_id,) in con.execute("SELECT deal_id FROM deals").fetchall():
            as_of = f.as_of
            assert_non_negative(durations.deal_visits(con, deal_id, as_of), ["days"], deal_id)
            totals_ = durations.deal_stage_totals(con, deal_id, as_of)
            assert_non_negative(totals_, ["visits", "total_days"], deal_id)

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_sales_cycle():
    cycle = pytest.importorskip("analytics.cycle")

    def check(con, f):
        total = cycle.sales_cycle(con, f)
        assert_non_negative(
            total, ["n", "median", "mean", "p25", "p75", "p90", "excluded"], "cycle"
        )
        counts = ["n", "excluded"]
        by_owner = cycle.sales_cycle(con, f, by="owner")
        assert_breakdown_adds_up(by_owner, total, counts, "sales_cycle", keys=["outcome"])
        assert_not_more(cycle.sales_cycle(con, narrowed(f)), total, counts, "cycle", ["outcome"])

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_pipeline_value():
    value = pytest.importorskip("analytics.pipeline_value")

    def check(con, f):
        total = value.open_pipeline(con, f)
        amounts = ["open_amount", "weighted_amount", "empirical_weighted_amount"]
        counts = ["open_count", "no_probability", "unconverted"]
        assert_non_negative(total, amounts + counts, "open_pipeline")
        # Stage probabilities of the random stores are at most 1.
        assert total.at[0, "weighted_amount"] <= total.at[0, "open_amount"] + 1e-6
        by_owner = value.open_pipeline(con, f, by="owner")
        assert_breakdown_adds_up(by_owner, total, counts + amounts, "open_pipeline")
        assert_not_more(value.open_pipeline(con, narrowed(f)), total, counts, "open_pipeline")
        for one in one_pipeline_each(con, f):
            probability = value.empirical_probability(con, one)
            assert_within_0_1(probability, ["probability", "ci_low", "ci_high"], "empirical")

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_leads():
    leads = pytest.importorskip("analytics.leads")

    def check(con, f):
        total = leads.lead_conversion(con, f)
        rates = ["conversion_rate", "ci_low", "ci_high", "lead_to_win_rate"]
        assert_within_0_1(total, rates, "lead_conversion")
        assert_non_negative(total, ["median_days_to_convert"], "lead_conversion")
        row = total.iloc[0]
        assert row["won"] <= row["converted"] <= row["created"]
        counts = ["created", "converted", "won"]
        for by in ("source", "owner"):
            by_key = leads.lead_conversion(con, f, by=by)
            assert_breakdown_adds_up(by_key, total, counts, f"leads by {by}")
        assert_not_more(leads.lead_conversion(con, narrowed(f)), total, counts, "leads")

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_cohorts():
    cohorts = pytest.importorskip("analytics.cohorts")

    def check(con, f):
        total = cohorts.cohort_summary(con, f)
        assert_within_0_1(total, ["win_rate"], "cohort_summary")
        assert_non_negative(total, ["median_won_cycle_days"], "cohort_summary")
        for _, row in total.iterrows():
            assert row["created"] == row["won"] + row["lost"] + row["open"], f"{total}"
        counts = ["created", "won", "lost", "open", "won_amount"]
        by_owner = cohorts.cohort_summary(con, f, by="owner")
        assert_breakdown_adds_up(by_owner, total, counts, "cohorts", keys=["cohort_month"])
        narrow = cohorts.cohort_summary(con, narrowed(f))
        assert_not_more(narrow, total, counts[:4], "cohorts", keys=["cohort_month"])

    oracle.on_random_stores(check, examples=EXAMPLES)


def test_activities():
    activities = pytest.importorskip("analytics.activity_metrics")

    def check(con, f):
        total = activities.activity_volume(con, f)
        counts = ["completed", "planned", "overdue", "total"]
        for by in ("owner", "type"):
            by_key = activities.activity_volume(con, f, by=by)
            assert_breakdown_adds_up(by_key, total, counts, f"activity_volume by {by}")
        narrow = activities.activity_volume(con, narrowed(f))
        assert_not_more(narrow, total, counts, "activity_volume")
        first = activities.time_to_first_activity(con, f)
        days = ["median_days", "mean_days", "p75_days"]
        assert_non_negative(first, days, "time_to_first_activity")
        by_owner = activities.time_to_first_activity(con, f, by="owner")
        assert_breakdown_adds_up(by_owner, first, ["deals", "with_activity"], "first activity")
        coverage = activities.follow_up_coverage(con, f)
        assert_within_0_1(coverage, ["rate", "ci_low", "ci_high"], "follow_up_coverage")

    oracle.on_random_stores(check, examples=EXAMPLES)


WINDOWS = st.tuples(st.integers(-5, 70), st.integers(1, 30)).map(
    lambda t: (date(2025, 1, 1) + timedelta(days=t[0]), date(2025, 1, 1) + timedelta(sum(t)))
)


def test_waterfall_adds_up():
    weekly = pytest.importorskip("analytics.weekly")

    def check(con, f, window):
        bars = weekly.waterfall(con, f, *window).set_index("step")["amount"]
        steps = ["created", "won", "lost", "amount_changes", "reopened_or_other"]
        moved = bars["open_at_a"] + sum(bars[s] for s in steps)
        assert abs(moved - bars["open_at_b"]) < 0.005, f"waterfall {window}:\n{bars}"
        assert min(bars["open_at_a"], bars["created"], bars["open_at_b"]) >= 0, f"{bars}"
        assert max(bars["won"], bars["lost"]) <= 0, f"won and lost are drawn down:\n{bars}"

    oracle.on_random_stores(check, WINDOWS, examples=EXAMPLES)
