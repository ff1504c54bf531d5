"""Forecast for a period: won so far plus the open deals due in it, and coverage of the target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import stats
from analytics.definitions import define
from analytics.errors import AnalyticsError
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    period_condition,
    resolve_as_of,
)
from analytics.pipeline_value import open_deals_sql

_DUE = (
    "open deals at the as-of date (in the stage they were in then) whose expected close date "
    "falls in the period"
)
_WON_SO_FAR = "the amount won so far (deals won in the period up to the as-of date)"
_ANCHOR = (
    "won: the close date (closed_at) falls in the period and on or before the as-of date; "
    "open: the expected close date falls in the period"
)
_EXCLUDES = (
    "open deals without an expected close date; deals without an amount or without an "
    "exchange rate (counted, not summed)"
)

FORECAST = define(
    "forecast",
    "Forecast",
    f"{_WON_SO_FAR} + Σ amount × configured stage probability over the {_DUE}",
    None,
    _ANCHOR,
    _EXCLUDES + "; deals in a stage without a probability add 0",
    "currency",
)
FORECAST_COMMIT = define(
    "forecast_commit",
    "Forecast (commit)",
    f"{_WON_SO_FAR} + the amount of the {_DUE}, in the last open stage of their pipeline",
    None,
    _ANCHOR,
    _EXCLUDES,
    "currency",
)
FORECAST_BEST_CASE = define(
    "forecast_best_case",
    "Forecast (best case)",
    f"{_WON_SO_FAR} + the amount of all the {_DUE}",
    None,
    _ANCHOR,
    _EXCLUDES,
    "currency",
)
PIPELINE_COVERAGE = define(
    "pipeline_coverage",
    "Pipeline coverage",
    f"amount of the {_DUE}",
    "(target − won so far); the target is the given one, else the sum of the won_amount "
    "targets whose period lies within the period, for the owners filtered on, else the "
    "teams filtered on, else the company",
    _ANCHOR,
    _EXCLUDES + "; no figure without a target or when the target is already reached",
    "ratio",
)

CATEGORIES = ("commit", "best_case")
DRILL_COLUMNS = ["deal_id", "name", "owner", "stage", "amount", "expected_close_date",
                 "probability"]  # fmt: skip


class PeriodRequired(AnalyticsError):
    """A forecast needs a period with a start and an end."""

    title = "Period required"


class UnknownCategory(AnalyticsError):
    """A forecast drill-down was asked for a category other than commit or best_case."""

    title = "Unknown forecast category"


@dataclass(frozen=True)
class Forecast:
    """A period's forecast; amounts in the reporting currency.

    weighted_open is the probability-weighted amount of the open deals due in the period,
    open_due_amount their whole amount; forecast, commit and best_case include won_so_far.
    unconverted counts won and due deals whose amount could not be converted and is left out
    of every sum.
    """

    period_start: date
    period_end: date
    won_so_far: float
    weighted_open: float
    forecast: float
    commit: float
    best_case: float
    open_due_count: int
    unconverted: int
    open_due_amount: float


@dataclass(frozen=True)
class Coverage:
    """Open pipeline due in the period over what is left of the target (a ratio).

    Amounts in the reporting currency; target, gap and coverage are None without a target,
    coverage also when the gap is <= 0 (target reached).
    """

    open_due_amount: float
    target: float | None
    won_so_far: float
    gap: float | None
    coverage: float | None
    unconverted: int


def _check_period(filters: Filters) -> None:
    """Raise PeriodRequired unless the filters' period has both ends."""
    if filters.start is None or filters.end is None:
        raise PeriodRequired("A forecast needs a period: choose both a start and an end date.")


def _due_sql(con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date) -> tuple[str, list]:
    """Return (SELECT, parameters) of the deals open at as_of and due in the period."""
    open_sql, open_params = open_deals_sql(con, filters, as_of)
    due, due_params = period_condition("o.expected_close_date", filters)
    return f"SELECT * FROM ({open_sql}) AS o WHERE {due}", [*open_params, *due_params]


