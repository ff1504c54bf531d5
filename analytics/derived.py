"""Tables derived from the imported ones: stage visits, stage exits, per-deal facts, and the
spans of time each recorded amount and expected close date held.

Metrics read these instead of re-deriving visits and facts from raw events on every query.
They are rebuilt inside the transaction of every write (import, sample load), so they never
disagree with the tables they come from.

deal_facts.closed_at is when a closed deal closed: its stored close date, or the time its
history records it entering its outcome when that is earlier (or the close date is missing).
Salesforce fills a closed deal's close date from CloseDate, which a rep may leave at the planned
date of a deal lost weeks before; the history's timestamp says when it really closed.
"""

from __future__ import annotations

from datetime import date

import duckdb

# Ties between events at the same instant put open stages in pipeline order, outcomes last.
_VISITS = """
CREATE OR REPLACE TABLE stage_visits AS
WITH ev AS (
    SELECT e.deal_id, d.pipeline, e.stage, p.position, e.entered_at,
           e.stage IN ('Won', 'Lost') AS is_outcome
    FROM stage_events AS e
    JOIN deals AS d ON d.deal_id = e.deal_id
    LEFT JOIN pipelines_stages AS p ON p.pipeline = d.pipeline AND p.stage = e.stage
)
SELECT deal_id, pipeline, stage, position, is_outcome, entered_at,
       lead(entered_at) OVER w AS left_at,
       lead(stage) OVER w AS next_stage,
       lead(position) OVER w AS next_position,
       lag(stage) OVER w AS prev_stage,
       lag(position) OVER w AS prev_position,
       row_number() OVER w AS visit_no
FROM ev
WINDOW w AS (PARTITION BY deal_id ORDER BY entered_at, is_outcome, position)
"""

# One row per deal and open stage it has left at least once, with the first time it left.
_EXITS = """
CREATE OR REPLACE TABLE stage_exits AS
SELECT deal_id, pipeline, position, min(left_at) AS first_left_at
FROM stage_visits
WHERE position IS NOT NULL AND left_at IS NOT NULL
GROUP BY deal_id, pipeline, position
"""

# One row per deal, field and stretch of time between two of its recorded changes, holding the
# value it had then: the moments m with valid_from < m <= valid_to (valid_from NULL: since ever)
# are those for which the last change before m is the one at valid_from (its new value), or,
# before the first change, the first change (its old value). Changes at one instant are ranked
# as analytics.values_at says: the last by new then old value, descending; the first by new
# then old value, ascending (NULLs last both ways). The stretch after the last change is left
# out: the deal's stored value holds there.
_VALUE_SPANS = """
CREATE OR REPLACE TABLE value_spans AS
WITH ordered AS (
    -- Of several changes at one instant, the last has the largest new value (NULL only when
    -- all are): it is the last in this order, and the spans of the others are empty.
    SELECT deal_id, field, changed_at, old_value, new_value,
           lead(changed_at) OVER w AS next_at, row_number() OVER w AS n
    FROM deal_changes
    WHERE field IN ('amount', 'expected_close_date') AND changed_at IS NOT NULL
    WINDOW w AS (PARTITION BY deal_id, field
                 ORDER BY changed_at, new_value NULLS FIRST, old_value NULLS FIRST)
),
-- The first of several changes at the first instant (rare) has the smallest new value, then
-- the smallest old value, NULLs last: not always the first in the order above.
first_ties AS (
    SELECT c.deal_id, c.field,
           min(c.old_value) FILTER (WHERE c.new_value IS NOT DISTINCT FROM m.min_new) AS old_value
    FROM deal_changes AS c
    JOIN (SELECT o.deal_id, o.field, o.changed_at, min(c.new_value) AS min_new
          FROM ordered AS o
          JOIN deal_changes AS c ON c.deal_id = o.deal_id AND c.field = o.field
           AND c.changed_at = o.changed_at
          WHERE o.n = 1 AND o.next_at = o.changed_at
          GROUP BY o.deal_id, o.field, o.changed_at) AS m
      ON m.deal_id = c.deal_id AND m.field = c.field AND m.changed_at = c.changed_at
    GROUP BY c.deal_id, c.field
)
SELECT deal_id, field, changed_at AS valid_from, next_at AS valid_to, new_value AS value
FROM ordered WHERE next_at > changed_at
UNION ALL
SELECT o.deal_id, o.field, NULL, o.changed_at,
       CASE WHEN t.deal_id IS NULL THEN o.old_value ELSE t.old_value END
FROM ordered AS o LEFT JOIN first_ties AS t ON t.deal_id = o.deal_id AND t.field = o.field
WHERE o.n = 1
"""

