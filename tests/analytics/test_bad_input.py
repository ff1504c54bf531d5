"""Broken input files: every one is refused by `python -m analytics import` and changes nothing.

Each row of BROKEN names a file of tests/fixtures/bad (or one generated here because it is
large), the message expected (a case-insensitive regular expression), and the spreadsheet
row and the column the report must point at (None where the problem is the whole file).
The file is imported into a database that already holds a small valid import; the command
must exit 1, name the file, the row and the column on one line of stderr, and leave every
table exactly as it was. Most rows call `analytics.cli.main` in this process; the rows in
SUBPROCESS run the real command line.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from analytics import cli, store
from analytics.importer import import_files

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "bad"
README = BAD / "README.md"

# The database every test starts from: a small, valid import of several kinds of record.
VALID = {
    "base_deals.csv": (
        "deal_id,name,stage,amount,owner,created_at,expected_close_date\n"
        "D-1,Acme renewal,Prospecting,12500,Alice,2024-01-05,2024-03-31\n"
        "D-2,Globex expansion,Approach,8000,Bob,2024-01-10,2024-04-15\n"
        "D-3,Initech pilot,Won,3000,Alice,2024-01-12,2024-02-01\n"
    ),
    "base_organizations.csv": (
        "organization_id,name,industry,employees\nO-1,Acme,Manufacturing,120\nO-2,Globex,Energy,40\n"
    ),
    "base_activities.csv": (
        "activity_id,type,subject,owner,due_at,completed_at,deal_id\n"
        "A-1,call,Intro call,Alice,2024-01-06,2024-01-06,D-1\n"
        "A-2,email,Proposal sent,Bob,2024-01-12,,D-2\n"
    ),
    "base_targets.csv": (
        "scope,scope_value,metric,period_start,period_end,target_value\n"
        "company,,won_amount,2024-01-01,2024-03-31,100000\n"
        "owner,Alice,won_count,2024-01-01,2024-03-31,5\n"
    ),
}

# Files too large to commit, written by the test.
HUGE_CELL = 11_000_000  # characters in one cell: more than the 10 MB a CSV row may hold


def _huge_field(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("deal_id,name,stage,amount,owner,created_at\n")
        fh.write("D-10,Umbrella upgrade,Prospecting,1200,Alice,2024-02-01\n")
        fh.write("D-11," + "x" * HUGE_CELL + ",Approach,5400,Bob,2024-02-03\n")
        fh.write("D-12,Stark support,Presentation,980,Carol,2024-02-07\n")


def _huge_quoted_field(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("deal_id,name,stage,amount,owner,created_at\n")
        fh.write("D-10,Umbrella upgrade,Prospecting,1200,Alice,2024-02-01\n")
        fh.write('D-11,"' + "a, b\n" * (HUGE_CELL // 5) + '",Approach,5400,Bob,2024-02-03\n')


GENERATED: dict[str, Callable[[Path], None]] = {
    "huge_field_11mb.csv": _huge_field,
    "huge_quoted_multiline_field_11mb.csv": _huge_quoted_field,
}

NOT_TEXT = "not valid text|not text in a supported encoding"

# file, expected message (regex, case-insensitive), row, column
BROKEN: list[tuple[str, str, int | None, str | None]] = [
    # --- the file cannot be read as a table at all
    ("empty.csv", "empty", None, None),
    ("bom_only.csv", "empty", None, None),
    ("header_only.csv", "no data rows", None, None),
    ("latin1.csv", "not text in a supported encoding", None, None),
    ("utf16_no_bom.csv", "not text in a supported encoding", None, None),
    ("nul_byte_in_utf8.csv", "not text in a supported encoding", None, None),
    ("bom_then_latin1.csv", NOT_TEXT, None, None),
    ("bom_then_latin1_header.csv", NOT_TEXT, None, None),
    ("utf16_bom_odd_length.csv", NOT_TEXT + "|truncated", None, None),
    ("random_bytes.bin", "not text in a supported encoding", None, None),
    ("png_header.png", "not text in a supported encoding", None, None),
    ("zip_not_xlsx.xlsx", "cannot be read as an Excel workbook", None, None),
    ("corrupt.parquet", "cannot be read as Parquet", None, None),
    ("empty_sheet.xlsx", "sheet is empty", None, None),
    # --- the structure of a CSV is broken
    ("truncated_mid_row.csv", "fewer fields than the header", 4, "amount"),
    ("truncated_mid_quoted_field.csv", "quote", 4, "name"),
    ("unbalanced_quotes.csv", "quote", 3, "name"),
    ("too_many_fields.csv", "more fields than the header", 3, None),
    ("mixed_delimiters.csv", "fewer fields than the header", 3, "name"),
    ("duplicate_header.csv", "twice|duplicate|more than once", 1, "amount"),
    ("huge_field_11mb.csv", "longer than|too long|too large", 3, "name"),
    ("huge_quoted_multiline_field_11mb.csv", "longer than|too long|too large", 3, "name"),
    # --- required columns
    ("missing_id_column.csv", "required column for deals is missing", 1, "deal_id"),
    ("missing_stage_column.csv", "required column for deals is missing", 1, "stage"),
    ("activities_no_id_column.csv", "required column for activities is missing", 1, "activity_id"),
    ("activities_without_ids.csv", "required but the cell is empty", 3, "activity_id"),
    ("empty_created_at.csv", "required but the cell is empty", 3, "created_at"),
    ("empty_stage.csv", "every deal needs a stage", 4, "stage"),
    # --- values
    ("duplicate_ids_conflicting.csv", "duplicate ID with different content", 5, "deal_id"),
    ("unparseable_dates.csv", "not a date", 3, "created_at"),
    ("impossible_date.csv", "not a date", 4, "created_at"),
    ("ambiguous_dates.csv", "ambiguous date", 2, "created_at"),
    ("ambiguous_dates.csv", "ambiguous date", 2, "expected_close_date"),
    ("negative_amount.csv", "negative values are not allowed", 4, "amount"),
    ("negative_amount_parentheses.csv", "negative values are not allowed", 3, "amount"),
    ("non_numeric_amount.csv", "not an amount", 3, "amount"),
    ("nan_amount.csv", "not an amount", 4, "amount"),
    ("inf_amount.csv", "not an amount", 3, "amount"),
    ("overflow_amount.csv", "not an amount|too large|out of range|infinite", 3, "amount"),
    (
        "targets_infinite_value.csv",
        "not a number|too large|out of range|infinite",
        2,
        "target_value",
    ),  # fmt: skip
    ("currency_not_iso.csv", "currency|ISO 4217", 3, "currency"),
    ("unknown_stage.csv", "not a stage of pipeline", 3, "stage"),
    ("cp932_unknown_stage.csv", "not a stage of pipeline", 3, "stage"),
    ("parquet_unknown_stage.parquet", "not a stage of pipeline", 2, "stage"),
    ("unknown_status.csv", "not a deal status", 3, "status"),
    ("stage_contradicts_status.csv", "contradicts the deal's status", 3, "stage"),
    ("unknown_lead_status.csv", "status", 3, "status"),
    ("contacts_bad_boolean.csv", "not a yes/no value", 3, "is_customer"),
    ("organizations_fractional_employees.csv", "not a whole number", 3, "employees"),
    ("history_bad_timestamp.csv", "not a date", 3, "entered_at"),
    ("targets_period_reversed.csv", "ends before it starts", 3, "period_end"),
    ("targets_unknown_metric.csv", "not a target metric", 3, "metric"),
    ("pipelines_same_position.csv", "same position", 3, "position"),
    ("pipelines_probability_over_100.csv", "probability", 3, "probability"),
    # --- row numbers as a spreadsheet shows them
    ("blank_lines_then_bad_amount.csv", "not an amount", 7, "amount"),
    ("multiline_field_then_bad_date.csv", "not a date", 4, "created_at"),
    ("multiline_field_then_too_many_fields.csv", "more fields than the header", 4, None),
    ("blank_lines_then_too_many_fields.csv", "more fields than the header", 5, None),
    ("utf16_bom_bad_date.csv", "not a date", 4, "created_at"),
    ("xlsx_negative_amount.xlsx", "negative values are not allowed", 4, "amount"),
]

# These rows run `python -m analytics` as a real process; the others call cli.main.
SUBPROCESS = {
    "empty.csv",
    "latin1.csv",
    "random_bytes.bin",
    "truncated_mid_row.csv",
    "xlsx_negative_amount.xlsx",
    "huge_field_11mb.csv",
}

# Files with more than one problem: every one must be listed.
SEVERAL: list[tuple[str, list[tuple[str, int | None, str | None]]]] = [
    (
        "several_value_errors.csv",
        [
            ("negative values are not allowed", 3, "amount"),
            ("not a date", 4, "created_at"),
            ("not a stage of pipeline", 5, "stage"),
        ],
    ),
    (
        "structural_and_value_errors.csv",
        [
            ("more fields than the header", 3, None),
            ("negative values are not allowed", 5, "amount"),
        ],
    ),
]

# Not broken: cells that look like spreadsheet formulas are text, imported literally.
FORMULAS = "formula_cells.csv"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    """Return a closed database holding the small valid import every test starts from."""
    folder = tmp_path_factory.mktemp("seeded")
    paths = []
    for name, text in VALID.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    db = folder / "template.duckdb"
    con = store.connect(db)
    try:
        result = import_files(con, paths)
        assert result.written
        assert con.execute("SELECT count(*) FROM deals").fetchone()[0] == 3
    finally:
        con.close()
    return db


@pytest.fixture
def seeded_db(seeded_template, tmp_path) -> Path:
    """Return a copy of the seeded database for one test."""
    db = tmp_path / "pipeline.duckdb"
    shutil.copy(seeded_template, db)
    wal = seeded_template.with_name(seeded_template.name + ".wal")
    if wal.exists():
        shutil.copy(wal, db.with_name(db.name + ".wal"))
    return db


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Return every row of every table of the database at db (opened and closed again)."""
    con = store.connect(db)
    try:
        return store.table_snapshot(con)
    finally:
        con.close()


