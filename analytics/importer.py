"""Importing CRM exports: read, map, validate everything, then write all of it in one transaction."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import duckdb

from analytics import parsing, writing
from analytics.errors import ImportRejected, MappingError, Note, Problem
from analytics.mapping import Mapping, resolve_mapping
from analytics.presets import LEAD_STATUS_PATTERNS, PRESETS, STATUS_WORDS, SYNONYMS, outcome_of
from analytics.readers import RawTable, read_file
from analytics.schema import (
    ACTIVITY_TYPES,
    DEFAULT_PIPELINE,
    IMPORTABLE,
    TARGET_METRICS,
    TARGET_SCOPES,
)

q = parsing.quote_ident
MAX_LISTED = 50  # problems listed per check; the rest are counted

Progress = Callable[[str, int, int], None]


@dataclass
class FileReport:
    """What the import made of one file."""

    file: str
    kind: str
    preset: str
    rows: int
    encoding: str
    mapping: dict[str, str]
    unmapped: list[str]
    notes: list[Note] = field(default_factory=list)
    skipped: bool = False


@dataclass
class ImportResult:
    """The outcome of an import that was accepted (or would be, for a dry run)."""

    files: list[FileReport]
    written: bool
    changes: dict[str, int] = field(default_factory=dict)
    declared_pipelines: dict[str, list[str]] = field(default_factory=dict)

    @property
    def notes(self) -> list[Note]:
        """Return the data-quality notes of every file."""
        return [n for f in self.files for n in f.notes]


@dataclass
class Staged:
    """One file on its way in: read, mapped, typed, and checked."""

    path: Path
    raw: RawTable
    mapping: Mapping
    table: str
    content_hash: str
    taken_at: datetime
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: bool = False
    has_repeats: bool = False
    unusable: bool = False

    @property
    def file(self) -> str:
        return self.raw.file


def _file_hash(path: Path, options: dict) -> str:
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_DATE_IN_NAME = re.compile(r"(20\d{2})[-_]?(\d{2})[-_]?(\d{2})")


def date_in_name(path: Path) -> datetime | None:
    """Return the export date a file name carries (deals_2024-02-01.csv), else None."""
    m = _DATE_IN_NAME.search(path.name)
    if m:
        try:
            return datetime(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def export_time(path: Path) -> datetime:
    """Return when an export was taken: a date in its file name, else its modification time (UTC)."""
    named = date_in_name(path)
    if named is not None:
        return named
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)


class _Ids:
    """Unique temp-table names for one import."""

    def __init__(self) -> None:
        self._n = count(1)

    def __call__(self, stem: str) -> str:
        return f"imp_{stem}_{next(self._n)}"


def _raw_expr(sources: tuple[str, ...], null_values: tuple[str, ...]) -> str:
    parts = []
    for source in sources:
        expr = f"nullif(trim({q(source)}), '')"
        for null in null_values:
            expr = f"nullif({expr}, '{null}')"
        parts.append(expr)
    return parts[0] if len(parts) == 1 else "coalesce(" + ", ".join(parts) + ")"


# Salesforce activities point at any record through WhatId/WhoId; the id prefix says which.
_SALESFORCE_PREFIXES = {"deal_id": "006", "organization_id": "001", "contact_id": "003",
                        "lead_id": "00Q"}  # fmt: skip


def _stage_raw(cur: duckdb.DuckDBPyConnection, staged: Staged, ids: _Ids) -> None:
    """Create the file's view of trimmed text per canonical column (constants bound, not pasted)."""
    mapping = staged.mapping
    table = IMPORTABLE[mapping.kind]
    selects = ["raw.rowid AS __rowid"]
    null_values = mapping.preset.null_values
    for col in table.columns:
        if col.name in mapping.columns:
            expr = _raw_expr(mapping.columns[col.name], null_values)
            if _routed(mapping, col.name):
                prefix = _SALESFORCE_PREFIXES[col.name]
                expr = f"(CASE WHEN starts_with({expr}, '{prefix}') THEN {expr} END)"
        elif col.name in mapping.constants:
            expr = f"consts.{q(col.name)}"
        else:
            expr = "CAST(NULL AS VARCHAR)"
        selects.append(f"{expr} AS {q(col.name + '__raw')}")
    consts = ids("consts")
    names = list(mapping.constants)
    if names:
        cur.execute(f"CREATE TEMP TABLE {consts} ({', '.join(q(n) + ' VARCHAR' for n in names)})")
        cur.execute(
            f"INSERT INTO {consts} VALUES ({', '.join('?' for _ in names)})",
            [mapping.constants[n] for n in names],
        )
        source = f"{staged.raw.table} AS raw CROSS JOIN {consts} AS consts"
    else:
        source = f"{staged.raw.table} AS raw"
    cur.execute(
        # A view: the trimmed text is computed as the typed table is built, not stored twice.
        f"CREATE TEMP VIEW {staged.table}_raw AS SELECT {', '.join(selects)} FROM {source}"
    )


def _decimal_marks(cur: duckdb.DuckDBPyConnection, staged: Staged) -> dict[str, str | None]:
    """Return the decimal separator of every number column ("," or "."), None when undecided."""
    table = IMPORTABLE[staged.mapping.kind]
    present = [
        c.name for c in table.columns
        if c.type in ("amount", "number", "integer")
        and (c.name in staged.mapping.columns or c.name in staged.mapping.constants)
    ]  # fmt: skip
    if not present:
        return {}
    aggregates = [a for c in present for a in parsing.decimal_probe(q(c + "__raw"))]
    row = cur.execute(f"SELECT {', '.join(aggregates)} FROM {staged.table}_raw").fetchone()
    marks: dict[str, str | None] = {}
    for i, c in enumerate(present):
        comma, point = row[2 * i : 2 * i + 2]
        marks[c] = "," if comma and not point else "." if point and not comma else None
    return marks


