"""The rules of each kind of record: deals, stage history, activities, leads, targets, pipelines."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from analytics import parsing
from analytics.checks import MAX_LISTED, listed, note_rows
from analytics.errors import Note, Problem
from analytics.presets import LEAD_STATUS_PATTERNS, STATUS_WORDS, outcome_of
from analytics.schema import (
    ACTIVITY_TYPES,
    DEFAULT_PIPELINE,
    IMPORTABLE,
    TARGET_METRICS,
    TARGET_SCOPES,
)
from analytics.stages import Pipelines, resolve_pairs
from analytics.staging import Ids, Staged, raw_expr, source_name

q = parsing.quote_ident


def _status_case(expr: str) -> str:
    groups: dict[str, list[str]] = {}
    for word, status in STATUS_WORDS.items():
        groups.setdefault(status, []).append(word)
    whens = " ".join(
        f"WHEN lower(trim({expr})) IN {tuple(words)} THEN '{status}'"
        for status, words in groups.items()
    )
    return f"(CASE {whens} END)"


_CURRENCY_CODE = (
    "(CASE trim(currency) WHEN '$' THEN 'USD' WHEN '€' THEN 'EUR' WHEN '£' THEN 'GBP' "
    "WHEN '¥' THEN 'JPY' WHEN '￥' THEN 'JPY' WHEN '円' THEN 'JPY' "
    "ELSE CASE WHEN regexp_full_match(upper(trim(currency)), '[A-Z]{3}') "
    "THEN upper(trim(currency)) END END)"
)


def finish_deals(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    pipelines: Pipelines,
    default_pipeline: str,
    ids: Ids,
) -> str:
    """Return the table of a deals file's final rows: stage, status, close date resolved."""
    t = staged.table
    stage_map = ids("stagemap")
    resolve_pairs(
        cur, staged,
        f"SELECT pipeline, stage, count(*), min(__rowid) FROM {t} GROUP BY ALL",
        pipelines, default_pipeline, stage_map,
    )  # fmt: skip
    statuses = _spellings(cur, staged, ids, "status", _status_case)
    _listed_unknown(
        cur, staged, statuses, "status", "not a deal status (expected open, won or lost)"
    )
    listed(cur, staged, "stage IS NULL", "stage", "every deal needs a stage")
    currencies = _checked_currencies(cur, staged, ids)
    fin = ids("deals")
    stored = [c.name for c in IMPORTABLE["deals"].stored_columns]
    custom_cols = staged.mapping.unmapped
    if custom_cols:
        entries = ", ".join(
            f"({parsing.sql_list([c])}[1], nullif(trim(raw.{q(c)}), ''))" for c in custom_cols
        )
        custom = f"map_from_entries(list_filter([{entries}], lambda e: e[2] IS NOT NULL))"
        join_raw = f"JOIN {staged.raw.table} AS raw ON raw.rowid = a.__rowid"
    else:
        custom = "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
        join_raw = ""
    status = (
        "coalesce(st.status_kind, "
        "CASE WHEN s.is_won THEN 'won' WHEN s.is_closed THEN 'lost' "
        "WHEN s.is_closed = false THEN 'open' END, "
        # Odoo archives a lost opportunity (Active = False) instead of moving it to a stage.
        "CASE WHEN s.is_active = false AND m.outcome IS DISTINCT FROM 'Won' THEN 'lost' END, "
        "lower(m.outcome), CASE WHEN m.stage IS NOT NULL THEN 'open' END)"
    )
    # A view: the lookups it joins are small, and its rows are read once more after the checks.
    cur.execute(
        f"""
        CREATE TEMP VIEW {fin}_all AS
        SELECT s.*, m.pipeline AS pipeline_resolved, m.stage AS open_stage, m.outcome,
               {status} AS status_resolved, cu.currency_kind AS currency_code
        FROM {t} AS s
        LEFT JOIN {stage_map} AS m
          ON m.pipeline_raw IS NOT DISTINCT FROM s.pipeline
         AND m.stage_raw IS NOT DISTINCT FROM s.stage
        LEFT JOIN {statuses} AS st ON st.status_spelling = s.status
        LEFT JOIN {currencies} AS cu ON cu.currency_spelling = s.currency
        """
    )
    rows = cur.execute(
        f"SELECT __rowid, stage, status FROM {fin}_all "
        "WHERE (outcome IS NOT NULL AND status_resolved = 'open') "
        "   OR (outcome IS NOT NULL AND status_resolved IN ('won', 'lost') "
        "       AND lower(outcome) <> status_resolved) "
        f"ORDER BY __rowid LIMIT {MAX_LISTED}"
    ).fetchall()
    for rowid, stage_raw, status_raw in rows:
        staged.problems.append(
            Problem(staged.file, staged.raw.row_of(rowid), source_name(staged.mapping, "stage"),
                    stage_raw, f"the stage contradicts the deal's status ({status_raw or 'open'})")
        )  # fmt: skip
    note_rows(cur, staged, f"{fin}_all", "status_resolved = 'deleted' OR is_deleted",
               None, "deleted deals were skipped", "deleted deal was skipped")  # fmt: skip
    selects = []
    for name in stored:
        if name == "pipeline":
            selects.append("pipeline_resolved AS pipeline")
        elif name == "stage":
            selects.append(
                "CASE status_resolved WHEN 'won' THEN 'Won' WHEN 'lost' THEN 'Lost' "
                "ELSE open_stage END AS stage"
            )
        elif name == "status":
            selects.append("status_resolved AS status")
        elif name == "currency":
            selects.append("currency_code AS currency")
        elif name == "closed_at":
            selects.append(
                "CASE WHEN status_resolved <> 'open' "
                "THEN coalesce(closed_at, expected_close_date__ts) END AS closed_at"
            )
        else:
            selects.append(q(name))
    # Rows that repeat another exactly are merged (any other repeat was refused).
    dedupe = (
        "QUALIFY row_number() OVER (PARTITION BY deal_id ORDER BY __rowid) = 1"
        if staged.has_repeats
        else ""
    )
    cur.execute(
        f"CREATE TEMP TABLE {fin} AS SELECT {', '.join(selects)}, custom, open_stage, __rowid "
        f"FROM (SELECT a.*, {custom} AS custom FROM {fin}_all AS a {join_raw}) "
        f"WHERE status_resolved IS DISTINCT FROM 'deleted' AND is_deleted IS NOT TRUE {dedupe}"
    )
    cur.execute(f"DROP VIEW {fin}_all")
    note_rows(
        cur,
        staged,
        fin,
        "closed_at::DATE < created_at::DATE",
        "closed_at",
        "closed deals close before they were created (kept; left out of durations)",
        "closed deal closes before it was created (kept; left out of durations)",
    )
    note_rows(cur, staged, fin, "status <> 'open' AND closed_at IS NULL", "closed_at",
               "closed deals have no close date", "closed deal has no close date")  # fmt: skip
    return fin


