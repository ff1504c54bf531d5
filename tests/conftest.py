"""Fixtures for every test: caches cleared between tests, and a database of the test's own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # `analytics` and `pages` are imported from the project root, however pytest is started.
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    """Start and end every test with empty st.cache_data and st.cache_resource."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """Return a path for a fresh database and point $PIPELINE_DB at it (never data/pipeline.duckdb)."""
    path = tmp_path / "pipeline.duckdb"
    monkeypatch.setenv("PIPELINE_DB", str(path))
    return path
