"""Writing validated import tables into the store (called inside the import's transaction)."""

from __future__ import annotations

from datetime import datetime

import duckdb

from analytics.parsing import quote_ident as q
from analytics.schema import IMPORTABLE

IMPORTABLE_NAMES = tuple(t.name for t in IMPORTABLE.values())


def _next_id(cur: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return cur.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0]


def record_import(
    cur: duckdb.DuckDBPyConnection,
    source_file: str,
    kind: str,
    preset: str,
    content_hash: str,
    rows: int,
) -> None:
    """Log one imported file (its content hash makes a repeat import a no-op)."""
    cur.execute(
        "INSERT INTO imports VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?)",
        [_next_id(cur, "imports", "import_id"), source_file, kind, preset, content_hash, rows],
    )


def already_imported(cur: duckdb.DuckDBPyConnection, kind: str, content_hash: str) -> bool:
    """Return True when a file with this content and these options was imported before."""
    return (
        cur.execute(
            "SELECT count(*) FROM imports WHERE kind = ? AND content_hash = ?", [kind, content_hash]
        ).fetchone()[0]
        > 0
    )


STORED_TABLES = (*IMPORTABLE_NAMES, "snapshots", "deal_changes", "imports")


def clear_all(cur: duckdb.DuckDBPyConnection) -> None:
    """Delete every row of every data table (the schema and its version stay)."""
    for table in STORED_TABLES:
        cur.execute(f"DELETE FROM {table}")


def write_pipelines(
    cur: duckdb.DuckDBPyConnection,
    declared: dict[str, list[str]],
    probabilities: dict[tuple[str, str], float | None],
    rotting: dict[tuple[str, str], int | None],
) -> int:
    """Replace the stages of every declared pipeline; return the number of stage rows written."""
    written = 0
    for pipeline, stages in declared.items():
        cur.execute("DELETE FROM pipelines_stages WHERE pipeline = ?", [pipeline])
        cur.executemany(
            "INSERT INTO pipelines_stages VALUES (?, ?, ?, ?, ?)",
            [
                (pipeline, stage, i, probabilities.get((pipeline, stage)),
                 rotting.get((pipeline, stage)))
                for i, stage in enumerate(stages, start=1)
            ],
        )  # fmt: skip
        written += len(stages)
    return written


def _columns(kind: str) -> list[str]:
    return [c.name for c in IMPORTABLE[kind].stored_columns]


# Kinds whose rows are identified by several columns instead of an ID column.
COMPOSITE_KEYS: dict[str, tuple[str, ...]] = {"exchange_rates": ("currency", "rate_date")}