_FACTS = """
CREATE OR REPLACE TABLE deal_facts AS
WITH ev AS (
    SELECT deal_id, max(position) AS furthest_entered, min(entered_at) AS first_event_at,
           max(entered_at) AS last_event_at,
           max(entered_at) FILTER (WHERE stage = 'Won') AS won_at,
           max(entered_at) FILTER (WHERE stage = 'Lost') AS lost_at
    FROM stage_visits GROUP BY deal_id
),
d AS (
    SELECT {deal_columns},
           CASE WHEN x.closed_at IS NULL OR {outcome_at} < x.closed_at
                THEN {outcome_at} ELSE x.closed_at END AS closed_at,
           ev.furthest_entered AS ev_furthest, ev.first_event_at, ev.last_event_at
    FROM deals AS x LEFT JOIN ev ON ev.deal_id = x.deal_id
),
act AS (
    SELECT deal_id, count(*) AS activity_count, count(completed_at) AS completed_activities,
           min(completed_at) AS first_activity_at, max(completed_at) AS last_activity_at
    FROM activities WHERE deal_id IS NOT NULL GROUP BY deal_id
),
-- A won deal's first follow-up completed on or after its close date: whether a deal was
-- followed up within any window, by any as-of date, follows from it alone.
follow_up AS (
    SELECT a.deal_id, min(a.completed_at) AS follow_up_at
    FROM activities AS a JOIN d ON d.deal_id = a.deal_id
    WHERE a.type = 'follow_up' AND d.status = 'won'
      AND CAST(a.completed_at AS DATE) >= CAST(d.closed_at AS DATE)
    GROUP BY a.deal_id
),
stages AS (SELECT pipeline, count(*) AS n_stages FROM pipelines_stages GROUP BY pipeline),
fx AS (
    SELECT currency, rate_date, rate,
           lead(rate_date) OVER (PARTITION BY currency ORDER BY rate_date) AS next_date
    FROM {rates}
),
rate_days AS (
    SELECT DISTINCT d.currency, {rate_day} AS rate_day
    FROM d WHERE d.currency IS NOT NULL AND d.currency <> ?
),
-- Rates are looked up once per currency and day, not once per deal.
conv AS (
    SELECT r.currency, r.rate_day, fx.rate
    FROM rate_days AS r
    JOIN fx ON fx.currency = r.currency AND fx.rate_date <= r.rate_day
           AND (fx.next_date IS NULL OR r.rate_day < fx.next_date)
)
SELECT d.* EXCLUDE (ev_furthest, first_event_at, last_event_at),
       CASE WHEN d.currency IS NULL OR d.currency = ? THEN d.amount
            ELSE d.amount / conv.rate END AS amount_rep,
       CAST(d.created_at AS DATE) AS created_date,
       CAST(d.closed_at AS DATE) AS closed_date,
       CASE WHEN d.status IN ('won', 'lost') AND d.closed_at IS NOT NULL
             AND CAST(d.closed_at AS DATE) >= CAST(d.created_at AS DATE)
            THEN CAST(d.closed_at AS DATE) - CAST(d.created_at AS DATE) END AS cycle_days,
       p.position AS stage_position,
       p.probability AS stage_probability,
       greatest(d.ev_furthest, p.position) AS furthest_entered,
       s.n_stages,
       d.first_event_at,
       d.last_event_at,
       act.first_activity_at,
       act.last_activity_at,
       coalesce(act.activity_count, 0) AS activity_count,
       coalesce(act.completed_activities, 0) AS completed_activities,
       follow_up.follow_up_at
FROM d
LEFT JOIN act ON act.deal_id = d.deal_id
LEFT JOIN follow_up ON follow_up.deal_id = d.deal_id
LEFT JOIN pipelines_stages AS p ON p.pipeline = d.pipeline AND p.stage = d.stage
LEFT JOIN stages AS s ON s.pipeline = d.pipeline
LEFT JOIN conv ON conv.currency = d.currency AND conv.rate_day = {rate_day}
"""

