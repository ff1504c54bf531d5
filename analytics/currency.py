"""Amounts in one reporting currency: dated exchange rates, and how deals are converted.

Rates follow Salesforce's DatedConversionRate convention: an exchange_rates row (currency,
rate_date, rate) says that from rate_date on, one unit of the reporting currency is worth rate
units of currency, so an amount converts as amount / rate, with the latest rate of its currency
dated on or before the day of conversion. Rows of the reporting currency itself are ignored
(its amounts are taken as they are), and so are amounts without a currency.

deal_facts.amount_rep holds every deal's amount converted on its close date (closed deals) or
on the data's last day (open deals, and closed deals without a close date); it is NULL when the
amount is missing or its currency has no rate dated on or before that day. Metrics sum
amount_rep and count the deals with an amount but no amount_rep as unconverted.

Deals open at an earlier as-of date (some closed since, so their amount_rep is converted at
their close date) are converted at the as-of date instead, with open_amount_sql(con, as_of,
alias, name). Its contract:

- ``cte`` is a relation called name (default ``fx AS (...)``): one row per currency, the rate
  in force on as_of (the reporting currency at rate 1). Put it in the query's WITH clause.
- ``params`` are its parameters, in order; it is the only part with parameters, so with the
  CTE first in the query they come before the query's own.
- ``join`` is ``LEFT JOIN fx ON fx.currency = <alias>.currency``, for the FROM clause after the
  deals (any table with the deals' amount and currency columns, deals or deal_facts).
- ``amount`` is the converted amount of the deal (NULL when missing or not convertible), and
  ``unconverted`` is true for a deal with an amount that could not be converted.

    conv = open_amount_sql(con, as_of, "f")
    con.execute(
        f"WITH {conv.cte} SELECT sum({conv.amount}), count(*) FILTER (WHERE {conv.unconverted}) "
        f"FROM deal_facts AS f {conv.join} WHERE f.created_at < ? AND ...",
        [*conv.params, as_of_end(as_of), ...],
    )

At the data's last day it gives the same amounts as amount_rep for the open deals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import derived
from analytics.definitions import define
from analytics.errors import AnalyticsError

CURRENCY_CONVERSION = define(
    "currency_conversion",
    "Amount in the reporting currency",
    "the deal's amount in its own currency",
    "the exchange rate of that currency (units per one unit of the reporting currency), "
    "the latest one dated on or before the conversion day",
    "the conversion day is the close date for closed deals and the as-of date for open ones "
    "(the data's last day unless an earlier as-of date is chosen)",
    "deals without an amount; deals whose currency has no rate dated on or before the "
    "conversion day are counted as unconverted and left out of sums",
    "currency",
)

RATES_STATUS_COLUMNS = ["currency", "deals", "converted", "unconverted", "first_rate", "last_rate"]

_CODE = re.compile(r"[A-Z]{3}")


class CurrencyError(AnalyticsError):
    """A currency code that is not an ISO 4217 code."""

    title = "Unknown currency"


def reporting_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    """Return the reporting currency: the one set, else the deals' commonest (None: no deals)."""
    return derived.reporting_currency(con)


def set_reporting_currency(con: duckdb.DuckDBPyConnection, code: str | None) -> None:
    """Report amounts in code from now on (None: back to the deals' commonest currency).

    Rebuilds the deal facts in the same transaction, so amounts never disagree with the setting.
    """
    if code is not None:
        code = code.strip().upper()
        if not _CODE.fullmatch(code):
            raise CurrencyError(
                f"{code!r} is not a currency code; give an ISO 4217 code such as USD, EUR, JPY."
            )
    cur = con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        try:
            if code is None:
                cur.execute("DELETE FROM meta WHERE key = 'reporting_currency'")
            else:
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('reporting_currency', ?)", [code])
            derived.refresh(cur)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    finally:
        cur.close()


def convert(
    con: duckdb.DuckDBPyConnection, amount: float | None, currency: str | None, on: date
) -> float | None:
    """Return amount converted to the reporting currency at the rate in force on a day.

    None when the amount is missing or its currency has no rate dated on or before that day.
    """
    if amount is None:
        return None
    code = currency.strip().upper() if currency else None
    if code is None or code == reporting_currency(con):
        return float(amount)
    row = con.execute(
        "SELECT rate FROM exchange_rates WHERE currency = ? AND rate_date <= ? "
        "ORDER BY rate_date DESC LIMIT 1",
        [code, on],
    ).fetchone()
    return amount / row[0] if row else None


@dataclass(frozen=True)
class OpenAmountSql:
    """SQL converting deal amounts at one day (see the module docstring for the contract)."""

    cte: str
    params: list
    join: str
    amount: str
    unconverted: str


def open_amount_sql(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    alias: str = "d",
    name: str = "fx",
    amount: str | None = None,
) -> OpenAmountSql:
    """Return the SQL pieces converting the amounts of deal alias at the rates of as_of.

    amount is SQL for the amount to convert, in the deal's currency (default: alias.amount).
    """
    reporting = reporting_currency(con)
    value = amount or f"{alias}.amount"
    cte = (
        f"{name} AS ("
        "SELECT currency, rate FROM ("
        "SELECT currency, rate, "
        "row_number() OVER (PARTITION BY currency ORDER BY rate_date DESC) AS k "
        "FROM exchange_rates WHERE rate_date <= ? AND currency <> ?) AS latest WHERE k = 1 "
        "UNION ALL SELECT CAST(? AS VARCHAR), CAST(1 AS DOUBLE))"
    )
    converted = f"(CASE WHEN {alias}.currency IS NULL THEN {value} ELSE {value} / {name}.rate END)"
    return OpenAmountSql(
        cte=cte,
        params=[as_of, reporting, reporting],
        join=f"LEFT JOIN {name} ON {name}.currency = {alias}.currency",
        amount=converted,
        unconverted=f"({value} IS NOT NULL AND {converted} IS NULL)",
    )


def rates_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per currency: deals, converted and unconverted amounts, first and last rate date.

    One row per currency of the deals or of the rates, ordered by currency; deals without a
    currency show as '(none)'. converted counts deals whose amount is in the reporting currency
    (as it is or converted), unconverted those with an amount that has no rate; deals without an
    amount count in deals only. first_rate and last_rate are dates (NaT: no rates).
    """
    return con.execute(
        """
        WITH d AS (
            SELECT coalesce(currency, '(none)') AS currency, count(*) AS deals,
                   count(*) FILTER (WHERE amount_rep IS NOT NULL) AS converted,
                   count(*) FILTER (WHERE amount IS NOT NULL AND amount_rep IS NULL)
                       AS unconverted
            FROM deal_facts GROUP BY 1
        ),
        r AS (
            SELECT currency, min(rate_date) AS first_rate, max(rate_date) AS last_rate
            FROM exchange_rates GROUP BY currency
        )
        SELECT coalesce(d.currency, r.currency) AS currency,
               coalesce(d.deals, 0) AS deals,
               coalesce(d.converted, 0) AS converted,
               coalesce(d.unconverted, 0) AS unconverted,
               r.first_rate, r.last_rate
        FROM d FULL OUTER JOIN r ON r.currency = d.currency
        ORDER BY 1
        """
    ).df()[RATES_STATUS_COLUMNS]
