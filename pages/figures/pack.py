"""The weekly meeting pack: the Weekly meeting page as one self-contained HTML file, or a PDF.

The HTML holds everything it needs: plotly.js inline once, so the charts stay interactive with
no network; tables as escaped HTML, so text from the data (deal names, owners) shows as text.
The PDF is that HTML printed by headless Chromium, when the machine has it. No Streamlit here:
the page and the command line (`main`) build the same pack.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analytics import meeting, store, weekly
from analytics.definitions import Definition
from analytics.derived import reporting_currency
from analytics.errors import AnalyticsError
from analytics.filters import NONE, Filters
from analytics.quality import data_as_of
from pages.figures import weekly as figures
from pages.shared import formatting
from pages.shared.locale import _, language, plural, set_language

# What the pack prints of long lists; the page's CSV downloads hold them all.
ROWS_PER_REP = 25  # rows of each rep's action lists
REPS = 30  # reps with their own action lists, most deals to act on first
REP_ROWS = 100  # rows of the per-rep summary and the scorecard
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT = 120  # seconds Chromium may take to print a pack

DEFINITIONS: tuple[Definition, ...] = (
    weekly.WEEKLY_NEW,
    weekly.WEEKLY_ADVANCED,
    weekly.WEEKLY_MOVED_BACK,
    weekly.PIPELINE_WATERFALL,
    weekly.SLIPPED_DEALS,
    weekly.STALLED_DEALS,
    weekly.SLIPPAGE_SCORECARD,
)

# Column names of the filters the pack describes with a label of their own.
_LISTED = {"team": "Team", "owner": "Owner", "source": "Source"}

_STYLE = """
body { font-family: Inter, 'Noto Sans JP', 'Hiragino Sans', 'Segoe UI', sans-serif;
       color: #263238; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #ECEFF1; }
.meta { color: #546E7A; margin: .2rem 0; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #ECEFF1; padding: .3rem .6rem; text-align: left; }
th { background: #F5F7F8; }
.more { color: #546E7A; font-style: italic; }
.definition { font-size: .85rem; color: #455A64; }
section { break-inside: avoid-page; }
@media print { body { margin: 0; max-width: none; } .chart { break-inside: avoid; } }
"""


class PdfUnavailable(AnalyticsError):
    """The PDF cannot be made here: no Chromium, or it failed to print."""

    title = "PDF not available"


@dataclass(frozen=True)
class PackData:
    """What the pack shows for one window: the weekly analytics results, computed once."""

    a: date
    b: date
    currency: str | None
    movements: pd.DataFrame
    waterfall: pd.DataFrame
    slipped: pd.DataFrame
    stalled: pd.DataFrame
    actions: pd.DataFrame
    scorecard: pd.DataFrame


def collect(con: duckdb.DuckDBPyConnection, filters: Filters, a: date, b: date) -> PackData:
    """Return the pack's data for the window after a up to the end of b (stalled at b)."""
    slipped = meeting.open_first(weekly.slipped_deals(con, filters, a, b))
    stalled = weekly.stalled_deals(con, filters, b)
    return PackData(
        a=a,
        b=b,
        currency=reporting_currency(con),
        movements=weekly.movements(con, filters, a, b),
        waterfall=weekly.waterfall(con, filters, a, b),
        slipped=slipped,
        stalled=stalled,
        actions=meeting.actions_by_owner(slipped, stalled),
        scorecard=meeting.scorecard_by_owner(weekly.slippage_scorecard(con, filters, a, b)),
    )


def describe_filters(filters: Filters) -> str:
    """Return the pipeline and conditions of filters in one line for people."""
    parts = [
        _("Pipeline {name}").format(name=filters.pipeline)
        if filters.pipeline
        else _("All pipelines")
    ]
    for column, values in filters.where:
        label = _(_LISTED[column]) if column in _LISTED else column
        parts.append(f"{label}: {', '.join(values)}")
    return " · ".join(parts)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, na_rep=formatting.MISSING)


def _figure(fig: go.Figure, first: bool) -> str:
    # plotly.js goes inline with the first chart only; the others reuse it.
    return (
        '<div class="chart">'
        + fig.to_html(
            full_html=False,
            include_plotlyjs=first,
            config={"displaylogo": False, "responsive": True},
        )
        + "</div>"
    )


def _rep_lists(data: PackData) -> list[str]:
    """Return the HTML of each rep's slipped and stalled deals, reps in the order of actions."""
    parts = []
    for owner in data.actions["owner"].head(REPS):
        parts.append(f"<h3>{html.escape(str(owner))}</h3>")
        for title, frame, table in (
            (_("Slipped deals"), data.slipped, figures.slipped_table),
            (_("Stalled deals"), data.stalled, figures.stalled_table),
        ):
            mine = frame[frame["owner"].fillna(NONE) == owner]
            if mine.empty:
                continue
            parts.append(f"<h4>{html.escape(title)} ({formatting.count(len(mine))})</h4>")
            parts.append(_table(table(mine.head(ROWS_PER_REP), data.currency, owner=False)))
            parts.append(_more(len(mine), ROWS_PER_REP))
    more_reps = plural(len(data.actions) - REPS, "… and {n} more rep.", "… and {n} more reps.")
    parts.append(_more(len(data.actions), REPS, more_reps))
    return parts


def _more(n: int, shown: int, text: str | None = None) -> str:
    """Return the note saying how many rows were left out, or nothing when none were.

    text is the note in the interface language, with {n} for the count; "… and {n} more." when
    not given.
    """
    if n <= shown:
        return ""
    more = (text or _("… and {n} more.")).format(n=formatting.count(n - shown))
    return f'<p class="more">{html.escape(more)}</p>'


def _definition(d: Definition) -> str:
    ratio = _(d.numerator) + (f" ÷ {_(d.denominator)}" if d.denominator else "")
    return (
        f'<p class="definition"><b>{html.escape(_(d.label))}</b> = {html.escape(ratio)}. '
        f"{html.escape(_('Date anchor'))}: {html.escape(_(d.anchor))}. "
        f"{html.escape(_('Left out'))}: {html.escape(_(d.excludes))}.</p>"
    )


def render_html(
    data: PackData, *, filters_text: str, lang: str, generated: datetime | None = None
) -> str:
    """Return the meeting pack as one HTML document in language lang ("en" or "ja")."""
    previous = language()
    set_language(lang)
    try:
        return _render(data, filters_text, generated or datetime.now(UTC))
    finally:
        set_language(previous)


def _render(data: PackData, filters_text: str, generated: datetime) -> str:
    a, b, currency = data.a, data.b, data.currency
    e = html.escape
    window = _("What changed after {a} up to the end of {b}").format(
        a=formatting.day(a), b=formatting.day(b)
    )
    body = [
        f"<h1>{e(_('Weekly meeting'))}</h1>",
        f'<p class="meta"><b>{e(window)}</b></p>',
        f'<p class="meta">{e(_("Filters"))}: {e(filters_text)}</p>',
        f'<p class="meta">{e(_("Made on {day}").format(day=formatting.day(generated)))}</p>',
        "<section>",
        f"<h2>{e(_('The week’s movements'))}</h2>",
        _figure(figures.movements_chart(data.movements, currency), first=True),
        _table(figures.movements_table(data.movements, currency)),
        "</section><section>",
        f"<h2>{e(_('Pipeline waterfall'))}</h2>",
        _figure(figures.waterfall_chart(data.waterfall, currency, a, b), first=False),
        _table(figures.waterfall_table(data.waterfall, currency, a, b)),
        "</section><section>",
        f"<h2>{e(_('Slipped and stalled deals by rep'))}</h2>",
        f'<p class="meta">{e(_("Stalled at the end of {day}.").format(day=formatting.day(b)))}</p>',
    ]
    if data.actions.empty:
        body.append(f"<p>{e(_('No slipped or stalled deals.'))}</p>")
    else:
        body.append(_table(figures.actions_table(data.actions.head(REP_ROWS), currency)))
        body.append(_more(len(data.actions), REP_ROWS))
        body.extend(_rep_lists(data))
    body += [
        "</section><section>",
        f"<h2>{e(_('Slippage scorecard'))}</h2>",
        _figure(figures.scorecard_chart(data.scorecard), first=False),
    ]
    if not data.scorecard.empty:
        body.append(_table(figures.scorecard_table(data.scorecard.head(REP_ROWS))))
        body.append(_more(len(data.scorecard), REP_ROWS))
    body += [
        "</section><section>",
        f"<h2>{e(_('How these numbers are computed'))}</h2>",
        *(_definition(d) for d in DEFINITIONS),
        "</section>",
    ]
    title = f"{_('Weekly meeting')} · {formatting.day_range(a, b)}"
    lang_attr = "ja" if language() == "ja" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def chromium() -> str | None:
    """Return the path of a Chromium (or Chrome) that can print PDFs, or None when there is none."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(document: str, browser: str | None = None) -> bytes:
    """Return document printed to PDF by headless Chromium; PdfUnavailable when it cannot be."""
    browser = browser or chromium()
    if browser is None:
        raise PdfUnavailable(
            "No Chromium found on this machine (looked for "
            + ", ".join(CHROMIUM_NAMES)
            + "); download the HTML pack and print it from a browser."
        )
    with tempfile.TemporaryDirectory(prefix="pack-") as tmp:
        source, target = Path(tmp) / "pack.html", Path(tmp) / "pack.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            # time for plotly.js to draw the charts before printing
            "--virtual-time-budget=10000",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium could not print the pack: {exc}") from exc
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium ran but wrote no PDF.")
        return target.read_bytes()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the pack command."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics pack",
        description="Write the weekly meeting pack (self-contained HTML, or PDF with --pdf).",
    )
    parser.add_argument("--db", help="database file (default $PIPELINE_DB or data/pipeline.duckdb)")
    parser.add_argument(
        "--from", dest="start", type=_date, help="first date a (default: 7 days before --to)"
    )
    parser.add_argument("--to", dest="end", type=_date, help="last date b (default: data as-of)")
    parser.add_argument("--out", required=True, help="file to write")
    parser.add_argument("--lang", choices=("en", "ja"), default="en", help="language")
    parser.add_argument("--pipeline", help="only this pipeline")
    parser.add_argument("--pdf", action="store_true", help="print the pack to PDF (Chromium)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Write the meeting pack; return 0 when written, 1 when refused, 2 on a usage error."""
    args = build_parser().parse_args(argv)
    try:
        con = store.connect(args.db, read_only=True)
    except (AnalyticsError, duckdb.Error) as exc:
        print(f"Cannot open the database: {exc}", file=sys.stderr)
        return 1
    try:
        b = args.end or data_as_of(con)
        a = args.start or b - timedelta(days=7)
        filters = Filters(pipeline=args.pipeline)
        data = collect(con, filters, a, b)
    except AnalyticsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, weekly.BadWindow) else 1
    finally:
        con.close()
    document = render_html(data, filters_text=describe_filters(filters), lang=args.lang)
    out = Path(args.out)
    if args.pdf:
        try:
            out.write_bytes(html_to_pdf(document))
        except PdfUnavailable as exc:
            print(f"{exc.title}: {exc}", file=sys.stderr)
            return 1
    else:
        out.write_text(document, encoding="utf-8")
    print(f"Wrote {out} ({os.path.getsize(out):,} bytes)")
    return 0