# When a closed deal last entered its outcome stage, by its history (stage_visits, ev above).
# The importer stores a closed deal in its outcome stage, Won or Lost.
_OUTCOME_AT = (
    "(CASE WHEN x.status IN ('won', 'lost') THEN "
    "CASE x.stage WHEN 'Won' THEN ev.won_at WHEN 'Lost' THEN ev.lost_at END END)"
)

# The day a deal's amount is converted on: its close date once closed, else the data's last day
# (the as-of date deal_facts describes). Takes that last day as a parameter.
_RATE_DAY = (
    "CASE WHEN d.status IN ('won', 'lost') AND d.closed_at IS NOT NULL "
    "THEN CAST(d.closed_at AS DATE) ELSE CAST(? AS DATE) END"
)
# Stands in for exchange_rates while migrations that predate it run.
_NO_RATES = (
    "(SELECT CAST(NULL AS VARCHAR) AS currency, CAST(NULL AS DATE) AS rate_date, "
    "CAST(NULL AS DOUBLE) AS rate WHERE false)"
)

# The last day any stored record describes: a deal created or closed, a stage entered, an
# activity completed, an amount or close date changed, a lead created or converted (None for an
# empty store).
LAST_DAY = """
SELECT CAST(max(t) AS DATE) FROM (
    SELECT max(created_at) AS t FROM deals UNION ALL SELECT max(closed_at) FROM deals
    UNION ALL SELECT max(entered_at) FROM stage_events
    UNION ALL SELECT max(completed_at) FROM activities
    UNION ALL SELECT max(changed_at) FROM deal_changes
    UNION ALL SELECT max(created_at) FROM leads UNION ALL SELECT max(converted_at) FROM leads)
"""


def reporting_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    """Return the currency amounts are reported in: the one set, else the deals' commonest."""
    row = con.execute("SELECT value FROM meta WHERE key = 'reporting_currency'").fetchone()
    if row and row[0]:
        return row[0]
    row = con.execute(
        "SELECT currency FROM deals WHERE currency IS NOT NULL "
        "GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1"
    ).fetchone()
    return row[0] if row else None


# What each derived table is built from: a write that changed none of them leaves it as it is.
VISITS_READ = frozenset({"deals", "stage_events", "pipelines_stages"})
FACTS_READ = VISITS_READ | {"activities", "exchange_rates"}


def refresh(cur: duckdb.DuckDBPyConnection, visits: bool = True) -> None:
    """Rebuild stage_visits, stage_exits, value_spans and deal_facts from the stored tables
    (inside the write).

    visits=False keeps stage_visits, stage_exits and value_spans, for a write that changed none
    of VISITS_READ (deals and history writes are also the ones recording deal_changes).
    """
    if visits:
        cur.execute(_VISITS)
        cur.execute(_EXITS)
        cur.execute(_VALUE_SPANS)
    through = cur.execute(LAST_DAY).fetchone()[0]
    has_rates = cur.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'exchange_rates' AND table_schema = 'main'"
    ).fetchone()[0]
    reporting = reporting_currency(cur)
    columns = cur.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'deals' AND table_schema = 'main' AND column_name <> 'closed_at' "
        "ORDER BY ordinal_position"
    ).fetchall()
    cur.execute(
        _FACTS.format(
            rates="exchange_rates" if has_rates else _NO_RATES,
            rate_day=_RATE_DAY,
            outcome_at=_OUTCOME_AT,
            deal_columns=", ".join(f'x."{name}"' for (name,) in columns),
        ),
        [through, reporting, reporting, through],
    )
    cur.execute(
        "INSERT OR REPLACE INTO meta VALUES ('data_through', ?)",
        [through.isoformat() if through else None],
    )


def data_through(con: duckdb.DuckDBPyConnection) -> date | None:
    """Return the last day any stored record describes (None for an empty store)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'data_through'").fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def facts_current(con: duckdb.DuckDBPyConnection, as_of: date) -> bool:
    """Return True when deal_facts describes the deals as they were at as_of.

    It does when nothing in the data happened after as_of; for an earlier as-of date, metrics
    work from stage_visits and the timestamps instead.
    """
    through = data_through(con)
    return through is None or as_of >= through
