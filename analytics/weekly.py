"""Weekly-meeting metrics between two dates a < b: movements, slipped and stalled deals, the
pipeline waterfall and the slippage scorecard.

The window is the days after a up to and including b: timestamps t with a_end <= t < b_end,
where x_end is midnight at the start of the day after x. The filters' pipeline and conditions
apply; their period and as-of date do not (a and b, or as_of, take their place).

"Open at T" (T a midnight) follows each deal's open spans: from creation to its close
(closed_at, or created_at when the close precedes it), or for ever while the status is open.
A deal that was won or lost and then entered an open stage again (reopened) has one span per
time it was open, read from its stage events. Closed deals without a close date are never open.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from analytics import stats
from analytics.definitions import define
from analytics.derived import facts_current, reporting_currency
from analytics.errors import AnalyticsError
from analytics.filters import Filters, as_of_end, deal_conditions

WEEKLY_NEW = define(
    "weekly_new",
    "New deals this week",
    "deals created in the window, with the sum of their amounts in the reporting currency",
    None,
    "the creation time (created_at) falls after day a, up to the end of day b",
    "deals without an amount or exchange rate (counted, not summed)",
    "deals / currency",
)
WEEKLY_ADVANCED = define(
    "weekly_advanced",
    "Deals advanced this week",
    "deals with a stage event in the window into a later open stage than their previous event "
    "(each deal once), with the sum of their current amounts",
    None,
    "the time the stage was entered falls after day a, up to the end of day b",
    "moves from or to a stage not in the pipeline, reopenings after Won or Lost",
    "deals / currency",
)
WEEKLY_MOVED_BACK = define(
    "weekly_moved_back",
    "Deals moved back this week",
    "deals with a stage event in the window into an earlier open stage than their previous "
    "event (each deal once), with the sum of their current amounts",
    None,
    "the time the stage was entered falls after day a, up to the end of day b",
    "moves from or to a stage not in the pipeline, reopenings after Won or Lost",
    "deals / currency",
)
SLIPPED_DEALS = define(
    "slipped_deals",
    "Slipped deals",
    "deals whose expected close date was moved later in the window (pushed), and deals open at "
    "the end of day b whose expected close date, as it was then, is before b (overdue)",
    None,
    "the time of the close-date change; the end of day b for overdue deals",
    "close-date changes that pull the date in; overdue deals already listed as pushed",
    "deals",
)
STALLED_DEALS = define(
    "stalled_deals",
    "Stalled deals",
    "deals open at the as-of date idle for more days than their stage's threshold: idle days "
    "count from the day of the later of their last stage change and last completed activity "
    "(creation when they have neither) to the as-of date; the threshold is the stage's "
    "rotting_days, else 2 × the median of the stage's completed visits (all deals of the "
    "pipeline), at least 7 days",
    None,
    "the as-of date (state reconstructed from timestamps for a past date)",
    "deals closed at the as-of date",
    "deals",
)
PIPELINE_WATERFALL = define(
    "pipeline_waterfall",
    "Pipeline waterfall",
    "open pipeline at the end of day a + created − won − lost ± amount changes ± reopened or "
    "other = open pipeline at the end of day b, each deal at its amount at that moment "
    "(reconstructed from amount changes), in the reporting currency, rounded to the cent",
    None,
    "creation, close and amount-change times in the window; open states at the end of a and b",
    "deals without an exchange rate (counted, not summed); closed deals without a close date",
    "currency",
)
SLIPPAGE_SCORECARD = define(
    "slippage_scorecard",
    "Slippage scorecard",
    "deals due in the window that slipped: still open at the end of day b with the expected "
    "close date then after b (pushed out) or before b (overdue); beside it, per owner and stage "
    "at the end of day b, the close-date pushes in the window and the days they added",
    "deals due in the window: open at the end of day a with the expected close date then in (a, b]",
    "the expected close date as it was at the end of day a and of day b (reconstructed from "
    "its changes); pushes at the time of the change",
    "close-date changes that pull the date in; deals created in the window",
    "share",
)

KINDS = ("new", "advanced", "moved_back", "won", "lost")
WATERFALL_STEPS = (
    "open_at_a", "created", "won", "lost", "amount_changes", "reopened_or_other", "open_at_b",
)  # fmt: skip
MOVEMENT_DEAL_COLUMNS = ["deal_id", "name", "owner", "stage", "amount", "at"]
SLIPPED_COLUMNS = [
    "deal_id", "name", "owner", "stage", "amount", "old_close", "new_close", "days_pushed",
    "reason",
]  # fmt: skip
STALLED_COLUMNS = [
    "deal_id", "name", "owner", "pipeline", "stage", "amount", "days_idle", "threshold_days",
    "last_stage_change_at", "last_activity_at",
]  # fmt: skip
SCORECARD_COLUMNS = [
    "owner", "stage", "pushes", "days_pushed", "due_in_window", "slipped", "slip_share",
    "ci_low", "ci_high", "small_sample",
]  # fmt: skip

DEFAULT_STALL_DAYS = 7  # a stage without rotting_days nor history stalls after a week


class BadWindow(AnalyticsError):
    """The two dates of a weekly window are not in order."""

    title = "Invalid window"


class UnknownMovement(AnalyticsError):
    """A drill-down asks for a kind of movement that does not exist."""

    title = "Unknown movement"


def window_ends(a: date, b: date) -> tuple[date, date]:
    """Return (a_end, b_end) after checking that a < b."""
    if not a < b:
        raise BadWindow(f"The window must start before it ends (from {a} to {b}).")
    return as_of_end(a), as_of_end(b)


def _days_between(start: str, end: str) -> str:
    """Return SQL for the exact, fractional days from timestamp start to timestamp end."""
    # DuckDB's epoch() (seconds since 1970): the one DuckDB-only function of this module
    # (TRY_CAST, which reads the text values of deal_changes, and bool_or exist in Spark and
    # Trino too).
    return f"(epoch({end}) - epoch({start})) / 86400.0"


# A CTE or query fragment with its parameters, in the order its ? marks appear.
Part = tuple[str, list]


def run_with(
    con: duckdb.DuckDBPyConnection, ctes: list[Part], select: Part
) -> duckdb.DuckDBPyConnection:
    """Run WITH ctes select, binding every part's parameters in textual order."""
    params = [p for _, ps in ctes for p in ps] + select[1]
    sql = "WITH " + ",\n".join(text for text, _ in ctes) + "\n" + select[0]
    return con.execute(sql, params)