def _date_orders(
    cur: duckdb.DuckDBPyConnection, staged: Staged, forced: str | None
) -> dict[str, str | None]:
    """Return the day/month order of every date column, reporting undecidable ones."""
    table = IMPORTABLE[staged.mapping.kind]
    date_cols = [c.name for c in table.columns if c.type in ("timestamp", "date")]
    present = [c for c in date_cols if c in staged.mapping.columns or c in staged.mapping.constants]
    if forced:
        return {c: forced for c in present}
    if not present:
        return {}
    parts, aggregates = ["__rowid"], []
    for i, c in enumerate(present):
        first, second = parsing.date_order_parts(q(c + "__raw"))
        parts += [f"{first} AS f{i}", f"{second} AS s{i}"]
        aggregates += parsing.date_order_probe(f"f{i}", f"s{i}")
    row = cur.execute(
        f"SELECT {', '.join(aggregates)} FROM (SELECT {', '.join(parts)} FROM {staged.table}_raw)"
    ).fetchone()
    orders: dict[str, str | None] = {}
    ambiguous: dict[str, int] = {}
    for i, c in enumerate(present):
        dmy, mdy, first_ambiguous = row[3 * i : 3 * i + 3]
        if dmy and not mdy:
            orders[c] = "dmy"
        elif mdy and not dmy:
            orders[c] = "mdy"
        else:
            # Evidence both ways means mixed orders: the values that fail are reported.
            orders[c] = None
            if first_ambiguous is not None and not (dmy and mdy):
                ambiguous[c] = first_ambiguous
    # A file is written by one program: a column that proves its order decides the others.
    decided = {o for o in orders.values() if o}
    for c, rowid in ambiguous.items():
        if len(decided) == 1:
            orders[c] = next(iter(decided))
            continue
        value = cur.execute(
            f"SELECT {q(c + '__raw')} FROM {staged.table}_raw WHERE __rowid = ?", [rowid]
        ).fetchone()[0]
        staged.problems.append(
            Problem(
                staged.file,
                staged.raw.row_of(rowid),
                _source_name(staged.mapping, c),
                value,
                "ambiguous date: it reads as both day/month and month/day, and no value in "
                "the file tells which; import again with --date-order dmy or --date-order mdy",
            )
        )
    return orders


def _source_name(mapping: Mapping, canonical: str) -> str:
    if canonical in mapping.columns:
        return " / ".join(mapping.columns[canonical])
    return f"{canonical} (--set)"


def _typed_expr(col_type: str, raw: str, order: str | None, decimal: str | None) -> str:
    if col_type == "timestamp":
        return parsing.timestamp(raw, order)
    if col_type == "date":
        return f"CAST({parsing.timestamp(raw, order)} AS DATE)"
    if col_type in ("amount", "number"):
        return parsing.number(raw, decimal)
    if col_type == "integer":
        return parsing.integer(raw, decimal)
    if col_type == "boolean":
        return parsing.boolean(raw)
    return raw


def _is_text(col_type: str) -> bool:
    return col_type in ("id", "text")


_MATERIALISED = ("deals", "stage_events")


def _stage_typed(
    cur: duckdb.DuckDBPyConnection, staged: Staged, orders: dict, decimals: dict
) -> None:
    """Create the file's typed table; c__bad marks a cell that has text but does not parse.

    The text itself is not copied: problem rows look it up in the raw view by row id.
    """
    table = IMPORTABLE[staged.mapping.kind]
    inner, outer = ["__rowid"], ["__rowid"]
    for col in table.columns:
        raw, name = q(col.name + "__raw"), q(col.name)
        if _is_text(col.type):
            inner.append(f"{raw} AS {name}")
            outer.append(name)
            continue
        bad = f"({raw} IS NOT NULL AND {name} IS NULL) AS {q(col.name + '__bad')}"
        if col.type == "date":
            # The time of day of a close date is kept: a won deal closes at that moment.
            stamp = q(col.name + "__ts")
            inner += [f"{parsing.timestamp(raw, orders.get(col.name))} AS {stamp}", raw]
            outer += [
                f"CAST({stamp} AS DATE) AS {name}",
                stamp,
                f"({raw} IS NOT NULL AND {stamp} IS NULL) AS {q(col.name + '__bad')}",
            ]
            continue
        expr = _typed_expr(col.type, raw, orders.get(col.name), decimals.get(col.name))
        inner += [f"{expr} AS {name}", raw]
        if col.type in ("amount", "number"):
            # 1e400 reads as infinity: no amount or target is infinite.
            outer += [f"CASE WHEN isfinite({name}) THEN {name} END AS {name}",
                      f"({raw} IS NOT NULL AND NOT coalesce(isfinite({name}), false)) "
                      f"AS {q(col.name + '__bad')}"]  # fmt: skip
        else:
            outer += [name, bad]
    # Deals and history go through several steps and are materialised once; the other kinds
    # are read twice (checks, then the write), cheaper than storing a typed copy.
    kind = "TABLE" if staged.mapping.kind in _MATERIALISED else "VIEW"
    cur.execute(
        f"CREATE TEMP {kind} {staged.table} AS SELECT {', '.join(outer)} "
        f"FROM (SELECT {', '.join(inner)} FROM {staged.table}_raw)"
    )


def _listed(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    where: str,
    column: str,
    message: str,
    params: Sequence = (),
) -> None:
    """Add a problem for each row matching where (first MAX_LISTED listed, the rest counted)."""
    rows = cur.execute(
        f"WITH hit AS (SELECT __rowid, count(*) OVER () AS n FROM {staged.table} "
        f"WHERE {where} ORDER BY __rowid LIMIT {MAX_LISTED}) "
        f"SELECT hit.__rowid, r.{q(column + '__raw')}, hit.n FROM hit "
        f"LEFT JOIN {staged.table}_raw AS r USING (__rowid) ORDER BY hit.__rowid",
        list(params),
    ).fetchall()
    source = _source_name(staged.mapping, column)
    for rowid, value, _ in rows:
        staged.problems.append(
            Problem(staged.file, staged.raw.row_of(rowid), source, value, message)
        )
    if rows and rows[0][2] > MAX_LISTED:
        more = rows[0][2] - MAX_LISTED
        staged.problems.append(
            Problem(staged.file, None, source, None, f"and {more} more rows with this problem")
        )


def _listed_by_value(
    cur: duckdb.DuckDBPyConnection, staged: Staged, column: str, bad: str, message: str
) -> None:
    """Like _listed for a condition on one text column's value: tested once per distinct value."""
    values = cur.execute(
        f"SELECT {q(column)} FROM (SELECT DISTINCT {q(column)} FROM {staged.table}) "
        f"WHERE {q(column)} IS NOT NULL AND {bad}"
    ).fetchall()
    if values:
        cur.execute("CREATE OR REPLACE TEMP TABLE imp_bad_values (v VARCHAR)")
        cur.executemany("INSERT INTO imp_bad_values VALUES (?)", values)
        _listed(cur, staged, f"{q(column)} IN (SELECT v FROM imp_bad_values)", column, message)


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
    if _is_text(col.type):
        return f"{q(col.name)} IS NULL"
    return f"{q(col.name)} IS NULL AND NOT {q(col.name + '__bad')}"


