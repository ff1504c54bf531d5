"""Reviewing an import before it is written: each file's columns, its mapping, every problem.

The Data page lets each file have its own kind, preset, mapping and fixed values, while
importer.import_files takes one set of options for all the files it is given. Files are
therefore grouped by their options; a group is one call of the importer (one transaction),
and the groups go in the importer's own kind order, so deals are written before their history.
Files without options of their own, the usual case, all form one group: one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics.errors import AnalyticsError, ImportRejected, MappingError, Note, Problem
from analytics.importer import FileReport, ImportResult, import_files
from analytics.mapping import Mapping, resolve_mapping, value_replacements
from analytics.readers import read_file
from analytics.schema import IMPORTABLE
from analytics.wording import counted

Progress = Callable[[str, float], None]

PROBLEM_COLUMNS = ["File", "Row", "Column", "Value", "Problem"]
NOTE_COLUMNS = ["File", "Column", "Rows", "Note", "Example rows"]
REPLACED_COLUMNS = ["File", "Column", "Value in the file", "Store instead", "Rows"]
MAPPING_COLUMNS = ["Column", "Required", "From the file", "Fixed value"]
# The table of replaced values (FileOptions.values): one row per value.
VALUE_COLUMNS = ("Column", "Value in the file", "Store instead")


@dataclass(frozen=True)
class FileOptions:
    """What the user chose for one file: kind and preset (None/"auto": detected), columns, constants."""

    kind: str | None = None
    preset: str = "auto"
    mapping: tuple[tuple[str, str], ...] = ()
    constants: tuple[tuple[str, str], ...] = ()
    # (canonical column, value in the file, value stored instead), as --value gives them.
    values: tuple[tuple[str, str, str], ...] = ()

    def replaced(self) -> dict[str, dict[str, str]]:
        """Return the replaced values as the importer takes them: column -> file value -> value."""
        return value_replacements(self.values)


@dataclass(frozen=True)
class FileColumns:
    """A file's header as the importer reads it: columns, data rows and reading problems."""

    file: str
    columns: tuple[str, ...]
    rows: int
    encoding: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ImportGroup:
    """Files imported by one call of the importer, with the options they share."""

    options: FileOptions
    paths: tuple[str, ...]


@dataclass
class Review:
    """The outcome of a dry run of every group: problems, notes and the files' reports."""

    problems: pd.DataFrame
    notes: pd.DataFrame
    reports: dict[str, FileReport] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """Return True when nothing stops the import."""
        return self.problems.empty


class ImportStopped(AnalyticsError):
    """A group was refused after earlier groups were written (their files stay imported)."""

    title = "Import refused"

    def __init__(self, problems: list[Problem], imported: list[str]):
        self.problems = list(problems)
        self.imported = list(imported)
        done = ", ".join(imported) or "none"
        super().__init__(
            f"{counted(len(self.problems), 'problem')} found; "
            f"files imported before the refusal: {done}"
        )


def file_columns(con: duckdb.DuckDBPyConnection, path: str) -> FileColumns:
    """Return the columns and data rows of a file, read by the importer's own reader."""
    cur = con.cursor()
    try:
        raw = read_file(cur, Path(path), "import_review_raw")
        return FileColumns(
            raw.file, tuple(raw.columns), raw.rows, raw.encoding, tuple(raw.problems)
        )
    finally:
        cur.close()


def file_mapping(columns: Sequence[str], options: FileOptions) -> Mapping:
    """Return the mapping the importer makes of these columns with these options (MappingError)."""
    return resolve_mapping(
        list(columns),
        kind=options.kind,
        preset=options.preset,
        explicit=dict(options.mapping),
        constants=dict(options.constants),
        values=options.replaced(),
    )


def mapping_table(mapping: Mapping) -> pd.DataFrame:
    """Return one row per column of the mapping's kind: required, source column, fixed value.

    A column filled from several source columns shows the first; the importer takes the
    others where the first is empty.
    """
    rows = []
    for col in IMPORTABLE[mapping.kind].columns:
        sources = mapping.columns.get(col.name) or mapping.joined.get(col.name) or ()
        rows.append(
            (
                col.name,
                col.required,
                sources[0] if sources else None,
                mapping.constants.get(col.name),
            )
        )
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def chosen_options(
    detected: Mapping, edited: pd.DataFrame, kind: str | None, preset: str
) -> FileOptions:
    """Return the options that turn the detected mapping into the edited mapping table.

    Only changes are kept: an unchanged row leaves the importer its own choice (several
    source columns, preset constants). A fixed value wins over a source column.
    """
    before = mapping_table(detected).set_index("Column")
    mapping, constants = [], []
    for column, source, fixed in edited[["Column", "From the file", "Fixed value"]].itertuples(
        index=False
    ):
        fixed = "" if pd.isna(fixed) else str(fixed).strip()
        if fixed and fixed != before.at[column, "Fixed value"]:
            constants.append((column, fixed))
        elif not pd.isna(source) and source and source != before.at[column, "From the file"]:
            mapping.append((column, str(source)))
    return FileOptions(kind, preset, tuple(mapping), tuple(constants))


