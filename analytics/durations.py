"""Time in stage: how long stage visits last, with a survival-adjusted median, and bottlenecks.

A visit starts at a stage event and ends at the deal's next stage event (Won and Lost are
events too). A visit still running at the end of the as-of date is open: it is censored there.
Durations are exact fractional days.
"""

from __future__ import annotations

from datetime import date, datetime, time

import duckdb
import pandas as pd

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

TIME_IN_STAGE_MEDIAN = define(
    "time_in_stage_median",
    "Median time in stage",
    "median duration in days of the completed visits of the stage (each visit counts, so a "
    "deal that moved back and re-entered the stage contributes each visit)",
    None,
    "the visit started (entered_at) in the period and ended before the end of the as-of date",
    "visits still running at the as-of date; outcome events (Won, Lost) and stages not in the "
    "pipeline",
    "days",
)
TIME_IN_STAGE_KM_MEDIAN = define(
    "time_in_stage_km_median",
    "Survival-adjusted median time in stage (Kaplan-Meier)",
    "smallest duration at which the Kaplan-Meier estimate of the share of visits still in the "
    "stage falls to 50% or below, over completed visits and visits still running (censored "
    "at the end of the as-of date)",
    None,
    "the visit started (entered_at) in the period and on or before the as-of date",
    "outcome events (Won, Lost) and stages not in the pipeline; empty while the estimate "
    "stays above 50% (too few visits have ended)",
    "days",
)
OPEN_IN_STAGE = define(
    "open_in_stage",
    "Deals in the stage now",
    "deals whose visit of the stage is running at the end of the as-of date, with the median "
    "age of those visits in days",
    None,
    "the as-of date, whatever the period",
    "deals closed or moved on by the as-of date, and deals that entered after it",
    "deals",
)
BOTTLENECK = define(
    "bottleneck",
    "Bottleneck stage",
    "survival-adjusted median time in the stage",
    "sum of the survival-adjusted medians of the pipeline's stages",
    "the visit started (entered_at) in the period and on or before the as-of date",
    "stages without a survival-adjusted median (their estimate stays above 50%)",
    "share",
)

TIME_IN_STAGE_COLUMNS = [
    "pipeline", "stage", "position", "completed_visits", "median_days", "mean_days", "p75_days",
    "p90_days", "km_median_days", "open_now", "open_median_age_days",
]  # fmt: skip
_STAT_COLUMNS = [
    "median_days", "mean_days", "p75_days", "p90_days", "km_median_days", "open_median_age_days",
]  # fmt: skip
BOTTLENECK_COLUMNS = ["pipeline", "stage", "position", "km_median_days", "share", "is_bottleneck"]
STAGE_TOTAL_COLUMNS = ["stage", "position", "visits", "total_days"]
VISIT_COLUMNS = ["stage", "position", "entered_at", "left_at", "days", "is_open"]

# S goes through ln and exp, so an exact 0.5 can come out a rounding error above it.
_KM_TOLERANCE = 1e-9