# The deal_facts columns the spans carry, so that their users need not read deal_facts again.
_SPAN_COLUMNS = ", ".join(
    f"f.{c}"
    for c in (
        "deal_id", "name", "owner", "pipeline", "stage", "status", "amount", "amount_rep",
        "currency", "created_at", "closed_at", "expected_close_date", "last_event_at",
        "first_activity_at", "last_activity_at",
    )
)  # fmt: skip


def deal_spans(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    during: tuple[date, date] | None = None,
) -> list[Part]:
    """Return CTEs ending in spans: _SPAN_COLUMNS plus reopened, s, start_kind, e, end_kind.

    during (first, last) keeps only the spans open at some moment from first to last midnight:
    s < last and (e IS NULL or e >= first), for callers that look at no other.

    One row per time a deal passing the filters was open, from s to e (NULL while open).
    Never-reopened deals have one span, which closed_at ends as everywhere else; reopened
    ones get theirs from the events: a closure is an outcome entered from an open stage, a
    reopening an open stage entered from an outcome. Events before creation count at creation.
    A deal's spans do not overlap, so at most one is open at any moment.
    """
    where, params = deal_conditions(con, filters, "f")
    reopened = (
        """reopened AS (
    -- prev_position is NULL after an outcome; the integer tests spare most string compares
    SELECT DISTINCT deal_id FROM stage_visits
    WHERE visit_no > 1 AND prev_position IS NULL AND NOT is_outcome
      AND prev_stage IN ('Won', 'Lost')
)""",
        [],
    )
    bounds = (
        """bounds AS (
    SELECT f.deal_id, f.created_at AS t, 0 AS seq, 'created' AS kind
    FROM deal_facts AS f JOIN reopened AS r ON r.deal_id = f.deal_id
    UNION ALL
    SELECT v.deal_id,
           CASE WHEN v.entered_at > f.created_at THEN v.entered_at ELSE f.created_at END,
           v.visit_no,
           CASE WHEN v.is_outcome THEN lower(v.stage) ELSE 'reopened' END
    FROM stage_visits AS v
    JOIN reopened AS r ON r.deal_id = v.deal_id
    JOIN deal_facts AS f ON f.deal_id = v.deal_id
    WHERE (v.is_outcome AND (v.prev_stage IS NULL OR v.prev_stage NOT IN ('Won', 'Lost')))
       OR (NOT v.is_outcome AND v.prev_stage IN ('Won', 'Lost'))
)""",
        [],
    )
    reopened_spans = (
        """reopened_spans AS (
    SELECT deal_id, t AS s, kind AS start_kind, lead(t) OVER w AS e, lead(kind) OVER w AS end_kind
    FROM bounds
    WINDOW w AS (PARTITION BY deal_id ORDER BY t, seq)
)""",
        [],
    )
    end = (
        "CASE WHEN f.closed_at IS NULL OR f.status = 'open' THEN NULL "
        "WHEN f.closed_at > f.created_at THEN f.closed_at ELSE f.created_at END"
    )
    plain_during = reopened_during = "TRUE"
    during_params: list = []
    if during:
        # Written on deal_facts' own columns, so that the scan leaves out the other deals
        # before the join that finds the reopened ones.
        plain_during = f"f.created_at < ? AND (({end}) IS NULL OR ({end}) >= ?)"
        reopened_during = "rs.s < ? AND (rs.e IS NULL OR rs.e >= ?)"
        during_params = [during[1], during[0]]
    spans = (
        f"""spans AS (
    SELECT {_SPAN_COLUMNS}, FALSE AS reopened, f.created_at AS s, 'created' AS start_kind,
           {end} AS e,
           CASE WHEN f.closed_at IS NULL OR f.status = 'open' THEN NULL
                ELSE coalesce(f.status, 'closed') END AS end_kind
    FROM deal_facts AS f LEFT JOIN reopened AS r ON r.deal_id = f.deal_id
    WHERE r.deal_id IS NULL AND f.created_at IS NOT NULL
      AND (f.closed_at IS NOT NULL OR f.status IS NULL OR f.status NOT IN ('won', 'lost'))
      AND {where} AND {plain_during}
    UNION ALL
    SELECT {_SPAN_COLUMNS}, TRUE, rs.s, rs.start_kind, rs.e, rs.end_kind
    FROM reopened_spans AS rs JOIN deal_facts AS f ON f.deal_id = rs.deal_id
    WHERE rs.start_kind IN ('created', 'reopened') AND {where} AND {reopened_during}
)""",
        [*params, *during_params, *params, *during_params],
    )
    return [reopened, bounds, reopened_spans, spans]


