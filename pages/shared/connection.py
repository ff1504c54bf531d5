"""The one database connection of the app, and cached queries through per-query cursors.

The connection is opened once per database path (`st.cache_resource`), migrated, and filled
with the bundled sample data when no deals are loaded. Every query gets its own cursor, and
results are cached by (database, data version, function, arguments): anything in the app that
writes to the store calls `Store.changed()` so that cached results are recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

import duckdb
import streamlit as st

from analytics import store as store_module

T = TypeVar("T")


@dataclass
class Store:
    """The open connection to one database file and a counter of the writes made through it."""

    path: Path
    con: duckdb.DuckDBPyConnection
    version: int = 0
    _lock: Lock = field(default_factory=Lock, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        """Return what identifies the data now: the file and how many writes it has seen."""
        return str(self.path), self.version

    def changed(self) -> None:
        """Record a write, so that every cached query result is computed afresh."""
        with self._lock:
            self.version += 1


@st.cache_resource(show_spinner="Opening the database (the sample data is loaded on first start)…")
def _open_store(path: str) -> Store:
    con = store_module.connect(path)
    if store_module.is_empty(con):
        from analytics.sample import load_sample

        load_sample(con)
    return Store(Path(path), con)


def get_store() -> Store:
    """Return the store at $PIPELINE_DB (default data/pipeline.duckdb); StoreBusy when held."""
    return _open_store(str(store_module.db_path()))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(
    store_key: tuple[str, int],
    function_name: str,
    args: tuple,
    kwargs: dict[str, Any],
    *,
    _function: Callable[..., Any],
    _store: Store,
) -> Any:
    with _store.con.cursor() as cur:
        return _function(cur, *args, **kwargs)


def query(store: Store, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Return function(cursor, *args, **kwargs), cached until the data or the arguments change.

    function is an analytics function taking a connection first; its arguments must be
    hashable by Streamlit (strings, numbers, dates, tuples) and its result picklable.
    """
    name = f"{function.__module__}.{function.__qualname__}"
    return _cached_call(store.key, name, args, kwargs, _function=function, _store=store)
