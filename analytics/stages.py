"""Pipelines known to an import, and the mapping of a file's stage names onto them."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from analytics import parsing
from analytics.errors import Problem
from analytics.presets import outcome_of
from analytics.staging import Staged, source_name
from analytics.wording import counted

q = parsing.quote_ident


@dataclass
class Pipelines:
    """The pipelines known to one import: stored ones, declared ones, and preset defaults."""

    stages: dict[str, list[str]]
    probabilities: dict[tuple[str, str], float | None] = field(default_factory=dict)
    rotting: dict[tuple[str, str], int | None] = field(default_factory=dict)
    declared: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, cur: duckdb.DuckDBPyConnection) -> Pipelines:
        rows = cur.execute(
            "SELECT pipeline, stage, probability, rotting_days FROM pipelines_stages "
            "ORDER BY pipeline, position"
        ).fetchall()
        stages: dict[str, list[str]] = {}
        out = cls(stages)
        for pipeline, stage, prob, rot in rows:
            stages.setdefault(pipeline, []).append(stage)
            out.probabilities[(pipeline, stage)] = prob
            out.rotting[(pipeline, stage)] = rot
        return out

    def declare(
        self, pipeline: str, stages: list[str], probabilities: dict[str, float | None] | None = None
    ) -> None:
        """Set the open stages of a pipeline, in order (kept in the import's transaction)."""
        probabilities = probabilities or {}
        self.stages[pipeline] = list(stages)
        self.declared[pipeline] = list(stages)
        n = len(stages)
        for i, stage in enumerate(stages, start=1):
            key = (pipeline, stage)
            if stage in probabilities:
                self.probabilities[key] = probabilities[stage]
            elif key not in self.probabilities:
                # Without a configured probability, deals further along are likelier to win.
                self.probabilities[key] = round(i / (n + 1), 4)

    def match(self, pipeline: str, stage: str) -> str | None:
        """Return the declared spelling of stage in pipeline (case-insensitive), or None."""
        wanted = stage.strip().casefold()
        for name in self.stages.get(pipeline, []):
            if name.casefold() == wanted:
                return name
        return None


def resolve_pairs(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    pairs_sql: str,
    pipelines: Pipelines,
    default_pipeline: str,
    map_table: str,
) -> None:
    """Map every distinct (pipeline, stage) of a file onto declared stages or outcomes."""
    preset = staged.mapping.preset
    pairs = cur.execute(pairs_sql).fetchall()
    resolved = []
    unknown: dict[str, list[tuple[str, int, int]]] = {}
    for pipeline_raw, stage_raw, n, first in pairs:
        pipeline = preset.stage_aliases.get(pipeline_raw, pipeline_raw) if pipeline_raw else None
        pipeline = pipeline or default_pipeline
        if stage_raw is None:
            resolved.append((pipeline_raw, stage_raw, pipeline, None, None))
            continue
        if pipeline not in pipelines.stages and pipeline == preset.pipeline:
            pipelines.declare(preset.pipeline, [s for s, _ in preset.stages],
                              dict(preset.stages))  # fmt: skip
        stage = preset.stage_aliases.get(stage_raw.strip(), stage_raw.strip())
        outcome = outcome_of(stage)
        if outcome:
            resolved.append((pipeline_raw, stage_raw, pipeline, None, outcome))
            continue
        match = pipelines.match(pipeline, stage)
        if match is None:
            unknown.setdefault(pipeline, []).append((stage_raw, n, first))
        resolved.append((pipeline_raw, stage_raw, pipeline, match, None))
    source = source_name(staged.mapping, "stage")
    for pipeline, found in unknown.items():
        # In the order the file first names them: the pairs come in no order, and the example
        # must read the same on every run.
        stages = sorted(found, key=lambda s: s[2])
        known = pipelines.stages.get(pipeline)
        suggestion = ",".join((known or []) + [s for s, _, _ in stages])
        for stage_raw, n, first in stages:
            declare = (f'Declare the stages in order, e.g. --pipeline "{pipeline}" '
                       f'--stages "{suggestion}", or on the Data page')  # fmt: skip
            if known is None:
                text = (f'pipeline "{pipeline}" is not declared, so its stages are unknown '
                        f"({counted(n, 'row')}). {declare}")  # fmt: skip
            else:
                # A stage renamed in the CRM since: the old name is one of the stages.
                text = (f'"{stage_raw}" is not a stage of pipeline "{pipeline}" '
                        f"(its stages: {', '.join(known)}; {counted(n, 'row')}). {declare}; "
                        f'or, if it is another name of one of them, replace it: --value '
                        f'"stage:{stage_raw}={known[0]}", or Replace values on the Data '
                        "page")  # fmt: skip
            staged.problems.append(
                Problem(staged.file, staged.raw.row_of(first), source, stage_raw, text)
            )
    cur.execute(
        f"CREATE TEMP TABLE {map_table} (pipeline_raw VARCHAR, stage_raw VARCHAR, "
        "pipeline VARCHAR, stage VARCHAR, outcome VARCHAR)"
    )
    if resolved:
        cur.executemany(f"INSERT INTO {map_table} VALUES (?, ?, ?, ?, ?)", resolved)
