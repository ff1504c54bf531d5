"""`python -m analytics metrics`: the JSON interface, worked out by hand on three deals.

Pipeline "Sales": Lead (probability 0.2), Demo (0.5). As of 2025-01-31, all time.

| deal | status | owner | amount | events (09:00 each)                   | lead |
|------|--------|-------|--------|---------------------------------------|------|
| W1   | won    | Aiko  | 100    | Lead 01-06, Demo 01-08, Won 01-16      | L-1  |
| L1   | lost   | Ben   |  50    | Lead 01-10, Lost 01-20                 |      |
| O1   | open   | Aiko  | 200    | Lead 01-12, Demo 01-14                 |      |

Leads: L-1 created 01-02, converted 01-06 (W1); L-2 created 01-03, never converted.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date

import pytest

from analytics import cli
from analytics.filters import Filters
from analytics.headline import headline
from tests.analytics.builders import build_store, day, pipeline_rows


def deal(deal_id, status, owner, amount, created, closed=None, lead=None):
    stage = {"won": "Won", "lost": "Lost"}.get(status, "Demo")
    return {"deal_id": deal_id, "pipeline": "Sales", "stage": stage, "status": status,
            "owner": owner, "amount": amount, "currency": "USD", "created_at": day(created),
            "closed_at": day(closed) if closed else None, "lead_id": lead}  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli_metrics") / "store.duckdb"
    con = build_store(
        path,
        pipelines=pipeline_rows("Sales", ["Lead", "Demo"], [0.2, 0.5]),
        deals=[
            deal("W1", "won", "Aiko", 100, "2025-01-06 09:00", "2025-01-16 09:00", "L-1"),
            deal("L1", "lost", "Ben", 50, "2025-01-10 09:00", "2025-01-20 09:00"),
            deal("O1", "open", "Aiko", 200, "2025-01-12 09:00"),
        ],
        events=[
            ("W1", "Lead", day("2025-01-06 09:00")), ("W1", "Demo", day("2025-01-08 09:00")),
            ("W1", "Won", day("2025-01-16 09:00")),
            ("L1", "Lead", day("2025-01-10 09:00")), ("L1", "Lost", day("2025-01-20 09:00")),
            ("O1", "Lead", day("2025-01-12 09:00")), ("O1", "Demo", day("2025-01-14 09:00")),
        ],
        leads=[
            {"lead_id": "L-1", "created_at": day("2025-01-02 10:00"), "status": "converted",
             "converted_at": day("2025-01-06 09:00"), "deal_id": "W1"},
            {"lead_id": "L-2", "created_at": day("2025-01-03 10:00"), "status": "working"},
        ],
    )  # fmt: skip
    con.close()
    return path


def run(db, *args):
    return subprocess.run(
        [sys.executable, "-m", "analytics", "metrics", "--db", str(db), "--as-of", "2025-01-31",
         *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_json_holds_every_headline_figure_worked_out_by_hand(db):
    out = run(db)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["as_of"] == "2025-01-31"
    assert got["period"] == {"from": None, "to": None}
    assert got["deals"] == {"total": 3, "open": 1, "won": 1, "lost": 1}
    rate = got["win_rate"]
    assert (rate["won"], rate["lost"], rate["rate"], rate["small_sample"]) == (1, 1, 0.5, True)
    # Wilson 95% interval of 1/2 (published): 0.0945 to 0.9055.
    assert rate["ci_low"] == pytest.approx(0.0945, abs=1e-4)
    assert rate["ci_high"] == pytest.approx(0.9055, abs=1e-4)
    assert rate["value_rate"] == pytest.approx(100 / 150)
    assert got["won_amount"] == 100
    ten = {"n": 1, "median": 10.0, "mean": 10.0, "p25": 10.0, "p75": 10.0, "p90": 10.0}
    assert got["cycle_days"] == {"won": ten, "lost": ten}
    # Reached: all three entered Lead; W1 (won) and O1 reached Demo; W1 won.
    assert got["funnel"] == [
        {"stage": "Lead", "position": 1, "reached": 3, "conversion": None, "cumulative": 1.0},
        {"stage": "Demo", "position": 2, "reached": 2, "conversion": pytest.approx(2 / 3),
         "cumulative": pytest.approx(2 / 3)},
        {"stage": "Won", "position": 3, "reached": 1, "conversion": 0.5,
         "cumulative": pytest.approx(1 / 3)},
    ]  # fmt: skip
    lead, demo = got["time_in_stage"]
    # Lead visits 2, 10 and 2 days: median 2, mean 14/3; p75 = 2 + 0.5 × 8, p90 = 2 + 0.8 × 8.
    assert lead == {"stage": "Lead", "completed_visits": 3, "median_days": 2.0,
                    "mean_days": pytest.approx(14 / 3), "p75_days": 6.0,
                    "p90_days": pytest.approx(8.4), "km_median_days": 2.0, "open_now": 0}  # fmt: skip
    # Demo: W1 stayed 8 days; O1 is still there (censored at the as-of date's end, 17.625
    # days). Kaplan–Meier: at 8 days 1 of 2 at risk leave, S = 0.5, so the median is 8.
    assert demo == {"stage": "Demo", "completed_visits": 1, "median_days": 8.0,
                    "mean_days": 8.0, "p75_days": 8.0, "p90_days": 8.0, "km_median_days": 8.0,
                    "open_now": 1}  # fmt: skip
    # Velocity: 1 open deal × 0.5 win rate × 100 average won ÷ 10 days median cycle.
    assert got["pipeline"] == {"open_count": 1, "open_amount": 200.0, "weighted_amount": 100.0,
                               "velocity_per_day": 5.0}  # fmt: skip
    leads = {k: got["leads"][k] for k in ("created", "converted", "conversion_rate",
                                           "median_days_to_convert")}  # fmt: skip
    assert leads == {"created": 2, "converted": 1, "conversion_rate": 0.5,
                     "median_days_to_convert": 4.0}  # fmt: skip
    assert "groups" not in got


def test_json_equals_the_headline_function(db):
    from analytics import store

    con = store.connect(db)
    expected = headline(con, Filters(as_of=date(2025, 1, 31)), by="owner")
    con.close()
    got = json.loads(run(db, "--by", "owner").stdout)
    assert got == json.loads(json.dumps(expected))


def test_groups_split_the_totals(db):
    got = json.loads(run(db, "--by", "owner").stdout)
    groups = {g["key"]: g for g in got["groups"]}
    assert set(groups) == {"Aiko", "Ben"}
    assert groups["Aiko"]["deals"] == {"total": 2, "open": 1, "won": 1, "lost": 0}
    assert groups["Ben"]["deals"] == {"total": 1, "open": 0, "won": 0, "lost": 1}
    for key in ("total", "open", "won", "lost"):
        assert sum(g["deals"][key] for g in got["groups"]) == got["deals"][key]


def test_where_and_period_narrow_the_deals(db):
    got = json.loads(run(db, "--where", "owner=Ben").stdout)
    assert got["deals"] == {"total": 1, "open": 0, "won": 0, "lost": 1}
    got = json.loads(run(db, "--from", "2025-01-11", "--to", "2025-01-31").stdout)
    assert got["period"] == {"from": "2025-01-11", "to": "2025-01-31"}
    assert got["deals"]["total"] == 1  # only O1 was created after 11 January
    assert (got["win_rate"]["won"], got["win_rate"]["lost"]) == (1, 1)  # both closed after it


def test_csv_has_one_row_for_the_total_and_one_per_group(db):
    out = run(db, "--by", "owner", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["key"] for r in rows] == ["(all)", "Aiko", "Ben"]
    assert rows[0]["deals.total"] == "3"
    assert rows[0]["win_rate.rate"] == "0.5"
    assert rows[0]["pipeline.open_amount"] == "200.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--where", "owner"], "--where expects COLUMN=VALUE"),
        (["--where", "nope=1"], "Deals have no column 'nope'"),
        (["--by", "amount"], "Deals have no column 'amount'"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], "ends (2025-01-01) before it starts"),
        (["--from", "01/02/2025"], "not a date (YYYY-MM-DD)"),
    ],
)
def test_bad_arguments_are_usage_errors(db, args, message):
    out = run(db, *args)
    assert out.returncode == cli.EXIT_USAGE
    assert message in out.stderr
