"""Reading CSV, XLSX and Parquet files into DuckDB tables of text, with spreadsheet row numbers."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.errors import Problem

DELIMITERS = (",", ";", "\t", "|")
# DuckDB caps a line at 10 MB; Python's csv module, used for row numbers, must not stop sooner.
csv.field_size_limit(2**31 - 1)
_CHUNK = 1 << 20
_INVALID_TEXT = "the row contains bytes that are not valid text"


@dataclass
class RawTable:
    """A file loaded as text: the DuckDB table holding it, its header, and how to find rows.

    A header without data rows is no problem here: whether it is one depends on the other
    files of the import (importer.import_files).
    """

    file: str
    table: str
    columns: list[str]
    rows: int
    encoding: str
    problems: list[Problem]
    row_of: Callable[[int], int]
    # Columns DuckDB read as typed values rather than text (CSV only; see read_csv).
    typed: dict[str, str] = field(default_factory=dict)


class _Unreadable(Exception):
    pass


def _detect_encoding(path: Path, quick: bool = False) -> str:
    """Return the encoding of a text file: utf-8, utf-8-sig, utf-16 or cp932.

    quick checks only the first megabyte for UTF-8: DuckDB rejects any invalid bytes after it
    as it reads, and read_csv then looks at the whole file.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp932")
    for encoding in candidates:
        if _decodes(path, encoding, limit=_CHUNK if quick and encoding == "utf-8" else None):
            return encoding
    raise _Unreadable(
        "the file is not text in a supported encoding (UTF-8, UTF-16 or Shift_JIS/CP932); "
        "save it as CSV UTF-8 and try again"
    )


