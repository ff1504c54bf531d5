"""Goals: each target's progress at the as-of date, its pacing, a rep leaderboard, the pace line.

A target's actual is its metric summed from the period start to the as-of date (or the period
end when that comes first): won_amount and won_count by the deals' close date, new_deals and
pipeline_created by their creation date, activities_completed by completion date (of one type
for 'activities_completed:<type>'). Amounts are in the reporting currency; deals whose amount
could not be converted are counted in unconverted and left out of the sums.

Scope: an owner target counts the deals (or activities) that owner owns; a team target counts
the deals of that team, and for activities those of the team's reps, a rep's team being the
team of most of the deals they own (activity_metrics.REP_TEAM); a company target counts all.
Of the filters, the pipeline narrows the actuals (activities through their linked deal, so
activities without a deal drop out when it is set); owner and team choose which targets are
shown. Other deal conditions are ignored: a target is set over all of its scope's business,
and comparing it with a slice of that business would misstate attainment.

Pacing runs in whole days: the as-of day counts as elapsed (the figures describe its end), so a
period is over, with no days remaining, from its last day on.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analytics.activity_metrics import REP_TEAM
from analytics.definitions import define
from analytics.errors import AnalyticsError
from analytics.filters import NONE, Filters, as_of_end, resolve_as_of
from analytics.schema import TARGET_METRICS

_ANCHOR = (
    "the metric's own date (close date for won_amount and won_count, creation date for "
    "new_deals and pipeline_created, completion date for activities_completed) from the "
    "period start to the as-of date or the period end"
)
_LEFT_OUT = (
    "deal conditions other than pipeline, owner and team; deals without an exchange rate "
    "(counted as unconverted); with a pipeline set, activities not linked to a deal"
)
GOAL_ATTAINMENT = define(
    "goal_attainment",
    "Goal attainment",
    "actual: the target's metric summed over its period so far, for its scope",
    "the target value",
    _ANCHOR,
    _LEFT_OUT,
    "share",
)
GOAL_PACE = define(
    "goal_pace",
    "Goal pace",
    "actual so far",
    "expected by now = target × elapsed fraction of the period (calendar days including the "
    "as-of day, or Monday to Friday with business-day pacing)",
    _ANCHOR,
    _LEFT_OUT + "; periods not started (no pace)",
    "ratio (1 = on track; 0.8 to 1 at risk, below 0.8 behind)",
)
GOAL_PROJECTION = define(
    "goal_projection",
    "Goal projection",
    "actual so far",
    "elapsed fraction of the period",
    _ANCHOR,
    _LEFT_OUT + "; periods not started (no projection)",
    "the target's unit (reporting currency or count)",
)
GOAL_REQUIRED_PER_DAY = define(
    "goal_required_per_day",
    "Required per day",
    "target − actual (0 once achieved)",
    "days remaining in the period after the as-of date (business days with business-day pacing)",
    _ANCHOR,
    _LEFT_OUT + "; periods with no day left (no figure)",
    "the target's unit per day",
)

PROGRESS_COLUMNS = [
    "target_id", "scope", "scope_value", "metric", "period_start", "period_end", "target_value",
    "actual", "attainment", "elapsed_fraction", "expected_by_now", "pace", "projection",
    "remaining_days", "required_per_day", "status", "unconverted",
]  # fmt: skip
LEADERBOARD_COLUMNS = [
    "rank", "owner", "team", "target", "actual", "attainment", "pace", "status", "unconverted",
]  # fmt: skip
PACE_COLUMNS = ["day", "actual_cumulative", "expected_cumulative"]

AT_RISK_PACE = 0.8  # pace from here up to 1 is at risk; below it, behind
_TYPED = "activities_completed:"


class UnknownTarget(AnalyticsError):
    """A target id that the targets table does not hold."""

    title = "Unknown target"


class UnknownMetric(AnalyticsError):
    """A goal metric that is not one targets can have."""

    title = "Unknown goal metric"


# Where each goal metric's facts come from, and the metrics that sum amounts (the others count).
_SOURCES = {
    "won_amount": "won", "won_count": "won", "new_deals": "created", "pipeline_created": "created",
    "activities_completed": "activity",
}  # fmt: skip
_AMOUNTS = ("won_amount", "pipeline_created")


def _targets_sql(selection: str) -> str:
    """Return the SELECT of the targets matching selection, with what their actual is made of.

    Adds source (won, created or activity), is_amount, act_type (the activity type of
    'activities_completed:<type>'), scope_key ('' for the company) and eff_end (the last day
    counted). Its first parameter is the as-of date, then selection's.
    """
    typed = f"substr(tg.metric, 1, {len(_TYPED)}) = '{_TYPED}'"
    return f"""
        SELECT tg.target_id, tg.scope, tg.scope_value, tg.metric, tg.period_start,
               tg.period_end, tg.target_value,
               CASE WHEN tg.metric IN ('won_amount', 'won_count') THEN 'won'
                    WHEN tg.metric IN ('new_deals', 'pipeline_created') THEN 'created'
                    ELSE 'activity' END AS source,
               tg.metric IN {_AMOUNTS} AS is_amount,
               CASE WHEN {typed} THEN substr(tg.metric, {len(_TYPED) + 1}) END AS act_type,
               CASE WHEN tg.scope = 'company' THEN '' ELSE tg.scope_value END AS scope_key,
               least(tg.period_end, ?) AS eff_end
        FROM targets AS tg
        WHERE {selection}
    """


def _records_sql(
    sources: set[str], lo: date | None, hi: date, pipeline: str | None
) -> tuple[str, list]:
    """Return (CTE `records`, params): one row per fact a goal counts, dated lo..hi.

    records(source, owner, team, type, day, amount, unconverted) holds the deals won ('won', by
    close date), the deals created ('created', by creation date) and the completed activities
    ('activity', by completion date, with type; team NULL: a rep's team is REP_TEAM's) for the
    sources asked. lo None means from the first day.
    """
    selects, params = [], []
    lo_params = [lo] if lo else []
    pipeline_params = [pipeline] if pipeline else []

    def since(column: str) -> str:
        return f"AND {column} >= ?" if lo else ""

    for source, anchor, status in (
        ("won", "closed_at", "f.status = 'won'"),
        ("created", "created_at", "TRUE"),
    ):
        if source in sources:
            selects.append(f"""
                SELECT '{source}' AS source, f.owner, f.team, CAST(NULL AS VARCHAR) AS type,
                       CAST(f.{anchor} AS DATE) AS day, f.amount_rep AS amount,
                       CASE WHEN f.amount IS NOT NULL AND f.amount_rep IS NULL THEN 1 ELSE 0 END
                           AS unconverted
                FROM deal_facts AS f
                WHERE {status} AND f.{anchor} < ? {since(f"f.{anchor}")}
                      {"AND f.pipeline = ?" if pipeline else ""}""")
            params += [as_of_end(hi), *lo_params, *pipeline_params]
    if "activity" in sources:
        on_deal = "JOIN deals AS d ON d.deal_id = a.deal_id AND d.pipeline = ?" if pipeline else ""
        selects.append(f"""
            SELECT 'activity' AS source, a.owner, CAST(NULL AS VARCHAR) AS team, a.type,
                   CAST(a.completed_at AS DATE) AS day, CAST(NULL AS DOUBLE) AS amount,
                   0 AS unconverted
            FROM activities AS a {on_deal}
            WHERE a.completed_at < ? {since("a.completed_at")}""")
        params += [*pipeline_params, as_of_end(hi), *lo_params]
    return f"records AS ({' UNION ALL '.join(selects)})", params


def _period_days_sql() -> str:
    """Return the SELECT of (period_start, eff_end, day) for every day of each row of periods."""
    # DuckDB's generate_series over dates (Spark and Trino: sequence()); the one engine-specific
    # function of this module.
    return (
        "SELECT period_start, eff_end, CAST(unnest(generate_series(period_start, eff_end, "
        "INTERVAL 1 DAY)) AS DATE) AS day FROM periods"
    )


# Targets share a few periods (quarters, months): facts are summed per distinct period first,
# through an equality join with the days of those periods (not a range join with every
# target), then per scope; each target picks its sums by equality.
_ACTUALS = f"""
    periods AS (
        SELECT DISTINCT period_start, eff_end FROM t WHERE eff_end >= period_start
    ),
    period_days AS ({_period_days_sql()}),
    per_period AS (
        SELECT p.period_start, p.eff_end, r.source, r.owner, r.team, r.type, count(*) AS n,
               coalesce(sum(r.amount), 0) AS amount, sum(r.unconverted) AS unconverted
        FROM records AS r
        JOIN period_days AS p ON p.day = r.day
        GROUP BY p.period_start, p.eff_end, r.source, r.owner, r.team, r.type
    ),
    teamed AS (
        SELECT x.period_start, x.eff_end, x.source, x.owner, coalesce(x.team, rt.team) AS team,
               x.type, x.n, x.amount, x.unconverted
        FROM per_period AS x
        LEFT JOIN ({REP_TEAM}) AS rt ON x.source = 'activity' AND rt.owner = x.owner
    ),
    keyed AS (
        SELECT period_start, eff_end, source, 'company' AS scope, '' AS scope_key, type,
               sum(n) AS n, sum(amount) AS amount, sum(unconverted) AS unconverted
        FROM teamed GROUP BY period_start, eff_end, source, type
        UNION ALL
        SELECT period_start, eff_end, source, 'team', team, type,
               sum(n), sum(amount), sum(unconverted)
        FROM teamed WHERE team IS NOT NULL GROUP BY period_start, eff_end, source, team, type
        UNION ALL
        SELECT period_start, eff_end, source, 'owner', owner, type,
               sum(n), sum(amount), sum(unconverted)
        FROM teamed WHERE owner IS NOT NULL GROUP BY period_start, eff_end, source, owner, type
    )
    SELECT t.target_id,
           coalesce(sum(CASE WHEN t.is_amount THEN k.amount ELSE k.n END), 0) AS actual,
           coalesce(sum(CASE WHEN t.is_amount THEN k.unconverted ELSE 0 END), 0) AS unconverted
    FROM t
    LEFT JOIN keyed AS k
      ON k.period_start = t.period_start AND k.eff_end = t.eff_end AND k.source = t.source
     AND k.scope = t.scope AND k.scope_key = t.scope_key
     AND (t.act_type IS NULL OR k.type = t.act_type)
    GROUP BY t.target_id
