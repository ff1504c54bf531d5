"""`python -m analytics pack`: the meeting pack from the command line, in a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.analytics.builders import build_store, day, pipeline_rows

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", "pack", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_pack_writes_one_offline_html_file(tmp_path):
    db = tmp_path / "t.duckdb"
    # An open deal whose expected close date (2 Mar) passes inside the window: slipped, so the
    # pack lists it by name, which must stay text.
    build_store(
        db,
        pipelines=pipeline_rows("P", ["S1", "S2"], [0.2, 0.6]),
        deals=[{"deal_id": "D1", "name": "<script>alert(1)</script>", "pipeline": "P",
                "stage": "S1", "status": "open", "amount": 500.0, "currency": "USD",
                "owner": "Aiko", "created_at": day("2025-02-03"),
                "expected_close_date": date(2025, 3, 2)}],
        events=[("D1", "S1", day("2025-02-03"))],
    ).close()  # fmt: skip
    out = tmp_path / "pack.html"

    done = run("--db", str(db), "--from", "2025-03-01", "--to", "2025-03-07", "--out", str(out))

    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_pack_refuses_a_window_that_ends_before_it_starts(tmp_path):
    db = tmp_path / "t.duckdb"
    build_store(db).close()

    done = run("--db", str(db), "--from", "2025-03-07", "--to", "2025-03-01", "--out", "x.html")

    assert done.returncode == 2
    assert not (ROOT / "x.html").exists()


def test_pack_is_listed_in_the_help():
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert "pack" in done.stdout