def finish_events(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    pipelines: Pipelines,
    default_pipeline: str,
    ids: Ids,
    deal_pipelines: str,
) -> str:
    """Return the table of a history file's rows, stages resolved through each deal's pipeline."""
    t = staged.table
    withp = ids("events_p")
    cur.execute(
        f"CREATE TEMP VIEW {withp} AS SELECT s.*, dp.pipeline AS deal_pipeline "
        f"FROM {t} AS s LEFT JOIN ({deal_pipelines}) AS dp USING (deal_id)"
    )
    stage_map = ids("stagemap")
    resolve_pairs(
        cur, staged,
        f"SELECT deal_pipeline, stage, count(*), min(__rowid) FROM {withp} "
        "WHERE stage IS NOT NULL GROUP BY ALL",
        pipelines, default_pipeline, stage_map,
    )  # fmt: skip
    listed(cur, staged, "stage IS NULL", "stage", "every history row needs a stage")
    note_rows(cur, staged, withp, "is_deleted", None, "deleted history rows were skipped",
               "deleted history row was skipped")  # fmt: skip
    fin = ids("events")
    _history_table(
        cur,
        fin,
        f"""
        SELECT s.deal_id, coalesce(m.outcome, m.stage) AS stage, s.entered_at, s.amount,
               s.expected_close_date, s.__rowid, s.deal_pipeline
        FROM {withp} AS s
        JOIN {stage_map} AS m
          ON m.pipeline_raw IS NOT DISTINCT FROM s.deal_pipeline AND m.stage_raw = s.stage
        WHERE s.is_deleted IS NOT TRUE AND coalesce(m.outcome, m.stage) IS NOT NULL
          AND s.deal_id IS NOT NULL AND s.entered_at IS NOT NULL
        """,
    )
    cur.execute(f"DROP VIEW {withp}")
    note_rows(cur, staged, fin, "deal_pipeline IS NULL", "deal_id",
               "history rows belong to deals that are not loaded (kept; they link up when "
               "the deals are imported)",
               "history row belongs to a deal that is not loaded (kept; it links up when "
               "the deal is imported)")  # fmt: skip
    return fin


