"""The Overview page on the sample data: every tile is the analytics functions' own figure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from analytics import cycle, forecast, pipeline_value, winrate
from analytics.derived import reporting_currency
from analytics.filters import NONE, Filters
from analytics.period_goal import period_goal, period_pace, won_deals
from analytics.quality import data_as_of
from pages.figures import overview as figures
from pages.figures.goals import status_label
from pages.shared import formatting, periods
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from tests.analytics.builders import build_store, d, day, pipeline_rows
from tests.pages.conftest import run_page

PAGE = "pages/overview.py"


def view(con, key: str = periods.DEFAULT_PERIOD, **where) -> tuple[Filters, Filters]:
    """Return the page's filters for a period choice and those of the previous period."""
    as_of = data_as_of(con)
    period = periods.resolve(key, as_of)
    f = Filters.build(period.start, period.end, as_of, None, where)
    before = period.previous()
    pf = Filters.build(before.start, before.end, as_of, None, where)
    return f, replace(pf, as_of=figures.same_point(f.start, f.end, as_of, before.start, before.end))


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def expected_tiles(con, f: Filters, pf: Filters) -> dict[str, tuple[str, str]]:
    """Return the tiles the page must show, worked out with the analytics functions."""
    cur = reporting_currency(con)
    goal, goal_before = period_goal(con, f), period_goal(con, pf)
    rate, rate_before = (winrate.win_rate(con, x).iloc[0] for x in (f, pf))
    whole_before = winrate.win_rate(con, replace(pf, as_of=min(pf.end, f.as_of))).iloc[0]
    cyc, cyc_before = (cycle.sales_cycle(con, x).set_index("outcome").loc["won"] for x in (f, pf))
    pipe, pipe_before = (pipeline_value.open_pipeline(con, x).iloc[0] for x in (f, pf))
    outlook, cover = forecast.forecast(con, f), forecast.coverage(con, f)
    cover_before = forecast.coverage(con, pf)

    def money(x):
        return formatting.money(x, cur, compact=True)

    def delta(now, before):
        return figures.delta_money(float(now), float(before), cur) or ""

    return {
        "Won revenue": (money(rate["won_amount"]), delta(rate["won_amount"],
                                                          rate_before["won_amount"])),
        "Target": (money(goal.target), ""),
        "Attainment": (formatting.percent(goal.attainment),
                       figures.delta_points(goal.attainment, goal_before.attainment)),
        "Pace": (formatting.percent(goal.pace), ""),
        "Forecast": (money(outlook.forecast), delta(outlook.forecast, whole_before["won_amount"])),
        formatting.rate_label("Win rate", int(rate["n"]), bool(rate["small_sample"])): (
            formatting.percent(rate["rate"]),
            figures.delta_points(rate["rate"], rate_before["rate"]),
        ),
        "Median sales cycle (won)": (formatting.days(cyc["median"]),
                                     figures.delta_days(cyc["median"], cyc_before["median"])),
        # Snapshots of the as-of date, against the snapshot at the previous period's point.
        "Open pipeline": (money(pipe["open_amount"]),
                          delta(pipe["open_amount"], pipe_before["open_amount"])),
        "Weighted pipeline": (money(pipe["weighted_amount"]),
                              delta(pipe["weighted_amount"], pipe_before["weighted_amount"])),
        "Coverage": (figures.coverage_text(cover.coverage),
                     figures.delta_times(cover.coverage, cover_before.coverage) or ""),
    }  # fmt: skip


def test_default_view_and_drill_down_to_the_deals_won(sample_db, expected_con):
    at = run_page(PAGE)
    assert not at.exception
    f, pf = view(expected_con)
    assert tiles(at) == expected_tiles(expected_con, f, pf)
    goal = period_goal(expected_con, f)
    # This quarter of the sample: the company's won-revenue target, on track.
    assert (goal.target_ids, goal.status) == (("T-0457",), "on_track")
    assert f":green-badge[{status_label('on_track')}]" in at.markdown[0].value
    assert at.caption[1].value == (
        "Changes are against the previous period at the same point: "
        f"{formatting.day_range(pf.start, pf.as_of)}."
    )
    # Picking a day of the won line lists the deals won up to it; they add up to the line.
    picked = date(2026, 11, 5)
    at.selectbox(key="overview_won_pick").select(picked.isoformat()).run()
    deals = won_deals(expected_con, f, picked)
    shown = at.dataframe[0].value
    expected = figures.won_deals_table(deals, reporting_currency(expected_con))
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    line = period_pace(expected_con, f).set_index("day")
    assert deals["amount"].sum() == line.loc[pd.Timestamp(picked), "actual_cumulative"]


