"""Wilson intervals against published values, the small-sample rule and safe ratios."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.stats import SMALL_SAMPLE, is_small, ratio, wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Published 95% Wilson score intervals (Newcombe 1998, table I and common tables).
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (3, 5, 0.2307, 0.8824),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_matches_published_intervals(k, n, low, high):
    got_low, got_high = wilson(k, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_of_nothing_is_no_interval():
    assert wilson(0, 0) == (None, None)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_rate_and_stays_in_unit_interval(kn):
    k, n = kn
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1


@pytest.mark.parametrize(
    ("n", "small"), [(0, True), (SMALL_SAMPLE - 1, True), (SMALL_SAMPLE, False)]
)
def test_small_sample_below_twenty(n, small):
    assert is_small(n) is small


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [(1, 4, 0.25), (0, 4, 0.0), (3, 0, None), (None, 4, None), (2, None, None)],
)
def test_ratio(num, den, expected):
    assert ratio(num, den) == expected