def _decodes(path: Path, encoding: str, limit: int | None = None) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    read = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if encoding != "utf-16" and b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            read += len(chunk)
            if limit is not None and read >= limit:
                # A multi-byte character may be cut at the end of the sample: that is fine.
                return True
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode(path: Path, encoding: str, workdir: Path) -> Path:
    """Return a UTF-8 copy of a file written in another encoding (DuckDB reads UTF-8)."""
    out = workdir / (path.stem + ".utf8.csv")
    with (
        path.open("r", encoding=encoding, newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(_CHUNK):
            dst.write(chunk)
    return out


def _sniff_delimiter(first_line: str) -> str:
    """Return the delimiter that splits the header line into the most fields."""
    best, best_count = ",", 0
    for delim in DELIMITERS:
        fields = next(csv.reader([first_line], delimiter=delim), [])
        if len(fields) - 1 > best_count:
            best, best_count = delim, len(fields) - 1
    return best


def _first_line(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        line = fh.readline()
    return line.rstrip("\r\n")


def _has_blank_lines(path: Path) -> bool:
    with path.open("rb") as fh:
        tail = b""
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            if b"\n\n" in data or b"\n\r\n" in data:
                return True
            tail = data[-2:]
    return False


def _spreadsheet_rows(path: Path, delim: str, reject_lines: set[int]) -> list[int]:
    """Return, per row DuckDB kept, the row a spreadsheet shows it on (header is row 1).

    DuckDB numbers a rejected row as a spreadsheet does: a blank line is a row, and a quoted
    cell over several lines is one row with the rest of its record.
    """
    rows: list[int] = []
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delim)
        next(reader, None)
        for record, fields in enumerate(reader, start=2):
            if fields and record not in reject_lines:
                rows.append(record)
    return rows


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


TypeChooser = Callable[[list[str], dict[str, str]], dict[str, str]]

_ISO_DATE = "%Y-%m-%d"

# Sniffed types DuckDB may read directly: ISO dates and timestamps (offsets too), plain numbers.
_DIRECT_TYPES = {
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "DATE": "DATE",
    "DOUBLE": "DOUBLE",
    "BIGINT": "DOUBLE",
    "INTEGER": "DOUBLE",
}


def _sniffed_types(con: duckdb.DuckDBPyConnection, path: Path, delim: str) -> dict[str, str]:
    """Return column -> type for the columns DuckDB's sniffer reads as ISO dates or numbers."""
    try:
        columns, date_format, stamp_format = con.execute(
            "SELECT Columns, DateFormat, TimestampFormat FROM sniff_csv(?, delim = ?, "
            "header = true)",
            [str(path), delim],
        ).fetchone()
    except duckdb.Error:
        return {}
    # A timestamp without an offset is read in the session's time zone: only UTC keeps it as
    # written (store.connect sets it).
    utc = con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
    out = {}
    for column in columns:
        direct = _DIRECT_TYPES.get(column["type"])
        # Only ISO forms are read typed, the ones DuckDB reads without a format: the sniffer
        # names the format of ISO dates (%Y-%m-%d) and of no ISO timestamp.
        own_format = date_format if column["type"] == "DATE" else stamp_format
        if direct in ("TIMESTAMP", "DATE") and (own_format not in (None, _ISO_DATE) or not utc):
            continue
        if direct:
            out[column["name"]] = direct
    return out


def read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    label: str,
    choose_types: TypeChooser | None = None,
) -> RawTable:
    """Load a delimited text file into table as text; structural problems are collected.

    choose_types(names, sniffed) may name columns to read as typed values straight away
    (the fast path for clean ISO dates and plain numbers); if any cell then fails to convert,
    the file is read again as text, so that every problem is reported the usual way.
    """
    try:
        encoding = _detect_encoding(path, quick=True)
    except _Unreadable as exc:
        return _failed(label, table, str(exc))
    raw = _read_csv_as(con, path, table, label, choose_types, encoding)
    if encoding == "utf-8" and any(p.message == _INVALID_TEXT for p in raw.problems):
        # Invalid UTF-8 past the sampled start: look at the whole file before refusing it.
        try:
            full = _detect_encoding(path)
        except _Unreadable as exc:
            return _failed(label, table, str(exc))
        if full != "utf-8":
            raw = _read_csv_as(con, path, table, label, choose_types, full)
    return raw


def _read_csv_as(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    label: str,
    choose_types: TypeChooser | None,
    encoding: str,
) -> RawTable:
    """Read a CSV file known to be in encoding (see read_csv)."""
    with tempfile.TemporaryDirectory(prefix="pipeline-import-") as tmp:
        source = path
        if encoding in ("utf-16", "cp932"):
            source = _transcode(path, encoding, Path(tmp))
        header = _first_line(source)
        if not header.strip():
            return _failed(label, table, "the file is empty: it has no header row")
        delim = _sniff_delimiter(header)
        names = _header_fields(source, delim)
        repeated = _first_repeat(names)
        if repeated is not None:
            return _failed(label, table, "the header names this column twice; rename one",
                           row=1, column=repeated)  # fmt: skip
        typed = choose_types(names, _sniffed_types(con, source, delim)) if choose_types else {}
        try:
            plain = _plain_stamps(source, delim, names, typed)
            rejects = _load_csv(con, source, table, delim, names, typed, plain)
            if typed and rejects:
                typed = {}
                rejects = _load_csv(con, source, table, delim, names, typed, plain)
        except duckdb.Error as exc:
            return _failed(label, table, f"the file cannot be read as CSV: {_first_sentence(exc)}")
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        problems = [_reject_problem(label, names, delim, *r) for r in rejects]
        row_of = _RowNumbers(source, delim, {int(r[0]) for r in rejects}, rows)
        if source is not path:
            # The transcoded copy is about to go: number its rows now.
            row_of.build()
    return RawTable(label, table, columns, rows, encoding, problems, row_of, typed)


def _load_csv(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    table: str,
    delim: str,
    names: list[str],
    typed: dict[str, str],
    plain_stamps: bool = False,
) -> list[tuple]:
    """Read source into table (text, or the given types); return the rejected rows.

    Dates and timestamps are stored as TIMESTAMP. Dates are read in the one form
    YYYY-MM-DD, and with plain_stamps timestamps in the one form YYYY-MM-DD HH:MM:SS: any
    other cell is rejected, where DuckDB would otherwise drop its time of day or its offset.
    """
    scan = f"{table}__scan"
    # Other timestamps are read with their offsets and kept as UTC time, as the text path keeps
    # them: read as TIMESTAMP, "2024-01-03 10:00+09:00" would lose its offset (the sniffer only
    # samples the first rows, so such a cell can sit in a column it calls TIMESTAMP).
    stamp = "TIMESTAMP" if plain_stamps else "TIMESTAMPTZ"
    columns = {
        name: stamp if typed.get(name) == "TIMESTAMP" else typed.get(name, "VARCHAR")
        for name in names
    }
    # The instant's microseconds since 1970 give its UTC time without a time-zone lookup per
    # cell (timezone('UTC', ...) costs twice as much on a large file), and a date's midnight.
    # Not CAST(... AS TIMESTAMP): DuckDB would push that cast into the reader, which would then
    # read the dates as timestamps of the form above and reject them all.
    selects = ", ".join(
        f"make_timestamp(epoch_us({_quote(name)})) AS {_quote(name)}"
        if columns[name] in ("TIMESTAMPTZ", "DATE")
        else _quote(name)
        for name in names
    )
    formats = f", timestampformat = '{_STAMP_FORMAT}'" if plain_stamps else ""
    # Names and types are given, so DuckDB does not sniff: a broken row becomes a rejected
    # row with its line number instead of failing the whole file.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {selects} FROM read_csv(?, delim = ?, "
        "quote = '\"', escape = '\"', header = true, auto_detect = false, columns = ?, "
        f"dateformat = '{_ISO_DATE}'{formats}, "
        "store_rejects = true, rejects_table = ?, rejects_scan = ?, "
        "max_line_size = 10000000, parallel = true)",
        [str(source), delim, columns, f"{table}__rejects", scan],
    )
    rejects = con.execute(
        f"SELECT line, column_name, csv_line, error_type, error_message "
        f"FROM {table}__rejects ORDER BY line"
    ).fetchall()
    con.execute(f"DROP TABLE IF EXISTS {table}__rejects")
    con.execute(f"DROP TABLE IF EXISTS {scan}")
    return rejects


