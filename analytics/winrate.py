"""Win rates: of the deals closed in a period, and of the cohort created in it."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import stats
from analytics.definitions import define
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    key_sql,
    period_condition,
    resolve_as_of,
)

WIN_RATE = define(
    "win_rate",
    "Win rate",
    "deals won in the period",
    "deals won + deals lost in the period",
    "the close date (closed_at) falls in the period and on or before the as-of date",
    "open deals, and closed deals without a close date",
    "share",
)
VALUE_WIN_RATE = define(
    "value_win_rate",
    "Value win rate",
    "amount of the deals won in the period",
    "amount of the deals won + lost in the period",
    "the close date (closed_at) falls in the period and on or before the as-of date",
    "open deals; deals without an amount or without an exchange rate to the reporting currency",
    "share",
)
WON_AMOUNT = define(
    "won_amount",
    "Won amount",
    "sum of the amounts of the deals won in the period, in the reporting currency",
    None,
    "the close date (closed_at) falls in the period and on or before the as-of date",
    "deals without an amount or without an exchange rate (counted, not summed)",
    "currency",
)
COHORT_WIN_RATE = define(
    "cohort_win_rate",
    "Cohort win rate",
    "deals created in the period and won by the as-of date",
    "all deals created in the period (open ones still pending)",
    "the creation date (created_at) falls in the period",
    "deals created after the as-of date",
    "share",
)

WIN_RATE_COLUMNS = [
    "won", "lost", "n", "rate", "ci_low", "ci_high", "small_sample",
    "won_amount", "lost_amount", "value_rate", "unconverted",
]  # fmt: skip


def _group(con: duckdb.DuckDBPyConnection, by: str | None) -> tuple[str, str]:
    """Return (select prefix, GROUP BY clause) for a breakdown by one dimension."""
    if by is None:
        return "", ""
    return f"{key_sql(con, by)} AS key, ", "GROUP BY 1"


def win_rate(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str | None = None
) -> pd.DataFrame:
    """Return won, lost, n, rate with its 95% Wilson interval, amounts and value win rate.

    Closed-in-period view; one row, or one row per value of the dimension by (column key).
    Amounts are in the reporting currency; unconverted counts closed deals whose amount could
    not be converted and is left out of the sums.
    """
    as_of = resolve_as_of(con, filters)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    select, group = _group(con, by)
    frame = con.execute(
        f"""
        SELECT {select}
               count(*) FILTER (WHERE f.status = 'won') AS won,
               count(*) FILTER (WHERE f.status = 'lost') AS lost,
               count(*) AS n,
               coalesce(sum(f.amount_rep) FILTER (WHERE f.status = 'won'), 0) AS won_amount,
               coalesce(sum(f.amount_rep) FILTER (WHERE f.status = 'lost'), 0) AS lost_amount,
               count(*) FILTER (WHERE f.amount IS NOT NULL AND f.amount_rep IS NULL)
                   AS unconverted
        FROM deal_facts AS f
        WHERE f.status IN ('won', 'lost') AND f.closed_at < ? AND {period} AND {where}
        {group}
        ORDER BY {"key" if by else "1"}
        """,
        [as_of_end(as_of), *period_params, *params],
    ).df()
    if by is None and frame.empty:
        frame = pd.DataFrame([{"won": 0, "lost": 0, "n": 0, "won_amount": 0.0,
                               "lost_amount": 0.0, "unconverted": 0}])  # fmt: skip
    frame = stats.add_rate(frame, "won", frame["n"], "rate")
    frame["value_rate"] = [
        stats.ratio(w, w + lo)
        for w, lo in zip(frame["won_amount"], frame["lost_amount"], strict=True)
    ]
    return frame[(["key"] if by else []) + WIN_RATE_COLUMNS].reset_index(drop=True)


def cohort_win_rate(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str | None = None
) -> pd.DataFrame:
    """Return created, won, lost, pending (still open at as-of) and won / created with interval.

    Cohort view: deals created in the period, followed to the as-of date.
    """
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.created_at", filters)
    select, group = _group(con, by)
    closed_by = "f.closed_at < ?"
    frame = con.execute(
        f"""
        SELECT {select}
               count(*) AS created,
               count(*) FILTER (WHERE f.status = 'won' AND {closed_by}) AS won,
               count(*) FILTER (WHERE f.status = 'lost' AND {closed_by}) AS lost
        FROM deal_facts AS f
        WHERE f.created_at < ? AND {period} AND {where}
        {group}
        ORDER BY {"key" if by else "1"}
        """,
        [end, end, end, *period_params, *params],
    ).df()
    if by is None and frame.empty:
        frame = pd.DataFrame([{"created": 0, "won": 0, "lost": 0}])
    frame["pending"] = frame["created"] - frame["won"] - frame["lost"]
    frame = stats.add_rate(frame, "won", frame["created"], "rate")
    cols = ["created", "won", "lost", "pending", "rate", "ci_low", "ci_high", "small_sample"]
    return frame[(["key"] if by else []) + cols].reset_index(drop=True)
