"""Currency conversion with dated rates, on a fixture whose every row is explained below.

Pipeline "Sales" (Lead, Demo). Nothing in the data happens after 2025-06-15 (U3's close): that
is the data's last day, the day open deals are converted on in deal_facts.

Rates: from rate_date on, 1 unit of the reporting currency = rate units of the currency.

| currency | rate_date  | rate | why it is here                                                |
|----------|------------|------|---------------------------------------------------------------|
| EUR      | 2025-01-01 | 0.80 | the first EUR rate                                            |
| EUR      | 2025-03-01 | 0.90 | in force for E1's close (2025-04-15); starts on E2's close day |
| EUR      | 2025-05-01 | 0.95 | the latest rate on the data's last day: open E3 converts at it |
| EUR      | 2025-07-01 | 0.90 | after the data's last day: never used by deal_facts           |
| GBP      | 2025-02-01 | 0.50 | starts the day G1 is created and closed                       |
| USD      | 2025-01-01 | 2.00 | the reporting currency's own row: ignored while USD reports;  |
|          |            |      | the rate of USD once EUR is the reporting currency            |
| CHF      | 2025-01-01 | 0.85 | a currency with rates and no deals                            |

Deals (times 00:00 unless given):

| deal | status | cur  | amount | created          | closed           | amount_rep (USD)          |
|------|--------|------|--------|------------------|------------------|---------------------------|
| U1   | won    | USD  | 1000   | 2025-01-10       | 2025-02-10       | 1000, as it is            |
| U2   | open   | USD  | 2000   | 2025-06-01       | -                | 2000                      |
| U3   | lost   | USD  | 400    | 2025-03-01       | 2025-06-15 10:00 | 400; the last record      |
| U4   | won    | USD  | -      | 2025-01-15       | 2025-03-20       | - (no amount)             |
| U5   | open   | USD  | 250    | 2025-06-10       | -                | 250                       |
| E1   | won    | EUR  | 900    | 2025-02-01       | 2025-04-15       | 900 / 0.90 = 1000, not at |
|      |        |      |        |                  |                  | May's 0.95 (947.37)       |
| E2   | won    | EUR  | 720    | 2025-01-02       | 2025-03-01 08:30 | 720 / 0.90 = 800: closed  |
|      |        |      |        |                  |                  | the day the rate starts   |
| E3   | open   | EUR  | 1710   | 2025-04-01       | -                | 1710 / 0.95 = 1800        |
| E4   | lost   | EUR  | 500    | 2024-11-15       | 2024-12-20       | - (closed before the      |
|      |        |      |        |                  |                  | first EUR rate)           |
| G1   | won    | GBP  | 100    | 2025-02-01 09:00 | 2025-02-01 17:00 | 100 / 0.50 = 200          |
| J1   | open   | JPY  | 10000  | 2025-05-01       | -                | - (no JPY rates at all)   |
| N1   | lost   | -    | 300    | 2025-01-10       | 2025-02-20       | 300: no currency          |

USD is the commonest currency (5 deals against EUR's 4), so it reports by default.

The import tests write small CSV texts, commented row by row where they hold, and read the files
of tests/fixtures/crm/rates (explained in its README.md). The property tests generate deals and
rates and check that deal_facts agrees with convert(), that counts add up, and that another
rate never leaves more deals unconverted.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import cli, currency, derived, sample, store
from analytics.currency import (
    CurrencyError,
    convert,
    open_amount_sql,
    rates_status,
    reporting_currency,
    set_reporting_currency,
)
from analytics.errors import ImportRejected
from analytics.filters import as_of_end
from analytics.importer import import_files
from analytics.mapping import resolve_mapping
from analytics.store import table_snapshot
from tests.analytics.builders import build_store, d, day, pipeline_rows

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm" / "rates"
PIPELINE = pipeline_rows("Sales", ["Lead", "Demo"])

RATES = [
    ("EUR", "2025-01-01", 0.80),
    ("EUR", "2025-03-01", 0.90),
    ("EUR", "2025-05-01", 0.95),
    ("EUR", "2025-07-01", 0.90),
    ("GBP", "2025-02-01", 0.50),
    ("USD", "2025-01-01", 2.00),
    ("CHF", "2025-01-01", 0.85),
]


def deal(deal_id, status, cur, amount, created, closed=None):
    stage = {"won": "Won", "lost": "Lost"}.get(status, "Demo")
    return {
        "deal_id": deal_id, "pipeline": "Sales", "stage": stage, "status": status,
        "amount": amount, "currency": cur, "created_at": day(created),
        "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("U1", "won", "USD", 1000, "2025-01-10", "2025-02-10"),
    deal("U2", "open", "USD", 2000, "2025-06-01"),
    deal("U3", "lost", "USD", 400, "2025-03-01", "2025-06-15 10:00"),
    deal("U4", "won", "USD", None, "2025-01-15", "2025-03-20"),
    deal("U5", "open", "USD", 250, "2025-06-10"),
    deal("E1", "won", "EUR", 900, "2025-02-01", "2025-04-15"),
    deal("E2", "won", "EUR", 720, "2025-01-02", "2025-03-01 08:30"),
    deal("E3", "open", "EUR", 1710, "2025-04-01"),
    deal("E4", "lost", "EUR", 500, "2024-11-15", "2024-12-20"),
    deal("G1", "won", "GBP", 100, "2025-02-01 09:00", "2025-02-01 17:00"),
    deal("J1", "open", "JPY", 10000, "2025-05-01"),
    deal("N1", "lost", None, 300, "2025-01-10", "2025-02-20"),
]


def add_rates(con, rates) -> None:
    """Store rates as (currency, 'YYYY-MM-DD', rate) and rebuild the derived tables."""
    for c, t, r in rates:
        con.execute("INSERT INTO exchange_rates VALUES (?, ?, ?)", [c, d(t), r])
    derived.refresh(con)


def make_store(path: Path, deals=DEALS, rates=RATES):
    con = build_store(path, pipelines=PIPELINE, deals=deals)
    add_rates(con, rates)
    return con


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = make_store(tmp_path_factory.mktemp("currency") / "store.duckdb")
    yield con
    con.close()


@pytest.fixture
def own(tmp_path):
    """A fresh copy of the fixture store, for tests that change it."""
    con = make_store(tmp_path / "own.duckdb")
    yield con
    con.close()


def amounts(con) -> pd.DataFrame:
    return con.execute("SELECT deal_id, amount_rep FROM deal_facts ORDER BY deal_id").df()


def frame(rows: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": list(rows),
            "amount_rep": pd.array([np.nan if v is None else v for v in rows.values()],
                                   dtype="float64"),
        }
    )  # fmt: skip


# --- deal_facts.amount_rep -----------------------------------------------------------------------

IN_USD = {
    "E1": 1000.0,  # 900 / 0.90: March's rate on 2025-04-15, not May's 0.95 nor January's 0.80
    "E2": 800.0,  # 720 / 0.90: the rate that starts on the close day itself
    "E3": 1800.0,  # open: 1710 / 0.95, the latest rate by 2025-06-15 (July's 0.90 comes later)
    "E4": None,  # closed 2024-12-20, before EUR's first rate (2025-01-01)
    "G1": 200.0,  # 100 / 0.50, closed the day GBP's rate starts
    "J1": None,  # no JPY rates
    "N1": 300.0,  # no currency: taken as it is
    "U1": 1000.0,  # the reporting currency: its own row (2.00) is ignored
    "U2": 2000.0,
    "U3": 400.0,
    "U4": None,  # no amount
    "U5": 250.0,
}


def test_amounts_convert_at_the_close_date_or_the_datas_last_day(con):
    assert reporting_currency(con) == "USD"
    assert derived.data_through(con) == d("2025-06-15")
    pd.testing.assert_frame_equal(amounts(con), frame(IN_USD))


def test_without_rates_only_the_reporting_currency_and_blank_currencies_sum(tmp_path):
    con = build_store(tmp_path / "none.duckdb", pipelines=PIPELINE, deals=DEALS)
    try:
        expected = {k: (v if k[0] in "UN" else None) for k, v in IN_USD.items()}
        pd.testing.assert_frame_equal(amounts(con), frame(expected))
    finally:
        con.close()


def test_a_single_deal_in_a_foreign_currency(tmp_path):
    con = make_store(tmp_path / "one.duckdb", deals=[DEALS[5]])  # E1 alone
    try:
        # The only deal is in EUR, so EUR reports: taken as it is.
        assert reporting_currency(con) == "EUR"
        pd.testing.assert_frame_equal(amounts(con), frame({"E1": 900.0}))
    finally:
        con.close()


# --- the reporting currency ----------------------------------------------------------------------

IN_EUR = {
    "E1": 900.0, "E2": 720.0, "E3": 1710.0,
    "E4": 500.0,  # EUR now reports: no rate needed
    "G1": 200.0,  # 100 / 0.50 (the GBP row read as GBP per EUR)
    "J1": None, "N1": 300.0,
    "U1": 500.0,  # 1000 / 2.00, the USD row
    "U2": 1000.0,  # open: 2000 / 2.00
    "U3": 200.0,  # 400 / 2.00
    "U4": None,
    "U5": 125.0,  # 250 / 2.00
}  # fmt: skip


def test_reporting_currency_set_explicitly_then_back_to_the_default(own):
    set_reporting_currency(own, " eur ")
    assert reporting_currency(own) == "EUR"
    pd.testing.assert_frame_equal(amounts(own), frame(IN_EUR))
    set_reporting_currency(own, None)
    assert reporting_currency(own) == "USD"
    pd.testing.assert_frame_equal(amounts(own), frame(IN_USD))


@pytest.mark.parametrize("code", ["EURO", "€", "", "U1D"])
def test_a_reporting_currency_that_is_not_a_code_is_refused(own, code):
    before = table_snapshot(own)
    with pytest.raises(CurrencyError, match="not a currency code"):
        set_reporting_currency(own, code)
    assert table_snapshot(own) == before
    assert CurrencyError.title == "Unknown currency"


def test_the_reporting_currency_of_an_empty_store_is_none(tmp_path):
    con = store.connect(tmp_path / "empty.duckdb")
    try:
        assert reporting_currency(con) is None
        assert amounts(con).empty
    finally:
        con.close()


# --- convert -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "cur", "on", "expected"),
    [
        (1000, "USD", "2025-02-01", 1000.0),  # reporting currency; the USD row is ignored
        (300, None, "2025-02-01", 300.0),  # no currency
        (900, "EUR", "2025-04-15", 1000.0),  # 900 / 0.90
        (720, "EUR", "2025-03-01", 800.0),  # the day 0.90 starts
        (720, "EUR", "2025-02-28", 900.0),  # the day before: 720 / 0.80
        (1710, "EUR", "2025-07-05", 1900.0),  # after July's 0.90: 1710 / 0.90
        (500, "EUR", "2024-12-31", None),  # before EUR's first rate
        (100, "gbp", "2025-02-01", 200.0),  # lower case; GBP's first day
        (100, "GBP", "2025-01-31", None),  # the day before GBP's first rate
        (10000, "JPY", "2025-05-01", None),  # no rates
        (None, "EUR", "2025-04-01", None),  # no amount
        (0, "EUR", "2025-04-01", 0.0),  # zero converts to zero
    ],
)
def test_convert_one_amount(con, amount, cur, on, expected):
    result = convert(con, amount, cur, d(on))
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


# --- open deals at an as-of date -----------------------------------------------------------------


def open_pipeline(con, as_of: date) -> tuple[int, float, int]:
    """Return (open deals, open amount, unconverted) at as_of, the way a metric asks."""
    conv = open_amount_sql(con, as_of, "f")
    return con.execute(
        f"""
        WITH {conv.cte}
        SELECT count(*), coalesce(sum({conv.amount}), 0), count(*) FILTER (WHERE {conv.unconverted})
        FROM deal_facts AS f {conv.join}
        WHERE f.created_at < ? AND (f.closed_at IS NULL OR f.closed_at >= ?)
        """,
        [*conv.params, as_of_end(as_of), as_of_end(as_of)],
    ).fetchone()


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Nothing open yet: E4 closed 2024-12-20, everything else is created later.
        ("2024-12-31", (0, 0.0, 0)),
        # E2 at January's rate 720 / 0.80 = 900, U1 1000, N1 300 (no currency), U4 (no amount,
        # neither summed nor unconverted, created that day): 2200.
        ("2025-01-15", (4, 2200.0, 0)),
        # E3 at March's rate 1710 / 0.90 = 1900, U3 400 (open until 2025-06-15): 2300.
        ("2025-04-20", (2, 2300.0, 0)),
        # E3 at May's rate 1710 / 0.95 = 1800, U3 400, J1 unconverted: 2200.
        ("2025-05-10", (3, 2200.0, 1)),
        # The data's last day: E3 1800, U2 2000, U5 250, J1 unconverted; U3 closed that day.
        ("2025-06-15", (4, 4050.0, 1)),
        # After the data: the same deals, E3 at July's 0.90 (1900): 4150.
        ("2025-07-05", (4, 4150.0, 1)),
    ],
)
def test_open_amounts_at_an_as_of_date(con, as_of, expected):
    n, total, unconverted = open_pipeline(con, d(as_of))
    assert (n, unconverted) == (expected[0], expected[2])
    assert total == pytest.approx(expected[1])


def test_open_amounts_at_the_datas_last_day_are_amount_rep(con):
    conv = open_amount_sql(con, derived.data_through(con), "f", name="rates_then")
    got = con.execute(
        f"WITH {conv.cte} SELECT f.deal_id, {conv.amount} AS at_as_of, f.amount_rep "
        f"FROM deal_facts AS f {conv.join} WHERE f.status = 'open' ORDER BY f.deal_id",
        conv.params,
    ).df()
    assert list(got["deal_id"]) == ["E3", "J1", "U2", "U5"]
    pd.testing.assert_series_equal(got["at_as_of"], got["amount_rep"], check_names=False)


def test_open_amounts_follow_the_reporting_currency(own):
    set_reporting_currency(own, "EUR")
    # At 2025-06-15 in EUR: E3 1710, U2 2000 / 2 = 1000, U5 250 / 2 = 125, J1 unconverted.
    n, total, unconverted = open_pipeline(own, d("2025-06-15"))
    assert (n, total, unconverted) == (4, 2835.0, 1)


# --- rates_status --------------------------------------------------------------------------------


def status_frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=currency.RATES_STATUS_COLUMNS)
    for col in ("first_rate", "last_rate"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[us]")
    return out


def test_rates_status_per_currency(con):
    expected = status_frame(
        [
            # N1: no currency, taken as it is
            ("(none)", 1, 1, 0, None, None),
            # rates, no deals
            ("CHF", 0, 0, 0, "2025-01-01", "2025-01-01"),
            # E1, E2, E3 converted; E4 closed before the first rate
            ("EUR", 4, 3, 1, "2025-01-01", "2025-07-01"),
            ("GBP", 1, 1, 0, "2025-02-01", "2025-02-01"),
            ("JPY", 1, 0, 1, None, None),
            # U4 has no amount: a deal, neither converted nor unconverted
            ("USD", 5, 4, 0, "2025-01-01", "2025-01-01"),
        ]
    )
    got = rates_status(con)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["deals"].sum() == len(DEALS)


def test_rates_status_with_euro_reporting(own):
    set_reporting_currency(own, "EUR")
    got = rates_status(own).set_index("currency")[["deals", "converted", "unconverted"]]
    assert got.loc["EUR"].tolist() == [4, 4, 0]  # E4 needs no rate any more
    assert got.loc["USD"].tolist() == [5, 4, 0]  # through the USD row
    assert got.loc["JPY"].tolist() == [1, 0, 1]


def test_rates_status_of_an_empty_store(tmp_path):
    con = store.connect(tmp_path / "empty.duckdb")
    try:
        got = rates_status(con)
        assert list(got.columns) == currency.RATES_STATUS_COLUMNS
        assert got.empty
    finally:
        con.close()


def test_currency_conversion_is_defined():
    defined = currency.CURRENCY_CONVERSION
    assert defined.key == "currency_conversion"
    assert defined.unit == "currency"
    assert "rate" in defined.denominator
    assert "close date" in defined.anchor and "as-of date" in defined.anchor


# --- storage and migrations ----------------------------------------------------------------------


def columns_of(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()


def test_new_store_has_the_exchange_rates_table(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION >= 3
        assert columns_of(con, "exchange_rates") == [
            ("currency", "VARCHAR"), ("rate_date", "DATE"), ("rate", "DOUBLE"),
        ]  # fmt: skip
    finally:
        con.close()


@pytest.mark.parametrize("version", [1, 2])
def test_older_stores_migrate_with_and_without_the_table_at_refresh(tmp_path, version):
    """A version-1 store refreshes (migration 2) before the table exists; both end with it."""
    path = tmp_path / "old.duckdb"
    con = build_store(path, pipelines=PIPELINE, deals=DEALS)
    con.execute("DROP TABLE exchange_rates")
    if version == 1:
        con.execute("DROP TABLE deal_facts")
        con.execute("DROP TABLE stage_visits")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    con.close()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM exchange_rates").fetchone()[0] == 0
        expected = {k: (v if k[0] in "UN" else None) for k, v in IN_USD.items()}
        pd.testing.assert_frame_equal(amounts(con), frame(expected))
    finally:
        con.close()


# --- importing rates -----------------------------------------------------------------------------

TAKEN_AT = day("2025-06-20")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def stored_rates(con) -> list[tuple]:
    return con.execute("SELECT * FROM exchange_rates ORDER BY currency, rate_date").fetchall()


SALESFORCE_SHAPE = (
    "IsoCode,ConversionRate,StartDate,NextStartDate\n"
    "EUR,0.8,2025-01-01,2025-03-01\n"
    "EUR,0.9,2025-03-01,2025-05-01\n"
    "EUR,0.95,2025-05-01,9999-12-31\n"
    "GBP,0.5,2025-02-01,9999-12-31\n"
    "USD,1,2025-01-01,9999-12-31\n"
)


def test_import_salesforce_shaped_rates_converts_the_deals(tmp_path):
    con = build_store(tmp_path / "imp.duckdb", pipelines=PIPELINE, deals=DEALS)
    try:
        result = import_files(
            con, [write(tmp_path / "DatedConversionRate.csv", SALESFORCE_SHAPE)], taken_at=TAKEN_AT
        )
        (report,) = result.files
        assert (report.kind, report.unmapped) == ("exchange_rates", ["NextStartDate"])
        assert report.mapping == {
            "currency": "IsoCode", "rate_date": "StartDate", "rate": "ConversionRate",
        }  # fmt: skip
        assert result.changes == {"exchange_rates_inserted": 5, "exchange_rates_updated": 0}
        assert stored_rates(con) == [
            ("EUR", d("2025-01-01"), 0.8), ("EUR", d("2025-03-01"), 0.9),
            ("EUR", d("2025-05-01"), 0.95), ("GBP", d("2025-02-01"), 0.5),
            ("USD", d("2025-01-01"), 1.0),
        ]  # fmt: skip
        # The import rebuilt deal_facts: the same rates as the fixture up to the data's last day
        # (the USD row is ignored either way), so the same amounts.
        pd.testing.assert_frame_equal(amounts(con), frame(IN_USD))
    finally:
        con.close()


def test_import_the_salesforce_data_export_fixture(tmp_path):
    con = store.connect(tmp_path / "sf.duckdb")
    try:
        result = import_files(con, [FIXTURES / "DatedConversionRate.csv"], taken_at=TAKEN_AT)
        assert [(f.kind, f.preset, f.rows) for f in result.files] == [
            ("exchange_rates", "salesforce", 7)
        ]
        assert stored_rates(con) == [
            ("EUR", d("2024-01-01"), 0.912), ("EUR", d("2024-02-01"), 0.925),
            ("EUR", d("2024-03-01"), 0.9215), ("GBP", d("2024-01-01"), 0.786),
            ("JPY", d("2024-01-01"), 141.8), ("JPY", d("2024-03-01"), 149.9),
            ("USD", d("2024-01-01"), 1.0),
        ]  # fmt: skip
    finally:
        con.close()


def test_import_a_european_spreadsheet_of_rates(tmp_path):
    con = store.connect(tmp_path / "eu.duckdb")
    try:
        result = import_files(con, [FIXTURES / "exchange_rates.csv"], taken_at=TAKEN_AT)
        assert [(f.kind, f.preset) for f in result.files] == [("exchange_rates", "generic")]
        assert stored_rates(con) == [
            ("EUR", d("2024-01-01"), 0.912),  # eur, 01.01.2024, 0,9120
            ("EUR", d("2024-02-01"), 0.925),  # 01.02.2024 is 1 February: 15.01 proves dmy
            ("GBP", d("2024-01-15"), 0.786),  # £
            ("JPY", d("2024-03-01"), 149.9),  # 149,9
        ]
    finally:
        con.close()


@pytest.mark.parametrize(
    "headers",
    [
        ("IsoCode", "StartDate", "ConversionRate"),
        ("Currency", "Date", "Rate"),
        ("Currency code", "Rate date", "Exchange rate"),
        ("通貨", "Effective date", "Conversion rate"),
        ("currency", "valid_from", "rate"),
    ],
)
def test_rates_files_are_recognised_by_their_headers(headers):
    mapping = resolve_mapping(list(headers))
    assert mapping.kind == "exchange_rates"
    assert mapping.columns == {
        "currency": (headers[0],), "rate_date": (headers[1],), "rate": (headers[2],),
    }  # fmt: skip


BAD = (
    "IsoCode,ConversionRate,StartDate,NextStartDate\n"
    "EUR,0,2025-01-01,9999-12-31\n"  # row 2: rate 0
    "Euro,0.9,2025-01-01,9999-12-31\n"  # row 3: not a currency code
    "GBP,-0.8,2025-01-01,9999-12-31\n"  # row 4: negative rate
    ",0.8,2025-01-01,9999-12-31\n"  # row 5: no currency
    "JPY,150,not a date,9999-12-31\n"  # row 6: no date
    "JPY,151,2025-02-01,9999-12-31\n"  # row 7: fine alone...
    "JPY,152,2025-02-01,9999-12-31\n"  # row 8: ...but row 8 gives JPY another rate that day
    "US$,1,2025-01-01,9999-12-31\n"  # row 9: a symbol with letters is no code
    "CHF,,2025-01-01,9999-12-31\n"  # row 10: no rate
)


def test_bad_rates_are_refused_and_leave_the_store_untouched(own, tmp_path):
    before = table_snapshot(own)
    with pytest.raises(ImportRejected) as exc:
        import_files(own, [write(tmp_path / "rates.csv", BAD)], taken_at=TAKEN_AT)
    assert table_snapshot(own) == before
    code = "not a currency code (expected ISO 4217 such as USD, EUR, JPY, or $ € £ ¥)"
    required = "this value is required but the cell is empty"
    assert [(p.row, p.column, p.value, p.message) for p in exc.value.problems] == [
        (2, "ConversionRate", "0", "an exchange rate must be greater than 0"),
        (3, "IsoCode", "Euro", code),
        (4, "ConversionRate", "-0.8", "negative values are not allowed here"),
        (5, "IsoCode", None, required),
        (6, "StartDate", "not a date", "not a date this importer can read"),
        (8, "ConversionRate", "152", "the file gives this currency another rate on the same date"),
        (9, "IsoCode", "US$", code),
        (10, "ConversionRate", None, required),
    ]


FIRST = "Currency,Date,Rate\nEUR,2025-01-01,0.8\nEUR,2025-03-01,0.9\nGBP,2025-02-01,0.5\n"
# The same EUR rates (one written again, exactly, on the last row), GBP's corrected, one new.
SECOND = (
    "Currency,Date,Rate\nEUR,2025-01-01,0.8\nEUR,2025-03-01,0.9\nGBP,2025-02-01,0.55\n"
    "EUR,2025-05-01,0.95\nEUR,2025-03-01,0.9\n"
)


def test_reimporting_rates_replaces_them_instead_of_adding_rows(tmp_path):
    con = store.connect(tmp_path / "again.duckdb")
    try:
        first = write(tmp_path / "rates.csv", FIRST)
        import_files(con, [first], taken_at=TAKEN_AT)
        after_first = table_snapshot(con)
        # The same file again is recognised and skipped.
        again = import_files(con, [first], taken_at=TAKEN_AT)
        assert [f.skipped for f in again.files] == [True]
        assert table_snapshot(con) == after_first
        # A file whose rows are already stored, under another name, changes nothing.
        copy = write(tmp_path / "copy.csv", FIRST + "EUR,2025-01-01,0.8\n")
        result = import_files(con, [copy], taken_at=TAKEN_AT)
        assert result.changes == {"exchange_rates_inserted": 0, "exchange_rates_updated": 0}
        assert stored_rates(con) == [
            ("EUR", d("2025-01-01"), 0.8), ("EUR", d("2025-03-01"), 0.9),
            ("GBP", d("2025-02-01"), 0.5),
        ]  # fmt: skip
        result = import_files(con, [write(tmp_path / "second.csv", SECOND)], taken_at=TAKEN_AT)
        assert result.changes == {"exchange_rates_inserted": 1, "exchange_rates_updated": 1}
        (note,) = result.notes
        assert (note.count, note.rows) == (1, (6,))
        assert "merged" in note.message
        assert stored_rates(con) == [
            ("EUR", d("2025-01-01"), 0.8), ("EUR", d("2025-03-01"), 0.9),
            ("EUR", d("2025-05-01"), 0.95), ("GBP", d("2025-02-01"), 0.55),
        ]  # fmt: skip
    finally:
        con.close()


def test_command_line_imports_rates_with_kind(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    # "Value" alone says nothing about the kind: --kind does.
    rates = write(tmp_path / "fx.csv", "Currency,Date,Value\nEUR,2025-01-01,0.8\n")
    code = cli.main(
        ["import", str(rates), "--kind", "exchange_rates", "--map", "rate=Value", "--db", str(db)]
    )
    assert code == 0, capsys.readouterr()
    con = store.connect(db)
    try:
        assert stored_rates(con) == [("EUR", d("2025-01-01"), 0.8)]
    finally:
        con.close()


# --- the sample data -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("sample") / "sample.duckdb")
    sample.load_sample(con)
    yield con
    con.close()


def test_sample_rates_are_monthly_euro_rates_over_the_whole_data(sample_con):
    rows = sample_con.execute(
        "SELECT currency, min(rate_date), max(rate_date), count(*), min(rate), max(rate), "
        "count(*) FILTER (WHERE day(rate_date) <> 1) FROM exchange_rates GROUP BY currency"
    ).fetchall()
    first_deal, last_day = sample_con.execute(
        "SELECT min(created_at)::DATE, max(coalesce(closed_at, created_at))::DATE FROM deals"
    ).fetchone()
    ((cur, first, last, n, low, high, not_first_of_month),) = rows
    assert cur == "EUR" and not_first_of_month == 0
    assert first <= first_deal and last <= last_day < last + timedelta(days=31)
    assert n == (last.year - first.year) * 12 + last.month - first.month + 1
    assert 0.90 <= low <= high <= 0.95


def test_sample_converts_every_euro_deal(sample_con):
    assert reporting_currency(sample_con) == "USD"
    got = rates_status(sample_con).set_index("currency")
    assert list(got.index) == ["EUR", "USD"]
    assert got.loc["EUR", "deals"] == 263
    assert got["unconverted"].tolist() == [0, 0]


# --- properties ----------------------------------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=180)
START = date(2025, 1, 1)


@st.composite
def stores(draw):
    """Deals in USD, EUR, JPY or no currency, and EUR/JPY rates, over the first half of 2025."""
    deals = []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        created = draw(DAYS)
        status = draw(st.sampled_from(["open", "won", "lost"]))
        closed = None if status == "open" else created + draw(st.integers(0, 60))
        deals.append(
            deal(f"D{i}", status, draw(st.sampled_from(["USD", "EUR", "JPY", None])),
                 draw(st.one_of(st.none(), st.integers(0, 10_000))),
                 str(START + timedelta(days=created)),
                 None if closed is None else str(START + timedelta(days=closed)))
        )  # fmt: skip
    rates = draw(
        st.lists(
            st.tuples(st.sampled_from(["EUR", "JPY"]), DAYS, st.floats(0.5, 200.0)),
            unique_by=lambda r: (r[0], r[1]),
            max_size=6,
        )
    )
    return deals, [(c, str(START + timedelta(days=t)), r) for c, t, r in rates]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """One store the property tests refill for every example (a new store costs 0.3 s)."""
    con = build_store(tmp_path_factory.mktemp("scratch") / "p.duckdb", pipelines=PIPELINE)
    yield con
    con.close()


def refill(con, deals, rates) -> None:
    """Make deals and rates the store's only deals and rates, derived tables rebuilt."""
    # One transaction: a commit per row would spend most of the test waiting for the disk.
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM deals")
        con.execute("DELETE FROM exchange_rates")
        columns = list(DEALS[0])
        marks = ", ".join("?" for _ in columns)
        for row in deals:
            con.execute(
                f"INSERT INTO deals ({', '.join(columns)}) VALUES ({marks})",
                [row[c] for c in columns],
            )
        add_rates(con, rates)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@settings(max_examples=30, deadline=None)