def _cell_checks(staged: Staged) -> list[tuple[str, str, str]]:
    """Return (SQL condition, column, message) for every way a cell can be wrong."""
    table = IMPORTABLE[staged.mapping.kind]
    checks: list[tuple[str, str, str]] = []
    for col in table.columns:
        given = col.name in staged.mapping.columns or col.name in staged.mapping.constants
        if not given:
            continue
        if col.type in _TYPE_WORDS:
            checks.append((q(col.name + "__bad"), col.name, _TYPE_WORDS[col.type]))
        if col.required and col.name != "stage":
            checks.append((_empty(col), col.name, "this value is required but the cell is empty"))
        if col.type in ("amount", "number", "integer"):
            checks.append((f"{q(col.name)} < 0", col.name, "negative values are not allowed here"))
        elif col.type == "text" and col.stored:
            # strlen (bytes, stored with the string) rules out almost every cell cheaply.
            checks.append((f"strlen({q(col.name)}) > 10000 AND length({q(col.name)}) > 10000",
                           col.name,
                           "the value is longer than 10,000 characters"))  # fmt: skip
    return checks


def _check_cells(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Report every wrong cell and note the empty optional ones, counting both in one pass."""
    checks = _cell_checks(staged)
    optional = _optional_columns(staged) if staged.raw.rows else []
    counted = [f"count(*) FILTER (WHERE {w})" for w, _, _ in checks]
    counted += [f"count(*) FILTER (WHERE {_empty(c)})" for c in optional]
    if counted:
        counts = cur.execute(f"SELECT {', '.join(counted)} FROM {staged.table}").fetchone()
        # Only the failing checks are listed row by row.
        for (where, column, message), n in zip(checks, counts, strict=False):
            if n:
                _listed(cur, staged, where, column, message)
        for col, n in zip(optional, counts[len(checks) :], strict=True):
            if n:
                staged.notes.append(
                    Note(staged.file, _source_name(staged.mapping, col.name), n,
                         "rows have no value")
                )  # fmt: skip
    _routed_notes(cur, staged)


def _check_duplicates(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Report IDs that appear more than once with different content; identical repeats are noted."""
    key = IMPORTABLE[staged.mapping.kind].key
    if key is None or key not in staged.mapping.columns:
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
    source = _source_name(staged.mapping, key)
    for value, rowids in conflicting[:MAX_LISTED]:
        listed = ", ".join(str(staged.raw.row_of(r)) for r in rowids[:10])
        staged.problems.append(
            Problem(
                staged.file,
                staged.raw.row_of(rowids[1]),
                source,
                value,
                f"duplicate ID with different content (rows {listed})",
            )  # fmt: skip
        )
    if len(conflicting) > MAX_LISTED:
        staged.problems.append(
            Problem(
                staged.file,
                None,
                source,
                None,
                f"and {len(conflicting) - MAX_LISTED} more duplicated IDs",
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
            )  # fmt: skip
        )


# Empty by nature: an open deal has no close date, a won deal no lost reason.
_NO_MISSING_NOTES = {("deals", "closed_at"), ("deals", "lost_reason")}


def _routed(mapping: Mapping, column: str) -> bool:
    """Return True for a column read from a Salesforce WhatId/WhoId by its id prefix."""
    return (
        mapping.preset.name == "salesforce"
        and mapping.kind == "activities"
        and column in _SALESFORCE_PREFIXES
        and column in mapping.columns
        and any(s in ("WhatId", "WhoId") for s in mapping.columns[column])
    )


def _optional_columns(staged: Staged) -> list:
    """Return the optional columns whose empty cells are counted as notes."""
    table = IMPORTABLE[staged.mapping.kind]
    return [
        c for c in table.columns
        if c.stored and not c.required and c.name in staged.mapping.columns
        and (staged.mapping.kind, c.name) not in _NO_MISSING_NOTES
        and not _routed(staged.mapping, c.name)
    ]  # fmt: skip


def _routed_notes(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Note empty WhatId/WhoId cells (their columns are routed by id prefix, not counted above)."""
    routed = sorted(
        {s for c in _SALESFORCE_PREFIXES if _routed(staged.mapping, c)
         for s in staged.mapping.columns[c]}
    )  # fmt: skip
    if routed:
        empty = cur.execute(
            "SELECT "
            + ", ".join(
                f"count(*) FILTER (WHERE {_raw_expr((s,), staged.mapping.preset.null_values)} "
                "IS NULL)"
                for s in routed
            )
            + f" FROM {staged.raw.table}"
        ).fetchone()
        for source, n in zip(routed, empty, strict=True):
            if n:
                staged.notes.append(Note(staged.file, source, n, "rows have no value"))


def _note_rows(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    table: str,
    where: str,
    column: str | None,
    message: str,
) -> None:
    rows = cur.execute(
        f"SELECT __rowid, count(*) OVER () FROM {table} WHERE {where} ORDER BY __rowid LIMIT 5"
    ).fetchall()
    if rows:
        staged.notes.append(
            Note(
                staged.file,
                column,
                rows[0][1],
                message,
                tuple(staged.raw.row_of(r[0]) for r in rows),
            )  # fmt: skip
        )


# --- pipelines and stages -------------------------------------------------------------------


@dataclass
class Pipelines:
    """The pipelines known to one import: stored ones, declared ones, and preset defaults."""

    stages: dict[str, list[str]]
    probabilities: dict[tuple[str, str], float | None] = field(default_factory=dict)
    rotting: dict[tuple[str, str], int | None] = field(default_factory=dict)
    declared: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, cur: duckdb.DuckDBPyConnection) -> Pipelines:
        rows = cur.execute(
            "SELECT pipeline, stage, probability, rotting_days FROM pipelines_stages "
            "ORDER BY pipeline, position"
        ).fetchall()
        stages: dict[str, list[str]] = {}
        out = cls(stages)
        for pipeline, stage, prob, rot in rows:
            stages.setdefault(pipeline, []).append(stage)
            out.probabilities[(pipeline, stage)] = prob
            out.rotting[(pipeline, stage)] = rot
        return out

    def declare(
        self, pipeline: str, stages: list[str], probabilities: dict[str, float | None] | None = None
    ) -> None:
        """Set the open stages of a pipeline, in order (kept in the import's transaction)."""
        probabilities = probabilities or {}
        self.stages[pipeline] = list(stages)
        self.declared[pipeline] = list(stages)
        n = len(stages)
        for i, stage in enumerate(stages, start=1):
            key = (pipeline, stage)
            if stage in probabilities:
                self.probabilities[key] = probabilities[stage]
            elif key not in self.probabilities:
                # Without a configured probability, deals further along are likelier to win.
                self.probabilities[key] = round(i / (n + 1), 4)

    def match(self, pipeline: str, stage: str) -> str | None:
        """Return the declared spelling of stage in pipeline (case-insensitive), or None."""
        wanted = stage.strip().casefold()
        for name in self.stages.get(pipeline, []):
            if name.casefold() == wanted:
                return name
        return None


def _resolve_pairs(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    pairs_sql: str,
    pipelines: Pipelines,
    default_pipeline: str,
    map_table: str,
) -> None:
    """Map every distinct (pipeline, stage) of a file onto declared stages or outcomes."""
    preset = staged.mapping.preset
    pairs = cur.execute(pairs_sql).fetchall()
    resolved = []
    unknown: dict[str, list[tuple[str, int, int]]] = {}
    for pipeline_raw, stage_raw, n, first in pairs:
        pipeline = preset.stage_aliases.get(pipeline_raw, pipeline_raw) if pipeline_raw else None
        pipeline = pipeline or default_pipeline
        if stage_raw is None:
            resolved.append((pipeline_raw, stage_raw, pipeline, None, None))
            continue
        if pipeline not in pipelines.stages and pipeline == preset.pipeline:
            pipelines.declare(preset.pipeline, [s for s, _ in preset.stages],
                              dict(preset.stages))  # fmt: skip
        stage = preset.stage_aliases.get(stage_raw.strip(), stage_raw.strip())
        outcome = outcome_of(stage)
        if outcome:
            resolved.append((pipeline_raw, stage_raw, pipeline, None, outcome))
            continue
        match = pipelines.match(pipeline, stage)
        if match is None:
            unknown.setdefault(pipeline, []).append((stage_raw, n, first))
        resolved.append((pipeline_raw, stage_raw, pipeline, match, None))
    source = _source_name(staged.mapping, "stage")
    for pipeline, stages in unknown.items():
        known = pipelines.stages.get(pipeline)
        suggestion = ",".join((known or []) + [s for s, _, _ in stages])
        for stage_raw, n, first in stages:
            if known is None:
                why = (f'pipeline "{pipeline}" is not declared, so its stages are unknown '
                       f"({n} rows)")  # fmt: skip
            else:
                why = (f'"{stage_raw}" is not a stage of pipeline "{pipeline}" '
                       f"(its stages: {', '.join(known)}; {n} rows)")  # fmt: skip
            staged.problems.append(
                Problem(
                    staged.file,
                    staged.raw.row_of(first),
                    source,
                    stage_raw,
                    f'{why}. Declare the stages in order, e.g. --pipeline "{pipeline}" '
                    f'--stages "{suggestion}", or on the Data page',
                )  # fmt: skip
            )
    cur.execute(
        f"CREATE TEMP TABLE {map_table} (pipeline_raw VARCHAR, stage_raw VARCHAR, "
        "pipeline VARCHAR, stage VARCHAR, outcome VARCHAR)"
    )
    if resolved:
        cur.executemany(f"INSERT INTO {map_table} VALUES (?, ?, ?, ?, ?)", resolved)


# --- per kind: final rows ready to write ------------------------------------------------------


def _status_case(expr: str) -> str:
    groups: dict[str, list[str]] = {}
    for word, status in STATUS_WORDS.items():
        groups.setdefault(status, []).append(word)
    whens = " ".join(
        f"WHEN lower(trim({expr})) IN {tuple(words)} THEN '{status}'"
        for status, words in groups.items()
    )
    return f"(CASE {whens} END)"


_CURRENCY_CODE = (
    "(CASE trim(currency) WHEN '$' THEN 'USD' WHEN '€' THEN 'EUR' WHEN '£' THEN 'GBP' "
    "WHEN '¥' THEN 'JPY' WHEN '￥' THEN 'JPY' WHEN '円' THEN 'JPY' "
    "ELSE CASE WHEN regexp_full_match(upper(trim(currency)), '[A-Z]{3}') "
    "THEN upper(trim(currency)) END END)"
)


def _finish_deals(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    pipelines: Pipelines,
    default_pipeline: str,
    ids: _Ids,
) -> str:
    t = staged.table
    stage_map = ids("stagemap")
    _resolve_pairs(
        cur, staged,
        f"SELECT pipeline, stage, count(*), min(__rowid) FROM {t} GROUP BY ALL",
        pipelines, default_pipeline, stage_map,
    )  # fmt: skip
    if staged.mapping.columns.get("status") or "status" in staged.mapping.constants:
        _listed(cur, staged, f"status IS NOT NULL AND {_status_case('status')} IS NULL",
                "status", "not a deal status (expected open, won or lost)")  # fmt: skip
    _listed(cur, staged, "stage IS NULL", "stage", "every deal needs a stage")
    _listed(
        cur,
        staged,
        f"currency IS NOT NULL AND {_CURRENCY_CODE} IS NULL",
        "currency",
        "not a currency code (expected ISO 4217 such as USD, EUR, JPY, or $ € £ ¥)",
    )
    fin = ids("deals")
    stored = [c.name for c in IMPORTABLE["deals"].stored_columns]
    custom_cols = staged.mapping.unmapped
    if custom_cols:
        entries = ", ".join(
            f"({parsing.sql_list([c])}[1], nullif(trim(raw.{q(c)}), ''))" for c in custom_cols
        )
        custom = f"map_from_entries(list_filter([{entries}], lambda e: e[2] IS NOT NULL))"
        join_raw = f"JOIN {staged.raw.table} AS raw ON raw.rowid = s.__rowid"
    else:
        custom = "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
        join_raw = ""
    status = (
        f"coalesce({_status_case('s.status')}, "
        "CASE WHEN s.is_won THEN 'won' WHEN s.is_closed THEN 'lost' "
        "WHEN s.is_closed = false THEN 'open' END, "
        # Odoo archives a lost opportunity (Active = False) instead of moving it to a stage.
        "CASE WHEN s.is_active = false AND m.outcome IS DISTINCT FROM 'Won' THEN 'lost' END, "
        "lower(m.outcome), CASE WHEN m.stage IS NOT NULL THEN 'open' END)"
    )
    cur.execute(
        f"""
        CREATE TEMP TABLE {fin}_all AS
        SELECT s.*, m.pipeline AS pipeline_resolved, m.stage AS open_stage, m.outcome,
               {status} AS status_resolved, {custom} AS custom
        FROM {t} AS s
        LEFT JOIN {stage_map} AS m
          ON m.pipeline_raw IS NOT DISTINCT FROM s.pipeline
         AND m.stage_raw IS NOT DISTINCT FROM s.stage
        {join_raw}
        """
    )
    rows = cur.execute(
        f"SELECT __rowid, stage, status FROM {fin}_all "
        "WHERE (outcome IS NOT NULL AND status_resolved = 'open') "
        "   OR (outcome IS NOT NULL AND status_resolved IN ('won', 'lost') "
        "       AND lower(outcome) <> status_resolved) "
        f"ORDER BY __rowid LIMIT {MAX_LISTED}"
    ).fetchall()
    for rowid, stage_raw, status_raw in rows:
        staged.problems.append(
            Problem(staged.file, staged.raw.row_of(rowid), _source_name(staged.mapping, "stage"),
                    stage_raw, f"the stage contradicts the deal's status ({status_raw or 'open'})")
        )  # fmt: skip
    _note_rows(cur, staged, f"{fin}_all", "status_resolved = 'deleted' OR is_deleted",
               None, "deleted deals were skipped")  # fmt: skip
    selects = []
    for name in stored:
        if name == "pipeline":
            selects.append("pipeline_resolved AS pipeline")
        elif name == "stage":
            selects.append(
                "CASE status_resolved WHEN 'won' THEN 'Won' WHEN 'lost' THEN 'Lost' "
                "ELSE open_stage END AS stage"
            )
        elif name == "status":
            selects.append("status_resolved AS status")
        elif name == "currency":
            selects.append(f"{_CURRENCY_CODE} AS currency")
        elif name == "closed_at":
            selects.append(
                "CASE WHEN status_resolved <> 'open' "
                "THEN coalesce(closed_at, expected_close_date__ts) END AS closed_at"
            )
        else:
            selects.append(q(name))
    cur.execute(
        f"CREATE TEMP TABLE {fin} AS SELECT {', '.join(selects)}, custom, open_stage, __rowid "
        f"FROM {fin}_all WHERE status_resolved IS DISTINCT FROM 'deleted' "
        "AND is_deleted IS NOT TRUE "
        "QUALIFY row_number() OVER (PARTITION BY deal_id ORDER BY __rowid) = 1"
    )
    cur.execute(f"DROP TABLE {fin}_all")
    _note_rows(
        cur,
        staged,
        fin,
        "closed_at::DATE < created_at::DATE",
        "closed_at",
        "closed deals close before they were created (kept; left out of durations)",
    )
    _note_rows(cur, staged, fin, "status <> 'open' AND closed_at IS NULL", "closed_at",
               "closed deals have no close date")  # fmt: skip
    return fin


def _finish_events(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    pipelines: Pipelines,
    default_pipeline: str,
    ids: _Ids,
    deal_pipelines: str,
) -> str:
    """Return the table of a history file's rows, stages resolved through each deal's pipeline."""
    t = staged.table
    withp = ids("events_p")
    cur.execute(
        f"CREATE TEMP VIEW {withp} AS SELECT s.*, dp.pipeline AS deal_pipeline "
        f"FROM {t} AS s LEFT JOIN ({deal_pipelines}) AS dp USING (deal_id)"
    )
    stage_map = ids("stagemap")
    _resolve_pairs(
        cur, staged,
        f"SELECT deal_pipeline, stage, count(*), min(__rowid) FROM {withp} "
        "WHERE stage IS NOT NULL GROUP BY ALL",
        pipelines, default_pipeline, stage_map,
    )  # fmt: skip
    _listed(cur, staged, "stage IS NULL", "stage", "every history row needs a stage")
    _note_rows(cur, staged, withp, "is_deleted", None, "deleted history rows were skipped")
    fin = ids("events")
    cur.execute(
        f"""
        CREATE TEMP TABLE {fin} AS
        SELECT s.deal_id, coalesce(m.outcome, m.stage) AS stage, s.entered_at, s.amount,
               s.expected_close_date, s.history_id, s.__rowid, s.deal_pipeline
        FROM {withp} AS s
        JOIN {stage_map} AS m
          ON m.pipeline_raw IS NOT DISTINCT FROM s.deal_pipeline AND m.stage_raw = s.stage
        WHERE s.is_deleted IS NOT TRUE AND coalesce(m.outcome, m.stage) IS NOT NULL
          AND s.deal_id IS NOT NULL AND s.entered_at IS NOT NULL
        """
    )
    cur.execute(f"DROP VIEW {withp}")
    _note_rows(cur, staged, fin, "deal_pipeline IS NULL", "deal_id",
               "history rows belong to deals that are not loaded (kept; they link up when "
               "the deals are imported)")  # fmt: skip
    return fin


def _finish_entered_columns(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    deals_fin: str,
    pipelines: Pipelines,
    ids: _Ids,
    order: str | None,
) -> str | None:
    """Return stage events read from "Date entered <stage>" columns of a deals file, if any."""
    entered = staged.mapping.entered_columns
    if not entered:
        return None
    cols_map = ids("entered_cols")
    cur.execute(
        f"CREATE TEMP TABLE {cols_map} (source VARCHAR, stage_raw VARCHAR, pipeline_raw VARCHAR)"
    )
    cur.executemany(
        f"INSERT INTO {cols_map} VALUES (?, ?, ?)",
        [(e.source, e.stage, e.pipeline) for e in entered],
    )
    unpivoted = ids("entered")
    col_list = ", ".join(q(e.source) for e in entered)
    cur.execute(
        f"""
        CREATE TEMP TABLE {unpivoted} AS
        SELECT u.__rowid, u.source, nullif(trim(u.v), '') AS v
        FROM (UNPIVOT (SELECT rowid AS __rowid, {col_list} FROM {staged.raw.table})
              ON {col_list} INTO NAME source VALUE v) AS u
        """
    )
    parsed = parsing.timestamp("x.v", order)
    bad = cur.execute(
        f"SELECT x.__rowid, x.source, x.v FROM {unpivoted} AS x "
        f"WHERE x.v IS NOT NULL AND {parsed} IS NULL ORDER BY x.__rowid LIMIT {MAX_LISTED}"
    ).fetchall()
    for rowid, source, value in bad:
        staged.problems.append(
            Problem(
                staged.file,
                staged.raw.row_of(rowid),
                source,
                value,
                "not a date or time this importer can read",
            )  # fmt: skip
        )
    stage_map = ids("stagemap")
    _resolve_pairs(
        cur, staged,
        f"SELECT coalesce(c.pipeline_raw, d.pipeline), c.stage_raw, count(*), min(x.__rowid) "
        f"FROM {unpivoted} AS x JOIN {cols_map} AS c USING (source) "
        f"JOIN {deals_fin} AS d ON d.__rowid = x.__rowid WHERE x.v IS NOT NULL GROUP BY ALL",
        pipelines, DEFAULT_PIPELINE, stage_map,
    )  # fmt: skip
    fin = ids("entered_events")
    cur.execute(
        f"""
        CREATE TEMP TABLE {fin} AS
        SELECT d.deal_id, coalesce(m.outcome, m.stage) AS stage, {parsed} AS entered_at,
               CAST(NULL AS DOUBLE) AS amount, CAST(NULL AS DATE) AS expected_close_date,
               CAST(NULL AS VARCHAR) AS history_id, x.__rowid, d.pipeline AS deal_pipeline
        FROM {unpivoted} AS x
        JOIN {cols_map} AS c USING (source)
        JOIN {deals_fin} AS d ON d.__rowid = x.__rowid
        JOIN {stage_map} AS m ON m.pipeline_raw IS NOT DISTINCT FROM coalesce(c.pipeline_raw, d.pipeline)
                             AND m.stage_raw = c.stage_raw
        WHERE x.v IS NOT NULL AND {parsed} IS NOT NULL AND coalesce(m.outcome, m.stage) IS NOT NULL
        """
    )
    return fin


_ACTIVITY_TYPE_WORDS = {
    "call": ("call", "phone", "phone call", "phonecall", "log a call", "電話"),
    "email": ("email", "e-mail", "mail", "メール"),
    "meeting": ("meeting", "event", "visit", "appointment", "会議", "訪問"),
    "demo": ("demo", "demonstration", "product demo", "デモ"),
    "task": ("task", "to-do", "todo", "to do", "タスク"),
    "follow_up": ("follow_up", "follow-up", "follow up", "followup", "フォローアップ"),
}


def _activity_type(expr: str) -> str:
    low = f"lower(trim({expr}))"
    whens = " ".join(
        f"WHEN {low} IN {tuple(words)} THEN '{kind}'"
        for kind, words in _ACTIVITY_TYPE_WORDS.items()
    )
    custom = f"regexp_replace({low}, '[\\s-]+', '_', 'g')"
    return f"(CASE {whens} ELSE {custom} END)"


def _lead_status(expr: str) -> str:
    low = f"lower(trim({expr}))"
    whens = " ".join(
        f"WHEN regexp_matches({low}, '{pattern}') THEN '{status}'"
        for pattern, status in LEAD_STATUS_PATTERNS
    )
    return f"(CASE {whens} END)"


_SCOPE_WORDS = {
    "company": ("company", "all", "organization", "org", "全社"),
    "team": ("team", "group", "チーム"),
    "owner": ("owner", "rep", "user", "salesperson", "person", "individual", "担当者"),
}


def _finish_simple(cur: duckdb.DuckDBPyConnection, staged: Staged, ids: _Ids) -> str:
    """Return the final rows of organizations, contacts, leads, activities or targets."""
    kind = staged.mapping.kind
    table = IMPORTABLE[kind]
    t = staged.table
    exprs = {c.name: q(c.name) for c in table.stored_columns}
    where = ["true"]
    if kind == "leads":
        exprs["status"] = (
            f"CASE WHEN is_converted THEN 'converted' "
            f"WHEN status IS NULL AND deal_id IS NOT NULL THEN 'converted' "
            f"ELSE {_lead_status('status')} END"
        )
        _listed_by_value(
            cur, staged, "status", f"{_lead_status('status')} IS NULL",
            "not a lead status (expected new, working, converted or disqualified, or the "
            "CRM's wording of them such as \"Open - Not Contacted\" or \"Closed - Converted\")",
        )  # fmt: skip
    elif kind == "activities":
        exprs["type"] = f"coalesce({_activity_type('type')}, 'task')"
        exprs["completed_at"] = "coalesce(completed_at, CASE WHEN is_done THEN due_at END)"
        where.append("is_deleted IS NOT TRUE")
        _note_rows(cur, staged, t, "type IS NULL", _source_name(staged.mapping, "type")
                   if "type" in staged.mapping.columns else None,
                   "activities have no type and were recorded as tasks")  # fmt: skip
        _note_rows(cur, staged, t, "is_deleted", None, "deleted activities were skipped")
    elif kind == "targets":
        low = "lower(trim(scope))"
        scope = " ".join(
            f"WHEN {low} IN {tuple(words)} THEN '{name}'" for name, words in _SCOPE_WORDS.items()
        )
        exprs["scope"] = f"(CASE {scope} END)"
        exprs["scope_value"] = (
            f"CASE WHEN ({exprs['scope']}) = 'company' THEN NULL ELSE scope_value END"
        )
        exprs["metric"] = "lower(trim(metric))"
        exprs["target_id"] = (
            "coalesce(target_id, 'T-' || substr(md5(concat_ws('|', "
            f"({exprs['scope']}), scope_value, lower(trim(metric)), period_start, period_end)), 1, 12))"
        )
        _listed(
            cur,
            staged,
            f"scope IS NOT NULL AND ({exprs['scope']}) IS NULL",
            "scope",
            f"not a target scope (expected one of {', '.join(TARGET_SCOPES)})",
        )
        metrics = tuple(TARGET_METRICS)
        _listed(
            cur, staged,
            f"metric IS NOT NULL AND lower(trim(metric)) NOT IN {metrics} "
            "AND NOT regexp_full_match(lower(trim(metric)), 'activities_completed:[a-z_]+')",
            "metric",
            f"not a target metric (expected one of {', '.join(metrics)}, "
            "or activities_completed:<type>)",
        )  # fmt: skip
        _listed(cur, staged, "period_end < period_start", "period_end",
                "the period ends before it starts")  # fmt: skip
        _listed(
            cur, staged,
            f"({exprs['scope']}) IN ('team', 'owner') AND scope_value IS NULL", "scope_value",
            "a team or owner target needs the team's or owner's name",
        )  # fmt: skip
    key = table.key
    dedupe = ""
    if key and staged.has_repeats:
        dedupe = f"QUALIFY row_number() OVER (PARTITION BY ({exprs[key]}) ORDER BY __rowid) = 1"
    fin = ids(kind)
    selects = ", ".join(f"{e} AS {q(n)}" for n, e in exprs.items())
    # A view: the final rows are computed once, as they are written.
    cur.execute(
        f"CREATE TEMP VIEW {fin} AS SELECT {selects}, __rowid FROM {t} "
        f"WHERE {' AND '.join(where)} {dedupe}"
    )
    if kind == "activities":
        _check_activity_types(cur, staged)
    return fin


def _check_activity_types(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Note custom activity types; the few distinct spellings are mapped, not every row."""
    rows = cur.execute(
        f"SELECT {_activity_type('type')} AS kind, sum(n) FROM (SELECT type, count(*) AS n "
        f"FROM {staged.table} WHERE type IS NOT NULL GROUP BY type) "
        f"WHERE kind NOT IN {tuple(ACTIVITY_TYPES)} GROUP BY kind ORDER BY sum(n) DESC, kind"
    ).fetchall()
    for activity_type, n in rows:
        staged.notes.append(
            Note(
                staged.file,
                _source_name(staged.mapping, "type"),
                n,
                f'activities have the custom type "{activity_type}"',
            )  # fmt: skip
        )


def _finish_pipelines(cur: duckdb.DuckDBPyConnection, staged: Staged, pipelines: Pipelines) -> None:
    """Declare the pipelines of a pipelines file; Won/Lost rows are skipped (outcomes are implicit)."""
    _listed(cur, staged, "probability > 100", "probability",
            "a probability is a share from 0 to 1, or a percentage from 0 to 100")  # fmt: skip
    rows = cur.execute(
        f"SELECT __rowid, pipeline, stage, position, "
        f"CASE WHEN probability > 1 THEN probability / 100 ELSE probability END, rotting_days "
        f"FROM {staged.table} WHERE pipeline IS NOT NULL AND stage IS NOT NULL "
        "ORDER BY pipeline, position, __rowid"
    ).fetchall()
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        if outcome_of(row[2]):
            continue
        grouped.setdefault(row[1], []).append(row)
    for pipeline, stage_rows in grouped.items():
        positions = [r[3] for r in stage_rows]
        if len(set(positions)) != len(positions):
            dup = next(r for r in stage_rows if positions.count(r[3]) > 1)
            staged.problems.append(
                Problem(staged.file, staged.raw.row_of(dup[0]),
                        _source_name(staged.mapping, "position"), str(dup[3]),
                        f'two stages of pipeline "{pipeline}" have the same position')
            )  # fmt: skip
            continue
        names = [r[2] for r in stage_rows]
        pipelines.declare(pipeline, names, {r[2]: r[4] for r in stage_rows})
        for r in stage_rows:
            pipelines.rotting[(pipeline, r[2])] = r[5]


def _reference_note(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    fin: str,
    column: str,
    target: str,
    also: list[str],
) -> None:
    """Note rows whose reference (column, the key of target) is neither stored nor imported now."""
    key = q(column)
    known = " UNION ALL ".join(f"SELECT {key} AS k FROM {t}" for t in [target, *also])
    _note_rows(
        cur, staged, fin,
        f"{key} IS NOT NULL AND {key} NOT IN (SELECT k FROM ({known}) WHERE k IS NOT NULL)",
        _source_name(staged.mapping, column),
        f"rows refer to {target} that are not loaded (kept; they link up when those are imported)",
    )  # fmt: skip


# --- the import as a whole -------------------------------------------------------------------

_KIND_ORDER = list(IMPORTABLE)


def _read_and_map(
    cur: duckdb.DuckDBPyConnection, path: Path, ids: _Ids, options: dict, taken_at: datetime | None
) -> Staged:
    """Read one file and decide what it holds and how its columns map."""
    raw = read_file(cur, path, ids("raw"))
    problems = list(raw.problems)
    if raw.columns:
        mapping = resolve_mapping(
            raw.columns,
            kind=options["kind"],
            preset=options["preset"],
            explicit=options["mapping"],
            constants=options["constants"],
        )
        for target, source in (options["mapping"] or {}).items():
            if source not in raw.columns:
                problems.append(
                    Problem(raw.file, 1, source, None,
                            f"--map {target}={source}: the file has no column {source!r} "
                            f"(its columns: {', '.join(raw.columns[:30])})")
                )  # fmt: skip
        for missing in mapping.missing_required():
            examples = ", ".join(repr(s) for s in SYNONYMS[mapping.kind][missing][:3])
            problems.append(
                Problem(raw.file, 1, missing, None,
                        f"required column for {mapping.kind} is missing (looked for headers "
                        f"such as {examples}); name it with --map {missing}=<column>")
            )  # fmt: skip
    else:
        mapping = Mapping(options["kind"] or "deals", PRESETS["generic"], {})
    readable = path.is_file()
    staged = Staged(
        path, raw, mapping, ids(mapping.kind + "_typed"),
        _file_hash(path, {**options, "kind": mapping.kind}) if readable else "",
        taken_at or (export_time(path) if readable else datetime.now()),
    )  # fmt: skip
    # Rows of a file whose columns cannot be mapped are not checked one by one.
    staged.unusable = not raw.columns or len(problems) > len(raw.problems)
    staged.problems = problems
    return staged


def _validate(
    cur: duckdb.DuckDBPyConnection, staged: Staged, date_order: str | None, ids: _Ids
) -> dict[str, str | None]:
    """Type every column and check it; return the day/month order chosen per date column."""
    _stage_raw(cur, staged, ids)
    orders = _date_orders(cur, staged, date_order)
    _stage_typed(cur, staged, orders, _decimal_marks(cur, staged))
    _check_cells(cur, staged)
    _check_duplicates(cur, staged)
    return orders


def _deal_pipelines_sql(deal_tables: list[str]) -> str:
    """Return SQL listing each known deal's pipeline, this import's deals overriding stored ones."""
    parts = [f"SELECT deal_id, pipeline, 0 AS pri FROM {t}" for t in deal_tables]
    parts.append("SELECT deal_id, pipeline, 1 AS pri FROM deals")
    union = " UNION ALL ".join(parts)
    return (
        f"SELECT deal_id, pipeline FROM ({union}) "
        "QUALIFY row_number() OVER (PARTITION BY deal_id ORDER BY pri) = 1"
    )


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str | Path],
    *,
    kind: str | None = None,
    preset: str = "auto",
    mapping: dict[str, str] | None = None,
    constants: dict[str, str] | None = None,
    pipeline: str | None = None,
    stages: Sequence[str] | None = None,
    date_order: str | None = None,
    dry_run: bool = False,
    taken_at: datetime | None = None,
    progress: Progress | None = None,
    replace: bool = False,
) -> ImportResult:
    """Import files all-or-nothing; raise ImportRejected listing every problem, writing nothing.

    With replace, the files take the place of everything the store held.
    """
    if stages and not pipeline:
        raise MappingError("--stages declares the stages of a pipeline: give --pipeline too")
    if date_order not in (None, "dmy", "mdy"):
        raise MappingError("--date-order is dmy or mdy")
    options = {"kind": kind, "preset": preset, "mapping": mapping or {},
               "constants": constants or {}, "pipeline": pipeline,
               "stages": list(stages or [])}  # fmt: skip
    report = progress or (lambda phase, done, total: None)
    paths = [Path(f) for f in files]
    cur = con.cursor()
    try:
        if replace:
            # Replacing runs the whole import in one transaction that starts by emptying the
            # store: the checks then see an empty store, and a refusal leaves it as it was.
            cur.execute("BEGIN TRANSACTION")
            writing.clear_all(cur)
        result = _run_import(
            cur, paths, options, date_order, dry_run, taken_at, report, own_transaction=not replace
        )
        if replace:
            cur.execute("COMMIT" if result.written else "ROLLBACK")
        return result
    except BaseException:
        if replace:
            cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()


# Per kind: the column that refers to records of another table, and that table.
_REFERENCES = {
    "deals": ("organization_id", "organizations"),
    "contacts": ("organization_id", "organizations"),
    "activities": ("deal_id", "deals"),
    "leads": ("deal_id", "deals"),
}


def _run_import(
    cur: duckdb.DuckDBPyConnection,
    paths: list[Path],
    options: dict,
    date_order: str | None,
    dry_run: bool,
    taken_at: datetime | None,
    report: Progress,
    own_transaction: bool,
) -> ImportResult:
    """Read, check and (unless a dry run) write the files; the body of import_files."""
    ids = _Ids()
    pipeline, stages = options["pipeline"], options["stages"]
    steps = 3 * len(paths) + 1
    pipelines = Pipelines.load(cur)
    if pipeline and stages:
        pipelines.declare(pipeline, [s.strip() for s in stages if s.strip()])
    staged_files = []
    for i, path in enumerate(paths):
        report(f"reading {path.name}", i, steps)
        staged_files.append(_read_and_map(cur, path, ids, options, taken_at))
    # Successive exports of one kind are applied oldest first.
    staged_files.sort(key=lambda s: (_KIND_ORDER.index(s.mapping.kind), s.taken_at))
    for s in staged_files:
        if not s.problems and writing.already_imported(cur, s.mapping.kind, s.content_hash):
            s.skipped = True
    default_pipeline = pipeline or None
    deal_tables: list[str] = []
    finals: list[tuple[Staged, str | None]] = []
    for i, s in enumerate(staged_files):
        report(f"checking {s.file}", len(paths) + i, steps)
        if s.skipped or s.unusable:
            finals.append((s, None))
            continue
        orders = _validate(cur, s, date_order, ids)
        file_pipeline = default_pipeline or s.mapping.preset.pipeline
        kind_of = s.mapping.kind
        if kind_of == "pipelines":
            _finish_pipelines(cur, s, pipelines)
            finals.append((s, None))
        elif kind_of == "deals":
            fin = _finish_deals(cur, s, pipelines, file_pipeline, ids)
            deal_tables.append(fin)
            finals.append((s, fin))
            decided = {o for o in orders.values() if o}
            entered = _finish_entered_columns(
                cur, s, fin, pipelines, ids, next(iter(decided)) if len(decided) == 1 else None
            )
            if entered:
                finals.append((s, entered))
        elif kind_of == "stage_events":
            fin = _finish_events(
                cur, s, pipelines, file_pipeline, ids, _deal_pipelines_sql(deal_tables)
            )
            finals.append((s, fin))
        else:
            finals.append((s, _finish_simple(cur, s, ids)))
        if kind_of in _MATERIALISED:
            _release(cur, s)
    for s, fin in finals:
        kind = s.mapping.kind
        if fin is None or s.problems or kind not in _REFERENCES:
            continue
        if kind == "deals" and fin not in deal_tables:
            continue
        column, target = _REFERENCES[kind]
        in_import = [f for t, f in finals if t.mapping.kind == target and f]
        if target == "deals":
            in_import = deal_tables
        _reference_note(cur, s, fin, column, target, in_import)
    _check_deals_across_files(cur, [(s, f) for s, f in finals if f in deal_tables])
    problems = sorted(
        (p for s in staged_files for p in s.problems),
        key=lambda p: (p.file, p.row is None, p.row or 0),
    )
    if problems:
        raise ImportRejected(problems)
    result = ImportResult(
        files=[_file_report(s) for s in staged_files],
        written=False,
        declared_pipelines={p: list(v) for p, v in pipelines.declared.items()},
    )
    if dry_run:
        return result
    report("writing", steps - 1, steps)
    result.changes = _write_all(cur, finals, deal_tables, pipelines, own_transaction)
    result.written = True
    report("done", steps, steps)
    return result


def _check_deals_across_files(
    cur: duckdb.DuckDBPyConnection, deal_files: list[tuple[Staged, str]]
) -> None:
    """Report deal IDs that two files of one import give different content.

    Files whose names carry different export dates are successive snapshots, not conflicts.
    """
    names = [q(c.name) for c in IMPORTABLE["deals"].stored_columns]
    left = ", ".join(f"x.{n}" for n in names)
    right = ", ".join(f"y.{n}" for n in names)
    for i, (a, fa) in enumerate(deal_files):
        for b, fb in deal_files[i + 1 :]:
            da, db = date_in_name(a.path), date_in_name(b.path)
            if da is not None and db is not None and da != db:
                continue
            rows = cur.execute(
                f"SELECT x.deal_id, x.__rowid, y.__rowid FROM {fa} AS x JOIN {fb} AS y "
                f"ON x.deal_id = y.deal_id WHERE ({left}) IS DISTINCT FROM ({right}) "
                f"ORDER BY x.__rowid LIMIT {MAX_LISTED}"
            ).fetchall()
            for deal_id, row_a, row_b in rows:
                b.problems.append(
                    Problem(b.file, b.raw.row_of(row_b), _source_name(b.mapping, "deal_id"),
                            deal_id, f"the same deal ID is in {a.file} (row "
                            f"{a.raw.row_of(row_a)}) with different content; import "
                            "successive exports one at a time, or name them with their "
                            "export dates (deals_2024-02-01.csv)")
                )  # fmt: skip


def _release(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Drop a checked file's text and typed copies once its final rows are a table of their own."""
    cur.execute(f"DROP VIEW IF EXISTS {staged.table}_raw")
    cur.execute(f"DROP TABLE IF EXISTS {staged.raw.table}")
    cur.execute(f"DROP TABLE IF EXISTS {staged.table}")


def _file_report(s: Staged) -> FileReport:
    return FileReport(
        file=s.file,
        kind=s.mapping.kind,
        preset=s.mapping.preset.name,
        rows=s.raw.rows,
        encoding=s.raw.encoding,
        mapping=s.mapping.describe(),
        unmapped=list(s.mapping.unmapped),
        notes=list(s.notes),
        skipped=s.skipped,
    )


def _write_all(
    cur: duckdb.DuckDBPyConnection,
    finals: list[tuple[Staged, str | None]],
    deal_tables: list[str],
    pipelines: Pipelines,
    own_transaction: bool = True,
) -> dict[str, int]:
    """Write every file in one transaction; on any failure the store keeps what it had."""
    changes: dict[str, int] = {}

    def add(prefix: str, counts: dict[str, int]) -> None:
        for k, v in counts.items():
            changes[f"{prefix}_{k}"] = changes.get(f"{prefix}_{k}", 0) + v

    if own_transaction:
        cur.execute("BEGIN TRANSACTION")
    try:
        if pipelines.declared:
            changes["pipeline_stages"] = writing.write_pipelines(
                cur, pipelines.declared, pipelines.probabilities, pipelines.rotting
            )
        for s, fin in finals:
            if s.skipped:
                continue
            kind = s.mapping.kind
            if kind == "deals" and fin in deal_tables:
                add("deals", writing.write_deals(cur, fin, s.taken_at, s.file, s.content_hash))
            elif fin is not None and kind in ("deals", "stage_events"):
                add("history", writing.write_history(cur, fin))
            elif fin is not None:
                add(kind, writing.write_keyed(cur, kind, fin))
            if fin is None or fin in deal_tables or kind not in ("deals",):
                writing.record_import(
                    cur, s.file, kind, s.mapping.preset.name, s.content_hash, s.raw.rows
                )
        if own_transaction:
            cur.execute("COMMIT")
    except BaseException:
        if own_transaction:
            cur.execute("ROLLBACK")
        raise
    return changes
