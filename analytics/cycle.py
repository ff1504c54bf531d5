"""Sales-cycle length of closed deals: won (the headline) and lost, and its trend by close month.

The cycle of a closed deal is its close date minus its creation date in whole calendar days
(deal_facts.cycle_days). Deals that close before they were created are data-quality problems:
counted as excluded, never averaged.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.definitions import define
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    key_sql,
    period_condition,
    resolve_as_of,
)

_ANCHOR = "the close date (closed_at) falls in the period and on or before the as-of date"
_EXCLUDES = "open deals; deals whose close date is before their creation date (counted apart)"

SALES_CYCLE_WON = define(
    "sales_cycle_won",
    "Sales cycle (won)",
    "median of close date − creation date of the deals won in the period, in whole days "
    "(also mean and 25th/75th/90th percentiles)",
    None,
    _ANCHOR,
    _EXCLUDES,
    "days",
)
SALES_CYCLE_LOST = define(
    "sales_cycle_lost",
    "Sales cycle (lost)",
    "median of close date − creation date of the deals lost in the period, in whole days "
    "(also mean and 25th/75th/90th percentiles)",
    None,
    _ANCHOR,
    _EXCLUDES,
    "days",
)

SALES_CYCLE_COLUMNS = ["outcome", "n", "median", "mean", "p25", "p75", "p90", "excluded"]
CYCLE_TREND_COLUMNS = ["close_month", "outcome", "n", "median", "mean"]
OUTCOMES = ("won", "lost")


def _nones(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return frame with missing statistics as None rather than NaN."""
    for col in columns:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _closed_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str | None
) -> tuple[str, list]:
    """Return (SQL, parameters) of the closed-in-period deals: key, outcome, cycle_days, closed_at.

    key is the breakdown's value as text ('(none)' for NULL), or '' without a breakdown.
    """
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    key = key_sql(con, by) if by else "''"
    sql = f"""
        SELECT {key} AS key, f.status AS outcome, f.cycle_days, f.closed_at
        FROM deal_facts AS f
        WHERE f.status IN ('won', 'lost') AND f.closed_at < ? AND {period} AND {where}
    """
    return sql, [as_of_end(resolve_as_of(con, filters)), *period_params, *params]


def sales_cycle(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return n, median, mean, p25, p75, p90 of the sales cycle in whole days, and excluded.

    Closed-in-period view; two rows (outcome 'won' then 'lost'), per key with by. excluded
    counts the deals that closed before they were created, left out of every figure.
    """
    closed, params = _closed_deals(con, filters, by)
    # Without a breakdown the single key exists even when no deal closed: two rows of zeros.
    keys = "SELECT DISTINCT key FROM closed" if by else "SELECT '' AS key"
    frame = con.execute(
        f"""
        WITH closed AS ({closed}),
        keys AS ({keys}),
        outcomes AS (SELECT 'won' AS outcome, 1 AS rank UNION ALL SELECT 'lost', 2),
        summary AS (
            SELECT key, outcome,
                   count(cycle_days) AS n,
                   quantile_cont(cycle_days, 0.5) AS median,
                   avg(cycle_days) AS mean,
                   quantile_cont(cycle_days, 0.25) AS p25,
                   quantile_cont(cycle_days, 0.75) AS p75,
                   quantile_cont(cycle_days, 0.9) AS p90,
                   -- cycle_days is NULL for a closed deal exactly when it closed before creation
                   count(*) FILTER (WHERE cycle_days IS NULL) AS excluded
            FROM closed GROUP BY key, outcome
        )
        SELECT k.key, o.outcome, coalesce(s.n, 0) AS n, s.median, s.mean, s.p25, s.p75, s.p90,
               coalesce(s.excluded, 0) AS excluded
        FROM keys AS k CROSS JOIN outcomes AS o
        LEFT JOIN summary AS s ON s.key = k.key AND s.outcome = o.outcome
        ORDER BY k.key, o.rank
        """,
        params,
    ).df()
    frame = _nones(frame, ["median", "mean", "p25", "p75", "p90"])
    return frame[(["key"] if by else []) + SALES_CYCLE_COLUMNS].reset_index(drop=True)


def _months(first: date, last: date) -> list[date]:
    """Return the first days of the months from first's to last's, inclusive."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def cycle_trend(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return the sales cycle's n, median and mean in whole days per close month and outcome.

    Closed-in-period view. Every month from the first to the last close month in view gets a
    'won' and a 'lost' row (per key with by; n 0 and None figures when nothing closed), so gaps
    show. close_month is the month's first day (a date).
    """
    closed, params = _closed_deals(con, filters, by)
    rows = con.execute(
        f"""
        WITH closed AS ({closed})
        SELECT key, CAST(date_trunc('month', closed_at) AS DATE) AS close_month, outcome,
               count(cycle_days) AS n, quantile_cont(cycle_days, 0.5) AS median,
               avg(cycle_days) AS mean
        FROM closed GROUP BY 1, 2, 3
        """,
        params,
    ).fetchall()
    found = {tuple(r[:3]): tuple(r[3:]) for r in rows}  # (key, month, outcome) -> figures
    months = _months(min(r[1] for r in rows), max(r[1] for r in rows)) if rows else []
    frame = pd.DataFrame(
        [
            (key, month, outcome, *found.get((key, month, outcome), (0, None, None)))
            for key in sorted({r[0] for r in rows})
            for month in months
            for outcome in OUTCOMES
        ],
        columns=["key", *CYCLE_TREND_COLUMNS],
    )
    frame["n"] = frame["n"].astype("int64")
    frame = _nones(frame, ["median", "mean"])
    return frame[(["key"] if by else []) + CYCLE_TREND_COLUMNS].reset_index(drop=True)
