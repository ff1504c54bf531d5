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
    worth looking at (for example the deals open at the moment). Reads the derived value_spans,
    whose spans ending at or after the moment are those of the deals changed since.
    """
    among = f" AND deal_id IN ({candidates})" if candidates else ""
    return f"""
    SELECT deal_id,
           bool_or(field = 'amount') AS amount_changed,
           max(value) FILTER (WHERE field = 'amount') AS amount_then,
           bool_or(field = 'expected_close_date') AS close_changed,
           max(value) FILTER (WHERE field = 'expected_close_date') AS close_then
    FROM value_spans
    WHERE valid_to >= ? AND (valid_from IS NULL OR valid_from < ?){among}
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
