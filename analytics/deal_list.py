"""The deal records behind every chart: a filtered, sorted, paged deal list and one deal's record.

The list shows each deal as it stood at the end of the as-of date: deals created later are left
out, a deal closed later is still open, and its stage is the visit running at that moment. When
the as-of date is the data's last day (the default) that is the stored record, read straight
from deal_facts; for an earlier day the stage comes from stage_visits and the last activity from
the activities completed by then, and the amount and expected close date from the recorded changes
(analytics.values_at). Amounts are in the reporting currency (amount_rep; an earlier amount
converts at the rate of the stored one, as the weekly waterfall converts it).

Filtering, sorting, LIMIT and OFFSET all happen in SQL, so a page of a million-deal store costs
one top-N query and one count.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics import derived
from analytics.durations import UnknownDeal
from analytics.errors import AnalyticsError
from analytics.filters import Filters, as_of_end, deal_conditions, period_condition, resolve_as_of
from analytics.values_at import amount_then, changed_since, close_date_then

# Which deals the period selects. Every scope also leaves out deals created after the as-of date.
SCOPES = ("active", "created", "closed", "all")

STATUSES = ("open", "won", "lost")

DEAL_LIST_COLUMNS = [
    "deal_id", "name", "pipeline", "stage", "status", "amount", "owner", "team", "source",
    "created_at", "expected_close_date", "closed_at", "days_in_stage", "last_activity_at",
]  # fmt: skip
SUMMARY_COLUMNS = ["deals", "open", "won", "lost", "amount"]
RECORD_COLUMNS = [
    "deal_id", "name", "pipeline", "stage", "status", "amount", "currency", "amount_rep",
    "owner", "team", "source", "organization", "industry", "region", "product", "segment",
    "created_at", "expected_close_date", "closed_at", "lost_reason", "first_activity_at",
    "last_activity_at",
]  # fmt: skip
DEAL_ACTIVITY_COLUMNS = [
    "activity_id", "type", "state", "at", "due_at", "completed_at", "owner", "subject", "outcome",
]  # fmt: skip
CHANGE_COLUMNS = [
    "changed_at", "field", "old_amount", "new_amount", "old_close", "new_close", "old_value",
    "new_value",
]  # fmt: skip

# The sort keys people can choose, each the SQL of a column of the list (whitelisted: never
# taken from input as SQL).
SORT_KEYS = {
    "amount": "amount",
    "name": "name",
    "stage": "stage",
    "owner": "owner",
    "created_at": "created_at",
    "expected_close_date": "expected_close_date",
    "closed_at": "closed_at",
    "days_in_stage": "days_in_stage",
    "last_activity_at": "last_activity_at",
}

# Each deal's last activity completed before a moment (the end of the as-of date).
_LAST_ACTIVITY = """
    SELECT deal_id, max(completed_at) AS last_activity_at FROM activities
    WHERE deal_id IN ({deals}) AND completed_at < ? GROUP BY deal_id"""

_LATER_ACTIVITY = "SELECT deal_id FROM deal_facts WHERE last_activity_at >= ?"

# The most rows one call returns: a page of the table, or the CSV download of the list.
MAX_ROWS = 100_000


class BadDealQuery(AnalyticsError):
    """A deal list asked for an unknown scope, status or sort key, or a negative page."""

    title = "Invalid deal list request"


def _check(scope: str, statuses: tuple[str, ...], sort: str | None = None) -> None:
    if scope not in SCOPES:
        raise BadDealQuery(f"Unknown scope {scope!r}; choose one of {', '.join(SCOPES)}.")
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise BadDealQuery(f"Unknown status {unknown[0]!r}; choose from {', '.join(STATUSES)}.")
    if sort is not None and sort not in SORT_KEYS:
        raise BadDealQuery(f"Cannot sort by {sort!r}; choose one of {', '.join(SORT_KEYS)}.")


def _like(text: str) -> str:
    """Return a LIKE pattern matching text anywhere, its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _deals_at(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    scope: str,
    search: str | None,
    statuses: tuple[str, ...],
    stages: tuple[str, ...],
    last_activity: bool,
) -> tuple[str, list, bool]:
    """Return (SELECT, params, current) of the listed deals as they stood at the end of the
    as-of date; current when deal_facts is that state.

    For an earlier as-of date the last activity costs a pass over every activity: it is read
    only when last_activity is set (to sort by it), else left None for the caller to fill in.
    """
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, params = deal_conditions(con, filters, "f")
    current = derived.facts_current(con, as_of)
    if current:
        columns = """f.amount_rep AS amount, f.expected_close_date, f.stage, f.status, f.closed_at,
                     CASE WHEN f.status = 'open' THEN f.last_event_at END AS stage_since,
                     f.last_activity_at"""
        column_params: list = []
        join, join_params = "", []
    else:
        closed = "f.status IN ('won', 'lost') AND f.closed_at < ?"
        columns = f"""CASE WHEN v.amount_changed THEN {amount_then("f", "v")} * (
                          CASE WHEN f.amount <> 0 THEN f.amount_rep / f.amount
                               WHEN f.currency IS NULL OR f.currency = ? THEN 1.0 END)
                      ELSE f.amount_rep END AS amount,
                      {close_date_then("f", "v")} AS expected_close_date,
                      CASE WHEN {closed} THEN f.stage ELSE coalesce(c.stage, f.stage) END AS stage,
                      CASE WHEN {closed} THEN f.status ELSE 'open' END AS status,
                      CASE WHEN {closed} THEN f.closed_at END AS closed_at,
                      CASE WHEN NOT ({closed}) THEN c.entered_at END AS stage_since,
                      {
            "coalesce(l.last_activity_at, f.last_activity_at)"
            if last_activity
            else "f.last_activity_at"
        } AS all_time_last,
                      CASE WHEN f.last_activity_at < ? THEN f.last_activity_at
                           {"ELSE l.last_activity_at" if last_activity else ""}
                      END AS last_activity_at"""
        # The visit running across the end of the as-of date is the stage the deal was in then.
        join = f"""LEFT JOIN (
                      SELECT deal_id, stage, entered_at FROM stage_visits
                      WHERE NOT is_outcome AND entered_at < ? AND (left_at IS NULL OR left_at >= ?)
                  ) AS c ON c.deal_id = f.deal_id
                  LEFT JOIN ({changed_since()}) AS v ON v.deal_id = f.deal_id"""
        column_params = [derived.reporting_currency(con), *[end] * 5]
        join_params = [end, end, end, end]
        if last_activity:
            # deal_facts holds each deal's last activity of all time: when that came before the
            # end of the as-of date it is the answer, so only the other deals are looked up.
            last = _LAST_ACTIVITY.format(deals=_LATER_ACTIVITY)
            join += f" LEFT JOIN ({last}) AS l ON l.deal_id = f.deal_id"
            join_params.extend([end, end])
    sql = f"""
        SELECT f.deal_id, f.name, f.pipeline, f.owner, f.team, f.source, f.created_at,
               {columns}
        FROM deal_facts AS f {join}
        WHERE f.created_at < ? AND {where}"""
    sql_params = [*column_params, *join_params, end, *params]
    conditions, condition_params = ["TRUE"], []
    if scope == "active":
        # Open at some moment of the period: created by its end, not closed before its start.
        if filters.end:
            conditions.append("created_at < ?")
            condition_params.append(as_of_end(filters.end))
        if filters.start:
            conditions.append("(closed_at IS NULL OR closed_at >= ?)")
            condition_params.append(filters.start)
    elif scope in ("created", "closed"):
        period, period_params = period_condition(f"{scope}_at", filters)
        conditions.append(f"{scope}_at IS NOT NULL AND {period}")
        condition_params.extend(period_params)
    if search:
        conditions.append("(lower(name) LIKE ? ESCAPE '\\' OR lower(deal_id) LIKE ? ESCAPE '\\')")
        condition_params.extend([_like(search)] * 2)
    if statuses:
        conditions.append(f"status IN ({', '.join('?' for _ in statuses)})")
        condition_params.extend(statuses)
    if stages:
        conditions.append(f"stage IN ({', '.join('?' for _ in stages)})")
        condition_params.extend(stages)
    listed = f"""
        SELECT *, CASE WHEN stage_since IS NOT NULL
                       THEN date_diff('day', CAST(stage_since AS DATE), CAST(? AS DATE))
                  END AS days_in_stage
        FROM ({sql}) AS x
        WHERE {" AND ".join(conditions)}"""
    return listed, [as_of, *sql_params, *condition_params], current


