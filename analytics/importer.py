"""Importing CRM exports: read, map, validate everything, then write all of it in one transaction."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics import derived, parsing, writing
from analytics.checks import MAX_LISTED, check_cells, check_duplicates, reference_note
from analytics.errors import ImportRejected, MappingError, Note, Problem
from analytics.import_rules import (
    finish_deals,
    finish_entered_columns,
    finish_events,
    finish_pipelines,
    finish_simple,
)
from analytics.mapping import Mapping, check_value_columns, resolve_mapping
from analytics.presets import PRESETS, SYNONYMS
from analytics.readers import read_file
from analytics.schema import (
    IMPORTABLE,
)
from analytics.stages import Pipelines
from analytics.staging import (
    Ids,
    Staged,
    date_formats,
    date_orders,
    decimal_marks,
    format_counts,
    source_name,
    stage_raw,
    stage_typed,
)

q = parsing.quote_ident

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
    # Values replaced (--value): column, value as given, value stored, rows it was found in.
    replaced: list[tuple[str, str, str, int]] = field(default_factory=list)


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


def _content_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_hash(content: str, options: dict) -> str:
    """Return the identity of one import of a file: its content digest and the import options."""
    return hashlib.sha256(
        (json.dumps(options, sort_keys=True, default=str) + content).encode()
    ).hexdigest()


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


_KIND_ORDER = list(IMPORTABLE)


def _type_chooser(options: dict):
    """Return the function naming the columns a CSV file may be read typed (dates, numbers)."""

    def choose(names: list[str], sniffed: dict[str, str]) -> dict[str, str]:
        try:
            mapping = resolve_mapping(
                names, kind=options["kind"], preset=options["preset"],
                explicit=options["mapping"], constants=options["constants"],
                values=options.get("values"),
            )  # fmt: skip
        except MappingError:
            return {}
        stamps = ("TIMESTAMP", "DATE")
        wanted = {"timestamp": stamps, "date": stamps, "amount": ("DOUBLE",),
                  "number": ("DOUBLE",)}  # fmt: skip
        uses = Counter(s for sources in mapping.columns.values() for s in sources)
        out = {}
        for col in IMPORTABLE[mapping.kind].columns:
            sources = mapping.columns.get(col.name, ())
            # A column whose values are replaced is read as text, the cells as written.
            if (
                len(sources) != 1
                or uses[sources[0]] != 1
                or col.type not in wanted
                or col.name in mapping.values
            ):
                continue
            if sniffed.get(sources[0]) in wanted[col.type]:
                out[sources[0]] = sniffed[sources[0]]
        return out

    return choose


def _read_and_map(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    ids: Ids,
    options: dict,
    taken_at: datetime | None,
    content: Future[str] | None,
) -> Staged:
    """Read one file and decide what it holds and how its columns map."""
    raw = read_file(cur, path, ids("raw"), _type_chooser(options))
    problems = list(raw.problems)
    skip_reason = None
    if raw.columns:
        mapping = resolve_mapping(
            raw.columns,
            kind=options["kind"],
            preset=options["preset"],
            explicit=options["mapping"],
            constants=options["constants"],
            values=options.get("values"),
        )
        if not problems and raw.rows == 0:
            skip_reason = _NO_ROWS
        elif not mapping.identified:
            skip_reason = _NOT_A_TABLE
    else:
        mapping = Mapping(options["kind"] or "deals", PRESETS["generic"], {})
    if raw.columns and skip_reason is None:
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
    readable = path.is_file()
    staged = Staged(
        path, raw, mapping, ids(mapping.kind + "_typed"),
        _file_hash(content.result(), {**options, "kind": mapping.kind}) if content else "",
        taken_at or (export_time(path) if readable else datetime.now()),
    )  # fmt: skip
    # Rows of a file whose columns cannot be mapped are not checked one by one.
    staged.unusable = not raw.columns or len(problems) > len(raw.problems)
    staged.problems = problems
    staged.skip_reason = skip_reason
    return staged


_NO_ROWS = "the file has a header but no data rows"
_NOT_A_TABLE = (
    "its columns are not those of a table the dashboard uses; to import it anyway, import it "
    "by itself with --kind and one of " + ", ".join(IMPORTABLE)
)


def _set_aside(staged_files: list[Staged]) -> None:
    """Skip header-only files and files of other tables with a note, unless no file is left.

    A whole export folder holds both; a file given alone is refused with the same reason.
    """
    aside = [s for s in staged_files if s.skip_reason]
    everything = len(aside) == len(staged_files)
    for s in aside:
        s.unusable = True
        if everything:
            s.problems.append(Problem(s.file, None, None, None, s.skip_reason))
            continue
        # A file that is not imported has nothing to refuse.
        s.skipped, s.problems = True, []
        s.notes.append(
            Note(
                s.file,
                None,
                s.raw.rows,
                f"rows not imported: {s.skip_reason}",
                one=f"row not imported: {s.skip_reason}",
            )
        )


def _validate(
    cur: duckdb.DuckDBPyConnection, staged: Staged, date_order: str | None, ids: Ids
) -> dict[str, str | None]:
    """Type every column and check it; return the day/month order chosen per date column."""
    stage_raw(cur, staged, ids)
    counts = format_counts(cur, staged)
    orders = date_orders(cur, staged, date_order, counts)
    stage_typed(cur, staged, orders, decimal_marks(cur, staged), date_formats(orders, counts))
    if check_cells(cur, staged):
        check_duplicates(cur, staged)
    return orders


def _deal_pipelines(cur: duckdb.DuckDBPyConnection, deal_tables: list[str], ids: Ids) -> str:
    """Return SQL listing each known deal's pipeline, this import's deals overriding stored ones."""
    parts = [f"SELECT deal_id, pipeline, 0 AS pri FROM {t}" for t in deal_tables]
    parts.append("SELECT deal_id, pipeline, 1 AS pri FROM deals")
    union = " UNION ALL ".join(parts)
    # Stored once: a history file's steps read it several times.
    table = ids("deal_pipelines")
    cur.execute(
        f"CREATE TEMP TABLE {table} AS SELECT deal_id, pipeline FROM ({union}) "
        "QUALIFY row_number() OVER (PARTITION BY deal_id ORDER BY pri) = 1"
    )
    return f"SELECT deal_id, pipeline FROM {table}"


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
    values: dict[str, dict[str, str]] | None = None,
) -> ImportResult:
    """Import files all-or-nothing; raise ImportRejected listing every problem, writing nothing.

    values: per canonical column, cell values (compared trimmed, in any case) and the value
    stored instead, as a CRM's own wording of a status or a stage renamed since
    ({"status": {"Bad Timing": "disqualified"}}). With replace, the files take the place of
    everything the store held.
    """
    if stages and not pipeline:
        raise MappingError("--stages declares the stages of a pipeline: give --pipeline too")
    if date_order not in (None, "dmy", "mdy"):
        raise MappingError("--date-order is dmy or mdy")
    options = {"kind": kind, "preset": preset, "mapping": mapping or {},
               "constants": constants or {}, "pipeline": pipeline,
               "stages": list(stages or [])}  # fmt: skip
    if values:
        # Only when given: the options are part of a file's import identity (_file_hash).
        options["values"] = values
        check_value_columns(values, kind, constants)
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


# Per kind: the column that refers to records of another table, that table, and one of its
# records as a note about a single row names it.
_REFERENCES = {
    "deals": ("organization_id", "organizations", "an organization"),
    "contacts": ("organization_id", "organizations", "an organization"),
    "activities": ("deal_id", "deals", "a deal"),
    "leads": ("deal_id", "deals", "a deal"),
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
    ids = Ids()
    pipeline, stages = options["pipeline"], options["stages"]
    steps = 3 * len(paths) + 1
    pipelines = Pipelines.load(cur)
    if pipeline and stages:
        pipelines.declare(pipeline, [s.strip() for s in stages if s.strip()])
    staged_files = []
    # Hashing releases the GIL: it runs beside DuckDB's reading instead of after it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        contents = {p: pool.submit(_content_digest, p) for p in paths if p.is_file()}
        for i, path in enumerate(paths):
            report(f"reading {path.name}", i, steps)
            staged_files.append(
                _read_and_map(cur, path, ids, options, taken_at, contents.get(path))
            )
    _set_aside(staged_files)
    # Successive exports of one kind are applied oldest first.
    staged_files.sort(key=lambda s: (_KIND_ORDER.index(s.mapping.kind), s.taken_at))
    for s in staged_files:
        if not s.problems and writing.already_imported(cur, s.mapping.kind, s.content_hash):
            s.skipped = True
    deal_tables: list[str] = []
    deal_pipelines = ""
    finals: list[tuple[Staged, str | None]] = []
    for i, s in enumerate(staged_files):
        report(f"checking {s.file}", len(paths) + i, steps)
        if s.skipped or s.unusable:
            finals.append((s, None))
            continue
        orders = _validate(cur, s, date_order, ids)
        if s.problems and s.raw.typed:
            # Problems quote cells as they were written: read the file again as text.
            s.raw = read_file(cur, s.path, ids("raw"))
            s.table = ids(s.mapping.kind + "_typed")
            s.problems, s.notes, s.has_repeats = list(s.raw.problems), [], False
            orders = _validate(cur, s, date_order, ids)
        file_pipeline = pipeline or s.mapping.preset.pipeline
        kind_of = s.mapping.kind
        if kind_of == "pipelines":
            finish_pipelines(cur, s, pipelines)
            finals.append((s, None))
        elif kind_of == "deals":
            fin = finish_deals(cur, s, pipelines, file_pipeline, ids)
            deal_tables.append(fin)
            finals.append((s, fin))
            decided = {o for o in orders.values() if o}
            entered = finish_entered_columns(
                cur, s, fin, pipelines, ids, next(iter(decided)) if len(decided) == 1 else None
            )
            if entered:
                finals.append((s, entered))
        elif kind_of == "stage_events":
            # Deals files come first (_KIND_ORDER): their pipelines are known by now.
            deal_pipelines = deal_pipelines or _deal_pipelines(cur, deal_tables, ids)
            fin = finish_events(cur, s, pipelines, file_pipeline, ids, deal_pipelines)
            finals.append((s, fin))
        else:
            finals.append((s, finish_simple(cur, s, ids)))
        if kind_of in ("deals", "stage_events"):
            _release(cur, s)
    for s, fin in finals:
        kind = s.mapping.kind
        if fin is None or s.problems or kind not in _REFERENCES:
            continue
        if kind == "deals" and fin not in deal_tables:
            continue
        column, target, record = _REFERENCES[kind]
        in_import = [f for t, f in finals if t.mapping.kind == target and f]
        if target == "deals":
            in_import = deal_tables
        reference_note(cur, s, fin, column, target, record, in_import)
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
                    Problem(b.file, b.raw.row_of(row_b), source_name(b.mapping, "deal_id"),
                            deal_id, f"the same deal ID is in {a.file} (row "
                            f"{a.raw.row_of(row_a)}) with different content; import "
                            "successive exports one at a time, or name them with their "
                            "export dates (deals_2024-02-01.csv)")
                )  # fmt: skip


def _release(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Drop a checked file's text copy and typed rows once its final rows are a table."""
    cur.execute(f"DROP VIEW IF EXISTS {staged.table}")
    cur.execute(f"DROP VIEW IF EXISTS {staged.table}_raw")
    cur.execute(f"DROP TABLE IF EXISTS {staged.raw.table}")


