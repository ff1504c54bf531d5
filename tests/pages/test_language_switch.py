"""A language switch keeps what the user chose on the page: the open tab, the deal list's
choices, and the URL that reproduces them in the new language; links give those choices in
either language."""

from __future__ import annotations

import pytest

from pages.shared.locale import ENGLISH, JAPANESE, set_language
from pages.translations import JA
from tests.pages.conftest import run_page

DEALS = "pages/deals.py"


def switch_to_japanese(at) -> None:
    """Choose JA in the sidebar, as a click does.

    AppTest sends the widget values formatted in the test thread's language, which must be the
    language of the page shown until then: English.
    """
    at.get_by_key("lang").set_value("ja").run()


def read_in(language: str, at, read):
    """Return read(at) with the test thread in the page's language (see above)."""
    set_language(language)
    try:
        return read(at)
    finally:
        set_language(ENGLISH)


def list_choices(at) -> tuple:
    return (
        at.selectbox(key="deals_scope").value,
        at.selectbox(key="deals_sort").value,
        at.multiselect(key="deals_status").value,
    )


@pytest.mark.parametrize(
    ("page", "key", "label"),
    [
        ("pages/funnel.py", "funnel_tab", "Compare periods"),
        ("pages/velocity.py", "velocity_tab", "Sales cycle"),
        ("pages/goals.py", "goals_tab", "Leaderboard"),
        ("pages/activities.py", "activities_tab", "Overdue"),
        ("pages/weekly.py", "weekly_tab", "Slippage scorecard"),
        ("pages/data.py", "data_tab", "Pipelines"),
    ],
)
def test_a_language_switch_keeps_the_open_tab(sample_db, page, key, label):
    at = run_page(page, **{key: label})
    assert not at.exception
    assert at.session_state[key] == label

    switch_to_japanese(at)

    assert not at.exception
    assert at.session_state[key] == JA[label]


def test_a_language_switch_keeps_the_deal_list_choices(sample_db):
    at = run_page(DEALS)
    at.selectbox(key="deals_scope").set_value("closed").run()
    at.selectbox(key="deals_sort").set_value("owner").run()
    at.multiselect(key="deals_status").set_value(["won"]).run()
    assert at.query_params == {
        "deals_scope": "Closed in the period", "deals_sort": "Owner", "deals_status": "Won",
    }  # fmt: skip

    switch_to_japanese(at)

    assert not at.exception
    assert read_in(JAPANESE, at, list_choices) == ("closed", "owner", ["won"])
    # A URL copied now reproduces the list in Japanese.
    assert at.query_params == {
        "deals_scope": JA["Closed in the period"], "deals_sort": JA["Owner"],
        "deals_status": JA["Won"], "lang": "JA",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "written"),
    [
        (
            {"deals_scope": JA["Closed in the period"], "deals_sort": JA["Owner"],
             "deals_status": JA["Won"]},
            {"deals_scope": "Closed in the period", "deals_sort": "Owner",
             "deals_status": "Won"},
        ),
        (
            {"lang": "JA", "deals_scope": "Closed in the period", "deals_sort": "Owner",
             "deals_status": "Won"},
            {"lang": "JA", "deals_scope": JA["Closed in the period"],
             "deals_sort": JA["Owner"], "deals_status": JA["Won"]},
        ),
    ],
)  # fmt: skip
def test_a_link_gives_the_deal_list_choices_in_either_language(sample_db, query, written):
    at = run_page(DEALS, query)
    assert not at.exception
    assert at.query_params == written
    language = JAPANESE if "lang" in query else ENGLISH
    assert read_in(language, at, list_choices) == ("closed", "owner", ["won"])


@pytest.mark.parametrize(
    ("query", "written"),
    [
        ({"deals_stage": "受注"}, {"deals_stage": "Won"}),
        ({"lang": "JA", "deals_stage": "Won"}, {"lang": "JA", "deals_stage": "受注"}),
    ],
)
def test_a_link_gives_an_outcome_stage_in_either_language(sample_db, query, written):
    at = run_page(DEALS, query)
    assert not at.exception
    assert at.query_params == written
    language = JAPANESE if "lang" in query else ENGLISH
    assert read_in(language, at, lambda at: at.multiselect(key="deals_stage").value) == ["Won"]


@pytest.mark.parametrize(
    ("query", "shown", "written"),
    [
        ({"data_tab": "パイプライン"}, "Pipelines", {"data_tab": "Pipelines"}),
        (
            {"lang": "JA", "data_tab": "Pipelines"},
            "パイプライン",
            {"lang": "JA", "data_tab": "パイプライン"},
        ),
    ],
)
def test_a_link_gives_the_data_tab_in_either_language(sample_db, query, shown, written):
    at = run_page("pages/data.py", query)
    assert not at.exception
    assert at.session_state["data_tab"] == shown
    assert at.query_params == written
