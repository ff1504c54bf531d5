"""Lead conversion: of the leads created in a period, how many became deals, and won deals.

A lead is converted when a deal references it (the deal's lead_id, or the lead's deal_id,
whether or not that deal was loaded) or its status says 'converted'. It converted at its
converted_at, else when the earliest deal referencing it was created; a converted lead with
neither time counts as converted whatever the as-of date, since nothing says when it happened.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import stats
from analytics.definitions import define
from analytics.errors import AnalyticsError
from analytics.filters import NONE, Filters, as_of_end, period_condition, resolve_as_of

LEAD_CONVERSION_RATE = define(
    "lead_conversion_rate",
    "Lead conversion rate",
    "leads created in the period and converted to a deal by the as-of date",
    "leads created in the period up to the as-of date",
    "the lead's creation date (created_at) falls in the period; conversion at converted_at, "
    "else the creation of the deal that references the lead",
    "leads without a creation date; conditions on deal columns other than owner and source",
    "share",
)
LEAD_DAYS_TO_CONVERT = define(
    "lead_days_to_convert",
    "Median days to convert",
    "median of (conversion date − lead creation date) in whole days, over the converted leads",
    None,
    "the lead's creation date (created_at) falls in the period",
    "converted leads without a conversion time, and conversions dated before the lead's creation",
    "days",
)
LEAD_TO_WIN_RATE = define(
    "lead_to_win_rate",
    "Lead-to-win rate",
    "leads created in the period, converted, whose deal was won by the as-of date",
    "leads created in the period up to the as-of date",
    "the lead's creation date (created_at) falls in the period; the deal's close date "
    "(closed_at) on or before the as-of date",
    "leads without a creation date; won deals without a close date",
    "share",
)

# Filter conditions on these columns apply to the lead's own columns; leads have no others.
LEAD_COLUMNS = ("owner", "source")

LEAD_CONVERSION_COLUMNS = [
    "created", "converted", "conversion_rate", "ci_low", "ci_high", "small_sample",
    "median_days_to_convert", "won", "lead_to_win_rate",
]  # fmt: skip


class UnsupportedLeadBreakdown(AnalyticsError, ValueError):
    """A lead metric was asked for a breakdown by a column leads do not have."""

    title = "Unsupported breakdown"


def ignored_conditions(filters: Filters) -> list[str]:
    """Return the filtered columns that cannot apply to leads (pipeline, deal-only dimensions)."""
    ignored = ["pipeline"] if filters.pipeline else []
    return ignored + [column for column, _ in filters.where if column not in LEAD_COLUMNS]


def _lead_conditions(filters: Filters, alias: str) -> tuple[str, list]:
    """Return (SQL condition, parameters) applying the filters' owner and source conditions."""
    parts, params = ["TRUE"], []
    for column, values in filters.where:
        if column not in LEAD_COLUMNS:
            continue
        given = [v for v in values if v != NONE]
        tests = [f"{alias}.{column} IN ({', '.join('?' for _ in given)})"] if given else []
        if NONE in values:
            tests.append(f"{alias}.{column} IS NULL")
        parts.append("(" + " OR ".join(tests) + ")")
        params.extend(given)
    return " AND ".join(parts), params


def _lead_counts(con: duckdb.DuckDBPyConnection, filters: Filters, by: str | None) -> pd.DataFrame:
    """Return created, converted, won and the median days to convert, per key when by is set."""
    if by is not None and by not in LEAD_COLUMNS:
        raise UnsupportedLeadBreakdown(
            f"Leads can be broken down by {' or '.join(LEAD_COLUMNS)}, not by {by!r}."
        )
    end = as_of_end(resolve_as_of(con, filters))
    where, params = _lead_conditions(filters, "l")
    period, period_params = period_condition("l.created_at", filters)
    key = f"coalesce(CAST(l.{by} AS VARCHAR), '{NONE}')" if by else "NULL"
    # A lead's deals come two ways: deals naming it (several possible, so grouped first) and
    # the one deal it names. Conversion happens at the earlier of their creations; least()
    # gets both arguments coalesced because engines disagree on least() with a NULL.
    return con.execute(
        f"""
        WITH scoped AS (
            SELECT * FROM leads AS l WHERE l.created_at < ? AND {period} AND {where}
        ),
        -- Only the deals of the leads in scope are grouped, not every deal naming a lead.
        named_by AS (
            SELECT d.lead_id, min(d.created_at) AS created_at,
                   max(CASE WHEN d.status = 'won' AND d.closed_at < ? THEN 1 ELSE 0 END) AS won
            FROM deal_facts AS d
            WHERE d.lead_id IN (SELECT lead_id FROM scoped)
            GROUP BY d.lead_id
        ),
        per_lead AS (
            SELECT {key} AS key, l.created_at,
                   coalesce(l.converted_at,
                            least(coalesce(n.created_at, r.created_at),
                                  coalesce(r.created_at, n.created_at))) AS converted_at,
                   CASE WHEN l.status = 'converted' OR l.deal_id IS NOT NULL
                             OR n.lead_id IS NOT NULL
                        THEN 1 ELSE 0 END AS signalled,
                   CASE WHEN n.won = 1 OR (r.status = 'won' AND r.closed_at < ?)
                        THEN 1 ELSE 0 END AS deal_won
            FROM scoped AS l
            LEFT JOIN named_by AS n ON n.lead_id = l.lead_id
            LEFT JOIN deal_facts AS r ON r.deal_id = l.deal_id
        ),
        judged AS (
            SELECT key, deal_won,
                   CASE WHEN signalled = 1
                        THEN CAST(converted_at AS DATE) - CAST(created_at AS DATE) END AS days,
                   signalled = 1 AND (converted_at IS NULL OR converted_at < ?) AS converted
            FROM per_lead
        )
        SELECT key,
               count(*) AS created,
               count(*) FILTER (WHERE converted) AS converted,
               count(*) FILTER (WHERE converted AND deal_won = 1) AS won,
               quantile_cont(days, 0.5) FILTER (WHERE converted AND days >= 0)
                   AS median_days_to_convert
        FROM judged
        GROUP BY key
        ORDER BY key
        """,
        [end, *period_params, *params, end, end, end],
    ).df()


def lead_conversion(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> pd.DataFrame:
    """Return leads created, converted (share 0..1 with Wilson interval), median days, won.

    Cohort view over the leads created in the period up to the as-of date; one row, or one row
    per lead source or owner (column key). median_days_to_convert is in whole days;
    lead_to_win_rate = won / created.
    """
    frame = _lead_counts(con, filters, by)
    if by is None and frame.empty:
        frame = pd.DataFrame([{"created": 0, "converted": 0, "won": 0,
                               "median_days_to_convert": None}])  # fmt: skip
    frame = stats.add_rate(frame, "converted", frame["created"], "conversion_rate")
    frame["median_days_to_convert"] = [
        None if pd.isna(v) else float(v) for v in frame["median_days_to_convert"]
    ]
    frame["lead_to_win_rate"] = [
        stats.ratio(int(w), int(n)) for w, n in zip(frame["won"], frame["created"], strict=True)
    ]
    return frame[(["key"] if by else []) + LEAD_CONVERSION_COLUMNS].reset_index(drop=True)


def lead_funnel(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return the lead funnel as rows (step, leads): created, converted, won (counts of leads)."""
    row = lead_conversion(con, filters).iloc[0]
    steps = ["created", "converted", "won"]
    return pd.DataFrame({"step": steps, "leads": [int(row[s]) for s in steps]})
