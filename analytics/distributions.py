"""Distributions behind the velocity figures: the spread of time in each stage and the
histogram of sales-cycle lengths, computed in the database so that a million deals stay cheap.

The visits and deals are the ones analytics.durations.time_in_stage and analytics.cycle count;
these functions add the quartiles and bins the box plots and histograms need. They describe
metrics already defined there (time in stage, sales cycle), so they declare no definitions.
"""

from __future__ import annotations

from datetime import datetime, time

import duckdb
import pandas as pd

from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    period_condition,
    resolve_as_of,
)

SPREAD_COLUMNS = [
    "pipeline", "stage", "position", "completed_visits", "p10_days", "p25_days", "median_days",
    "p75_days", "p90_days",
]  # fmt: skip
HISTOGRAM_COLUMNS = ["outcome", "bin_start", "bin_end", "deals", "open_ended"]
OUTCOMES = ("won", "lost")

# Band widths in days a histogram may use: whole days, weeks, months, quarters.
_WIDTHS = (1, 2, 5, 7, 14, 30, 60, 90, 180, 365)
_TARGET_BINS = 25
_MICROS_PER_DAY = "86400000000.0"


def stage_spread(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return per open stage of filters.pipeline the completed visits started in the period and
    their 10th/25th/50th/75th/90th percentile in days (None without visits).

    The median equals time_in_stage's median_days. ValueError without filters.pipeline.
    """
    if not filters.pipeline:
        raise ValueError("the spread of time in stage needs one pipeline: set filters.pipeline")
    end = datetime.combine(as_of_end(resolve_as_of(con, filters)), time())
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("v.entered_at", filters)
    # A visit ends at the next stage event, else at its deal's close (analytics.durations).
    ended = (
        "coalesce(v.left_at, CASE WHEN f.status IN ('won', 'lost') "
        "THEN greatest(f.closed_at, v.entered_at) END)"
    )
    days = f"(epoch_us({ended}) - epoch_us(v.entered_at)) / {_MICROS_PER_DAY}"
    visits = f"""
            SELECT v.position, {days} AS days
            FROM stage_visits AS v JOIN deal_facts AS f ON f.deal_id = v.deal_id
            WHERE v.pipeline = ? AND v.position IS NOT NULL AND v.entered_at < ? AND {period}
              AND {ended} < ? AND {where}"""
    visit_params = [filters.pipeline, end, *period_params, end, *params]
    if not filters.where:
        # Only visits without a next event need their deal (to end at its close): the others
        # skip the join, as in analytics.durations.
        visits = f"""
            SELECT v.position,
                   (epoch_us(v.left_at) - epoch_us(v.entered_at)) / {_MICROS_PER_DAY} AS days
            FROM stage_visits AS v
            WHERE v.pipeline = ? AND v.position IS NOT NULL AND v.entered_at < ? AND {period}
              AND v.left_at < ?
            UNION ALL {visits} AND v.left_at IS NULL"""
        visit_params = [filters.pipeline, end, *period_params, end, *visit_params]
    frame = con.execute(
        f"""
        WITH visits AS ({visits}),
        spread AS (
            SELECT position, count(*) AS completed_visits,
                   quantile_cont(days, [0.1, 0.25, 0.5, 0.75, 0.9]) AS q
            FROM visits GROUP BY position
        )
        SELECT p.pipeline, p.stage, p.position,
               coalesce(s.completed_visits, 0) AS completed_visits,
               s.q[1] AS p10_days, s.q[2] AS p25_days, s.q[3] AS median_days,
               s.q[4] AS p75_days, s.q[5] AS p90_days
        FROM pipelines_stages AS p LEFT JOIN spread AS s ON s.position = p.position
        WHERE p.pipeline = ?
        ORDER BY p.position
        """,
        [*visit_params, filters.pipeline],
    ).df()
    for col in SPREAD_COLUMNS[4:]:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame[SPREAD_COLUMNS].reset_index(drop=True)


def _closed(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, list]:
    """Return (SQL, parameters) of outcome and cycle_days of the deals closed in the period
    with a cycle (the deals analytics.cycle.sales_cycle averages)."""
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    sql = f"""
        SELECT f.status AS outcome, f.cycle_days
        FROM deal_facts AS f
        WHERE f.status IN ('won', 'lost') AND f.closed_at < ? AND {period} AND {where}
          AND f.cycle_days IS NOT NULL"""
    return sql, [as_of_end(resolve_as_of(con, filters)), *period_params, *params]


def band_width(p95_days: float) -> int:
    """Return the histogram band width in days: the smallest of whole days, weeks, months...
    that covers p95_days in about 25 bands or fewer."""
    for width in _WIDTHS:
        if p95_days <= width * _TARGET_BINS:
            return width
    return _WIDTHS[-1]


def cycle_histogram(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return the deals closed in the period per band of sales-cycle length (whole days), won
    and lost.

    Bands are [bin_start, bin_end) days, of one width chosen from the 95th percentile (band_width)
    and starting at 0; the last band is open_ended: it holds every cycle from its bin_start on,
    so a few very long cycles do not flatten the chart. Every band up to the last gets a won and
    a lost row (deals 0 when none); no rows when no deal closed.
    """
    closed, params = _closed(con, filters)
    p95 = con.execute(f"SELECT quantile_cont(cycle_days, 0.95) FROM ({closed})", params).fetchone()[
        0
    ]
    if p95 is None:
        return pd.DataFrame(columns=HISTOGRAM_COLUMNS)
    width = band_width(float(p95))
    # The open-ended band starts at the first band edge above the 95th percentile.
    last = int(float(p95) // width) + 1
    rows = con.execute(
        f"""
        SELECT outcome, least(CAST(cycle_days // ? AS BIGINT), ?) AS band, count(*) AS deals
        FROM ({closed}) GROUP BY 1, 2
        """,
        [width, last, *params],
    ).fetchall()
    found = {(outcome, int(band)): int(n) for outcome, band, n in rows}
    top = max(band for _, band in found)
    records = [
        (outcome, band * width, (band + 1) * width, found.get((outcome, band), 0), band == last)
        for band in range(top + 1)
        for outcome in OUTCOMES
    ]
    frame = pd.DataFrame(records, columns=HISTOGRAM_COLUMNS)
    return frame.astype({"bin_start": "int64", "bin_end": "int64", "deals": "int64"})
