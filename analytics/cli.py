"""The command line: `python -m analytics import|status|sample|metrics|definitions`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from analytics import store
from analytics.errors import AnalyticsError, ImportRejected, MappingError, StoreBusy
from analytics.filters import BadFilters, UnknownColumn
from analytics.importer import ImportResult, import_files
from analytics.mapping import value_replacements
from analytics.presets import PRESET_NAMES
from analytics.schema import IMPORTABLE
from analytics.status import FIDELITY_LABELS, store_status
from analytics.wording import counted

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_BYTES = 5_000_000


class UsageError(Exception):
    """A command-line value that cannot be understood (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, as we want
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _pairs(values: list[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise MappingError(f"{flag} expects CANONICAL=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def _replacements(items: list[str] | None) -> dict[str, dict[str, str]]:
    """Return --value CANONICAL:FILE_VALUE=VALUE items as column -> file value -> value."""
    triples = []
    for item in items or []:
        column, colon, rest = item.partition(":")
        found, equals, value = rest.rpartition("=")
        if not colon or not equals or not column.strip() or not found.strip():
            raise MappingError(
                f"--value expects CANONICAL:FILE_VALUE=VALUE (such as "
                f'status:"Bad Timing"=disqualified), got {item!r}'
            )
        triples.append((column.strip(), found, value))
    return value_replacements(triples)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = _Parser(prog="python -m analytics", description="Sales-pipeline data store.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    db_help = f"database file (default: ${store.DB_ENV_VAR} or data/pipeline.duckdb)"

    imp = sub.add_parser("import", help="import CRM export files (all or nothing)")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--db", help=db_help)
    imp.add_argument("--kind", choices=[k for k in IMPORTABLE])
    imp.add_argument("--preset", default="auto", choices=["auto", *PRESET_NAMES])
    imp.add_argument("--map", action="append", metavar="CANONICAL=SOURCE_COLUMN")
    imp.add_argument("--set", action="append", metavar="CANONICAL=VALUE")
    imp.add_argument(
        "--value",
        action="append",
        metavar="CANONICAL:FILE_VALUE=VALUE",
        help="store VALUE wherever the column holds FILE_VALUE (any case), such as a CRM's own "
        'lead status or a renamed stage: --value "stage:Demo Scheduled=Demo"',
    )
    imp.add_argument("--pipeline", help="pipeline of deals whose file names none")
    imp.add_argument("--stages", help='open stages of --pipeline in order: "First,Second,..."')
    imp.add_argument("--date-order", choices=["dmy", "mdy"], help="day/month order of dates")
    imp.add_argument("--dry-run", action="store_true", help="check everything, write nothing")

    st = sub.add_parser("status", help="what the database holds")
    st.add_argument("--db", help=db_help)

    sample = sub.add_parser("sample", help="(re)load the sample data")
    sample.add_argument("--db", help=db_help)
    sample.add_argument("--deals", type=int, help="generate a sample of this many deals")

    met = sub.add_parser("metrics", help="print the headline metrics (JSON or CSV)")
    met.add_argument("--db", help=db_help)
    met.add_argument("--from", dest="start", type=_date, metavar="DATE", help="period start")
    met.add_argument("--to", dest="end", type=_date, metavar="DATE", help="period end")
    met.add_argument("--as-of", type=_date, metavar="DATE", help="the day the figures describe")
    met.add_argument("--pipeline", help="one pipeline")
    met.add_argument(
        "--where", action="append", metavar="COLUMN=VALUE",
        help="keep deals whose COLUMN is VALUE (repeat; one column repeated means any of them)",
    )  # fmt: skip
    met.add_argument("--by", metavar="COLUMN", help="also give every figure per value of COLUMN")
    met.add_argument("--format", choices=["json", "csv"], default="json")

    sub.add_parser("definitions", help="print how every metric is computed")
    # Listed here for --help; its own parser (pages/figures/pack.py) reads its options.
    sub.add_parser("pack", help="write the weekly meeting pack (HTML, or PDF with --pdf)")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _progress_bar(paths: list[Path]):
    """Return a progress callback drawing a bar when the files are large, else None."""
    size = sum(p.stat().st_size for p in paths if p.is_file())
    if size < PROGRESS_MIN_BYTES:
        return None
    from tqdm import tqdm

    bar = tqdm(total=1, unit="step", file=sys.stderr, leave=False)

    def update(phase: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_description(phase)
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _print_result(result: ImportResult, out) -> None:
    verb = "Imported" if result.written else "Checked (dry run, nothing written)"
    for f in result.files:
        if f.skipped:
            # A file left out of the import says why in its note; the others were imported before.
            for note in f.notes:
                print(note, file=out)
            if not f.notes:
                print(
                    f"{f.file}: already imported with the same content; nothing changed", file=out
                )
            continue
        print(
            f"{verb} {f.file}: {counted(f.rows, 'row')} as {f.kind} "
            f"(preset {f.preset}, {f.encoding})",
            file=out,
        )
        for canonical, source in f.mapping.items():
            print(f"    {canonical:<22} <- {source}", file=out)
        if f.unmapped:
            kept = "kept as custom columns" if f.kind == "deals" else "ignored"
            print(f"    columns {kept}: {', '.join(f.unmapped)}", file=out)
    for pipeline, stages in result.declared_pipelines.items():
        print(f'Pipeline "{pipeline}": {" > ".join(stages)}', file=out)
    notes = [n for f in result.files if not f.skipped for n in f.notes]
    if notes:
        print(
            "Data-quality notes (imported and counted; `status` and the Loaded data page keep the totals):",
            file=out,
        )
        for note in notes:
            print(f"  - {note}", file=out)
    if result.changes:
        listed = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.changes.items())
        print(f"Changes: {listed}", file=out)


def cmd_import(args: argparse.Namespace) -> int:
    paths = [Path(f) for f in args.files]
    stages = [s for s in (args.stages or "").split(",") if s.strip()] or None
    con = store.connect(args.db)
    try:
        result = import_files(
            con,
            paths,
            kind=args.kind,
            preset=args.preset,
            mapping=_pairs(args.map, "--map"),
            constants=_pairs(args.set, "--set"),
            values=_replacements(args.value),
            pipeline=args.pipeline,
            stages=stages,
            date_order=args.date_order,
            dry_run=args.dry_run,
            progress=_progress_bar(paths),
        )
    finally:
        con.close()
    _print_result(result, sys.stdout)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    try:
        status = store_status(con)
    finally:
        con.close()
    print(f"Database: {store.db_path(args.db)}")
    print("Tables:")
    for t in status.tables:
        dates = f"  {t.first} .. {t.last}" if t.first else ""
        print(f"  {t.name:<18} {t.rows:>10,}{dates}")
    print("Pipelines:")
    for pipeline, stages in status.pipelines.items():
        print(f"  {pipeline}: {' > '.join(stages)} > Won / Lost")
    print(f"Stage history: {status.fidelity_summary}")
    for key, n in status.fidelity.items():
        if n:
            print(f"  {FIDELITY_LABELS[key]}: {counted(n, 'deal', thousands=True)}")
    print("Data quality:")
    for q in status.quality:
        print(f"  {q.count:>8,}  {q.label}")
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from analytics.sample import load_sample

    con = store.connect(args.db)
    try:
        result = load_sample(con, deals=args.deals)
    finally:
        con.close()
    _print_result(result, sys.stdout)
    print(f"{store.db_path(args.db)} now holds the sample data (what it held before was replaced).")
    return EXIT_OK


def _where(values: list[str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in values or []:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise UsageError(f"--where expects COLUMN=VALUE, got {item!r}")
        out.setdefault(column.strip(), []).append(value)
    return out


def cmd_metrics(args: argparse.Namespace) -> int:
    from analytics.filters import Filters
    from analytics.headline import flatten, headline

    filters = Filters.build(args.start, args.end, args.as_of, args.pipeline, _where(args.where))
    con = store.connect(args.db)
    try:
        figures = headline(con, filters, by=args.by)
    finally:
        con.close()
    if args.format == "json":
        json.dump(figures, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return EXIT_OK
    rows = [{"key": "(all)", **flatten({k: v for k, v in figures.items() if k != "groups"})}]
    rows += [flatten(g) for g in figures.get("groups", [])]
    columns = list(dict.fromkeys(c for r in rows for c in r))
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return EXIT_OK


def cmd_definitions(args: argparse.Namespace) -> int:
    from analytics.definitions import all_definitions

    for d in sorted(all_definitions().values(), key=lambda d: d.key):
        print(f"{d.key}\n    {d.sentence()}\n    Unit: {d.unit}.")
    return EXIT_OK


def cmd_pack(argv: Sequence[str]) -> int:
    # The pack is drawn with the dashboard's Plotly figures, which live beside the pages (and
    # import no Streamlit).
    from pages.figures.pack import main as pack_main

    return pack_main(argv)


COMMANDS = {
    "import": cmd_import,
    "status": cmd_status,
    "sample": cmd_sample,
    "metrics": cmd_metrics,
    "definitions": cmd_definitions,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit code (0 done, 1 refused, 2 usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["pack"]:
        return cmd_pack(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ImportRejected as exc:
        print(f"Import refused: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        print("The database was not changed.", file=sys.stderr)
        return EXIT_REJECTED
    except StoreBusy as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    except (MappingError, UsageError) as exc:
        print(f"python -m analytics: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (UnknownColumn, BadFilters) as exc:
        print(f"python -m analytics: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AnalyticsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return EXIT_REJECTED