@given(case=stores())
def test_amount_rep_is_convert_on_the_conversion_day(scratch, case):
    deals, rates = case
    refill(scratch, deals, rates)
    through = derived.data_through(scratch)
    rows = scratch.execute(
        "SELECT amount, currency, status, closed_at, amount_rep FROM deal_facts"
    ).fetchall()
    for amount, cur, status, closed_at, amount_rep in rows:
        on = closed_at.date() if status != "open" else through
        expected = convert(scratch, amount, cur, on)
        assert amount_rep == (None if expected is None else pytest.approx(expected))
        if amount_rep is not None:
            assert amount_rep >= 0
    status = rates_status(scratch)
    assert status["deals"].sum() == len(deals)
    assert (status["converted"] + status["unconverted"] <= status["deals"]).all()


@settings(max_examples=30, deadline=None)
@given(case=stores(), extra=st.tuples(st.sampled_from(["EUR", "JPY"]), DAYS, st.floats(0.5, 200.0)))
def test_another_rate_never_adds_unconverted_deals(scratch, case, extra):
    deals, rates = case
    extra_rate = (extra[0], str(START + timedelta(days=extra[1])), extra[2])
    rates = [r for r in rates if r[:2] != extra_rate[:2]]
    refill(scratch, deals, rates)
    before = int(rates_status(scratch)["unconverted"].sum())
    through = derived.data_through(scratch) or START
    open_before = open_pipeline(scratch, through)
    add_rates(scratch, [extra_rate])
    assert int(rates_status(scratch)["unconverted"].sum()) <= before
    open_after = open_pipeline(scratch, through)
    assert open_after[0] == open_before[0]  # the same open deals...
    assert open_after[2] <= open_before[2]  # ...as many of them unconverted, or fewer
