"""The Activities page on the sample data: tiles, tables and drill-downs show the analytics
functions' numbers. (Named test_activities_page.py: tests/pages/figures/test_activities.py has
the plain name, and pytest's default import mode needs distinct module names.)"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import activity_metrics as am
from analytics.activity_lists import activity_list, first_activity_deals, won_deal_activities
from analytics.derived import reporting_currency
from analytics.filters import Filters
from analytics.quality import data_as_of
from pages.figures import activities as figures
from pages.shared import formatting, periods
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from pages.translations import JA
from tests.analytics.builders import build_store, day, pipeline_rows
from tests.pages.conftest import run_page

PAGE = "pages/activities.py"


def view(con, key: str = periods.DEFAULT_PERIOD, **where):
    """Return the analytics filters the page uses for a period choice on the sample data."""
    period = periods.resolve(key, data_as_of(con))
    return Filters.build(period.start, period.end, data_as_of(con), None, where)


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def table(at, column: str) -> pd.DataFrame:
    """Return the one shown table that has the column."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found.reset_index(drop=True)


def expected_tiles(con, f) -> dict[str, tuple[str, str]]:
    volume = am.activity_volume(con, f).iloc[0]
    first = am.time_to_first_activity(con, f).iloc[0]
    return {
        "Completed activities": (
            formatting.count(int(volume["completed"])),
            f"{formatting.count(int(volume['planned']))} planned",
        ),
        "Overdue": (
            formatting.count(int(volume["overdue"])),
            f"of {formatting.count(int(volume['planned']))} planned",
        ),
        "Median time to first activity": (
            formatting.days(first["median_days"], 1),
            f"n={formatting.count(int(first['with_activity']))} of "
            f"{formatting.count(int(first['deals']))} deals",
        ),
    }


def expected_won_tiles(con, f, window: int) -> dict[str, tuple[str, str]]:
    per_won = am.activities_per_won_deal(con, f).iloc[0]
    follow = am.follow_up_coverage(con, f, window_days=window).iloc[0]
    small = ", small sample" if follow["small_sample"] else ""
    return {
        "Activities per won deal": (
            formatting.number(per_won["per_deal"], 1),
            f"n={formatting.count(int(per_won['won_deals']))} won deals",
        ),
        "Follow-up after a win": (
            formatting.percent(follow["rate"]),
            f"n={formatting.count(int(follow['won_deals']))}{small} · {window} days",
        ),
    }


def test_default_view_volume_and_drill_into_a_bar(sample_db, expected_con):
    at = run_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Activities"
    f = view(expected_con)
    assert tiles(at) == expected_tiles(expected_con, f)
    by_type = am.activity_volume(expected_con, f, by="type")
    pd.testing.assert_frame_equal(
        table(at, "All activities"), figures.volume_table(by_type, "Type", types=True)
    )
    # Drill: the overdue calls, as clicking the red segment of the call bar would pick.
    at.selectbox(key="activities_drill_type_pick").select("call").run()
    at.segmented_control(key="activities_drill_type_state").set_value("overdue").run()
    assert not at.exception
    rows = activity_list(expected_con, f, activity_type="call", state="overdue", limit=500)
    overdue_calls = int(by_type.set_index("key").loc["call", "overdue"])
    assert len(rows) == overdue_calls > 0
    pd.testing.assert_frame_equal(
        table(at, "Days overdue"), figures.activity_table(rows), check_dtype=False
    )