class _RowNumbers:
    """Spreadsheet row of each row DuckDB kept, worked out only when a problem needs one.

    Row id + 2 (the header is row 1) unless blank lines or rejected rows shift the rows.
    """

    def __init__(self, path: Path, delim: str, reject_lines: set[int], rows: int) -> None:
        self._path, self._delim, self._rejects, self._rows = path, delim, reject_lines, rows
        self._mapping: list[int] | None = None

    def build(self) -> None:
        if self._mapping is not None:
            return
        self._mapping = []
        if self._rejects or _has_blank_lines(self._path):
            mapping = _spreadsheet_rows(self._path, self._delim, self._rejects)
            if len(mapping) == self._rows:
                self._mapping = mapping

    def __call__(self, rowid: int) -> int:
        self.build()
        return self._mapping[rowid] if self._mapping else rowid + 2


def _plus_two(rowid: int) -> int:
    return rowid + 2


def _first_sentence(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def _reject_problem(
    label: str,
    names: list[str],
    delim: str,
    line: int,
    column: str | None,
    csv_line: str | None,
    kind: str,
    message: str,
) -> Problem:
    explain = {
        "TOO MANY COLUMNS": "the row has more fields than the header",
        "MISSING COLUMNS": "the row has fewer fields than the header (truncated row?)",
        "UNQUOTED VALUE": "a quote character is misplaced",
        "LINE SIZE OVER MAXIMUM": "the row is longer than 10 MB",
        "INVALID ENCODING": _INVALID_TEXT,
        "INVALID UNICODE": _INVALID_TEXT,
    }.get(kind, message.split("\n")[0][:200])
    if column is None and kind == "LINE SIZE OVER MAXIMUM" and csv_line:
        fields = next(csv.reader(io.StringIO(csv_line), delimiter=delim), [])
        longest = max(range(len(fields)), key=lambda i: len(fields[i]), default=None)
        if longest is not None and longest < len(names):
            column = names[longest]
    # DuckDB quotes a row after blank lines with those line breaks in front.
    quoted = (csv_line or "").lstrip("\r\n")[:80] or None
    return Problem(label, int(line), column, quoted, explain)


def _failed(
    label: str, table: str, message: str, row: int | None = None, column: str | None = None
) -> RawTable:
    problem = Problem(label, row, column, None, message)
    return RawTable(label, table, [], 0, "", [problem], _plus_two)


_STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_PLAIN_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_SAMPLED_ROWS = 200


def _plain_stamps(path: Path, delim: str, names: list[str], typed: dict[str, str]) -> bool:
    """Return True when the first rows write every timestamp to be read typed as
    YYYY-MM-DD HH:MM:SS (read in that one form, timestamps cost a third less to read).

    A later cell in another form is rejected by the read, which then reads the file as text.
    """
    stamps = [i for i, name in enumerate(names) if typed.get(name) == "TIMESTAMP"]
    if not stamps:
        return False
    # Invalid bytes (reported by the read itself) become U+FFFD: no match, the offset-aware read.
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = itertools.islice(csv.reader(fh, delimiter=delim), 1, _SAMPLED_ROWS + 1)
        cells = [row[i] for row in rows for i in stamps if i < len(row) and row[i]]
    return bool(cells) and all(_PLAIN_STAMP.fullmatch(c) for c in cells)


def _header_fields(path: Path, delim: str) -> list[str]:
    """Return the header's column names (blank ones named columnN)."""
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        fields = next(csv.reader(fh, delimiter=delim), [])
    return [f.strip() or f"column{i}" for i, f in enumerate(fields, start=1)]


def _first_repeat(names: list[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str, label: str) -> RawTable:
    """Load the first worksheet of an XLSX workbook into table as text."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        return _failed(label, table, f"the file cannot be read as an Excel workbook: {exc}")
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header: list[str] | None = None
        header_row = 0
        # header_row outlives the loop: data rows are numbered from it.
        for header_row, values in enumerate(rows_iter, start=1):  # noqa: B007
            if any(v is not None and str(v).strip() for v in values):
                header = [str(v).strip() if v is not None else "" for v in values]
                break
        if header is None:
            return _failed(label, table, "the workbook's first sheet is empty")
        while header and not header[-1]:
            header.pop()
        names = [h or f"column{i}" for i, h in enumerate(header, start=1)]
        repeated = _first_repeat(names)
        if repeated is not None:
            return _failed(label, table, "the header names this column twice; rename one",
                           row=header_row, column=repeated)  # fmt: skip
        data: list[list[str | None]] = [[] for _ in names]
        row_numbers: list[int] = []
        for number, values in enumerate(rows_iter, start=header_row + 1):
            cells = [_cell_text(v) for v in itertools.islice(values, len(names))]
            if not any(cells):
                continue
            cells += [None] * (len(names) - len(cells))
            for col, cell in zip(data, cells, strict=True):
                col.append(cell)
            row_numbers.append(number)
    finally:
        book.close()
    arrow = pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, data, strict=True)})
    con.register(f"{table}__arrow", arrow)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table}__arrow")
    con.unregister(f"{table}__arrow")
    return RawTable(label, table, names, len(row_numbers), "xlsx", [], row_numbers.__getitem__)


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str, label: str) -> RawTable:
    """Load a Parquet file into table, every column cast to text."""
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        columns = [r[0] for r in described]
        casts = ", ".join(f"CAST({_quote(c)} AS VARCHAR) AS {_quote(c)}" for c in columns)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {casts} FROM read_parquet(?)",
            [str(path)],
        )
    except duckdb.Error as exc:
        return _failed(label, table, f"the file cannot be read as Parquet: {_first_sentence(exc)}")
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return RawTable(label, table, columns, rows, "parquet", [], lambda rowid: rowid + 1)


def read_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    choose_types: TypeChooser | None = None,
) -> RawTable:
    """Load any supported file into a temporary text table, choosing the reader by content."""
    label = path.name
    if not path.exists():
        return _failed(label, table, "the file does not exist")
    if path.is_dir():
        return _failed(label, table, "this is a folder, not a file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return read_parquet(con, path, table, label)
    if magic == b"PK\x03\x04":
        return read_xlsx(con, path, table, label)
    if path.stat().st_size == 0:
        return _failed(label, table, "the file is empty")
    return read_csv(con, path, table, label, choose_types)