# Kaplan-Meier median per group g, from visits(g, in_period, completed, micros, days) and
# summary(g, n), n the period's visits. Ordered by duration (completed before censored at equal
# durations, so those censored are still at risk), visit r (1-based) has n - r + 1 at risk. Were
# every visit an event, S after r visits would telescope to (n - r) / n; a censored visit at place
# c contributes no factor, so S is that divided by exp(k), k the sum of ln((n - c) / (n - c + 1))
# over the censored visits so far. Between two censored visits S therefore falls in closed form,
# and the first r with S <= 0.5 is ceil(n - 0.5 n exp(k)). That takes one row_number over the
# visits and a running sum over the censored ones only, several times cheaper than running sums
# over every distinct duration, and ties give the same median as grouping them would.
_KM_SQL = """
        ranked AS (
            SELECT g, days, completed,
                   row_number() OVER (PARTITION BY g ORDER BY micros, completed DESC) AS r
            FROM visits WHERE in_period
        ),
        censored AS (
            SELECT c.g, c.r, m.n,
                   -- a censored last visit has factor 0 / 1, but no event follows it
                   sum(CASE WHEN c.r < m.n THEN ln(CAST(m.n - c.r AS DOUBLE) / (m.n - c.r + 1))
                            ELSE 0 END)
                       OVER (PARTITION BY c.g ORDER BY c.r
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS k,
                   lead(c.r) OVER (PARTITION BY c.g ORDER BY c.r) AS next_r
            FROM ranked AS c JOIN summary AS m ON m.g = c.g
            WHERE NOT c.completed
        ),
        runs AS (
            -- stretches of events: before the first censored visit, and after each one
            SELECT g, r + 1 AS first_r, coalesce(next_r - 1, n) AS last_r, k, n FROM censored
            UNION ALL
            SELECT m.g, 1, coalesce(min(c.r) - 1, m.n), 0.0, m.n
            FROM summary AS m LEFT JOIN censored AS c ON c.g = m.g
            WHERE m.n > 0
            GROUP BY m.g, m.n
        ),
        crossing AS (
            SELECT g, last_r,
                   greatest(first_r, CAST(ceil(n - n * (0.5 + ?) * exp(k)) AS BIGINT)) AS r
            FROM runs
        ),
        km AS (
            SELECT x.g, x.days AS km_median_days
            FROM (SELECT g, min(r) AS r FROM crossing WHERE r <= last_r GROUP BY g) AS hit
            JOIN ranked AS x ON x.g = hit.g AND x.r = hit.r
        )"""


class UnknownDeal(AnalyticsError):
    """A deal timeline was asked for a deal id the store does not hold."""

    title = "Unknown deal"


_MICROS_PER_DAY = "86400000000.0"


def _micros(end: str, start: str) -> str:
    """Return SQL for the whole microseconds from timestamp start to timestamp end."""
    # DuckDB's epoch_us (integer microseconds keeps equal durations equal, which KM ties need);
    # Spark calls it unix_micros, Trino to_unixtime (seconds).
    return f"(epoch_us({end}) - epoch_us({start}))"


def _days(end: str, start: str) -> str:
    """Return SQL for the exact fractional days from timestamp start to timestamp end."""
    return f"{_micros(end, start)} / {_MICROS_PER_DAY}"


def visit_end(alias_v: str, alias_f: str) -> str:
    """Return SQL for when a visit ended: the next stage event, else the deal's close.

    Histories that stop before the outcome event still end the last visit when the deal
    closed, so a closed deal never counts as sitting in a stage.
    """
    return (
        f"coalesce({alias_v}.left_at, CASE WHEN {alias_f}.status IN ('won', 'lost') "
        f"THEN greatest({alias_f}.closed_at, {alias_v}.entered_at) END)"
    )


