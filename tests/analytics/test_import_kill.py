"""A command-line import killed with SIGKILL leaves the database exactly as it was.

A large deals export (it moves two of the deals already stored on and adds 400,000 more)
is imported by `python -m analytics import` in a subprocess, which is killed at chosen
moments of the import: while the file is being checked, as the write transaction starts,
halfway through the write, and while the commit is being written (the `.wal` file exists).
The phases are read from the progress bar the command draws on stderr for large files; one
uninterrupted import, run first, gives the timings and the state a finished import leaves.
After each kill the database must open without error and hold exactly what it held before;
a kill during the commit may also leave the complete import, but nothing in between.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from analytics import cli, store
from analytics.importer import import_files

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROWS = 400_000  # a 30 MB export: a few seconds to import, over a second of it writing
STAGES = ["Prospecting", "Preparation", "Approach", "Presentation", "Handling objections",
          "Closing", "Won", "Lost"]  # fmt: skip
PHASES = {b"reading ": "reading", b"checking ": "checking", b"writing": "writing", b"done": "done"}

BASE_DEALS = (
    "deal_id,name,stage,amount,owner,created_at,expected_close_date\n"
    "D-1,Acme renewal,Prospecting,12500,Alice,2024-01-05,2024-03-31\n"
    "D-2,Globex expansion,Approach,8000,Bob,2024-01-10,2024-04-15\n"
    "D-3,Initech pilot,Won,3000,Alice,2024-01-12,2024-02-01\n"
)


def write_big_export(path: Path) -> None:
    """Write a valid deals export: D-1 and D-2 moved on, and ROWS new deals."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["deal_id", "name", "stage", "amount", "owner", "created_at", "expected_close_date"]
        )
        out.writerow(["D-1", "Acme renewal", "Closing", 14000, "Alice", "2024-01-05", "2024-04-30"])
        out.writerow(["D-2", "Globex expansion", "Lost", 8000, "Bob", "2024-01-10", "2024-04-15"])
        for i in range(ROWS):
            out.writerow(
                [
                    f"B-{i:06d}",
                    f"Bulk deal {i} for a customer with a fairly long company name, Inc.",
                    STAGES[i % len(STAGES)],
                    (i * 37) % 100_000,
                    f"Rep {i % 40}",
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                ]
            )


@dataclass
class Run:
    """What one run of the import did: when each phase began, and how it ended."""

    phases: dict[str, float] = field(default_factory=dict)
    wal_at: float | None = None
    killed_at: float | None = None
    wal_when_killed: bool = False
    exit_code: int | None = None
    stderr: bytes = b""

    def seen(self, phase: str) -> bool:
        return phase in self.phases


def run_import(db: Path, export: Path, kill_when: Callable[[Run, float], bool] | None) -> Run:
    """Run the import in a subprocess; SIGKILL it as soon as kill_when(run, elapsed) is true."""
    wal = db.with_name(db.name + ".wal")
    run = Run()
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "analytics", "import", str(export), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def read_stderr() -> None:
        fd = proc.stderr.fileno()
        while chunk := os.read(fd, 65536):
            now = time.monotonic() - start
            run.stderr += chunk
            for marker, phase in PHASES.items():
                if marker in chunk and phase not in run.phases:
                    run.phases[phase] = now

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        while proc.poll() is None:
            elapsed = time.monotonic() - start
            if run.wal_at is None and wal.exists():
                run.wal_at = elapsed
            if kill_when is not None and kill_when(run, elapsed):
                run.wal_when_killed = wal.exists()
                proc.send_signal(signal.SIGKILL)
                run.killed_at = elapsed
                break
            time.sleep(0.001)
        run.exit_code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    return run


def snapshot(db: Path, mask_import_times: bool = False) -> dict[str, list[tuple]]:
    """Return every row of every table (imports.imported_at blanked when asked: it is now())."""
    con = store.connect(db)
    try:
        tables = store.table_snapshot(con)
    finally:
        con.close()
    if mask_import_times:
        tables["imports"] = sorted(((r[0], None, *r[2:]) for r in tables["imports"]), key=repr)
    return tables