def write_keyed(cur: duckdb.DuckDBPyConnection, kind: str, fin: str) -> dict[str, int]:
    """Insert new rows and replace changed ones by key; return counts of inserted and updated."""
    table = IMPORTABLE[kind]
    keys = [q(k) for k in COMPOSITE_KEYS.get(kind, (table.key,))]
    key_list = ", ".join(keys)
    cols = ", ".join(q(c) for c in _columns(kind))
    if cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table.name})").fetchone()[0]:
        # An INSERT answers with the number of rows it wrote.
        rows = cur.execute(
            f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {fin}"
        ).fetchone()[0]
        return {"inserted": rows, "updated": 0}
    inserted, updated = cur.execute(
        f"SELECT count(*) FILTER (WHERE t.{keys[0]} IS NULL), "
        f"count(*) FILTER (WHERE t.{keys[0]} IS NOT NULL AND "
        f"({', '.join('f.' + q(c) for c in _columns(kind))}) IS DISTINCT FROM "
        f"({', '.join('t.' + q(c) for c in _columns(kind))})) "
        f"FROM {fin} AS f LEFT JOIN {table.name} AS t "
        f"ON {' AND '.join(f't.{k} = f.{k}' for k in keys)}"
    ).fetchone()
    cur.execute(f"DELETE FROM {table.name} WHERE ({key_list}) IN (SELECT {key_list} FROM {fin})")
    cur.execute(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {fin}")
    return {"inserted": inserted, "updated": updated}


def write_deals(
    cur: duckdb.DuckDBPyConnection,
    fin: str,
    taken_at: datetime,
    source_file: str,
    content_hash: str,
    histories: tuple[str, ...] = (),
) -> dict[str, int]:
    """Upsert deals, record stage/amount/close-date changes and derive missing history.

    An export older than one already imported only adds the deals it alone knows: exports
    arrive in any order, and stored deals keep the state of the newest one. histories are
    the history tables the same import writes next (write_history): their deals get no
    derived events, which that write would delete again.
    """
    compared = _columns("deals")
    cols = [*compared, "custom"]
    latest = cur.execute("SELECT max(taken_at) FROM snapshots").fetchone()[0]
    if latest is not None and taken_at < latest:
        source = f"{fin}_unknown"
        cur.execute(
            f"CREATE TEMP TABLE {source} AS SELECT * FROM {fin} AS f "
            "WHERE NOT EXISTS (SELECT 1 FROM deals AS d WHERE d.deal_id = f.deal_id)"
        )
    else:
        source = fin
    chg = f"{fin}_chg"
    # Only the columns the steps below read: the rows are copied once more here.
    cur.execute(
        f"""
        CREATE TEMP TABLE {chg} AS
        SELECT f.deal_id, f.pipeline, f.stage, f.status, f.open_stage, f.amount,
               f.expected_close_date, f.created_at, f.closed_at, f.last_stage_change_at,
               d.deal_id IS NOT NULL AS existed, d.stage AS old_stage,
               d.amount AS old_amount, d.expected_close_date AS old_close,
               ({", ".join("f." + q(c) for c in compared)}) IS DISTINCT FROM
               ({", ".join("d." + q(c) for c in compared)}) AS differs
        FROM {source} AS f LEFT JOIN deals AS d USING (deal_id)
        """
    )
    counts = dict(
        zip(
            ("inserted", "updated"),
            cur.execute(
                f"SELECT count(*) FILTER (WHERE NOT existed), "
                f"count(*) FILTER (WHERE existed AND differs) FROM {chg}"
            ).fetchone(),
            strict=True,
        )
    )
    # A stage that differs from the previous export is a move seen between two snapshots;
    # an INSERT answers with the number of rows it wrote.
    counts["stage_changes"] = cur.execute(
        f"""
        INSERT INTO stage_events (deal_id, stage, entered_at, source)
        SELECT deal_id, stage,
               CASE WHEN status <> 'open' THEN coalesce(closed_at, ?)
                    ELSE coalesce(last_stage_change_at, ?) END,
               'snapshot'
        FROM {chg} WHERE existed AND stage IS DISTINCT FROM old_stage
        """,
        [taken_at, taken_at],
    ).fetchone()[0]
    for field, new, old in (
        ("amount", "amount", "old_amount"),
        ("expected_close_date", "expected_close_date", "old_close"),
    ):
        cur.execute(
            f"""
            INSERT INTO deal_changes
            SELECT deal_id, ?, CAST({old} AS VARCHAR), CAST({new} AS VARCHAR), ?
            FROM {chg} WHERE existed AND {new} IS DISTINCT FROM {old}
            """,
            [field, taken_at],
        )
    counts["field_changes"] = cur.execute(
        f"SELECT count(*) FROM {chg} WHERE existed AND "
        "(amount IS DISTINCT FROM old_amount OR expected_close_date IS DISTINCT FROM old_close)"
    ).fetchone()[0]
    _derive_events(cur, chg, histories)
    quoted = ", ".join(q(c) for c in cols)
    cur.execute(f"DELETE FROM deals WHERE deal_id IN (SELECT deal_id FROM {source})")
    cur.execute(f"INSERT INTO deals ({quoted}) SELECT {quoted} FROM {source}")
    rows = cur.execute(f"SELECT count(*) FROM {fin}").fetchone()[0]
    cur.execute(
        "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?)",
        [_next_id(cur, "snapshots", "snapshot_id"), taken_at, source_file, rows, content_hash],
    )
    return counts


def _derive_events(cur: duckdb.DuckDBPyConnection, chg: str, histories: tuple[str, ...]) -> None:
    """Give new deals without any history events from their created and closed dates."""
    new = f"{chg}_new"
    covered = "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {h} AS h WHERE h.deal_id = c.deal_id)" for h in histories
    )
    cur.execute(
        f"""
        CREATE TEMP TABLE {new} AS
        SELECT c.deal_id, c.status, c.stage, c.open_stage, c.created_at, c.closed_at,
               c.last_stage_change_at, first.stage AS first_stage
        FROM {chg} AS c
        LEFT JOIN pipelines_stages AS first ON first.pipeline = c.pipeline AND first.position = 1
        WHERE NOT c.existed
          AND NOT EXISTS (SELECT 1 FROM stage_events e WHERE e.deal_id = c.deal_id){covered}
        """
    )
    # The export's "last stage change" date says when the deal entered its last open stage,
    # for open and closed deals alike (Pipedrive keeps a won deal's last stage).
    moved = (
        "open_stage IS NOT NULL AND open_stage IS DISTINCT FROM first_stage "
        "AND first_stage IS NOT NULL AND last_stage_change_at > created_at "
        "AND (closed_at IS NULL OR last_stage_change_at <= closed_at)"
    )
    cur.execute(
        f"""
        INSERT INTO stage_events (deal_id, stage, entered_at, source)
        SELECT deal_id,
               CASE WHEN {moved} THEN first_stage ELSE coalesce(open_stage, first_stage) END,
               created_at, 'derived'
        FROM {new} WHERE coalesce(open_stage, first_stage) IS NOT NULL
        UNION ALL
        SELECT deal_id, open_stage, last_stage_change_at, 'derived' FROM {new} WHERE {moved}
        UNION ALL
        SELECT deal_id, stage, greatest(closed_at, created_at), 'derived'
        FROM {new} WHERE status <> 'open' AND closed_at IS NOT NULL
        """
    )


