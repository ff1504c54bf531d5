"""Amounts and expected close dates at an earlier moment, from the recorded changes.

| deal | field  | change                        | when               | why it is here                    |
|------|--------|-------------------------------|--------------------|-----------------------------------|
| X    | amount | 100 -> 200                    | 01-10              | plain change                      |
| X    | amount | 200 -> 300                    | 02-01 00:00        | two changes at one instant: the   |
| X    | amount | 250 -> none                   | 02-01 00:00        | last is the larger new value      |
| X    | amount | 300 -> 400                    | 03-01              | the last change                   |
| X    | close  | 2025-03-01 -> 2025-04-01      | 02-15              | the other field                   |
| Y    | amount | 50 -> 60 and 10 -> 20         | 01-20, both        | the first is the smaller new      |
|      |        |                               |                    | value: 10 before 01-20            |
| Z    | amount | 5 -> none and 7 -> 3          | 01-05, both        | an empty new value sorts last:    |
|      |        |                               |                    | 7 before 01-05                    |
| W    | amount | 4 -> none and 2 -> none       | 01-05, both        | both empty: the smaller old value |
|      |        |                               |                    | first (2), an empty value after   |
| W    | amount | 9 -> 10                       | 03-05              | keeps W listed until 03-05        |

At a moment m, a deal changed at or after m had the new value of its last change before m,
else the old value of its first change; a deal not changed since is not listed.
"""

from __future__ import annotations

import pytest

from analytics.values_at import changed_since
from tests.analytics.builders import build_store, day

CHANGES = [
    ("X", "amount", "100.0", "200.0", day("2025-01-10")),
    ("X", "amount", "200.0", "300.0", day("2025-02-01")),
    ("X", "amount", "250.0", None, day("2025-02-01")),
    ("X", "amount", "300.0", "400.0", day("2025-03-01")),
    ("X", "expected_close_date", "2025-03-01", "2025-04-01", day("2025-02-15")),
    ("Y", "amount", "50.0", "60.0", day("2025-01-20")),
    ("Y", "amount", "10.0", "20.0", day("2025-01-20")),
    ("Z", "amount", "5.0", None, day("2025-01-05")),
    ("Z", "amount", "7.0", "3.0", day("2025-01-05")),
    ("W", "amount", "4.0", None, day("2025-01-05")),
    ("W", "amount", "2.0", None, day("2025-01-05")),
    ("W", "amount", "9.0", "10.0", day("2025-03-05")),
]

# (deal, amount changed since, amount then, close changed since, close then)
CASES = {
    # Before every change: the old value of each first change.
    "before all": ("2025-01-01", [("W", True, "2.0", False, None),
                                  ("X", True, "100.0", True, "2025-03-01"),
                                  ("Y", True, "10.0", False, None),
                                  ("Z", True, "7.0", False, None)]),
    # Z changed no more after 01-05; W's last change before is one of two empty values.
    "after the first": ("2025-01-15", [("W", True, None, False, None),
                                       ("X", True, "200.0", True, "2025-03-01"),
                                       ("Y", True, "10.0", False, None)]),
    # At the instant of a change it has not happened yet.
    "at 02-01 00:00": ("2025-02-01", [("W", True, None, False, None),
                                      ("X", True, "200.0", True, "2025-03-01")]),
    # After the two changes of 02-01: the larger new value is the last; Y changed no more.
    "after the tie": ("2025-02-10", [("W", True, None, False, None),
                                     ("X", True, "300.0", True, "2025-03-01")]),
    # The close date changed on 02-15 and never since.
    "after the close change": ("2025-02-20", [("W", True, None, False, None),
                                              ("X", True, "300.0", False, None)]),
    "after X's last": ("2025-03-02", [("W", True, None, False, None)]),
    "after all": ("2025-03-06", []),
}  # fmt: skip


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = build_store(tmp_path_factory.mktemp("values") / "v.duckdb", deal_changes=CHANGES)
    yield con
    con.close()


@pytest.mark.parametrize("moment, expected", CASES.values(), ids=CASES.keys())
def test_values_at_a_moment(con, moment, expected):
    rows = con.execute(
        f"SELECT * FROM ({changed_since()}) ORDER BY deal_id", [day(moment), day(moment)]
    ).fetchall()
    assert rows == expected


def test_candidates_limit_the_deals_looked_at(con):
    rows = con.execute(
        f"SELECT * FROM ({changed_since('SELECT ?')}) ORDER BY deal_id",
        [day("2025-01-01"), day("2025-01-01"), "Y"],
    ).fetchall()
    assert rows == [("Y", True, "10.0", False, None)]
