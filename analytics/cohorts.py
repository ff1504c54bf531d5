"""Cohort tables: deals grouped by the month they were created, followed to the as-of date.

A deal counts as won or lost only when its close date (closed_at) is on or before the as-of
date; until then, and when a closed deal has no close date, it is still open in its cohort.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import stats
from analytics.definitions import define
from analytics.errors import AnalyticsError
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    key_sql,
    period_condition,
    resolve_as_of,
)

COHORT_WIN_RATE_BY_MONTH = define(
    "cohort_win_rate_by_month",
    "Win rate by creation month",
    "deals created in the month and won by the as-of date",
    "deals created in the month and won or lost by the as-of date (open ones are shown apart)",
    "the creation date (created_at) falls in the period; the close date (closed_at) on or "
    "before the as-of date",
    "deals still open at the as-of date, and closed deals without a close date",
    "share",
)
COHORT_MATRIX = define(
    "cohort_matrix",
    "Cumulative win share by months since creation",
    "deals of the creation-month cohort won within N whole calendar months after that month",
    "all deals created in that month",
    "the creation date (created_at) falls in the period; the close date (closed_at) on or "
    "before the as-of date, counted in the month it falls in",
    "months not yet begun at the as-of date; closed deals without a close date",
    "share",
)

MAX_MONTHS = 120  # ten years after creation is more than any sales cycle a page plots

SUMMARY_COLUMNS = [
    "cohort_month", "created", "won", "lost", "open", "win_rate", "won_amount",
    "median_won_cycle_days", "ci_low", "ci_high", "small_sample", "unconverted",
]  # fmt: skip
MATRIX_COLUMNS = [
    "cohort_month", "months_after", "won_cumulative", "closed_cumulative",
    "cumulative_win_share", "created", "ci_low", "ci_high", "small_sample",
]  # fmt: skip


class BadCohortWindow(AnalyticsError, ValueError):
    """The cohort matrix was asked for a number of months it cannot show."""

    title = "Invalid number of months"


def _month_index(expr: str) -> str:
    """Return SQL numbering the calendar month of expr (consecutive months differ by one)."""
    return f"(EXTRACT(YEAR FROM {expr}) * 12 + EXTRACT(MONTH FROM {expr}))"


def cohort_summary(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return per creation month: created, won, lost, open, win rate (share), won amount, cycle.

    Deals created in the period up to the as-of date, by month of creation (cohort_month, the
    first day of the month), with their status at the as-of date; win_rate = won / (won + lost)
    with its Wilson interval; won_amount in the reporting currency (unconverted counts the won
    deals left out of it); median_won_cycle_days in whole days. With by, one row per key and
    month.
    """
    end = as_of_end(resolve_as_of(con, filters))
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.created_at", filters)
    key = f"{key_sql(con, by)} AS key, " if by else ""
    won = "f.status = 'won' AND f.closed_at < ?"
    frame = con.execute(
        f"""
        SELECT {key}
               CAST(date_trunc('month', f.created_at) AS DATE) AS cohort_month,
               count(*) AS created,
               count(*) FILTER (WHERE {won}) AS won,
               count(*) FILTER (WHERE f.status = 'lost' AND f.closed_at < ?) AS lost,
               coalesce(sum(f.amount_rep) FILTER (WHERE {won}), 0) AS won_amount,
               count(*) FILTER (WHERE {won} AND f.amount IS NOT NULL AND f.amount_rep IS NULL)
                   AS unconverted,
               quantile_cont(f.cycle_days, 0.5) FILTER (WHERE {won}) AS median_won_cycle_days
        FROM deal_facts AS f
        WHERE f.created_at < ? AND {period} AND {where}
        GROUP BY {"1, 2" if by else "1"}
        ORDER BY {"1, 2" if by else "1"}
        """,
        [end, end, end, end, end, end, *period_params, *params],
    ).df()
    frame["open"] = frame["created"] - frame["won"] - frame["lost"]
    frame = stats.add_rate(frame, "won", frame["won"] + frame["lost"], "win_rate")
    frame["median_won_cycle_days"] = [
        None if pd.isna(v) else float(v) for v in frame["median_won_cycle_days"]
    ]
    frame["cohort_month"] = [v.date() for v in pd.to_datetime(frame["cohort_month"])]
    return frame[(["key"] if by else []) + SUMMARY_COLUMNS].reset_index(drop=True)


def cohort_matrix(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, months: int = 12
) -> pd.DataFrame:
    """Return, per creation month and months after it, cumulative won and closed deals and share.

    Long format: one row per cohort_month and months_after 0..months whose month has begun by
    the as-of date. won_cumulative counts the cohort's deals won by the end of the month
    months_after months after cohort_month (and by the as-of date), closed_cumulative those won
    or lost; cumulative_win_share = won_cumulative / created (share 0..1, Wilson interval).
    """
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= MAX_MONTHS:
        raise BadCohortWindow(
            f"months must be a whole number from 0 to {MAX_MONTHS}, not {months!r}."
        )
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.created_at", filters)
    offsets = ", ".join(f"({m})" for m in range(months + 1))
    closed = "f.status IN ('won', 'lost') AND f.closed_at < ?"
    # A deal dated as closed before its creation month gets a negative offset, so it counts
    # as closed from month 0 on.
    months_to_close = f"{_month_index('f.closed_at')} - {_month_index('f.created_at')}"
    frame = con.execute(
        f"""
        WITH cohort AS (
            SELECT CAST(date_trunc('month', f.created_at) AS DATE) AS cohort_month,
                   CASE WHEN {closed} THEN {months_to_close} END AS closed_after,
                   CASE WHEN f.status = 'won' THEN 1 ELSE 0 END AS is_won
            FROM deal_facts AS f
            WHERE f.created_at < ? AND {period} AND {where}
        ),
        by_month AS (
            SELECT cohort_month, closed_after, count(*) AS deals, sum(is_won) AS won
            FROM cohort
            GROUP BY cohort_month, closed_after
        ),
        cohorts AS (
            SELECT cohort_month, sum(deals) AS created FROM by_month GROUP BY cohort_month
        ),
        grid AS (
            SELECT c.cohort_month, c.created, m.months_after
            FROM cohorts AS c CROSS JOIN (VALUES {offsets}) AS m(months_after)
            WHERE {_month_index("c.cohort_month")} + m.months_after <= ?
        )
        SELECT g.cohort_month, CAST(g.months_after AS BIGINT) AS months_after,
               CAST(coalesce(sum(b.won), 0) AS BIGINT) AS won_cumulative,
               CAST(coalesce(sum(b.deals), 0) AS BIGINT) AS closed_cumulative,
               CAST(g.created AS BIGINT) AS created
        FROM grid AS g
        LEFT JOIN by_month AS b
               ON b.cohort_month = g.cohort_month AND b.closed_after <= g.months_after
        GROUP BY g.cohort_month, g.months_after, g.created
        ORDER BY g.cohort_month, g.months_after
        """,
        [end, end, *period_params, *params, as_of.year * 12 + as_of.month],
    ).df()
    frame = stats.add_rate(frame, "won_cumulative", frame["created"], "cumulative_win_share")
    frame["cohort_month"] = [v.date() for v in pd.to_datetime(frame["cohort_month"])]
    return frame[MATRIX_COLUMNS].reset_index(drop=True)
