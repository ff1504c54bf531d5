"""Fixtures of the page tests: the sample data in a database of the test's own, and AppTest.

The sample store is built once per session and copied for each test, so a page test that
writes (an import, a target edit) never changes what the next test sees.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics import store

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90


@pytest.fixture(scope="session")
def sample_store_file(tmp_path_factory) -> Path:
    """Return a database file holding the bundled sample data (built once per session)."""
    from analytics.sample import load_sample

    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    con = store.connect(path)
    try:
        load_sample(con)
    finally:
        con.close()
    return path


@pytest.fixture
def sample_db(sample_store_file, db_path) -> Path:
    """A copy of the sample database at $PIPELINE_DB, for this test only."""
    shutil.copyfile(sample_store_file, db_path)
    return db_path


@pytest.fixture
def expected_con(db_path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the test's database, for working out what a page must show.

    In one process DuckDB shares a database between connections of the same configuration,
    so this connection and the page's (opened by AppTest in this process) see the same data.
    """
    con = store.connect(db_path)
    yield con
    con.close()


def run_page(script: str, query_params: dict | None = None, **session) -> AppTest:
    """Return AppTest of a page script (relative to the project root) after its first run."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    for key, value in session.items():
        at.session_state[key] = value
    return at.run()