def finish_entered_columns(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    deals_fin: str,
    pipelines: Pipelines,
    ids: Ids,
    order: str | None,
) -> str | None:
    """Return stage events read from "Date entered <stage>" columns of a deals file, if any."""
    entered = staged.mapping.entered_columns
    if not entered:
        return None
    cols_map = ids("entered_cols")
    cur.execute(
        f"CREATE TEMP TABLE {cols_map} (source VARCHAR, stage_raw VARCHAR, pipeline_raw VARCHAR)"
    )
    cur.executemany(
        f"INSERT INTO {cols_map} VALUES (?, ?, ?)",
        [(e.source, e.stage, e.pipeline) for e in entered],
    )
    # The headers name stages and pipelines as the cells do: replaced values apply to them too.
    for column in ("stage", "pipeline"):
        if column in staged.replacements:
            values = staged.replacements[column]
            cur.execute(
                f"UPDATE {cols_map} SET {column}_raw = v.value FROM {values} AS v "
                f"WHERE v.key = lower(trim({cols_map}.{column}_raw))"
            )
    unpivoted = ids("entered")
    col_list = ", ".join(q(e.source) for e in entered)
    cur.execute(
        f"""
        CREATE TEMP TABLE {unpivoted} AS
        SELECT u.__rowid, u.source, nullif(trim(u.v), '') AS v
        FROM (UNPIVOT (SELECT rowid AS __rowid, {col_list} FROM {staged.raw.table})
              ON {col_list} INTO NAME source VALUE v) AS u
        """
    )
    parsed = parsing.timestamp("x.v", order)
    bad = cur.execute(
        f"SELECT x.__rowid, x.source, x.v FROM {unpivoted} AS x "
        f"WHERE x.v IS NOT NULL AND {parsed} IS NULL ORDER BY x.__rowid LIMIT {MAX_LISTED}"
    ).fetchall()
    for rowid, source, value in bad:
        staged.problems.append(
            Problem(
                staged.file,
                staged.raw.row_of(rowid),
                source,
                value,
                "not a date or time this importer can read",
            )  # fmt: skip
        )
    stage_map = ids("stagemap")
    resolve_pairs(
        cur, staged,
        f"SELECT coalesce(c.pipeline_raw, d.pipeline), c.stage_raw, count(*), min(x.__rowid) "
        f"FROM {unpivoted} AS x JOIN {cols_map} AS c USING (source) "
        f"JOIN {deals_fin} AS d ON d.__rowid = x.__rowid WHERE x.v IS NOT NULL GROUP BY ALL",
        pipelines, DEFAULT_PIPELINE, stage_map,
    )  # fmt: skip
    fin = ids("entered_events")
    _history_table(
        cur,
        fin,
        f"""
        SELECT d.deal_id, coalesce(m.outcome, m.stage) AS stage, {parsed} AS entered_at,
               CAST(NULL AS DOUBLE) AS amount, CAST(NULL AS DATE) AS expected_close_date,
               x.__rowid, d.pipeline AS deal_pipeline
        FROM {unpivoted} AS x
        JOIN {cols_map} AS c USING (source)
        JOIN {deals_fin} AS d ON d.__rowid = x.__rowid
        JOIN {stage_map} AS m ON m.pipeline_raw IS NOT DISTINCT FROM coalesce(c.pipeline_raw, d.pipeline)
                             AND m.stage_raw = c.stage_raw
        WHERE x.v IS NOT NULL AND {parsed} IS NOT NULL AND coalesce(m.outcome, m.stage) IS NOT NULL
        """,
    )
    return fin


