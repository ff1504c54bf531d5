"""The Velocity page on the sample data: the numbers it shows are the analytics functions' own."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analytics import cycle, durations, pipeline_value, winrate
from analytics.derived import reporting_currency
from analytics.distributions import stage_spread
from analytics.drilldown import completed_visits, deals_in_stage
from analytics.filters import Filters
from analytics.quality import data_as_of
from pages.figures import velocity as figures
from pages.figures.funnel import deal_table
from pages.shared import formatting, periods
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from tests.analytics.builders import build_store, day, pipeline_rows
from tests.pages.conftest import run_page

PAGE = "pages/velocity.py"


def view(con, key: str = periods.DEFAULT_PERIOD) -> Filters:
    """Return the analytics filters the page uses for a period choice on the sample data."""
    period = periods.resolve(key, data_as_of(con))
    return Filters.build(period.start, period.end, data_as_of(con))


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def table(at, column: str) -> pd.DataFrame:
    """Return the one shown table that has the column."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found.reset_index(drop=True)


def stage_rows(con, f: Filters) -> pd.DataFrame:
    stages = durations.time_in_stage(con, f)
    return figures.stage_rows(
        stages, stage_spread(con, f), durations.bottleneck(con, f, stages=stages)
    )


def test_default_view_velocity_time_in_stage_and_drill(sample_db, expected_con):
    at = run_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Velocity"
    f = view(expected_con)
    currency = reporting_currency(expected_con)
    speed = pipeline_value.velocity(expected_con, f)
    previous = periods.resolve(periods.DEFAULT_PERIOD, f.as_of).previous()
    before = pipeline_value.velocity(expected_con, f.with_period(previous.start, previous.end))
    rate = winrate.win_rate(expected_con, f).iloc[0]
    change = speed.per_day - before.per_day
    tiles = metrics(at)
    assert tiles["Velocity per day"] == (
        formatting.money(speed.per_day, currency),
        f"{'+' if change >= 0 else '-'}{formatting.money(abs(change), currency)} vs previous period",
    )
    assert tiles["Open deals"][0] == formatting.count(speed.open_deals)
    assert tiles[f"Win rate (n={formatting.count(int(rate['n']))})"] == (
        formatting.percent(speed.win_rate),
        "",
    )
    assert tiles["Average won amount"][0] == formatting.money(speed.avg_won_amount, currency)
    assert tiles["Median won cycle"][0] == formatting.days(speed.median_won_cycle_days, 1)

    # Time in stage of the larger pipeline, the other one offered.
    assert at.segmented_control(key="velocity_pipeline").value == "New Business"
    nb = replace(f, pipeline="New Business")
    rows = stage_rows(expected_con, nb)
    pd.testing.assert_frame_equal(
        table(at, "Survival-adjusted median"), figures.time_in_stage_table(rows)
    )
    neck = figures.bottleneck_stage(rows)
    assert at.warning[0].value.startswith(
        f"Bottleneck: {neck['stage']}, a survival-adjusted median of"
    )

    # Drill into a stage: the deals sitting in it now, then its completed visits.
    at.selectbox(key="velocity_drill_pick").select("Approach").run()
    sitting = deals_in_stage(expected_con, nb, "Approach", limit=500)
    shown = table(at, "Deal ID")
    assert len(shown) == int(rows.set_index("stage").loc["Approach", "open_now"])
    pd.testing.assert_frame_equal(shown, deal_table(sitting, currency), check_dtype=False)
    at.segmented_control(key="velocity_drill_show").set_value("visits").run()
    visits = completed_visits(expected_con, nb, "Approach", limit=500)
    pd.testing.assert_frame_equal(
        table(at, "Deal ID"), deal_table(visits, currency), check_dtype=False
    )
    assert not at.exception


def test_sales_cycle_tab_with_url_filters(sample_db, expected_con):
    at = run_page(
        PAGE,
        {"filter_period": "Last quarter", "filter_owner": "Daniel Kim"},
        velocity_tab="Sales cycle",
    )
    assert not at.exception
    period = periods.resolve("last_quarter", data_as_of(expected_con))
    f = Filters.build(
        period.start, period.end, data_as_of(expected_con), None, {"owner": ["Daniel Kim"]}
    )
    summary = cycle.sales_cycle(expected_con, f)
    won, lost = summary.iloc[0], summary.iloc[1]
    tiles = metrics(at)
    assert tiles[f"Median cycle, won deals (n={formatting.count(int(won['n']))})"] == (
        formatting.days(won["median"], 1),
        "",
    )
    lost_label = f"Median cycle, lost deals (n={formatting.count(int(lost['n']))})"
    assert tiles[lost_label][0] == formatting.days(lost["median"], 1)
    pd.testing.assert_frame_equal(table(at, "Outcome"), figures.cycle_table(summary))
    assert len(at.get("plotly_chart")) == 2  # histogram and trend


def test_filters_leaving_nothing_show_empty_states(sample_db):
    at = run_page(
        PAGE,
        # The custom range's widget accepts ten years back from the as-of date.
        {"filter_period": "Custom range", "filter_range": ["2017-01-01", "2017-01-31"]},
        velocity_tab="Sales cycle",
    )
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No deal closed in this period. Try a longer period or fewer filters."
    ]
    assert any(c.value.startswith("No velocity for these filters") for c in at.caption)
    tiles = metrics(at)
    assert tiles["Velocity per day"][0] == formatting.MISSING
    assert tiles["Win rate (n=0, small sample)"] == (formatting.MISSING, "")


def test_japanese(sample_db, expected_con):
    at = run_page(PAGE, {"lang": "JA"})
    assert not at.exception
    assert at.title[0].value == "速度"
    f = view(expected_con)
    speed = pipeline_value.velocity(expected_con, f)
    currency = reporting_currency(expected_con)
    set_language(JAPANESE)
    try:
        tiles = metrics(at)
        assert tiles["1 日あたりの速度"][0] == formatting.money(speed.per_day, currency)
        assert tiles["受注サイクルの中央値"][0] == formatting.days(speed.median_won_cycle_days, 1)
        rows = stage_rows(expected_con, replace(f, pipeline="New Business"))
        pd.testing.assert_frame_equal(
            table(at, "生存時間調整済みの中央値"), figures.time_in_stage_table(rows)
        )
    finally:
        set_language(ENGLISH)


def test_names_from_the_data_show_literally(db_path):
    stages = ["**Intro**", "Pitch"]
    deals = [
        {"deal_id": "D1", "name": "<script>alert(1)</script>", "pipeline": "P", "owner": "Aiko",
         "status": "open", "created_at": day("2026-10-02"), "amount": 10.0, "currency": "USD"},
        {"deal_id": "D2", "name": "**bold**", "pipeline": "P", "owner": "Aiko", "status": "open",
         "created_at": day("2026-10-05"), "amount": 20.0, "currency": "USD"},
    ]  # fmt: skip
    events = [("D1", "**Intro**", day("2026-10-02")), ("D2", "**Intro**", day("2026-10-05"))]
    build_store(db_path, pipelines=pipeline_rows("P", stages), deals=deals, events=events).close()
    at = run_page(PAGE, {"filter_as_of": "2026-11-20"})
    assert not at.exception
    assert table(at, "Survival-adjusted median")["Stage"].tolist() == stages
    at.selectbox(key="velocity_drill_pick").select("**Intro**").run()
    assert table(at, "Deal ID")["Deal"].tolist() == ["<script>alert(1)</script>", "**bold**"]
