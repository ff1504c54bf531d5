"""The funnel of one pipeline: stage reach and conversion, stage accounting and stage moves.

Three funnel modes, because CRMs disagree (the page says which one it shows):
- reached: the cohort created in the period; a deal reached every open stage up to the
  furthest one it entered, and a won deal passed them all (skipped stages are back-filled);
- entered: the same cohort, counting only the stages a deal actually entered;
- active: deals that entered a stage during the period, whatever their creation date.

Everything is as of the as-of date: stage events, wins and losses after it have not happened.
A deal is won (or lost) by the as-of date when its status says so and its close date
(closed_at) is on or before it, as in the win rates: a closed deal without a close date never
counts as closed, and the active mode's Won row counts the deals whose close date falls in the
period. When nothing in the data happened after the as-of date the deals' facts are read as
they are; otherwise the stage events of the deals that moved after it are replayed up to it
(the others are read as they are, so that both ways agree). Positions are the ones of the
open stages (1..n); the Won row of a funnel has position n + 1.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd

from analytics import derived, stats
from analytics.definitions import define
from analytics.errors import AnalyticsError
from analytics.filters import (
    Filters,
    as_of_end,
    deal_conditions,
    key_sql,
    period_condition,
    pipelines_in_scope,
    resolve_as_of,
)

FUNNEL_REACHED = define(
    "funnel_reached",
    "Deals reaching a stage",
    "deals created in the period whose furthest open stage by the as-of date is this stage or a "
    "later one, or that were won by then (reached-or-passed mode; the entered mode counts only "
    "the stages a deal actually entered; the active mode counts the deals that entered the stage "
    "during the period whatever their creation date, and on the Won row the deals won in it)",
    None,
    "the creation date (created_at) falls in the period, on or before the as-of date (active "
    "mode: the date the deal entered the stage, or its close date for Won)",
    "stage events, wins and losses after the as-of date; deals of other pipelines; deals that "
    "entered no open stage of the pipeline and were not won",
    "deals",
)
FUNNEL_CONVERSION = define(
    "funnel_conversion",
    "Stage-to-stage conversion",
    "deals reaching the stage",
    "deals reaching the previous stage (for Won: the last open stage); a share of those deals "
    "in the reached-or-passed mode, a ratio that can exceed 1 in the entered and active modes",
    "as for the deals reaching a stage (cohort view by default)",
    "the first stage (no previous stage); stages whose previous stage no deal reached",
    "share",
)
FUNNEL_CUMULATIVE = define(
    "funnel_cumulative",
    "Cumulative conversion",
    "deals reaching the stage",
    "deals reaching the first stage",
    "as for the deals reaching a stage (cohort view by default)",
    "funnels in which no deal reached the first stage",
    "share",
)
FUNNEL_DROP_OFF = define(
    "funnel_drop_off",
    "Drop-off",
    "deals lost by the as-of date while their furthest open stage was this stage",
    None,
    "the creation date falls in the period (active mode: the close date falls in the period), "
    "on or before the as-of date",
    "lost deals that never entered an open stage of the pipeline; losses after the as-of date",
    "deals",
)
STAGE_ACCOUNTING = define(
    "stage_accounting",
    "Stage accounting",
    "visits of the stage started in the period, split by the deal's next stage event by the "
    "as-of date: advanced (a later stage or Won), lost, moved back (an earlier stage, the same "
    "stage again, or a stage that is not in the pipeline) and still there (no next event yet); "
    "entered = advanced + lost + moved back + still there",
    None,
    "the date the deal entered the stage (entered_at) falls in the period, on or before the "
    "as-of date",
    "visits of stages that are not in the pipeline; stage events after the as-of date",
    "visits",
)
TRANSITIONS = define(
    "transitions",
    "Stage transitions",
    "moves from one stage event of a deal to its next one, by pair of stages; a deal's first "
    "stage counts as a move from (created). Kinds: forward (the next position), skip (a later "
    "position beyond the next), back (an earlier position, the same stage again, or a stage "
    "not in the pipeline), won, lost",
    None,
    "the date of the second event (entered_at) falls in the period, on or before the as-of date",
    "stage events after the as-of date; deals of other pipelines",
    "moves",
)

MODES = ("reached", "entered", "active")
WON = "Won"
CREATED = "(created)"

FUNNEL_COLUMNS = [
    "pipeline", "stage", "position", "reached", "conversion", "cumulative", "drop_off",
    "n", "ci_low", "ci_high", "small_sample",
]  # fmt: skip
MODES_COLUMNS = ["pipeline", "stage", "position", "reached_or_passed", "entered", "active"]
ACCOUNTING_COLUMNS = [
    "pipeline", "stage", "position", "entered", "advanced", "lost", "moved_back", "still_there",
]  # fmt: skip
TRANSITION_COLUMNS = [
    "pipeline", "from_stage", "from_position", "to_stage", "to_position", "moves", "kind",
]  # fmt: skip
DEAL_COLUMNS = ["deal_id", "name", "owner", "pipeline", "stage", "status", "amount", "created_at"]

# The count of each mode in the funnel query, and the drop-off the mode reports beside it.
_MODE_COUNT = {"reached": "reached_or_passed", "entered": "entered", "active": "active"}
_MODE_DROP = {
    "reached": "cohort_drop_off",
    "entered": "cohort_drop_off",
    "active": "active_drop_off",
}
_COUNT_NAMES = ("reached_or_passed", "entered", "active", "cohort_drop_off", "active_drop_off")


class MixedPipelines(AnalyticsError):
    """The deals in scope belong to several pipelines, whose stages cannot share one funnel."""

    title = "Pick one pipeline"

    def __init__(self, pipelines: list[str]):
        self.pipelines = list(pipelines)
        names = ", ".join(self.pipelines)
        super().__init__(
            f"The deals in scope belong to {len(self.pipelines)} pipelines ({names}), each with "
            "its own stages. Pick one pipeline to see its funnel."
        )


class UnknownStage(AnalyticsError):
    """A drill-down names a stage that is not a stage of the pipeline (nor Won)."""

    title = "Unknown stage"


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown funnel mode {mode!r}; expected one of {', '.join(MODES)}")


def one_pipeline(con: duckdb.DuckDBPyConnection, filters: Filters) -> str | None:
    """Return the one pipeline the filters look at; MixedPipelines when they span several.

    With no deal in scope, a store that defines a single pipeline still shows its (empty)
    stages; None means there is no pipeline to show.
    """
    if filters.pipeline:
        return filters.pipeline
    found = pipelines_in_scope(con, filters)
    if len(found) > 1:
        raise MixedPipelines(found)
    if found:
        return found[0]
    defined = con.execute("SELECT DISTINCT pipeline FROM pipelines_stages").fetchall()
    return defined[0][0] if len(defined) == 1 else None


def _stages(con: duckdb.DuckDBPyConnection, pipeline: str) -> list[tuple[str, int]]:
    """Return the open stages of pipeline as (stage, position), in order."""
    rows = con.execute(
        "SELECT stage, position FROM pipelines_stages WHERE pipeline = ? ORDER BY position",
        [pipeline],
    ).fetchall()
    return [(stage, int(position)) for stage, position in rows]


def _visit_scope(
    con: duckdb.DuckDBPyConnection, filters: Filters, pipeline: str
) -> tuple[str, str, list]:
    """Return (JOIN clause, condition, parameters) keeping the stage_visits v of deals in scope."""
    if not filters.where:
        # stage_visits carries its deal's pipeline: the join only serves the other conditions.
        return "", "v.pipeline = ?", [pipeline]
    where, params = deal_conditions(con, replace(filters, pipeline=pipeline), "f")
    join = "JOIN deal_facts AS f ON f.deal_id = v.deal_id"
    return join, f"v.pipeline = ? AND {where}", [pipeline, *params]


def deal_states(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    by: str | None,
    *,
    cohort_only: bool,
) -> tuple[str, list]:
    """Return (WITH clause, parameters) describing the deals of pipeline at the as-of date.

    CTE scope: one row per deal passing the filters (only the cohort when cohort_only) with
    its key and 0/1 flags cohort, won, lost (by the as-of date) and closed_in_period. CTE
    state: the same plus furthest, the furthest open position entered by the as-of date.
    """
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    where, where_params = deal_conditions(con, replace(filters, pipeline=pipeline), "f")
    created, created_params = period_condition("f.created_at", filters)
    closed, closed_params = period_condition("f.closed_at", filters)
    cohort = f"f.created_at < ? AND {created}"
    cohort_params = [end, *created_params]
    sql = f"""
        WITH scope AS (
            SELECT f.deal_id, {key_sql(con, by) if by else "CAST(NULL AS VARCHAR)"} AS key,
                   CASE WHEN {cohort} THEN 1 ELSE 0 END AS cohort,
                   CASE WHEN f.status = 'won' AND f.closed_at < ? THEN 1 ELSE 0 END AS won,
                   CASE WHEN f.status = 'lost' AND f.closed_at < ? THEN 1 ELSE 0 END AS lost,
                   CASE WHEN f.closed_at < ? AND {closed} THEN 1 ELSE 0 END AS closed_in_period,
                   f.furthest_entered, f.first_event_at, f.last_event_at
            FROM deal_facts AS f
            WHERE {where} {f"AND {cohort}" if cohort_only else ""}
        )"""
    params = [*cohort_params, end, end, end, *closed_params, *where_params]
    if cohort_only:
        params += cohort_params
    columns = "s.deal_id, s.key, s.cohort, s.won, s.lost, s.closed_in_period"
    if derived.facts_current(con, as_of):
        sql += f""",
        state AS (SELECT {columns}, s.furthest_entered AS furthest FROM scope AS s)"""
        return sql, params
    # Only deals with stage events after the as-of date need their events replayed; the others
    # are read as they are, like every deal when the facts are current (deal_facts back-fills a
    # current stage that has no event of its own).
    sql += f""",
        replayed AS (
            SELECT v.deal_id, max(v.position) AS furthest
            FROM stage_visits AS v JOIN scope AS s ON s.deal_id = v.deal_id
            WHERE s.last_event_at >= ? AND v.position IS NOT NULL AND v.entered_at < ?
            GROUP BY v.deal_id
        ),
        state AS (
            SELECT {columns},
                   CASE WHEN s.last_event_at >= ? THEN r.furthest ELSE s.furthest_entered END
                       AS furthest
            FROM scope AS s LEFT JOIN replayed AS r ON r.deal_id = s.deal_id
        )"""
    return sql, [*params, end, end, end]


def _counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    by: str | None,
    modes: tuple[str, ...],
) -> dict[str | None, dict[int | None, dict[str, int]]]:
    """Return {key: {position: counts}} for the modes; position None is the Won row.

    counts holds reached_or_passed, entered, active, cohort_drop_off and active_drop_off
    (the ones of modes not asked for are 0).
    """
    sql, params = deal_states(con, filters, pipeline, by, cohort_only="active" not in modes)
    ctes, visited, visited_params = "", "", []
    if "entered" in modes or "active" in modes:
        end = as_of_end(resolve_as_of(con, filters))
        period, period_params = period_condition("v.entered_at", filters)
        # Only entries of the cohort or of the period count. No cohort deal has a visit before
        # the cohort's first event (bound), so that test drops the older history before the join.
        early = f"(v.entered_at >= b.first_event_at OR {period})"
        # Without a breakdown or conditions every visit of the pipeline has its deal in scope,
        # so only the cohort (a period's deals) needs joining.
        if by is None and not filters.where and "active" in modes:
            entries = f"""
            SELECT CAST(NULL AS VARCHAR) AS key, CASE WHEN c.deal_id IS NULL THEN 0 ELSE 1 END
                       AS cohort, v.deal_id, v.position,
                   CASE WHEN {period} THEN 1 ELSE 0 END AS in_period
            FROM stage_visits AS v CROSS JOIN bound AS b
            LEFT JOIN (SELECT deal_id FROM scope WHERE cohort = 1) AS c ON c.deal_id = v.deal_id
            WHERE v.pipeline = ? AND v.position IS NOT NULL AND v.entered_at < ?
              AND (c.deal_id IS NOT NULL OR {period}) AND {early}"""
        else:
            entries = f"""
            SELECT sc.key, sc.cohort, v.deal_id, v.position,
                   CASE WHEN {period} THEN 1 ELSE 0 END AS in_period
            FROM stage_visits AS v CROSS JOIN bound AS b
            JOIN scope AS sc ON sc.deal_id = v.deal_id
            WHERE v.pipeline = ? AND v.position IS NOT NULL AND v.entered_at < ?
              AND (sc.cohort = 1 OR {period}) AND {early}"""
        # Counting entries is cheap; only a deal that came back to a stage (or repeated one)
        # can enter it twice, so only those few deals' entries are deduplicated.
        ctes = f""",
        comebacks AS (
            SELECT DISTINCT v.deal_id FROM stage_visits AS v
            WHERE v.pipeline = ? AND v.position IS NOT NULL AND v.entered_at < ?
              AND v.visit_no > 1 AND (v.prev_position IS NULL OR v.position <= v.prev_position)
        ),
        bound AS (SELECT min(first_event_at) AS first_event_at FROM scope WHERE cohort = 1),
        entries AS ({entries}),
        repeats AS (
            SELECT key, position, cohort * (count(*) - 1) AS entered,
                   CASE WHEN sum(in_period) > 1 THEN sum(in_period) - 1 ELSE 0 END AS active
            FROM entries WHERE deal_id IN (SELECT deal_id FROM comebacks)
            GROUP BY key, cohort, deal_id, position
        )"""
        visited_params = [
            pipeline,
            end,
            *period_params,
            pipeline,
            end,
            *period_params,
            *period_params,
        ]
        visited = """
            UNION ALL
            SELECT key, position, 0, sum(cohort), sum(in_period), 0, 0
            FROM entries GROUP BY key, position
            UNION ALL
            SELECT key, position, 0, -sum(entered), -sum(active), 0, 0
            FROM repeats GROUP BY key, position"""
    rows = con.execute(
        f"""
        {sql}{ctes},
        stages AS (SELECT position FROM pipelines_stages WHERE pipeline = ?),
        hist AS (
            SELECT key, furthest, cohort, won, lost, closed_in_period, count(*) AS deals
            FROM state GROUP BY key, furthest, cohort, won, lost, closed_in_period
        ),
        parts (key, position, reached_or_passed, entered, active, cohort_drop_off,
               active_drop_off) AS (
            SELECT h.key, st.position,
                   CASE WHEN h.cohort = 1 AND (h.won = 1 OR h.furthest >= st.position)
                        THEN h.deals ELSE 0 END,
                   0, 0,
                   CASE WHEN h.cohort = 1 AND h.lost = 1 AND h.furthest = st.position
                        THEN h.deals ELSE 0 END,
                   CASE WHEN h.closed_in_period = 1 AND h.lost = 1 AND h.furthest = st.position
                        THEN h.deals ELSE 0 END
            FROM hist AS h CROSS JOIN stages AS st
            UNION ALL
            SELECT h.key, NULL, h.cohort * h.won * h.deals, h.cohort * h.won * h.deals,
                   h.closed_in_period * h.won * h.deals, 0, 0
            FROM hist AS h
            {visited}
        )
        SELECT key, position,
               CAST(sum(reached_or_passed) AS BIGINT) AS reached_or_passed,
               CAST(sum(entered) AS BIGINT) AS entered,
               CAST(sum(active) AS BIGINT) AS active,
               CAST(sum(cohort_drop_off) AS BIGINT) AS cohort_drop_off,
               CAST(sum(active_drop_off) AS BIGINT) AS active_drop_off
        FROM parts GROUP BY key, position
        """,
        [*params, *visited_params, pipeline],
    ).fetchall()
    out: dict[str | None, dict[int | None, dict[str, int]]] = {}
    for key, position, *values in rows:
        pos = None if position is None else int(position)
        out.setdefault(key, {})[pos] = dict(zip(_COUNT_NAMES, map(int, values), strict=True))
    return out


def _rows(
    stages: list[tuple[str, int]], counts: dict[int | None, dict[str, int]]
) -> list[tuple[str, int, dict[str, int]]]:
    """Return (stage, position, counts) for the open stages in order, then Won at n + 1."""
    zero = dict.fromkeys(_COUNT_NAMES, 0)
    rows = [(stage, pos, counts.get(pos, zero)) for stage, pos in stages]
    won = dict(counts.get(None, zero), cohort_drop_off=0, active_drop_off=0)
    rows.append((WON, len(stages) + 1, won))
    return rows


def funnel(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    mode: str = "reached",
    by: str | None = None,
) -> pd.DataFrame:
    """Return deals per stage of one pipeline (counts) and conversions (0..1 in reached mode).

    One row per open stage in order, then Won (position n + 1, reached = deals won). conversion
    = reached / the previous row's reached (None on the first row or over 0); cumulative =
    reached / the first row's reached; drop_off = deals lost while their furthest stage was
    this one (0 on Won). n is the conversion's denominator (the first row's own reached, base
    of the cumulative rates), small_sample flags n < 20, and ci_low / ci_high are the 95%
    Wilson interval of the conversion in the reached mode, where it is a share of the deals of
    the previous row (None in the other modes, whose conversions can exceed 1). With by, the
    first column is key and each key that has any deal in the funnel gets its own block.
    MixedPipelines when filters.pipeline is None and the deals in scope span several pipelines.
    """
    _check_mode(mode)
    key_cols = ["key"] if by else []
    pipeline = one_pipeline(con, filters)
    if pipeline is None:
        return pd.DataFrame(columns=key_cols + FUNNEL_COLUMNS)
    stages = _stages(con, pipeline)
    counts = _counts(con, filters, pipeline, by, (mode,))
    count, drop = _MODE_COUNT[mode], _MODE_DROP[mode]
    if by is None:
        blocks = {None: counts.get(None, {})}
    else:
        blocks = {
            k: v for k, v in sorted(counts.items()) if any(c[count] or c[drop] for c in v.values())
        }
    records = []
    for key, block in blocks.items():
        rows = _rows(stages, block)
        first = rows[0][2][count]
        previous = None
        for stage, position, c in rows:
            reached = c[count]
            n = first if previous is None else previous
            conversion = None if previous is None else stats.ratio(reached, previous)
            low, high = (None, None)
            if mode == "reached" and previous is not None:
                low, high = stats.wilson(reached, previous)
            records.append(
                {"key": key, "pipeline": pipeline, "stage": stage, "position": position,
                 "reached": reached, "conversion": conversion,
                 "cumulative": stats.ratio(reached, first), "drop_off": c[drop], "n": n,
                 "ci_low": low, "ci_high": high, "small_sample": stats.is_small(n)}
            )  # fmt: skip
            previous = reached
    return pd.DataFrame(records, columns=["key", *FUNNEL_COLUMNS])[key_cols + FUNNEL_COLUMNS]


def funnel_modes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return the deals per stage in the three funnel modes side by side (counts of deals).

    One row per open stage, then Won: reached_or_passed (cohort, skipped stages back-filled),
    entered (cohort, stages actually entered) and active (deals entering the stage in the
    period, whatever their creation date; on Won, deals won in the period).
    """
    pipeline = one_pipeline(con, filters)
    if pipeline is None:
        return pd.DataFrame(columns=MODES_COLUMNS)
    counts = _counts(con, filters, pipeline, None, MODES).get(None, {})
    records = [
        {"pipeline": pipeline, "stage": stage, "position": position,
         "reached_or_passed": c["reached_or_passed"], "entered": c["entered"],
         "active": c["active"]}
        for stage, position, c in _rows(_stages(con, pipeline), counts)
    ]  # fmt: skip
    return pd.DataFrame(records, columns=MODES_COLUMNS)