def _file_report(s: Staged) -> FileReport:
    return FileReport(
        file=s.file,
        kind=s.mapping.kind,
        preset=s.mapping.preset.name,
        rows=s.raw.rows,
        encoding=s.raw.encoding,
        mapping=s.mapping.describe(s.replaced_rows),
        unmapped=list(s.mapping.unmapped),
        notes=list(s.notes),
        skipped=s.skipped,
        # Files not read row by row (skipped, unusable) count nothing.
        replaced=[
            (column, given, value, s.replaced_rows[column][given])
            for column, values in s.mapping.values.items()
            if column in s.replaced_rows
            for given, value in values.items()
        ],
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

    histories = tuple(
        fin
        for s, fin in finals
        if fin is not None and not s.skipped and fin not in deal_tables
        and s.mapping.kind in ("deals", "stage_events")
    )  # fmt: skip
    # Without a transaction of its own the import replaces the store, emptied first.
    changed = set() if own_transaction else set(writing.STORED_TABLES)
    if own_transaction:
        cur.execute("BEGIN TRANSACTION")
    try:
        if pipelines.declared:
            changes["pipeline_stages"] = writing.write_pipelines(
                cur, pipelines.declared, pipelines.probabilities, pipelines.rotting
            )
            changed.add("pipelines_stages")
        for s, fin in finals:
            if s.skipped:
                continue
            kind = s.mapping.kind
            if kind == "deals" and fin in deal_tables:
                add("deals", writing.write_deals(cur, fin, s.taken_at, s.file, s.content_hash,
                                                 histories))  # fmt: skip
                changed.update(("deals", "stage_events"))
            elif fin is not None and kind in ("deals", "stage_events"):
                add("history", writing.write_history(cur, fin))
                changed.add("stage_events")
            elif fin is not None:
                add(kind, writing.write_keyed(cur, kind, fin))
                changed.add(IMPORTABLE[kind].name)
            if fin is None or fin in deal_tables or kind not in ("deals",):
                writing.record_import(
                    cur, s.file, kind, s.mapping.preset.name, s.content_hash, s.raw.rows
                )
        # A file of leads, contacts, organizations or targets changes no derived table.
        if changed & derived.FACTS_READ:
            derived.refresh(cur, visits=bool(changed & derived.VISITS_READ))
        if own_transaction:
            cur.execute("COMMIT")
    except BaseException:
        if own_transaction:
            cur.execute("ROLLBACK")
        raise
    return changes