def deal_list(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    scope: str = "active",
    search: str | None = None,
    statuses: tuple[str, ...] = (),
    stages: tuple[str, ...] = (),
    sort: str = "amount",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> pd.DataFrame:
    """Return one page of the deals passing the filters, as at the as-of date, sorted.

    scope picks the deals by the period: 'active' (open at some moment of it), 'created' or
    'closed' in it, or 'all'. search matches the name or ID (case-insensitive, anywhere).
    amount is in the reporting currency; days_in_stage is whole days from entering the current
    stage to the as-of date (open deals only). Missing values sort last either way; ties go by
    deal_id. At most min(limit, MAX_ROWS) rows from offset.
    """
    _check(scope, statuses, sort)
    if limit < 0 or offset < 0:
        raise BadDealQuery(f"Limit and offset must be 0 or more, not {limit} and {offset}.")
    by_activity = sort == "last_activity_at"
    listed, params, current = _deals_at(
        con, filters, scope, search, statuses, stages, last_activity=by_activity
    )
    order = f"{SORT_KEYS[sort]} {'DESC' if descending else 'ASC'} NULLS LAST, deal_id"
    sql = f"{listed} ORDER BY {order} LIMIT ? OFFSET ?"
    params = [*params, min(limit, MAX_ROWS), offset]
    if not current and not by_activity:
        # Only the page's deals whose last activity of all time came after the as-of date are
        # looked up, not every deal of the list.
        last = _LAST_ACTIVITY.format(
            deals="SELECT deal_id FROM page WHERE all_time_last IS NOT NULL "
            "AND last_activity_at IS NULL"
        )
        sql = f"""
            WITH page AS MATERIALIZED ({sql})
            SELECT p.* REPLACE (coalesce(p.last_activity_at, l.last_activity_at)
                                AS last_activity_at)
            FROM page AS p LEFT JOIN ({last}) AS l ON l.deal_id = p.deal_id
            ORDER BY {order}"""
        params.append(as_of_end(resolve_as_of(con, filters)))
    frame = con.execute(sql, params).df()
    frame["days_in_stage"] = frame["days_in_stage"].astype("Int64")
    return frame[DEAL_LIST_COLUMNS].reset_index(drop=True)


def deal_list_summary(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    scope: str = "active",
    search: str | None = None,
    statuses: tuple[str, ...] = (),
    stages: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Return one row over the whole list deal_list pages through: deals, open, won, lost and
    amount (the sum in the reporting currency, deals without an amount counting 0)."""
    _check(scope, statuses)
    listed, params, _ = _deals_at(
        con, filters, scope, search, statuses, stages, last_activity=False
    )
    return con.execute(
        f"""
        SELECT count(*) AS deals,
               count(*) FILTER (WHERE status = 'open') AS open,
               count(*) FILTER (WHERE status = 'won') AS won,
               count(*) FILTER (WHERE status = 'lost') AS lost,
               coalesce(sum(amount), 0) AS amount
        FROM ({listed}) AS l
        """,
        params,
    ).df()[SUMMARY_COLUMNS]


def list_stages(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """Return the stages the filters' deals can be in: their pipelines' stages in order, then
    Won and Lost."""
    where, params = deal_conditions(con, filters, "d")
    rows = con.execute(
        f"""
        SELECT p.stage FROM pipelines_stages AS p
        WHERE p.pipeline IN (SELECT DISTINCT d.pipeline FROM deals AS d WHERE {where})
        GROUP BY p.stage ORDER BY min(p.position), p.stage
        """,
        params,
    ).fetchall()
    return [r[0] for r in rows if r[0] not in ("Won", "Lost")] + ["Won", "Lost"]


def deal_record(con: duckdb.DuckDBPyConnection, deal_id: str) -> pd.DataFrame:
    """Return one row: the deal as stored (amount in its currency and in the reporting one as
    amount_rep, the organization's name). UnknownDeal when the store has no such deal."""
    frame = con.execute(
        """
        SELECT f.*, o.name AS organization
        FROM deal_facts AS f
        LEFT JOIN organizations AS o ON o.organization_id = f.organization_id
        WHERE f.deal_id = ?
        """,
        [deal_id],
    ).df()
    if frame.empty:
        raise UnknownDeal(f"There is no deal {deal_id!r} in this database.")
    return frame[RECORD_COLUMNS]


def deal_activities(
    con: duckdb.DuckDBPyConnection, deal_id: str, as_of: date | None = None
) -> pd.DataFrame:
    """Return one deal's activities with their state at the as-of date, dated ones by date.

    state is 'completed' (completed by the end of the as-of date), 'overdue' (not completed
    then and due before the as-of day) or 'planned'; at is when it was completed, else its due
    date (None for a planned activity without one). completed_at is None when it was completed
    after the as-of date.
    """
    as_of = resolve_as_of(con, Filters(as_of=as_of))
    end = as_of_end(as_of)
    return con.execute(
        """
        SELECT activity_id, type,
               CASE WHEN completed_at < ? THEN 'completed'
                    WHEN due_at < ? THEN 'overdue' ELSE 'planned' END AS state,
               CASE WHEN completed_at < ? THEN completed_at ELSE due_at END AS at,
               due_at,
               CASE WHEN completed_at < ? THEN completed_at END AS completed_at,
               owner, subject, outcome
        FROM activities WHERE deal_id = ?
        ORDER BY "at" NULLS LAST, activity_id
        """,
        [end, as_of, end, end, deal_id],
    ).df()[DEAL_ACTIVITY_COLUMNS]


def deal_field_changes(
    con: duckdb.DuckDBPyConnection, deal_id: str, as_of: date | None = None
) -> pd.DataFrame:
    """Return one deal's amount and expected-close-date changes up to the as-of date, in order.

    Amount changes carry old_amount and new_amount (the deal's own currency), close-date
    changes old_close and new_close (dates); old_value and new_value keep the stored text.
    """
    end = as_of_end(resolve_as_of(con, Filters(as_of=as_of)))
    return con.execute(
        """
        SELECT changed_at, field,
               CASE WHEN field = 'amount' THEN TRY_CAST(old_value AS DOUBLE) END AS old_amount,
               CASE WHEN field = 'amount' THEN TRY_CAST(new_value AS DOUBLE) END AS new_amount,
               CASE WHEN field = 'expected_close_date' THEN TRY_CAST(old_value AS DATE) END
                   AS old_close,
               CASE WHEN field = 'expected_close_date' THEN TRY_CAST(new_value AS DATE) END
                   AS new_close,
               old_value, new_value
        FROM deal_changes WHERE deal_id = ? AND changed_at < ?
        ORDER BY changed_at, field
        """,
        [deal_id, end],
    ).df()[CHANGE_COLUMNS]
