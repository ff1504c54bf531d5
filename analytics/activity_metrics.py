"""Activity metrics: volume, the rep-by-week heatmap, effort per won deal, time to first
activity and follow-up coverage after a win.

Filters reach activities in two ways. Owner and team describe the rep who did the activity:
owner is the activity's owner and team is that rep's team (REP_TEAM), so activities without a
deal (prospecting a lead, say) stay in. Every other condition, and the pipeline, describes a
deal and applies through the activity's linked deal: when one is set, activities without a deal
drop out. The deal-based metrics (activities per won deal, time to first activity, follow-up
coverage) start from deals, so all their conditions, owner and team included, apply to the deal.

An activity counts as completed at the as-of date when its completed_at is on or before that
day; one completed later was still planned then.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import stats
from analytics.definitions import define
from analytics.errors import AnalyticsError
from analytics.filters import (
    NONE,
    Filters,
    as_of_end,
    column_sql,
    deal_conditions,
    period_condition,
    resolve_as_of,
)

ACTIVITY_VOLUME = define(
    "activity_volume",
    "Activity volume",
    "activities completed (by completion date) and planned (not completed by the as-of date, "
    "by due date)",
    None,
    "the activity's date (completed_at when completed by the as-of date, else due_at) falls in "
    "the period and on or before the as-of date",
    "planned activities without a due date or due after the as-of date; with a pipeline or a "
    "deal condition set, activities not linked to a deal",
    "count",
)
ACTIVITIES_OVERDUE = define(
    "activities_overdue",
    "Overdue activities",
    "activities not completed by the as-of date whose due date is before the as-of date",
    None,
    "the due date (due_at) falls in the period and before the as-of date",
    "completed activities; activities due on the as-of date itself",
    "count",
)
ACTIVITIES_PER_WON_DEAL = define(
    "activities_per_won_deal",
    "Activities per won deal",
    "activities completed by the as-of date and linked to the deals won in the period",
    "deals won in the period",
    "the deal's close date (closed_at) falls in the period and on or before the as-of date",
    "planned activities, and activities not linked to a deal",
    "activities per deal",
)
TIME_TO_FIRST_ACTIVITY = define(
    "time_to_first_activity",
    "Time to first activity",
    "first completed activity on the deal − deal created_at, in fractional days",
    None,
    "the deal's creation date (created_at) falls in the period and on or before the as-of date",
    "activities completed before the deal was created (their deals are counted as negative) "
    "or after the as-of date; deals without a completed activity (counted, no duration)",
    "days",
)
FOLLOW_UP_COVERAGE = define(
    "follow_up_coverage",
    "Follow-up coverage",
    "deals won in the period with a follow_up activity completed between the close date and "
    "window days after it (calendar days), by the as-of date",
    "deals won in the period",
    "the deal's close date (closed_at) falls in the period and on or before the as-of date",
    "follow-ups before the close date, after the window or after the as-of date; deals won "
    "so recently that their window is still open count as not covered yet",
    "share",
)

# A rep's team is the team of most of the deals they own (ties: the first team by name), so
# that every rep is in one team and team totals add up to the company's. Activities carry no
# team of their own.
REP_TEAM = """
SELECT owner, team FROM (
    SELECT owner, team,
           row_number() OVER (PARTITION BY owner ORDER BY count(*) DESC, team) AS rn
    FROM deals
    WHERE owner IS NOT NULL AND team IS NOT NULL
    GROUP BY owner, team
) AS ranked
WHERE rn = 1
"""

# Breakdowns that describe the activity itself rather than its linked deal.
ACTIVITY_DIMENSIONS = ("type", "owner", "team", "week")

VOLUME_COLUMNS = ["completed", "planned", "overdue", "total"]
FIRST_ACTIVITY_COLUMNS = [
    "deals", "with_activity", "median_days", "mean_days", "p75_days", "negative",
]  # fmt: skip


class BadWindow(AnalyticsError):
    """A follow-up window that is not a number of days from zero up."""

    title = "Invalid follow-up window"


def _days_between(later: str, earlier: str) -> str:
    """Return SQL for the exact days from earlier to later, fractional for times of day."""
    # DuckDB's epoch() (seconds since 1970); the one engine-specific function of this module.
    return f"(epoch({later}) - epoch({earlier})) / 86400.0"


def _activity_scope(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str | None = None
) -> tuple[str, str, list]:
    """Return (joins after `activities AS a`, condition, params) applying filters to activities.

    The joins bring `r` (the owner's team) when team is filtered or broken down by, and `d` (the
    linked deal) when a deal condition or a deal breakdown needs it.
    """
    where = dict(filters.where)
    owners = where.pop("owner", None)
    teams = where.pop("team", None)
    deal_filters = Filters.build(pipeline=filters.pipeline, where=where)
    joins, parts, params = [], ["TRUE"], []
    if teams or by == "team":
        joins.append(f"LEFT JOIN ({REP_TEAM}) AS r ON r.owner = a.owner")
    if deal_filters.pipeline or deal_filters.where:
        joins.append("JOIN deals AS d ON d.deal_id = a.deal_id")
        condition, condition_params = deal_conditions(con, deal_filters, "d")
        parts.append(condition)
        params.extend(condition_params)
    elif by is not None and by not in ACTIVITY_DIMENSIONS:
        joins.append("LEFT JOIN deals AS d ON d.deal_id = a.deal_id")
    for expr, values in (("a.owner", owners), ("r.team", teams)):
        if values:
            given = [v for v in values if v != NONE]
            tests = [f"{expr} IN ({', '.join('?' for _ in given)})"] if given else []
            if NONE in values:
                tests.append(f"{expr} IS NULL")
            parts.append("(" + " OR ".join(tests) + ")")
            params.extend(given)
    return " ".join(joins), " AND ".join(parts), params


def _activity_key(con: duckdb.DuckDBPyConnection, by: str) -> str:
    """Return the SQL of an activity breakdown's raw value, over activities a (and r, d)."""
    own = {"type": "a.type", "owner": "a.owner", "team": "r.team"}
    return own[by] if by in own else column_sql(con, by, "d")