def test_owner_from_the_url_uses_the_reps_targets(sample_db, expected_con):
    at = run_page(PAGE, {"filter_owner": "Daniel Kim", "filter_period": "Last quarter"})
    assert not at.exception
    f, pf = view(expected_con, "last_quarter", owner=["Daniel Kim"])
    assert tiles(at) == expected_tiles(expected_con, f, pf)
    goal = period_goal(expected_con, f)
    assert goal.scope_values == ("Daniel Kim",) and goal.status in ("achieved", "missed")


def test_a_period_without_data_shows_empty_states(sample_db):
    at = run_page(
        PAGE, {"filter_period": "Custom range", "filter_range": ["2017-01-01", "2017-01-31"]}
    )
    assert not at.exception
    shown = tiles(at)
    assert shown["Target"][0] == formatting.MISSING
    assert shown["Attainment"][0] == formatting.MISSING
    assert shown["Win rate (n=0, small sample)"][0] == formatting.MISSING
    assert shown["Median sales cycle (won)"][0] == formatting.MISSING
    assert [i.value for i in at.info] == [
        "No won-revenue target overlaps this period for this scope. "
        "Add one on the Goals page, or choose a period with a target."
    ]
    assert "No deal was won or lost in the period: no win rate or cycle." in at.caption[-2].value


def test_japanese(sample_db, expected_con):
    at = run_page(PAGE, {"lang": "JA"})
    assert not at.exception
    assert at.title[0].value == "概要"
    f, pf = view(expected_con)
    goal = period_goal(expected_con, f)
    cur = reporting_currency(expected_con)
    set_language(JAPANESE)
    try:
        target = formatting.money(goal.target, cur, compact=True)
        attainment = formatting.percent(goal.attainment)
    finally:
        set_language(ENGLISH)
    shown = tiles(at)
    assert shown["目標"][0] == target
    assert "万" in target
    assert shown["達成率"][0] == attainment
    assert {"受注額", "ペース", "売上予測", "進行中のパイプライン", "カバレッジ"} <= set(shown)


def test_deal_names_from_the_data_show_literally(db_path):
    con = build_store(
        db_path,
        pipelines=pipeline_rows("Sales", ["Lead"]),
        deals=[
            {"deal_id": f"D{i}", "name": name, "pipeline": "Sales", "owner": "Aiko",
             "team": "East", "stage": "Won", "status": "won", "amount": 100.0 * (i + 1),
             "currency": "USD", "created_at": day("2025-01-02"),
             "closed_at": day(f"2025-02-0{i + 1}")}
            for i, name in enumerate(["<script>alert(1)</script>", "**bold**"])
        ],
        targets=[{"target_id": "C", "scope": "company", "metric": "won_amount",
                  "period_start": d("2025-01-01"), "period_end": d("2025-03-31"),
                  "target_value": 1000.0}],
    )  # fmt: skip
    con.close()
    at = run_page(
        PAGE,
        {"filter_period": "Custom range", "filter_range": ["2025-01-01", "2025-03-31"],
         "filter_as_of": "2025-02-10"},
    )  # fmt: skip
    at.selectbox(key="overview_won_pick").select("2025-02-10").run()
    assert not at.exception
    assert list(at.dataframe[0].value["Deal"]) == ["**bold**", "<script>alert(1)</script>"]


