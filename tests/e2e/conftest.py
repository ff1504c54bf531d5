"""Real-browser fixtures: Debian's Chromium through Playwright, and the dashboard on the sample data.

Without a browser the tests are skipped locally and fail on CI (CI=true), where `.ci/run`
installs Debian's chromium package; `playwright install` is never used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from analytics.quality import data_as_of
from analytics.status import StoreStatus, store_status
from analytics.store import connect

from .helpers import CHROMIUM, CHROMIUM_ARGS, Server, find_chromium, streamlit_server


def skip_or_fail(message: str) -> None:
    """Skip the test, except on CI, where a missing prerequisite is a failure."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sample_loader():
    """The function that loads the sample data (the e2e tests start on it)."""
    try:
        from analytics.sample import load_sample
    except ImportError as exc:
        skip_or_fail(f"the e2e tests start on the sample data, which cannot be loaded: {exc}")
    return load_sample


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    executable = find_chromium()
    if executable is None:
        skip_or_fail(
            f"no Chromium at {CHROMIUM}: install Debian's package "
            "(apt-get install --no-install-recommends chromium) to run the e2e tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass(frozen=True)
class SampleDatabase:
    """The e2e database and its status, read before the server locks the file."""

    path: Path
    status: StoreStatus
    as_of: date


@pytest.fixture(scope="session")
def sample_db(sample_loader, tmp_path_factory) -> SampleDatabase:
    """A database holding the sample data, written before the server opens it."""
    path = tmp_path_factory.mktemp("e2e") / "pipeline.duckdb"
    con = connect(path)
    try:
        sample_loader(con)
        status = store_status(con)
        as_of = data_as_of(con)
    finally:
        con.close()
    return SampleDatabase(path, status, as_of)


@pytest.fixture(scope="session")
def server(browser, sample_db, tmp_path_factory) -> Iterator[Server]:
    """The dashboard on the sample database, for the whole session."""
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with streamlit_server(sample_db.path, log) as running:
        yield running


@pytest.fixture
def page(browser):
    """A fresh browser page in a context of its own (no state shared between tests)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server's output to the report of a failed e2e test."""
    report = yield
    if report.when == "call" and report.failed:
        running = item.funcargs.get("server")
        if isinstance(running, Server) and running.log.exists():
            report.sections.append(("streamlit server output", running.log.read_text()[-20_000:]))
    return report
