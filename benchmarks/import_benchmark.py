"""Import benchmark: our importer against a bare DuckDB load and a plain pandas load.

    python benchmarks/import_benchmark.py --deals 1000000 [--repeat 3]

Generates the scaled sample (cached under benchmarks/output/), then loads the same files three
ways, each in its own process so peak memory is measured separately:

- importer: analytics.importer.import_files (sniff, map, validate, one transaction);
- duckdb:   CREATE TABLE ... AS SELECT * FROM read_csv(file) per file, the floor;
- pandas:   pandas.read_csv(file) then CREATE TABLE ... AS SELECT * FROM the frame;
- pandas_dates: the same with the date columns parsed (parse_dates with each column's format),
            so that the tables hold what the other two routes load: timestamps, not strings.

--day-first loads copies of the files with every date written day-first (25/03/2024 14:30:00),
as Excel saves them in much of Europe: the importer then parses dates itself instead of
having DuckDB's reader type them.

Prints rows per second, seconds, CPU seconds (every thread's), peak memory and each route's time
relative to the floor. On a shared machine wall time depends on what else runs; CPU time counts
the work done, so its ratio is the steadier one. With --repeat the routes run in turn that many
times; the table shows each route's median, and each round's ratio to the floor follows.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORDER = ("pipelines", "organizations", "contacts", "leads", "deals", "deal_history",
         "activities", "targets")  # fmt: skip


def _files(workdir: Path, deals: int) -> list[Path]:
    from analytics.sample import generate

    target = workdir / f"sample_{deals}"
    marker = target / ".complete"
    if not marker.exists():
        target.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(target, deals=deals)
        marker.write_text("ok")
        print(f"generated {deals:,} deals in {time.perf_counter() - started:.1f} s", flush=True)
    return [target / f"{name}.csv" for name in ORDER]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """Return the CPU time this process has used so far, every thread's (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _route_importer(files: list[Path], db: Path) -> int:
    from analytics import store
    from analytics.importer import import_files

    con = store.connect(db)
    import_files(con, files)
    rows = sum(
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("deals", "stage_events", "activities", "leads", "organizations", "contacts",
                  "targets", "pipelines_stages")
    )  # fmt: skip
    con.close()
    return rows


def _route_duckdb(files: list[Path], db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db))
    rows = 0
    for i, f in enumerate(files):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?)", [str(f)])
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.close()
    return rows


def _date_columns(path: Path) -> list[str]:
    """Return the sample file's date columns (Created At, Expected Close Date, Period Start...)."""
    header = path.open(encoding="utf-8").readline().strip().split(",")
    return [h for h in header if h.endswith((" At", " Date", "Period Start", "Period End"))]


def _date_formats(path: Path) -> dict[str, str]:
    """Return the pandas format of each date column, from its first filled cell."""
    columns = _date_columns(path)
    first: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for row, _ in zip(csv.DictReader(f), range(1000), strict=False):
            first.update({c: row[c] for c in columns if row[c] and c not in first})
            if len(first) == len(columns):
                break
    return {
        column: "ISO8601" if value[:4].isdigit() else _DAY_FIRST[" " in value]
        for column, value in first.items()
    }


# strftime/strptime forms of the --day-first files: dates, and timestamps (True).
_DAY_FIRST = {False: "%d/%m/%Y", True: "%d/%m/%Y %H:%M:%S"}


def _day_first_files(files: list[Path], target: Path) -> list[Path]:
    """Return copies of files with every date written day-first, made once under target."""
    import duckdb

    marker = target / ".complete"
    out = [target / f.name for f in files]
    if marker.exists():
        return out
    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for source, copy in zip(files, out, strict=True):
        types = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE FROM read_csv(?))",
                        [str(source)]).fetchall()
        )  # fmt: skip
        changed = [
            f'strftime("{c}", \'{_DAY_FIRST[types[c] != "DATE"]}\') AS "{c}"'
            for c in _date_columns(source)
            if types[c] in ("DATE", "TIMESTAMP")
        ]
        select = f"* REPLACE ({', '.join(changed)})" if changed else "*"
        # The paths and column names come from the generated sample, not from a user.
        con.execute(
            f"COPY (SELECT {select} FROM read_csv('{source}')) TO '{copy}' (HEADER, QUOTE '\"')"
        )
    con.close()
    marker.write_text("ok")
    return out


