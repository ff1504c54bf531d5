"""The Weekly meeting page (AppTest): the numbers shown equal what the analytics return.

(Named test_weekly_page.py: tests/analytics/test_weekly.py holds the basename test_weekly.)
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import meeting, weekly
from analytics.filters import Filters
from pages.figures import weekly as figures
from pages.shared import formatting
from pages.shared.locale import _, set_language
from tests.analytics.builders import build_store
from tests.analytics.test_weekly import ACTIVITIES, CHANGES, DEALS, EVENTS, PIPELINES
from tests.pages.conftest import run_page

PAGE = "pages/weekly.py"
# The sample data end on 2026-11-20: the default window is the week up to it.
A, B = date(2026, 11, 13), date(2026, 11, 20)


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def _no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _tiles(con, filters: Filters, a: date, b: date) -> list[tuple[str, str]]:
    """Return the (label, value) of the KPI tiles the page must show."""
    moves = weekly.movements(con, filters, a, b)
    tiles = [
        (figures.kind_label(k), formatting.count(n))
        for k, n in zip(moves["kind"], moves["deals"], strict=True)
    ]
    tiles.append((_("Slipped"), formatting.count(len(weekly.slipped_deals(con, filters, a, b)))))
    tiles.append((_("Stalled"), formatting.count(len(weekly.stalled_deals(con, filters, b)))))
    return tiles


def _tables(at, column: str) -> list[pd.DataFrame]:
    """Return the page's tables that have a column of that name, in page order."""
    return [frame.value for frame in at.dataframe if column in frame.value.columns]


def test_default_view_shows_the_last_week_and_drills_into_a_movement(sample_db, expected_con):
    at = run_page(PAGE)
    _no_errors(at)
    assert at.title[0].value == "Weekly meeting"
    assert at.date_input(key="weekly_from").value == A
    assert at.date_input(key="weekly_to").value == B
    assert [(m.label, m.value) for m in at.metric] == _tiles(expected_con, Filters(), A, B)
    currency = "USD"
    moves = weekly.movements(expected_con, Filters(), A, B)
    amounts = [m.delta for m in at.metric][:5]
    assert amounts == [formatting.money(x, currency, compact=True) for x in moves["amount"]]
    (shown_moves,) = _tables(at, "Movement")
    pd.testing.assert_frame_equal(shown_moves, figures.movements_table(moves, currency))
    # only the open tab is drawn
    assert _tables(at, "Slipped deals") == [] and _tables(at, "Slipped share") == []
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Meeting pack (HTML)" in labels

    # drill: the deals behind "Won", then behind the waterfall's "New deals"
    at.selectbox(key="weekly_moves_pick").select("won").run()
    _no_errors(at)
    won = weekly.movement_deals(expected_con, Filters(), A, B, "won")
    drilled = _tables(at, "When")
    pd.testing.assert_frame_equal(
        drilled[0].reset_index(drop=True), figures.deals_table(won), check_dtype=False
    )
    at.selectbox(key="weekly_waterfall_pick").select("created").run()
    created = meeting.waterfall_deals(expected_con, Filters(), A, B, "created")
    drilled = _tables(at, "When")
    assert drilled[-1]["deal_id"].tolist() == created["deal_id"].tolist()
    steps = weekly.waterfall(expected_con, Filters(), A, B).set_index("step")
    assert len(created) == steps.loc["created", "deals"]

    at.session_state["weekly_tab"] = "Action lists per rep"
    at.run()
    _no_errors(at)
    slipped = meeting.open_first(weekly.slipped_deals(expected_con, Filters(), A, B))
    stalled = weekly.stalled_deals(expected_con, Filters(), B)
    actions = meeting.actions_by_owner(slipped, stalled)
    (shown_actions,) = _tables(at, "Slipped deals")
    pd.testing.assert_frame_equal(shown_actions, figures.actions_table(actions, currency))
    # the action lists of every rep: slipped deals, then stalled deals, with their ids
    lists = _tables(at, "What to do")
    assert lists[0]["deal_id"].tolist() == slipped["deal_id"].tolist()[:100]
    assert lists[0]["Amount"].tolist()[:3] == [
        formatting.money(x, currency) for x in slipped["amount"][:3]
    ]
    assert lists[1]["deal_id"].tolist() == stalled["deal_id"].tolist()[:100]

    at.session_state["weekly_tab"] = "Slippage scorecard"
    at.run()
    _no_errors(at)
    per_stage = weekly.slippage_scorecard(expected_con, Filters(), A, B)
    (shown_card,) = _tables(at, "Slipped share")
    pd.testing.assert_frame_equal(
        shown_card, figures.scorecard_table(meeting.scorecard_by_owner(per_stage))
    )


