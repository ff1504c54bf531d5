"""Row counts and date ranges of the stored tables: the same as the full status gives."""

from __future__ import annotations

from datetime import date

from analytics.status import TABLES, store_status, table_sizes
from tests.analytics.builders import build_store, day, pipeline_rows


def test_sizes_are_the_status_tables_without_the_checks(tmp_path):
    con = build_store(
        tmp_path / "s.duckdb",
        pipelines=pipeline_rows("Sales", ["Lead", "Offer"]),
        deals=[
            {
                "deal_id": "D1",
                "pipeline": "Sales",
                "stage": "Offer",
                "status": "open",
                "created_at": day("2025-01-02 09:30"),
            },
            {
                "deal_id": "D2",
                "pipeline": "Sales",
                "stage": "Lead",
                "status": "open",
                "created_at": day("2025-02-10"),
            },
        ],  # fmt: skip
        events=[("D1", "Lead", day("2025-01-02 09:30")), ("D1", "Offer", day("2025-01-20"))],
    )
    try:
        sizes = {t.name: t for t in table_sizes(con)}

        assert list(sizes) == list(TABLES)
        assert (sizes["deals"].rows, sizes["deals"].first, sizes["deals"].last) == (
            2, date(2025, 1, 2), date(2025, 2, 10),
        )  # fmt: skip
        assert (sizes["stage_events"].rows, sizes["stage_events"].last) == (2, date(2025, 1, 20))
        assert (sizes["pipelines_stages"].rows, sizes["pipelines_stages"].first) == (2, None)
        assert (sizes["leads"].rows, sizes["leads"].first, sizes["leads"].last) == (0, None, None)
        assert table_sizes(con) == store_status(con).tables
    finally:
        con.close()
