"""The records behind the activity metrics: activities of a chart's bar or cell, the won deals
with their effort and follow-up, and the deals of the time-to-first-activity cohort.

Each list follows the rules of its metric in analytics.activity_metrics (the same dates, the same
filter scope), so its rows add up to the number the chart shows.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.activity_metrics import _activity_scope
from analytics.errors import AnalyticsError
from analytics.filters import (
    NONE,
    Filters,
    as_of_end,
    deal_conditions,
    period_condition,
    resolve_as_of,
)

STATES = ("completed", "planned", "overdue")

ACTIVITY_COLUMNS = [
    "activity_id", "type", "owner", "state", "at", "days_overdue", "subject", "deal_id",
    "deal_name",
]  # fmt: skip
WON_DEAL_COLUMNS = [
    "deal_id", "name", "owner", "amount", "closed_at", "activities", "followed_up",
    "first_follow_up_at",
]  # fmt: skip
FIRST_ACTIVITY_DEAL_COLUMNS = [
    "deal_id", "name", "owner", "created_at", "first_activity_at", "days", "negative",
]  # fmt: skip


class UnknownState(AnalyticsError):
    """An activity list asked for a state other than completed, planned or overdue."""

    title = "Unknown activity state"


def _equals(expr: str, value: str) -> tuple[str, list]:
    """Return (condition, params) for expr equal to value, NONE meaning it is empty."""
    if value == NONE:
        return f"{expr} IS NULL", []
    return f"{expr} = ?", [value]


def activity_list(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    owner: str | None = None,
    activity_type: str | None = None,
    week: date | None = None,
    state: str | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Return the activities activity_volume counts, narrowed to an owner, type, week or state.

    at is the activity's date by the volume's rule (completed_at when completed by the as-of
    date, else due_at); week is the Monday of at's week. state is 'completed', 'overdue' (not
    completed by the as-of date and due before it) or 'planned' (the other planned ones, so
    the volume's planned count is planned + overdue). days_overdue is whole days from the due
    date to the as-of date (overdue activities only). Newest first, at most limit rows. owner
    and activity_type take NONE for activities without one.
    """
    if state is not None and state not in STATES:
        raise UnknownState(f"Unknown state {state!r}; choose one of {', '.join(STATES)}.")
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    joins, scope, scope_params = _activity_scope(con, filters)
    narrow, narrow_params = [scope], list(scope_params)
    for expr, value in (("a.owner", owner), ("a.type", activity_type)):
        if value is not None:
            condition, params = _equals(expr, value)
            narrow.append(condition)
            narrow_params.extend(params)
    # Conditions on the stored columns rather than on the derived date and state, so that
    # DuckDB skips whole row groups of activities by their completion and due dates.
    done, done_params = period_condition("a.completed_at", filters)
    due, due_params = period_condition("a.due_at", filters)
    completed = (f"(a.completed_at < ? AND {done})", [end, *done_params])
    pending = "(a.completed_at IS NULL OR a.completed_at >= ?)"
    overdue = (f"({pending} AND a.due_at < ? AND {due})", [end, as_of, *due_params])
    planned = (
        f"({pending} AND a.due_at >= ? AND a.due_at < ? AND {due})",
        [end, as_of, end, *due_params],
    )
    chosen = {"completed": [completed], "overdue": [overdue], "planned": [planned]}.get(
        state or "", [completed, overdue, planned]
    )
    narrow.append("(" + " OR ".join(sql for sql, _ in chosen) + ")")
    for _sql, params in chosen:
        narrow_params.extend(params)
    if week is not None:
        narrow.append(
            "CAST(date_trunc('week', CASE WHEN a.completed_at < ? THEN a.completed_at "
            "ELSE a.due_at END) AS DATE) = ?"
        )
        narrow_params.extend([end, week])
    frame = con.execute(
        f"""
        WITH picked AS (
            SELECT a.activity_id, a.type, a.owner, a.subject, a.deal_id, a.due_at,
                   CASE WHEN a.completed_at < ? THEN 'completed'
                        WHEN a.due_at < ? THEN 'overdue' ELSE 'planned' END AS state,
                   CASE WHEN a.completed_at < ? THEN a.completed_at ELSE a.due_at END AS at
            FROM activities AS a {joins}
            WHERE {" AND ".join(narrow)}
            ORDER BY "at" DESC, a.activity_id
            LIMIT ?
        )
        -- Deal names only for the rows shown, not for every activity counted.
        SELECT p.*,
               CASE WHEN p.state = 'overdue'
                    THEN date_diff('day', CAST(p.due_at AS DATE), CAST(? AS DATE)) END
                   AS days_overdue,
               dn.name AS deal_name
        FROM picked AS p LEFT JOIN deals AS dn ON dn.deal_id = p.deal_id
        ORDER BY p.at DESC, p.activity_id
        """,
        [end, as_of, end, *narrow_params, limit, as_of],
    ).df()
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame[ACTIVITY_COLUMNS].reset_index(drop=True)


