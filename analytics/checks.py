"""Checking an import file's cells: problems refuse the import, notes are counted and shown."""

from __future__ import annotations

import duckdb

from analytics import parsing, wording
from analytics.errors import Note, Problem
from analytics.schema import IMPORTABLE
from analytics.staging import (
    SALESFORCE_PREFIXES,
    Staged,
    is_text,
    raw_expr,
    routed,
    source_name,
)

q = parsing.quote_ident
MAX_LISTED = 50  # problems listed per check; the rest are counted


def listed(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    where: str,
    column: str,
    message: str,
) -> None:
    """Add a problem for each row matching where (first MAX_LISTED listed, the rest counted)."""
    rows = cur.execute(
        f"WITH hit AS (SELECT __rowid, count(*) OVER () AS n FROM {staged.table} "
        f"WHERE {where} ORDER BY __rowid LIMIT {MAX_LISTED}) "
        f"SELECT hit.__rowid, CAST(r.{q(column + '__raw')} AS VARCHAR), hit.n FROM hit "
        f"LEFT JOIN {staged.table}_raw AS r USING (__rowid) ORDER BY hit.__rowid"
    ).fetchall()
    source = source_name(staged.mapping, column)
    for rowid, value, _ in rows:
        staged.problems.append(
            Problem(staged.file, staged.raw.row_of(rowid), source, value, message)
        )
    if rows and rows[0][2] > MAX_LISTED:
        more = rows[0][2] - MAX_LISTED
        staged.problems.append(
            Problem(
                staged.file,
                None,
                source,
                None,
                f"and {wording.counted(more, 'more row')} with this problem",
            )
        )


_TYPE_WORDS = {
    "timestamp": "not a date or time this importer can read",
    "date": "not a date this importer can read",
    "amount": "not an amount (expected a number such as 12500, 12,500.00 or $12,500)",
    "number": "not a number",
    "integer": "not a whole number",
    "boolean": "not a yes/no value (expected true/false, 1/0, yes/no)",
}


def _empty(col) -> str:
    """Return SQL true for a typed-table row whose cell was empty."""
    if is_text(col.type):
        return f"{q(col.name)} IS NULL"
    return f"{q(col.name)} IS NULL AND NOT {q(col.name + '__bad')}"


def _empty_count(col) -> str:
    """Return an SQL aggregate counting the rows whose cell was empty."""
    # count() reads only the null mask: cheaper than a filtered count over 9.4M rows.
    nulls = f"count(*) - count({q(col.name)})"
    if is_text(col.type):
        return nulls
    return f"{nulls} - count(*) FILTER (WHERE {q(col.name + '__bad')})"


def _cell_checks(staged: Staged) -> list[tuple[str, str, str, str]]:
    """Return (SQL condition, column, message, probe) for every way a cell can be wrong.

    The probe is an aggregate over the file that is truthy when some row may fail the check;
    only then are the failing rows looked up.
    """
    table = IMPORTABLE[staged.mapping.kind]
    checks: list[tuple[str, str, str, str]] = []
    for col in table.columns:
        given = col.name in staged.mapping.columns or col.name in staged.mapping.constants
        if not given:
            continue
        name = q(col.name)
        if col.type in _TYPE_WORDS:
            bad = q(col.name + "__bad")
            checks.append((bad, col.name, _TYPE_WORDS[col.type], f"count(*) FILTER (WHERE {bad})"))
        if col.required and col.name != "stage":
            checks.append((_empty(col), col.name, "this value is required but the cell is empty",
                           _empty_count(col)))  # fmt: skip
        if col.type in ("amount", "number", "integer"):
            checks.append((f"{name} < 0", col.name, "negative values are not allowed here",
                           f"min({name}) < 0"))  # fmt: skip
        elif col.type == "text" and col.stored:
            # strlen (bytes, stored with the string) rules out almost every cell cheaply.
            checks.append((f"strlen({name}) > 10000 AND length({name}) > 10000", col.name,
                           "the value is longer than 10,000 characters",
                           f"max(strlen({name})) > 10000"))  # fmt: skip
    return checks


def _key(staged: Staged) -> str | None:
    """Return the file's ID column when the file has one."""
    key = IMPORTABLE[staged.mapping.kind].key
    return key if key is not None and key in staged.mapping.columns else None


def check_cells(cur: duckdb.DuckDBPyConnection, staged: Staged) -> int:
    """Report every wrong cell and note the empty optional ones, counting both in one pass.

    Return how many ID cells repeat another (0 when every ID is distinct or there is no ID).
    """
    checks = _cell_checks(staged)
    optional = _optional_columns(staged) if staged.raw.rows else []
    counted = [probe for _, _, _, probe in checks]
    counted += [_empty_count(c) for c in optional]
    key = _key(staged)
    if key:
        # The same pass tells whether any ID repeats; only then are the repeats looked up.
        counted.append(f"count({q(key)}) - count(DISTINCT {q(key)})")
    repeats = 0
    if counted:
        counts = cur.execute(f"SELECT {', '.join(counted)} FROM {staged.table}").fetchone()
        # Only the failing checks are listed row by row.
        for (where, column, message, _), n in zip(checks, counts, strict=False):
            if n:
                listed(cur, staged, where, column, message)
        notes = counts[len(checks) : len(checks) + len(optional)]
        for col, n in zip(optional, notes, strict=True):
            if n:
                staged.notes.append(
                    Note(staged.file, source_name(staged.mapping, col.name), n,
                         "rows have no value", one="row has no value")
                )  # fmt: skip
        repeats = counts[-1] if key else 0
    _routed_notes(cur, staged)
    return repeats