def _figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict:
    """Return the sums behind forecast and coverage for the filters' period."""
    _check_period(filters)
    as_of = resolve_as_of(con, filters)
    due_sql, due_params = _due_sql(con, filters, as_of)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    unconverted = "count(*) FILTER (WHERE amount IS NOT NULL AND amount_rep IS NULL)"
    cursor = con.execute(
        f"""
        WITH due AS (
            SELECT count(*) AS open_due_count,
                   coalesce(sum(amount_rep * coalesce(probability, 0)), 0) AS weighted_open,
                   coalesce(sum(amount_rep) FILTER (WHERE last_stage), 0) AS commit_open,
                   coalesce(sum(amount_rep), 0) AS best_open,
                   {unconverted} AS due_unconverted
            FROM ({due_sql}) AS d
        ),
        won AS (
            SELECT coalesce(sum(amount_rep), 0) AS won_so_far, {unconverted} AS won_unconverted
            FROM deal_facts AS f
            WHERE f.status = 'won' AND f.closed_at < ? AND {period} AND {where}
        )
        SELECT * FROM won CROSS JOIN due
        """,
        [*due_params, as_of_end(as_of), *period_params, *params],
    )
    names = [c[0] for c in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def forecast(con: duckdb.DuckDBPyConnection, filters: Filters) -> Forecast:
    """Return the period's forecast, commit and best case in the reporting currency.

    PeriodRequired unless the filters' period has both ends.
    """
    f = _figures(con, filters)
    won = float(f["won_so_far"])
    return Forecast(
        period_start=filters.start,
        period_end=filters.end,
        won_so_far=won,
        weighted_open=float(f["weighted_open"]),
        forecast=won + float(f["weighted_open"]),
        commit=won + float(f["commit_open"]),
        best_case=won + float(f["best_open"]),
        open_due_count=int(f["open_due_count"]),
        unconverted=int(f["won_unconverted"] + f["due_unconverted"]),
        open_due_amount=float(f["best_open"]),
    )


def period_target(con: duckdb.DuckDBPyConnection, filters: Filters) -> float | None:
    """Return the summed won_amount targets of the filters' scope lying within their period
    (reporting currency; None when there is none): owner, else team, else company."""
    where = dict(filters.where)
    if "owner" in where:
        scope, values = "owner", where["owner"]
    elif "team" in where:
        scope, values = "team", where["team"]
    else:
        scope, values = "company", ()
    of_values = f" AND scope_value IN ({', '.join('?' for _ in values)})" if values else ""
    total, count = con.execute(
        "SELECT sum(target_value), count(*) FROM targets "
        "WHERE metric = 'won_amount' AND scope = ? AND period_start >= ? AND period_end <= ?"
        + of_values,
        [scope, filters.start, filters.end, *values],
    ).fetchone()
    return float(total) if count else None


def coverage(
    con: duckdb.DuckDBPyConnection, filters: Filters, target: float | None = None
) -> Coverage:
    """Return pipeline coverage: amount due in the period ÷ (target − won so far), a ratio.

    Without target, the won_amount targets of the filters' scope (owner, else team, else
    company) whose period lies within the filters' period are summed. PeriodRequired unless
    the period has both ends.
    """
    outlook = forecast(con, filters)
    return coverage_of(outlook, period_target(con, filters) if target is None else target)


def coverage_of(outlook: Forecast, target: float | None) -> Coverage:
    """Return the coverage of a forecast's period against target (see coverage), a ratio.

    For a page that shows the forecast too: both come from the same sums.
    """
    won, due = outlook.won_so_far, outlook.open_due_amount
    gap = None if target is None else target - won
    return Coverage(
        open_due_amount=due,
        target=target,
        won_so_far=won,
        gap=gap,
        coverage=stats.ratio(due, gap) if gap is not None and gap > 0 else None,
        unconverted=outlook.unconverted,
    )


def forecast_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, category: str
) -> pd.DataFrame:
    """Return the open deals behind the commit or best_case figure, largest amount first.

    amount is the deal's amount in the reporting currency at the as-of date's rates (None when
    missing or not convertible), stage the one it was in at the as-of date and probability
    that stage's configured one.
    """
    if category not in CATEGORIES:
        raise UnknownCategory(
            f"Unknown forecast category {category!r}: use {' or '.join(CATEGORIES)}."
        )
    _check_period(filters)
    due_sql, params = _due_sql(con, filters, resolve_as_of(con, filters))
    only_commit = "WHERE d.last_stage" if category == "commit" else ""
    return con.execute(
        f"""
        SELECT d.deal_id, d.name, d.owner, d.stage, d.amount_rep AS amount,
               d.expected_close_date, d.probability
        FROM ({due_sql}) AS d
        {only_commit}
        ORDER BY d.amount_rep DESC NULLS LAST, d.deal_id
        """,
        params,
    ).df()[DRILL_COLUMNS]
