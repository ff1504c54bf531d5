"""Metrics benchmark: each page's metrics on 10k, 100k and 1M deals, beside a plain-pandas route.

    python benchmarks/metrics_benchmark.py --sizes 10000,100000,1000000

For each size, a store holding the scaled sample (deals, stage history, activities, leads,
targets) is built once under benchmarks/output/ and reused. Then, each in a fresh process so
that peak memory is measured separately:

- sql:    every page's metrics through the analytics package (the store opened from disk);
- pandas: the raw tables read into pandas first (not timed, as if already in memory), then
          the headline figures (win rate, sales cycle, funnel and time in stage per pipeline,
          open pipeline, velocity, lead conversion) computed with vectorised pandas
          (benchmarks/pandas_metrics.py);
- oracle: the same figures from the test suite's plain-pandas oracle (tests/oracle.py), written
          for clarity rather than speed (too slow for 1M deals); only with --routes oracle.

Prints seconds per page (the best of --repeat runs), the headline figures' time beside each
pandas route computing the same figures, and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(path: Path, deals: int) -> None:
    from analytics import store
    from analytics.sample import load_sample

    con = store.connect(path)
    load_sample(con, deals=deals)
    con.close()


def _store(workdir: Path, deals: int) -> Path:
    """Return the store of the deals-sized sample, building it first when it is missing.

    It is built in its own process: Linux keeps a process's peak memory across exec, so a
    build in this process would show up in every child's figure.
    """
    path = workdir / f"metrics_{deals}.duckdb"
    marker = path.with_suffix(".complete")
    if not marker.exists():
        path.unlink(missing_ok=True)
        workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--build", str(deals), "--db", str(path)], check=True
        )
        marker.write_text("ok")
        print(
            f"built the {deals:,}-deal store in {time.perf_counter() - started:.0f} s", flush=True
        )
    return path


def _pages(con, filters):
    """Return {page: callable running that page's metrics} for the given filters."""
    from dataclasses import replace

    from analytics import (
        activity_metrics,
        cohorts,
        cycle,
        durations,
        forecast,
        funnel,
        goals,
        leads,
        pipeline_value,
        weekly,
        winrate,
    )
    from analytics.filters import pipelines_in_scope

    one = replace(filters, pipeline=pipelines_in_scope(con, filters)[-1])
    b = filters.as_of
    a = b - timedelta(days=7)
    return {
        "Overview": lambda: (
            winrate.win_rate(con, filters),
            winrate.cohort_win_rate(con, filters),
            cycle.sales_cycle(con, filters),
            pipeline_value.open_pipeline(con, filters),
            pipeline_value.velocity(con, filters),
            forecast.forecast(con, filters),
            leads.lead_conversion(con, filters),
            winrate.win_rate(con, filters, by="owner"),
        ),
        "Funnel": lambda: (
            funnel.funnel(con, one),
            funnel.funnel_modes(con, one),
            funnel.stage_accounting(con, one),
            funnel.transitions(con, one),
            durations.time_in_stage(con, one),
            cohorts.cohort_summary(con, filters),
        ),
        "Velocity": lambda: (
            durations.bottleneck(con, filters, stages=durations.time_in_stage(con, filters)),
            cycle.sales_cycle(con, filters),
            cycle.cycle_trend(con, filters),
            pipeline_value.velocity(con, filters),
            pipeline_value.calibration(con, filters),
        ),
        "Goals": lambda: (
            goals.goal_progress(con, filters),
            goals.leaderboard(con, filters),
            forecast.coverage(con, filters),
        ),
        "Activities": lambda: (
            activity_metrics.activity_volume(con, filters, by="type"),
            activity_metrics.activity_heatmap(con, filters),
            activity_metrics.activities_per_won_deal(con, filters),
            activity_metrics.time_to_first_activity(con, filters),
            activity_metrics.follow_up_coverage(con, filters),
        ),
        "Weekly": lambda: (
            weekly.movements(con, filters, a, b),
            weekly.slipped_deals(con, filters, a, b),
            weekly.stalled_deals(con, filters, b),
            weekly.waterfall(con, filters, a, b),
            weekly.slippage_scorecard(con, filters, a, b),
        ),
    }


def _filters(con):
    """Return the benchmark's filters: the last full quarter of the data, as of its last day."""
    from analytics.derived import data_through
    from analytics.filters import Filters

    as_of = data_through(con)
    this_quarter = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    end = this_quarter - timedelta(days=1)
    start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return Filters(start=start, end=end, as_of=as_of)


def _child_sql(db: Path, repeat: int) -> dict:
    from analytics import store

    con = store.connect(db, read_only=True)
    filters = _filters(con)
    from analytics.headline import headline

    times = {}
    runs = {**_pages(con, filters), "headline": lambda: headline(con, filters)}
    for page, run in runs.items():
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - started)
        times[page] = best
    return {"times": times, "peak_mb": _peak_mb()}