def _route_pandas(files: list[Path], db: Path, dates: bool = False) -> int:
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(db))
    rows = 0
    for i, f in enumerate(files):
        if dates:
            frame = pd.read_csv(f, parse_dates=_date_columns(f), date_format=_date_formats(f))
        else:
            frame = pd.read_csv(f)
        con.register("frame", frame)
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM frame")
        con.unregister("frame")
        rows += len(frame)
        del frame
    con.close()
    return rows


def _route_pandas_dates(files: list[Path], db: Path) -> int:
    return _route_pandas(files, db, dates=True)


ROUTES = {
    "importer": _route_importer,
    "duckdb": _route_duckdb,
    "pandas": _route_pandas,
    "pandas_dates": _route_pandas_dates,
}


def _median_run(runs: list[dict]) -> dict:
    """Return the median run by seconds and CPU seconds, with the largest peak of them all."""
    middle = len(runs) // 2
    return {
        "rows": runs[0]["rows"],
        "seconds": sorted(r["seconds"] for r in runs)[middle],
        "cpu": sorted(r["cpu"] for r in runs)[middle],
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def _child(route: str, files: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        rows = ROUTES[route]([Path(f) for f in files], Path(tmp) / "bench.duckdb")
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    print(json.dumps({"route": route, "rows": rows, "seconds": seconds, "cpu": cpu,
                      "peak_mb": _peak_mb()}))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "output")
    parser.add_argument("--routes", default="duckdb,importer,pandas,pandas_dates")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the routes")
    parser.add_argument(
        "--day-first", action="store_true", help="load copies with dates written day-first"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.files)
        return 0
    files = _files(args.workdir, args.deals)
    if args.day_first:
        files = _day_first_files(files, args.workdir / f"sample_{args.deals}_day_first")
        print("dates written day-first (25/03/2024 14:30:00), as European Excel saves them")
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"{args.deals:,} deals: {len(files)} files, {size_mb:,.0f} MB of CSV", flush=True)
    routes = args.routes.split(",")
    runs: dict[str, list[dict]] = {route: [] for route in routes}
    # Rounds take the routes in turn, so a busy spell on the machine spreads over all of them.
    for round_no in range(1, args.repeat + 1):
        for route in routes:
            out = subprocess.run(
                [sys.executable, __file__, "--child", route, *map(str, files)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            r = json.loads(out.stdout.strip().splitlines()[-1])
            runs[route].append(r)
            print(f"  round {round_no}  {route:<13} {r['seconds']:7.1f} s, "
                  f"{r['cpu']:7.1f} s of CPU", flush=True)  # fmt: skip
    results = {route: _median_run(rs) for route, rs in runs.items()}
    floor = results.get("duckdb")
    print()
    if args.repeat > 1:
        print(f"median of {args.repeat} rounds (peak: the largest)")
    print(f"{'route':<14}{'rows':>13}{'seconds':>10}{'rows/s':>13}{'CPU s':>9}{'peak MB':>10}"
          f"{'x floor':>9}{'CPU x floor':>13}")  # fmt: skip
    for route, r in results.items():
        ratio = f"{r['seconds'] / floor['seconds']:8.2f}x" if floor else "       -"
        cpu_ratio = f"{r['cpu'] / floor['cpu']:12.2f}x" if floor else "           -"
        print(
            f"{route:<14}{r['rows']:>13,}{r['seconds']:>10.1f}{r['rows'] / r['seconds']:>13,.0f}"
            f"{r['cpu']:>9.1f}{r['peak_mb']:>10,.0f}{ratio}{cpu_ratio}"
        )
    if floor and args.repeat > 1:
        print()
        print("x floor within each round (wall time):")
        for route in routes:
            ratios = [
                r["seconds"] / f["seconds"]
                for r, f in zip(runs[route], runs["duckdb"], strict=True)
            ]
            print(f"  {route:<13}" + "".join(f"{x:7.2f}" for x in ratios))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