def _open_at(name: str, end: date) -> Part:
    """Return a CTE name of the spans (one per deal) open at midnight end."""
    return f"{name} AS (SELECT * FROM spans WHERE s < ? AND (e IS NULL OR e >= ?))", [end, end]


def stage_at(name: str, end: date) -> Part:
    """Return a CTE name(deal_id, stage, entered_at) of the stage visits running at midnight end."""
    return (
        f"{name} AS (SELECT v.deal_id, v.stage, v.entered_at FROM stage_visits AS v "
        "WHERE v.entered_at < ? AND (v.left_at IS NULL OR v.left_at >= ?))",
        [end, end],
    )


def _stage_at_end_of(
    con: duckdb.DuckDBPyConnection, day: date, of: str
) -> tuple[list[Part], str, str]:
    """Return (CTEs, JOIN clause, SQL) for the stage of the deals of alias of at the end of day.

    The SQL reads deal_facts as f. When nothing happened after day, the deals' current stage is
    that stage and no stage visit needs reading.
    """
    if facts_current(con, day):
        return [], "", "f.stage"
    return (
        [stage_at("stage_then", as_of_end(day))],
        f"LEFT JOIN stage_then AS st ON st.deal_id = {of}.deal_id",
        "coalesce(st.stage, f.stage)",
    )


# The count n of a deal's changes of one field (alias c), and two ranks of them for changes at
# one instant: k orders them so that the last has the largest new value (empty only when all
# are), j so that the first has the smallest new value, then old value (empty ones after). The
# value before the first change is the old value of j = 1; after each instant, the new value of
# its last in k, except after the last (k = n), where the deal's stored value holds (it wins
# where an older history file ends on another value). This is how analytics.values_at reads
# them (the derived value_spans), so both agree on every moment.
_TIE_RANKS = """count(*) OVER (PARTITION BY c.deal_id) AS n,
           row_number() OVER (PARTITION BY c.deal_id
                              ORDER BY c.changed_at, c.new_value NULLS FIRST,
                                       c.old_value NULLS FIRST) AS k,
           row_number() OVER (PARTITION BY c.deal_id
                              ORDER BY c.changed_at, c.new_value NULLS LAST,
                                       c.old_value NULLS LAST) AS j"""


def _close_versions(deals: str) -> list[Part]:
    """Return CTEs ending in close_versions(deal_id, close_date, valid_from, valid_to).

    deals names a CTE with deal_id and expected_close_date. One row per value a deal's
    expected close date had: the first change's old value until that change, each change's
    new value until the next one, the current value after the last one, or the current value
    when there were no changes.
    """
    changes = (
        f"""close_changes AS (
    SELECT c.deal_id, c.changed_at,
           TRY_CAST(c.old_value AS DATE) AS old_d, TRY_CAST(c.new_value AS DATE) AS new_d,
           dd.expected_close_date AS now_d, {_TIE_RANKS}
    FROM deal_changes AS c JOIN {deals} AS dd ON dd.deal_id = c.deal_id
    WHERE c.field = 'expected_close_date'
)""",
        [],
    )
    versions = (
        f"""close_versions AS (
    SELECT deal_id, CASE WHEN k = n THEN now_d ELSE new_d END AS close_date,
           changed_at AS valid_from,
           lead(changed_at) OVER (PARTITION BY deal_id ORDER BY k) AS valid_to
    FROM close_changes
    UNION ALL
    SELECT deal_id, old_d, NULL, changed_at FROM close_changes WHERE j = 1
    UNION ALL
    SELECT dd.deal_id, dd.expected_close_date, NULL, NULL
    FROM {deals} AS dd
    LEFT JOIN (SELECT DISTINCT deal_id FROM close_changes) AS cc ON cc.deal_id = dd.deal_id
    WHERE cc.deal_id IS NULL
)""",
        [],
    )
    return [changes, versions]


def _version_at(alias: str, end: date) -> Part:
    """Return the condition picking the row of close_versions alias valid at midnight end."""
    return (
        f"({alias}.valid_from IS NULL OR {alias}.valid_from < ?) "
        f"AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= ?)",
        [end, end],
    )


