"""The Funnel page on the sample data: the numbers it shows are the analytics functions' own."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analytics import funnel
from analytics.derived import reporting_currency
from analytics.drilldown import drop_off_deals
from analytics.filters import Filters
from analytics.quality import data_as_of
from pages.figures import funnel as figures
from pages.shared import formatting, periods
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from tests.analytics.builders import build_store, day, pipeline_rows
from tests.pages.conftest import run_page

PAGE = "pages/funnel.py"


def view(con, key: str = periods.DEFAULT_PERIOD, pipeline: str | None = "New Business", **where):
    """Return the analytics filters the page uses for a period choice on the sample data."""
    period = periods.resolve(key, data_as_of(con))
    return Filters.build(period.start, period.end, data_as_of(con), pipeline, where)


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def table(at, column: str) -> pd.DataFrame:
    """Return the one shown table that has the column."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found.reset_index(drop=True)


def expected_tiles(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    first, won = frame.iloc[0], frame.iloc[-1]
    stage, lost, share = figures.largest_drop(frame)
    return {
        "Deals at the first stage": (formatting.count(first["reached"]), ""),
        "Won": (formatting.count(won["reached"]), ""),
        formatting.rate_label(
            "Conversion to Won", int(first["reached"]), bool(first["small_sample"])
        ): (formatting.percent(won["cumulative"]), ""),
        "Most deals lost at": (
            formatting.escape_markdown(stage),
            f"{formatting.count(lost)} lost deals, {formatting.percent(share)} of all",
        ),
    }


def test_default_view_one_pipeline_at_a_time_with_split_and_drill(sample_db, expected_con):
    at = run_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Funnel"
    # Two pipelines in view: the larger one is shown, the other one offered.
    picker = at.segmented_control(key="funnel_pipeline")
    assert picker.value == "New Business" and list(picker.options) == ["New Business", "Expansion"]
    f = view(expected_con)
    frame = funnel.funnel(expected_con, f)
    assert frame["reached"].iloc[0] > 0
    assert metrics(at) == expected_tiles(frame)
    pd.testing.assert_frame_equal(table(at, "Stage-to-stage"), figures.stage_table(frame))
    # The split tab opens first, split by owner.
    split = funnel.funnel(expected_con, f, by="owner")
    keys = figures.top_groups(split, limit=None)
    pd.testing.assert_frame_equal(table(at, "Owner"), figures.split_table(split, keys, "Owner"))

    # Drill into a stage: the deals that reached it, then those that dropped out there.
    at.selectbox(key="funnel_drill_pick").select("Approach").run()
    currency = reporting_currency(expected_con)
    reached = funnel.funnel_deals(expected_con, f, "Approach", limit=500)
    shown = table(at, "Deal ID")
    assert len(shown) == int(frame.set_index("stage").loc["Approach", "reached"])
    pd.testing.assert_frame_equal(shown, figures.deal_table(reached, currency), check_dtype=False)
    at.segmented_control(key="funnel_drill_show").set_value("dropped").run()
    dropped = drop_off_deals(expected_con, f, "Approach", limit=500)
    shown = table(at, "Deal ID")
    assert len(shown) == int(frame.set_index("stage").loc["Approach", "drop_off"])
    pd.testing.assert_frame_equal(shown, figures.deal_table(dropped, currency), check_dtype=False)
    assert not at.exception


def test_url_filters_mode_and_other_tabs(sample_db, expected_con):
    f = view(expected_con, "last_quarter", None, source=["Referral"])
    pipeline = "Expansion"
    at = run_page(
        PAGE,
        {"filter_period": "Last quarter", "filter_pipeline": pipeline, "filter_source": "Referral"},
        funnel_mode="active",
        funnel_tab="Compare periods",
    )
    assert not at.exception
    assert "funnel_pipeline" not in [s.key for s in at.segmented_control]
    f = replace(f, pipeline=pipeline)
    frame = funnel.funnel(expected_con, f, mode="active")
    assert metrics(at) == expected_tiles(frame)
    pd.testing.assert_frame_equal(
        table(at, "Stage-to-stage").iloc[:, :2], figures.stage_table(frame).iloc[:, :2]
    )
    # The comparison tab: the previous quarter beside this one.
    before = periods.resolve("last_quarter", data_as_of(expected_con)).previous()
    other = funnel.funnel(expected_con, f.with_period(before.start, before.end), mode="active")
    labels = (periods.resolve("last_quarter", data_as_of(expected_con)).dates(), before.dates())
    pd.testing.assert_frame_equal(table(at, "Change"), figures.compare_table(frame, other, labels))


def test_filters_leaving_nothing_show_empty_states(sample_db):
    at = run_page(
        PAGE,
        # The custom range's widget accepts ten years back from the as-of date.
        {"filter_period": "Custom range", "filter_range": ["2017-01-01", "2017-01-31"]},
    )
    assert not at.exception
    messages = [i.value for i in at.info]
    assert (
        "No deals in the funnel for these filters. Try a longer period, another funnel mode or fewer filters."
        in messages
    )
    assert any(m.startswith("No deals to split") for m in messages)
    assert not at.metric


def test_japanese(sample_db, expected_con):
    at = run_page(PAGE, {"lang": "JA"})
    assert not at.exception
    assert at.title[0].value == "ファネル"
    frame = funnel.funnel(expected_con, view(expected_con))
    set_language(JAPANESE)
    try:
        tiles = metrics(at)
        first = frame.iloc[0]
        assert tiles["最初のステージの商談数"][0] == formatting.count(first["reached"])
        label = formatting.rate_label("受注までの転換率", int(first["reached"]), False)
        assert tiles[label][0] == formatting.percent(frame.iloc[-1]["cumulative"])
        pd.testing.assert_frame_equal(table(at, "ステージ間"), figures.stage_table(frame))
    finally:
        set_language(ENGLISH)


def test_names_from_the_data_show_literally(db_path):
    stages = ["*Intro*", "Pitch"]
    deals, events = [], []
    names = ["<script>alert(1)</script>", "**bold**"]
    for i in range(4):
        deal_id = f"D{i}"
        lost = i < 3
        deals.append(
            {"deal_id": deal_id, "name": names[i % 2], "pipeline": "P", "owner": "**Boss**",
             "status": "lost" if lost else "won", "created_at": day("2026-10-02"),
             "closed_at": day("2026-10-20"), "amount": 100.0 + i, "currency": "USD"}
        )  # fmt: skip
        events += [
            (deal_id, "*Intro*", day("2026-10-02")),
            (deal_id, "Lost" if lost else "Won", day("2026-10-20")),
        ]
    build_store(db_path, pipelines=pipeline_rows("P", stages), deals=deals, events=events).close()
    at = run_page(PAGE, {"filter_as_of": "2026-11-20"})
    assert not at.exception
    assert metrics(at)["Most deals lost at"] == (r"\*Intro\*", "3 lost deals, 100% of all")
    assert table(at, "Owner")["Owner"].tolist() == ["**Boss**"]
    at.selectbox(key="funnel_drill_pick").select("*Intro*").run()
    shown = table(at, "Deal ID")
    assert set(shown["Deal"]) == set(names)
    assert table(at, "Stage-to-stage")["Stage"].tolist() == ["*Intro*", "Pitch", "Won"]
