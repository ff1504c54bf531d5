"""The headline figures of `python -m analytics metrics`: one dict, the command's JSON.

The keys and their meanings are a public interface (see README, "Metrics from the command
line"); each figure comes from the metric module that defines it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import duckdb

from analytics import cycle, durations, funnel, leads, pipeline_value, winrate
from analytics.filters import Filters, dimension_values, pipelines_in_scope, resolve_as_of


def _plain(value: Any) -> Any:
    """Return value as a JSON-ready Python scalar (numpy numbers unwrapped, NaN as None)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _first(frame) -> dict[str, Any]:
    """Return a one-row frame's row as a dict of per-column typed values."""
    return frame.to_dict("records")[0]


def _record(row, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: _plain(row[k]) for k in keys}


_CYCLE_KEYS = ("n", "median", "mean", "p25", "p75", "p90")
_FUNNEL_KEYS = ("stage", "position", "reached", "conversion", "cumulative")
_STAGE_KEYS = ("stage", "completed_visits", "median_days", "mean_days", "p75_days", "p90_days",
               "km_median_days", "open_now")  # fmt: skip


def _stages(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Return the funnel and time in stage: flat for one pipeline, per pipeline for several."""
    names = [filters.pipeline] if filters.pipeline else pipelines_in_scope(con, filters)
    per = []
    for name in names:
        scoped = replace(filters, pipeline=name)
        per.append({
            "pipeline": name,
            "funnel": [_record(r, _FUNNEL_KEYS)
                       for r in funnel.funnel(con, scoped).to_dict("records")],
            "time_in_stage": [_record(r, _STAGE_KEYS)
                              for r in durations.time_in_stage(con, scoped).to_dict("records")],
        })  # fmt: skip
    if len(per) > 1:
        return {"pipelines": per}
    if not per:
        return {"funnel": [], "time_in_stage": []}
    return {"funnel": per[0]["funnel"], "time_in_stage": per[0]["time_in_stage"]}


def _figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Return every headline figure for one set of filters (as_of already resolved)."""
    # Rows as records keep each column's type (iloc would turn counts into floats).
    cohort = _first(winrate.cohort_win_rate(con, filters))
    rate = _first(winrate.win_rate(con, filters))
    cycles = {r["outcome"]: r for r in cycle.sales_cycle(con, filters).to_dict("records")}
    open_now = _first(pipeline_value.open_pipeline(con, filters))
    velocity = pipeline_value.velocity(con, filters)
    lead = _first(leads.lead_conversion(con, filters))
    out: dict[str, Any] = {
        "deals": {
            "total": _plain(cohort["created"]),
            "open": _plain(cohort["pending"]),
            "won": _plain(cohort["won"]),
            "lost": _plain(cohort["lost"]),
        },
        "win_rate": _record(
            rate, ("won", "lost", "rate", "ci_low", "ci_high", "value_rate", "small_sample")
        ),
        "won_amount": _plain(float(rate["won_amount"])),
        "cycle_days": {o: _record(cycles[o], _CYCLE_KEYS) for o in ("won", "lost")},
    }
    out.update(_stages(con, filters))
    out["pipeline"] = {
        "open_count": _plain(open_now["open_count"]),
        "open_amount": _plain(float(open_now["open_amount"])),
        "weighted_amount": _plain(float(open_now["weighted_amount"])),
        "velocity_per_day": _plain(velocity.per_day),
    }
    out["leads"] = {
        **_record(lead, ("created", "converted", "conversion_rate", "median_days_to_convert")),
        "ignored_conditions": leads.ignored_conditions(filters),
    }
    return out


def headline(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str | None = None
) -> dict[str, Any]:
    """Return the headline metrics as the JSON-ready dict `python -m analytics metrics` prints."""
    filters = replace(filters, as_of=resolve_as_of(con, filters))
    out: dict[str, Any] = {
        "as_of": filters.as_of.isoformat(),
        "period": {
            "from": filters.start.isoformat() if filters.start else None,
            "to": filters.end.isoformat() if filters.end else None,
        },
        "filters": filters.describe(),
    }
    out.update(_figures(con, filters))
    if by:
        out["groups"] = [
            {"key": key, **_figures(con, filters.narrowed(by, [key]))}
            for key in dimension_values(con, filters, by)
        ]
    return out


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return the scalar figures of a headline dict as one flat row ("win_rate.rate": 0.4)."""
    row: dict[str, Any] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, name + "."))
        elif not isinstance(value, list):
            row[name] = value
    return row