def won_deal_activities(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    window_days: int = 30,
    limit: int = 1000,
) -> pd.DataFrame:
    """Return the deals won in the period with their activities and whether they were followed up.

    activities = activities linked to the deal completed by the as-of date (as
    activities_per_won_deal counts them); followed_up when a follow_up activity was completed 0
    to window_days calendar days after the close date, by the as-of date (as follow_up_coverage
    counts it), first_follow_up_at the first such one. Deals not followed up first, then the
    latest won; amount in the reporting currency. At most limit rows.
    """
    end = as_of_end(resolve_as_of(con, filters))
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    frame = con.execute(
        f"""
        WITH won AS (
            SELECT f.deal_id, f.name, f.owner, f.amount_rep AS amount, f.closed_at
            FROM deal_facts AS f
            WHERE f.status = 'won' AND f.closed_at < ? AND {period} AND {where}
        ),
        done AS (
            SELECT w.deal_id, count(*) AS activities,
                   min(a.completed_at) FILTER (
                       WHERE a.type = 'follow_up'
                         AND CAST(a.completed_at AS DATE) - CAST(w.closed_at AS DATE)
                             BETWEEN 0 AND ?
                   ) AS first_follow_up_at
            FROM won AS w JOIN activities AS a ON a.deal_id = w.deal_id
            WHERE a.completed_at < ?
            GROUP BY w.deal_id
        )
        SELECT w.*, coalesce(d.activities, 0) AS activities,
               d.first_follow_up_at IS NOT NULL AS followed_up, d.first_follow_up_at
        FROM won AS w LEFT JOIN done AS d ON d.deal_id = w.deal_id
        ORDER BY followed_up, w.closed_at DESC, w.deal_id
        LIMIT ?
        """,
        [end, *period_params, *params, window_days, end, limit],
    ).df()
    return frame[WON_DEAL_COLUMNS].reset_index(drop=True)


def first_activity_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int = 1000
) -> pd.DataFrame:
    """Return the deals created in the period with their first activity and the days to it.

    The deals time_to_first_activity summarises: first_activity_at is the first activity
    completed on or after creation and by the as-of date (None when there is none yet), days
    the exact fractional days to it, negative when an activity was logged before creation.
    Deals still without an activity first, then the slowest; at most limit rows.
    """
    end = as_of_end(resolve_as_of(con, filters))
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.created_at", filters)
    frame = con.execute(
        f"""
        WITH cohort AS (
            SELECT f.deal_id, f.name, f.owner, f.created_at, f.first_activity_at AS first_ever,
                   coalesce(f.first_activity_at < f.created_at, FALSE) AS negative
            FROM deal_facts AS f
            WHERE f.created_at < ? AND {period} AND {where}
        ),
        after_creation AS (
            -- Only deals with an activity before creation need their activities read again.
            SELECT c.deal_id, min(a.completed_at) AS first_at
            FROM cohort AS c JOIN activities AS a ON a.deal_id = c.deal_id
            WHERE c.negative AND a.completed_at >= c.created_at AND a.completed_at < ?
            GROUP BY c.deal_id
        ),
        firsts AS (
            SELECT c.*, CASE WHEN c.negative THEN l.first_at
                             WHEN c.first_ever < ? THEN c.first_ever END AS first_activity_at
            FROM cohort AS c LEFT JOIN after_creation AS l ON l.deal_id = c.deal_id
        )
        SELECT *, (epoch(first_activity_at) - epoch(created_at)) / 86400.0 AS days
        FROM firsts
        ORDER BY first_activity_at IS NOT NULL, days DESC, deal_id
        LIMIT ?
        """,
        [end, *period_params, *params, end, end, limit],
    ).df()
    return frame[FIRST_ACTIVITY_DEAL_COLUMNS].reset_index(drop=True)
