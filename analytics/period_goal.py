"""The won-revenue goal of the filtered scope: its targets summed, their pace line, the deals won.

The Overview asks "are we on track?" of the filters' scope: the won_amount targets of the owners
filtered on, else of the teams filtered on, else of the company, whose period overlaps the
filters' period. Their figures are those of analytics.goals (each target's actual runs from its
own period start to the as-of date, ignoring deal conditions other than pipeline, owner and
team), summed over the targets; attainment and pace are ratios of the sums, so their
definitions are goals.GOAL_ATTAINMENT and goals.GOAL_PACE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import goals
from analytics.filters import Filters, as_of_end, deal_conditions, resolve_as_of

PACE_COLUMNS = ["day", "actual_cumulative", "expected_cumulative"]
WON_DEAL_COLUMNS = ["deal_id", "name", "owner", "team", "amount", "closed_at"]


@dataclass(frozen=True)
class PeriodGoal:
    """The scope's won_amount targets overlapping the period, summed; amounts in reporting currency.

    target, attainment, pace, projection and status are None without a target; pace and
    projection are None before any day of the targets' periods has passed. status is
    achieved, not_started, missed, on_track, at_risk or behind, as in analytics.goals.
    """

    scope: str
    scope_values: tuple[str, ...]
    target_ids: tuple[str, ...]
    first_day: date | None
    last_day: date | None
    target: float | None
    actual: float
    expected_by_now: float
    attainment: float | None
    pace: float | None
    projection: float | None
    status: str | None


def _scope(filters: Filters) -> tuple[str, tuple[str, ...]]:
    """Return the scope whose targets apply: owners filtered on, else teams, else the company."""
    where = dict(filters.where)
    if where.get("owner"):
        return "owner", where["owner"]
    if where.get("team"):
        return "team", where["team"]
    return "company", ()


def _targets(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return target_id, period_start, period_end, target_value of the scope's targets."""
    scope, values = _scope(filters)
    parts, params = ["metric = 'won_amount'", "scope = ?"], [scope]
    if values:
        parts.append(f"scope_value IN ({', '.join('?' for _ in values)})")
        params += values
    if filters.end:
        parts.append("period_start <= ?")
        params.append(filters.end)
    if filters.start:
        parts.append("period_end >= ?")
        params.append(filters.start)
    return con.execute(
        "SELECT target_id, period_start, period_end, target_value FROM targets "
        f"WHERE {' AND '.join(parts)} ORDER BY target_id",
        params,
    ).df()


def _lines(
    con: duckdb.DuckDBPyConnection, filters: Filters, targets: pd.DataFrame, as_of: date
) -> list[pd.DataFrame]:
    """Return each target's pace line (goals.pace_series; empty before its period starts)."""
    return [
        goals.pace_series(con, target_id, as_of, pipeline=filters.pipeline)
        for target_id in targets["target_id"]
    ]


def _status(actual: float, target: float, pace: float | None, started: bool, ended: bool) -> str:
    """Return the status of summed targets by the rules of analytics.goals."""
    if actual >= target:
        return "achieved"
    if not started:
        return "not_started"
    if ended:
        return "missed"
    if pace is None or pace >= 1:
        return "on_track"
    return "at_risk" if pace >= goals.AT_RISK_PACE else "behind"


def period_goal(con: duckdb.DuckDBPyConnection, filters: Filters) -> PeriodGoal:
    """Return the scope's won_amount targets overlapping the period, summed (see PeriodGoal).

    Each target's actual and expected-by-now are the last point of its pace line, so they
    equal goals.goal_progress's; the projection sums each started target's actual divided by
    its elapsed fraction.
    """
    as_of = resolve_as_of(con, filters)
    scope, values = _scope(filters)
    targets = _targets(con, filters)
    if targets.empty:
        return PeriodGoal(scope, values, (), None, None, None, 0.0, 0.0, None, None, None, None)
    actual = expected = projection = 0.0
    started = False
    for value, line in zip(targets["target_value"], _lines(con, filters, targets, as_of),
                           strict=True):  # fmt: skip
        if line.empty:
            continue
        started = True
        last = line.iloc[-1]
        actual += float(last["actual_cumulative"])
        expected += float(last["expected_cumulative"])
        elapsed = float(last["expected_cumulative"]) / value if value else 1.0
        projection += float(last["actual_cumulative"]) / elapsed
    target = float(targets["target_value"].sum())
    first, last_day = targets["period_start"].min().date(), targets["period_end"].max().date()
    pace = actual / expected if expected > 0 else None
    return PeriodGoal(
        scope=scope,
        scope_values=values,
        target_ids=tuple(targets["target_id"]),
        first_day=first,
        last_day=last_day,
        target=target,
        actual=actual,
        expected_by_now=expected,
        attainment=actual / target if target > 0 else None,
        pace=pace,
        projection=projection if started else None,
        status=_status(actual, target, pace, started, as_of >= last_day),
    )


def period_pace(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return the summed pace line of period_goal's targets: day, actual and expected so far.

    One row per day from the first target's start to the as-of date or the last target's end;
    a target adds nothing before its period and its final figures after it. Values in the
    reporting currency; day is a datetime64 date. Empty without a started target.
    """
    as_of = resolve_as_of(con, filters)
    targets = _targets(con, filters)
    if targets.empty:
        return pd.DataFrame(columns=PACE_COLUMNS)
    first, last = targets["period_start"].min().date(), targets["period_end"].max().date()
    if as_of < first:
        return pd.DataFrame(columns=PACE_COLUMNS)
    days = pd.date_range(first, min(as_of, last), freq="D", unit="us")
    total = pd.DataFrame(0.0, index=days, columns=PACE_COLUMNS[1:])
    for line in _lines(con, filters, targets, as_of):
        if not line.empty:
            total += line.set_index("day")[PACE_COLUMNS[1:]].reindex(days).ffill().fillna(0.0)
    return total.rename_axis("day").reset_index()


def won_deals(con: duckdb.DuckDBPyConnection, filters: Filters, through: date) -> pd.DataFrame:
    """Return the deals behind period_pace's actual on day through, latest close first.

    The deals of the goal's scope (and pipeline) won from the first target's start to the end
    of through (or the as-of date when earlier): when the targets' periods follow each other,
    their amounts (reporting currency) add up to actual_cumulative that day. Empty without a
    target. closed_at is a timestamp.
    """
    targets = _targets(con, filters)
    if targets.empty:
        return pd.DataFrame(columns=WON_DEAL_COLUMNS)
    first, end = targets["period_start"].min().date(), targets["period_end"].max().date()
    last = min(through, resolve_as_of(con, filters), end)
    scope, values = _scope(filters)
    scoped = Filters.build(pipeline=filters.pipeline, where={scope: values} if values else {})
    where, params = deal_conditions(con, scoped, "f")
    return con.execute(
        f"""
        SELECT f.deal_id, f.name, f.owner, f.team, f.amount_rep AS amount, f.closed_at
        FROM deal_facts AS f
        WHERE f.status = 'won' AND f.closed_at >= ? AND f.closed_at < ? AND {where}
        ORDER BY f.closed_at DESC, f.deal_id
        """,
        [first, as_of_end(last), *params],
    ).df()[WON_DEAL_COLUMNS]