def check_duplicates(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Report IDs that appear more than once with different content; identical repeats are noted."""
    key = _key(staged)
    if key is None:
        return
    stored = [c.name for c in IMPORTABLE[staged.mapping.kind].columns]
    content = "(" + ", ".join(q(c) for c in stored) + ")"
    rows = cur.execute(
        f"WITH repeated AS (SELECT {q(key)} FROM {staged.table} WHERE {q(key)} IS NOT NULL "
        f"GROUP BY {q(key)} HAVING count(*) > 1) "
        f"SELECT {q(key)}, list(__rowid ORDER BY __rowid), count(DISTINCT {content}) "
        f"FROM {staged.table} JOIN repeated USING ({q(key)}) GROUP BY {q(key)} "
        f"ORDER BY min(__rowid)"
    ).fetchall()
    conflicting = [(k, r) for k, r, distinct in rows if distinct > 1]
    identical = [r for _, r, distinct in rows if distinct == 1]
    source = source_name(staged.mapping, key)
    for value, rowids in conflicting[:MAX_LISTED]:
        shown = ", ".join(str(staged.raw.row_of(r)) for r in rowids[:10])
        staged.problems.append(
            Problem(
                staged.file,
                staged.raw.row_of(rowids[1]),
                source,
                value,
                f"duplicate ID with different content (rows {shown})",
            )  # fmt: skip
        )
    if len(conflicting) > MAX_LISTED:
        staged.problems.append(
            Problem(
                staged.file,
                None,
                source,
                None,
                f"and {wording.counted(len(conflicting) - MAX_LISTED, 'more duplicated ID')}",
            )  # fmt: skip
        )
    if identical:
        staged.has_repeats = True
        repeats = sum(len(r) - 1 for r in identical)
        staged.notes.append(
            Note(
                staged.file,
                source,
                repeats,
                "rows repeat another row exactly and were merged",
                tuple(staged.raw.row_of(r[1]) for r in identical[:5]),
                one="row repeats another row exactly and was merged",
            )  # fmt: skip
        )


# Empty by nature: an open deal has no close date, a won deal no lost reason.
_NO_MISSING_NOTES = {("deals", "closed_at"), ("deals", "lost_reason")}


def _optional_columns(staged: Staged) -> list:
    """Return the optional columns whose empty cells are counted as notes."""
    table = IMPORTABLE[staged.mapping.kind]
    return [
        c for c in table.columns
        if c.stored and not c.required and c.name in staged.mapping.columns
        and (staged.mapping.kind, c.name) not in _NO_MISSING_NOTES
        and not routed(staged.mapping, c.name)
    ]  # fmt: skip


def _routed_notes(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Note empty WhatId/WhoId cells (their columns are routed by id prefix, not counted above)."""
    sources = sorted(
        {s for c in SALESFORCE_PREFIXES if routed(staged.mapping, c)
         for s in staged.mapping.columns[c]}
    )  # fmt: skip
    if sources:
        counts = cur.execute(
            "SELECT "
            + ", ".join(
                f"count(*) FILTER (WHERE {raw_expr((s,), staged.mapping.preset.null_values)} "
                "IS NULL)"
                for s in sources
            )
            + f" FROM {staged.raw.table}"
        ).fetchone()
        for source, n in zip(sources, counts, strict=True):
            if n:
                staged.notes.append(
                    Note(staged.file, source, n, "rows have no value", one="row has no value")
                )


def note_rows(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    table: str,
    where: str,
    column: str | None,
    message: str,
    one: str,
) -> None:
    """Add one note counting the rows of table matching where (first rows listed).

    message is the note for several rows, one the same for a single row (Note.one).
    """
    # Counted first: a count runs on every core, a window count over the matches on one, and
    # most notes find nothing.
    n = cur.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
    if not n:
        return
    rows = cur.execute(
        f"SELECT __rowid FROM {table} WHERE {where} ORDER BY __rowid LIMIT 5"
    ).fetchall()
    staged.notes.append(
        Note(
            staged.file,
            column,
            n,
            message,
            tuple(staged.raw.row_of(r[0]) for r in rows),
            one=one,
        )
    )


def reference_note(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    fin: str,
    column: str,
    target: str,
    record: str,
    also: list[str],
) -> None:
    """Note rows whose reference (column, the key of target) is neither stored nor imported now.

    record names one record of target with its article ("a deal"), for the note of one row.
    """
    key = q(column)
    known = " UNION ALL ".join(f"SELECT {key} AS k FROM {t}" for t in [target, *also])
    # An anti join, not NOT EXISTS: over a view of typed rows DuckDB plans NOT EXISTS four
    # times slower (2 s against 0.5 s for 9.4M activities).
    note_rows(
        cur, staged, f"{fin} AS f ANTI JOIN ({known}) AS known ON known.k = f.{key}",
        f"f.{key} IS NOT NULL",
        source_name(staged.mapping, column),
        f"rows refer to {target} that are not loaded (kept; they link up when those are imported)",
        f"row refers to {record} that is not loaded (kept; it links up when that is imported)",
    )  # fmt: skip
