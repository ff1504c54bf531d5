"""Every metric module against the plain-pandas oracle (tests/oracle.py).

The oracle was written from METRICS.md and the briefs alone, so agreement means two
independent readings of the spec give the same numbers. Two kinds of data:

| data                 | what it exercises                                                  |
|----------------------|--------------------------------------------------------------------|
| the committed sample | 4,000 deals in two pipelines, messy on purpose (skips, moves back, |
|                      | no amount, EUR deals converted with monthly rates, closed before   |
|                      | created), under each filter of SAMPLE_FILTERS below; breakdowns by |
|                      | owner, the headline's groups by team                               |
| random stores        | oracle.random_stores: 1-2 pipelines of 1-4 stages, deals born won, |
|                      | skipped stages, moves back, stages not in the pipeline, open       |
|                      | deals, closed before created, amounts None / 0, EUR with 0-2 dated |
|                      | rates, leads converted every way; under oracle.random_filters,     |
|                      | with or without a breakdown by owner                               |

SAMPLE_FILTERS (the sample's data runs to 2026-11-20, its default as-of date):

| name         | filters                                    | why                                   |
|--------------|--------------------------------------------|---------------------------------------|
| all time     | none                                       | whole data, as-of = last day          |
| a quarter    | 2025-04-01 to 2025-06-30                   | period bounds on closed/created dates |
| one pipeline | pipeline Expansion                         | pipeline condition                    |
| an owner     | owner = Priya Raman                        | a where condition                     |
| past as-of   | as of 2025-09-30                           | state reconstructed from timestamps   |
| team quarter | 2026 Q1, as of 2026-02-15, team Enterprise | period cut by a past as-of + where    |

Only the oracle's columns and keys are compared (modules may return more). Floats agree
within 1e-9 relative; None, NaN and NaT agree with each other. Modules not written yet are
skipped with importorskip.
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from datetime import date

import pandas as pd
import pytest
from hypothesis import strategies as st

from analytics import sample, store, winrate
from analytics.filters import Filters
from tests import oracle
from tests.analytics.builders import build_store, day, pipeline_rows

SAMPLE_FILTERS = {
    "all time": Filters(),
    "a quarter": Filters(start=date(2025, 4, 1), end=date(2025, 6, 30)),
    "one pipeline": Filters(pipeline="Expansion"),
    "an owner": Filters.build(where={"owner": ["Priya Raman"]}),
    "past as-of": Filters(as_of=date(2025, 9, 30)),
    "team quarter": Filters.build(
        date(2026, 1, 1), date(2026, 3, 31), date(2026, 2, 15), where={"team": ["Enterprise"]}
    ),
}
NAMES = list(SAMPLE_FILTERS)


def same(a, b) -> bool:
    """Return True when a module's value a and the oracle's b agree."""
    if oracle.missing(a) or oracle.missing(b):
        return oracle.missing(a) and oracle.missing(b)
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, date) or isinstance(b, date):
        return pd.Timestamp(a) == pd.Timestamp(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def differences(got, expected, where: str = "") -> list[str]:
    """Return where got differs from expected (expected's keys and columns only)."""
    if isinstance(expected, pd.DataFrame):
        if len(got) != len(expected):
            return [f"{where}: {len(got)} rows, oracle {len(expected)}"]
        absent = [c for c in expected.columns if c not in got.columns]
        if absent:
            return [f"{where}: no columns {absent}"]
        got = got.reset_index(drop=True)
        expected = expected.reset_index(drop=True)
        return [
            f"{where} row {i} {c}: module {got.at[i, c]!r}, oracle {expected.at[i, c]!r}"
            for i in range(len(expected))
            for c in expected.columns
            if not same(got.at[i, c], expected.at[i, c])
        ]
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{where}: module {got!r}, oracle a dict"]
        return [
            line
            for k, v in expected.items()
            for line in (
                differences(got[k], v, f"{where}.{k}") if k in got else [f"{where}: no key {k}"]
            )
        ]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{where}: module {got!r}, oracle {expected!r}"]
        return [
            line
            for i, (g, e) in enumerate(zip(got, expected, strict=True))
            for line in differences(g, e, f"{where}[{i}]")
        ]
    return [] if same(got, expected) else [f"{where}: module {got!r}, oracle {expected!r}"]


def assert_agree(got, expected, context: str) -> None:
    problems = differences(got, expected)
    shown = (
        "" if not isinstance(expected, pd.DataFrame) else f"\nmodule:\n{got}\noracle:\n{expected}"
    )
    assert not problems, f"{context}\n" + "\n".join(problems[:20]) + shown


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("oracle") / "sample.duckdb")
    sample.load_sample(con)
    yield con
    con.close()