def write_history(cur: duckdb.DuckDBPyConnection, h: str) -> dict[str, int]:
    """Replace the history of the deals in h: one event per stage visit, plus field changes.

    h holds a file's history rows, each with the stage, amount and close date of the row
    before it of the same deal (prev_stage, prev_amount, prev_close).
    """
    bounds = f"{h}_bounds"
    cur.execute(
        f"CREATE TEMP TABLE {bounds} AS SELECT deal_id, max(entered_at) AS last "
        f"FROM {h} GROUP BY deal_id"
    )
    # The CRM's history is authoritative up to its last row; later snapshot moves stay.
    cur.execute(
        f"DELETE FROM stage_events AS e USING {bounds} AS b WHERE e.deal_id = b.deal_id "
        "AND (e.source IN ('history', 'derived') OR e.entered_at <= b.last)"
    )
    # Salesforce logs a row for every amount, probability or close-date change:
    # consecutive rows in one stage are one visit.
    events = cur.execute(
        f"INSERT INTO stage_events (deal_id, stage, entered_at, source) "
        f"SELECT deal_id, stage, entered_at, 'history' FROM {h} "
        "WHERE prev_stage IS NULL OR prev_stage <> stage"
    ).fetchone()[0]
    cur.execute(
        f"DELETE FROM deal_changes AS c USING {bounds} AS b "
        "WHERE c.deal_id = b.deal_id AND c.changed_at <= b.last"
    )
    cur.execute(
        f"""
        INSERT INTO deal_changes
        SELECT deal_id, 'amount', CAST(prev_amount AS VARCHAR), CAST(amount AS VARCHAR), entered_at
        FROM {h} WHERE prev_amount IS NOT NULL AND amount IS NOT NULL AND amount <> prev_amount
        UNION ALL
        SELECT deal_id, 'expected_close_date', CAST(prev_close AS VARCHAR),
               CAST(expected_close_date AS VARCHAR), entered_at
        FROM {h} WHERE prev_close IS NOT NULL AND expected_close_date IS NOT NULL
          AND expected_close_date <> prev_close
        """
    )
    return {"stage_events": events}
