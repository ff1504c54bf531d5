"""The meeting pack: a self-contained HTML file of the Weekly meeting, its PDF and its command.

The store is tests/analytics/test_weekly.py's, with deal B1 (slipped: overdue at b) renamed to
a script tag, for the window a = 2025-03-09, b = 2025-03-16.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics import weekly
from analytics.filters import Filters
from pages.figures import pack
from pages.shared.locale import set_language
from tests.analytics.builders import build_store
from tests.analytics.test_weekly import ACTIVITIES, CHANGES, DEALS, EVENTS, PIPELINES, A, B

ROOT = Path(__file__).resolve().parents[3]
EVIL = "<script>alert(1)</script>"
MADE = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)


def _deals() -> list[dict]:
    return [{**row, "name": EVIL} if row["deal_id"] == "B1" else row for row in DEALS]


@pytest.fixture(scope="module")
def store_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pack") / "store.duckdb"
    con = build_store(path, pipelines=PIPELINES, deals=_deals(), events=EVENTS,
                      activities=ACTIVITIES, deal_changes=CHANGES)  # fmt: skip
    con.close()
    return path


@pytest.fixture(scope="module")
def data(store_file) -> pack.PackData:
    from analytics import store

    con = store.connect(store_file, read_only=True)
    try:
        return pack.collect(con, Filters(), A, B)
    finally:
        con.close()


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def _section(document: str, heading: str) -> str:
    """Return the HTML from an h2 heading up to the next h2."""
    start = document.index(f"<h2>{heading}</h2>")
    end = document.find("<h2>", start + 1)
    return document[start : end if end > 0 else None]


def _cells(fragment: str) -> list[str]:
    return re.findall(r"<td>(.*?)</td>", fragment)


def test_html_pack_holds_the_movements_the_analytics_return(data):
    document = pack.render_html(data, filters_text="All pipelines", lang="en", generated=MADE)
    section = _section(document, "The week’s movements")
    # weekly.movements on this store (see test_weekly): N1, NW new 1650; A1, A2, AB advanced
    # 5500; B1, AB moved back 5000; W1, NW won 5650; L1 lost 600
    assert data.movements["deals"].tolist() == [2, 3, 2, 2, 1]
    assert _cells(section) == [
        "New", "2", "$1,650", "0",
        "Advanced", "3", "$5,500", "0",
        "Moved back", "2", "$5,000", "0",
        "Won", "2", "$5,650", "0",
        "Lost", "1", "$600", "0",
    ]  # fmt: skip
    waterfall = _cells(_section(document, "Pipeline waterfall"))
    assert waterfall[:3] == ["Open on Mar 9, 2025", "$18,701", "11"]
    assert waterfall[-3:] == ["Open on Mar 16, 2025", "$15,501", "11"]


def test_html_pack_is_self_contained_with_interactive_charts(data):
    document = pack.render_html(data, filters_text="All pipelines", lang="en", generated=MADE)
    assert document.startswith("<!DOCTYPE html>")
    # three charts, plotly.js inline exactly once, nothing fetched from the network
    assert document.count('class="plotly-graph-div"') == 3
    assert len(re.findall(r"\* plotly\.js v\d", document)) == 1
    assert not re.search(r"<script[^>]+src=", document)
    # outside the plotly.js bundle (whose code holds link texts), no address is loaded
    scripts = re.findall(r"<script[^>]*>.*?</script>", document, flags=re.S)
    bundle = [s for s in scripts if "* plotly.js v" in s]
    assert len(bundle) == 1
    rest = document.replace(bundle[0], "")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", rest)
    assert "Filters: All pipelines" in document and "Made on Mar 17, 2025" in document
    assert "What changed after Mar 9, 2025 up to the end of Mar 16, 2025" in document


def test_html_pack_escapes_text_from_the_data(data):
    document = pack.render_html(data, filters_text="Owner: <b>x</b>", lang="en", generated=MADE)
    assert EVIL not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "Owner: &lt;b&gt;x&lt;/b&gt;" in document
    # B1 is in Ben's slipped list, with its stage and amount
    ben = document[document.index("<h3>Ben</h3>") :]
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>\n      <td>Demo</td>" in ben


def test_html_pack_lists_each_reps_actions(data):
    document = pack.render_html(data, filters_text="All pipelines", lang="en", generated=MADE)
    section = _section(document, "Slipped and stalled deals by rep")
    # Ben: slipped A2, OD2, B1 and stalled P1 (4) before Aiko: slipped N1, stalled OLD, R1 (3)
    assert section.index("<h3>Ben</h3>") < section.index("<h3>Aiko</h3>")
    assert _cells(section)[:10] == [
        "Ben", "3", "$8,700", "1", "$100", "Aiko", "1", "$1,000", "2", "$2,801",
    ]  # fmt: skip
    assert "<h4>Slipped deals (3)</h4>" in section and "<h4>Stalled deals (2)</h4>" in section
    assert "Deal OLD" in section and "Agree the next step and its date" in section


def test_html_pack_follows_the_language(data):
    document = pack.render_html(
        data, filters_text="すべてのパイプライン", lang="ja", generated=MADE
    )
    assert '<html lang="ja">' in document and "<h1>週次会議</h1>" in document
    assert "2025/03/09 の翌日から 2025/03/16 の終わりまでの変化" in document
    assert _cells(_section(document, "期間中の商談の動き"))[:4] == ["新規", "2", "$1,650", "0"]
    # the language of the caller is left as it was
    assert pack.describe_filters(Filters()) == "All pipelines"


def test_describe_filters():
    filters = Filters.build(pipeline="Sales", where={"owner": ["Aiko", "Ben"], "region": ["EU"]})
    assert pack.describe_filters(filters) == "Pipeline Sales · Owner: Aiko, Ben · region: EU"
    set_language("ja")
    assert pack.describe_filters(Filters()) == "すべてのパイプライン"


def _run(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from pages.figures.pack import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_command_writes_the_pack(store_file, tmp_path):
    out = tmp_path / "pack.html"
    done = _run("--db", str(store_file), "--from", "2025-03-09", "--to", "2025-03-16",
                "--out", str(out), "--lang", "ja")  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = out.read_text(encoding="utf-8")
    assert "<h1>週次会議</h1>" in document and "&lt;script&gt;alert(1)" in document
    assert f"Wrote {out}" in done.stdout


def test_command_refuses_a_window_that_ends_before_it_starts(store_file, tmp_path):
    done = _run("--db", str(store_file), "--from", "2025-03-16", "--to", "2025-03-09",
                "--out", str(tmp_path / "x.html"))  # fmt: skip
    assert done.returncode == 2 and "Invalid window" in done.stderr
    assert not (tmp_path / "x.html").exists()


def test_pdf_cannot_be_made_without_chromium():
    with pytest.raises(pack.PdfUnavailable):
        pack.html_to_pdf("<p>x</p>", browser="/nonexistent/chromium")


def test_pdf_pack(store_file, tmp_path):
    if pack.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Chromium to print the meeting pack")
        pytest.skip("no Chromium on this machine: the PDF pack cannot be printed")
    out = tmp_path / "pack.pdf"
    done = _run("--db", str(store_file), "--from", "2025-03-09", "--to", "2025-03-16",
                "--out", str(out), "--pdf")  # fmt: skip
    assert done.returncode == 0, done.stderr
    content = out.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 10_000


def test_pack_definitions_are_the_weekly_ones():
    assert weekly.PIPELINE_WATERFALL in pack.DEFINITIONS
    assert weekly.STALLED_DEALS in pack.DEFINITIONS
