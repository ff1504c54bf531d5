"""Lead conversion and the lead funnel on a fixture whose every lead is explained below.

Period 2025-01-01 to 2025-06-30, as of 2025-04-30. Pipeline "Sales" (Lead, Demo, Proposal).

Leads (dates in 2025 unless written in full; conv_at = converted_at, deal = leads.deal_id):

| lead | created    | source   | owner | status    | conv_at    | deal | why it is here          |
|------|------------|----------|-------|-----------|------------|------|-------------------------|
| N1   | 01-10      | Web      | Aiko  | working   | -          | -    | never converted         |
| D1   | 01-05      | Web      | Aiko  | working   | -          | -    | via deals.lead_id only: |
|      |            |          |       |           |            |      | X1 made 01-15 (10 days),|
|      |            |          |       |           |            |      | X1 won                  |
| K1   | 02-01      | Event    | Ben   | working   | -          | X2   | via leads.deal_id only: |
|      |            |          |       |           |            |      | X2 made 02-11 (10 days),|
|      |            |          |       |           |            |      | X2 lost                 |
| S1   | 02-10      | Event    | Ben   | converted | -          | -    | via status only: no     |
|      |            |          |       |           |            |      | time, so no days        |
| M1   | 03-01      | Web      | -     | converted | 03-04      | X9   | X9 never loaded: 3 days,|
|      |            |          |       |           |            |      | cannot be won           |
| A1   | 03-15      | Web      | Aiko  | converted | 05-10      | X3   | converted after as-of   |
| O1   | 01-20      | Referral | Ben   | converted | 01-20      | X4   | converted the same day  |
|      |            |          |       |           |            |      | (0 days); X4 still open |
| W2   | 04-01      | Referral | Aiko  | converted | 04-03      | X5   | 2 days; X5 won after    |
|      |            |          |       |           |            |      | the as-of date          |
| B1   | 02-20      | Web      | Ben   | converted | 02-15      | X7   | dated before creation:  |
|      |            |          |       |           |            |      | -5 days, not in median; |
|      |            |          |       |           |            |      | X7 won                  |
| T1   | 04-10      | -        | Aiko  | converted | -          | X8   | two deals: X8 (linked   |
|      |            |          |       |           |            |      | both ways, made 04-12:  |
|      |            |          |       |           |            |      | 2 days) and X10 (won);  |
|      |            |          |       |           |            |      | counted once            |
| L2   | 04-20      | Event    | Ben   | working   | -          | -    | via deals.lead_id: X11  |
|      |            |          |       |           |            |      | made 05-02, after as-of |
| P1   | 2024-12-20 | Web      | Aiko  | converted | 2024-12-28 | X6   | before the period (8    |
|      |            |          |       |           |            |      | days); X6 won 01-10     |
| F1   | 05-05      | Web      | Aiko  | new       | -          | -    | created after as-of     |

Deals (only what the leads need):

| deal | lead_id | created    | status | closed     |
|------|---------|------------|--------|------------|
| X1   | D1      | 2025-01-15 | won    | 2025-03-01 |
| X2   | -       | 2025-02-11 | lost   | 2025-03-10 |
| X3   | -       | 2025-05-10 | open   | -          |
| X4   | O1      | 2025-01-20 | open   | -          |
| X5   | W2      | 2025-04-03 | won    | 2025-05-15 |
| X6   | P1      | 2024-12-28 | won    | 2025-01-10 |
| X7   | B1      | 2025-02-15 | won    | 2025-03-20 |
| X8   | T1      | 2025-04-12 | lost   | 2025-04-20 |
| X10  | T1      | 2025-04-20 | won    | 2025-04-25 |
| X11  | L2      | 2025-05-02 | open   | -          |
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import AnalyticsError
from analytics.filters import Filters
from analytics.leads import (
    UnsupportedLeadBreakdown,
    ignored_conditions,
    lead_conversion,
    lead_funnel,
)
from tests.analytics.builders import build_store, d, day, pipeline_rows

PIPELINE = pipeline_rows("Sales", ["Lead", "Demo", "Proposal"])


def lead(lead_id, created, source, owner, status, converted=None, deal_id=None):
    return {
        "lead_id": lead_id, "created_at": day(created), "source": source, "owner": owner,
        "status": status, "converted_at": day(converted) if converted else None,
        "deal_id": deal_id,
    }  # fmt: skip


def deal(deal_id, lead_id, created, status, closed=None):
    return {
        "deal_id": deal_id, "pipeline": "Sales", "stage": {"won": "Won", "lost": "Lost"}.get(
            status, "Demo"), "status": status, "amount": 100.0, "currency": "USD",
        "lead_id": lead_id, "created_at": day(created),
        "closed_at": day(closed) if closed else None,
    }  # fmt: skip


LEADS = [
    lead("N1", "2025-01-10", "Web", "Aiko", "working"),
    lead("D1", "2025-01-05", "Web", "Aiko", "working"),
    lead("K1", "2025-02-01", "Event", "Ben", "working", deal_id="X2"),
    lead("S1", "2025-02-10", "Event", "Ben", "converted"),
    lead("M1", "2025-03-01", "Web", None, "converted", "2025-03-04", "X9"),
    lead("A1", "2025-03-15", "Web", "Aiko", "converted", "2025-05-10", "X3"),
    lead("O1", "2025-01-20", "Referral", "Ben", "converted", "2025-01-20", "X4"),
    lead("W2", "2025-04-01", "Referral", "Aiko", "converted", "2025-04-03", "X5"),
    lead("B1", "2025-02-20", "Web", "Ben", "converted", "2025-02-15", "X7"),
    lead("T1", "2025-04-10", None, "Aiko", "converted", deal_id="X8"),
    lead("L2", "2025-04-20", "Event", "Ben", "working"),
    lead("P1", "2024-12-20", "Web", "Aiko", "converted", "2024-12-28", "X6"),
    lead("F1", "2025-05-05", "Web", "Aiko", "new"),
]

DEALS = [
    deal("X1", "D1", "2025-01-15", "won", "2025-03-01"),
    deal("X2", None, "2025-02-11", "lost", "2025-03-10"),
    deal("X3", None, "2025-05-10", "open"),
    deal("X4", "O1", "2025-01-20", "open"),
    deal("X5", "W2", "2025-04-03", "won", "2025-05-15"),
    deal("X6", "P1", "2024-12-28", "won", "2025-01-10"),
    deal("X7", "B1", "2025-02-15", "won", "2025-03-20"),
    deal("X8", "T1", "2025-04-12", "lost", "2025-04-20"),
    deal("X10", "T1", "2025-04-20", "won", "2025-04-25"),
    deal("X11", "L2", "2025-05-02", "open"),
]

PERIOD = Filters(start=d("2025-01-01"), end=d("2025-06-30"), as_of=d("2025-04-30"))
COLUMNS = [
    "created", "converted", "conversion_rate", "ci_low", "ci_high", "small_sample",
    "median_days_to_convert", "won", "lead_to_win_rate",
]  # fmt: skip


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("leads") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINE, deals=DEALS, leads=LEADS)
    yield con
    con.close()


def test_lead_conversion_over_the_period(con):
    got = lead_conversion(con, PERIOD)
    assert list(got.columns) == COLUMNS
    row = got.iloc[0]
    # Created in the period by 04-30: N1 D1 K1 S1 M1 A1 O1 W2 B1 T1 L2 = 11 (P1 before, F1 after).
    # Converted by 04-30: D1 K1 S1 M1 O1 W2 B1 T1 = 8 (A1 on 05-10, L2 via X11 on 05-02).
    # Won by 04-30: D1 (X1), B1 (X7), T1 (X10) = 3; K1 lost, O1 open, W2 won 05-15, M1 no deal.
    assert (row["created"], row["converted"], row["won"]) == (11, 8, 3)
    assert row["conversion_rate"] == pytest.approx(8 / 11)
    assert row["lead_to_win_rate"] == pytest.approx(3 / 11)
    # Days: O1 0, W2 2, T1 2, M1 3, D1 10, K1 10 (B1 -5 left out, S1 has no time):
    # median of [0, 2, 2, 3, 10, 10] = (2 + 3) / 2.
    assert row["median_days_to_convert"] == pytest.approx(2.5)
    # Wilson 95% of 8/11 (z² = 3.8415): denominator 1 + 3.8415/11 = 1.34923; centre
    # (0.72727 + 3.8415/22) / 1.34923 = 0.66844; half 1.96 * sqrt(0.72727 * 0.27273 / 11
    # + 3.8415 / 484) / 1.34923 = 0.23410; so 0.43434 .. 0.90254.
    assert row["ci_low"] == pytest.approx(0.43434, abs=1e-4)
    assert row["ci_high"] == pytest.approx(0.90254, abs=1e-4)
    assert bool(row["small_sample"]) is True


# by source: (none) = T1; Event = K1 S1 L2; Referral = O1 W2; Web = N1 D1 M1 A1 B1.
# by owner: (none) = M1; Aiko = N1 D1 A1 W2 T1; Ben = K1 S1 O1 B1 L2.
BY_SOURCE = pd.DataFrame(
    {
        "key": ["(none)", "Event", "Referral", "Web"],
        "created": [1, 3, 2, 5],
        "converted": [1, 2, 2, 3],  # T1; K1 S1; O1 W2; D1 M1 B1
        "median_days_to_convert": [2.0, 10.0, 1.0, 6.5],  # [2]; [10]; [0, 2]; [10, 3]
        "won": [1, 0, 0, 2],  # T1; -; -; D1 B1
    }
)
BY_OWNER = pd.DataFrame(
    {
        "key": ["(none)", "Aiko", "Ben"],
        "created": [1, 5, 5],
        "converted": [1, 3, 4],  # M1; D1 W2 T1; K1 S1 O1 B1
        "median_days_to_convert": [3.0, 2.0, 5.0],  # [3]; [10, 2, 2]; [10, 0]
        "won": [0, 2, 1],  # M1's deal X9 was never loaded; D1 T1; B1
    }
)


@pytest.mark.parametrize("by, expected", [("source", BY_SOURCE), ("owner", BY_OWNER)])
def test_breakdown_by_lead_source_and_owner(con, by, expected):
    got = lead_conversion(con, PERIOD, by=by)
    assert list(got.columns) == ["key", *COLUMNS]
    pd.testing.assert_frame_equal(
        got[["key", "created", "converted", "median_days_to_convert", "won"]],
        expected,
        check_dtype=False,
    )
    assert list(got["conversion_rate"]) == pytest.approx(
        [c / n for c, n in zip(expected["converted"], expected["created"], strict=True)]
    )
    assert list(got["lead_to_win_rate"]) == pytest.approx(
        [w / n for w, n in zip(expected["won"], expected["created"], strict=True)]
    )


@pytest.mark.parametrize(
    "where, expected",
    [
        # Ben: K1 S1 O1 B1 L2 created; K1 S1 O1 B1 converted; B1 won.
        ({"owner": ["Ben"]}, (5, 4, 1)),
        # (none) selects the leads without an owner: M1.
        ({"owner": ["(none)"]}, (1, 1, 0)),
        # Web or no source: N1 D1 M1 A1 B1 T1; D1 M1 B1 T1 converted; D1 B1 T1 won.
        ({"source": ["Web", "(none)"]}, (6, 4, 3)),
        # Ben's Event leads: K1 S1 L2; K1 S1 converted.
        ({"owner": ["Ben"], "source": ["Event"]}, (3, 2, 0)),
        # Deal-only columns do not apply to leads: the whole period again.
        ({"region": ["EU"]}, (11, 8, 3)),
    ],
)
def test_conditions_on_lead_columns(con, where, expected):
    filters = Filters.build(PERIOD.start, PERIOD.end, PERIOD.as_of, where=where)
    row = lead_conversion(con, filters).iloc[0]
    assert (row["created"], row["converted"], row["won"]) == expected


def test_pipeline_does_not_apply_to_leads(con):
    row = lead_conversion(con, Filters.build(PERIOD.start, PERIOD.end, PERIOD.as_of,
                                             pipeline="Other")).iloc[0]  # fmt: skip
    assert (row["created"], row["converted"], row["won"]) == (11, 8, 3)


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), []),
        (Filters.build(where={"owner": ["Ben"], "source": ["Web"]}), []),
        (Filters.build(pipeline="Sales", where={"owner": ["Ben"], "region": ["EU"]}),
         ["pipeline", "region"]),
        (Filters.build(where={"team": ["A"], "industry": ["Retail"]}), ["industry", "team"]),
    ],
)  # fmt: skip
def test_ignored_conditions_name_what_leads_cannot_be_filtered_by(filters, expected):
    assert ignored_conditions(filters) == expected


def test_as_of_in_the_past_counts_what_had_happened_by_then(con):
    row = lead_conversion(con, Filters(as_of=d("2025-02-28"))).iloc[0]
    # Created by 02-28: P1 D1 N1 O1 K1 S1 B1 = 7.
    # Converted by then: P1 (12-28), D1 (01-15), O1 (01-20), K1 (02-11), B1 (02-15), S1 (no time).
    # Won by then: P1 (X6 won 01-10); X1 (03-01) and X7 (03-20) were won later.
    assert (row["created"], row["converted"], row["won"]) == (7, 6, 1)
    # Days: O1 0, P1 8, D1 10, K1 10 (B1 -5 out): median (8 + 10) / 2.
    assert row["median_days_to_convert"] == pytest.approx(9.0)


def test_all_time_with_a_later_as_of_date(con):
    row = lead_conversion(con, Filters(as_of=d("2025-12-31"))).iloc[0]
    # All 13 leads; converted: the 8 of the period + A1, L2, P1 (F1 is new).
    # Won: D1 B1 T1 P1 W2 (X5 won 05-15); X3 and X11 are open.
    assert (row["created"], row["converted"], row["won"]) == (13, 11, 5)


def test_empty_period_gives_zero_counts_and_no_rates(con):
    got = lead_conversion(con, Filters(start=d("2030-01-01"), end=d("2030-12-31")))
    expected = pd.DataFrame([{
        "created": 0, "converted": 0, "conversion_rate": None, "ci_low": None, "ci_high": None,
        "small_sample": True, "median_days_to_convert": None, "won": 0, "lead_to_win_rate": None,
    }])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_empty_period_by_owner_has_no_rows(con):
    got = lead_conversion(con, Filters(start=d("2030-01-01"), end=d("2030-12-31")), by="owner")
    assert got.empty and list(got.columns) == ["key", *COLUMNS]


@pytest.mark.parametrize("by", ["pipeline", "team", "status"])
def test_breakdown_by_a_column_leads_lack_is_refused(con, by):
    with pytest.raises(UnsupportedLeadBreakdown, match="owner or source") as caught:
        lead_conversion(con, PERIOD, by=by)
    assert isinstance(caught.value, AnalyticsError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "filters, expected",
    [
        (PERIOD, [11, 8, 3]),  # see test_lead_conversion_over_the_period
        (Filters(as_of=d("2025-02-28")), [7, 6, 1]),
        (Filters(start=d("2030-01-01"), end=d("2030-12-31")), [0, 0, 0]),
    ],
)
def test_lead_funnel(con, filters, expected):
    expected_frame = pd.DataFrame({"step": ["created", "converted", "won"], "leads": expected})
    pd.testing.assert_frame_equal(lead_funnel(con, filters), expected_frame, check_dtype=False)


def test_a_single_lead_in_an_otherwise_empty_store(tmp_path):
    con = build_store(tmp_path / "one.duckdb",
                      leads=[lead("Q1", "2025-03-03 09:00", "Web", "Aiko", "converted",
                                  "2025-03-05 18:00")])  # fmt: skip
    row = lead_conversion(con, Filters(as_of=d("2025-03-31"))).iloc[0]
    # Whole days between the dates, times of day ignored: 03-05 − 03-03 = 2.
    assert (row["created"], row["converted"], row["won"]) == (1, 1, 0)
    assert row["median_days_to_convert"] == 2.0
    con.close()


# ---- properties over generated stores ---------------------------------------------------

BASE = date(2025, 1, 1)

lead_rows = st.lists(
    st.tuples(
        st.integers(0, 60),  # created, days after BASE
        st.sampled_from(["new", "working", "converted", "disqualified", None]),
        st.one_of(st.none(), st.integers(-5, 40)),  # converted_at, days after creation
        st.sampled_from(["none", "deal_lead_id", "lead_deal_id", "both", "missing"]),
        st.sampled_from(["Web", "Event", None]),
        st.sampled_from(["Aiko", "Ben", None]),
        st.sampled_from(["open", "won", "lost"]),
        st.integers(0, 40),  # deal created, days after the lead; closed 10 days later
    ),
    max_size=25,
)


def _store(directory: str, rows) -> object:
    leads, deals = [], []
    for i, (created, status, conv, link, source, owner, outcome, lag) in enumerate(rows):
        at = BASE + timedelta(days=created)
        deal_id = f"X{i}"
        leads.append({
            "lead_id": f"L{i}", "created_at": at, "source": source, "owner": owner,
            "status": status,
            "converted_at": at + timedelta(days=conv) if conv is not None else None,
            "deal_id": deal_id if link in ("lead_deal_id", "both", "missing") else None,
        })  # fmt: skip
        if link in ("deal_lead_id", "lead_deal_id", "both"):
            made = at + timedelta(days=lag)
            deals.append({
                "deal_id": deal_id, "pipeline": "Sales", "stage": "Lead", "status": outcome,
                "lead_id": f"L{i}" if link != "lead_deal_id" else None, "created_at": made,
                "closed_at": made + timedelta(days=10) if outcome != "open" else None,
            })  # fmt: skip
    return build_store(Path(directory) / "p.duckdb", pipelines=PIPELINE, deals=deals,
                       leads=leads)  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(rows=lead_rows, as_of_day=st.integers(0, 120))
def test_rates_are_shares_and_breakdowns_add_up(rows, as_of_day):
    with tempfile.TemporaryDirectory() as directory:
        con = _store(directory, rows)
        filters = Filters(as_of=BASE + timedelta(days=as_of_day))
        total = lead_conversion(con, filters).iloc[0]
        assert 0 <= total["won"] <= total["converted"] <= total["created"]
        for rate in ("conversion_rate", "lead_to_win_rate", "ci_low", "ci_high"):
            assert total[rate] is None or 0 <= total[rate] <= 1
        assert total["median_days_to_convert"] is None or total["median_days_to_convert"] >= 0
        for by in ("source", "owner"):
            parts = lead_conversion(con, filters, by=by)
            for column in ("created", "converted", "won"):
                assert parts[column].sum() == total[column]
        con.close()


@settings(max_examples=30, deadline=None)
@given(rows=lead_rows, as_of_day=st.integers(0, 120), later=st.integers(0, 60))
def test_narrowing_never_adds_leads_and_a_later_as_of_never_removes_them(rows, as_of_day, later):
    with tempfile.TemporaryDirectory() as directory:
        con = _store(directory, rows)
        as_of = BASE + timedelta(days=as_of_day)
        counts = ["created", "converted", "won"]
        wide = lead_conversion(con, Filters(as_of=as_of)).iloc[0][counts]
        narrow = lead_conversion(con, Filters.build(as_of=as_of, where={"owner": ["Ben"]}))
        assert (narrow.iloc[0][counts] <= wide).all()
        after = lead_conversion(con, Filters(as_of=as_of + timedelta(days=later))).iloc[0][counts]
        assert (after >= wide).all()
        con.close()