def _history_table(cur: duckdb.DuckDBPyConnection, fin: str, rows: str) -> None:
    """Create the table of a file's stage history from the query rows, adding to each row the
    stage, amount and close date of the deal's row before it (NULL for its first row).

    write_history reads them: a row in the stage of the one before is no new visit.
    """
    cur.execute(
        f"CREATE TEMP TABLE {fin} AS SELECT *, lag(stage) OVER w AS prev_stage, "
        "lag(amount) OVER w AS prev_amount, lag(expected_close_date) OVER w AS prev_close "
        f"FROM ({rows}) WINDOW w AS (PARTITION BY deal_id ORDER BY entered_at, __rowid)"
    )


_ACTIVITY_TYPE_WORDS = {
    "call": ("call", "phone", "phone call", "phonecall", "log a call", "電話"),
    "email": ("email", "e-mail", "mail", "メール"),
    "meeting": ("meeting", "event", "visit", "appointment", "会議", "訪問"),
    "demo": ("demo", "demonstration", "product demo", "デモ"),
    "task": ("task", "to-do", "todo", "to do", "タスク"),
    "follow_up": ("follow_up", "follow-up", "follow up", "followup", "フォローアップ"),
}


def _activity_type(expr: str) -> str:
    low = f"lower(trim({expr}))"
    whens = " ".join(
        f"WHEN {low} IN {tuple(words)} THEN '{kind}'"
        for kind, words in _ACTIVITY_TYPE_WORDS.items()
    )
    custom = f"regexp_replace({low}, '[\\s-]+', '_', 'g')"
    return f"(CASE {whens} ELSE {custom} END)"


def _lead_status(expr: str) -> str:
    low = f"lower(trim({expr}))"
    whens = " ".join(
        f"WHEN regexp_matches({low}, '{pattern}') THEN '{status}'"
        for pattern, status in LEAD_STATUS_PATTERNS
    )
    return f"(CASE {whens} END)"


_SCOPE_WORDS = {
    "company": ("company", "all", "organization", "org", "全社"),
    "team": ("team", "group", "チーム"),
    "owner": ("owner", "rep", "user", "salesperson", "person", "individual", "担当者"),
}


