"""Pipelines declared by hand: the checks of an edited stage table, and its one-transaction save."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.pipeline_editing import (
    COLUMNS,
    StagesRejected,
    save_stages,
    stage_problems,
    stage_rows,
)
from tests.analytics.builders import build_store, day, pipeline_rows

NAN = math.nan


@pytest.fixture
def con(tmp_path):
    """Pipeline Sales (Lead, Demo, Offer); D1 open in Demo after Lead; D2 won from Lead."""
    con = build_store(
        tmp_path / "p.duckdb",
        pipelines=pipeline_rows("Sales", ["Lead", "Demo", "Offer"], [0.1, 0.4, 0.7], [7, 14, 30]),
        deals=[
            {
                "deal_id": "D1",
                "pipeline": "Sales",
                "stage": "Demo",
                "status": "open",
                "created_at": day("2025-01-02"),
            },
            {
                "deal_id": "D2",
                "pipeline": "Sales",
                "stage": "Won",
                "status": "won",
                "created_at": day("2025-01-03"),
                "closed_at": day("2025-01-20"),
            },
        ],  # fmt: skip
        events=[
            ("D1", "Lead", day("2025-01-02")),
            ("D1", "Demo", day("2025-01-10")),
            ("D2", "Lead", day("2025-01-03")),
            ("D2", "Won", day("2025-01-20")),
        ],
    )
    yield con
    con.close()


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


def stored(con) -> list[tuple]:
    return con.execute("SELECT * FROM pipelines_stages ORDER BY pipeline, position").fetchall()


def test_stage_rows_are_the_declared_stages_in_order(con):
    rows = stage_rows(con)

    assert list(rows.columns) == list(COLUMNS)
    assert [tuple(r) for r in rows.itertuples(index=False)] == [
        ("Sales", "Lead", 1, 0.1, 7),
        ("Sales", "Demo", 2, 0.4, 14),
        ("Sales", "Offer", 3, 0.7, 30),
    ]


def test_every_problem_of_an_edited_table_is_listed(con):
    edited = frame(
        [
            ("Sales", "Lead", 1, 0.1, 7),
            ("Sales", "Demo", 1, 1.5, -2),  # same position as Lead; probability and days wrong
            ("Sales", "lead", 3, NAN, NAN),  # Lead again, in another case
            ("Sales", "Closed Won", 4, NAN, NAN),
            (NAN, "Orphan", 5, NAN, NAN),
            (NAN, NAN, NAN, NAN, NAN),  # an empty row the editor added: ignored
            ("Renewals", "Check", 0.5, NAN, 3.5),
        ]
    )

    assert stage_problems(con, edited) == [
        'row 2 ("Demo" of "Sales"): the probability is a share from 0 to 1',
        'row 2 ("Demo" of "Sales"): rotting days are a whole number from 0',
        'row 4 ("Closed Won" of "Sales"): Won and Lost are outcomes, not open stages; every '
        "pipeline has them",
        "row 5: a stage needs both a pipeline and a stage name",
        'row 7 ("Check" of "Renewals"): the position is a whole number from 1',
        'row 7 ("Check" of "Renewals"): rotting days are a whole number from 0',
        'pipeline "Sales": "Lead" and "Demo" have the same position 1',
        'pipeline "Sales": the stage "lead" is listed twice',
    ]


def test_stages_in_use_cannot_be_removed(con):
    # Demo holds D1 and is named by one history row; Lead by two (D1, D2); Offer by nothing.
    edited = frame([("Sales", "Offer", 1, 0.7, 30)])

    assert stage_problems(con, edited) == [
        'pipeline "Sales": the stage "Demo" cannot be removed or renamed, 1 open deal is in '
        "it and 1 history row names it (rename it in the CRM's export and import that instead)",
        'pipeline "Sales": the stage "Lead" cannot be removed or renamed, 0 open deals are in '
        "it and 2 history rows name it (rename it in the CRM's export and import that instead)",
    ]


def test_save_replaces_every_pipeline_and_rebuilds_the_visits(con):
    edited = frame(
        [
            ("Sales", "Offer", 30, 0.75, NAN),
            ("Sales", "Demo", 20, 0.5, 10),
            ("Sales", "Lead", 10, NAN, 5),
            ("Sales", "Qualified", NAN, 0.2, NAN),  # no position: after the others
            (" Renewals ", "Check", NAN, NAN, NAN),
        ]
    ).astype({"rotting_days": "Int64"})  # as the editor gives an integer column with gaps

    assert save_stages(con, edited) == 5

    assert stored(con) == [
        ("Renewals", "Check", 1, None, None),
        ("Sales", "Lead", 1, None, 5),
        ("Sales", "Demo", 2, 0.5, 10),
        ("Sales", "Offer", 3, 0.75, None),
        ("Sales", "Qualified", 4, 0.2, None),
    ]
    visits = con.execute(
        "SELECT stage, position FROM stage_visits WHERE deal_id = 'D1' ORDER BY visit_no"
    ).fetchall()
    assert visits == [("Lead", 1), ("Demo", 2)]


def test_save_moves_a_stage_and_the_visits_follow(con):
    edited = frame(
        [
            ("Sales", "Demo", 1, 0.4, 14),
            ("Sales", "Lead", 2, 0.1, 7),
            ("Sales", "Offer", 3, 0.7, 30),
        ]
    )

    save_stages(con, edited)

    visits = con.execute(
        "SELECT stage, position FROM stage_visits WHERE deal_id = 'D1' ORDER BY visit_no"
    ).fetchall()
    assert visits == [("Lead", 2), ("Demo", 1)]


def test_a_refused_save_writes_nothing(con):
    before = stored(con)
    visits = con.execute("SELECT * FROM stage_visits ORDER BY ALL").fetchall()

    with pytest.raises(StagesRejected) as refused:
        save_stages(con, frame([("Sales", "Lead", 1, 2.0, NAN)]))

    assert refused.value.problems == [
        'row 1 ("Lead" of "Sales"): the probability is a share from 0 to 1',
        'pipeline "Sales": the stage "Demo" cannot be removed or renamed, 1 open deal is in '
        "it and 1 history row names it (rename it in the CRM's export and import that instead)",
    ]
    assert str(refused.value) == "2 problems found; nothing was saved"
    assert stored(con) == before
    assert con.execute("SELECT * FROM stage_visits ORDER BY ALL").fetchall() == visits