def _pushes(con: duckdb.DuckDBPyConnection, filters: Filters, a_end: date, b_end: date) -> Part:
    """Return the CTE pushes: close-date changes to a later date in the window."""
    where, params = deal_conditions(con, filters, "f")
    # Every deal passes empty filters: the callers' final join to deal_facts is enough then.
    scope = "" if where == "TRUE" else f"JOIN deal_facts AS f ON f.deal_id = c.deal_id AND {where}"
    return (
        f"""pushes AS (
    SELECT c.deal_id, c.changed_at,
           TRY_CAST(c.old_value AS DATE) AS old_d, TRY_CAST(c.new_value AS DATE) AS new_d
    FROM deal_changes AS c {scope}
    WHERE c.field = 'expected_close_date' AND c.changed_at >= ? AND c.changed_at < ?
      AND TRY_CAST(c.new_value AS DATE) > TRY_CAST(c.old_value AS DATE)
)""",
        [*params, a_end, b_end],
    )


def _moves(
    con: duckdb.DuckDBPyConnection, filters: Filters, a_end: date, b_end: date
) -> list[Part]:
    """Return CTEs ending in deal_moves(deal_id, kind, moved_at, amount_rep, unconverted).

    One row per deal and kind of movement in the window; moved_at is the last such movement.
    """
    where, params = deal_conditions(con, filters, "f")
    moves = (
        f"""moves AS (
    SELECT f.deal_id, 'new' AS kind, f.created_at AS moved_at, f.amount_rep, f.amount
    FROM deal_facts AS f WHERE f.created_at >= ? AND f.created_at < ? AND {where}
    UNION ALL
    SELECT v.deal_id,
           CASE WHEN v.is_outcome THEN lower(v.stage)
                WHEN v.position > v.prev_position THEN 'advanced' ELSE 'moved_back' END,
           v.entered_at, f.amount_rep, f.amount
    FROM stage_visits AS v JOIN deal_facts AS f ON f.deal_id = v.deal_id
    WHERE v.entered_at >= ? AND v.entered_at < ?
      AND (v.is_outcome OR v.position <> v.prev_position) AND {where}
)""",
        [a_end, b_end, *params, a_end, b_end, *params],
    )
    deal_moves = (
        """deal_moves AS (
    SELECT deal_id, kind, max(moved_at) AS moved_at, max(amount_rep) AS amount_rep,
           max(amount) IS NOT NULL AND max(amount_rep) IS NULL AS unconverted
    FROM moves GROUP BY deal_id, kind
)""",
        [],
    )
    return [moves, deal_moves]


def movements(con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date) -> pd.DataFrame:
    """Return kind, deals, amount, unconverted for the kinds new, advanced, moved_back, won, lost.

    Each deal counts once per kind (a deal can be new and advanced); amount sums the deals'
    current amounts in the reporting currency; unconverted counts deals left out of it.
    """
    a_end, b_end = window_ends(a, b)
    rows = run_with(
        con,
        _moves(con, filters, a_end, b_end),
        (
            """SELECT kind, count(*), coalesce(sum(amount_rep), 0),
                      count(*) FILTER (WHERE unconverted)
               FROM deal_moves GROUP BY kind""",
            [],
        ),
    ).fetchall()
    found = {kind: (deals, amount, unconverted) for kind, deals, amount, unconverted in rows}
    return pd.DataFrame(
        [(kind, *found.get(kind, (0, 0.0, 0))) for kind in KINDS],
        columns=["kind", "deals", "amount", "unconverted"],
    ).astype({"deals": "int64", "amount": "float64", "unconverted": "int64"})


def movement_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date, kind: str
) -> pd.DataFrame:
    """Return the deals behind one kind of movements(): deal_id, name, owner, stage, amount, at.

    stage is the deal's stage at the end of day b; amount its current amount in the reporting
    currency; at the time of the movement (the last one in the window). Ordered by at.
    """
    if kind not in KINDS:
        raise UnknownMovement(f"No movement {kind!r}; the movements are {', '.join(KINDS)}.")
    a_end, b_end = window_ends(a, b)
    stage_ctes, stage_join, stage = _stage_at_end_of(con, b, "m")
    return run_with(
        con,
        [*_moves(con, filters, a_end, b_end), *stage_ctes],
        (
            f"""SELECT m.deal_id, f.name, f.owner, {stage} AS stage,
                      f.amount_rep AS amount, m.moved_at AS "at"
               FROM deal_moves AS m
               JOIN deal_facts AS f ON f.deal_id = m.deal_id
               {stage_join}
               WHERE m.kind = ?
               ORDER BY m.moved_at, m.deal_id""",
            [kind],
        ),
    ).df()[MOVEMENT_DEAL_COLUMNS]


