"""Data-quality counts: the records that would distort a metric if nobody looked at them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from analytics.derived import LAST_DAY


@dataclass(frozen=True)
class QualityCount:
    """One data-quality check: a stable key, a sentence for people, and how many records fail it."""

    key: str
    label: str
    count: int


def data_as_of(con: duckdb.DuckDBPyConnection, today: date | None = None) -> date:
    """Return the default as-of date: today, or the last date in the data when the data is older."""
    today = today or date.today()
    last = con.execute(LAST_DAY).fetchone()[0]
    if last is None or last >= today:
        return today
    return last


# A stage visit that follows another visit of an open stage (positions are those of the deal's
# pipeline; an outcome or an unknown stage has none): the moves the transition matrix counts.
_OPEN_MOVE = "position IS NOT NULL AND prev_position IS NOT NULL"

# key, label, SQL counting the records (as-of date bound as the only parameter where used).
_CHECKS: tuple[tuple[str, str, str], ...] = (
    (
        "overdue_open",
        "open deals whose expected close date has passed",
        "SELECT count(*) FROM deals WHERE status = 'open' AND expected_close_date < ?",
    ),
    (
        "missing_amount",
        "deals without an amount",
        "SELECT count(*) FROM deals WHERE amount IS NULL",
    ),
    (
        "open_without_close_date",
        "open deals without an expected close date",
        "SELECT count(*) FROM deals WHERE status = 'open' AND expected_close_date IS NULL",
    ),
    (
        "closed_without_date",
        "closed deals without a close date",
        "SELECT count(*) FROM deals WHERE status <> 'open' AND closed_at IS NULL",
    ),
    (
        "closed_before_created",
        "closed deals whose close date is before their creation date (left out of durations)",
        "SELECT count(*) FROM deals WHERE closed_at::DATE < created_at::DATE",
    ),
    (
        "missing_owner",
        "deals without an owner",
        "SELECT count(*) FROM deals WHERE owner IS NULL",
    ),
    (
        "skipped_stages",
        "stage moves that skipped at least one stage",
        f"SELECT count(*) FROM stage_visits WHERE {_OPEN_MOVE} AND position > prev_position + 1",
    ),
    (
        "backward_moves",
        "stage moves back to an earlier stage",
        f"SELECT count(*) FROM stage_visits WHERE {_OPEN_MOVE} AND position < prev_position",
    ),
    (
        "unknown_stage",
        "deals whose stage is not a stage of their pipeline",
        """
        SELECT count(*) FROM deals d
        WHERE d.status = 'open' AND NOT EXISTS (
            SELECT 1 FROM pipelines_stages p WHERE p.pipeline = d.pipeline AND p.stage = d.stage)
        """,
    ),
    (
        "events_without_deal",
        "stage events of deals that are not loaded",
        # stage_visits holds one row per event of a loaded deal.
        "SELECT (SELECT count(*) FROM stage_events) - (SELECT count(*) FROM stage_visits)",
    ),
    (
        "deals_without_organization",
        "deals referring to an organization that is not loaded",
        "SELECT count(*) FROM deals d WHERE d.organization_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM organizations o WHERE o.organization_id = d.organization_id)",
    ),
    (
        "activities_without_deal",
        "activities referring to a deal that is not loaded",
        # deal_facts counts each loaded deal's activities: a count, not a join of every activity.
        "SELECT (SELECT count(deal_id) FROM activities) "
        "- (SELECT coalesce(sum(activity_count), 0) FROM deal_facts)",
    ),
    (
        "leads_without_deal",
        "converted leads referring to a deal that is not loaded",
        "SELECT count(*) FROM leads l WHERE l.deal_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM deals d WHERE d.deal_id = l.deal_id)",
    ),
)


def quality_counts(
    con: duckdb.DuckDBPyConnection, as_of: date | None = None
) -> tuple[QualityCount, ...]:
    """Return every data-quality count at the as-of date (default: data_as_of)."""
    as_of = as_of or data_as_of(con)
    out = []
    for key, label, sql in _CHECKS:
        params = [as_of] if "?" in sql else []
        out.append(QualityCount(key, label, con.execute(sql, params).fetchone()[0]))
    return tuple(out)