"""


def _pacing(
    start: ArrayLike, end: ArrayLike, as_of: ArrayLike, business_days: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return (elapsed fraction of [start, end] at the end of as_of, days left after as_of).

    Takes dates or arrays of them (broadcast). With business_days, only Monday to Friday
    count; a period of weekend days only is paced by calendar days instead.
    """
    start, end, as_of = (np.asarray(x, dtype="datetime64[D]") for x in (start, end, as_of))
    one = np.timedelta64(1, "D")
    last = np.minimum(as_of, end)
    total = (end - start) // one + 1
    done = np.maximum((last - start) // one + 1, 0)
    if business_days:
        total_bd = np.busday_count(start, end + one)
        done_bd = np.where(last >= start, np.busday_count(start, np.maximum(last, start) + one), 0)
        total = np.where(total_bd > 0, total_bd, total)
        done = np.where(total_bd > 0, done_bd, done)
    return done / total, total - done


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return numerator / denominator elementwise, NaN where the denominator is 0."""
    safe = np.where(denominator == 0, 1, denominator)
    return np.where(denominator == 0, np.nan, numerator / safe)


def _status(
    actual: ArrayLike, target: ArrayLike, pace: ArrayLike, started: ArrayLike, ended: ArrayLike
) -> np.ndarray:
    """Return targets' statuses; a pace not known yet (nothing expected) counts as on track."""
    actual, target, pace = (np.asarray(x, dtype=float) for x in (actual, target, pace))
    return np.select(
        [actual >= target, ~np.asarray(started), np.asarray(ended),
         np.isnan(pace) | (pace >= 1), pace >= AT_RISK_PACE],
        ["achieved", "not_started", "missed", "on_track", "at_risk"],
        "behind",
    )  # fmt: skip


def _progress(
    con: duckdb.DuckDBPyConnection,
    selection: str,
    selection_params: list,
    as_of: date,
    pipeline: str | None,
    business_days: bool,
) -> pd.DataFrame:
    """Return PROGRESS_COLUMNS for the targets matching selection, ordered by target_id."""
    targets_sql = _targets_sql(selection)
    targets = con.execute(f"{targets_sql} ORDER BY tg.target_id", [as_of, *selection_params]).df()
    if targets.empty:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    records, records_params = _records_sql(
        set(targets["source"]),
        targets["period_start"].min().date(),
        targets["eff_end"].max().date(),
        pipeline,
    )
    actuals = con.execute(
        f"WITH t AS ({targets_sql}), {records}, {_ACTUALS}",
        [as_of, *selection_params, *records_params],
    ).df()
    frame = targets.merge(actuals, on="target_id", how="left")
    start = frame["period_start"].to_numpy(dtype="datetime64[D]")
    end = frame["period_end"].to_numpy(dtype="datetime64[D]")
    day = np.datetime64(as_of, "D")
    target = frame["target_value"].to_numpy(dtype=float)
    actual = frame["actual"].to_numpy(dtype=float)
    elapsed, remaining = _pacing(start, end, day, business_days)
    expected = target * elapsed
    pace = _ratio(actual, expected)
    achieved = actual >= target
    frame = frame.assign(
        actual=actual,
        attainment=_ratio(actual, target),
        elapsed_fraction=elapsed,
        expected_by_now=expected,
        pace=pace,
        projection=_ratio(actual, elapsed),
        remaining_days=remaining,
        required_per_day=np.where(achieved, 0.0, _ratio(target - actual, remaining)),
        status=_status(actual, target, pace, day >= start, day >= end),
        unconverted=frame["unconverted"].astype(int),
    )
    return frame[PROGRESS_COLUMNS]


def _overlap(filters: Filters) -> tuple[list[str], list]:
    """Return (conditions, params) keeping targets whose period overlaps the filters' period."""
    parts, params = [], []
    if filters.end:
        parts.append("tg.period_start <= ?")
        params.append(filters.end)
    if filters.start:
        parts.append("tg.period_end >= ?")
        params.append(filters.start)
    return parts, params


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})"