def finish_simple(cur: duckdb.DuckDBPyConnection, staged: Staged, ids: Ids) -> str:
    """Return the final rows of organizations, contacts, leads, activities or targets."""
    kind = staged.mapping.kind
    table = IMPORTABLE[kind]
    t = staged.table
    exprs = {c.name: q(c.name) for c in table.stored_columns}
    where = ["true"]
    join = ""
    if kind == "leads":
        statuses = _spellings(cur, staged, ids, "status", _lead_status)
        join = f"LEFT JOIN {statuses} AS ls ON ls.status_spelling = status"
        exprs["status"] = (
            "CASE WHEN is_converted THEN 'converted' "
            "WHEN status IS NULL AND deal_id IS NOT NULL THEN 'converted' "
            "ELSE ls.status_kind END"
        )
        _listed_unknown(
            cur, staged, statuses, "status",
            "not a lead status (expected new, working, converted or disqualified, or the "
            "CRM's wording of them such as \"Open - Not Contacted\" or \"Closed - Converted\")",
        )  # fmt: skip
    elif kind == "activities":
        exprs["completed_at"] = "coalesce(completed_at, CASE WHEN is_done THEN due_at END)"
        where.append("is_deleted IS NOT TRUE")
        note_rows(cur, staged, t, "type IS NULL", source_name(staged.mapping, "type")
                   if "type" in staged.mapping.columns else None,
                   "activities have no type and were recorded as tasks",
                   "activity has no type and was recorded as a task")  # fmt: skip
        note_rows(cur, staged, t, "is_deleted", None, "deleted activities were skipped",
                   "deleted activity was skipped")  # fmt: skip
        # Looked up by spelling: mapping the type of every row cost a second per 9.4M rows.
        join = f"LEFT JOIN {_activity_types(cur, staged, ids)} AS tm ON tm.type_spelling = type"
        exprs["type"] = "coalesce(tm.type_kind, 'task')"
    elif kind == "targets":
        low = "lower(trim(scope))"
        scope = " ".join(
            f"WHEN {low} IN {tuple(words)} THEN '{name}'" for name, words in _SCOPE_WORDS.items()
        )
        exprs["scope"] = f"(CASE {scope} END)"
        exprs["scope_value"] = (
            f"CASE WHEN ({exprs['scope']}) = 'company' THEN NULL ELSE scope_value END"
        )
        exprs["metric"] = "lower(trim(metric))"
        exprs["target_id"] = (
            "coalesce(target_id, 'T-' || substr(md5(concat_ws('|', "
            f"({exprs['scope']}), scope_value, lower(trim(metric)), period_start, period_end)), 1, 12))"
        )
        listed(
            cur,
            staged,
            f"scope IS NOT NULL AND ({exprs['scope']}) IS NULL",
            "scope",
            f"not a target scope (expected one of {', '.join(TARGET_SCOPES)})",
        )
        metrics = tuple(TARGET_METRICS)
        listed(
            cur, staged,
            f"metric IS NOT NULL AND lower(trim(metric)) NOT IN {metrics} "
            "AND NOT regexp_full_match(lower(trim(metric)), 'activities_completed:[a-z_]+')",
            "metric",
            f"not a target metric (expected one of {', '.join(metrics)}, "
            "or activities_completed:<type>)",
        )  # fmt: skip
        listed(cur, staged, "period_end < period_start", "period_end",
                "the period ends before it starts")  # fmt: skip
        listed(
            cur, staged,
            f"({exprs['scope']}) IN ('team', 'owner') AND scope_value IS NULL", "scope_value",
            "a team or owner target needs the team's or owner's name",
        )  # fmt: skip
    elif kind == "exchange_rates":
        exprs["currency"] = _CURRENCY_CODE
        _checked_currencies(cur, staged, ids)
        # Negative rates are refused by the cell checks of every number column.
        listed(cur, staged, "rate = 0", "rate", "an exchange rate must be greater than 0")
        _check_rate_repeats(cur, staged)
    key = table.key
    dedupe = ""
    if key and staged.has_repeats:
        dedupe = f"QUALIFY row_number() OVER (PARTITION BY ({exprs[key]}) ORDER BY __rowid) = 1"
    elif kind == "exchange_rates":
        # Repeats of one currency's rate on one day are identical (else refused): keep the first.
        dedupe = (
            f"QUALIFY row_number() OVER (PARTITION BY ({_CURRENCY_CODE}), rate_date "
            "ORDER BY __rowid) = 1"
        )
    fin = ids(kind)
    selects = ", ".join(f"{e} AS {q(n)}" for n, e in exprs.items())
    # A view: the final rows are computed once, as they are written.
    cur.execute(
        f"CREATE TEMP VIEW {fin} AS SELECT {selects}, __rowid FROM {t} {join} "
        f"WHERE {' AND '.join(where)} {dedupe}"
    )
    return fin