def per_pipeline(con, filters: Filters) -> list[Filters]:
    """Return the filters once per pipeline in scope (funnels are per pipeline)."""
    return [replace(filters, pipeline=p) for p in oracle.scope_pipelines(con, filters)]


# --- one checker per metric: the module's result against the oracle's --------------------


def win_rate(con, f, by=None):
    got = winrate.win_rate(con, f, by=by)
    assert_agree(got, oracle.win_rate(con, f, by), f"win_rate {f} by={by}")


def cohort_win_rate(con, f, by=None):
    got = winrate.cohort_win_rate(con, f, by=by)
    assert_agree(got, oracle.cohort_win_rate(con, f, by), f"cohort_win_rate {f} by={by}")


def sales_cycle(con, f, by=None):
    cycle = pytest.importorskip("analytics.cycle")
    got = cycle.sales_cycle(con, f, by=by)
    assert_agree(got, oracle.sales_cycle(con, f, by), f"sales_cycle {f} by={by}")


def funnel(con, f, by=None):
    module = pytest.importorskip("analytics.funnel")
    for one in per_pipeline(con, f):
        got = module.funnel(con, one, by=by)
        assert_agree(got, oracle.funnel(con, one, by), f"funnel {one} by={by}")


def time_in_stage(con, f, by=None):
    durations = pytest.importorskip("analytics.durations")
    assert_agree(durations.time_in_stage(con, f), oracle.time_in_stage(con, f), f"time {f}")


def open_pipeline(con, f, by=None):
    value = pytest.importorskip("analytics.pipeline_value")
    got = value.open_pipeline(con, f, by=by)
    assert_agree(got, oracle.open_pipeline(con, f, by), f"open_pipeline {f} by={by}")


def empirical_probability(con, f, by=None):
    value = pytest.importorskip("analytics.pipeline_value")
    got = value.empirical_probability(con, f)
    assert_agree(got, oracle.empirical_probability(con, f), f"empirical_probability {f}")


def velocity(con, f, by=None):
    value = pytest.importorskip("analytics.pipeline_value")
    got = asdict(value.velocity(con, f))
    assert_agree(got, asdict(oracle.velocity(con, f)), f"velocity {f}")


def lead_conversion(con, f, by=None):
    leads = pytest.importorskip("analytics.leads")
    by = by and "source"  # leads break down by their own columns only
    got = leads.lead_conversion(con, f, by=by)
    assert_agree(got, oracle.lead_conversion(con, f, by), f"lead_conversion {f} by={by}")


def cohort_summary(con, f, by=None):
    cohorts = pytest.importorskip("analytics.cohorts")
    got = cohorts.cohort_summary(con, f)
    assert_agree(got, oracle.cohort_summary(con, f), f"cohort_summary {f}")


def headline(con, f, by=None):
    module = pytest.importorskip("analytics.headline")
    got = module.headline(con, f, by=by)
    assert_agree(got, oracle.headline(con, f, by), f"headline {f} by={by}")


METRICS = [
    win_rate, cohort_win_rate, sales_cycle, funnel, time_in_stage, open_pipeline,
    empirical_probability, velocity, lead_conversion, cohort_summary, headline,
]  # fmt: skip
# headline's groups are checked on the sample only: the oracle recomputes every figure per group.
BREAKDOWNS = [win_rate, cohort_win_rate, sales_cycle, funnel, open_pipeline, lead_conversion]