def slipped_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date
) -> pd.DataFrame:
    """Return deals whose close date slipped in the window, most days pushed first.

    reason 'pushed': close date moved later in the window; old_close is the old value of the
    first such change, new_close the new value of the last, days_pushed the days all of them
    added. reason 'overdue' (when not pushed): open at the end of day b with the expected close
    date then before b; old_close is that date, new_close and days_pushed are empty. stage is
    the stage at the end of day b, amount the current amount in the reporting currency.
    """
    a_end, b_end = window_ends(a, b)
    version_b, version_params = _version_at("cv", b_end)
    ctes = [
        _pushes(con, filters, a_end, b_end),
        (
            """ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY deal_id ORDER BY changed_at, new_d, old_d) AS first_k,
           row_number() OVER (PARTITION BY deal_id
                              ORDER BY changed_at DESC, new_d DESC, old_d DESC) AS last_k
    FROM pushes
)""",
            [],
        ),
        (
            """pushed AS (
    SELECT deal_id, max(CASE WHEN first_k = 1 THEN old_d END) AS old_close,
           max(CASE WHEN last_k = 1 THEN new_d END) AS new_close,
           sum(new_d - old_d) AS days_pushed
    FROM ranked GROUP BY deal_id
)""",
            [],
        ),
        *deal_spans(con, filters),
        _open_at("open_b", b_end),
        *_close_versions("open_b"),
        (
            f"""overdue AS (
    SELECT cv.deal_id, cv.close_date
    FROM close_versions AS cv LEFT JOIN pushed AS p ON p.deal_id = cv.deal_id
    WHERE {version_b} AND cv.close_date < ? AND p.deal_id IS NULL
)""",
            [*version_params, b],
        ),
        (
            """slipped AS (
    SELECT deal_id, old_close, new_close, days_pushed, 'pushed' AS reason FROM pushed
    UNION ALL
    SELECT deal_id, close_date, NULL, NULL, 'overdue' FROM overdue
)""",
            [],
        ),
    ]
    stage_ctes, stage_join, stage = _stage_at_end_of(con, b, "s")
    frame = run_with(
        con,
        [*ctes, *stage_ctes],
        (
            f"""SELECT s.deal_id, f.name, f.owner, {stage} AS stage,
                      f.amount_rep AS amount, s.old_close, s.new_close, s.days_pushed, s.reason
               FROM slipped AS s
               JOIN deal_facts AS f ON f.deal_id = s.deal_id
               {stage_join}
               ORDER BY s.days_pushed DESC NULLS LAST, s.old_close, s.deal_id""",
            [],
        ),
    ).df()
    return frame.astype({"days_pushed": "Int64"})[SLIPPED_COLUMNS]


# How far back stalled_deals first looks for a deal's last activity before a past date (days).
RECENT_DAYS = 120