def chosen_values(edited: pd.DataFrame) -> tuple[tuple[str, str, str], ...]:
    """Return the complete rows of the value table (VALUE_COLUMNS): column, file value, value.

    A row without its column or its value in the file is still being typed: it is left out. An
    empty value to store means no value.
    """
    out = []
    for column, found, value in edited[list(VALUE_COLUMNS)].itertuples(index=False):
        found = "" if pd.isna(found) else str(found).strip()
        if pd.isna(column) or not column or not found:
            continue
        out.append((str(column), found, "" if pd.isna(value) else str(value).strip()))
    return tuple(out)


def import_groups(files: Sequence[tuple[str, FileOptions, str]]) -> tuple[ImportGroup, ...]:
    """Return the files (path, options, kind) grouped by options, in the importer's kind order."""
    order = list(IMPORTABLE)
    groups: dict[FileOptions, list[tuple[str, str]]] = {}
    for path, options, kind in files:
        groups.setdefault(options, []).append((path, kind))
    ranked = sorted(
        groups.items(), key=lambda item: min(order.index(k) for _, k in item[1] if k in order)
    )
    return tuple(ImportGroup(options, tuple(p for p, _ in members)) for options, members in ranked)


def _import(
    con: duckdb.DuckDBPyConnection,
    group: ImportGroup,
    date_order: str | None,
    dry_run: bool,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    options = group.options
    return import_files(
        con,
        list(group.paths),
        kind=options.kind,
        preset=options.preset,
        mapping=dict(options.mapping),
        constants=dict(options.constants),
        values=options.replaced(),
        date_order=date_order,
        dry_run=dry_run,
        progress=progress,
    )


def _mapping_problems(group: ImportGroup, error: MappingError) -> list[Problem]:
    return [Problem(Path(p).name, None, None, None, str(error)) for p in group.paths]


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Return one row per problem: file, spreadsheet row, column, value and what is wrong."""
    rows = [(p.file, p.row, p.column, p.value, p.message) for p in problems]
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    return frame.astype({"Row": "Int64"})


def notes_frame(notes: Sequence[Note]) -> pd.DataFrame:
    """Return one row per data-quality note: file, column, rows concerned, note, example rows."""
    rows = [
        (n.file, n.column, n.count, n.message, ", ".join(str(r) for r in n.rows[:5])) for n in notes
    ]
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)


def replaced_frame(review: Review) -> pd.DataFrame:
    """Return one row per value replaced in a checked file: file, column, value in the file,
    value stored instead and the rows it was found in (0: probably mistyped)."""
    rows = [(report.file, *replaced) for report in review.reports.values()
            for replaced in report.replaced]  # fmt: skip
    return pd.DataFrame(rows, columns=REPLACED_COLUMNS)


def review(
    con: duckdb.DuckDBPyConnection, groups: Sequence[ImportGroup], date_order: str | None = None
) -> Review:
    """Return every problem and note a dry run of each group finds; nothing is written."""
    problems: list[Problem] = []
    notes: list[Note] = []
    reports: dict[str, FileReport] = {}
    for group in groups:
        try:
            result = _import(con, group, date_order, dry_run=True)
        except ImportRejected as rejected:
            problems += rejected.problems
        except MappingError as error:
            problems += _mapping_problems(group, error)
        else:
            notes += result.notes
            reports.update({f.file: f for f in result.files})
    return Review(problems_frame(problems), notes_frame(notes), reports)


def run_import(
    con: duckdb.DuckDBPyConnection,
    groups: Sequence[ImportGroup],
    date_order: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Import every group; return the rows changed per table and kind of change (summed).

    progress(phase, share) gets the importer's phase and the share of the work done (0-1).
    Raises ImportStopped when a group is refused; the groups before it stay imported.
    """
    report = progress or (lambda phase, share: None)
    changes: dict[str, int] = {}
    imported: list[str] = []
    for i, group in enumerate(groups):

        def step(phase: str, done: int, total: int, i: int = i) -> None:
            report(phase, (i + done / max(total, 1)) / len(groups))

        try:
            result = _import(con, group, date_order, dry_run=False, progress=step)
        except ImportRejected as rejected:
            raise ImportStopped(rejected.problems, imported) from rejected
        except MappingError as error:
            raise ImportStopped(_mapping_problems(group, error), imported) from error
        for key, n in result.changes.items():
            changes[key] = changes.get(key, 0) + n
        imported += [f.file for f in result.files if not f.skipped]
    report("done", 1.0)
    return changes
