"""The weekly meeting's per-rep summaries and the deals behind each step of the waterfall.

Built on analytics.weekly and its definitions of the window (the days after a up to the end of
day b) and of open spans. The per-rep summaries are plain functions of weekly's frames (the
page has them already): the slippage scorecard summed per rep, the slipped and stalled action
lists counted per rep. waterfall_deals lists the deals each waterfall() step counts.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics import stats
from analytics.derived import facts_current, reporting_currency
from analytics.errors import AnalyticsError
from analytics.filters import NONE, Filters
from analytics.weekly import WATERFALL_STEPS, deal_spans, run_with, stage_at, window_ends

OWNER_SCORECARD_COLUMNS = [
    "owner", "pushes", "days_pushed", "due_in_window", "slipped", "slip_share", "ci_low",
    "ci_high", "small_sample",
]  # fmt: skip
ACTION_COLUMNS = ["owner", "slipped", "slipped_amount", "stalled", "stalled_amount"]
WATERFALL_DEAL_COLUMNS = ["deal_id", "name", "owner", "stage", "amount", "at"]
OUTCOME_STAGES = ("Won", "Lost")

# For each waterfall step: when a span counts in it, and the moment it counts at.
_STEP_RULES = {
    "open_at_a": ("at_a", "CAST(NULL AS TIMESTAMP)"),
    "created": ("starts AND start_kind = 'created'", "s"),
    "won": ("ends AND end_kind = 'won'", "e"),
    "lost": ("ends AND end_kind = 'lost'", "e"),
    "amount_changes": ("changed_at IS NOT NULL", "changed_at"),
    "reopened_or_other": (
        "(starts AND start_kind = 'reopened') OR (ends AND end_kind NOT IN ('won', 'lost'))",
        "CASE WHEN starts AND start_kind = 'reopened' THEN s ELSE e END",
    ),
    "open_at_b": ("at_b", "CAST(NULL AS TIMESTAMP)"),
}


class UnknownStep(AnalyticsError):
    """A drill-down asks for a waterfall step that does not exist."""

    title = "Unknown waterfall step"


def scorecard_by_owner(per_stage: pd.DataFrame) -> pd.DataFrame:
    """Return weekly.slippage_scorecard() summed over stages: one row per owner.

    pushes, days_pushed, due_in_window and slipped are the sums of the owner's rows;
    slip_share = slipped / due_in_window (None for 0) with its 95% Wilson interval and the
    small-sample flag of due_in_window. Most slipped deals first, then most due, then by owner.
    """
    counts = ["pushes", "days_pushed", "due_in_window", "slipped"]
    frame = per_stage.groupby("owner", as_index=False, sort=True)[counts].sum()
    frame = frame.astype({c: "int64" for c in counts})
    frame = frame.sort_values(
        ["slipped", "due_in_window", "owner"], ascending=[False, False, True], ignore_index=True
    )
    pairs = [
        (int(k), int(n)) for k, n in zip(frame["slipped"], frame["due_in_window"], strict=True)
    ]
    intervals = [stats.wilson(k, n) for k, n in pairs]
    frame["slip_share"] = pd.Series([stats.ratio(k, n) for k, n in pairs], dtype=object)
    frame["ci_low"] = pd.Series([low for low, _ in intervals], dtype=object)
    frame["ci_high"] = pd.Series([high for _, high in intervals], dtype=object)
    frame["small_sample"] = [stats.is_small(n) for _, n in pairs]
    return frame[OWNER_SCORECARD_COLUMNS]


def actions_by_owner(slipped: pd.DataFrame, stalled: pd.DataFrame) -> pd.DataFrame:
    """Return per owner the deals of weekly.slipped_deals() and weekly.stalled_deals().

    slipped and stalled count each owner's rows; the amounts sum their amounts in the
    reporting currency (deals without one add nothing). Deals without an owner are listed
    under "(none)". Owners with most deals to act on come first, then by owner.
    """
    parts = []
    for name, frame in (("slipped", slipped), ("stalled", stalled)):
        owners = frame.assign(owner=frame["owner"].fillna(NONE))
        parts.append(
            owners.groupby("owner").agg(
                **{name: ("deal_id", "count"), f"{name}_amount": ("amount", "sum")}
            )
        )
    frame = pd.concat(parts, axis=1).fillna(0).reset_index()
    if frame.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    frame = frame.astype({"slipped": "int64", "stalled": "int64"})
    frame["total"] = frame["slipped"] + frame["stalled"]
    frame = frame.sort_values(["total", "owner"], ascending=[False, True], ignore_index=True)
    return frame[ACTION_COLUMNS]


def open_first(deals: pd.DataFrame) -> pd.DataFrame:
    """Return deals (with a stage column) with those in an outcome stage (Won, Lost) last.

    The order within each group is kept: an action list shows the deals one can still act on
    first.
    """
    closed = deals["stage"].isin(OUTCOME_STAGES)
    return pd.concat([deals[~closed], deals[closed]], ignore_index=True)


def waterfall_deals(
    con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date, step: str
) -> pd.DataFrame:
    """Return the deals one step of weekly.waterfall() counts: deal_id, name, owner, stage,
    amount, at; as many rows as that step's deals.

    stage is the stage at the end of day b; amount the current amount in the reporting
    currency; at the moment the deal counts in the step (creation, close, reopening, the last
    amount change of the window; empty for the open pipelines at a and b). Ordered by at.
    """
    if step not in _STEP_RULES:
        raise UnknownStep(f"No step {step!r}; the steps are {', '.join(WATERFALL_STEPS)}.")
    a_end, b_end = window_ends(a, b)
    when, moment = _STEP_RULES[step]
    ctes = [
        *deal_spans(con, filters),
        (
            """live AS (
    SELECT deal_id, s, start_kind, e, end_kind,
           -- waterfall() follows the amount changes of deals with a conversion factor
           CASE WHEN amount <> 0 THEN amount_rep IS NOT NULL
                ELSE coalesce(currency IS NULL OR currency = ?, FALSE) END AS converts
    FROM spans WHERE s < ? AND (e IS NULL OR e >= ?)
)""",
            [reporting_currency(con), b_end, a_end],
        ),
        (
            # the amount changes waterfall() counts: while the span was open, in the window,
            # of deals whose amounts convert
            """changed AS (
    SELECT l.deal_id, l.s, max(c.changed_at) AS changed_at
    FROM live AS l JOIN deal_changes AS c ON c.deal_id = l.deal_id AND c.field = 'amount'
    WHERE l.converts AND c.changed_at >= ? AND c.changed_at < ?
      AND c.changed_at > l.s AND (l.e IS NULL OR c.changed_at <= l.e)
    GROUP BY l.deal_id, l.s
)""",
            [a_end, b_end],
        ),
        (
            """flagged AS (
    SELECT l.*, ch.changed_at,
           l.s < ? AND (l.e IS NULL OR l.e >= ?) AS at_a,
           l.s < ? AND (l.e IS NULL OR l.e >= ?) AS at_b,
           l.s >= ? AND l.s < ? AS starts,
           l.e IS NOT NULL AND l.e >= ? AND l.e < ? AS ends
    FROM live AS l LEFT JOIN changed AS ch ON ch.deal_id = l.deal_id AND ch.s = l.s
)""",
            [a_end, a_end, b_end, b_end, a_end, b_end, a_end, b_end],
        ),
        (
            f"step_deals AS (SELECT deal_id, max({moment}) AS at FROM flagged "
            f"WHERE {when} GROUP BY deal_id)",
            [],
        ),
    ]
    stage_ctes, stage_join, stage = [], "", "f.stage"
    if not facts_current(con, b):
        stage_ctes = [stage_at("stage_then", b_end)]
        stage_join = "LEFT JOIN stage_then AS st ON st.deal_id = sd.deal_id"
        stage = "coalesce(st.stage, f.stage)"
    return run_with(
        con,
        [*ctes, *stage_ctes],
        (
            f"""SELECT sd.deal_id, f.name, f.owner, {stage} AS stage,
                      f.amount_rep AS amount, sd.at AS "at"
               FROM step_deals AS sd
               JOIN deal_facts AS f ON f.deal_id = sd.deal_id
               {stage_join}
               ORDER BY sd.at NULLS FIRST, sd.deal_id""",
            [],
        ),
    ).df()[WATERFALL_DEAL_COLUMNS]
