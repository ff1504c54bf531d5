"""What the store holds: row counts, date ranges, pipelines, history fidelity, data-quality counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from analytics.quality import QualityCount, quality_counts

TABLES = (
    "deals",
    "stage_events",
    "activities",
    "leads",
    "organizations",
    "contacts",
    "targets",
    "pipelines_stages",
    "exchange_rates",
    "snapshots",
    "deal_changes",
)

# Where a date range is meaningful, the column that carries it.
DATE_COLUMNS = {
    "deals": "created_at",
    "stage_events": "entered_at",
    "activities": "coalesce(completed_at, due_at)",
    "leads": "created_at",
    "contacts": "created_at",
    "targets": "period_start",
    "exchange_rates": "rate_date",
    "snapshots": "taken_at",
    "deal_changes": "changed_at",
}

FIDELITY_LABELS = {
    "history": "full stage history from the CRM",
    "snapshot": "built from successive exports (snapshots)",
    "derived": "derived from created and closed dates only",
    "none": "no stage events",
}


@dataclass(frozen=True)
class TableStatus:
    """Row count and date range of one table (dates None when empty or undated)."""

    name: str
    rows: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class StoreStatus:
    """Everything `status` prints and the app shell shows about the loaded data."""

    tables: tuple[TableStatus, ...]
    pipelines: dict[str, tuple[str, ...]]
    fidelity: dict[str, int]
    quality: tuple[QualityCount, ...]

    def rows(self, table: str) -> int:
        """Return the row count of one table."""
        return next(t.rows for t in self.tables if t.name == table)

    @property
    def deal_dates(self) -> tuple[date | None, date | None]:
        """Return the first and last deal creation date."""
        deals = next(t for t in self.tables if t.name == "deals")
        return deals.first, deals.last

    @property
    def fidelity_summary(self) -> str:
        """Return the fidelity of the stage history in one phrase."""
        present = {k: v for k, v in self.fidelity.items() if v}
        if not present:
            return "no deals loaded"
        if len(present) == 1:
            return FIDELITY_LABELS[next(iter(present))]
        total = sum(present.values())
        return "mixed: " + ", ".join(
            f"{FIDELITY_LABELS[k]} for {v / total:.0%} of deals" for k, v in present.items()
        )


def table_sizes(con: duckdb.DuckDBPyConnection) -> tuple[TableStatus, ...]:
    """Return each table of TABLES with its rows and first and last date (None: undated).

    The quick part of store_status: the Data page shows it without waiting for the
    data-quality counts, which read every stage event and activity.
    """
    out = []
    for name in TABLES:
        column = DATE_COLUMNS.get(name)
        if column is None:
            rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            out.append(TableStatus(name, rows, None, None))
            continue
        rows, first, last = con.execute(
            f"SELECT count(*), min({column})::DATE, max({column})::DATE FROM {name}"
        ).fetchone()
        out.append(TableStatus(name, rows, first, last))
    return tuple(out)


def pipelines(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Return each pipeline's open stages in order."""
    rows = con.execute(
        "SELECT pipeline, list(stage ORDER BY position) FROM pipelines_stages "
        "GROUP BY pipeline ORDER BY pipeline"
    ).fetchall()
    return {p: tuple(stages) for p, stages in rows}


def history_fidelity(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return the number of deals whose stage history comes from each source (best source wins)."""
    rows = con.execute(
        """
        WITH best AS (
            SELECT deal_id,
                   min(CASE source WHEN 'history' THEN 1 WHEN 'snapshot' THEN 2 ELSE 3 END) AS rank
            FROM stage_events GROUP BY deal_id
        )
        SELECT CASE best.rank WHEN 1 THEN 'history' WHEN 2 THEN 'snapshot'
                              WHEN 3 THEN 'derived' ELSE 'none' END AS fidelity,
               count(*)
        FROM deals LEFT JOIN best USING (deal_id)
        GROUP BY ALL
        """
    ).fetchall()
    counts = {k: 0 for k in FIDELITY_LABELS}
    counts.update(dict(rows))
    return counts


def store_status(con: duckdb.DuckDBPyConnection) -> StoreStatus:
    """Return row counts, date ranges, pipelines, history fidelity and data-quality counts."""
    cur = con.cursor()
    return StoreStatus(
        tables=table_sizes(cur),
        pipelines=pipelines(cur),
        fidelity=history_fidelity(cur),
        quality=quality_counts(cur),
    )