def stalled_deals(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    *,
    recent_days: int = RECENT_DAYS,
) -> pd.DataFrame:
    """Return the deals open at as_of idle for longer than their stage allows, idlest first.

    days_idle (whole days) = as_of − the day of the later of the last stage event and the last
    completed activity by as_of (the creation day when there is neither); threshold_days is
    the stage's rotting_days, else max(7, 2 × the median days of the stage's completed visits),
    else 7. amount is the current amount in the reporting currency. recent_days only says where
    the search for a deal's last activity before a past as_of starts; the result does not
    depend on it.
    """
    end = as_of_end(as_of)
    since = end - timedelta(days=recent_days)
    ctes = [*deal_spans(con, filters, (end, end)), _open_at("open_t", end)]
    if facts_current(con, as_of):
        # Nothing happened after as_of: the precomputed "now" columns describe the deals then.
        ctes.append(
            (
                """states AS (
    SELECT o.deal_id, o.name, o.owner, o.pipeline, o.stage, o.amount_rep, o.created_at,
           o.last_event_at AS last_stage, o.last_activity_at AS last_act
    FROM open_t AS o
)""",
                [],
            )
        )
    else:
        ctes += [
            stage_at("stage_t", end),
            (
                # Deals whose last activity came by as_of need no look at the activities; the
                # others are looked for in the last recent_days first, which a scan of the
                # activities answers by their completion times alone.
                """recent_acts AS (
    SELECT a.deal_id, max(a.completed_at) AS last_act
    FROM activities AS a JOIN open_t AS o ON o.deal_id = a.deal_id
    WHERE a.completed_at < ? AND a.completed_at >= ? AND o.last_activity_at >= ?
    GROUP BY a.deal_id
)""",
                [end, since, end],
            ),
            (
                # Only deals with no activity in those days but some before: usually none, and
                # a join with nothing to match skips the scan.
                """older_acts AS (
    SELECT a.deal_id, max(a.completed_at) AS last_act
    FROM activities AS a
    JOIN (SELECT o.deal_id FROM open_t AS o LEFT JOIN recent_acts AS r ON r.deal_id = o.deal_id
          WHERE r.deal_id IS NULL AND o.last_activity_at >= ? AND o.first_activity_at < ?) AS u
      ON u.deal_id = a.deal_id
    WHERE a.completed_at < ?
    GROUP BY a.deal_id
)""",
                [end, since, since],
            ),
            ("acts AS (SELECT * FROM recent_acts UNION ALL SELECT * FROM older_acts)", []),
            (
                """states AS (
    SELECT o.deal_id, o.name, o.owner, o.pipeline, coalesce(st.stage, o.stage) AS stage,
           o.amount_rep, o.created_at, st.entered_at AS last_stage,
           CASE WHEN o.last_activity_at < ? THEN o.last_activity_at ELSE ac.last_act END
               AS last_act
    FROM open_t AS o
    LEFT JOIN stage_t AS st ON st.deal_id = o.deal_id
    LEFT JOIN acts AS ac ON ac.deal_id = o.deal_id
)""",
                [end],
            ),
        ]
    duration = _days_between("v.entered_at", "v.left_at")
    ctes += [
        (
            """cand AS (
    SELECT s.deal_id, s.name, s.owner, s.pipeline, s.stage, s.amount_rep, s.last_stage,
           s.last_act, p.rotting_days,
           CASE WHEN s.last_act IS NOT NULL AND (s.last_stage IS NULL OR s.last_act > s.last_stage)
                THEN s.last_act ELSE coalesce(s.last_stage, s.created_at) END AS idle_since
    FROM states AS s
    LEFT JOIN pipelines_stages AS p ON p.pipeline = s.pipeline AND p.stage = s.stage
    WHERE s.stage IS NULL OR s.stage NOT IN ('Won', 'Lost')
)""",
            [],
        ),
        (
            # The threshold is the stage's, whatever the filters: every deal of the pipeline.
            f"""medians AS (
    SELECT v.pipeline, v.stage, quantile_cont({duration}, 0.5) AS median_days
    FROM stage_visits AS v
    JOIN (SELECT DISTINCT pipeline, stage FROM cand WHERE rotting_days IS NULL) AS n
      ON n.pipeline = v.pipeline AND n.stage = v.stage
    WHERE v.left_at < ?
    GROUP BY v.pipeline, v.stage
)""",
            [end],
        ),
        (
            f"""judged AS (
    SELECT c.*, CAST(? AS DATE) - CAST(c.idle_since AS DATE) AS days_idle,
           CAST(CASE WHEN c.rotting_days IS NOT NULL THEN c.rotting_days
                     WHEN m.median_days IS NULL OR 2 * m.median_days < {DEFAULT_STALL_DAYS}
                     THEN {DEFAULT_STALL_DAYS}
                     ELSE 2 * m.median_days END AS DOUBLE) AS threshold_days
    FROM cand AS c
    LEFT JOIN medians AS m ON m.pipeline = c.pipeline AND m.stage = c.stage
)""",
            [as_of],
        ),
    ]
    return run_with(
        con,
        ctes,
        (
            """SELECT deal_id, name, owner, pipeline, stage, amount_rep AS amount, days_idle,
                      threshold_days, last_stage AS last_stage_change_at,
                      last_act AS last_activity_at
               FROM judged
               WHERE days_idle > threshold_days
               ORDER BY days_idle DESC, deal_id""",
            [],
        ),
    ).df()[STALLED_COLUMNS]