def test_dates_and_owner_from_the_url(sample_db, expected_con):
    owner = "Priya Raman"
    a, b = date(2026, 10, 1), date(2026, 10, 31)
    at = run_page(
        PAGE,
        query_params={"weekly_from": a.isoformat(), "weekly_to": b.isoformat(),
                      "filter_owner": owner, "filter_period": "Last quarter"},
        weekly_tab="Action lists per rep",
    )  # fmt: skip
    _no_errors(at)
    filters = Filters.build(where={"owner": [owner]})
    assert [(m.label, m.value) for m in at.metric] == _tiles(expected_con, filters, a, b)
    actions = meeting.actions_by_owner(
        weekly.slipped_deals(expected_con, filters, a, b),
        weekly.stalled_deals(expected_con, filters, b),
    )
    (shown_actions,) = _tables(at, "Slipped deals")
    assert shown_actions["Rep"].tolist() == [owner] == actions["owner"].tolist()
    assert at.selectbox(key="weekly_rep").options == ["All reps", owner]
    assert "Owner: Priya Raman" in " ".join(c.value for c in at.caption)
    # moving the global as-of date moves the window with it: the week up to the new date
    at.date_input(key="filter_as_of").set_value(date(2026, 9, 30)).run()
    _no_errors(at)
    assert at.date_input(key="weekly_from").value == date(2026, 9, 23)
    assert at.date_input(key="weekly_to").value == date(2026, 9, 30)


def test_a_window_without_data_shows_empty_states(sample_db):
    at = run_page(PAGE, query_params={"weekly_from": "2001-01-01", "weekly_to": "2001-01-31"})
    _no_errors(at)
    assert [m.value for m in at.metric] == ["0"] * 7
    shown = " ".join(i.value for i in at.info)
    assert "Nothing moved in this window." in shown
    assert "No open pipeline in this window." in shown
    for tab, empty in (
        ("Action lists per rep", "No slipped or stalled deals."),
        ("Slippage scorecard", "No deals were due or pushed in this window."),
    ):
        at.session_state["weekly_tab"] = tab
        at.run()
        _no_errors(at)
        assert empty in " ".join(i.value for i in at.info)
    at.session_state["weekly_tab"] = "What changed"
    # a window ending before it starts is refused with a message, not an exception
    at.date_input(key="weekly_from").set_value(date(2001, 2, 1)).run()
    _no_errors(at)
    assert at.warning[0].value == "Choose a start date before the end date."


def test_japanese(sample_db, expected_con):
    at = run_page(PAGE, query_params={"lang": "JA"})
    _no_errors(at)
    assert at.title[0].value == "週次会議"
    set_language("ja")
    expected = _tiles(expected_con, Filters(), A, B)
    moves = weekly.movements(expected_con, Filters(), A, B)
    money = [formatting.money(x, "USD", compact=True) for x in moves["amount"]]
    set_language("en")
    assert [(m.label, m.value) for m in at.metric] == expected
    assert [m.delta for m in at.metric][:5] == money
    assert at.metric[0].label == "新規"
    assert "期間中の商談の動き" in [s.value for s in at.subheader]
    assert at.date_input(key="weekly_from").label == "比較の開始日"


def test_names_from_the_data_show_literally(db_path):
    # the weekly fixture store, B1 (moved back, overdue) and OLD (stalled) renamed
    names = {"B1": "<script>alert(1)</script>", "OLD": "**bold**"}
    deals = [{**row, "name": names.get(row["deal_id"], row["name"])} for row in DEALS]
    con = build_store(db_path, pipelines=PIPELINES, deals=deals, events=EVENTS,
                      activities=ACTIVITIES, deal_changes=CHANGES)  # fmt: skip
    con.close()
    at = (
        run_page(PAGE, query_params={"weekly_from": "2025-03-09", "weekly_to": "2025-03-16"})
        .selectbox(key="weekly_moves_pick")
        .select("moved_back")
        .run()
    )
    _no_errors(at)
    # moved back: AB on 03-11, B1 on 03-12
    (drilled,) = _tables(at, "When")
    assert drilled["Deal"].tolist() == ["Deal AB", "<script>alert(1)</script>"]
    markdown = " ".join(m.value for m in at.markdown)
    assert "<script>" not in markdown
    at.session_state["weekly_tab"] = "Action lists per rep"
    at.run()
    _no_errors(at)
    values = {v for f in at.dataframe for v in f.value.astype(str).to_numpy().ravel()}
    assert {"<script>alert(1)</script>", "**bold**"} <= values
    assert "<script>" not in " ".join(m.value for m in at.markdown)