def goal_progress(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, business_days: bool = False
) -> pd.DataFrame:
    """Return each target's progress at the as-of date, one row per target, by target_id.

    Targets whose period overlaps the filters' period (all without one). With owner or team
    conditions, only owner targets of those owners and team targets of those teams; company
    targets only when neither is given. actual, expected_by_now, projection are in the target's
    unit (reporting currency or count); attainment, pace, elapsed_fraction are ratios;
    remaining_days are days after the as-of date (business days with business_days) and
    required_per_day is per such day. status is achieved, not_started, missed, on_track,
    at_risk or behind. period_start and period_end are datetime64 dates.
    """
    as_of = resolve_as_of(con, filters)
    parts, params = _overlap(filters)
    where = dict(filters.where)
    scoped = []
    for scope in ("owner", "team"):
        if where.get(scope):
            scoped.append(f"(tg.scope = '{scope}' AND {_in('tg.scope_value', where[scope])})")
            params.extend(where[scope])
    if scoped:
        parts.append("(" + " OR ".join(scoped) + ")")
    selection = " AND ".join(["TRUE", *parts])
    return _progress(con, selection, params, as_of, filters.pipeline, business_days)


def _parse_metric(metric: str) -> tuple[str, str | None]:
    """Return (base metric, activity type or None) of a goal metric; UnknownMetric otherwise."""
    base, typed, kind = metric.partition(":")
    if base not in TARGET_METRICS or (typed and (base != "activities_completed" or not kind)):
        known = ", ".join([*TARGET_METRICS, "activities_completed:<type>"])
        raise UnknownMetric(f"{metric!r} is not a goal metric. Goal metrics: {known}.")
    return base, kind or None


