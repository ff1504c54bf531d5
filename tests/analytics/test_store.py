"""The store: where the database lives, its schema and migrations, and a database in use.

A database held open by another process (the running dashboard) makes `connect()` raise
StoreBusy naming the file and the process, and a command-line import stop with exit 1 and
a message saying how to proceed; once the other process stops, the same import succeeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics import cli, derived, store
from analytics.errors import StoreBusy
from analytics.schema import IMPORTABLE

ROOT = Path(__file__).resolve().parents[2]
DEALS = (
    "deal_id,name,stage,amount,owner,created_at\n"
    "D-1,Acme renewal,Prospecting,12500,Alice,2024-01-05\n"
    "D-2,Globex expansion,Won,8000,Bob,2024-01-10\n"
)
EXTRA_TABLES = {
    "snapshots",
    "deal_changes",
    "imports",
    "meta",
    "stage_visits",
    "stage_exits",
    "value_spans",
    "deal_facts",
}
ALL_TABLES = {t.name for t in IMPORTABLE.values()} | EXTRA_TABLES


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m analytics ARGS` from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def snapshot(path: Path) -> dict[str, list[tuple]]:
    con = store.connect(path)
    try:
        return store.table_snapshot(con)
    finally:
        con.close()


# --- where the database lives -------------------------------------------------------------------

DEFAULT = ROOT / "data" / "pipeline.duckdb"


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        ("given/a.duckdb", "from_env/b.duckdb", Path("given/a.duckdb")),
        (Path("given/a.duckdb"), None, Path("given/a.duckdb")),
        ("given/a.duckdb", None, Path("given/a.duckdb")),
        (None, "from_env/b.duckdb", Path("from_env/b.duckdb")),
        ("", "from_env/b.duckdb", Path("from_env/b.duckdb")),  # an empty --db is no --db
        (None, None, DEFAULT),
        (None, "", DEFAULT),  # an empty variable is no variable
    ],
)
def test_db_path_precedence(explicit, env, expected, monkeypatch):
    if env is None:
        monkeypatch.delenv(store.DB_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(store.DB_ENV_VAR, env)
    assert store.db_path(explicit) == expected


def test_default_database_is_data_pipeline_duckdb_of_the_project():
    assert store.DEFAULT_DB_PATH == DEFAULT
    assert store.DB_ENV_VAR == "PIPELINE_DB"


def test_connect_without_a_path_uses_pipeline_db(tmp_path, monkeypatch):
    target = tmp_path / "nested" / "env.duckdb"
    monkeypatch.setenv(store.DB_ENV_VAR, str(target))
    con = store.connect()
    con.close()
    assert target.is_file()


def test_command_line_uses_pipeline_db_when_no_db_is_given(tmp_path):
    target = tmp_path / "cli-env.duckdb"
    env = {**os.environ, store.DB_ENV_VAR: str(target)}

    proc = run_cli("status", env=env)

    assert proc.returncode == 0, proc.stderr
    assert f"Database: {target}" in proc.stdout
    assert target.is_file()


def test_every_cursor_of_a_connection_runs_in_utc_whatever_the_machine_zone(tmp_path):
    # Pages and the importer query through cursors, each a session of its own: on a machine
    # set to Tokyo a cursor used to start in Tokyo time (and the importer's fast path for
    # clean timestamps, which needs UTC, was never taken).
    script = (
        "import sys; from analytics import store\n"
        "con = store.connect(sys.argv[1])\n"
        "print(con.execute(\"SELECT current_setting('TimeZone')\").fetchone()[0])\n"
        "print(con.cursor().execute(\"SELECT current_setting('TimeZone')\").fetchone()[0])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "tz.duckdb")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TZ": "Asia/Tokyo"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["UTC", "UTC"]


# --- schema and migrations ----------------------------------------------------------------------


def test_new_database_gets_every_table_and_records_its_schema_version(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        assert store.schema_version(con) == store.SCHEMA_VERSION >= 1
        recorded = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        assert recorded == [(str(store.SCHEMA_VERSION),)]
        deal_columns = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'deals'"
            ).fetchall()
        }
    finally:
        con.close()
    assert tables == ALL_TABLES
    assert {c.name for c in IMPORTABLE["deals"].stored_columns} <= set(deal_columns)
    assert deal_columns["amount"] == "DOUBLE"
    assert deal_columns["created_at"] == "TIMESTAMP"
    assert deal_columns["expected_close_date"] == "DATE"


def test_schema_version_of_an_empty_database_is_zero(tmp_path):
    con = duckdb.connect(str(tmp_path / "plain.duckdb"))
    try:
        assert store.schema_version(con) == 0
    finally:
        con.close()


def test_an_older_store_recounts_its_last_day_with_changes_and_leads(tmp_path):
    # Schema 5: the data's last day (when deal_facts describes the deals as they are) counts
    # leads and recorded changes; a schema 4 store had it from deals, events and activities.
    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    con.execute(
        "INSERT INTO deals (deal_id, pipeline, stage, status, created_at) "
        "VALUES ('D1', 'Default', 'Prospecting', 'open', TIMESTAMP '2025-01-10 09:00')"
    )
    con.execute("INSERT INTO leads (lead_id, created_at) VALUES ('L1', TIMESTAMP '2025-02-05')")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('data_through', '2025-01-10')")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', '4')")
    con.close()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert derived.data_through(con) == date(2025, 2, 5)
    finally:
        con.close()


def test_migrate_is_idempotent(tmp_path):
    path = tmp_path / "idem.duckdb"
    (tmp_path / "deals.csv").write_text(DEALS, encoding="utf-8")
    assert cli.main(["import", str(tmp_path / "deals.csv"), "--db", str(path)]) == 0
    before = snapshot(path)

    con = store.connect(path)
    try:
        assert store.migrate(con) == store.SCHEMA_VERSION
        assert store.migrate(con) == store.SCHEMA_VERSION
        assert store.table_snapshot(con) == before
    finally:
        con.close()
    assert snapshot(path) == before  # and opening it again migrates nothing either


def test_a_failing_migration_leaves_the_schema_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    store.connect(path).close()
    before = snapshot(path)

    def broken_step(con):
        con.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("migration step failed")

    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, broken_step))
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS))
    with pytest.raises(RuntimeError, match="migration step failed"):
        store.connect(path)
    monkeypatch.undo()

    assert snapshot(path) == before
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
    finally:
        con.close()


def _claim_newer_schema(path: Path) -> int:
    store.connect(path).close()
    newer = store.SCHEMA_VERSION + 1
    con = duckdb.connect(str(path))
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(newer)])
    finally:
        con.close()
    return newer


def _connect_error(path: Path) -> str:
    """Return the message of the error connect(path) raises (the error itself is dropped)."""
    try:
        store.connect(path).close()
    except Exception as exc:  # any type: the message is what is checked
        return str(exc)
    pytest.fail(f"connect({path}) did not raise")


def test_connect_refuses_a_database_with_a_newer_schema(tmp_path):
    path = tmp_path / "newer.duckdb"
    newer = _claim_newer_schema(path)

    message = _connect_error(path)

    assert "newer version" in message
    assert f"schema {newer}" in message and str(store.SCHEMA_VERSION) in message
    assert "Upgrade" in message
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert store.schema_version(con) == newer  # left alone, not "migrated" back
    finally:
        con.close()


def test_a_refused_connect_does_not_keep_the_database_open(tmp_path):
    path = tmp_path / "newer.duckdb"
    _claim_newer_schema(path)

    with pytest.raises(Exception, match="newer version") as refused:
        store.connect(path)

    # The caller still holds the error (a page showing it, a log keeping it): the
    # connection connect() opened must be closed all the same.
    assert refused.value is not None
    con = duckdb.connect(str(path), read_only=True)
    con.close()


@pytest.mark.parametrize("command", ["import", "status"])
def test_command_line_explains_a_newer_schema_without_a_traceback(command, tmp_path):
    path = tmp_path / "newer.duckdb"
    _claim_newer_schema(path)
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS, encoding="utf-8")
    args = [command, str(deals)] if command == "import" else [command]

    proc = run_cli(*args, "--db", str(path))

    assert proc.returncode == cli.EXIT_REJECTED, proc.stderr
    assert "newer version" in proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr


# --- a database in use by another process ---------------------------------------------------------

HOLDER = (
    "import sys, time, duckdb\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


class Holder:
    """Another process with the database open read-write (as the running dashboard has)."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            pytest.fail(f"the holder did not start: {line!r} {self.proc.stderr.read()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def seeded(tmp_path) -> Path:
    path = tmp_path / "held.duckdb"
    (tmp_path / "seed.csv").write_text(DEALS, encoding="utf-8")
    assert cli.main(["import", str(tmp_path / "seed.csv"), "--db", str(path)]) == 0
    return path


@pytest.fixture
def holder(seeded):
    held = Holder(seeded)
    yield held
    held.stop()


@pytest.mark.parametrize("read_only", [False, True])
def test_connect_to_a_held_database_raises_store_busy(read_only, seeded, holder):
    with pytest.raises(StoreBusy) as info:
        store.connect(seeded, read_only=read_only)

    busy = info.value
    assert busy.path == seeded
    assert str(seeded) in str(busy)
    assert busy.title == "Database in use"
    reported = str(busy.__cause__)
    if "PID" in reported:  # DuckDB names the process holding the lock (it does on Linux)
        assert busy.pid == holder.pid
        assert f"process {holder.pid}" in str(busy)
    else:
        assert busy.pid is None


def test_command_line_import_stops_while_the_dashboard_holds_the_database(seeded, tmp_path):
    new = tmp_path / "new_deals.csv"
    new.write_text(
        "deal_id,name,stage,amount,owner,created_at\nD-9,Hooli,Approach,700,Carol,2024-02-01\n",
        encoding="utf-8",
    )
    before = snapshot(seeded)
    held = Holder(seeded)
    try:
        refused = run_cli("import", str(new), "--db", str(seeded))
    finally:
        held.stop()

    assert refused.returncode == cli.EXIT_REJECTED, refused.stderr
    message = refused.stderr
    assert "Database in use" in message
    assert str(seeded) in message
    assert "Stop the dashboard" in message and "run the command again" in message
    assert "Traceback" not in message
    assert snapshot(seeded) == before

    again = run_cli("import", str(new), "--db", str(seeded))

    assert again.returncode == cli.EXIT_OK, again.stderr
    con = store.connect(seeded)
    try:
        assert con.execute("SELECT name FROM deals WHERE deal_id = 'D-9'").fetchall() == [
            ("Hooli",)
        ]
    finally:
        con.close()


def test_table_snapshot_holds_every_table(seeded):
    tables = snapshot(seeded)
    assert set(tables) == ALL_TABLES
    assert len(tables["deals"]) == 2
    assert tables["deals"] == sorted(tables["deals"], key=repr)