@pytest.mark.parametrize(
    "query",
    [
        {"filter_period": "Last quarter"},  # as an English link writes it
        {"filter_period": "前四半期", "lang": "JA"},  # as a Japanese link writes it
        {"filter_period": "last_quarter"},  # the period's key, typed by hand
        {"filter_period": "Last quarter", "lang": "JA"},  # copied before a language switch
        {"filter_period": "前四半期"},  # the other way round
    ],
)
def test_a_link_gives_the_period_in_either_language(sample_db, expected_con, query):
    at = run_page(PAGE, query)
    assert not at.exception
    assert at.selectbox(key="filter_period").value == "last_quarter"
    f, _ = view(expected_con, "last_quarter")
    set_language(JAPANESE if query.get("lang") == "JA" else ENGLISH)
    try:
        dates = periods.resolve("last_quarter", f.as_of).dates()
    finally:
        set_language(ENGLISH)
    assert at.sidebar.caption[0].value.startswith(dates)


def rerun(at, language_code: str) -> None:
    """Run the page again on the URL it holds, as the browser does on the next interaction.

    AppTest formats the widget values it sends in the test thread's language, which must then be
    the page's.
    """
    set_language(language_code)
    try:
        at.run()
    finally:
        set_language(ENGLISH)


@pytest.mark.parametrize(
    ("query", "written"),
    [
        (
            {"filter_period": "Last quarter", "lang": "JA"},
            {"filter_period": "前四半期", "lang": "JA"},
        ),
        ({"filter_period": "前四半期", "lang": "EN"}, {"filter_period": "Last quarter"}),
        ({"filter_period": "前四半期"}, {"filter_period": "Last quarter"}),
        ({"filter_period": "last_quarter"}, {"filter_period": "Last quarter"}),
        (
            {"filter_period": "last_quarter", "lang": "ja"},
            {"filter_period": "前四半期", "lang": "JA"},
        ),
    ],
)
def test_a_link_is_written_back_in_the_current_language(sample_db, query, written):
    at = run_page(PAGE, query)
    assert not at.exception
    assert at.selectbox(key="filter_period").value == "last_quarter"
    assert at.query_params == written
    # A URL copied from the page now reproduces the view.
    rerun(at, JAPANESE if "lang" in written else ENGLISH)
    assert not at.exception
    assert at.query_params == written


@pytest.mark.parametrize("code", ["ja", "Ja"])
def test_a_link_gives_the_language_in_any_case(sample_db, code):
    at = run_page(PAGE, {"lang": code})
    assert not at.exception
    assert at.title[0].value == "概要"
    assert at.query_params == {"lang": "JA"}


@pytest.mark.parametrize(
    ("query", "written"),
    [
        ({"lang": "JA", "filter_values_industry": ["(empty)", "Retail"]}, ["(空欄)", "Retail"]),
        ({"filter_values_industry": ["(空欄)", "Retail"]}, ["(empty)", "Retail"]),
    ],
)
def test_a_link_gives_an_empty_value_in_either_language(sample_db, query, written):
    at = run_page(PAGE, {"filter_dimension": "industry", **query})
    assert not at.exception
    assert at.multiselect(key="filter_values_industry").value == [NONE, "Retail"]
    assert at.query_params["filter_values_industry"] == written
    rerun(at, JAPANESE if "lang" in query else ENGLISH)
    assert at.query_params["filter_values_industry"] == written


def test_a_link_gives_an_empty_owner_in_the_other_language(db_path):
    build_store(
        db_path,
        pipelines=pipeline_rows("Sales", ["Lead"]),
        deals=[
            {"deal_id": f"D{i}", "name": f"Deal {i}", "pipeline": "Sales", "owner": owner,
             "team": "East", "stage": "Lead", "status": "open", "amount": 100.0,
             "currency": "USD", "created_at": day("2025-01-02")}
            for i, owner in enumerate([None, "Aiko"])
        ],
    ).close()  # fmt: skip
    at = run_page(PAGE, {"lang": "JA", "filter_period": "All time", "filter_owner": "(empty)"})
    assert not at.exception
    assert at.multiselect(key="filter_owner").value == [NONE]
    assert at.query_params == {"lang": "JA", "filter_period": "全期間", "filter_owner": "(空欄)"}
