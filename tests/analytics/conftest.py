"""Fixtures of the importer tests: the hand-written CRM exports and fresh stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from analytics import store

CRM_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm"


@pytest.fixture(scope="session")
def crm_dir() -> Path:
    """Return the folder of hand-written CRM exports (tests/fixtures/crm)."""
    return CRM_FIXTURES


@pytest.fixture
def new_store(tmp_path) -> Callable[..., duckdb.DuckDBPyConnection]:
    """Return a factory of fresh, migrated stores in tmp_path (closed after the test)."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def make(name: str = "t.duckdb") -> duckdb.DuckDBPyConnection:
        con = store.connect(tmp_path / name)
        opened.append(con)
        return con

    yield make
    for con in opened:
        con.close()


@pytest.fixture
def con(new_store) -> duckdb.DuckDBPyConnection:
    """Return one fresh, migrated store (tmp_path / "t.duckdb")."""
    return new_store()