def test_tabs_heatmap_overdue_won_and_first_activity(sample_db, expected_con):
    f = view(expected_con)
    at = run_page(PAGE, activities_tab="Reps by week")
    assert not at.exception
    cells = am.activity_heatmap(expected_con, f)
    cell = cells.iloc[0]
    key = (cell["owner"], cell["week"].date().isoformat())
    at.selectbox(key="activities_cell_pick").select(key).run()
    rows = activity_list(
        expected_con, f, owner=key[0], week=cell["week"].date(), state="completed", limit=500
    )
    assert len(rows) == cell["completed"]
    assert table(at, "Activity ID")["Activity ID"].tolist() == rows["activity_id"].tolist()

    at.session_state["activities_tab"] = "Overdue"
    at.run()
    rows = activity_list(expected_con, f, state="overdue", limit=500)
    assert table(at, "Days overdue")["Activity ID"].tolist() == rows["activity_id"].tolist()

    at.session_state["activities_tab"] = "Won deals and follow-up"
    at.run()
    assert tiles(at) == {
        **expected_tiles(expected_con, f),
        **expected_won_tiles(expected_con, f, 30),
    }
    # A 7-day window: fewer won deals count as followed up.
    at.number_input(key="activities_window").set_value(7).run()
    assert (
        tiles(at)["Follow-up after a win"]
        == expected_won_tiles(expected_con, f, 7)["Follow-up after a win"]
    )
    won = won_deal_activities(expected_con, f, window_days=7, limit=500)
    currency = reporting_currency(expected_con)
    pd.testing.assert_frame_equal(
        table(at, "Followed up"), figures.won_deal_table(won, currency), check_dtype=False
    )

    at.session_state["activities_tab"] = "First activity on new deals"
    at.run()
    deals = first_activity_deals(expected_con, f, limit=500)
    pd.testing.assert_frame_equal(
        table(at, "Days to first activity"),
        figures.first_activity_table(deals),
        check_dtype=False,
    )
    assert not at.exception


def test_url_filters_in_japanese(sample_db, expected_con):
    owner = "Priya Raman"
    at = run_page(PAGE, {"filter_period": JA["Last quarter"], "filter_owner": owner, "lang": "JA"})
    assert not at.exception
    f = view(expected_con, "last_quarter", owner=[owner])
    set_language(JAPANESE)
    try:
        assert at.title[0].value == "活動"
        volume = am.activity_volume(expected_con, f).iloc[0]
        shown = tiles(at)
        assert shown["完了した活動"] == (
            formatting.count(int(volume["completed"])),
            f"予定 {formatting.count(int(volume['planned']))} 件",
        )
        first = am.time_to_first_activity(expected_con, f).iloc[0]
        assert shown["初回活動まで (中央値)"][0] == formatting.days(first["median_days"], 1)
        assert shown["初回活動まで (中央値)"][0].endswith(" 日")
        by_type = am.activity_volume(expected_con, f, by="type")
        pd.testing.assert_frame_equal(
            table(at, "活動合計"), figures.volume_table(by_type, "種類", types=True)
        )
    finally:
        set_language(ENGLISH)


def test_names_from_the_data_show_literally(db_path):
    build_store(
        db_path,
        pipelines=pipeline_rows("P", ["Lead"]),
        deals=[
            {"deal_id": "D1", "name": "**bold** deal", "pipeline": "P", "stage": "Lead",
             "status": "open", "owner": "<b>Rep</b>", "created_at": day("2025-03-01")},
        ],
        activities=[
            {"activity_id": "A1", "type": "call", "owner": "<b>Rep</b>", "deal_id": "D1",
             "subject": "<script>alert(1)</script>", "due_at": day("2025-03-02")},
            # Completed on the 10th: the data, and the as-of date, run to that day.
            {"activity_id": "A2", "type": "email", "owner": "<b>Rep</b>", "deal_id": "D1",
             "completed_at": day("2025-03-10")},
        ],
    ).close()  # fmt: skip
    at = run_page(PAGE, {"filter_period": "All time"}, activities_tab="Overdue")
    assert not at.exception
    rows = table(at, "Days overdue")
    assert rows[["Rep", "Subject", "Deal", "Days overdue"]].values.tolist() == [
        ["<b>Rep</b>", "<script>alert(1)</script>", "**bold** deal", 8]
    ]


def test_filters_leaving_nothing_show_empty_states(sample_db):
    at = run_page(
        PAGE,
        {"filter_period": "Custom range", "filter_range": ["2017-01-01", "2017-01-31"]},
        activities_tab="Overdue",
    )
    assert not at.exception
    assert tiles(at)["Completed activities"][0] == "0"
    assert tiles(at)["Median time to first activity"][0] == "—"
    assert [i.value for i in at.info] == [
        "No overdue activities in this period for these filters. Nothing to chase: every "
        "planned activity due before the as-of date is done."
    ]
    assert not at.get("plotly_chart")


