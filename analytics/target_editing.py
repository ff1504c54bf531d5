"""Targets edited as a table: the rows to edit, their checks, and saving them in one transaction.

The Goals page edits the targets the filters select (those of the period, say) at once: rows
kept, changed, added and deleted are written together, or nothing is when any row is wrong. The checks are those the importer makes
of a targets file (analytics.import_rules), each problem naming its row (1 = the first row of
the edited table). Rows are written through the importer's write path (writing.write_keyed); a
new row gets the id the importer would give it. The derived tables read no targets, so saving
needs no refresh of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import writing
from analytics.errors import Problem, Rejected
from analytics.filters import Filters
from analytics.schema import TARGET_METRICS, TARGET_SCOPES

TARGET_COLUMNS = [
    "target_id", "scope", "scope_value", "metric", "period_start", "period_end", "target_value",
]  # fmt: skip
EDITED = "the targets table"  # the "file" a problem of an edited row names

_TYPED_METRIC = re.compile(r"activities_completed:[a-z_]+")
# The id the importer gives a target without one (analytics.import_rules.finish_simple).
_NEW_ID = (
    "coalesce(target_id, 'T-' || substr(md5(concat_ws('|', scope, scope_value, metric, "
    "period_start, period_end)), 1, 12))"
)


class TargetsRejected(Rejected):
    """Edited targets were not saved; problems lists every wrong cell, by row."""

    title = "Targets not saved"
    outcome = "nothing was saved"


@dataclass(frozen=True)
class Saved:
    """How many targets a save inserted, updated and deleted."""

    inserted: int
    updated: int
    deleted: int


def targets_table(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Return the stored targets the filters select (TARGET_COLUMNS), latest period first.

    As in goals.goal_progress: targets whose period overlaps the filters' period; with owner or
    team conditions, only owner targets of those owners and team targets of those teams. No
    filters: every target. Dates are dates.
    """
    parts, params = ["TRUE"], []
    if filters is not None:
        if filters.end:
            parts.append("period_start <= ?")
            params.append(filters.end)
        if filters.start:
            parts.append("period_end >= ?")
            params.append(filters.start)
        where = dict(filters.where)
        scoped = []
        for scope in ("owner", "team"):
            if where.get(scope):
                marks = ", ".join("?" for _ in where[scope])
                scoped.append(f"(scope = ? AND scope_value IN ({marks}))")
                params += [scope, *where[scope]]
        if scoped:
            parts.append("(" + " OR ".join(scoped) + ")")
    frame = con.execute(
        f"SELECT {', '.join(TARGET_COLUMNS)} FROM targets WHERE {' AND '.join(parts)} "
        "ORDER BY period_start DESC, period_end DESC, scope, scope_value NULLS FIRST, metric, "
        "target_id",
        params,
    ).df()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _day(value: object) -> date | None:
    """Return a cell as a date (None when blank or not a date)."""
    if _blank(value):
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def _text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip()


def _row_problems(row: int, values: dict) -> list[Problem]:
    """Return what is wrong with one edited row (row counts from 1)."""
    out = []

    def problem(column: str, message: str) -> None:
        value = values.get(column)
        out.append(Problem(EDITED, row, column, None if _blank(value) else str(value), message))

    scope = _text(values.get("scope"))
    if scope is None:
        problem("scope", f"a target needs a scope ({', '.join(TARGET_SCOPES)})")
    elif scope not in TARGET_SCOPES:
        problem("scope", f"not a target scope (expected one of {', '.join(TARGET_SCOPES)})")
    elif scope != "company" and _text(values.get("scope_value")) is None:
        problem("scope_value", "a team or owner target needs the team's or owner's name")
    metric = _text(values.get("metric"))
    if metric is None:
        problem("metric", "a target needs a metric")
    elif metric not in TARGET_METRICS and not _TYPED_METRIC.fullmatch(metric):
        problem(
            "metric",
            f"not a target metric (expected one of {', '.join(TARGET_METRICS)}, "
            "or activities_completed:<type>)",
        )
    start, end = _day(values.get("period_start")), _day(values.get("period_end"))
    for column, day in (("period_start", start), ("period_end", end)):
        if day is None:
            problem(column, "a target needs the first and last day of its period")
    if start and end and end < start:
        problem("period_end", "the period ends before it starts")
    value = values.get("target_value")
    try:
        number = None if _blank(value) else float(value)
    except (TypeError, ValueError):
        number = None
        problem("target_value", "not a number")
    else:
        if number is None:
            problem("target_value", "a target needs a value")
        elif not math.isfinite(number) or number < 0:
            problem("target_value", "a target value must be a number of 0 or more")
    return out