# --- the sample --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.__name__)
def test_sample(sample_con, metric, name):
    metric(sample_con, SAMPLE_FILTERS[name])


@pytest.mark.parametrize("name", ["all time", "a quarter", "past as-of"])
@pytest.mark.parametrize("metric", BREAKDOWNS, ids=lambda m: m.__name__)
def test_sample_by_owner(sample_con, metric, name):
    metric(sample_con, SAMPLE_FILTERS[name], by="owner")


@pytest.mark.parametrize("name", ["one pipeline", "past as-of"])
def test_sample_headline_by_team(sample_con, name):
    # By team rather than owner: 2 groups to recompute in the oracle instead of 12.
    headline(sample_con, SAMPLE_FILTERS[name], by="team")


def test_the_sample_filters_select_something(sample_con):
    # Every named view holds closed deals, or agreement could be 0 == 0 throughout.
    for name, f in SAMPLE_FILTERS.items():
        assert oracle.win_rate(sample_con, f).at[0, "n"] > 20, name


def test_sample_headline_counts_are_whole_numbers(sample_con):
    # The JSON of `python -m analytics metrics` should say 26, not 26.0, for 26 deals.
    module = pytest.importorskip("analytics.headline")
    figures = module.headline(sample_con, SAMPLE_FILTERS["one pipeline"])
    counts = {
        "deals": list(figures["deals"].values()),
        "win_rate": [figures["win_rate"]["won"], figures["win_rate"]["lost"]],
        "cycle_days": [figures["cycle_days"][o]["n"] for o in ("won", "lost")],
        "pipeline": [figures["pipeline"]["open_count"]],
        "leads": [figures["leads"]["created"], figures["leads"]["converted"]],
        "funnel": [row["reached"] for row in figures["funnel"]],
        "time_in_stage": [row[c] for row in figures["time_in_stage"]
                          for c in ("completed_visits", "open_now")],
    }  # fmt: skip
    floats = {k: v for k, v in counts.items() if not all(isinstance(x, int) for x in v)}
    assert not floats, f"counts that are not int: {floats}"


# --- a pipeline without deals ------------------------------------------------------------


@pytest.fixture(scope="module")
def idle_pipeline_con(tmp_path_factory):
    """P1 (Lead, Demo) has no deals; the one deal, won, is in P2."""
    path = tmp_path_factory.mktemp("oracle") / "idle.duckdb"
    con = build_store(
        path,
        pipelines=pipeline_rows("P1", ["Lead", "Demo"]) + pipeline_rows("P2", ["Lead"]),
        deals=[{"deal_id": "D1", "pipeline": "P2", "stage": "Won", "status": "won",
                "amount": 100.0, "created_at": day("2025-01-02"),
                "closed_at": day("2025-01-05")}],
        events=[("D1", "Lead", day("2025-01-02")), ("D1", "Won", day("2025-01-05"))],
    )  # fmt: skip
    yield con
    con.close()


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.__name__)
def test_a_pipeline_without_deals(idle_pipeline_con, metric):
    # Zero counts and None rates, one row per stage of P1 where a metric lists stages.
    metric(idle_pipeline_con, Filters(pipeline="P1"))


# --- random stores -----------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.__name__)
def test_random_stores(metric):
    # Skip before hypothesis runs: a skip inside the drawn examples would hide the reason.
    metric_modules = {sales_cycle: "cycle", funnel: "funnel", time_in_stage: "durations",
                      open_pipeline: "pipeline_value", empirical_probability: "pipeline_value",
                      velocity: "pipeline_value", lead_conversion: "leads",
                      cohort_summary: "cohorts", headline: "headline"}  # fmt: skip
    if metric in metric_modules:
        pytest.importorskip(f"analytics.{metric_modules[metric]}")
    oracle.on_random_stores(
        lambda con, f, by: metric(con, f, by) if metric in BREAKDOWNS else metric(con, f),
        st.sampled_from([None, "owner"]),
    )
