"""Small statistics shared by the metrics: confidence intervals and the small-sample rule."""

from __future__ import annotations

import math

import pandas as pd

SMALL_SAMPLE = 20  # a rate over fewer cases than this is flagged, not shown bare
Z_95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z_95) -> tuple[float | None, float | None]:
    """Return the Wilson score interval (low, high) of successes / n; (None, None) when n is 0."""
    if n <= 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # The bounds at 0 and n are exactly 0 and 1; rounding would leave them a hair off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def is_small(n: int) -> bool:
    """Return True when a rate over n cases is a small sample."""
    return n < SMALL_SAMPLE


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator / denominator, or None when the denominator is missing or zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def add_rate(frame: pd.DataFrame, successes: str, total: pd.Series, name: str) -> pd.DataFrame:
    """Add successes / total as column name (share 0..1), its Wilson interval and small_sample."""
    pairs = [(int(k), int(n)) for k, n in zip(frame[successes], total, strict=True)]
    intervals = [wilson(k, n) for k, n in pairs]
    frame[name] = [ratio(k, n) for k, n in pairs]
    frame["ci_low"] = [low for low, _ in intervals]
    frame["ci_high"] = [high for _, high in intervals]
    frame["small_sample"] = [is_small(n) for _, n in pairs]
    return frame
