"""Pipeline value at an as-of date: open and weighted pipeline, stage win probabilities, velocity.

Open deals are a snapshot at the as-of date, so the period never applies to them. For an as-of
date earlier than the data, which deals were open and the stage each was in come from the
timestamps (stage_visits), and the amounts and expected close dates the deals had then from
their recorded changes (analytics.values_at). Amounts convert to the reporting currency at the
as-of date's rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import currency, derived, stats
from analytics.definitions import define
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    key_sql,
    period_condition,
    resolve_as_of,
)
from analytics.values_at import amount_then, changed_since, close_date_then

OPEN_PIPELINE = define(
    "open_pipeline",
    "Open pipeline",
    "sum of the amounts of the deals open at the as-of date, in the reporting currency",
    None,
    "a snapshot at the as-of date: deals created by then without a close date on or before it "
    "(the period does not apply); the stage is the one each deal was in then, the amount the "
    "one it had then (from the recorded amount changes) converted at the as-of date's rate",
    "deals without an amount or without an exchange rate (counted, not summed)",
    "currency",
)
WEIGHTED_PIPELINE = define(
    "weighted_pipeline",
    "Weighted pipeline",
    "sum over the deals open at the as-of date of amount × the configured win probability of "
    "the stage each was in then (shown beside the same sum with the empirical probability)",
    None,
    "a snapshot at the as-of date (the period does not apply)",
    "deals in a stage without a probability add 0 and are counted; deals without an amount or "
    "without an exchange rate",
    "currency",
)
EMPIRICAL_PROBABILITY = define(
    "empirical_probability",
    "Empirical stage win probability",
    "deals that reached the stage and were won",
    "deals closed (won or lost) by the as-of date that reached the stage: their furthest "
    "position is at least the stage's, and every won deal has reached every stage",
    "the close date (closed_at) on or before the as-of date; the period does not apply",
    "open deals; closed deals without a close date",
    "share",
)
PIPELINE_VELOCITY = define(
    "pipeline_velocity",
    "Pipeline velocity",
    "deals open at the as-of date × win rate × average won amount",
    "median sales-cycle length of the deals won, in days",
    "open deals: a snapshot at the as-of date; win rate, average amount and cycle length: the "
    "close date (closed_at) falls in the period and on or before the as-of date",
    "won deals without an amount or exchange rate (from the average; counted), won deals "
    "closed before they were created (from the median); no figure when the median is 0",
    "currency per day",
)
PROBABILITY_CALIBRATION = define(
    "probability_calibration",
    "Probability calibration",
    "deals that left the stage and were won",
    "deals that left the stage (a completed visit) and were closed by the as-of date, each "
    "deal once however often it visited the stage",
    "the close date (closed_at) on or before the as-of date; the period does not apply",
    "open deals, whatever stages they left; closed deals without a close date",
    "share",
)

OPEN_PIPELINE_COLUMNS = [
    "open_count", "open_amount", "weighted_amount", "empirical_weighted_amount",
    "no_probability", "unconverted",
]  # fmt: skip
EMPIRICAL_COLUMNS = [
    "pipeline", "stage", "position", "reached", "won", "probability", "ci_low", "ci_high",
    "small_sample", "configured",
]  # fmt: skip
CALIBRATION_COLUMNS = [
    "pipeline", "stage", "position", "configured", "left", "won", "observed", "ci_low",
    "ci_high", "small_sample",
]  # fmt: skip

# Open at the as-of date, from timestamps alone so that one rule holds for any as-of date.
_OPEN = "f.created_at < ? AND (f.closed_at IS NULL OR f.closed_at >= ?)"


@dataclass(frozen=True)
class Velocity:
    """Pipeline velocity (reporting currency per day) and its four inputs.

    win_rate is a share 0..1, avg_won_amount in the reporting currency, median_won_cycle_days
    in days; unconverted counts won deals left out of the average for want of an exchange rate.
    """

    open_deals: int
    win_rate: float | None
    avg_won_amount: float | None
    median_won_cycle_days: float | None
    per_day: float | None
    unconverted: int


def open_deals_sql(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, *, by: str | None = None
) -> tuple[str, list]:
    """Return (SELECT, parameters) of the deals open at as_of that pass the filters.

    Columns: deal_id, name, owner, pipeline, stage (the one the deal was in at as_of; NULL when
    it had no event by then), position, probability (configured, of that stage), last_stage (in
    the last open stage of its pipeline), amount (the deal's currency) and expected_close_date as
    they were at as_of, amount_rep (in the reporting currency at the rates of as_of), and key
    (the by dimension as text) when by is given.
    """
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    key = f", {key_sql(con, by)} AS key" if by else ""
    # Open deals are converted at the as-of date's rates, not at amount_rep's (close date for
    # deals closed since).
    if derived.facts_current(con, as_of):
        conv = currency.open_amount_sql(con, as_of, "f")
        sql = f"""
            WITH {conv.cte}
            SELECT f.deal_id, f.name, f.owner, f.pipeline, f.stage, f.stage_position AS position,
                   f.stage_probability AS probability, f.stage_position = f.n_stages AS last_stage,
                   f.amount, {conv.amount} AS amount_rep, f.expected_close_date{key}
            FROM deal_facts AS f
            {conv.join}
            WHERE {_OPEN} AND {where}
        """
        return sql, [*conv.params, end, end, *params]
    # The stage then is the visit running at the end of as_of (none: no event by then); the
    # amount and close date those it had then.
    amount = amount_then("f", "c")
    conv = currency.open_amount_sql(con, as_of, "f", amount=amount)
    sql = f"""
        WITH {conv.cte}
        SELECT f.deal_id, f.name, f.owner, f.pipeline, v.stage, p.position, p.probability,
               p.position = f.n_stages AS last_stage, {amount} AS amount,
               {conv.amount} AS amount_rep, {close_date_then("f", "c")} AS expected_close_date{key}
        FROM deal_facts AS f
        {conv.join}
        LEFT JOIN stage_visits AS v
          ON v.deal_id = f.deal_id AND v.entered_at < ? AND (v.left_at IS NULL OR v.left_at >= ?)
        LEFT JOIN pipelines_stages AS p ON p.pipeline = f.pipeline AND p.stage = v.stage
        LEFT JOIN ({changed_since(f"SELECT f.deal_id FROM deal_facts AS f WHERE {_OPEN} AND {where}")})
          AS c ON c.deal_id = f.deal_id
        WHERE {_OPEN} AND {where}
    """
    return sql, [*conv.params, end, end, end, end, end, end, *params, end, end, *params]


def _empirical_sql(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date
) -> tuple[str, list]:
    """Return (SELECT, parameters) of reached and won per configured stage (empirical view)."""
    where, params = deal_conditions(con, filters, "f")
    stages, stage_params = _stages_condition(con, filters)
    # Closed deals are grouped by furthest position first, so the join to stages stays tiny.
    sql = f"""
        SELECT s.pipeline, s.stage, s.position, s.probability AS configured,
               CAST(coalesce(sum(c.n), 0) AS BIGINT) AS reached,
               CAST(coalesce(sum(c.n) FILTER (WHERE c.won), 0) AS BIGINT) AS won
        FROM pipelines_stages AS s
        LEFT JOIN (
            SELECT f.pipeline, f.status = 'won' AS won, f.furthest_entered AS furthest,
                   count(*) AS n
            FROM deal_facts AS f
            WHERE f.status IN ('won', 'lost') AND f.closed_at < ? AND {where}
            GROUP BY 1, 2, 3
        ) AS c ON c.pipeline = s.pipeline AND (c.won OR c.furthest >= s.position)
        WHERE {stages}
        GROUP BY s.pipeline, s.stage, s.position, s.probability
    """
    return sql, [as_of_end(as_of), *params, *stage_params]


def _stages_condition(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, list]:
    """Return (SQL condition, parameters) keeping the stages of the pipelines s in scope: the
    chosen pipeline (even without deals), else those of the deals passing the filters."""
    if filters.pipeline:
        return "s.pipeline = ?", [filters.pipeline]
    where, params = deal_conditions(con, filters, "f")
    return f"s.pipeline IN (SELECT f.pipeline FROM deal_facts AS f WHERE {where})", params


def open_pipeline(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return count, amount and weighted amounts of the deals open at the as-of date.

    Amounts in the reporting currency: open_amount, weighted_amount (configured stage
    probabilities) and empirical_weighted_amount (empirical_probability over the same filters;
    a stage no closed deal reached adds 0). no_probability counts deals in a stage without a
    configured probability, unconverted those whose amount could not be converted. A snapshot:
    the period does not apply. One row, or one row per value of by (column key).
    """
    as_of = resolve_as_of(con, filters)
    open_sql, open_params = open_deals_sql(con, filters, as_of, by=by)
    emp_sql, emp_params = _empirical_sql(con, filters, as_of)
    return con.execute(
        f"""
        WITH open_deals AS ({open_sql}),
        empirical AS (
            SELECT pipeline, stage, CAST(won AS DOUBLE) / nullif(reached, 0) AS probability
            FROM ({emp_sql}) AS e
        )
        SELECT {"o.key, " if by else ""}
               count(*) AS open_count,
               coalesce(sum(o.amount_rep), 0) AS open_amount,
               coalesce(sum(o.amount_rep * coalesce(o.probability, 0)), 0) AS weighted_amount,
               coalesce(sum(o.amount_rep * coalesce(e.probability, 0)), 0)
                   AS empirical_weighted_amount,
               count(*) FILTER (WHERE o.probability IS NULL) AS no_probability,
               count(*) FILTER (WHERE o.amount IS NOT NULL AND o.amount_rep IS NULL)
                   AS unconverted
        FROM open_deals AS o
        LEFT JOIN empirical AS e ON e.pipeline = o.pipeline AND e.stage = o.stage
        {"GROUP BY o.key ORDER BY o.key" if by else ""}
        """,
        [*open_params, *emp_params],
    ).df()[(["key"] if by else []) + OPEN_PIPELINE_COLUMNS]


def empirical_probability(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return per configured stage the share of closed deals that reached it and were won.

    Deals closed by the as-of date (period not applied); probability is a share 0..1 with its
    95% Wilson interval; configured is the stage's configured probability. Ordered by pipeline
    and position.
    """
    as_of = resolve_as_of(con, filters)
    sql, params = _empirical_sql(con, filters, as_of)
    frame = con.execute(f"{sql} ORDER BY s.pipeline, s.position", params).df()
    frame = stats.add_rate(frame, "won", frame["reached"], "probability")
    return frame[EMPIRICAL_COLUMNS]


def calibration(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return per configured stage its probability beside the observed share won of the deals
    that left it.

    left counts deals (not visits) with a completed visit of the stage, closed by the as-of
    date; observed = won / left, a share 0..1 with its 95% Wilson interval. Period not applied.
    """
    end = as_of_end(resolve_as_of(con, filters))
    where, params = deal_conditions(con, filters, "f")
    stages, stage_params = _stages_condition(con, filters)
    # stage_exits holds one row per deal and stage it left, so a deal counts once per stage
    # however often it came back.
    frame = con.execute(
        f"""
        SELECT s.pipeline, s.stage, s.position, s.probability AS configured,
               count(l.deal_id) AS "left",
               count(l.deal_id) FILTER (WHERE l.won) AS won
        FROM pipelines_stages AS s
        LEFT JOIN (
            SELECT x.pipeline, x.position, x.deal_id, f.status = 'won' AS won
            FROM stage_exits AS x
            JOIN deal_facts AS f ON f.deal_id = x.deal_id
            WHERE x.first_left_at < ?
              AND f.status IN ('won', 'lost') AND f.closed_at < ? AND {where}
        ) AS l ON l.pipeline = s.pipeline AND l.position = s.position
        WHERE {stages}
        GROUP BY s.pipeline, s.stage, s.position, s.probability
        ORDER BY s.pipeline, s.position
        """,
        [end, end, *params, *stage_params],
    ).df()
    frame = stats.add_rate(frame, "won", frame["left"], "observed")
    return frame[CALIBRATION_COLUMNS]


def velocity(con: duckdb.DuckDBPyConnection, filters: Filters) -> Velocity:
    """Return pipeline velocity in reporting currency per day, with its four inputs.

    open deals at the as-of date × win rate × average won amount ÷ median won cycle (days);
    the last three over deals closed in the period up to the as-of date. per_day is None when
    an input is missing or the median cycle is 0 days.
    """
    end = as_of_end(resolve_as_of(con, filters))
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    closed = f"f.closed_at < ? AND {period}"
    won = f"f.status = 'won' AND {closed}"
    row = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE {_OPEN}) AS open_deals,
               count(*) FILTER (WHERE {won}) AS won,
               count(*) FILTER (WHERE f.status = 'lost' AND {closed}) AS lost,
               avg(f.amount_rep) FILTER (WHERE {won}) AS avg_won_amount,
               quantile_cont(f.cycle_days, 0.5) FILTER (WHERE {won}) AS median_cycle,
               count(*) FILTER (WHERE {won} AND f.amount IS NOT NULL AND f.amount_rep IS NULL)
                   AS unconverted
        FROM deal_facts AS f
        WHERE {where}
        """,
        [end, end, *([end, *period_params] * 5), *params],
    ).fetchone()
    open_deals, won_n, lost_n, avg_amount, median, unconverted = row
    rate = stats.ratio(won_n, won_n + lost_n)
    per_day = None
    if rate is not None and avg_amount is not None and median:
        per_day = open_deals * rate * avg_amount / median
    return Velocity(
        open_deals=int(open_deals),
        win_rate=rate,
        avg_won_amount=None if avg_amount is None else float(avg_amount),
        median_won_cycle_days=None if median is None else float(median),
        per_day=per_day,
        unconverted=int(unconverted),
    )
