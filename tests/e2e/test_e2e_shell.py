"""The app shell in a real browser: it loads, shows the counts, navigates, keeps filters in the URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from analytics.status import store_status
from analytics.store import connect
from pages.shared import filters, formatting, periods
from pages.shared.navigation import PAGES, sections

from .helpers import LOAD_TIMEOUT_MS, cut_tile_text, streamlit_server, wait_for_app

pytestmark = pytest.mark.e2e

TILE_TABLES = {
    "Deals": "deals",
    "Stage events": "stage_events",
    "Activities": "activities",
    "Leads": "leads",
    "Organizations": "organizations",
    "Contacts": "contacts",
    "Targets": "targets",
}


def open_app(page: Page, url: str) -> None:
    """Open url and check that it shows no exception and no dialog (such as "Page not found")."""
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)


def shown_tiles(page: Page) -> dict[str, str]:
    """Return the metric tiles on the page as {label: value}, as the browser shows them."""
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.first).to_be_visible()
    tiles = {}
    for metric in metrics.all():
        label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        tiles[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
    return tiles


def sidebar_select(page: Page, label: str):
    """Return the input of the sidebar selectbox with that label (its value is the choice)."""
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name=label)


def choose(page: Page, label: str, option: str) -> None:
    sidebar_select(page, label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


@pytest.fixture(scope="session")
def expected_status(sample_db):
    return sample_db.status


def test_shell_loads_with_the_title_and_the_filters(server, page):
    open_app(page, server.url)

    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(sidebar_select(page, "Pipeline")).to_have_value("All pipelines")
    expect(sidebar_select(page, "Period")).to_have_value("This quarter")
    expect(page).to_have_title("Overview")


def test_page_shows_the_loaded_counts(server, page, expected_status):
    open_app(page, f"{server.url}/data")

    assert shown_tiles(page) == {
        label: f"{expected_status.rows(table):,}" for label, table in TILE_TABLES.items()
    }
    first, last = expected_status.deal_dates
    expect(page.get_by_test_id("stMarkdown").filter(has_text="Deals created:")).to_have_text(
        f"Deals created: {formatting.day_range(first, last)}"
    )


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.url_path)
def test_every_page_opens_from_its_url(server, page, spec):
    open_app(page, f"{server.url}/{spec.link}")

    expect(page.get_by_role("heading", level=1)).to_have_text(spec.title)
    expect(sidebar_select(page, "Period")).to_be_visible()
    assert cut_tile_text(page) == []


def test_sidebar_navigation_reaches_every_page(server, page):
    open_app(page, server.url)
    links = page.get_by_test_id("stSidebarNavLink")
    if len(PAGES) == 1:
        # Streamlit hides the menu while there is a single page.
        expect(links).to_have_count(0)
        return
    expect_app_navigation(page)
    for spec in PAGES:
        links.filter(has_text=spec.title).click()
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(spec.title)
        expect(page).to_have_url(re.compile(re.escape(f"{server.url}/{spec.link}") + r"(\?.*)?$"))


def test_filters_survive_a_reload_and_a_copied_url(server, page, browser, sample_db):
    pipeline = list(sample_db.status.pipelines)[-1]
    last_quarter = periods.resolve("last_quarter", sample_db.as_of)
    open_app(page, server.url)

    choose(page, "Pipeline", pipeline)
    choose(page, "Period", "Last quarter")

    expect(page).to_have_url(re.compile(rf"{filters.KEY_PERIOD}=Last(\+|%20)quarter"))
    expect(page).to_have_url(re.compile(rf"{filters.KEY_PIPELINE}="))
    caption = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer")
    expect(caption).to_have_text(
        f"{last_quarter.dates()} · as of {formatting.day(sample_db.as_of)}"
    )

    page.reload()
    wait_for_app(page)
    expect(sidebar_select(page, "Pipeline")).to_have_value(pipeline)
    expect(sidebar_select(page, "Period")).to_have_value("Last quarter")
    expect(caption).to_have_text(
        f"{last_quarter.dates()} · as of {formatting.day(sample_db.as_of)}"
    )

    copied = page.url
    other = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        open_app(other, copied)
        expect(sidebar_select(other, "Pipeline")).to_have_value(pipeline)
        expect(sidebar_select(other, "Period")).to_have_value("Last quarter")
    finally:
        other.context.close()


def expect_app_navigation(page: Page) -> None:
    """Check that the sidebar lists the app's sections and page titles, not script file names."""
    nav = page.get_by_test_id("stSidebarNav")
    for section in sections():
        expect(nav.get_by_text(section, exact=True)).to_be_visible()
    links = page.get_by_test_id("stSidebarNavLink")
    expect(links).to_have_count(len(PAGES))
    for spec in PAGES:
        expect(links.filter(has_text=spec.title)).to_have_count(1)


def test_first_start_on_an_empty_database_loads_the_sample(sample_loader, page, tmp_path):
    db = tmp_path / "first-start.duckdb"
    with streamlit_server(db, tmp_path / "streamlit.log") as fresh:
        # A page URL as the fresh server's very first request (a copied link after a restart):
        # Streamlit would run the script alone under a sidebar of file names.
        open_app(page, f"{fresh.url}/data?lang=EN")
        # The first run loads the sample data: seconds on a busy machine.
        expect(page.get_by_role("heading", level=1)).to_have_text("Data", timeout=LOAD_TIMEOUT_MS)
        expect_app_navigation(page)
        tiles = shown_tiles(page)
    con = connect(db)
    try:
        status = store_status(con)
    finally:
        con.close()
    assert status.rows("deals") > 0
    assert tiles["Deals"] == f"{status.rows('deals'):,}"
