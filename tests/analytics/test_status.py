"""Store status and data-quality counts on a hand-made database whose every row is explained."""

from datetime import date

import pytest

from analytics import derived, store
from analytics.quality import data_as_of, quality_counts
from analytics.status import history_fidelity, store_status

PIPELINE = [
    ("Default", "Prospecting", 1, 0.1, 14),
    ("Default", "Proposal", 2, 0.5, 14),
    ("Default", "Closing", 3, 0.8, None),
]

# deal_id, stage, status, amount, owner, organization_id, created_at, expected_close, closed_at
DEALS = [
    # open, on time, owner and org known
    ("D1", "Proposal", "open", 100.0, "Aiko", "O1", "2024-01-01", "2024-03-01", None),
    # open and overdue (expected close before the as-of date 2024-02-15), no amount
    ("D2", "Prospecting", "open", None, "Ben", "O1", "2024-01-05", "2024-02-01", None),
    # open without an expected close date, no owner, organization not loaded
    ("D3", "Closing", "open", 50.0, None, "O9", "2024-01-10", None, None),
    # won, closed before it was created (migrated data)
    ("D4", "Won", "won", 300.0, "Aiko", None, "2024-01-20", "2024-01-10", "2024-01-10"),
    # lost without a close date
    ("D5", "Lost", "lost", 80.0, "Ben", None, "2024-01-02", None, None),
    # open in a stage its pipeline does not have
    ("D6", "Demo", "open", 10.0, "Ben", None, "2024-01-03", "2024-06-01", None),
]

# deal_id, stage, entered_at, source
EVENTS = [
    # D1: Prospecting -> Closing (skips Proposal) -> Proposal (moves back)
    ("D1", "Prospecting", "2024-01-01", "history"),
    ("D1", "Closing", "2024-01-10", "history"),
    ("D1", "Proposal", "2024-01-20", "history"),
    # D2: one event, seen through a snapshot
    ("D2", "Prospecting", "2024-01-05", "snapshot"),
    # D4: derived from its dates
    ("D4", "Prospecting", "2024-01-20", "derived"),
    ("D4", "Won", "2024-01-20", "derived"),
    # D5: history plus a later snapshot: history wins
    ("D5", "Prospecting", "2024-01-02", "history"),
    ("D5", "Lost", "2024-02-10", "snapshot"),
    # an event of a deal that is not loaded
    ("D99", "Prospecting", "2024-01-02", "history"),
]


@pytest.fixture
def con(tmp_path):
    c = store.connect(tmp_path / "status.duckdb")
    c.executemany("INSERT INTO pipelines_stages VALUES (?, ?, ?, ?, ?)", PIPELINE)
    for row in DEALS:
        c.execute(
            "INSERT INTO deals (deal_id, pipeline, stage, status, amount, owner, organization_id, "
            "created_at, expected_close_date, closed_at) VALUES (?, 'Default', ?, ?, ?, ?, ?, ?, ?, ?)",
            list(row),
        )
    c.executemany("INSERT INTO stage_events VALUES (?, ?, ?, ?)", EVENTS)
    c.execute("INSERT INTO organizations (organization_id, name) VALUES ('O1', 'Acme')")
    c.execute(
        "INSERT INTO activities (activity_id, type, deal_id, completed_at) VALUES "
        "('A1', 'call', 'D1', '2024-02-15 10:00'), ('A2', 'email', 'D77', NULL)"
    )
    c.execute(
        "INSERT INTO leads (lead_id, created_at, status, deal_id) VALUES "
        "('L1', '2023-12-01', 'converted', 'D1'), ('L2', '2023-12-02', 'converted', 'D55')"
    )
    # Rows written by hand, not through the importer: rebuild what every write rebuilds.
    derived.refresh(c)
    yield c
    c.close()


def test_as_of_is_the_last_date_in_old_data(con):
    assert data_as_of(con, today=date(2026, 1, 1)) == date(2024, 2, 15)
    assert data_as_of(con, today=date(2024, 2, 1)) == date(2024, 2, 1)


def test_quality_counts_to_the_record(con):
    counts = {q.key: q.count for q in quality_counts(con, as_of=date(2024, 2, 15))}
    assert counts == {
        "overdue_open": 1,  # D2
        "missing_amount": 1,  # D2
        "open_without_close_date": 1,  # D3
        "closed_without_date": 1,  # D5
        "closed_before_created": 1,  # D4
        "missing_owner": 1,  # D3
        "skipped_stages": 1,  # D1 Prospecting -> Closing
        "backward_moves": 1,  # D1 Closing -> Proposal
        "unknown_stage": 1,  # D6 in "Demo"
        "events_without_deal": 1,  # D99
        "deals_without_organization": 1,  # D3 -> O9
        "activities_without_deal": 1,  # A2 -> D77
        "leads_without_deal": 1,  # L2 -> D55
    }


def test_history_fidelity_takes_each_deals_best_source(con):
    assert history_fidelity(con) == {
        "history": 2,  # D1, D5
        "snapshot": 1,  # D2
        "derived": 1,  # D4
        "none": 2,  # D3, D6
    }


def test_store_status(con):
    status = store_status(con)
    assert status.rows("deals") == 6
    assert status.rows("stage_events") == 9
    assert status.deal_dates == (date(2024, 1, 1), date(2024, 1, 20))
    assert status.pipelines == {"Default": ("Prospecting", "Proposal", "Closing")}
    assert status.fidelity_summary == (
        "mixed: full stage history from the CRM for 33% of deals, "
        "built from successive exports (snapshots) for 17% of deals, "
        "derived from created and closed dates only for 17% of deals, "
        "no stage events for 33% of deals"
    )


def test_empty_store_status(tmp_path):
    c = store.connect(tmp_path / "empty.duckdb")
    status = store_status(c)
    assert status.fidelity_summary == "no deals loaded"
    assert all(t.rows == 0 for t in status.tables)
    assert all(q.count == 0 for q in status.quality)


def test_stage_moves_are_those_between_open_stages(tmp_path):
    c = store.connect(tmp_path / "moves.duckdb")
    c.executemany("INSERT INTO pipelines_stages VALUES (?, ?, ?, ?, ?)", PIPELINE)
    c.execute(
        "INSERT INTO deals (deal_id, pipeline, stage, status, created_at) VALUES "
        "('R1', 'Default', 'Closing', 'open', '2024-01-01'), "
        "('R2', 'Default', 'Proposal', 'open', '2024-01-01')"
    )
    c.executemany(
        "INSERT INTO stage_events VALUES (?, ?, ?, 'history')",
        [
            # R1 is lost, then reopened straight at Closing: a reopening, not a skipped stage.
            ("R1", "Prospecting", "2024-01-01"),
            ("R1", "Lost", "2024-01-05"),
            ("R1", "Closing", "2024-01-09"),
            # R2: two rows in Proposal (a Salesforce amount change) are no move at all, then it
            # goes back to Prospecting and on to Closing, skipping Proposal.
            ("R2", "Prospecting", "2024-01-01"),
            ("R2", "Proposal", "2024-01-02"),
            ("R2", "Proposal", "2024-01-03"),
            ("R2", "Prospecting", "2024-01-04"),
            ("R2", "Closing", "2024-01-05"),
        ],
    )
    derived.refresh(c)
    counts = {q.key: q.count for q in quality_counts(c, as_of=date(2024, 2, 1))}
    c.close()
    assert (counts["skipped_stages"], counts["backward_moves"]) == (1, 1)