def leaderboard(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, metric: str = "won_amount"
) -> pd.DataFrame:
    """Return reps ranked by attainment of their owner targets of metric in the period.

    One row per owner: target and actual summed over their targets of that metric overlapping
    the period (actual in the target's unit), attainment and pace over those sums, status as in
    goal_progress. Owners without such a target but with a positive actual over the filters'
    period come after, by actual, with no target, attainment, pace or status. team is the
    rep's team (the team of most of their deals); owner and team conditions keep those reps.
    """
    base, kind = _parse_metric(metric)
    as_of = resolve_as_of(con, filters)
    where = dict(filters.where)
    owners, teams = where.get("owner"), where.get("team")
    parts, params = _overlap(filters)
    parts += ["tg.scope = 'owner'", "tg.metric = ?"]
    params.append(metric)
    if owners:
        parts.append(_in("tg.scope_value", owners))
        params.extend(owners)
    progress = _progress(con, " AND ".join(parts), params, as_of, filters.pipeline, False)
    day = np.datetime64(as_of, "D")
    ranked = (
        progress.groupby("scope_value", sort=True)
        .agg(
            target=("target_value", "sum"), actual=("actual", "sum"),
            expected=("expected_by_now", "sum"), first=("period_start", "min"),
            last=("period_end", "max"), unconverted=("unconverted", "sum"),
        )
        .rename_axis("owner")
        .reset_index()
    )  # fmt: skip
    target, actual = ranked["target"].to_numpy(float), ranked["actual"].to_numpy(float)
    pace = _ratio(actual, ranked["expected"].to_numpy(float))
    started = day >= ranked["first"].to_numpy(dtype="datetime64[D]")
    ended = day >= ranked["last"].to_numpy(dtype="datetime64[D]")
    ranked = ranked.assign(
        attainment=_ratio(actual, target),
        pace=pace,
        status=_status(actual, target, pace, started, ended),
    ).sort_values(["attainment", "actual", "owner"], ascending=[False, False, True])
    hi = min(filters.end, as_of) if filters.end else as_of
    records, records_params = _records_sql({_SOURCES[base]}, filters.start, hi, filters.pipeline)
    others = con.execute(
        f"""
        WITH {records}
        SELECT owner, count(*) AS n, coalesce(sum(amount), 0) AS amount,
               sum(unconverted) AS unconverted
        FROM records
        WHERE owner IS NOT NULL {"AND type = ?" if kind else ""}
        GROUP BY owner
        """,
        [*records_params, *([kind] if kind else [])],
    ).df()
    is_amount = base in _AMOUNTS
    others = others.assign(
        actual=others["amount" if is_amount else "n"].astype(float),
        unconverted=others["unconverted"] if is_amount else 0,
    )
    others = others[others["actual"] > 0]
    others = others[~others["owner"].isin(ranked["owner"])]
    if owners:
        others = others[others["owner"].isin(owners)]
    others = others.sort_values(["actual", "owner"], ascending=[False, True])
    team_of = dict(con.execute(REP_TEAM).fetchall())
    rows = [
        *ranked.to_dict("records"),
        *({**r, "target": None, "attainment": None, "pace": None, "status": None}
          for r in others.to_dict("records")),
    ]  # fmt: skip
    rows = [{**r, "team": team_of.get(r["owner"])} for r in rows]
    rows = [r for r in rows if not teams or (r["team"] or NONE) in teams]
    frame = pd.DataFrame(rows, columns=LEADERBOARD_COLUMNS[1:])
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.astype({"actual": float, "unconverted": int})


