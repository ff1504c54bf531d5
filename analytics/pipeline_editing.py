"""Pipelines declared by hand: open stages in order, win probabilities and rotting days.

The Data page edits the whole pipelines_stages table at once. A table of stages is checked
first (every problem at once, as sentences), then written in one transaction that also
rebuilds the derived tables, as an import's write does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics import derived, writing
from analytics.errors import Rejected
from analytics.presets import outcome_of
from analytics.wording import counted

COLUMNS = ("pipeline", "stage", "position", "probability", "rotting_days")


class StagesRejected(Rejected):
    """The stages were not saved; problems lists every reason, and nothing was written."""

    title = "Pipelines not saved"
    outcome = "nothing was saved"


@dataclass(frozen=True)
class Stage:
    """One open stage as it will be stored (position 1 is the first stage)."""

    pipeline: str
    stage: str
    position: int
    probability: float | None
    rotting_days: int | None


def stage_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return every declared stage: pipeline, stage, position, probability (0-1), rotting days."""
    return con.execute(
        "SELECT pipeline, stage, position, probability, rotting_days FROM pipelines_stages "
        "ORDER BY pipeline, position"
    ).df()


def _blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    # The editor gives None, NaN or pandas' NA for an empty cell, depending on the column.
    return value is None or bool(pd.isna(value))


def _whole(value: object) -> int | None:
    """Return value as an int when it is a whole number, else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _read(rows: pd.DataFrame) -> tuple[list[Stage], list[str]]:
    """Return the stages a table holds, in stored order, and what is wrong with its rows."""
    problems: list[str] = []
    kept: list[tuple[str, str, float, int, float | None, int | None]] = []
    for i, row in enumerate(rows.reindex(columns=COLUMNS).itertuples(index=False), start=1):
        pipeline, stage, position, probability, rotting = row
        if all(_blank(v) for v in row):
            continue
        where = f"row {i}"
        if _blank(pipeline) or _blank(stage):
            problems.append(f"{where}: a stage needs both a pipeline and a stage name")
            continue
        pipeline, stage = str(pipeline).strip(), str(stage).strip()
        where = f'{where} ("{stage}" of "{pipeline}")'
        if outcome_of(stage):
            problems.append(
                f"{where}: Won and Lost are outcomes, not open stages; every pipeline has them"
            )
        order = math.inf
        if not _blank(position):
            order = _whole(position)
            if order is None or order < 1:
                problems.append(f"{where}: the position is a whole number from 1")
                order = math.inf
        prob = None
        if not _blank(probability):
            try:
                prob = float(probability)
            except (TypeError, ValueError):
                prob = math.nan
            if not 0 <= prob <= 1:
                problems.append(f"{where}: the probability is a share from 0 to 1")
        rot = None
        if not _blank(rotting):
            rot = _whole(rotting)
            if rot is None or rot < 0:
                problems.append(f"{where}: rotting days are a whole number from 0")
        kept.append((pipeline, stage, order, i, prob, rot))
    by_pipeline: dict[str, list[tuple]] = {}
    for item in kept:
        by_pipeline.setdefault(item[0], []).append(item)
    stages: list[Stage] = []
    for pipeline, items in by_pipeline.items():
        names: dict[str, str] = {}
        positions: dict[float, str] = {}
        for _, stage, order, _, _, _ in items:
            if stage.casefold() in names:
                problems.append(f'pipeline "{pipeline}": the stage "{stage}" is listed twice')
            names[stage.casefold()] = stage
            if order != math.inf and order in positions:
                problems.append(
                    f'pipeline "{pipeline}": "{positions[order]}" and "{stage}" have the same '
                    f"position {order}"
                )
            positions[order] = stage
        # Stages without a position come last, in the order of the rows.
        ordered = sorted(items, key=lambda item: (item[2], item[3]))
        stages += [
            Stage(pipeline, stage, n, prob, rot)
            for n, (_, stage, _, _, prob, rot) in enumerate(ordered, start=1)
        ]
    return stages, problems


def _in_use(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[int, int]]:
    """Return per declared (pipeline, stage): open deals in it and history rows naming it."""
    rows = con.execute(
        """
        WITH deals_in AS (
            SELECT pipeline, stage, count(*) AS n FROM deals WHERE status = 'open' GROUP BY ALL
        ),
        events_in AS (
            SELECT d.pipeline, e.stage, count(*) AS n
            FROM stage_events AS e JOIN deals AS d USING (deal_id)
            GROUP BY ALL
        )
        SELECT p.pipeline, p.stage, coalesce(deals_in.n, 0), coalesce(events_in.n, 0)
        FROM pipelines_stages AS p
        LEFT JOIN deals_in USING (pipeline, stage)
        LEFT JOIN events_in USING (pipeline, stage)
        WHERE deals_in.n IS NOT NULL OR events_in.n IS NOT NULL
        """
    ).fetchall()
    return {(p, s): (deals, events) for p, s, deals, events in rows}


def stage_problems(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> list[str]:
    """Return every reason rows cannot replace the declared stages (empty when they can)."""
    stages, problems = _read(rows)
    kept = {(s.pipeline, s.stage) for s in stages}
    for (pipeline, stage), (deals, events) in sorted(_in_use(con).items()):
        if (pipeline, stage) in kept:
            continue
        problems.append(
            f'pipeline "{pipeline}": the stage "{stage}" cannot be removed or renamed, '
            f"{counted(deals, 'open deal is', 'open deals are')} in it and "
            f"{counted(events, 'history row names', 'history rows name')} it (rename it in "
            "the CRM's export and import that instead)"
        )
    return problems


def save_stages(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> int:
    """Replace every pipeline's stages with rows in one transaction; return the stages written.

    Raises StagesRejected, writing nothing, when stage_problems finds anything.
    """
    cur = con.cursor()
    try:
        problems = stage_problems(cur, rows)
        if problems:
            raise StagesRejected(problems)
        stages, _ = _read(rows)
        declared: dict[str, list[str]] = {}
        for s in stages:
            declared.setdefault(s.pipeline, []).append(s.stage)
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute("DELETE FROM pipelines_stages")
            written = writing.write_pipelines(
                cur,
                declared,
                {(s.pipeline, s.stage): s.probability for s in stages},
                {(s.pipeline, s.stage): s.rotting_days for s in stages},
            )
            derived.refresh(cur)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return written
    finally:
        cur.close()
