"""The benchmark's vectorised pandas route (benchmarks/pandas_metrics.py) against the others.

The route is timed beside the SQL one at up to 1M deals, so it must compute the same headline
figures. Two references:

| data                 | compared with                  | why                                    |
|----------------------|--------------------------------|----------------------------------------|
| the committed sample | the SQL headline               | the oracle takes minutes on 4,000      |
| under SAMPLE_FILTERS | (analytics.headline)           | deals; test_oracle holds the SQL       |
|                      |                                | headline to it on the same sample      |
| random stores        | the plain-pandas oracle        | the edge cases: deals born won, closed |
| (oracle.random_      | (tests/oracle.py)              | before created or without a close      |
| stores)              |                                | date, stages not in the pipeline, EUR  |
|                      |                                | amounts with or without a rate         |

SAMPLE_FILTERS move the period, the pipeline and the as-of date. Floats agree within 1e-9
relative; NaN counts as None on both sides.
"""

from __future__ import annotations

import math
from datetime import date
from numbers import Real
from typing import Any

import pytest

from analytics import sample, store
from analytics.filters import Filters
from analytics.headline import headline
from benchmarks import pandas_metrics
from tests import oracle

SAMPLE_FILTERS = {
    "all time": Filters(),
    "a quarter": Filters(start=date(2025, 4, 1), end=date(2025, 6, 30)),
    "one pipeline": Filters(pipeline="Expansion"),
    "past as-of": Filters(as_of=date(2025, 9, 30)),
}


def flat(figures: Any, path: str = "") -> dict[str, Any]:
    """Return every scalar of nested figures by its path, lists' lengths included, NaN as None."""
    if isinstance(figures, dict):
        return {
            k: v for key, value in figures.items() for k, v in flat(value, f"{path}.{key}").items()
        }
    if isinstance(figures, list):
        out = {f"{path}.len": len(figures)}
        for i, value in enumerate(figures):
            out |= flat(value, f"{path}[{i}]")
        return out
    return {path: None if oracle.missing(figures) else figures}


def assert_same(got: dict, expected: dict) -> None:
    got, expected = flat(got), flat(expected)
    assert got.keys() == expected.keys()
    numbers = [k for k, v in expected.items() if isinstance(v, Real) and not isinstance(v, bool)]
    assert [got[k] for k in numbers] == pytest.approx(
        [expected[k] for k in numbers], rel=1e-9, abs=1e-9
    )
    assert {k: v for k, v in got.items() if k not in numbers} == {
        k: v for k, v in expected.items() if k not in numbers
    }


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("pandas_metrics") / "sample.duckdb")
    sample.load_sample(con)
    yield con, pandas_metrics.load(con)
    con.close()


@pytest.mark.parametrize("name", list(SAMPLE_FILTERS))
def test_the_sample_agrees_with_the_sql_headline(sample_store, name):
    con, tables = sample_store
    filters = SAMPLE_FILTERS[name]
    expected = headline(con, filters)
    # Only the SQL headline describes the filters and the lead conditions it ignored.
    del expected["filters"], expected["leads"]["ignored_conditions"]
    # Something to agree on: closed deals, and stages with completed visits.
    assert expected["win_rate"]["won"] > 20
    stages = expected.get("time_in_stage") or expected["pipelines"][0]["time_in_stage"]
    assert stages and stages[0]["completed_visits"] > 0
    assert_same(pandas_metrics.headline(tables, filters), expected)


def test_random_stores_agree_with_the_oracle():
    oracle.on_random_stores(
        lambda con, filters: assert_same(
            pandas_metrics.headline(pandas_metrics.load(con), filters),
            oracle.headline(con, filters),
        ),
        examples=30,
    )


@pytest.mark.parametrize(
    "other",
    [
        {"rate": 0.4 * (1 + 1e-6), "ci_low": None, "funnel": [{"reached": 3}]},
        {"rate": 0.4, "ci_low": 0.0, "funnel": [{"reached": 3}]},
        {"rate": 0.4, "ci_low": None, "funnel": [{"reached": 3}, {"reached": 1}]},
    ],
)
def test_the_comparison_sees_a_difference(other):
    figures = {"rate": 0.4, "ci_low": math.nan, "funnel": [{"reached": 3}]}
    assert_same(figures, {"rate": 0.4, "ci_low": None, "funnel": [{"reached": 3}]})
    with pytest.raises(AssertionError):
        assert_same(figures, other)
