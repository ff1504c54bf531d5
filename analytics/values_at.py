"""A deal's amount and expected close date at an earlier moment, from its recorded changes.

deal_facts holds each deal as the newest export left it. An import that changes a deal's amount
or expected close date records the change in deal_changes (old and new value as text, and when).
A deal changed after a moment had, at that moment, the new value of its last change before it,
or the old value of its first change when all came later: the rule the weekly waterfall follows
(analytics.weekly), so both agree where the recorded changes contradict each other. A deal not
changed since had its stored value.
"""

from __future__ import annotations


def changed_since(candidates: str | None = None) -> str:
    """Return SQL of one row per deal changed from a moment on: whether its amount and its
    expected close date changed since, and their values at that moment (text).

    Its parameters are the moment, twice, then those of candidates: a SELECT of the deal_ids
    worth looking at (for example the deals open at the moment), which spares ranking the
    changes of every other deal. Without candidates only the deals changed since are read, few
    for a recent moment.
    """
    # With candidates, one pass over their changes: ranked, and kept when any came since.
    if candidates:
        changes = f"""
            SELECT c.*, c.changed_at < ? AS before, c.changed_at >= ? AS later
            FROM deal_changes AS c
            WHERE c.field IN ('amount', 'expected_close_date') AND c.deal_id IN ({candidates})"""
    else:
        changes = """
            SELECT c.*, c.changed_at < ? AS before, true AS later
            FROM deal_changes AS c
            JOIN (SELECT DISTINCT deal_id, field FROM deal_changes
                  WHERE changed_at >= ? AND field IN ('amount', 'expected_close_date')) AS s
              ON s.deal_id = c.deal_id AND s.field = c.field"""
    return f"""
    SELECT deal_id,
           bool_or(field = 'amount') AS amount_changed,
           max(value) FILTER (WHERE field = 'amount') AS amount_then,
           bool_or(field = 'expected_close_date') AS close_changed,
           max(value) FILTER (WHERE field = 'expected_close_date') AS close_then
    FROM (
        SELECT deal_id, field, CASE WHEN before THEN new_value ELSE old_value END AS value,
               row_number() OVER w AS k,
               -- Kept when any change came since (one sort serves both).
               bool_or(later) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                   AS since
        FROM ({changes}) AS c
        WINDOW w AS (PARTITION BY deal_id, field
                     ORDER BY before DESC,
                              CASE WHEN before THEN changed_at END DESC,
                              CASE WHEN before THEN new_value END DESC,
                              CASE WHEN before THEN old_value END DESC,
                              changed_at, new_value, old_value)
    ) AS c
    WHERE k = 1 AND since
    GROUP BY deal_id"""


def amount_then(deal: str, changed: str) -> str:
    """Return SQL for the amount (the deal's currency) of deal alias at the moment of changed."""
    return (
        f"(CASE WHEN {changed}.amount_changed THEN TRY_CAST({changed}.amount_then AS DOUBLE) "
        f"ELSE {deal}.amount END)"
    )


def close_date_then(deal: str, changed: str) -> str:
    """Return SQL for the expected close date of deal alias at the moment of changed."""
    return (
        f"(CASE WHEN {changed}.close_changed THEN TRY_CAST({changed}.close_then AS DATE) "
        f"ELSE {deal}.expected_close_date END)"
    )
