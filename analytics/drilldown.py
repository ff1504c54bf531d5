"""The records behind the funnel and time-in-stage figures: dropped deals, deals sitting in a
stage, completed visits, and the pipelines a view spans.

Each list selects exactly what its figure counts, under the same filters and as-of date, so a
drill-down from a bar shows the deals (or visits) that make it up.
"""

from __future__ import annotations

from datetime import datetime, time

import duckdb
import pandas as pd

from analytics import funnel
from analytics.durations import visit_end
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    period_condition,
    resolve_as_of,
)

DROPPED_COLUMNS = [*funnel.DEAL_COLUMNS, "closed_at"]
SITTING_COLUMNS = ["deal_id", "name", "owner", "pipeline", "stage", "amount", "entered_at", "days"]
VISIT_COLUMNS = [
    "deal_id", "name", "owner", "pipeline", "stage", "entered_at", "left_at", "days",
]  # fmt: skip

_MICROS_PER_DAY = "86400000000.0"


# When visit v of deal f ended (the rule of analytics.durations).
_VISIT_END = visit_end("v", "f")


def _position(con: duckdb.DuckDBPyConnection, pipeline: str, stage: str) -> int:
    """Return the position of an open stage of pipeline; UnknownStage for anything else."""
    row = con.execute(
        "SELECT position FROM pipelines_stages WHERE pipeline = ? AND stage = ?",
        [pipeline, stage],
    ).fetchone()
    if row is None:
        raise funnel.UnknownStage(f"Pipeline {pipeline} has no open stage {stage!r}.")
    return int(row[0])


def pipelines_by_size(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[tuple[str, int]]:
    """Return (pipeline, deals) for the pipelines of the deals passing the filters' conditions,
    most deals first (the period does not apply: it only says which pipelines are in view)."""
    where, params = deal_conditions(con, filters, "d")
    rows = con.execute(
        f"SELECT d.pipeline, count(*) AS deals FROM deals AS d "
        f"WHERE d.pipeline IS NOT NULL AND {where} GROUP BY d.pipeline ORDER BY deals DESC, 1",
        params,
    ).fetchall()
    return [(name, int(n)) for name, n in rows]


def drop_off_deals(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    stage: str,
    *,
    mode: str = "reached",
    limit: int = 1000,
) -> pd.DataFrame:
    """Return the deals counted in a funnel stage's drop-off, largest amount (reporting
    currency) first: lost by the as-of date while their furthest open stage was this one.

    The cohort created in the period in the reached and entered modes, the deals closed in the
    period in the active mode (as funnel.funnel counts them). stage and status are the deal's
    at the as-of date (Lost, lost). At most limit rows; UnknownStage for a stage that is not an
    open stage of the pipeline.
    """
    if mode not in funnel.MODES:
        raise ValueError(f"unknown funnel mode {mode!r}")
    pipeline = funnel.one_pipeline(con, filters)
    if pipeline is None:
        return pd.DataFrame(columns=DROPPED_COLUMNS)
    position = _position(con, pipeline, stage)
    # The funnel's own description of each deal at the as-of date (events replayed when the
    # data goes on after it), so that the list holds exactly the deals the bar counts.
    sql, params = funnel.deal_states(con, filters, pipeline, None, cohort_only=mode != "active")
    member = "s.closed_in_period = 1" if mode == "active" else "s.cohort = 1"
    frame = con.execute(
        f"""
        {sql}
        SELECT f.deal_id, f.name, f.owner, f.pipeline, 'Lost' AS stage, 'lost' AS status,
               f.amount_rep AS amount, f.created_at, f.closed_at
        FROM state AS s JOIN deal_facts AS f ON f.deal_id = s.deal_id
        WHERE s.lost = 1 AND s.furthest = ? AND {member}
        ORDER BY f.amount_rep DESC NULLS LAST, f.deal_id
        LIMIT ?
        """,
        [*params, position, limit],
    ).df()
    return frame[DROPPED_COLUMNS].reset_index(drop=True)


def _stage_visits(
    con: duckdb.DuckDBPyConnection, filters: Filters, stage: str
) -> tuple[str, list, datetime]:
    """Return (FROM ... WHERE, parameters, end) of the visits v of stage with their deal f."""
    if not filters.pipeline:
        raise ValueError("a stage's deals need one pipeline: set filters.pipeline")
    position = _position(con, filters.pipeline, stage)
    end = datetime.combine(as_of_end(resolve_as_of(con, filters)), time())
    where, params = deal_conditions(con, filters, "f")
    sql = f"""
        FROM stage_visits AS v JOIN deal_facts AS f ON f.deal_id = v.deal_id
        WHERE v.pipeline = ? AND v.position = ? AND v.entered_at < ? AND {where}"""
    return sql, [filters.pipeline, position, end, *params], end


def deals_in_stage(
    con: duckdb.DuckDBPyConnection, filters: Filters, stage: str, *, limit: int = 1000
) -> pd.DataFrame:
    """Return the deals whose visit of stage runs at the end of the as-of date, longest first,
    with the days (fractional) since they entered it; amount in the reporting currency.

    These are the visits time_in_stage counts as open_now (the period does not apply).
    filters.pipeline must be set; at most limit rows.
    """
    visits, params, end = _stage_visits(con, filters, stage)
    frame = con.execute(
        f"""
        SELECT v.deal_id, f.name, f.owner, v.pipeline, v.stage, f.amount_rep AS amount,
               v.entered_at,
               (epoch_us(CAST(? AS TIMESTAMP)) - epoch_us(v.entered_at)) / {_MICROS_PER_DAY}
                   AS days
        {visits} AND (v.left_at IS NULL OR v.left_at >= ?) AND coalesce({_VISIT_END} >= ?, TRUE)
        ORDER BY v.entered_at, v.deal_id
        LIMIT ?
        """,
        [end, *params, end, end, limit],
    ).df()
    return frame[SITTING_COLUMNS].reset_index(drop=True)


def completed_visits(
    con: duckdb.DuckDBPyConnection, filters: Filters, stage: str, *, limit: int = 1000
) -> pd.DataFrame:
    """Return the completed visits of stage that started in the period, longest first, with
    their length in days (fractional): the visits behind time_in_stage's figures.

    filters.pipeline must be set; at most limit rows.
    """
    visits, params, end = _stage_visits(con, filters, stage)
    period, period_params = period_condition("v.entered_at", filters)
    frame = con.execute(
        f"""
        SELECT v.deal_id, f.name, f.owner, v.pipeline, v.stage, v.entered_at,
               {_VISIT_END} AS left_at,
               (epoch_us({_VISIT_END}) - epoch_us(v.entered_at)) / {_MICROS_PER_DAY} AS days
        {visits} AND {_VISIT_END} < ? AND {period}
        ORDER BY days DESC, v.deal_id, v.entered_at
        LIMIT ?
        """,
        [*params, end, *period_params, limit],
    ).df()
    return frame[VISIT_COLUMNS].reset_index(drop=True)