def waterfall(con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date) -> pd.DataFrame:
    """Return step, amount, deals, unconverted for the steps of the open-pipeline waterfall.

    Amounts are in the reporting currency, rounded to the cent; won and lost are negative, so
    the amounts of every step but open_at_b add up to open_at_b exactly. Each deal counts at its
    amount at the moment: at the end of day a or b, when created, closed or reopened. created
    includes deals created and closed inside the window (they also appear in won or lost);
    amount_changes is the net change of amounts while deals were open in the window;
    reopened_or_other adds deals reopened after a close and removes deals closed with a
    status other than won or lost. deals counts the deals of each step; unconverted those of
    them whose amount has no exchange rate (left out of the amount).
    """
    a_end, b_end = window_ends(a, b)
    cents = "DECIMAL(18, 2)"
    # (column, amount of a span, when the span counts in it)
    parts = [
        ("open_a", "base + up_to_a", "at_a"),
        ("created", "base + up_to_s", "starts AND start_kind = 'created'"),
        ("won", "base + up_to_e", "ends AND end_kind = 'won'"),
        ("lost", "base + up_to_e", "ends AND end_kind = 'lost'"),
        ("moved", "moved", "n_moved > 0"),
        ("reopened", "base + up_to_s", "starts AND start_kind = 'reopened'"),
        ("other_close", "base + up_to_e", "ends AND end_kind NOT IN ('won', 'lost')"),
        ("open_b", "base + up_to_b", "at_b"),
    ]
    one_span = ", ".join(
        f"CASE WHEN {when} THEN {value} END AS {name}" for name, value, when in parts
    )
    several_spans = ", ".join(f"sum({value}) FILTER (WHERE {when})" for _, value, when in parts)
    moved = "d.t >= ? AND d.t < ? AND d.t > l.s AND (l.e IS NULL OR d.t <= l.e)"
    ctes = [
        *deal_spans(con, filters),
        (
            """live AS (
    SELECT deal_id, s, start_kind, e, end_kind, reopened, amount_rep,
           amount IS NOT NULL AND amount_rep IS NULL AS unconverted,
           -- the conversion factor of today's amount applies to its earlier values
           CASE WHEN amount <> 0 THEN amount_rep / amount
                WHEN currency IS NULL OR currency = ? THEN 1.0 END AS fx
    FROM spans WHERE s < ? AND (e IS NULL OR e >= ?)
)""",
            [reporting_currency(con), b_end, a_end],
        ),
        (
            f"""changes AS (
    SELECT c.deal_id, c.changed_at AS t,
           CAST(round(coalesce(TRY_CAST(c.old_value AS DOUBLE), 0) * l.fx, 2) AS {cents}) AS r_old,
           CAST(round(coalesce(TRY_CAST(c.new_value AS DOUBLE), 0) * l.fx, 2) AS {cents}) AS r_new,
           CAST(round(coalesce(l.amount_rep, 0), 2) AS {cents}) AS r_now,
           {_TIE_RANKS}
    FROM deal_changes AS c
    JOIN (SELECT DISTINCT deal_id, fx, amount_rep FROM live WHERE fx IS NOT NULL) AS l
      ON l.deal_id = c.deal_id
    WHERE c.field = 'amount'
)""",
            [],
        ),
        (
            # The amount at time t is the first change's old value plus the deltas up to t, so
            # the deltas between two moments add up to the difference of the amounts then.
            """deltas AS (
    SELECT deal_id, t, CASE WHEN k = 1 THEN first_old END AS base,
           r_new - coalesce(lag(r_new) OVER (PARTITION BY deal_id ORDER BY k), first_old) AS delta
    FROM (SELECT deal_id, t, k, CASE WHEN k = n THEN r_now ELSE r_new END AS r_new,
                 first_value(r_old) OVER (PARTITION BY deal_id ORDER BY j) AS first_old
          FROM changes)
)""",
            [],
        ),
        (
            f"""span_deltas AS (
    SELECT l.deal_id, l.s, max(d.base) AS base,
           coalesce(sum(d.delta) FILTER (WHERE d.t < ?), 0) AS up_to_a,
           coalesce(sum(d.delta) FILTER (WHERE d.t <= l.s), 0) AS up_to_s,
           coalesce(sum(d.delta) FILTER (WHERE d.t <= l.e), 0) AS up_to_e,
           coalesce(sum(d.delta) FILTER (WHERE d.t < ?), 0) AS up_to_b,
           coalesce(sum(d.delta) FILTER (WHERE {moved}), 0) AS moved,
           count(*) FILTER (WHERE {moved}) AS n_moved
    FROM live AS l JOIN deltas AS d ON d.deal_id = l.deal_id
    GROUP BY l.deal_id, l.s
)""",
            [a_end, b_end, a_end, b_end, a_end, b_end],
        ),
        (
            # most deals never changed amount: their amount is today's at every moment
            f"""amounts AS (
    SELECT l.deal_id, l.s, l.start_kind, l.e, l.end_kind, l.unconverted, l.reopened,
           coalesce(sd.base,
                    CASE WHEN l.fx IS NOT NULL THEN CAST(round(l.amount_rep, 2) AS {cents}) END,
                    0) AS base,
           coalesce(sd.up_to_a, 0) AS up_to_a, coalesce(sd.up_to_s, 0) AS up_to_s,
           coalesce(sd.up_to_e, 0) AS up_to_e, coalesce(sd.up_to_b, 0) AS up_to_b,
           coalesce(sd.moved, 0) AS moved, coalesce(sd.n_moved, 0) AS n_moved
    FROM live AS l LEFT JOIN span_deltas AS sd ON sd.deal_id = l.deal_id AND sd.s = l.s
)""",
            [],
        ),
        (
            """flagged AS (
    SELECT *,
           s < ? AND (e IS NULL OR e >= ?) AS at_a,
           s < ? AND (e IS NULL OR e >= ?) AS at_b,
           s >= ? AND s < ? AS starts,
           e IS NOT NULL AND e >= ? AND e < ? AS ends
    FROM amounts
)""",
            [a_end, a_end, b_end, b_end, a_end, b_end, a_end, b_end],
        ),
        (
            # one row per deal, so that the counts below count deals: only reopened deals can
            # have several spans to add up
            f"""per_deal AS (
    SELECT deal_id, unconverted, {one_span} FROM flagged WHERE NOT reopened
    UNION ALL
    SELECT deal_id, bool_or(unconverted), {several_spans} FROM flagged WHERE reopened
    GROUP BY deal_id
)""",
            [],
        ),
    ]
    steps = [
        ("open_a", "open_a IS NOT NULL"),
        ("created", "created IS NOT NULL"),
        ("-won", "won IS NOT NULL"),
        ("-lost", "lost IS NOT NULL"),
        ("moved", "moved IS NOT NULL"),
        ("coalesce(reopened, 0) - coalesce(other_close, 0)",
         "reopened IS NOT NULL OR other_close IS NOT NULL"),
        ("open_b", "open_b IS NOT NULL"),
    ]  # fmt: skip
    select = ", ".join(
        f"sum({amount}), count(*) FILTER (WHERE {when}), "
        f"count(*) FILTER (WHERE ({when}) AND unconverted)"
        for amount, when in steps
    )
    row = run_with(con, ctes, (f"SELECT {select} FROM per_deal", [])).fetchone()
    return pd.DataFrame(
        [
            (step, float(row[3 * i] or 0), int(row[3 * i + 1]), int(row[3 * i + 2]))
            for i, step in enumerate(WATERFALL_STEPS)
        ],
        columns=["step", "amount", "deals", "unconverted"],
    )