def input_file(name: str, folder: Path) -> Path:
    """Return the path of a broken file: a committed fixture, or one generated into folder."""
    if name in GENERATED:
        path = folder / name
        GENERATED[name](path)
        return path
    path = BAD / name
    assert path.is_file(), f"missing fixture {path}"
    return path


def run_import(files: list[Path], db: Path, capsys, real_process: bool) -> tuple[int, str, str]:
    """Run `python -m analytics import FILES --db DB`; return exit code, stdout and stderr."""
    argv = ["import", *(str(f) for f in files), "--db", str(db)]
    if real_process:
        proc = subprocess.run(
            [sys.executable, "-m", "analytics", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return proc.returncode, proc.stdout, proc.stderr
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def problem_lines(stderr: str) -> list[str]:
    """Return the lines of stderr (progress-bar carriage returns split off)."""
    return [line.strip() for line in re.split(r"[\r\n]+", stderr) if line.strip()]


def find_problem(
    stderr: str, file: str, message: str, row: int | None, column: str | None
) -> str | None:
    """Return the stderr line naming file, row, column and a message matching message."""
    for line in problem_lines(stderr):
        if not re.search(rf"(^|[\s/-]){re.escape(file)}\b", line):
            continue
        if not re.search(message, line, re.IGNORECASE):
            continue
        if row is not None and not re.search(rf"\brow {row}\b", line):
            continue
        if column is not None and f'"{column}"' not in line:
            continue
        return line
    return None


def where(row: int | None, column: str | None) -> str:
    parts = [f"row {row}" if row is not None else "", f'column "{column}"' if column else ""]
    return ", ".join(p for p in parts if p) or "the whole file"


@pytest.mark.parametrize(
    ("name", "message", "row", "column"),
    BROKEN,
    ids=[f"{name}-{column or ('row' if row else 'file')}" for name, _, row, column in BROKEN],
)
def test_broken_file_is_refused_and_changes_nothing(
    name, message, row, column, seeded_db, tmp_path, capsys
):
    path = input_file(name, tmp_path)
    before = snapshot(seeded_db)

    code, out, err = run_import([path], seeded_db, capsys, real_process=name in SUBPROCESS)

    assert code == cli.EXIT_REJECTED, (
        f"{name} should be refused (exit 1), got exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    )
    assert find_problem(err, name, message, row, column), (
        f"stderr has no line naming {name}, {where(row, column)} and /{message}/:\n{err}"
    )
    assert snapshot(seeded_db) == before, f"importing {name} changed the database"


@pytest.mark.parametrize(("name", "expected"), SEVERAL, ids=[n for n, _ in SEVERAL])
def test_every_problem_of_a_file_is_listed(name, expected, seeded_db, capsys):
    before = snapshot(seeded_db)

    code, _, err = run_import([BAD / name], seeded_db, capsys, real_process=False)

    assert code == cli.EXIT_REJECTED, err
    missing = [
        f"{where(row, column)}: /{message}/"
        for message, row, column in expected
        if not find_problem(err, name, message, row, column)
    ]
    assert not missing, f"problems not reported: {missing}\nstderr:\n{err}"
    assert snapshot(seeded_db) == before


def test_a_valid_file_imported_with_a_broken_one_is_not_written(seeded_db, tmp_path, capsys):
    good = tmp_path / "good_deals.csv"
    good.write_text(
        "deal_id,name,stage,amount,created_at\nG-1,Good deal,Prospecting,100,2024-03-01\n",
        encoding="utf-8",
    )
    before = snapshot(seeded_db)

    code, _, err = run_import([good, BAD / "unknown_stage.csv"], seeded_db, capsys, False)

    assert code == cli.EXIT_REJECTED, err
    assert find_problem(err, "unknown_stage.csv", "not a stage of pipeline", 3, "stage"), err
    assert "good_deals.csv," not in err, "the valid file has no problem to report"
    assert snapshot(seeded_db) == before


def _formula_cells() -> dict[str, dict[str, str]]:
    with (BAD / FORMULAS).open(encoding="utf-8", newline="") as fh:
        return {row["deal_id"]: row for row in csv.DictReader(fh)}


@pytest.mark.parametrize("column", ["name", "owner", "notes"])
def test_formula_looking_cells_are_stored_literally(column, seeded_db, capsys):
    """=HYPERLINK(...), +cmd, -2+3, @SUM(...): text like any other, never evaluated or refused."""
    cells = _formula_cells()
    assert any(v[column][:1] in "=+-@" for v in cells.values())

    code, out, err = run_import([BAD / FORMULAS], seeded_db, capsys, real_process=False)
    assert code == cli.EXIT_OK, err

    con = store.connect(seeded_db)
    try:
        ids = list(cells)
        if column == "notes":  # not a canonical column: kept in the deals' custom map
            rows = con.execute(
                "SELECT deal_id, custom['notes'] FROM deals WHERE list_contains(?, deal_id)",
                [ids],
            ).fetchall()
        else:
            rows = con.execute(
                f"SELECT deal_id, {column} FROM deals WHERE list_contains(?, deal_id)", [ids]
            ).fetchall()
    finally:
        con.close()
    stored = {deal_id: value for deal_id, value in rows}
    expected = {deal_id: row[column] for deal_id, row in cells.items()}
    assert stored == expected
    assert all(
        stored[k].encode("utf-8") == expected[k].encode("utf-8") for k in expected
    )  # byte-identical


def test_formula_file_imported_again_changes_nothing(seeded_db, capsys):
    assert run_import([BAD / FORMULAS], seeded_db, capsys, False)[0] == cli.EXIT_OK
    before = snapshot(seeded_db)

    code, out, err = run_import([BAD / FORMULAS], seeded_db, capsys, False)

    assert code == cli.EXIT_OK, err
    assert "already imported" in out
    assert snapshot(seeded_db) == before


def test_every_fixture_is_tested_and_described():
    """Each file of tests/fixtures/bad is in a table above and has a line in its README."""
    committed = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    tested = {name for name, *_ in BROKEN} | {name for name, _ in SEVERAL} | {FORMULAS}
    assert committed - tested == set(), "fixtures no test uses"
    assert tested - committed - set(GENERATED) == set(), "tested files missing from the folder"
    readme = README.read_text(encoding="utf-8")
    undocumented = sorted(n for n in committed | set(GENERATED) if f"`{n}`" not in readme)
    assert not undocumented, f"not described in {README.name}: {undocumented}"
    assert len({name for name, *_ in BROKEN}) >= 30
