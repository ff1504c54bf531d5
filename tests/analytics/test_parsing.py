"""The SQL cell parsers, checked value by value against what a person reads in the cell."""

from datetime import datetime

import duckdb
import pytest

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


def test_quote_ident_escapes_quotes():
    assert parsing.quote_ident('Deal "ID"') == '"Deal ""ID"""'