class _InMemory:
    """A connection whose table reads come from frames already in memory.

    The oracle reads whole tables with `SELECT ...`.df(); the first run fills the cache (not
    timed), so the timed runs measure pandas' work on data in memory, as the issue asks.
    """

    def __init__(self, con):
        self._con = con
        self._frames: dict[str, object] = {}

    def execute(self, sql, params=None):
        return _Result(self, sql, params)


class _Result:
    def __init__(self, owner: _InMemory, sql: str, params):
        self._owner, self._sql, self._params = owner, sql, params

    def _run(self):
        return self._owner._con.execute(self._sql, self._params or [])

    def df(self):
        frames = self._owner._frames
        if self._sql not in frames:
            frames[self._sql] = self._run().df()
        return frames[self._sql].copy(deep=False)

    def fetchone(self):
        return self._run().fetchone()

    def fetchall(self):
        return self._run().fetchall()


def _child_pandas(db: Path, repeat: int) -> dict:
    from analytics import store
    from benchmarks import pandas_metrics

    con = store.connect(db, read_only=True)
    filters = _filters(con)
    tables = pandas_metrics.load(con)
    con.close()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        pandas_metrics.headline(tables, filters)
        best = min(best, time.perf_counter() - started)
    return {"times": {"headline": best}, "peak_mb": _peak_mb()}


def _child_oracle(db: Path, repeat: int) -> dict:
    from analytics import store

    sys.path.insert(0, str(ROOT / "tests"))
    import oracle

    con = store.connect(db, read_only=True)
    filters = _filters(con)
    memory = _InMemory(con)
    oracle.headline(memory, filters)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        oracle.headline(memory, filters)
        best = min(best, time.perf_counter() - started)
    return {"times": {"headline": best}, "peak_mb": _peak_mb()}


CHILDREN = {"sql": _child_sql, "pandas": _child_pandas, "oracle": _child_oracle}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--routes", default="sql,pandas")
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "output")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        _build(args.db, args.build)
        return 0
    if args.child:
        print(json.dumps(CHILDREN[args.child](args.db, args.repeat)))
        return 0
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        db = _store(args.workdir, size)
        for route in args.routes.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--child", route, "--db", str(db),
                 "--repeat", str(args.repeat)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results[(size, route)] = json.loads(out.stdout.strip().splitlines()[-1])
            got = results[(size, route)]
            times = ", ".join(f"{k} {v:.3f}s" for k, v in got["times"].items())
            print(f"  {size:>9,} {route:<7} {times}; peak {got['peak_mb']:,.0f} MB", flush=True)
    _report(results)
    return 0


def _report(results: dict) -> None:
    sizes = sorted({s for s, _ in results})
    sql_runs = [r for (_, route), r in results.items() if route == "sql"]
    pages = list(sql_runs[0]["times"]) if sql_runs else []
    others = [r for r in CHILDREN if r != "sql" and any(route == r for _, route in results)]
    print()
    print(f"{'deals':>10}  " + "".join(f"{p:>11}" for p in pages) + f"{'peak MB':>9}"
          + "".join(f"{r:>9}{'MB':>8}{'x faster':>9}" for r in others))  # fmt: skip
    for size in sizes:
        sql = results.get((size, "sql"))
        line = f"{size:>10,}  "
        if sql:
            line += (
                "".join(f"{sql['times'][p]:>10.3f}s" for p in pages) + f"{sql['peak_mb']:>9,.0f}"
            )
        for route in others:
            got = results.get((size, route))
            if got and sql:
                ratio = got["times"]["headline"] / sql["times"]["headline"]
                line += f"{got['times']['headline']:>8.2f}s{got['peak_mb']:>8,.0f}{ratio:>8.1f}x"
        print(line)
    print("\nheadline: every figure of `python -m analytics metrics` (win rate, cycle, funnel and")
    print("time in stage per pipeline, open pipeline, velocity, leads). pandas: the same figures")
    print("in vectorised pandas on the tables already in memory (benchmarks/pandas_metrics.py);")
    print("oracle: the test suite's plain-pandas oracle. MB: the route's peak memory, the tables")
    print("read included. x faster: how many times faster the sql headline is (the route's time")
    print("/ the sql headline's time).")


if __name__ == "__main__":
    raise SystemExit(main())
