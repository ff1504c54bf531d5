"""The SQL cell parsers, checked value by value against what a person reads in the cell."""

from datetime import datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import parsing


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def run(con, expr_builder, value, *args):
    return con.execute(
        f"SELECT {expr_builder('v', *args)} FROM (SELECT ?::VARCHAR AS v)", [value]
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-05", None, datetime(2024, 3, 5)),
        ("2024-03-05 14:30:00", None, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05T14:30:00Z", None, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05T09:00:00+09:00", None, datetime(2024, 3, 5, 0, 0)),
        ("2024-03-05 09:00:00 UTC", None, datetime(2024, 3, 5, 9, 0)),
        ("2024-3-5", None, datetime(2024, 3, 5)),
        ("2024-03-05T14:30:00.250", None, datetime(2024, 3, 5, 14, 30, 0, 250000)),
        ("2024/03/05", None, datetime(2024, 3, 5)),
        ("2024/3/5 8:05", None, datetime(2024, 3, 5, 8, 5)),
        ("2024年3月5日", None, datetime(2024, 3, 5)),
        ("05/03/2024", "dmy", datetime(2024, 3, 5)),
        ("05/03/2024", "mdy", datetime(2024, 5, 3)),
        ("25/12/2024 17:45", "dmy", datetime(2024, 12, 25, 17, 45)),
        # Salesforce's Australian and Indian locales: day-first with a 12-hour clock.
        ("25/12/2024 5:45 pm", "dmy", datetime(2024, 12, 25, 17, 45)),
        ("25/12/2024 05:45:10 PM", "dmy", datetime(2024, 12, 25, 17, 45, 10)),
        # A day-first date with dashes is not ISO, though it starts like a year of 1900-2200.
        ("2-11-2024", "dmy", datetime(2024, 11, 2)),
        ("20-1-2024", "dmy", datetime(2024, 1, 20)),
        ("2-11-2024 10:30:00", "dmy", datetime(2024, 11, 2, 10, 30)),
        ("2-11-2024 10:30", "dmy", datetime(2024, 11, 2, 10, 30)),
        ("11-02-2024 10:30", "mdy", datetime(2024, 11, 2, 10, 30)),
        ("05.03.2024", "dmy", datetime(2024, 3, 5)),
        ("02/23/26 08:55 PM", "mdy", datetime(2026, 2, 23, 20, 55)),
        ("02/03/24", "mdy", datetime(2024, 2, 3)),
        ("12/31/2024 11:59:59 PM", "mdy", datetime(2024, 12, 31, 23, 59, 59)),
        ("45292", None, datetime(2024, 1, 1)),
        ("45292.5", None, datetime(2024, 1, 1, 12, 0)),
        ("2024-13-45", None, None),
        ("31/02/2024", "dmy", None),
        ("not a date", None, None),
        ("12", None, None),
        ("0024-01-01", None, None),
        ("99999", None, None),
    ],
)
def test_timestamp(con, text, order, expected):
    assert run(con, parsing.timestamp, text, order) == expected


def _over_cells(con, values: list[str], exprs: list[str]) -> list[tuple]:
    """Return, for each value in order, the SQL expressions exprs of it (as v)."""
    con.execute("CREATE OR REPLACE TEMP TABLE cells (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(values)))
    return con.execute(f"SELECT {', '.join(exprs)} FROM cells ORDER BY i").fetchall()


def _read_every_way(con, values: list[str], order: str | None) -> list[tuple]:
    """Return each value read without a fast format, then with each one order allows."""
    fasts = parsing.fast_formats(order)
    exprs = [parsing.timestamp("v", order)] + [parsing.timestamp("v", order, f) for f in fasts]
    return _over_cells(con, values, exprs)


_SEPARATOR = st.sampled_from(["/", ".", "-", "年"])
_CELL = st.one_of(
    st.builds(
        "{}{}{}{}{}{}{}".format,
        st.integers(0, 40).map(str) | st.integers(0, 9).map("0{}".format),
        _SEPARATOR,
        st.integers(0, 13).map(str) | st.integers(0, 9).map("0{}".format),
        _SEPARATOR,
        st.integers(0, 2300).map(str) | st.integers(0, 99).map("{:02d}".format),
        st.sampled_from(["", " 8:05", " 08:05", " 23:59:59", " 11:59:59 PM", " 7:05 am", "T10:00"]),
        st.sampled_from(["", " ", "Z", "x"]),
    ),
    st.builds(
        "{}{}{}{}{}".format,
        st.integers(1800, 2300).map(str),
        _SEPARATOR,
        st.integers(0, 13).map(str),
        _SEPARATOR,
        st.integers(0, 32).map(str),
    ),
    st.text(alphabet="0123456789/.-: \t", max_size=20),
)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(_CELL, min_size=1, max_size=30), order=st.sampled_from(["dmy", "mdy", None]))
def test_a_fast_format_reads_every_cell_as_the_general_reading_does(con, values, order):
    for row in _read_every_way(con, values, order):
        assert set(row[1:]) == {row[0]}


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("20/11/2024 08:00", "dmy", datetime(2024, 11, 20, 8, 0)),
        ("5/1/2024 9:05", "dmy", datetime(2024, 1, 5, 9, 5)),
        # A four-digit-year format reads "24" as the year 24: the year bounds send it on.
        ("20/11/24 08:00", "dmy", datetime(2024, 11, 20, 8, 0)),
        ("11/20/2024 08:00 PM", "mdy", datetime(2024, 11, 20, 20, 0)),
        ("2024/11/20", "mdy", datetime(2024, 11, 20)),
        ("20/11/1850", "dmy", None),
        # strptime reads these, the general reading does not: the fast one must not either.
        ("1/1/0", "dmy", None),
        ("1/1/7 08:00", "dmy", None),
        ("\t1/1/2024", "dmy", None),
        (" 2024/01/05", "dmy", None),
    ],
)
def test_every_fast_format_reads_a_cell_as_written(con, text, order, expected):
    (row,) = _read_every_way(con, [text], order)
    assert row == (expected,) * (1 + len(parsing.fast_formats(order)))