def _check_rate_repeats(cur: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Refuse two different rates of one currency on one day; note rows that repeat a rate."""
    t = staged.table
    ranked = (
        f"SELECT __rowid, min(rate) OVER w <> max(rate) OVER w AS conflict, "
        f"row_number() OVER (w ORDER BY __rowid) AS k FROM {t} "
        f"WHERE rate_date IS NOT NULL AND {_CURRENCY_CODE} IS NOT NULL "
        f"WINDOW w AS (PARTITION BY {_CURRENCY_CODE}, rate_date)"
    )
    listed(
        cur, staged, f"__rowid IN (SELECT __rowid FROM ({ranked}) WHERE conflict AND k > 1)",
        "rate", "the file gives this currency another rate on the same date",
    )  # fmt: skip
    note_rows(
        cur, staged, t, f"__rowid IN (SELECT __rowid FROM ({ranked}) WHERE NOT conflict AND k > 1)",
        None, "rows repeat another row's currency, date and rate exactly and were merged",
        "row repeats another row's currency, date and rate exactly and was merged",
    )  # fmt: skip


def _spellings(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    ids: Ids,
    column: str,
    mapped: Callable[[str], str],
) -> str:
    """Return a table of a text column's distinct values: {column}_spelling, {column}_kind (what
    mapped(SQL) makes of it) and rows.

    The few distinct spellings are mapped, not every row: a join to this table costs nothing
    next to a mapping of regular expressions and word lists evaluated on millions of rows.
    """
    sources = staged.mapping.columns.get(column, ())
    col = q(column)
    if len(sources) == 1 and column not in staged.mapping.values:
        # Group the cells as written first: trimming then runs once per distinct spelling.
        cell = q(sources[0])
        spellings = (
            f"SELECT {raw_expr(sources, staged.mapping.preset.null_values)} AS {col}, n "
            f"FROM (SELECT {cell}, count(*) AS n FROM {staged.raw.table} GROUP BY {cell})"
        )
    else:
        spellings = f"SELECT {col}, count(*) AS n FROM {staged.table} GROUP BY {col}"
    table = ids(column + "_spellings")
    # MATERIALIZED keeps the optimizer from pushing the mapping below the grouping, where it
    # would run once per row instead of once per spelling.
    cur.execute(
        f"CREATE TEMP TABLE {table} AS WITH spellings AS MATERIALIZED ({spellings}) "
        f"SELECT {col} AS {q(column + '_spelling')}, {mapped(col)} AS {q(column + '_kind')}, "
        f"sum(n) AS rows FROM spellings WHERE {col} IS NOT NULL GROUP BY {col}"
    )
    return table


def _listed_unknown(
    cur: duckdb.DuckDBPyConnection, staged: Staged, spellings: str, column: str, message: str
) -> None:
    """List the rows whose value in column the spellings table (_spellings) maps to nothing."""
    unknown = (
        f"SELECT {q(column + '_spelling')} FROM {spellings} WHERE {q(column + '_kind')} IS NULL"
    )
    if cur.execute(unknown).fetchone():
        listed(cur, staged, f"{q(column)} IN ({unknown})", column, message)


def _checked_currencies(cur: duckdb.DuckDBPyConnection, staged: Staged, ids: Ids) -> str:
    """Return the currency spellings table of a file (_spellings), listing unknown currencies."""
    currencies = _spellings(cur, staged, ids, "currency", lambda _: _CURRENCY_CODE)
    _listed_unknown(
        cur, staged, currencies, "currency",
        "not a currency code (expected ISO 4217 such as USD, EUR, JPY, or $ € £ ¥)",
    )  # fmt: skip
    return currencies


def _activity_types(cur: duckdb.DuckDBPyConnection, staged: Staged, ids: Ids) -> str:
    """Return the type spellings table of an activities file (_spellings); note custom types."""
    types = _spellings(cur, staged, ids, "type", _activity_type)
    rows = cur.execute(
        f"SELECT type_kind, sum(rows) FROM {types} WHERE type_kind NOT IN {tuple(ACTIVITY_TYPES)} "
        "GROUP BY type_kind ORDER BY sum(rows) DESC, type_kind"
    ).fetchall()
    for custom, n in rows:
        staged.notes.append(
            Note(
                staged.file,
                source_name(staged.mapping, "type"),
                n,
                f'activities have the custom type "{custom}"',
                one=f'activity has the custom type "{custom}"',
            )  # fmt: skip
        )
    return types


def finish_pipelines(cur: duckdb.DuckDBPyConnection, staged: Staged, pipelines: Pipelines) -> None:
    """Declare the pipelines of a pipelines file; Won/Lost rows are skipped (outcomes are implicit)."""
    listed(cur, staged, "probability > 100", "probability",
            "a probability is a share from 0 to 1, or a percentage from 0 to 100")  # fmt: skip
    rows = cur.execute(
        f"SELECT __rowid, pipeline, stage, position, "
        f"CASE WHEN probability > 1 THEN probability / 100 ELSE probability END, rotting_days "
        f"FROM {staged.table} WHERE pipeline IS NOT NULL AND stage IS NOT NULL "
        "ORDER BY pipeline, position, __rowid"
    ).fetchall()
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        if outcome_of(row[2]):
            continue
        grouped.setdefault(row[1], []).append(row)
    for pipeline, stage_rows in grouped.items():
        positions = [r[3] for r in stage_rows]
        if len(set(positions)) != len(positions):
            dup = next(r for r in stage_rows if positions.count(r[3]) > 1)
            staged.problems.append(
                Problem(staged.file, staged.raw.row_of(dup[0]),
                        source_name(staged.mapping, "position"), str(dup[3]),
                        f'two stages of pipeline "{pipeline}" have the same position')
            )  # fmt: skip
            continue
        names = [r[2] for r in stage_rows]
        pipelines.declare(pipeline, names, {r[2]: r[4] for r in stage_rows})
        for r in stage_rows:
            pipelines.rotting[(pipeline, r[2])] = r[5]