def won_deals_store(db_path, n: int) -> None:
    """Build n won deals, each with one completed activity: the first deal's is its follow-up."""
    build_store(
        db_path,
        pipelines=pipeline_rows("P", ["Lead"]),
        deals=[
            {"deal_id": f"W{i}", "pipeline": "P", "stage": "Won", "status": "won",
             "owner": "Rep", "created_at": day(f"2025-02-0{i}"), "closed_at": day("2025-03-03")}
            for i in range(1, n + 1)
        ],
        activities=[
            {"activity_id": f"A{i}", "type": "follow_up" if i == 1 else "call", "owner": "Rep",
             "deal_id": f"W{i}", "completed_at": day("2025-03-05")}
            for i in range(1, n + 1)
        ],
    ).close()  # fmt: skip


def new_deals_store(db_path, n: int) -> None:
    """Build n new deals: the first has no completed activity, the others one two days in."""
    build_store(
        db_path,
        pipelines=pipeline_rows("P", ["Lead"]),
        deals=[
            {"deal_id": f"D{i}", "pipeline": "P", "stage": "Lead", "status": "open",
             "owner": "Rep", "created_at": day("2025-03-01")}
            for i in range(1, n + 1)
        ],
        activities=[
            {"activity_id": f"A{i}", "type": "call", "owner": "Rep", "deal_id": f"D{i}",
             "completed_at": day("2025-03-03")}
            for i in range(2, n + 1)
        ],
    ).close()  # fmt: skip


def summaries(tab: str) -> list[str]:
    """Return a tab's summary line over all time, in English and in Japanese."""
    lines = []
    for period, lang, label in [("All time", "EN", tab), (JA["All time"], "JA", JA[tab])]:
        at = run_page(PAGE, {"filter_period": period, "lang": lang}, activities_tab=label)
        assert not at.exception
        (line,) = [m.value for m in at.markdown if " · " in m.value]
        lines.append(line)
    return lines


@pytest.mark.parametrize(
    ("n", "english", "japanese"),
    [
        (
            1,
            "**1** of **1** won deal followed up · **1** activity · not followed up first.",
            "受注商談 **1** 件のうち **1** 件をフォロー済み · 活動 **1** 件 · 未フォローを先に表示。",
        ),
        (
            2,
            "**1** of **2** won deals followed up · **2** activities · not followed up first.",
            "受注商談 **2** 件のうち **1** 件をフォロー済み · 活動 **2** 件 · 未フォローを先に表示。",
        ),
    ],
    ids=["one", "two"],
)
def test_won_deals_summary_counts_in_the_singular_and_the_plural(db_path, n, english, japanese):
    won_deals_store(db_path, n)
    assert summaries("Won deals and follow-up") == [english, japanese]


@pytest.mark.parametrize(
    ("n", "english", "japanese"),
    [
        (
            1,
            "Median **—**, mean —, 75th percentile — · **1** of 1 new deal with no completed "
            "activity yet · listed first, then the slowest.",
            "中央値 **—**、平均 —、75 パーセンタイル — · 新規商談 1 件のうち **1** 件はまだ完了"
            "した活動がありません · それらを先に、続いて遅い順に表示。",
        ),
        (
            2,
            "Median **2 days**, mean 2 days, 75th percentile 2 days · **1** of 2 new deals with "
            "no completed activity yet · listed first, then the slowest.",
            "中央値 **2 日**、平均 2 日、75 パーセンタイル 2 日 · 新規商談 2 件のうち **1** 件は"
            "まだ完了した活動がありません · それらを先に、続いて遅い順に表示。",
        ),
    ],
    ids=["one", "two"],
)
def test_new_deals_summary_counts_in_the_singular_and_the_plural(db_path, n, english, japanese):
    new_deals_store(db_path, n)
    assert summaries("First activity on new deals") == [english, japanese]
