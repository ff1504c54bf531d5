"""The DuckDB file that holds every table: where it lives, how it is opened and migrated."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import duckdb

from analytics.errors import SchemaTooNew, StoreBusy
from analytics.schema import IMPORTABLE, SQL_TYPES, Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "pipeline.duckdb"
DB_ENV_VAR = "PIPELINE_DB"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Return the database path: the explicit one, else $PIPELINE_DB, else data/pipeline.duckdb."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(DB_ENV_VAR)
    if from_env:
        return Path(from_env)
    return DEFAULT_DB_PATH


def _table_ddl(table: Table, extra: str = "") -> str:
    cols = ", ".join(f"{c.name} {SQL_TYPES[c.type]}" for c in table.stored_columns)
    return f"CREATE TABLE {table.name} ({cols}{extra})"


def _migration_1(con: duckdb.DuckDBPyConnection) -> None:
    for kind, table in IMPORTABLE.items():
        if kind == "deals":
            con.execute(_table_ddl(table, ", custom MAP(VARCHAR, VARCHAR)"))
        elif kind == "stage_events":
            # source says how the event is known: the CRM's own history,
            # a diff of two exports, or derived from created/closed dates.
            con.execute(_table_ddl(table, ", source VARCHAR NOT NULL"))
        else:
            con.execute(_table_ddl(table))
    con.execute(
        "CREATE TABLE snapshots (snapshot_id INTEGER, taken_at TIMESTAMP, source_file VARCHAR, "
        "row_count BIGINT, content_hash VARCHAR)"
    )
    con.execute(
        "CREATE TABLE deal_changes (deal_id VARCHAR, field VARCHAR, old_value VARCHAR, "
        "new_value VARCHAR, changed_at TIMESTAMP)"
    )
    con.execute(
        "CREATE TABLE imports (import_id INTEGER, imported_at TIMESTAMP, source_file VARCHAR, "
        "kind VARCHAR, preset VARCHAR, content_hash VARCHAR, row_count BIGINT)"
    )


def _rebuild_derived(con: duckdb.DuckDBPyConnection) -> None:
    from analytics import derived

    derived.refresh(con)


def _migration_3(con: duckdb.DuckDBPyConnection) -> None:
    # Migration 1 creates every importable table, so a database made since exchange rates became
    # importable has this one already; older ones get it here. Their deal facts need no rebuild:
    # without rates, amounts convert exactly as before.
    con.execute(
        "CREATE TABLE IF NOT EXISTS exchange_rates (currency VARCHAR, rate_date DATE, rate DOUBLE)"
    )


# Each entry moves the schema from version i to i + 1; append, never edit.
MIGRATIONS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (
    _migration_1,
    # the derived tables appear
    _rebuild_derived,
    _migration_3,
    # deal_facts gained activity_count, and closed deals close at their outcome event when that
    # comes before the stored close date
    _rebuild_derived,
    # the data's last day (meta data_through, which says when deal_facts describes the deals as
    # they are) counts recorded amount and close-date changes, and leads
    _rebuild_derived,
    # value_spans (amounts and close dates at an earlier moment) is a new derived table
    _rebuild_derived,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the schema version recorded in the database (0 for an empty database)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'meta' AND table_schema = 'main'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"The database was written by a newer version of this program "
            f"(schema {version}, this program knows {SCHEMA_VERSION}). Upgrade the program, "
            "or give another database with --db."
        )


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to SCHEMA_VERSION in one transaction; return the version."""
    current = schema_version(con)
    _refuse_newer(current)
    if current == SCHEMA_VERSION:
        return current
    con.execute("BEGIN TRANSACTION")
    try:
        if current == 0:
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        pending = MIGRATIONS[current:]
        # A rebuild reads only the stored tables: one after the other steps serves them all.
        for step in pending:
            if step is not _rebuild_derived:
                step(con)
        if _rebuild_derived in pending:
            _rebuild_derived(con)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


_LOCK_PID = re.compile(r"PID (\d+)")


def connect(
    path: str | os.PathLike | None = None, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Return an open, migrated connection to the store; StoreBusy if another process holds it."""
    target = db_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" not in message.lower():
            raise
        pid = _LOCK_PID.search(message)
        raise StoreBusy(target, int(pid.group(1)) if pid else None) from exc
    try:
        # GLOBAL, so that every cursor of this connection (one per query) runs in UTC too: a
        # cursor is a new session, which would otherwise start in the machine's time zone.
        con.execute("SET GLOBAL TimeZone = 'UTC'")
        if read_only:
            _refuse_newer(schema_version(con))
        else:
            migrate(con)
    except BaseException:
        # A refused connection must not keep the file open (and locked) in this process.
        con.close()
        raise
    return con


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when no deals are loaded."""
    return con.execute("SELECT count(*) FROM deals").fetchone()[0] == 0


def table_snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Return every row of every table, sorted, keyed by table name (for before/after checks)."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    out: dict[str, list[tuple]] = {}
    for name in names:
        rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
        out[name] = sorted(rows, key=repr)
    return out
