"""Build small stores from literal rows for metric tests: a real DuckDB file, no importer.

Rows are dicts of canonical column names; columns left out are NULL. Derived tables are
rebuilt the way every write rebuilds them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb

from analytics import derived, store


def day(text: str) -> datetime:
    """Return a timestamp from 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text)


def d(text: str) -> date:
    """Return a date from 'YYYY-MM-DD'."""
    return date.fromisoformat(text)


def pipeline_rows(
    name: str,
    stages: Sequence[str],
    probabilities: Sequence[float] | None = None,
    rotting: Sequence[int | None] | None = None,
) -> list[dict]:
    """Return pipelines_stages rows for one pipeline's open stages in order."""
    return [
        {
            "pipeline": name,
            "stage": stage,
            "position": i + 1,
            "probability": probabilities[i] if probabilities else None,
            "rotting_days": rotting[i] if rotting else None,
        }
        for i, stage in enumerate(stages)
    ]


@cache
def _migrated_template() -> Path:
    """Return an empty, migrated store file made once per test process (migrating takes ~0.2 s)."""
    path = Path(tempfile.mkdtemp(prefix="store-template-")) / "template.duckdb"
    store.connect(path).close()
    return path


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict]) -> None:
    # One statement per set of columns: rows naming the same columns go in one executemany.
    by_columns: dict[tuple[str, ...], list[list]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(list(row.values()))
    for columns, values in by_columns.items():
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", values)


def build_store(
    path: Path,
    *,
    pipelines: Iterable[dict] = (),
    deals: Iterable[dict] = (),
    events: Iterable[tuple] = (),
    activities: Iterable[dict] = (),
    leads: Iterable[dict] = (),
    targets: Iterable[dict] = (),
    deal_changes: Iterable[tuple] = (),
    meta: dict[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Return a connection to a new store at path holding exactly the given rows.

    events are (deal_id, stage, entered_at) tuples; deal_changes are (deal_id, field, old, new,
    changed_at) tuples.
    """
    shutil.copyfile(_migrated_template(), path)
    con = store.connect(path)
    _insert(con, "pipelines_stages", pipelines)
    _insert(con, "deals", deals)
    _insert(
        con,
        "stage_events",
        ({"deal_id": e[0], "stage": e[1], "entered_at": e[2], "source": "history"} for e in events),
    )
    _insert(con, "activities", activities)
    _insert(con, "leads", leads)
    _insert(con, "targets", targets)
    _insert(
        con,
        "deal_changes",
        (dict(zip(("deal_id", "field", "old_value", "new_value", "changed_at"), c, strict=True))
         for c in deal_changes),
    )  # fmt: skip
    for key, value in (meta or {}).items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
    derived.refresh(con)
    return con