def check_targets(frame: pd.DataFrame) -> list[Problem]:
    """Return every problem of the edited rows (row 1 = the first row), in row order.

    Besides each row's own checks, two rows with the same target id are refused.
    """
    problems = []
    rows = frame.reindex(columns=TARGET_COLUMNS).to_dict("records")
    seen: dict[str, int] = {}
    for row, values in enumerate(rows, start=1):
        problems += _row_problems(row, values)
        target_id = _text(values.get("target_id"))
        if target_id is not None:
            if target_id in seen:
                problems.append(
                    Problem(EDITED, row, "target_id", target_id,
                            f"the same target id is in row {seen[target_id]}")
                )  # fmt: skip
            seen.setdefault(target_id, row)
    return problems


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Return checked rows as the targets table stores them, numbered from 1 in row_no."""
    rows = frame.reindex(columns=TARGET_COLUMNS).to_dict("records")
    out = pd.DataFrame(
        {
            "target_id": [_text(r["target_id"]) for r in rows],
            "scope": [_text(r["scope"]) for r in rows],
            "scope_value": [
                None if _text(r["scope"]) == "company" else _text(r["scope_value"]) for r in rows
            ],
            "metric": [_text(r["metric"]) for r in rows],
            "period_start": [_day(r["period_start"]) for r in rows],
            "period_end": [_day(r["period_end"]) for r in rows],
            "target_value": [float(r["target_value"]) for r in rows],
            "row_no": range(1, len(rows) + 1),
        }
    )
    return out.astype({"target_id": object, "scope_value": object})


def save_targets(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, shown: Iterable[str] | None = None
) -> Saved:
    """Write the edited rows of frame in one transaction; return the counts.

    shown holds the ids of the targets the editor started from (None: every stored target):
    those no longer in frame are deleted, the others are kept. Rows with an id replace that
    target; rows without one are added. TargetsRejected (nothing written) when a row is
    wrong, or when two rows get the same id (two new rows for the same scope, metric and
    period).
    """
    problems = check_targets(frame)
    if problems:
        raise TargetsRejected(problems)
    cur = con.cursor()
    try:
        cur.register("edited_targets", _clean(frame))
        cur.execute("BEGIN TRANSACTION")
        cols = ", ".join(TARGET_COLUMNS[1:])
        cur.execute(
            f"CREATE TEMP TABLE saved_targets AS SELECT {_NEW_ID} AS target_id, {cols}, row_no "
            "FROM edited_targets"
        )
        twice = cur.execute(
            "SELECT target_id, list(row_no ORDER BY row_no) FROM saved_targets "
            "GROUP BY target_id HAVING count(*) > 1 ORDER BY min(row_no)"
        ).fetchall()
        if twice:
            cur.execute("ROLLBACK")
            raise TargetsRejected(
                [
                    Problem(EDITED, rows[1], "target_id", target_id,
                            f"the same target as row {rows[0]} (same scope, metric and period)")
                    for target_id, rows in twice
                ]
            )  # fmt: skip
        among, among_params = "", []
        if shown is not None:
            ids = list(shown)
            among = f"AND target_id IN ({', '.join('?' for _ in ids)})" if ids else "AND FALSE"
            among_params = ids
        deleted = cur.execute(
            "DELETE FROM targets WHERE target_id NOT IN (SELECT target_id FROM saved_targets) "
            + among,
            among_params,
        ).fetchone()[0]
        counts = writing.write_keyed(cur, "targets", "saved_targets")
        cur.execute("DROP TABLE saved_targets")
        cur.execute("COMMIT")
    except TargetsRejected:
        raise
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()
    return Saved(counts["inserted"], counts["updated"], int(deleted))