@dataclass
class Calibration:
    template: Path
    export: Path
    before: dict[str, list[tuple]]
    after: dict[str, list[tuple]]
    run: Run

    @property
    def write_window(self) -> float:
        """Seconds from the start of the write phase to the commit (the .wal appearing)."""
        end = self.run.wal_at or self.run.phases["done"]
        return end - self.run.phases["writing"]


@pytest.fixture(scope="module")
def calibration(tmp_path_factory) -> Calibration:
    """Build the seeded database and the big export; import it once, uninterrupted."""
    folder = tmp_path_factory.mktemp("kill")
    base = folder / "base_deals.csv"
    base.write_text(BASE_DEALS, encoding="utf-8")
    template = folder / "template.duckdb"
    con = store.connect(template)
    try:
        assert import_files(con, [base]).written
    finally:
        con.close()
    export = folder / "big_deals_2024-06-01.csv"
    write_big_export(export)
    assert export.stat().st_size > cli.PROGRESS_MIN_BYTES, "the progress bar shows the phases"

    db = folder / "calibration.duckdb"
    shutil.copy(template, db)
    run = run_import(db, export, kill_when=None)
    assert run.exit_code == 0, run.stderr.decode(errors="replace")[-2000:]
    assert {"checking", "writing", "done"} <= set(run.phases), run.phases
    after = snapshot(db, mask_import_times=True)
    assert len(after["deals"]) == ROWS + 3
    return Calibration(template, export, snapshot(template), after, run)


def _checking(cal: Calibration, attempt: int) -> Callable[[Run, float], bool]:
    checking = cal.run.phases["checking"]
    when = checking + 0.5 * (cal.run.phases["writing"] - checking)
    return lambda run, elapsed: run.seen("checking") and elapsed >= when


def _write_start(cal: Calibration, attempt: int) -> Callable[[Run, float], bool]:
    return lambda run, elapsed: run.seen("writing")


def _mid_write(cal: Calibration, attempt: int) -> Callable[[Run, float], bool]:
    delay = cal.write_window * 0.5 / 2**attempt
    return lambda run, elapsed: run.seen("writing") and elapsed - run.phases["writing"] >= delay


def _committing(cal: Calibration, attempt: int) -> Callable[[Run, float], bool]:
    return lambda run, elapsed: run.wal_at is not None


MOMENTS = {
    "while-checking": (_checking, False),
    "write-transaction-begins": (_write_start, False),
    "halfway-through-the-write": (_mid_write, False),
    "while-committing": (_committing, True),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_killed_import_leaves_the_database_as_it_was(moment, calibration, tmp_path):
    condition, during_commit = MOMENTS[moment]
    if during_commit and calibration.run.wal_at is None:
        pytest.skip("the uninterrupted import never showed a .wal file to kill it on")
    for attempt in range(3):
        db = tmp_path / f"attempt{attempt}.duckdb"
        shutil.copy(calibration.template, db)
        run = run_import(db, calibration.export, condition(calibration, attempt))
        # The moment was missed when the import ended first, or when a kill meant to land
        # before the commit came after it began: try again (earlier, for the mid-write one).
        missed = run.killed_at is None or (
            not during_commit and (run.seen("done") or run.wal_when_killed)
        )
        if not missed:
            break
    else:
        pytest.fail(
            f"could not kill the import {moment} in 3 attempts; last run: exit "
            f"{run.exit_code}, killed at {run.killed_at}, phases {run.phases}"
        )
    assert run.exit_code == -signal.SIGKILL

    after_kill = snapshot(db)  # reopening replays or discards the .wal; it must not fail

    if during_commit and after_kill != calibration.before:
        masked = snapshot(db, mask_import_times=True)
        assert masked == calibration.after, (
            "killed during the commit, the database holds neither the state before the import "
            "nor the complete import"
        )
    else:
        changed = sorted(t for t in after_kill if after_kill[t] != calibration.before.get(t))
        assert after_kill == calibration.before, (
            f"killed {moment} (at {run.killed_at:.2f} s, phases {run.phases}), the database "
            f"changed in tables {changed}"
        )