def test_a_fast_format_must_be_one_of_the_module(con):
    with pytest.raises(ValueError, match="not a date format"):
        parsing.timestamp("v", "dmy", "%d/%m/%Y'; DROP TABLE deals; --")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", 1234.0),
        ("1234.50", 1234.5),
        ("$1,234.50", 1234.5),
        ("1,234,567", 1234567.0),
        ("1.234,50", 1234.5),
        ("1.234.567", 1234567.0),
        ("¥1,000", 1000.0),
        ("1000円", 1000.0),
        ("€ 99", 99.0),
        ("99 EUR", 99.0),
        ("USD 250", 250.0),
        ("1 234", 1234.0),
        ("1\u00a0234,5", 1234.5),
        ("12,5", 12.5),
        ("1.5E+05", 150000.0),
        (".5", 0.5),
        ("-5", -5.0),
        ("(1,200)", -1200.0),
        ("abc", None),
        ("NaN", None),
        ("inf", None),
        ("1,23,4", None),
        ("12abc", None),
    ],
)
def test_number(con, text, expected):
    assert run(con, parsing.number, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("1,200", 1200), ("12.0", 12), ("12.5", None), ("x", None)],
)
def test_integer(con, text, expected):
    assert run(con, parsing.integer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True), ("0", False), ("TRUE", True), ("False", False), ("yes", True),
        ("No", False), ("Y", True), ("x", True), ("はい", True), ("いいえ", False),
        ("maybe", None), ("2", None),
    ],
)  # fmt: skip
def test_boolean(con, text, expected):
    assert run(con, parsing.boolean, text) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # (dmy evidence, mdy evidence, first ambiguous rowid)
        (["2024-01-05", "2024/02/03"], (0, 0, None)),
        (["25/03/2024", "03/04/2024"], (1, 0, 1)),
        (["03/25/2024", "03/04/2024"], (0, 1, 1)),
        (["03/04/2024", "05/06/2024"], (0, 0, 0)),
        (["04/04/2024"], (0, 0, None)),
    ],
)
def test_date_order_probe(con, values, expected):
    con.execute("CREATE OR REPLACE TEMP TABLE probe (__rowid BIGINT, v VARCHAR)")
    con.executemany("INSERT INTO probe VALUES (?, ?)", list(enumerate(values)))
    first, second = parsing.date_order_parts("v")
    probe = ", ".join(parsing.date_order_probe("f", "s"))
    row = con.execute(
        f"SELECT {probe} FROM (SELECT __rowid, {first} AS f, {second} AS s FROM probe)"
    ).fetchone()
    assert row == expected


def _parts_every_way(con, values: list[str]) -> list[tuple]:
    """Return each value's day/month numbers without a fast format, then with each one."""
    exprs = [
        f"[{a}, {b}]"
        for a, b in [parsing.date_order_parts("v")]
        + [parsing.date_order_parts("v", f) for f in parsing.every_fast_format()]
    ]
    return _over_cells(con, values, exprs)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(_CELL, min_size=1, max_size=30))
def test_a_fast_format_finds_the_day_and_month_numbers_the_general_reading_finds(con, values):
    for row in _parts_every_way(con, values):
        assert {tuple(parts) for parts in row[1:]} == {tuple(row[0])}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/03/2024 14:30", [25, 3]),
        ("3/25/2024 2:30 PM", [3, 25]),
        ("1/1/7", [1, 1]),
        ("2024/03/25", [None, None]),
        ("2024-03-25", [None, None]),
        ("\t25/03/2024", [None, None]),
        ("31/02/2024", [31, 2]),
        ("1-13-2024", [1, 13]),
    ],
)
def test_every_fast_format_finds_a_cells_day_and_month_numbers(con, text, expected):
    (row,) = _parts_every_way(con, [text])
    assert row == (expected,) * (1 + len(parsing.every_fast_format()))


def test_quote_ident_escapes_quotes():
    assert parsing.quote_ident('Deal "ID"') == '"Deal ""ID"""'
