"""A deal's amount and expected close date at an earlier moment, from its recorded changes.

deal_facts holds each deal as the newest export left it. An import that changes a deal's amount
or expected close date records the change in deal_changes (old and new value as text, and when),
so the value at a moment is the old value of the first change made from that moment on; a deal
without a later change had its stored value.
"""

from __future__ import annotations

# One row per deal changed from the moment (the one ? parameter) on: whether its amount and
# its expected close date changed since, and the old value of the first such change (text).
# Only the later changes are read, few for a recent moment.
CHANGED_SINCE = """
    SELECT deal_id,
           bool_or(field = 'amount') AS amount_changed,
           max(old_value) FILTER (WHERE field = 'amount') AS amount_then,
           bool_or(field = 'expected_close_date') AS close_changed,
           max(old_value) FILTER (WHERE field = 'expected_close_date') AS close_then
    FROM (
        SELECT deal_id, field, old_value,
               row_number() OVER (PARTITION BY deal_id, field
                                  ORDER BY changed_at, new_value, old_value) AS k
        FROM deal_changes
        WHERE changed_at >= ? AND field IN ('amount', 'expected_close_date')
    ) AS c
    WHERE k = 1
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
