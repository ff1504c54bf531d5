"""Win rate and cohort win rate on a fixture whose every deal is explained below.

Pipeline "Sales" (Lead, Demo, Proposal). Period 2025-01-01 to 2025-06-30, as of 2025-03-31.

| deal | status | created    | closed     | amount | cur | owner | why it is here                      |
|------|--------|------------|------------|--------|-----|-------|-------------------------------------|
| W1   | won    | 2025-01-05 | 2025-02-10 | 1000   | USD | Aiko  | plain win in the period             |
| W2   | won    | 2025-02-01 | 2025-02-01 |  500   | USD | Ben   | closed the day it was created       |
| L1   | lost   | 2025-01-10 | 2025-03-15 | 2000   | USD | Aiko  | plain loss                          |
| L2   | lost   | 2024-12-01 | 2025-01-20 |  -     | USD | Ben   | no amount: counted, not summed      |
| E1   | won    | 2025-02-15 | 2025-03-01 |  400   | EUR | -     | no rate to USD: counted, not summed |
| O1   | open   | 2025-01-20 | -          | 3000   | USD | Aiko  | open: not in the closed view        |
| W3   | won    | 2024-10-01 | 2024-12-20 |  700   | USD | Aiko  | closed before the period            |
| W4   | won    | 2025-03-01 | 2025-04-05 |  900   | USD | Ben   | closes after the as-of date         |

USD is the reporting currency (the commonest).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.filters import Filters
from analytics.winrate import cohort_win_rate, win_rate
from tests.analytics.builders import build_store, d, day, pipeline_rows


def deal(deal_id, status, created, closed, amount, currency="USD", owner=None):
    stage = {"won": "Won", "lost": "Lost"}.get(status, "Demo")
    return {
        "deal_id": deal_id, "pipeline": "Sales", "stage": stage, "status": status,
        "amount": amount, "currency": currency, "owner": owner, "created_at": day(created),
        "closed_at": day(closed) if closed else None,
    }  # fmt: skip


DEALS = [
    deal("W1", "won", "2025-01-05", "2025-02-10", 1000, owner="Aiko"),
    deal("W2", "won", "2025-02-01", "2025-02-01", 500, owner="Ben"),
    deal("L1", "lost", "2025-01-10", "2025-03-15", 2000, owner="Aiko"),
    deal("L2", "lost", "2024-12-01", "2025-01-20", None, owner="Ben"),
    deal("E1", "won", "2025-02-15", "2025-03-01", 400, currency="EUR"),
    deal("O1", "open", "2025-01-20", None, 3000, owner="Aiko"),
    deal("W3", "won", "2024-10-01", "2024-12-20", 700, owner="Aiko"),
    deal("W4", "won", "2025-03-01", "2025-04-05", 900, owner="Ben"),
]

PERIOD = Filters(start=d("2025-01-01"), end=d("2025-06-30"), as_of=d("2025-03-31"))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("winrate") / "store.duckdb"
    con = build_store(path, pipelines=pipeline_rows("Sales", ["Lead", "Demo", "Proposal"]),
                      deals=DEALS)  # fmt: skip
    yield con
    con.close()


def test_win_rate_counts_deals_closed_in_the_period_up_to_the_as_of_date(con):
    row = win_rate(con, PERIOD).iloc[0]
    # W1, W2, E1 won; L1, L2 lost. W3 closed before the period, W4 after the as-of date.
    assert (row["won"], row["lost"], row["n"]) == (3, 2, 5)
    assert row["rate"] == pytest.approx(0.6)
    # Wilson 95% interval of 3/5, from the published table of the score interval.
    assert row["ci_low"] == pytest.approx(0.2307, abs=1e-4)
    assert row["ci_high"] == pytest.approx(0.8824, abs=1e-4)
    assert bool(row["small_sample"]) is True


def test_amounts_leave_out_missing_and_unconvertible_amounts(con):
    row = win_rate(con, PERIOD).iloc[0]
    assert row["won_amount"] == 1500  # W1 + W2; E1 has no rate to USD
    assert row["lost_amount"] == 2000  # L1; L2 has no amount
    assert row["value_rate"] == pytest.approx(1500 / 3500)
    assert row["unconverted"] == 1


def test_win_rate_by_owner(con):
    got = win_rate(con, PERIOD, by="owner")[["key", "won", "lost", "n", "won_amount"]]
    expected = pd.DataFrame(
        {"key": ["(none)", "Aiko", "Ben"], "won": [1, 1, 1], "lost": [0, 1, 1],
         "n": [1, 2, 2], "won_amount": [0.0, 1000.0, 500.0]}
    )  # fmt: skip
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_filter_on_owner_keeps_only_their_deals(con):
    row = win_rate(con, Filters.build(PERIOD.start, PERIOD.end, PERIOD.as_of,
                                      where={"owner": ["Aiko"]})).iloc[0]  # fmt: skip
    assert (row["won"], row["lost"]) == (1, 1)


def test_all_time_with_a_later_as_of_date_counts_every_closed_deal(con):
    row = win_rate(con, Filters(as_of=d("2025-12-31"))).iloc[0]
    assert (row["won"], row["lost"]) == (5, 2)


def test_empty_period_gives_zero_counts_and_no_rate(con):
    row = win_rate(con, Filters(start=d("2030-01-01"), end=d("2030-12-31"))).iloc[0]
    assert (row["won"], row["lost"], row["n"]) == (0, 0, 0)
    assert row["rate"] is None and row["ci_low"] is None and row["value_rate"] is None


def test_cohort_win_rate_follows_deals_created_in_the_period(con):
    row = cohort_win_rate(con, PERIOD).iloc[0]
    # Created in the period: W1, W2, L1, E1, O1, W4. W4 wins only after the as-of date.
    assert (row["created"], row["won"], row["lost"], row["pending"]) == (6, 3, 1, 2)
    assert row["rate"] == pytest.approx(0.5)