def _nones(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return frame with missing statistics as None rather than NaN."""
    for col in columns:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _end_timestamp(as_of: date) -> datetime:
    """Return the instant the as-of date ends (midnight after it)."""
    return datetime.combine(as_of_end(as_of), time())


def _raw_visits(
    period: str,
    period_params: list,
    end: datetime,
    key: str,
    facts: str,
    ended: str,
    where: str,
    params: list,
    which: str,
) -> tuple[str, list]:
    """Return (SELECT, parameters) of the visits v (which of them) of the stages with g, whether
    they started in the period, whether they ended by end, and when they ended.

    facts joins deal_facts f when ended or where read it.
    """
    sql = f"""
            SELECT s.g, v.entered_at, {period} AS in_period,
                   coalesce({ended} < ?, FALSE) AS completed, {ended} AS ended_at
            FROM stage_visits AS v
            {facts}
            JOIN stages AS s ON s.key = {key} AND s.pipeline = v.pipeline
                            AND s.position = v.position
            -- Only visits of the period or running after the as-of date can count: dropping the
            -- rest before the join to deal_facts spares most of the history (implied by the
            -- filter of visits, since a visit that ended by then has left_at before the end).
            WHERE v.entered_at < ? AND ({period} OR v.left_at IS NULL OR v.left_at >= ?)
              AND {which} AND {where}"""
    return sql, [*period_params, end, end, *period_params, end, *params]


def time_in_stage(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return per open stage the completed visits' count and median/mean/p75/p90 in days, the
    Kaplan-Meier median in days, and the deals in the stage at the as-of date with their median
    age in days.

    One row per open stage of the chosen pipeline, or of each pipeline the filtered deals belong
    to (per key with by), ordered by pipeline and position; stages without visits have zero
    counts and None figures.
    """
    end = _end_timestamp(resolve_as_of(con, filters))
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("v.entered_at", filters)
    key = key_sql(con, by) if by else "''"
    # A chosen pipeline shows its stages even when no deal passes the filters; otherwise the
    # pipelines (per key) of the deals that do.
    if filters.pipeline and not by:
        scope, scope_params = "SELECT '' AS key, CAST(? AS VARCHAR) AS pipeline", [filters.pipeline]
    else:
        scope = (
            f"SELECT DISTINCT {key} AS key, f.pipeline FROM deal_facts AS f "
            f"WHERE f.pipeline IS NOT NULL AND {where}"
        )
        scope_params = params
    facts = "JOIN deal_facts AS f ON f.deal_id = v.deal_id"
    if by or filters.where:
        raw, raw_params = _raw_visits(
            period, period_params, end, key, facts, visit_end("v", "f"), where, params, "TRUE"
        )
    else:
        # Without a breakdown or conditions on deal columns (stage_visits has the pipeline), only
        # visits without a next event need deal_facts (to end at the deal's close): joining just
        # those spares a join of every visit to every deal.
        visit_where, visit_params = deal_conditions(con, filters, "v")
        followed, followed_params = _raw_visits(
            period,
            period_params,
            end,
            key,
            "",
            "v.left_at",
            visit_where,
            visit_params,
            "v.left_at IS NOT NULL",
        )
        last, last_params = _raw_visits(
            period,
            period_params,
            end,
            key,
            facts,
            visit_end("v", "f"),
            where,
            params,
            "v.left_at IS NULL",
        )
        raw, raw_params = f"{followed} UNION ALL {last}", [*followed_params, *last_params]
    frame = con.execute(
        f"""
        WITH stages AS (
            -- One number g per (key, stage): windows and groupings on an integer run several
            -- times faster than on text, and every later step works per g.
            SELECT s.key, p.pipeline, p.stage, p.position,
                   row_number() OVER (ORDER BY s.key, p.pipeline, p.position) AS g
            FROM ({scope}) AS s
            JOIN pipelines_stages AS p ON p.pipeline = s.pipeline
        ),
        raw AS ({raw}),
        visits AS (
            -- micros orders the visits for Kaplan-Meier: integers sort faster than the days
            -- (doubles), in the same order.
            SELECT g, in_period, completed, micros, micros / {_MICROS_PER_DAY} AS days
            FROM (
                SELECT g, in_period, completed,
                       {_micros("CASE WHEN completed THEN ended_at ELSE ? END", "entered_at")}
                           AS micros
                FROM raw
                WHERE in_period OR NOT completed
            ) AS t
        ),
        summary AS (
            SELECT g,
                   count(*) FILTER (WHERE in_period AND completed) AS completed_visits,
                   quantile_cont(days, 0.5) FILTER (WHERE in_period AND completed) AS median_days,
                   avg(days) FILTER (WHERE in_period AND completed) AS mean_days,
                   quantile_cont(days, 0.75) FILTER (WHERE in_period AND completed) AS p75_days,
                   quantile_cont(days, 0.9) FILTER (WHERE in_period AND completed) AS p90_days,
                   count(*) FILTER (WHERE in_period) AS n,
                   count(*) FILTER (WHERE NOT completed) AS open_now,
                   quantile_cont(days, 0.5) FILTER (WHERE NOT completed) AS open_median_age_days
            FROM visits GROUP BY g
        ),
        {_KM_SQL}
        SELECT s.key, s.pipeline, s.stage, s.position,
               coalesce(m.completed_visits, 0) AS completed_visits,
               m.median_days, m.mean_days, m.p75_days, m.p90_days, km.km_median_days,
               coalesce(m.open_now, 0) AS open_now, m.open_median_age_days
        FROM stages AS s
        LEFT JOIN summary AS m ON m.g = s.g
        LEFT JOIN km ON km.g = s.g
        ORDER BY s.key, s.pipeline, s.position
        """,
        [*scope_params, *raw_params, end, _KM_TOLERANCE],
    ).df()
    frame = _nones(frame, _STAT_COLUMNS)
    columns = (["key"] if by else []) + TIME_IN_STAGE_COLUMNS
    return frame[columns].reset_index(drop=True)


def bottleneck(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, stages: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return per open stage its Kaplan-Meier median (days), its share (0..1) of the sum of its
    pipeline's KM medians, and is_bottleneck for the stage with the largest share per pipeline.

    Stages without a KM median have no share; ties go to the earlier stage. stages is the
    time_in_stage frame of the same filters when the caller already has it (no second query).
    """
    if stages is None:
        stages = time_in_stage(con, filters)
    frame = stages[["pipeline", "stage", "position", "km_median_days"]]
    known = frame["km_median_days"].astype(float)
    totals = known.groupby(frame["pipeline"]).transform("sum")
    share = (known / totals).where(totals > 0)
    # idxmax keeps the first of equal shares; rows are in position order.
    best = share.dropna().groupby(frame["pipeline"]).idxmax()
    frame = frame.assign(share=share, is_bottleneck=frame.index.isin(best.to_numpy()))
    return _nones(frame, ["share"])[BOTTLENECK_COLUMNS].reset_index(drop=True)


def deal_visits(
    con: duckdb.DuckDBPyConnection, deal_id: str, as_of: date | None = None
) -> pd.DataFrame:
    """Return one deal's stage visits up to the as-of date in order, with their length in days.

    An open visit (is_open) ends at the end of the as-of date for display; outcome events are
    not visits. UnknownDeal when the store has no such deal.
    """
    end = _end_timestamp(resolve_as_of(con, Filters(as_of=as_of)))
    # LEFT JOIN from deals: an unknown deal gives no row, a deal without visits one empty row.
    frame = con.execute(
        f"""
        WITH visits AS (
            SELECT v.stage, v.position, v.entered_at, {visit_end("v", "d")} AS ended_at
            FROM deal_facts AS d
            LEFT JOIN stage_visits AS v
                ON v.deal_id = d.deal_id AND NOT v.is_outcome AND v.entered_at < ?
            WHERE d.deal_id = ?
        ),
        shown AS (
            SELECT stage, position, entered_at,
                   CASE WHEN ended_at < ? THEN ended_at ELSE ? END AS left_at,
                   NOT coalesce(ended_at < ?, FALSE) AS is_open
            FROM visits
        )
        SELECT stage, position, entered_at, left_at, {_days("left_at", "entered_at")} AS days,
               is_open
        FROM shown ORDER BY entered_at, position
        """,
        [end, deal_id, end, end, end],
    ).df()
    if frame.empty:
        raise UnknownDeal(f"There is no deal {deal_id!r} in this database.")
    return frame[frame["entered_at"].notna()][VISIT_COLUMNS].reset_index(drop=True)


def deal_stage_totals(
    con: duckdb.DuckDBPyConnection, deal_id: str, as_of: date | None = None
) -> pd.DataFrame:
    """Return one deal's number of visits and total days per stage up to the as-of date.

    The open visit counts up to the end of the as-of date. Stages are in pipeline order, stages
    not in the pipeline last. UnknownDeal when the store has no such deal.
    """
    visits = deal_visits(con, deal_id, as_of)
    totals = (
        visits.groupby("stage", sort=False)
        .agg(position=("position", "first"), visits=("days", "size"), total_days=("days", "sum"),
             first=("entered_at", "min"))
        .reset_index()
    )  # fmt: skip
    totals = totals.sort_values(["position", "first"], na_position="last", kind="stable")
    return totals[STAGE_TOTAL_COLUMNS].reset_index(drop=True)