def pace_series(
    con: duckdb.DuckDBPyConnection,
    target_id: str,
    as_of: date,
    *,
    business_days: bool = False,
    pipeline: str | None = None,
) -> pd.DataFrame:
    """Return the pace line of one target: day, actual_cumulative, expected_cumulative.

    One row per day from the period start to the as-of date or the period end (none before
    the start); expected_cumulative = target × elapsed fraction at the end of that day. Values
    in the target's unit; day is a datetime64 date. pipeline narrows the actual as in
    goal_progress.
    """
    target = con.execute(_targets_sql("tg.target_id = ?"), [as_of, target_id]).df()
    if target.empty:
        raise UnknownTarget(f"There is no target {target_id!r}.")
    row = target.iloc[0]
    start, end = row["period_start"].date(), row["period_end"].date()
    last = min(as_of, end)
    if last < start:
        return pd.DataFrame(columns=PACE_COLUMNS)
    conditions, params = [], []
    if row["scope"] == "owner":
        conditions.append("owner = ?")
    elif row["scope"] == "team" and row["source"] == "activity":
        conditions.append(f"owner IN (SELECT owner FROM ({REP_TEAM}) AS rt WHERE team = ?)")
    elif row["scope"] == "team":
        conditions.append("team = ?")
    if conditions:
        params.append(row["scope_value"])
    if isinstance(row["act_type"], str):
        conditions.append("type = ?")
        params.append(row["act_type"])
    records, records_params = _records_sql({row["source"]}, start, last, pipeline)
    value = "coalesce(sum(amount), 0)" if row["is_amount"] else "count(*)"
    values = con.execute(
        f"WITH {records} SELECT day, {value} AS value "
        f"FROM records WHERE {' AND '.join(['TRUE', *conditions])} GROUP BY day",
        [*records_params, *params],
    ).df()
    days = pd.date_range(start, last, freq="D", unit="us")
    per_day = values.set_index("day")["value"].reindex(days, fill_value=0.0)
    elapsed, _ = _pacing(start, end, days.to_numpy(dtype="datetime64[D]"), business_days)
    return pd.DataFrame(
        {
            "day": days,
            "actual_cumulative": per_day.cumsum().to_numpy(dtype=float),
            "expected_cumulative": float(row["target_value"]) * elapsed,
        }
    )
