"""Counts in English: the noun agrees with the number."""

from __future__ import annotations

import pytest

from analytics.wording import counted


@pytest.mark.parametrize(
    ("n", "plain", "grouped"),
    [
        (0, "0 rows", "0 rows"),
        (1, "1 row", "1 row"),
        (2, "2 rows", "2 rows"),
        (1234, "1234 rows", "1,234 rows"),
    ],
)
def test_the_noun_agrees_with_the_count(n, plain, grouped):
    assert counted(n, "row") == plain
    assert counted(n, "row", thousands=True) == grouped


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 open deals are"), (1, "1 open deal is"), (2, "2 open deals are")],
)
def test_an_irregular_plural_is_given_whole(n, expected):
    assert counted(n, "open deal is", "open deals are") == expected
