"""The Deals page on the sample data: the list and the timeline show the analytics functions' rows.

(Named test_deals_page.py: tests/pages/figures/test_deals.py has the plain name, and pytest's
default import mode needs distinct module names.)
"""

from __future__ import annotations

import html
import json

import pandas as pd
import pytest

from analytics import deal_list as dl
from analytics.derived import reporting_currency
from analytics.durations import deal_visits
from analytics.filters import Filters
from analytics.quality import data_as_of
from pages.figures import deals as figures
from pages.shared import formatting, periods
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from pages.translations import JA
from tests.analytics.builders import build_store, day, pipeline_rows
from tests.pages.conftest import run_page

PAGE = "pages/deals.py"


def view(con, key: str = periods.DEFAULT_PERIOD, pipeline: str | None = None, **where):
    """Return the analytics filters the page uses for a period choice."""
    period = periods.resolve(key, data_as_of(con))
    return Filters.build(period.start, period.end, data_as_of(con), pipeline, where)


def table(at, column: str) -> pd.DataFrame:
    """Return the one shown table that has the column."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found.reset_index(drop=True)


def showing(at) -> str:
    (line,) = [m.value for m in at.markdown if "Showing" in m.value or "を表示" in m.value]
    return line


def test_list_pages_sorts_searches_and_opens_a_timeline(sample_db, expected_con):
    at = run_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Deals"
    f = view(expected_con)
    currency = reporting_currency(expected_con)
    summary = dl.deal_list_summary(expected_con, f).iloc[0]
    total = int(summary["deals"])
    assert total > 50
    expected = figures.list_table(dl.deal_list(expected_con, f, limit=50), currency)
    pd.testing.assert_frame_equal(table(at, "Deal ID"), expected, check_dtype=False)
    assert showing(at).startswith(f"Showing deals **1–50** of **{formatting.count(total)}**")
    assert formatting.escape_markdown(formatting.money(summary["amount"], currency)) in showing(at)

    # Page 2, sorted by days in the current stage, longest first.
    at.selectbox(key="deals_sort").select("days_in_stage").run()
    at.number_input(key="deals_page").set_value(2).run()
    expected = dl.deal_list(expected_con, f, sort="days_in_stage", limit=50, offset=50)
    shown = table(at, "Deal ID")
    assert shown["Deal ID"].tolist() == expected["deal_id"].tolist()
    assert showing(at).startswith("Showing deals **51–100**")

    # A search and a status filter start again at page 1.
    at.text_input(key="deals_search").input("pharma").run()
    at.multiselect(key="deals_status").select("lost").run()
    expected = dl.deal_list(
        expected_con, f, search="pharma", statuses=("lost",), sort="days_in_stage", limit=50
    )
    assert len(expected) > 0
    assert table(at, "Deal ID")["Deal ID"].tolist() == expected["deal_id"].tolist()
    assert at.number_input(key="deals_page").value == 1

    # Opening a deal: ?deal= holds it, its visits are the timeline's bars.
    deal_id = expected["deal_id"].iloc[0]
    at.query_params["deal"] = deal_id
    at.run()
    assert not at.exception
    record = dl.deal_record(expected_con, deal_id).iloc[0]
    assert at.text[0].value == f"{record['name']} · {deal_id}"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Stage"] == "Lost"
    assert tiles[f"Amount ({currency})"] == formatting.money(record["amount_rep"], currency)
    visits = deal_visits(expected_con, deal_id, data_as_of(expected_con))
    assert len(visits) > 0
    (chart,) = at.get("plotly_chart")
    bars = json.loads(chart.proto.spec)["data"][0]
    assert bars["type"] == "bar" and bars["orientation"] == "h"
    assert bars["y"] == [html.escape(s) for s in visits["stage"]]
    activities = dl.deal_activities(expected_con, deal_id)
    if not activities.empty:
        pd.testing.assert_frame_equal(
            table(at, "Subject"), figures.activity_table(activities), check_dtype=False
        )
    fields = table(at, "Field").set_index("Field")["Value"]
    assert fields["Deal ID"] == deal_id


def test_url_filters_and_japanese(sample_db, expected_con):
    owner = "Priya Raman"
    # Bound widgets hold the shown label, in the language shown.
    at = run_page(
        PAGE,
        {"filter_period": JA["Last quarter"], "filter_owner": owner,
         "deals_scope": JA["Created in the period"], "lang": "JA"},
    )  # fmt: skip
    assert not at.exception
    set_language(JAPANESE)
    try:
        assert at.title[0].value == "商談"
        f = view(expected_con, "last_quarter", owner=[owner])
        currency = reporting_currency(expected_con)
        rows = dl.deal_list(expected_con, f, scope="created", limit=50)
        assert len(rows) > 0 and set(rows["owner"]) == {owner}
        pd.testing.assert_frame_equal(
            table(at, "商談ID"), figures.list_table(rows, currency), check_dtype=False
        )
        total = dl.deal_list_summary(expected_con, f, scope="created").iloc[0]["deals"]
        assert f"**{formatting.count(int(total))}** 件中" in showing(at)
        assert at.selectbox(key="deals_scope").value == "created"
    finally:
        set_language(ENGLISH)


def test_nothing_to_show_and_an_unknown_deal(sample_db):
    at = run_page(
        PAGE,
        {"filter_period": "Custom range", "filter_range": ["2017-01-01", "2017-01-31"],
         "deal": "no-such-deal"},
    )  # fmt: skip
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "There is no deal with the ID no\\-such\\-deal in this database."
    ]
    assert any("No deal matches" in i.value for i in at.info)
    assert not at.dataframe


@pytest.mark.parametrize(
    ("deals", "size", "page", "language", "expected"),
    [
        (1, 25, 1, ENGLISH,
         "Showing **1** deal · 1 open, 0 won, 0 lost · total amount **\\$100**"),
        (3, 25, 1, ENGLISH,
         "Showing all **3** deals · 3 open, 0 won, 0 lost · total amount **\\$300**"),
        (26, 25, 2, ENGLISH,
         "Showing deal **26** of **26** · 26 open, 0 won, 0 lost · total amount **\\$2,600**"),
        (27, 25, 2, ENGLISH,
         "Showing deals **26–27** of **27** · 27 open, 0 won, 0 lost · total amount **\\$2,700**"),
        (3, 25, 1, JAPANESE,
         "**3** 件を表示 · 進行中 3、受注 0、失注 0 · 金額合計 **\\$300**"),
        (26, 25, 2, JAPANESE,
         "**26** 件中 **26** 件目を表示 · 進行中 26、受注 0、失注 0 · 金額合計 **\\$2,600**"),
    ],
)  # fmt: skip
def test_the_list_says_which_deals_it_shows(db_path, deals, size, page, language, expected):
    build_store(
        db_path,
        pipelines=pipeline_rows("P", ["Lead"]),
        deals=[
            {"deal_id": f"D{i:02}", "name": f"Deal {i}", "pipeline": "P", "stage": "Lead",
             "status": "open", "amount": 100, "currency": "USD", "owner": "Aiko",
             "created_at": day("2025-01-02")}
            for i in range(deals)
        ],
    ).close()  # fmt: skip
    query = {"filter_period": "All time", **({"lang": "JA"} if language == JAPANESE else {})}
    at = run_page(PAGE, query, deals_size=size)
    if page > 1:
        # AppTest sends the widget values formatted in the test thread's language.
        set_language(language)
        try:
            at.number_input(key="deals_page").set_value(page).run()
        finally:
            set_language(ENGLISH)
    assert not at.exception
    assert showing(at) == expected


def test_names_from_the_data_show_literally(db_path):
    build_store(
        db_path,
        pipelines=pipeline_rows("P", ["Lead"]),
        deals=[
            {
                "deal_id": "D1",
                "name": "<script>alert(1)</script>",
                "pipeline": "P",
                "stage": "Lead",
                "status": "open",
                "amount": 10,
                "currency": "USD",
                "owner": "**bold**",
                "created_at": day("2025-01-02"),
            },
        ],  # fmt: skip
        events=[("D1", "Lead", day("2025-01-02"))],
    ).close()
    at = run_page(PAGE, {"filter_period": "All time", "deal": "D1"})
    assert not at.exception
    assert at.text[0].value == "<script>alert(1)</script> · D1"
    assert table(at, "Deal ID")["Deal"].tolist() == ["<script>alert(1)</script>"]
    assert table(at, "Deal ID")["Owner"].tolist() == ["**bold**"]
    fields = table(at, "Field").set_index("Field")["Value"]
    assert fields["Owner"] == "**bold**"
