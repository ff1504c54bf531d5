"""Metric definitions: what each number counts, kept beside the SQL that computes it.

Every metric module declares its Definition objects with define(); pages show them in their
"how is this computed" cards and the command line prints them, so the words and the code that
follows them live in one place.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

# The modules that declare metrics; all_definitions() imports them so the registry is complete.
METRIC_MODULES = (
    "analytics.winrate",
    "analytics.cycle",
    "analytics.funnel",
    "analytics.durations",
    "analytics.pipeline_value",
    "analytics.forecast",
    "analytics.goals",
    "analytics.activity_metrics",
    "analytics.weekly",
    "analytics.leads",
    "analytics.cohorts",
    "analytics.currency",
)


@dataclass(frozen=True)
class Definition:
    """How one metric is computed: what is counted, over what, anchored on which date."""

    key: str
    label: str
    numerator: str
    denominator: str | None
    anchor: str
    excludes: str
    unit: str

    def sentence(self) -> str:
        """Return the definition as one paragraph for a "how is this computed" card."""
        ratio = f"{self.numerator} ÷ {self.denominator}" if self.denominator else self.numerator
        return f"{self.label} = {ratio}. Date anchor: {self.anchor}. Left out: {self.excludes}."


_REGISTRY: dict[str, Definition] = {}


def define(
    key: str,
    label: str,
    numerator: str,
    denominator: str | None,
    anchor: str,
    excludes: str,
    unit: str,
) -> Definition:
    """Declare a metric and return its definition; each key is declared once."""
    if key in _REGISTRY:
        raise ValueError(f"metric {key!r} is defined twice")
    definition = Definition(key, label, numerator, denominator, anchor, excludes, unit)
    _REGISTRY[key] = definition
    return definition


def all_definitions() -> dict[str, Definition]:
    """Return every declared metric definition by key."""
    for name in METRIC_MODULES:
        importlib.import_module(name)
    return dict(_REGISTRY)


def definition(key: str) -> Definition:
    """Return one metric's definition; KeyError for an unknown key."""
    return all_definitions()[key]
