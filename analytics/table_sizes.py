"""Row counts and date ranges of the stored tables, without the data-quality checks.

status.store_status gives these together with the stage-history fidelity and the quality
counts, which read every stage event and activity (tens of seconds on a million deals). The
Data page shows the sizes first and runs the checks only in the tab that shows them.
"""

from __future__ import annotations

import duckdb

from analytics.status import DATE_COLUMNS, TABLES, TableStatus


def table_sizes(con: duckdb.DuckDBPyConnection) -> tuple[TableStatus, ...]:
    """Return each table of status.TABLES with its rows and first and last date (None: undated)."""
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
