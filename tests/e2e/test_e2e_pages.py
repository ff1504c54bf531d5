"""The eight pages in a real browser: both languages, filters across pages, downloads, many users."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from analytics import funnel
from analytics.derived import reporting_currency
from analytics.filters import Filters
from analytics.quality import data_as_of
from analytics.store import connect
from pages.figures import funnel as funnel_figures
from pages.shared import filters, periods
from pages.shared.locale import JAPANESE, set_language
from pages.shared.navigation import PAGES
from pages.translations import JA

from .helpers import cut_tile_text, wait_for_app

pytestmark = pytest.mark.e2e

SESSIONS = 10


def open_app(page: Page, url: str) -> None:
    """Open url; check the page shows no exception, no error box and no dialog."""
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sidebar_select(page: Page, label: str):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name=label)


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language("en")


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.url_path)
def test_every_page_renders_in_japanese(server, page, spec):
    open_app(page, f"{server.url}/{spec.link}?lang=JA")

    expect(heading(page)).to_have_text(JA[spec.title])
    expect(sidebar_select(page, JA["Period"])).to_have_value(JA["This quarter"])
    nav = page.get_by_test_id("stSidebarNavLink")
    expect(nav.filter(has_text=JA["Deals"])).to_have_count(1)
    assert cut_tile_text(page) == []


def test_language_switch_changes_the_interface_and_the_url(server, page):
    overview = PAGES[0]
    open_app(page, f"{server.url}/{overview.link}")
    expect(heading(page)).to_have_text(overview.title)

    page.get_by_test_id("stSidebar").get_by_role("radio", name="JA", exact=True).click()
    wait_for_app(page)

    expect(heading(page)).to_have_text(JA[overview.title])
    expect(page).to_have_url(re.compile(r"lang=JA"))
    set_language(JAPANESE)
    expect(page.get_by_test_id("stSidebar").get_by_text(JA["Filters"])).to_be_visible()


def test_language_switch_keeps_the_choices_on_the_page(server, page):
    # The browser keeps showing a choice in the old language unless the page gives it again.
    open_app(page, f"{server.url}/deals")
    main = page.get_by_test_id("stMain")
    main.get_by_role("combobox", name="Which deals").click()
    page.get_by_role("option", name="Closed in the period", exact=True).click()
    wait_for_app(page)
    main.get_by_role("combobox", name="Sort by").click()
    page.get_by_role("option", name="Owner", exact=True).click()
    wait_for_app(page)

    page.get_by_test_id("stSidebar").get_by_role("radio", name="JA", exact=True).click()
    wait_for_app(page)

    expect(main.get_by_role("combobox", name=JA["Which deals"])).to_have_value(
        JA["Closed in the period"]
    )
    expect(main.get_by_role("combobox", name=JA["Sort by"])).to_have_value(JA["Owner"])

    page.get_by_test_id("stSidebarNavLink").filter(has_text=JA["Funnel"]).click()
    wait_for_app(page)
    page.get_by_role("tab", name=JA["Stage transitions"]).click()
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="EN", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Stage transitions")).to_have_attribute(
        "aria-selected", "true"
    )


def test_navigation_keeps_the_filters_and_the_language(server, page, sample_db):
    pipeline = list(sample_db.status.pipelines)[0]
    open_app(page, f"{server.url}/?lang=JA&{filters.KEY_PERIOD}={JA['Last quarter']}")
    sidebar_select(page, JA["Pipeline"]).click()
    page.get_by_role("option", name=pipeline, exact=True).click()
    wait_for_app(page)

    links = page.get_by_test_id("stSidebarNavLink")
    for spec in PAGES[1:]:
        links.filter(has_text=JA[spec.title]).click()
        wait_for_app(page)
        expect(heading(page)).to_have_text(JA[spec.title])
        expect(sidebar_select(page, JA["Period"])).to_have_value(JA["Last quarter"])
        expect(sidebar_select(page, JA["Pipeline"])).to_have_value(pipeline)


def test_a_copied_url_shows_the_same_figures(server, page, browser):
    # Bound filters hold the label shown, in the link's language.
    url = f"{server.url}/{PAGES[0].link}?{filters.KEY_PERIOD}={JA['Last year']}&lang=JA"
    open_app(page, url)
    shown = page.get_by_test_id("stMetricValue").all_inner_texts()
    assert shown

    other = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        open_app(other, page.url)
        assert other.get_by_test_id("stMetricValue").all_inner_texts() == shown
        expect(sidebar_select(other, JA["Period"])).to_have_value(JA["Last year"])
    finally:
        other.context.close()


def test_a_table_downloads_as_csv(server, page):
    deals = next(p for p in PAGES if p.url_path == "deals")
    open_app(page, f"{server.url}/{deals.link}?{filters.KEY_PERIOD}=All+time")

    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Download all [\d,]+ deals as CSV$")).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1
    assert all(len(row) == len(rows[0]) for row in rows)
    # Formula-looking text is defused in every cell.
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_ten_sessions_at_once_render_every_page(server, browser):
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(SESSIONS)
    ]
    try:
        pages = [c.new_page() for c in contexts]
        for spec in PAGES:
            for page in pages:
                page.goto(f"{server.url}/{spec.link}", wait_until="commit")
            for page in pages:
                wait_for_app(page)
                expect(heading(page)).to_have_text(spec.title)
                expect(page.get_by_test_id("stException")).to_have_count(0)
                expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()


def loaded_tiles(page: Page, url: str) -> dict[str, str]:
    open_app(page, f"{url}/data")
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.first).to_be_visible()
    return {
        m.get_by_test_id("stMetricLabel").inner_text().strip(): m.get_by_test_id(
            "stMetricValue"
        ).inner_text()
        for m in metrics.all()
    }


def test_a_broken_csv_shows_its_problems_and_changes_nothing(server, page, tmp_path):
    before = loaded_tiles(page, server.url)
    broken = tmp_path / "deals.csv"
    broken.write_text(
        "Deal ID,Deal Name,Stage,Amount,Created Date\n"
        "B1,Acme renewal,Prospecting,-5,2025-01-06\n"
        "B2,Globex,Prospecting,lots,2025-01-07\n",
        encoding="utf-8",
    )

    page.goto(f"{server.url}/data?data_tab=Import+files")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(broken))
    wait_for_app(page)

    problems = page.locator(".st-key-data_problems")
    expect(problems).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("problems found")
    expect(page.get_by_role("button", name="Import the file")).to_be_disabled()
    assert loaded_tiles(page, server.url) == before


def test_the_meeting_pack_downloads_as_one_offline_html_file(server, page):
    weekly = next(p for p in PAGES if p.url_path == "weekly")
    open_app(page, f"{server.url}/{weekly.link}")

    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Meeting pack (HTML)").click()
    download = info.value
    assert download.suggested_filename.endswith(".html")
    html = download.path().read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Plotly.newPlot" in html or "plotly" in html.lower()
    # Works offline: no script is fetched from the network.
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)


def _approach_deals(sample_db, tmp_path) -> tuple[list[str], list[str]]:
    """Return the default Funnel view's stages and the IDs of the deals that reached Approach.

    Read from a copy: the server holds the database file.
    """
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db.path, copy)
    con = connect(copy, read_only=True)
    try:
        as_of = data_as_of(con)
        period = periods.resolve(periods.DEFAULT_PERIOD, as_of)
        view = Filters.build(period.start, period.end, as_of, "New Business", {})
        stages = list(funnel.funnel(con, view)["stage"])
        deals = funnel.funnel_deals(con, view, "Approach", limit=500)
        shown = funnel_figures.deal_table(deals, reporting_currency(con))
    finally:
        con.close()
    return stages, list(shown["Deal ID"])


def test_a_chart_click_drills_to_the_deals_and_opens_a_timeline(server, page, sample_db, tmp_path):
    stages, approach = _approach_deals(sample_db, tmp_path)
    assert approach
    open_app(page, f"{server.url}/funnel")

    # Plotly takes clicks on its drag layer above the bars: click where the bar is drawn.
    bar = page.locator(".st-key-funnel_chart g.trace .point path").nth(stages.index("Approach"))
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)
    picker = page.locator(".st-key-funnel_drill_pick").get_by_role("combobox")
    expect(picker).to_have_value("Approach")

    # The deals behind the bar: pick the first row (largest amount) and open its timeline.
    button = page.get_by_role("button", name="Open the selected deal's timeline")
    expect(button).to_be_disabled()
    grid = page.locator(".st-key-funnel_deals_deals")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    header = row = 35
    page.mouse.click(box["x"] + 15, box["y"] + header + row / 2)
    wait_for_app(page)
    expect(button).to_be_enabled()
    button.click()

    expect(heading(page)).to_have_text("Deals")
    expect(page).to_have_url(re.compile(rf"deal={approach[0]}"))
    wait_for_app(page)
    expect(page.get_by_text(f"· {approach[0]}", exact=False)).to_be_visible()