def stage_accounting(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return per open stage the visits entered in the period and what became of them (counts).

    A visit is classified by the deal's next stage event by the as-of date: Won or a later
    position = advanced; Lost = lost; an earlier position, the same stage again (a repeated
    event) or a stage that is not in the pipeline = moved_back (the deal left the stage without
    progressing; the data-quality panel counts such stages); none yet = still_there. So
    entered = advanced + lost + moved_back + still_there, visit by visit. A deal that closed
    without a Won/Lost event stays still_there: only stage events count here.
    """
    pipeline = one_pipeline(con, filters)
    if pipeline is None:
        return pd.DataFrame(columns=ACCOUNTING_COLUMNS)
    end = as_of_end(resolve_as_of(con, filters))
    join, scope, scope_params = _visit_scope(con, filters, pipeline)
    period, period_params = period_condition("v.entered_at", filters)
    frame = con.execute(
        f"""
        WITH visits AS (
            SELECT v.position,
                   CASE WHEN v.left_at IS NULL OR v.left_at >= ? THEN 'still_there'
                        WHEN v.next_stage = 'Won' THEN 'advanced'
                        WHEN v.next_stage = 'Lost' THEN 'lost'
                        WHEN v.next_position > v.position THEN 'advanced'
                        ELSE 'moved_back' END AS outcome
            FROM stage_visits AS v {join}
            WHERE {scope} AND v.position IS NOT NULL AND v.entered_at < ? AND {period}
        )
        SELECT s.pipeline, s.stage, s.position,
               count(v.outcome) AS entered,
               count(*) FILTER (WHERE v.outcome = 'advanced') AS advanced,
               count(*) FILTER (WHERE v.outcome = 'lost') AS lost,
               count(*) FILTER (WHERE v.outcome = 'moved_back') AS moved_back,
               count(*) FILTER (WHERE v.outcome = 'still_there') AS still_there
        FROM pipelines_stages AS s LEFT JOIN visits AS v ON v.position = s.position
        WHERE s.pipeline = ?
        GROUP BY s.pipeline, s.stage, s.position
        ORDER BY s.position
        """,
        [end, *scope_params, end, *period_params, pipeline],
    ).df()
    return frame[ACCOUNTING_COLUMNS].astype({"position": "int64"}).reset_index(drop=True)


def transitions(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return the counts of moves between stages whose second event is in the period (moves).

    One row per (from, to) pair. A deal's first event is a move from '(created)' (position 0);
    Won, Lost and stages not in the pipeline have no position (NULL). kind: won / lost by the
    stage entered, else forward (the next position), skip (further on) or back (an earlier
    position, the same stage again, or a stage without a position).
    """
    pipeline = one_pipeline(con, filters)
    if pipeline is None:
        return pd.DataFrame(columns=TRANSITION_COLUMNS)
    end = as_of_end(resolve_as_of(con, filters))
    join, scope, scope_params = _visit_scope(con, filters, pipeline)
    period, period_params = period_condition("v.entered_at", filters)
    frame = con.execute(
        f"""
        WITH moves AS (
            SELECT CASE WHEN v.visit_no = 1 THEN '{CREATED}' ELSE v.prev_stage END AS from_stage,
                   CASE WHEN v.visit_no = 1 THEN 0 ELSE v.prev_position END AS from_position,
                   v.stage AS to_stage, v.position AS to_position, count(*) AS moves
            FROM stage_visits AS v {join}
            WHERE {scope} AND v.entered_at < ? AND {period}
            GROUP BY 1, 2, 3, 4
        )
        SELECT ? AS pipeline, from_stage, from_position, to_stage, to_position, moves,
               CASE WHEN to_stage = 'Won' THEN 'won'
                    WHEN to_stage = 'Lost' THEN 'lost'
                    WHEN to_position = from_position + 1 THEN 'forward'
                    WHEN to_position > from_position + 1 THEN 'skip'
                    ELSE 'back' END AS kind
        FROM moves
        ORDER BY from_position NULLS LAST, from_stage, to_position NULLS LAST, to_stage
        """,
        [*scope_params, end, *period_params, pipeline],
    ).df()
    return frame[TRANSITION_COLUMNS].astype(
        {"from_position": "Int64", "to_position": "Int64", "moves": "int64"}
    )


def funnel_deals(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    stage: str,
    *,
    mode: str = "reached",
    limit: int = 1000,
) -> pd.DataFrame:
    """Return the deals counted in one bar of the funnel (stage or 'Won'), largest amount first.

    stage and status are the deal's at the as-of date; amount is in the reporting currency
    (None without an amount or an exchange rate; those come last). At most limit rows.
    UnknownStage when stage is neither an open stage of the pipeline nor Won.
    """
    _check_mode(mode)
    pipeline = one_pipeline(con, filters)
    if pipeline is None:
        return pd.DataFrame(columns=DEAL_COLUMNS)
    positions = dict(_stages(con, pipeline))
    if stage != WON and stage not in positions:
        known = ", ".join([*positions, WON])
        raise UnknownStage(f"Pipeline {pipeline} has no stage {stage!r}. Its stages: {known}.")
    as_of = resolve_as_of(con, filters)
    end = as_of_end(as_of)
    sql, params = deal_states(con, filters, pipeline, None, cohort_only=mode != "active")
    if stage == WON:
        member = "s.won = 1 AND s.closed_in_period = 1" if mode == "active" else "s.won = 1"
        member_params = []
    elif mode == "reached":
        member, member_params = "(s.won = 1 OR s.furthest >= ?)", [positions[stage]]
    else:
        period, period_params = period_condition("v.entered_at", filters)
        member = f"""s.deal_id IN (
            SELECT v.deal_id FROM stage_visits AS v
            WHERE v.pipeline = ? AND v.position = ? AND v.entered_at < ?
              {f"AND {period}" if mode == "active" else ""})"""
        member_params = [pipeline, positions[stage], end]
        if mode == "active":
            member_params += period_params
    if derived.facts_current(con, as_of):
        now, join, now_params = "f.stage AS stage, f.status AS status", "", []
    else:
        now = """CASE WHEN s.won = 1 THEN 'Won' WHEN s.lost = 1 THEN 'Lost' ELSE c.stage END
                     AS stage,
                 CASE WHEN s.won = 1 THEN 'won' WHEN s.lost = 1 THEN 'lost' ELSE 'open' END
                     AS status"""
        # The stage a deal was in at the as-of date: its visit running across that day's end.
        join = """LEFT JOIN stage_visits AS c ON c.deal_id = s.deal_id AND c.entered_at < ?
                  AND (c.left_at IS NULL OR c.left_at >= ?)"""
        now_params = [end, end]
    frame = con.execute(
        f"""
        {sql}
        SELECT f.deal_id, f.name, f.owner, f.pipeline, {now}, f.amount_rep AS amount,
               f.created_at
        FROM state AS s JOIN deal_facts AS f ON f.deal_id = s.deal_id
        {join}
        WHERE {member}
        ORDER BY f.amount_rep DESC NULLS LAST, f.deal_id
        LIMIT ?
        """,
        [*params, *now_params, *member_params, limit],
    ).df()
    return frame[DEAL_COLUMNS].reset_index(drop=True)