def activity_volume(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return counts of activities completed, planned (overdue among them) and in total.

    An activity is dated by its completed_at when completed by the as-of date, else by its
    due_at (planned); it counts when that date falls in the period and on or before the as-of
    date, so planned activities due later, or without a due date, are not counted. overdue =
    planned activities due before the as-of day (one due on the as-of day is not overdue yet).
    by may be 'type', 'owner' (the activity's owner), 'team' (the owner's team), 'week' (Monday
    of the activity's date, as YYYY-MM-DD) or a dimension of the linked deal.
    """
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    joins, scope, scope_params = _activity_scope(con, filters, by)
    period, period_params = period_condition("x.dated", filters)
    # Grouped on the raw value, which is cheaper than on its text; the text is made per group.
    inner_key = group = key = ""
    if by == "week":
        # ISO week: date_trunc('week') gives the Monday; ISO text sorts like the dates.
        group = "date_trunc('week', x.dated)"
        key = f"CAST(CAST({group} AS DATE) AS VARCHAR) AS key, "
    elif by is not None:
        inner_key = f"{_activity_key(con, by)} AS k, "
        group = "x.k"
        key = f"coalesce(CAST(x.k AS VARCHAR), '{NONE}') AS key, "
    frame = con.execute(
        f"""
        SELECT {key}
               count(*) FILTER (WHERE x.done) AS completed,
               count(*) FILTER (WHERE NOT x.done) AS planned,
               count(*) FILTER (WHERE NOT x.done AND x.due_at < ?) AS overdue,
               count(*) AS total
        FROM (
            SELECT {inner_key} a.due_at, coalesce(a.completed_at < ?, FALSE) AS done,
                   CASE WHEN a.completed_at < ? THEN a.completed_at ELSE a.due_at END AS dated
            FROM activities AS a {joins}
            WHERE {scope}
        ) AS x
        WHERE x.dated < ? AND {period}
        {f"GROUP BY {group} ORDER BY key" if by else ""}
        """,
        [as_of, end, end, *scope_params, end, *period_params],
    ).df()
    return frame[(["key"] if by else []) + VOLUME_COLUMNS].reset_index(drop=True)


def activity_heatmap(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return completed activities per rep (owner) and ISO week (week = the Monday, a date).

    Activities completed in the period and by the as-of date; one row per owner and week with
    at least one, ordered by owner then week.
    """
    as_of = resolve_as_of(con, filters)
    joins, scope, scope_params = _activity_scope(con, filters)
    period, period_params = period_condition("a.completed_at", filters)
    return con.execute(
        f"""
        SELECT coalesce(a.owner, '{NONE}') AS owner,
               CAST(date_trunc('week', a.completed_at) AS DATE) AS week,
               count(*) AS completed
        FROM activities AS a {joins}
        WHERE a.completed_at < ? AND {period} AND {scope}
        GROUP BY 1, 2
        ORDER BY 1, 2
        """,
        [as_of_end(as_of), *period_params, *scope_params],
    ).df()


def activities_per_won_deal(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return one row: won_deals, activities (completed by as-of, linked to them), per_deal.

    Deals won in the period (closed_at in it and by the as-of date); per_deal is activities per
    won deal, None without won deals.
    """
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    won = f"""
        FROM deal_facts AS f
        WHERE f.status = 'won' AND f.closed_at < ? AND {period} AND {where}
    """
    won_params = [end, *period_params, *params]
    # A deal whose last completed activity precedes the as-of date had all of its completed
    # activities by then (deal_facts counts them); only the others need their activities read.
    won_deals, settled, unsettled = con.execute(
        f"""
        SELECT count(*),
               coalesce(sum(f.completed_activities)
                        FILTER (WHERE f.last_activity_at IS NULL OR f.last_activity_at < ?), 0),
               count(*) FILTER (WHERE f.last_activity_at >= ?)
        {won}
        """,
        [end, end, *won_params],
    ).fetchone()
    late = 0
    if unsettled:
        late = con.execute(
            f"""
            SELECT count(*) FROM activities AS a
            WHERE a.completed_at < ? AND a.deal_id IN (
                SELECT f.deal_id {won} AND f.last_activity_at >= ?)
            """,
            [end, *won_params, end],
        ).fetchone()[0]
    activities = int(settled) + late
    return pd.DataFrame(
        [{"won_deals": won_deals, "activities": activities,
          "per_deal": stats.ratio(activities, won_deals)}]
    )  # fmt: skip


def time_to_first_activity(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return deals created in the period and the days from creation to their first activity.

    Columns deals, with_activity (deals with an activity completed by the as-of date, on or
    after creation), median_days, mean_days, p75_days (exact fractional days over those deals)
    and negative (deals with a completed activity before their creation: a data problem; those
    activities are left out, the deal's first activity is its first one after creation).
    """
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.created_at", filters)
    raw = key = group = ""
    if by is not None:
        raw = f"{column_sql(con, by, 'f')} AS k, "
        key = f"coalesce(CAST(k AS VARCHAR), '{NONE}') AS key, "
        group = "GROUP BY k ORDER BY key"
    # deal_facts.first_activity_at is the first completed activity of all time: it is the
    # answer unless it precedes creation (then only that deal's activities are read again) or
    # the as-of date (then no activity was completed by as-of).
    frame = con.execute(
        f"""
        WITH cohort AS (
            SELECT {raw} f.deal_id, f.created_at, f.first_activity_at,
                   coalesce(f.first_activity_at < f.created_at, FALSE) AS negative
            FROM deal_facts AS f
            WHERE f.created_at < ? AND {period} AND {where}
        ),
        after_creation AS (
            SELECT c.deal_id, min(a.completed_at) AS first_at
            FROM cohort AS c
            JOIN activities AS a ON a.deal_id = c.deal_id
            WHERE c.negative AND a.completed_at >= c.created_at AND a.completed_at < ?
            GROUP BY c.deal_id
        ),
        firsts AS (
            SELECT c.*,
                   CASE WHEN c.negative THEN l.first_at
                        WHEN c.first_activity_at < ? THEN c.first_activity_at END AS first_at
            FROM cohort AS c
            LEFT JOIN after_creation AS l ON l.deal_id = c.deal_id
        ),
        durations AS (
            SELECT *, {_days_between("first_at", "created_at")} AS days FROM firsts
        )
        SELECT {key}
               count(*) AS deals,
               count(days) AS with_activity,
               quantile_cont(days, 0.5) AS median_days,
               avg(days) AS mean_days,
               quantile_cont(days, 0.75) AS p75_days,
               count(*) FILTER (WHERE negative) AS negative
        FROM durations
        {group}
        """,
        [end, *period_params, *params, end, end],
    ).df()
    return frame[(["key"] if by else []) + FIRST_ACTIVITY_COLUMNS].reset_index(drop=True)


def follow_up_coverage(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, window_days: int = 30
) -> pd.DataFrame:
    """Return one row: won_deals, covered, rate (share 0..1), its Wilson interval, small_sample.

    covered = deals won in the period with a completed 'follow_up' activity whose date is 0 to
    window_days calendar days after the close date, completed by the as-of date.
    """
    if window_days < 0:
        raise BadWindow(f"The follow-up window must be 0 days or more, not {window_days}.")
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    period, period_params = period_condition("f.closed_at", filters)
    # deal_facts.follow_up_at is the deal's first follow-up on or after its close date: the deal
    # is covered exactly when that one falls in the window and before the as-of date.
    won, covered = con.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (
                   WHERE f.follow_up_at < ?
                     AND CAST(f.follow_up_at AS DATE) - CAST(f.closed_at AS DATE) <= ?)
        FROM deal_facts AS f
        WHERE f.status = 'won' AND f.closed_at < ? AND {period} AND {where}
        """,
        [end, window_days, end, *period_params, *params],
    ).fetchone()
    low, high = stats.wilson(covered, won)
    return pd.DataFrame(
        [{"won_deals": won, "covered": covered, "rate": stats.ratio(covered, won),
          "ci_low": low, "ci_high": high, "small_sample": stats.is_small(won)}]
    )  # fmt: skip
