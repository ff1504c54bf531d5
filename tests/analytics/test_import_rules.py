"""The import rules every CRM shares, each checked on its own tiny file written in tmp_path.

Encodings and delimiters, XLSX and Parquet, dates, amounts, outcomes, stages, mappings, kinds,
duplicates, data-quality notes, idempotence, snapshots, dry runs, row numbers, and the CLI.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from analytics import cli, store
from analytics.errors import ImportRejected, MappingError
from analytics.importer import import_files
from analytics.status import history_fidelity
from analytics.store import table_snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm"
TAKEN_AT = datetime(2024, 3, 1)
CANONICAL = (
    "deals", "stage_events", "deal_changes", "organizations", "contacts", "leads", "activities",
    "targets", "pipelines_stages",
)  # fmt: skip


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


def D(text: str) -> date:
    return date.fromisoformat(text)


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write(folder: Path, name: str, rows: list[list[str]], delimiter: str = ",", **kw) -> Path:
    path = folder / name
    path.write_text(csv_text(rows, delimiter), **kw)
    return path


def rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def rejected(con, files, **kwargs) -> list:
    """Return the problems of an import that must be refused (and check nothing was written)."""
    before = table_snapshot(con)
    with pytest.raises(ImportRejected) as exc:
        import_files(con, files, taken_at=TAKEN_AT, **kwargs)
    assert table_snapshot(con) == before
    return exc.value.problems


def canonical(con) -> dict[str, list[tuple]]:
    snap = table_snapshot(con)
    return {name: snap[name] for name in CANONICAL}


def deals(con, columns: str = "deal_id, stage, status, amount, created_at") -> list[tuple]:
    return rows(con, f"SELECT {columns} FROM deals ORDER BY deal_id")


def events(con) -> list[tuple]:
    return rows(
        con,
        "SELECT deal_id, stage, entered_at, source FROM stage_events "
        "ORDER BY deal_id, entered_at, stage",
    )


# --- encodings and delimiters -----------------------------------------------------------------

JAPANESE = [
    ["商談 ID", "商談名", "フェーズ", "金額", "作成日", "完了予定日", "所有者"],
    ["JP-1", "東京タワー改修", "Prospecting", "1,200,000", "2024/01/15", "2024/03/31", "山田 太郎"],
    ["JP-2", "大阪支社ネットワーク", "受注", "850000", "2024/01/20", "2024/02/28", "佐藤 花子"],
    ["JP-3", "名古屋工場センサー", "失注", "300000", "2024/02/01", "2024/03/10", "山田 太郎"],
]
JAPANESE_DEALS = [
    ("JP-1", "東京タワー改修", "Prospecting", "open", 1200000.0, "山田 太郎", T("2024-01-15 00:00"),
     D("2024-03-31"), None),
    ("JP-2", "大阪支社ネットワーク", "Won", "won", 850000.0, "佐藤 花子", T("2024-01-20 00:00"),
     D("2024-02-28"), T("2024-02-28 00:00")),
    ("JP-3", "名古屋工場センサー", "Lost", "lost", 300000.0, "山田 太郎", T("2024-02-01 00:00"),
     D("2024-03-10"), T("2024-03-10 00:00")),
]  # fmt: skip
JP_COLS = "deal_id, name, stage, status, amount, owner, created_at, expected_close_date, closed_at"


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline", "reported"),
    [
        ("utf-8", ",", "\n", "utf-8"),
        ("utf-8-sig", ",", "\r\n", "utf-8-sig"),
        # Excel's "Unicode text": UTF-16 little-endian with a BOM, tab-delimited, CRLF
        ("utf-16", "\t", "\r\n", "utf-16"),
        # Excel in Japan: Shift_JIS (CP932)
        ("cp932", ",", "\r\n", "cp932"),
    ],
)
def test_encodings_import_identical_rows(con, tmp_path, encoding, delimiter, newline, reported):
    text = csv_text(JAPANESE, delimiter).replace("\n", newline)
    path = tmp_path / "商談.csv"
    path.write_bytes(text.encode(encoding))
    result = import_files(con, [path], taken_at=TAKEN_AT)
    assert (result.files[0].kind, result.files[0].encoding) == ("deals", reported)
    assert deals(con, JP_COLS) == JAPANESE_DEALS


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_delimiters_are_sniffed(con, tmp_path, delimiter):
    path = write(tmp_path, "deals.csv", JAPANESE, delimiter, encoding="utf-8")
    import_files(con, [path], taken_at=TAKEN_AT)
    assert deals(con, JP_COLS) == JAPANESE_DEALS


def test_unsupported_encoding_is_reported_not_garbled(con, tmp_path):
    # Windows-1252 is none of the supported encodings: the user is told to save as UTF-8
    path = tmp_path / "deals.csv"
    path.write_bytes(
        "deal_id,name,stage,created_at\r\nG-1,Müller,Closing,2024-01-10\r\n".encode("cp1252")
    )
    problems = rejected(con, [path])
    assert [(p.file, p.row, p.column) for p in problems] == [("deals.csv", None, None)]
    assert "encoding" in problems[0].message and "UTF-8" in problems[0].message


# --- XLSX and Parquet -------------------------------------------------------------------------

TYPED_HEADER = ["deal_id", "name", "stage", "amount", "created_at", "expected_close_date"]
TYPED_CSV = [
    TYPED_HEADER,
    ["X-1", "Alpha", "Prospecting", "1200.5", "2024-01-15 09:30:00", "2024-03-31"],
    ["X-2", "Beta", "Won", "3000", "2024-01-20 00:00:00", "2024-02-28"],
    ["X-3", "Gamma", "Approach", "", "2024-02-01 14:00:00", ""],
]
TYPED_DEALS = [
    ("X-1", "Alpha", "Prospecting", "open", 1200.5, T("2024-01-15 09:30"), D("2024-03-31"), None),
    ("X-2", "Beta", "Won", "won", 3000.0, T("2024-01-20 00:00"), D("2024-02-28"),
     T("2024-02-28 00:00")),
    ("X-3", "Gamma", "Approach", "open", None, T("2024-02-01 14:00"), None, None),
]  # fmt: skip
TYPED_COLS = "deal_id, name, stage, status, amount, created_at, expected_close_date, closed_at"


def _xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(TYPED_HEADER)
    sheet.append(["X-1", "Alpha", "Prospecting", 1200.5, datetime(2024, 1, 15, 9, 30)])
    sheet["F2"] = date(2024, 3, 31)  # a date cell
    sheet.append(["X-2", "Beta", "Won", 3000, datetime(2024, 1, 20), date(2024, 2, 28)])
    sheet.append(["X-3", "Gamma", "Approach", None, datetime(2024, 2, 1, 14), None])
    book.save(path)
    return path


def _parquet(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "deal_id": pa.array(["X-1", "X-2", "X-3"]),
            "name": pa.array(["Alpha", "Beta", "Gamma"]),
            "stage": pa.array(["Prospecting", "Won", "Approach"]),
            "amount": pa.array([1200.5, 3000.0, None], type=pa.float64()),
            "created_at": pa.array(
                [datetime(2024, 1, 15, 9, 30), datetime(2024, 1, 20), datetime(2024, 2, 1, 14)],
                type=pa.timestamp("us"),
            ),
            "expected_close_date": pa.array(
                [date(2024, 3, 31), date(2024, 2, 28), None], type=pa.date32()
            ),
        }
    )
    pq.write_table(table, path)
    return path


def test_xlsx_and_parquet_import_the_same_rows_as_csv(new_store, tmp_path):
    tables = {}
    for name, make in (
        ("deals.csv", lambda p: write(tmp_path, p.name, TYPED_CSV)),
        ("deals.xlsx", _xlsx),
        ("deals.parquet", _parquet),
    ):
        con = new_store(name + ".duckdb")
        result = import_files(con, [make(tmp_path / name)], taken_at=TAKEN_AT)
        assert result.files[0].kind == "deals"
        assert deals(con, TYPED_COLS) == TYPED_DEALS, name
        tables[name] = (deals(con, "*"), events(con))
    assert tables["deals.xlsx"] == tables["deals.csv"]
    assert tables["deals.parquet"] == tables["deals.csv"]


def test_parquet_timestamps_with_a_time_zone_are_utc(con, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "deals.parquet"
    pq.write_table(
        pa.table(
            {
                "deal_id": ["Z-1"],
                "stage": ["Prospecting"],
                "created_at": pa.array(
                    [datetime.fromisoformat("2024-01-02T09:00:00+09:00")],
                    type=pa.timestamp("us", tz="Asia/Tokyo"),
                ),
            }
        ),
        path,
    )
    import_files(con, [path], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, created_at") == [("Z-1", T("2024-01-02 00:00"))]


# --- dates ------------------------------------------------------------------------------------


def _dates_file(folder: Path, created: list[str], closing: list[str] | None = None) -> Path:
    header = ["deal_id", "stage", "created_at"] + (["close_date"] if closing else [])
    body = [
        [f"D-{i}", "Prospecting", c] + ([closing[i - 1]] if closing else [])
        for i, c in enumerate(created, start=1)
    ]
    return write(folder, "dates.csv", [header, *body])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(["2024-01-15", "2024-01-15T09:30:00", "2024-01-15 09:30"],
                     ["2024-01-15 00:00", "2024-01-15 09:30", "2024-01-15 09:30"], id="iso"),
        pytest.param(["2024/01/15", "2024/1/5 09:30"], ["2024-01-15 00:00", "2024-01-05 09:30"],
                     id="ymd-slashes"),
        pytest.param(["13/01/2024", "02/03/2024"], ["2024-01-13 00:00", "2024-03-02 00:00"],
                     id="day-first-proven-by-13"),
        pytest.param(["01/13/2024", "02/03/2024"], ["2024-01-13 00:00", "2024-02-03 00:00"],
                     id="month-first-proven-by-13"),
        # A dash fifth and a year-like start, yet day-first: not read as ISO.
        pytest.param(["2-11-2024", "20-1-2024 10:30:00", "21-1-2024 10:45"],
                     ["2024-11-02 00:00", "2024-01-20 10:30", "2024-01-21 10:45"],
                     id="day-first-dashes"),
        pytest.param(["1-13-2024", "02-03-2024"], ["2024-01-13 00:00", "2024-02-03 00:00"],
                     id="month-first-proven-by-13-with-dashes"),
        pytest.param(["45306", "45306.5"], ["2024-01-15 00:00", "2024-01-15 12:00"],
                     id="excel-serial"),
        pytest.param(
            ["2024-01-02T09:00:00+09:00", "2024-01-02T09:00:00Z", "2024-01-02 09:00:00-05:00"],
            ["2024-01-02 00:00", "2024-01-02 09:00", "2024-01-02 14:00"],
            id="offsets-to-utc",
        ),
    ],
)  # fmt: skip
def test_date_formats(con, tmp_path, values, expected):
    import_files(con, [_dates_file(tmp_path, values)], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, created_at") == [
        (f"D-{i}", T(e)) for i, e in enumerate(expected, start=1)
    ]


def test_ambiguous_date_column_is_rejected_with_file_row_and_column(con, tmp_path):
    path = _dates_file(tmp_path, ["2024-01-15", "02/03/2024", "04/05/2024"])
    problems = rejected(con, [path])
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("dates.csv", 3, "created_at", "02/03/2024")
    ]
    assert "ambiguous" in problems[0].message and "--date-order" in problems[0].message


@pytest.mark.parametrize(
    ("order", "expected"),
    [("dmy", ["2024-03-02", "2024-05-04"]), ("mdy", ["2024-02-03", "2024-04-05"])],
)
def test_ambiguous_dates_resolved_by_date_order(con, tmp_path, order, expected):
    path = _dates_file(tmp_path, ["02/03/2024", "04/05/2024"])
    import_files(con, [path], date_order=order, taken_at=TAKEN_AT)
    assert deals(con, "deal_id, created_at") == [
        ("D-1", T(expected[0] + " 00:00")),
        ("D-2", T(expected[1] + " 00:00")),
    ]


def test_another_column_of_the_file_proves_the_day_first_order(con, tmp_path):
    # created_at alone is ambiguous; close_date 25/03/2024 can only be day-first
    path = _dates_file(tmp_path, ["02/03/2024", "04/05/2024"], ["25/03/2024", "06/07/2024"])
    import_files(con, [path], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, created_at, expected_close_date") == [
        ("D-1", T("2024-03-02 00:00"), D("2024-03-25")),
        ("D-2", T("2024-05-04 00:00"), D("2024-07-06")),
    ]


@pytest.mark.parametrize(
    "first",
    [
        # Every cell ISO: DuckDB reads the column as timestamps, and the years are checked there.
        pytest.param("2024-01-15 08:00:00", id="read-typed"),
        # One day-first cell keeps the column text, parsed by the importer's own SQL.
        pytest.param("15/01/2024", id="parsed-text"),
    ],
)
def test_dates_outside_the_years_1900_to_2200_are_problems(con, tmp_path, first):
    created = [first, "1899-12-31 23:59:59", "1900-01-01 00:00:00", "2200-12-31 23:59:59",
               "2201-01-01 00:00:00"]  # fmt: skip
    problems = rejected(con, [_dates_file(tmp_path, created)])
    assert [(p.row, p.column, p.value) for p in problems] == [
        (3, "created_at", "1899-12-31 23:59:59"),
        (6, "created_at", "2201-01-01 00:00:00"),
    ]


def _late_forms_file(folder: Path, late: list[str]) -> Path:
    """Write 1,000 deals created in one day-first form, then one deal per cell of late."""
    sampled = [f"{day % 28 + 1:02d}/{day % 12 + 1:02d}/2024 08:30" for day in range(1000)]
    return _dates_file(folder, sampled + late)


def test_dates_in_other_forms_past_the_sampled_rows_are_read(con, tmp_path):
    # The first rows make "%d/%m/%Y %H:%M" the column's fast format; later cells in other forms
    # must still be read as the general parser reads them.
    late = ["3/4/24", "2024-05-06 07:08:09", "45306.5", "2-11-2024", "7.8.2025 9:10"]
    import_files(con, [_late_forms_file(tmp_path, late)], taken_at=TAKEN_AT)
    got = rows(con, "SELECT created_at FROM deals WHERE CAST(substr(deal_id, 3) AS INT) > 1000 "
                    "ORDER BY CAST(substr(deal_id, 3) AS INT)")  # fmt: skip
    assert got == [
        (T("2024-04-03 00:00"),), (T("2024-05-06 07:08:09"),), (T("2024-01-15 12:00"),),
        (T("2024-11-02 00:00"),), (T("2025-08-07 09:10"),),
    ]  # fmt: skip
    assert rows(con, "SELECT created_at FROM deals WHERE deal_id = 'D-13'") == [
        (T("2024-01-13 08:30"),)
    ]


def test_a_year_outside_1900_to_2200_past_the_sampled_rows_is_a_problem(con, tmp_path):
    problems = rejected(con, [_late_forms_file(tmp_path, ["01/02/1850 08:30", "01/02/24 08:30"])])
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1002, "created_at", "01/02/1850 08:30")
    ]


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _rewritten_dates(folder: Path, name: str, date_form: str, stamp_form: str) -> Path:
    """Copy a sample file with its dates and timestamps written in the given strftime forms."""
    source, copy = SAMPLE / name, folder / name
    c = duckdb.connect()
    kinds = c.execute("SELECT column_name, column_type FROM (DESCRIBE FROM read_csv(?))",
                      [str(source)]).fetchall()  # fmt: skip
    forms = {"DATE": date_form, "TIMESTAMP": stamp_form}
    changed = [f'strftime("{n}", \'{forms[t]}\') AS "{n}"' for n, t in kinds if t in forms]
    select = f"* REPLACE ({', '.join(changed)})" if changed else "*"
    c.execute(f"COPY (SELECT {select} FROM read_csv('{source}')) TO '{copy}' (HEADER)")
    c.close()
    return copy


_REWRITTEN = ["pipelines.csv", "deals.csv", "deal_history.csv", "activities.csv"]


@pytest.fixture(scope="module")
def sample_as_written(tmp_path_factory) -> dict[str, list[tuple]]:
    """Return the canonical tables of a store holding the sample files as committed (ISO)."""
    con = store.connect(tmp_path_factory.mktemp("iso") / "iso.duckdb")
    import_files(con, [SAMPLE / n for n in _REWRITTEN], taken_at=TAKEN_AT)
    tables = canonical(con)
    con.close()
    return tables


@pytest.mark.parametrize(
    ("date_form", "stamp_form"),
    [
        pytest.param("%d/%m/%Y", "%d/%m/%Y %H:%M:%S", id="day-first"),
        pytest.param("%d.%m.%Y", "%d.%m.%Y %H:%M:%S", id="german"),
        pytest.param("%m/%d/%Y", "%m/%d/%Y %I:%M:%S %p", id="us-report"),
    ],
)
def test_the_sample_with_its_dates_in_another_form_imports_the_same_rows(
    con, tmp_path, sample_as_written, date_form, stamp_form
):
    files = [_rewritten_dates(tmp_path, n, date_form, stamp_form) for n in _REWRITTEN]
    import_files(con, files, taken_at=TAKEN_AT)
    assert canonical(con) == sample_as_written
    assert len(sample_as_written["deals"]) == 4000


def test_unreadable_date_is_a_problem(con, tmp_path):
    path = _dates_file(tmp_path, ["2024-01-15", "yesterday", "2024-02-30"])
    problems = rejected(con, [path])
    assert [(p.row, p.column, p.value) for p in problems] == [
        (3, "created_at", "yesterday"),
        (4, "created_at", "2024-02-30"),
    ]


# --- amounts ----------------------------------------------------------------------------------


def _amounts_file(folder: Path, amounts: list[str]) -> Path:
    body = [[f"A-{i}", "Prospecting", "2024-01-10", a] for i, a in enumerate(amounts, start=1)]
    return write(folder, "amounts.csv", [["deal_id", "stage", "created_at", "amount"], *body])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,234.50", 1234.5),
        ("1.234,50", 1234.5),
        ("¥1,000", 1000.0),
        ("€ 99", 99.0),
        ("£75", 75.0),
        ("1 234", 1234.0),
        ("12,5", 12.5),
        ("1.5E+05", 150000.0),
        ("12500", 12500.0),
        ("0", 0.0),
        ("99 €", 99.0),
        ("1\u00a0234,50 €", 1234.5),  # French Excel: no-break space as thousands separator
        ("￥1,000", 1000.0),
        ("1,000円", 1000.0),
        ("USD 1,200", 1200.0),
    ],
)
def test_amount_formats(con, tmp_path, text, value):
    import_files(con, [_amounts_file(tmp_path, [text])], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, amount") == [("A-1", value)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-5", "negative"),
        ("(5)", "negative"),
        ("abc", "not an amount"),
        ("NaN", "not an amount"),
        ("inf", "not an amount"),
    ],
)
def test_bad_amounts_are_rejected(con, tmp_path, text, words):
    problems = rejected(con, [_amounts_file(tmp_path, ["100", text])])
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("amounts.csv", 3, "amount", text)
    ]
    assert words in problems[0].message


def test_thousands_separator_is_decided_per_column(con, tmp_path):
    # "1.234,50" proves that this column writes "." between thousands: "12.000" is twelve
    # thousand, as the same exporter wrote it.
    path = _amounts_file(tmp_path, ["1.234,50", "12.000", "950,00"])
    import_files(con, [path], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, amount") == [("A-1", 1234.5), ("A-2", 12000.0), ("A-3", 950.0)]


def test_european_excel_file(con, tmp_path):
    # Excel with a German locale, saved as "CSV UTF-8": BOM, semicolons, day-first dates with
    # dots, decimal commas
    path = tmp_path / "Verkaufschancen.csv"
    path.write_bytes(
        "deal_id;name;stage;amount;created_at;close_date\r\n"
        "EU-1;Müller GmbH;Closing;1.234,50;15.01.2024 09:30;29.02.2024\r\n"
        "EU-2;Schäfer AG;Won;980,00;03.02.2024 14:00;05.03.2024\r\n".encode("utf-8-sig")
    )
    result = import_files(con, [path], taken_at=TAKEN_AT)
    assert result.files[0].kind == "deals"
    assert deals(con, "deal_id, name, stage, amount, created_at, expected_close_date") == [
        ("EU-1", "Müller GmbH", "Closing", 1234.5, T("2024-01-15 09:30"), D("2024-02-29")),
        ("EU-2", "Schäfer AG", "Won", 980.0, T("2024-02-03 14:00"), D("2024-03-05")),
    ]


# --- outcomes and status ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("Won", "won"),
        ("Closed Won", "won"),
        ("won", "won"),
        ("Closed-Won", "won"),
        ("Lost", "lost"),
        ("Closed Lost", "lost"),
        ("Closed-Lost to Competition", "lost"),
    ],
)
def test_outcome_in_the_stage_column(con, tmp_path, stage, status):
    path = write(
        tmp_path,
        "deals.csv",
        [
            ["deal_id", "stage", "created_at", "close_date"],
            ["O-1", stage, "2024-01-10 10:00:00", "2024-02-20"],
        ],
    )
    import_files(con, [path], taken_at=TAKEN_AT)
    outcome = status.capitalize()
    assert deals(con, "deal_id, pipeline, stage, status, closed_at") == [
        ("O-1", "Default", outcome, status, T("2024-02-20 00:00"))
    ]


def test_closed_deals_alone_get_first_stage_and_outcome_events(con, tmp_path):
    # Without history, events are derived from created_at (first stage) and closed_at
    # (outcome), also when no deal of the file is open.
    path = write(
        tmp_path,
        "closed.csv",
        [
            ["deal_id", "stage", "created_at", "close_date"],
            ["O-1", "Closed Won", "2024-01-10 10:00:00", "2024-02-20"],
            ["O-2", "Closed Lost", "2024-01-11 11:00:00", "2024-02-21"],
        ],
    )
    import_files(con, [path], taken_at=TAKEN_AT)
    assert events(con) == [
        ("O-1", "Prospecting", T("2024-01-10 10:00"), "derived"),
        ("O-1", "Won", T("2024-02-20 00:00"), "derived"),
        ("O-2", "Prospecting", T("2024-01-11 11:00"), "derived"),
        ("O-2", "Lost", T("2024-02-21 00:00"), "derived"),
    ]
    assert history_fidelity(con) == {"history": 0, "snapshot": 0, "derived": 2, "none": 0}


def test_status_column_open_won_lost(con, tmp_path):
    path = write(
        tmp_path,
        "deals.csv",
        [
            ["deal_id", "stage", "status", "created_at", "closed_at"],
            ["S-1", "Presentation", "open", "2024-01-10", ""],
            ["S-2", "Closing", "Won", "2024-01-11", "2024-02-01 15:00"],
            ["S-3", "Approach", "LOST", "2024-01-12", "2024-02-02 16:00"],
            ["S-4", "Won", "won", "2024-01-13", "2024-02-03 17:00"],
        ],
    )
    import_files(con, [path], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, stage, status, closed_at") == [
        ("S-1", "Presentation", "open", None),
        ("S-2", "Won", "won", T("2024-02-01 15:00")),
        ("S-3", "Lost", "lost", T("2024-02-02 16:00")),
        ("S-4", "Won", "won", T("2024-02-03 17:00")),
    ]


@pytest.mark.parametrize(
    ("stage", "status"), [("Won", "lost"), ("Closed Lost", "won"), ("Closed Won", "open")]
)
def test_status_contradicting_the_stage_is_a_problem(con, tmp_path, stage, status):
    path = write(
        tmp_path,
        "deals.csv",
        [
            ["deal_id", "stage", "status", "created_at"],
            ["C-1", "Closing", "open", "2024-01-10"],
            ["C-2", stage, status, "2024-01-11"],
        ],
    )
    problems = rejected(con, [path])
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("deals.csv", 3, "stage", stage)
    ]
    assert "contradicts" in problems[0].message


def test_unknown_status_is_a_problem(con, tmp_path):
    path = write(
        tmp_path,
        "deals.csv",
        [["deal_id", "stage", "status", "created_at"], ["U-1", "Closing", "maybe", "2024-01-10"]],
    )
    problems = rejected(con, [path])
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "status", "maybe")]


# The default lead status picklists of the CRMs, as their exports write them (HubSpot's API
# export writes its internal names).
LEAD_STATUSES = [
    # Salesforce
    ("Open - Not Contacted", "new"), ("Working - Contacted", "working"),
    ("Closed - Converted", "converted"), ("Closed - Not Converted", "disqualified"),
    # HubSpot
    ("New", "new"), ("Open", "new"), ("In Progress", "working"),
    ("Attempted to Contact", "working"), ("Connected", "working"), ("Open Deal", "converted"),
    ("Unqualified", "disqualified"), ("Bad Timing", "disqualified"),
    ("ATTEMPTED_TO_CONTACT", "working"), ("OPEN_DEAL", "converted"),
    ("BAD_TIMING", "disqualified"),
    # Zoho and Vtiger
    ("Not Contacted", "new"), ("Contacted", "working"), ("Contact in Future", "working"),
    ("Pre-Qualified", "working"), ("Pre Qualified", "working"), ("Qualified", "working"),
    ("Not Qualified", "disqualified"), ("Junk Lead", "disqualified"),
    ("Lost Lead", "disqualified"), ("Cold", "working"), ("Warm", "working"), ("Hot", "working"),
]  # fmt: skip


def test_the_lead_statuses_of_each_crm(con, tmp_path):
    path = write(
        tmp_path,
        "leads.csv",
        [["lead_id", "lead_status", "created_at"]]
        + [[f"L-{i:02}", text, "2024-01-02"] for i, (text, _) in enumerate(LEAD_STATUSES)],
    )
    import_files(con, [path], taken_at=TAKEN_AT)
    stored = rows(con, "SELECT status FROM leads ORDER BY lead_id")
    assert stored == [(status,) for _, status in LEAD_STATUSES]


def test_an_unknown_lead_status_is_a_problem(con, tmp_path):
    path = write(
        tmp_path,
        "leads.csv",
        [["lead_id", "lead_status", "created_at"], ["L-1", "Webinar", "2024-01-02"]],
    )
    problems = rejected(con, [path])
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "lead_status", "Webinar")]


# --- stages -----------------------------------------------------------------------------------

UNKNOWN_STAGES = [
    ["deal_id", "stage", "created_at"],
    ["K-1", "Discovery", "2024-01-10"],
    ["K-2", "demo", "2024-01-11"],
    ["K-3", "Discovery", "2024-01-12"],
    ["K-4", "Won", "2024-01-13"],
]


def test_unknown_stage_is_reported_with_how_to_declare_it(con, tmp_path):
    path = write(tmp_path, "deals.csv", UNKNOWN_STAGES)
    problems = rejected(con, [path])
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("deals.csv", 2, "stage", "Discovery"),
        ("deals.csv", 3, "stage", "demo"),
    ]
    assert '"Discovery"' in problems[0].message
    assert "--stages" in problems[0].message and "--pipeline" in problems[0].message


def test_declared_stages_import_the_same_file_case_insensitively(con, tmp_path):
    path = write(tmp_path, "deals.csv", UNKNOWN_STAGES)
    result = import_files(
        con, [path], pipeline="Sales", stages=["Discovery", "Demo", "Proposal"], taken_at=TAKEN_AT
    )
    assert result.declared_pipelines == {"Sales": ["Discovery", "Demo", "Proposal"]}
    assert deals(con, "deal_id, pipeline, stage, status") == [
        ("K-1", "Sales", "Discovery", "open"),
        ("K-2", "Sales", "Demo", "open"),  # "demo" matched case-insensitively
        ("K-3", "Sales", "Discovery", "open"),
        ("K-4", "Sales", "Won", "won"),
    ]
    assert rows(con, "SELECT pipeline, stage, position FROM pipelines_stages ORDER BY 3") == [
        ("Sales", "Discovery", 1),
        ("Sales", "Demo", 2),
        ("Sales", "Proposal", 3),
    ]


def test_stages_without_pipeline_is_a_mapping_error(con, tmp_path):
    path = write(tmp_path, "deals.csv", UNKNOWN_STAGES)
    with pytest.raises(MappingError):
        import_files(con, [path], stages=["Discovery", "Demo"], taken_at=TAKEN_AT)


# --- mappings and constants -------------------------------------------------------------------

NET_VALUE = [
    ["deal_id", "stage", "created_at", "amount", "Net Value"],
    ["M-1", "Closing", "2024-01-10", "1000", "850"],
    ["M-2", "Approach", "2024-01-11", "2000", "1700"],
]


def test_explicit_mapping_overrides_auto_detection(con, tmp_path):
    path = write(tmp_path, "deals.csv", NET_VALUE)
    result = import_files(con, [path], mapping={"amount": "Net Value"}, taken_at=TAKEN_AT)
    assert result.files[0].mapping["amount"] == "Net Value"
    assert deals(con, "deal_id, amount") == [("M-1", 850.0), ("M-2", 1700.0)]


def test_constant_fills_a_missing_column(con, tmp_path):
    path = write(
        tmp_path,
        "won.csv",
        [["deal_id", "stage", "created_at", "close_date"], ["W-1", "Closing", "2024-01-10",
                                                             "2024-02-15"]],
    )  # fmt: skip
    result = import_files(con, [path], constants={"status": "won"}, taken_at=TAKEN_AT)
    assert result.files[0].mapping["status"] == "= 'won'"
    assert deals(con, "deal_id, stage, status, closed_at") == [
        ("W-1", "Won", "won", T("2024-02-15 00:00"))
    ]


def test_mapping_a_column_the_file_lacks_is_a_problem(con, tmp_path):
    path = write(tmp_path, "deals.csv", NET_VALUE)
    problems = rejected(con, [path], mapping={"amount": "Revenue"})
    assert [(p.file, p.column) for p in problems] == [("deals.csv", "Revenue")]
    assert "Revenue" in problems[0].message


@pytest.mark.parametrize("kind", [None, "deals"])
def test_mapping_to_an_unknown_canonical_column_is_a_mapping_error(con, tmp_path, kind):
    path = write(tmp_path, "deals.csv", NET_VALUE)
    with pytest.raises(MappingError):
        import_files(con, [path], kind=kind, mapping={"net_amount": "Net Value"})


def test_missing_required_column_is_a_problem(con, tmp_path):
    path = write(tmp_path, "deals.csv", [["deal_id", "stage"], ["R-1", "Closing"]])
    problems = rejected(con, [path], kind="deals")
    assert [(p.file, p.row, p.column) for p in problems] == [("deals.csv", 1, "created_at")]


# Cells the user gives a meaning (--value): a CRM's own lead status, a stage renamed since, a
# "no value" marker. Compared trimmed and in any case.
LEADS_OWN_WORDS = [
    ["lead_id", "lead_status", "created_at"],
    ["V-1", "Webinar", "2024-01-02"],
    ["V-2", " webinar ", "2024-01-03"],
    ["V-3", "New", "2024-01-04"],
    ["V-4", "Spam", "2024-01-05"],
]


def test_values_give_a_crms_own_words_their_meaning(con, tmp_path):
    path = write(tmp_path, "leads.csv", LEADS_OWN_WORDS)
    assert [p.value for p in rejected(con, [path])] == ["Webinar", "webinar", "Spam"]

    values = {"status": {"WEBINAR": "working", "Spam": "disqualified"}}
    result = import_files(con, [path], values=values, taken_at=TAKEN_AT)

    assert result.files[0].mapping["status"] == (
        "lead_status (values replaced: 'WEBINAR' -> 'working' (2 rows), 'Spam' -> "
        "'disqualified' (1 row))"
    )
    assert rows(con, "SELECT lead_id, status FROM leads ORDER BY lead_id") == [
        ("V-1", "working"), ("V-2", "working"), ("V-3", "new"), ("V-4", "disqualified"),
    ]  # fmt: skip
    # Other replacements are another import of the file: it is read again, not skipped.
    import_files(con, [path], values={"status": {"webinar": "new", "spam": "new"}},
                 taken_at=TAKEN_AT)  # fmt: skip
    assert rows(con, "SELECT DISTINCT status FROM leads") == [("new",)]


def test_values_merge_a_renamed_stage_in_deals_and_history(con, tmp_path):
    deals_file = write(tmp_path, "deals.csv", [
        ["deal_id", "stage", "created_at", "expected_close_date"],
        ["S-1", "Demo Scheduled", "2024-01-02", "2024-03-01"],
        ["S-2", "Demo", "2024-01-03", "n/a"],
    ])  # fmt: skip
    history = write(tmp_path, "history.csv", [
        ["deal_id", "stage", "entered_at"],
        ["S-1", "Lead", "2024-01-02"], ["S-1", "Demo Scheduled", "2024-01-10"],
        ["S-2", "Lead", "2024-01-03"], ["S-2", "Demo", "2024-01-12"],
    ])  # fmt: skip
    values = {"stage": {"demo scheduled": "Demo"}, "expected_close_date": {"N/A": ""}}

    import_files(con, [deals_file, history], pipeline="Sales", stages=["Lead", "Demo"],
                 values=values, taken_at=TAKEN_AT)  # fmt: skip

    assert deals(con, "deal_id, stage, expected_close_date") == [
        ("S-1", "Demo", D("2024-03-01")), ("S-2", "Demo", None),
    ]  # fmt: skip
    assert events(con) == [
        ("S-1", "Lead", T("2024-01-02 00:00"), "history"),
        ("S-1", "Demo", T("2024-01-10 00:00"), "history"),
        ("S-2", "Lead", T("2024-01-03 00:00"), "history"),
        ("S-2", "Demo", T("2024-01-12 00:00"), "history"),
    ]


def test_a_replaced_value_is_checked_like_any_other(con, tmp_path):
    path = write(tmp_path, "leads.csv", LEADS_OWN_WORDS)
    values = {"status": {"webinar": "working", "spam": "pending"}}
    problems = rejected(con, [path], values=values)
    assert [(p.row, p.column, p.value) for p in problems] == [(5, "lead_status", "pending")]


def test_values_of_columns_the_reader_types_are_replaced_as_written(con, tmp_path):
    # ISO dates and plain numbers are read typed straight from the file, unless replaced.
    path = write(tmp_path, "deals.csv", [
        ["deal_id", "stage", "created_at", "amount"],
        ["T-1", "Closing", "2024-01-05", "100.5"],
        ["T-2", "Closing", "2024-01-06", "200"],
    ])  # fmt: skip
    values = {"amount": {"100.5": "111"}, "created_at": {"2024-01-05": "2023-12-31"}}
    import_files(con, [path], values=values, taken_at=TAKEN_AT)
    assert deals(con, "deal_id, created_at, amount") == [
        ("T-1", T("2023-12-31 00:00"), 111.0), ("T-2", T("2024-01-06 00:00"), 200.0),
    ]  # fmt: skip


def test_values_apply_to_stages_named_in_headers_and_to_joined_names(con, tmp_path):
    hubspot = write(tmp_path, "deals.csv", [
        ["Record ID", "Deal Name", "Pipeline", "Deal Stage", "Create Date",
         'Date entered "Lead (Sales)"', 'Date entered "Demo Scheduled (Sales)"'],
        ["H-1", "One", "Sales", "Demo Scheduled", "2024-01-02", "2024-01-02", "2024-01-09"],
    ])  # fmt: skip
    import_files(con, [hubspot], pipeline="Sales", stages=["Lead", "Demo"], kind="deals",
                 values={"stage": {"Demo Scheduled": "Demo"}}, taken_at=TAKEN_AT)  # fmt: skip
    assert deals(con, "deal_id, stage") == [("H-1", "Demo")]
    assert [(e[1], e[2]) for e in events(con)] == [
        ("Lead", T("2024-01-02 00:00")), ("Demo", T("2024-01-09 00:00")),
    ]  # fmt: skip

    contacts = write(tmp_path, "contacts.csv", [
        ["contact_id", "first_name", "last_name", "email"],
        ["C-1", "Ann", "Smith", "ann@example.com"],
    ])  # fmt: skip
    import_files(con, [contacts], values={"name": {"ann smith": "Anne Smith"}},
                 taken_at=TAKEN_AT)  # fmt: skip
    assert rows(con, "SELECT contact_id, name FROM contacts") == [("C-1", "Anne Smith")]


def test_values_are_compared_as_duckdb_compares_cells(con, tmp_path):
    # Python and DuckDB lower-case some letters differently (İ, final Σ): the cells decide. A
    # value given in two spellings keeps the one given last and adds no row.
    path = write(tmp_path, "leads.csv", [
        ["lead_id", "lead_status", "created_at"],
        ["U-1", "İlgili", "2024-01-02"], ["U-2", "ΝΕΟΣ", "2024-01-03"],
        ["U-3", "Webinar", "2024-01-04"],
    ])  # fmt: skip
    values = {"status": {"İlgili": "working", "ΝΕΟΣ": "new", "Webinar": "new",
                         "WEBINAR": "working", "Fair": "working"}}  # fmt: skip
    result = import_files(con, [path], values=values, taken_at=TAKEN_AT)
    assert rows(con, "SELECT lead_id, status FROM leads ORDER BY lead_id") == [
        ("U-1", "working"), ("U-2", "new"), ("U-3", "working"),
    ]  # fmt: skip
    assert result.files[0].mapping["status"].endswith("'Fair' -> 'working' (in no row))")


def test_values_of_a_column_set_to_one_value_are_a_mapping_error(con, tmp_path):
    path = write(tmp_path, "leads.csv", LEADS_OWN_WORDS)
    with pytest.raises(MappingError, match="--set gives status one value"):
        import_files(con, [path], constants={"status": "new"}, values={"status": {"a": "b"}})


@pytest.mark.parametrize(("kind", "column"), [(None, "colour"), ("leads", "stage")])
def test_values_of_an_unknown_column_are_a_mapping_error(con, tmp_path, kind, column):
    path = write(tmp_path, "leads.csv", LEADS_OWN_WORDS)
    with pytest.raises(MappingError, match=f"--value {column}"):
        import_files(con, [path], kind=kind, values={column: {"a": "b"}})


# --- kinds ------------------------------------------------------------------------------------

KIND_FILES = {
    "pipelines": [["pipeline", "stage", "position"], ["P", "First", "1"]],
    "organizations": [["organization_id", "name", "industry"], ["O-1", "Oak", "Retail"]],
    "contacts": [["contact_id", "name", "email"], ["C-1", "Ann", "ann@example.com"]],
    "leads": [["lead_id", "lead_status", "created_at"], ["L-1", "New", "2024-01-02"]],
    "deals": [["deal_id", "stage", "created_at"], ["D-1", "Closing", "2024-01-02"]],
    "stage_events": [["deal_id", "stage", "entered_at"], ["D-1", "Closing", "2024-01-02"]],
    "activities": [["activity_id", "type", "subject"], ["A-1", "Call", "Hello"]],
    "targets": [
        ["scope", "metric", "period_start", "period_end", "target_value"],
        ["company", "won_count", "2024-01-01", "2024-03-31", "10"],
    ],
}


@pytest.mark.parametrize("kind", list(KIND_FILES))
def test_kind_is_guessed_from_the_headers(con, tmp_path, kind):
    path = write(tmp_path, f"{kind}_file.csv", KIND_FILES[kind])
    result = import_files(con, [path], dry_run=True, taken_at=TAKEN_AT)
    assert (result.files[0].kind, result.files[0].preset) == (kind, "generic")


def test_kind_forces_the_table(con, tmp_path):
    path = write(tmp_path, "people.csv", [["id", "name", "email"], ["X-1", "Oak Ltd", "o@x.io"]])
    assert import_files(con, [path], dry_run=True).files[0].kind == "contacts"
    result = import_files(con, [path], kind="organizations", taken_at=TAKEN_AT)
    assert result.files[0].kind == "organizations"
    assert rows(con, "SELECT organization_id, name FROM organizations") == [("X-1", "Oak Ltd")]
    assert rows(con, "SELECT count(*) FROM contacts") == [(0,)]


# --- duplicates -------------------------------------------------------------------------------


def test_identical_duplicate_rows_are_merged_with_a_note(con, tmp_path):
    path = write(
        tmp_path,
        "deals.csv",
        [
            ["deal_id", "stage", "created_at", "amount"],
            ["P-1", "Closing", "2024-01-10", "100"],
            ["P-2", "Approach", "2024-01-11", "200"],
            ["P-1", "Closing", "2024-01-10", "100"],
        ],
    )
    result = import_files(con, [path], taken_at=TAKEN_AT)
    assert deals(con, "deal_id, amount") == [("P-1", 100.0), ("P-2", 200.0)]
    merged = [n for n in result.notes if "merged" in n.message]
    assert [(n.column, n.count, n.rows) for n in merged] == [("deal_id", 1, (4,))]


def test_conflicting_duplicates_are_a_problem_listing_both_rows(con, tmp_path):
    path = write(
        tmp_path,
        "deals.csv",
        [
            ["deal_id", "stage", "created_at", "amount"],
            ["P-1", "Closing", "2024-01-10", "100"],
            ["P-2", "Approach", "2024-01-11", "200"],
            ["P-1", "Closing", "2024-01-10", "150"],
        ],
    )
    problems = rejected(con, [path])
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("deals.csv", 4, "deal_id", "P-1")
    ]
    assert "rows 2, 4" in problems[0].message


def test_conflicting_duplicates_across_files_of_one_import_are_a_problem(con, tmp_path):
    # "duplicate IDs with conflicting content inside one import" refuse the import
    header = ["deal_id", "stage", "created_at", "amount"]
    first = write(tmp_path, "deals_a.csv", [header, ["X-1", "Closing", "2024-01-10", "100"]])
    second = write(tmp_path, "deals_b.csv", [header, ["X-1", "Approach", "2024-01-10", "150"]])
    problems = rejected(con, [first, second])
    assert [(p.column, p.value) for p in problems] == [("deal_id", "X-1")]
    assert "deals_a.csv" in str(problems[0]) and "deals_b.csv" in str(problems[0])


# --- data-quality notes -----------------------------------------------------------------------


def test_data_quality_notes_are_not_errors(con, tmp_path):
    path = write(
        tmp_path,
        "deals.csv",
        [
            ["deal_id", "stage", "created_at", "closed_at", "amount", "owner", "organization_id"],
            ["Q-1", "Won", "2024-02-10", "2024-02-01", "100", "Ann", "ORG-1"],
            ["Q-2", "Closing", "2024-01-11", "", "", "", "ORG-404"],
            ["Q-3", "Approach", "2024-01-12", "", "", "Bob", ""],
        ],
    )
    orgs = write(tmp_path, "orgs.csv", [["organization_id", "name"], ["ORG-1", "Oak"]])
    result = import_files(con, [orgs, path], taken_at=TAKEN_AT)
    notes = sorted(
        (n.column, n.count, n.rows, n.message) for n in result.notes if n.file == "deals.csv"
    )
    assert notes == [
        ("amount", 2, (), "rows have no value"),
        ("closed_at", 1, (2,),
         "closed deals close before they were created (kept; left out of durations)"),
        ("organization_id", 1, (), "rows have no value"),
        ("organization_id", 1, (3,),
         "rows refer to organizations that are not loaded (kept; they link up when those "
         "are imported)"),
        ("owner", 1, (), "rows have no value"),
    ]  # fmt: skip
    assert deals(con, "deal_id, status, closed_at, organization_id") == [
        ("Q-1", "won", T("2024-02-01 00:00"), "ORG-1"),
        ("Q-2", "open", None, "ORG-404"),
        ("Q-3", "open", None, None),
    ]


def test_activity_without_type_is_recorded_as_a_task_with_a_note(con, tmp_path):
    path = write(
        tmp_path,
        "activities.csv",
        [
            ["activity_id", "type", "subject", "due_date"],
            ["A-1", "Call", "Intro", "2024-01-10"],
            ["A-2", "", "Untyped", "2024-01-11"],
        ],
    )
    result = import_files(con, [path], taken_at=TAKEN_AT)
    assert rows(con, "SELECT activity_id, type FROM activities ORDER BY 1") == [
        ("A-1", "call"),
        ("A-2", "task"),
    ]
    assert [(n.column, n.count, n.rows) for n in result.notes if "no type" in n.message] == [
        ("type", 1, (3,))
    ]


def test_contacts_referring_to_unloaded_organizations_are_noted(con, tmp_path):
    path = write(
        tmp_path,
        "contacts.csv",
        [
            ["contact_id", "organization_id", "name", "email"],
            ["C-1", "ORG-1", "Ann", "ann@oak.example"],
            ["C-2", "ORG-404", "Bob", "bob@elm.example"],
        ],
    )
    orgs = write(tmp_path, "orgs.csv", [["organization_id", "name"], ["ORG-1", "Oak"]])
    result = import_files(con, [orgs, path], taken_at=TAKEN_AT)
    assert rows(con, "SELECT contact_id, organization_id FROM contacts ORDER BY 1") == [
        ("C-1", "ORG-1"),
        ("C-2", "ORG-404"),
    ]
    noted = [(n.file, n.column, n.count, n.rows) for n in result.notes if "not loaded" in n.message]
    assert noted == [("contacts.csv", "organization_id", 1, (3,))]


HISTORY = [
    ["deal_id", "stage", "entered_at"],
    ["H-1", "Prospecting", "2024-01-02 09:00"],
    ["H-1", "Approach", "2024-01-09 09:00"],
    ["H-1", "Won", "2024-01-20 17:00"],
    ["H-2", "Prospecting", "2024-01-05 10:00"],
]
HISTORY_DEALS = [
    ["deal_id", "stage", "created_at", "closed_at"],
    ["H-1", "Won", "2024-01-02 09:00", "2024-01-20 17:00"],
    ["H-2", "Prospecting", "2024-01-05 10:00", ""],
]


def test_history_imported_before_its_deals_links_up(con, tmp_path):
    history = write(tmp_path, "history.csv", HISTORY)
    result = import_files(con, [history], taken_at=TAKEN_AT)
    assert result.files[0].kind == "stage_events"
    assert [(n.column, n.count) for n in result.notes if "not loaded" in n.message] == [
        ("deal_id", 4)
    ]
    import_files(con, [write(tmp_path, "deals.csv", HISTORY_DEALS)], taken_at=TAKEN_AT)
    assert events(con) == [
        ("H-1", "Prospecting", T("2024-01-02 09:00"), "history"),
        ("H-1", "Approach", T("2024-01-09 09:00"), "history"),
        ("H-1", "Won", T("2024-01-20 17:00"), "history"),
        ("H-2", "Prospecting", T("2024-01-05 10:00"), "history"),
    ]
    assert history_fidelity(con) == {"history": 2, "snapshot": 0, "derived": 0, "none": 0}


# --- idempotence ------------------------------------------------------------------------------

GENERIC = ["pipelines.csv", "organizations.csv", "contacts.csv", "leads.csv", "deals.csv",
           "activities.csv", "targets.csv"]  # fmt: skip


def test_importing_the_same_files_twice_changes_nothing(con):
    files = [FIXTURES / "generic" / n for n in GENERIC] + [
        FIXTURES / "salesforce" / "data_export" / n
        for n in ("Opportunity.csv", "OpportunityHistory.csv", "Account.csv", "Task.csv")
    ]
    first = import_files(con, files, taken_at=TAKEN_AT)
    assert not any(f.skipped for f in first.files)
    before = table_snapshot(con)
    again = import_files(con, files, taken_at=TAKEN_AT)
    assert table_snapshot(con) == before
    assert [f.skipped for f in again.files] == [True] * len(files)


def test_same_content_under_another_name_changes_no_canonical_table(con, tmp_path):
    original = FIXTURES / "generic" / "sales_pipeline.csv"
    import_files(con, [original], taken_at=TAKEN_AT)
    before = canonical(con)
    copy = shutil.copy(original, tmp_path / "sales_pipeline_copy.csv")
    import_files(con, [copy], taken_at=TAKEN_AT)
    assert canonical(con) == before


def test_same_rows_with_columns_reordered_change_no_canonical_table(con, tmp_path):
    original = FIXTURES / "generic" / "sales_pipeline.csv"
    import_files(con, [original], taken_at=TAKEN_AT)
    before = canonical(con)
    table = list(csv.reader(original.open(encoding="utf-8")))
    reordered = [list(reversed(r)) for r in table]
    import_files(con, [write(tmp_path, "reordered.csv", reordered)], taken_at=datetime(2024, 3, 2))
    assert canonical(con) == before


def test_reimport_with_different_content_updates_by_id(con, tmp_path):
    header = ["deal_id", "stage", "created_at", "amount"]
    first = write(tmp_path, "a.csv", [header, ["I-1", "Approach", "2024-01-10", "100"]])
    import_files(con, [first], taken_at=TAKEN_AT)
    second = write(tmp_path, "b.csv", [header, ["I-1", "Approach", "2024-01-10", "120"]])
    result = import_files(con, [second], taken_at=TAKEN_AT)
    assert result.changes["deals_updated"] == 1 and result.changes["deals_inserted"] == 0
    assert deals(con, "deal_id, amount") == [("I-1", 120.0)]


# --- snapshots --------------------------------------------------------------------------------

SNAP_HEADER = ["deal_id", "name", "stage", "amount", "created_at", "close_date"]


def test_successive_exports_become_snapshot_history(con, tmp_path):
    jan = write(
        tmp_path,
        "deals_2024-01-01.csv",
        [
            SNAP_HEADER,
            ["S-1", "moves on", "Prospecting", "1000", "2023-12-01", "2024-03-31"],
            ["S-2", "is won", "Presentation", "2000", "2023-12-02", "2024-01-25"],
            ["S-3", "slips", "Approach", "1000", "2023-12-03", "2024-03-31"],
            ["S-5", "stays", "Closing", "500", "2023-12-05", "2024-02-29"],
        ],
    )
    feb = write(
        tmp_path,
        "deals_2024-02-01.csv",
        [
            SNAP_HEADER,
            ["S-1", "moves on", "Approach", "1000", "2023-12-01", "2024-03-31"],
            ["S-2", "is won", "Won", "2000", "2023-12-02", "2024-01-25"],
            ["S-3", "slips", "Approach", "1500", "2023-12-03", "2024-04-30"],
            ["S-4", "is new", "Prospecting", "800", "2024-01-15", "2024-05-31"],
            ["S-5", "stays", "Closing", "500", "2023-12-05", "2024-02-29"],
        ],
    )
    import_files(con, [jan])  # taken at the date in the file name
    result = import_files(con, [feb])
    assert result.changes["deals_stage_changes"] == 2
    assert result.changes["deals_field_changes"] == 1
    assert events(con) == [
        ("S-1", "Prospecting", T("2023-12-01 00:00"), "derived"),
        ("S-1", "Approach", T("2024-02-01 00:00"), "snapshot"),
        ("S-2", "Presentation", T("2023-12-02 00:00"), "derived"),
        ("S-2", "Won", T("2024-01-25 00:00"), "snapshot"),  # at its close date
        ("S-3", "Approach", T("2023-12-03 00:00"), "derived"),
        ("S-4", "Prospecting", T("2024-01-15 00:00"), "derived"),
        ("S-5", "Closing", T("2023-12-05 00:00"), "derived"),
    ]
    assert rows(con, "SELECT * FROM deal_changes ORDER BY deal_id, field") == [
        ("S-3", "amount", "1000.0", "1500.0", T("2024-02-01 00:00")),
        ("S-3", "expected_close_date", "2024-03-31", "2024-04-30", T("2024-02-01 00:00")),
    ]
    assert rows(con, "SELECT snapshot_id, taken_at, source_file, row_count FROM snapshots "
                     "ORDER BY 1") == [
        (1, T("2024-01-01 00:00"), "deals_2024-01-01.csv", 4),
        (2, T("2024-02-01 00:00"), "deals_2024-02-01.csv", 5),
    ]  # fmt: skip
    assert deals(con, "deal_id, stage, status, amount") == [
        ("S-1", "Approach", "open", 1000.0),
        ("S-2", "Won", "won", 2000.0),
        ("S-3", "Approach", "open", 1500.0),
        ("S-4", "Prospecting", "open", 800.0),
        ("S-5", "Closing", "open", 500.0),
    ]
    assert history_fidelity(con) == {"history": 0, "snapshot": 2, "derived": 3, "none": 0}


def test_snapshot_event_uses_the_exports_last_stage_change_date(con, tmp_path):
    header = ["deal_id", "stage", "created_at", "last_stage_change"]
    jan = [header, ["L-1", "Prospecting", "2023-12-01", "2023-12-01"]]
    feb = [header, ["L-1", "Presentation", "2023-12-01", "2024-01-17 11:00"]]
    jan = write(tmp_path, "deals_2024-01-01.csv", jan)
    feb = write(tmp_path, "deals_2024-02-01.csv", feb)
    import_files(con, [jan])
    import_files(con, [feb])
    assert events(con) == [
        ("L-1", "Prospecting", T("2023-12-01 00:00"), "derived"),
        ("L-1", "Presentation", T("2024-01-17 11:00"), "snapshot"),
    ]


def test_an_older_export_imported_after_a_newer_one_does_not_roll_deals_back(con, tmp_path):
    # Exports arrive in any order: the deals keep the state of the newest export.
    header = ["deal_id", "stage", "created_at", "amount", "close_date"]
    jan = [header, ["B-1", "Prospecting", "2023-12-01", "1000", "2024-03-31"]]
    feb = [header, ["B-1", "Approach", "2023-12-01", "1500", "2024-04-30"]]
    jan = write(tmp_path, "deals_2024-01-01.csv", jan)
    feb = write(tmp_path, "deals_2024-02-01.csv", feb)
    import_files(con, [feb])
    import_files(con, [jan])
    assert deals(con, "deal_id, stage, amount, expected_close_date") == [
        ("B-1", "Approach", 1500.0, D("2024-04-30"))
    ]
    assert rows(con, "SELECT taken_at, source_file FROM snapshots ORDER BY taken_at") == [
        (T("2024-01-01 00:00"), "deals_2024-01-01.csv"),
        (T("2024-02-01 00:00"), "deals_2024-02-01.csv"),
    ]


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_writes_nothing_but_returns_mapping_and_notes(con):
    files = [FIXTURES / "salesforce" / "data_export" / "Opportunity.csv"]
    before = table_snapshot(con)
    result = import_files(con, files, dry_run=True, taken_at=TAKEN_AT)
    assert table_snapshot(con) == before
    assert result.written is False
    report = result.files[0]
    assert (report.kind, report.preset, report.rows) == ("deals", "salesforce", 7)
    assert report.mapping["stage"] == "StageName"
    assert any("deleted deals were skipped" in n.message for n in result.notes)


# --- row numbers ------------------------------------------------------------------------------

ROW_HEADER = "deal_id,stage,created_at,amount,name\n"
GOOD = ["R-1,Closing,2024-01-01,1,a\n", "R-2,Closing,2024-01-01,2,b\n",
        "R-3,Closing,2024-01-01,3,c\n", "R-4,Closing,2024-01-01,4,d\n"]  # fmt: skip
BAD = "R-5,Closing,2024-01-01,-5,e\n"


@pytest.mark.parametrize(
    ("lines", "row"),
    [
        # header is row 1: the 5th data row is row 6
        pytest.param(GOOD + [BAD], 6, id="plain"),
        # a blank line is a row of its own, as a spreadsheet shows the file: the bad row is 7
        pytest.param(GOOD[:2] + ["\n"] + GOOD[2:] + [BAD], 7, id="blank-line-before"),
        # a quoted field with an embedded newline stays one row (one record, two lines)
        pytest.param(['R-1,Closing,2024-01-01,1,"two\nlines"\n'] + GOOD[1:] + [BAD], 6,
                     id="embedded-newline"),
    ],
)  # fmt: skip
def test_problem_rows_are_spreadsheet_rows(con, tmp_path, lines, row):
    path = tmp_path / "rows.csv"
    path.write_text(ROW_HEADER + "".join(lines), encoding="utf-8")
    problems = rejected(con, [path])
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("rows.csv", row, "amount", "-5")
    ]


BROKEN = "R-2,Closing,2024-01-01,2,b,extra\n"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # A row with a field too many is left out of the rows read: the rows after it keep
        # their spreadsheet numbers, after a cell of two lines as after blank lines.
        pytest.param(['R-1,Closing,2024-01-01,1,"two\nlines"\n', BROKEN, GOOD[2], BAD],
                     [(3, None, BROKEN.strip()), (5, "amount", "-5")], id="embedded-newline"),
        pytest.param([GOOD[0], "\n", BROKEN, GOOD[2], "\n", BAD],
                     [(4, None, BROKEN.strip()), (7, "amount", "-5")], id="blank-lines"),
    ],
)  # fmt: skip
def test_rows_after_a_broken_row_keep_their_spreadsheet_rows(con, tmp_path, lines, expected):
    path = tmp_path / "rows.csv"
    path.write_text(ROW_HEADER + "".join(lines), encoding="utf-8")
    problems = rejected(con, [path])
    assert [(p.row, p.column, p.value) for p in problems] == expected


def test_xlsx_problem_rows_are_sheet_rows(con, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["deal_id", "stage", "created_at", "amount"])
    sheet.append(["R-1", "Closing", "2024-01-01", 1])
    sheet.append([None, None, None, None])  # an empty sheet row
    sheet.append(["R-2", "Closing", "2024-01-01", -5])
    book.save(tmp_path / "rows.xlsx")
    problems = rejected(con, [tmp_path / "rows.xlsx"])
    assert [(p.row, p.column) for p in problems] == [(4, "amount")]


# --- the command line -------------------------------------------------------------------------


def run_cli(argv: list[str]) -> int:
    """Return the exit code of the CLI, whether main returns it or argparse exits with it."""
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return exc.code


def test_cli_import_succeeds(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    path = FIXTURES / "generic" / "sales_pipeline.csv"
    assert run_cli(["import", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Imported sales_pipeline.csv: 5 rows as deals (preset generic" in out


def test_cli_rejection_prints_every_problem_and_exits_1(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    path = _amounts_file(tmp_path, ["100", "-5", "abc"])
    assert run_cli(["import", str(path), "--db", db]) == 1
    err = capsys.readouterr().err
    assert 'amounts.csv, row 3, column "amount": negative values are not allowed' in err
    assert 'amounts.csv, row 4, column "amount": not an amount' in err
    assert "The database was not changed." in err


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(["--kind", "opportunities"], id="unknown-kind"),
        pytest.param(["--map", "amount"], id="malformed-map"),
        pytest.param(["--stages", "A,B"], id="stages-without-pipeline"),
        pytest.param(["--map", "net_amount=close_value"], id="unknown-canonical"),
        pytest.param(["--value", "status=won"], id="value-without-column"),
        pytest.param(["--value", "status:won"], id="value-without-replacement"),
        pytest.param(["--value", "colour:red=blue"], id="value-of-an-unknown-column"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path, capsys, extra):
    db = str(tmp_path / "cli.duckdb")
    path = FIXTURES / "generic" / "sales_pipeline.csv"
    assert run_cli(["import", str(path), "--db", db, *extra]) == 2
    assert "error" in capsys.readouterr().err