def slippage_scorecard(
    con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date
) -> pd.DataFrame:
    """Return per owner and stage at the end of day b: pushes, days_pushed, due and slipped deals.

    pushes counts close-date changes to a later date in the window, days_pushed the days they
    added. due_in_window counts deals open at the end of day a whose expected close date then
    fell in (a, b]; slipped those of them still open at the end of day b with the expected
    close date then after b (pushed out) or before b (overdue). slip_share = slipped /
    due_in_window (None for 0), with its 95% Wilson interval and the small-sample flag.
    """
    a_end, b_end = window_ends(a, b)
    version_a, version_a_params = _version_at("cv", a_end)
    version_b, version_b_params = _version_at("cv", b_end)
    ctes = [
        _pushes(con, filters, a_end, b_end),
        (
            """push_totals AS (
    SELECT deal_id, count(*) AS pushes, sum(new_d - old_d) AS days_pushed
    FROM pushes GROUP BY deal_id
)""",
            [],
        ),
        *deal_spans(con, filters),
        (
            # one pass over the spans for both moments
            """open_ab AS (
    SELECT deal_id, expected_close_date,
           s < ? AND (e IS NULL OR e >= ?) AS at_a, s < ? AND (e IS NULL OR e >= ?) AS at_b
    FROM spans
    WHERE (s < ? AND (e IS NULL OR e >= ?)) OR (s < ? AND (e IS NULL OR e >= ?))
)""",
            [a_end, a_end, b_end, b_end] * 2,
        ),
        ("open_a AS (SELECT deal_id, expected_close_date FROM open_ab WHERE at_a)", []),
        ("open_b AS (SELECT DISTINCT deal_id FROM open_ab WHERE at_b)", []),
        *_close_versions("open_a"),
        (
            f"""due AS (
    SELECT cv.deal_id FROM close_versions AS cv
    WHERE {version_a} AND cv.close_date > ? AND cv.close_date <= ?
)""",
            [*version_a_params, a, b],
        ),
        (
            f"""judged AS (
    SELECT d.deal_id,
           ob.deal_id IS NOT NULL AND (cv.close_date > ? OR cv.close_date < ?) AS slipped
    FROM due AS d
    LEFT JOIN open_b AS ob ON ob.deal_id = d.deal_id
    LEFT JOIN close_versions AS cv ON cv.deal_id = d.deal_id AND {version_b}
)""",
            [b, b, *version_b_params],
        ),
        (
            """per_deal AS (
    SELECT coalesce(p.deal_id, j.deal_id) AS deal_id,
           coalesce(p.pushes, 0) AS pushes, coalesce(p.days_pushed, 0) AS days_pushed,
           j.deal_id IS NOT NULL AS due, coalesce(j.slipped, FALSE) AS slipped
    FROM push_totals AS p FULL JOIN judged AS j ON j.deal_id = p.deal_id
)""",
            [],
        ),
    ]
    stage_ctes, stage_join, stage = _stage_at_end_of(con, b, "pd")
    frame = run_with(
        con,
        [*ctes, *stage_ctes],
        (
            f"""SELECT coalesce(f.owner, '(none)') AS owner,
                      coalesce({stage}, '(none)') AS stage,
                      sum(pd.pushes) AS pushes, sum(pd.days_pushed) AS days_pushed,
                      count(*) FILTER (WHERE pd.due) AS due_in_window,
                      count(*) FILTER (WHERE pd.slipped) AS slipped
               FROM per_deal AS pd
               JOIN deal_facts AS f ON f.deal_id = pd.deal_id
               {stage_join}
               GROUP BY 1, 2
               ORDER BY 1, 2""",
            [],
        ),
    ).df()
    frame = frame.astype(
        {"pushes": "int64", "days_pushed": "int64", "due_in_window": "int64", "slipped": "int64"}
    )
    pairs = [
        (int(k), int(n)) for k, n in zip(frame["slipped"], frame["due_in_window"], strict=True)
    ]
    intervals = [stats.wilson(k, n) for k, n in pairs]
    frame["slip_share"] = pd.Series([stats.ratio(k, n) for k, n in pairs], dtype=object)
    frame["ci_low"] = pd.Series([low for low, _ in intervals], dtype=object)
    frame["ci_high"] = pd.Series([high for _, high in intervals], dtype=object)
    frame["small_sample"] = [stats.is_small(n) for _, n in pairs]
    return frame[SCORECARD_COLUMNS]
