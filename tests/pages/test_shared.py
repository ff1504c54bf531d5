"""The pure parts of pages/shared: period quick choices, formats, and the page list."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.filters import Filters
from pages.shared import export, formatting, periods
from pages.shared.filters import GlobalFilters
from pages.shared.locale import (
    ENGLISH,
    JAPANESE,
    label_in_language,
    language,
    plural,
    set_language,
)
from pages.shared.navigation import PAGES, sections

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 5, 14)


@pytest.mark.parametrize(
    ("key", "custom", "expected"),
    [
        # AS_OF, 14 May 2025, is a Wednesday: weeks run Monday to Sunday.
        ("this_week", None, (date(2025, 5, 12), date(2025, 5, 18))),
        ("last_week", None, (date(2025, 5, 5), date(2025, 5, 11))),
        ("this_month", None, (date(2025, 5, 1), date(2025, 5, 31))),
        ("last_month", None, (date(2025, 4, 1), date(2025, 4, 30))),
        ("year_to_date", None, (date(2025, 1, 1), date(2025, 5, 14))),
        ("last_30_days", None, (date(2025, 4, 15), date(2025, 5, 14))),
        ("last_90_days", None, (date(2025, 2, 14), date(2025, 5, 14))),
        ("this_quarter", None, (date(2025, 4, 1), date(2025, 6, 30))),
        ("last_quarter", None, (date(2025, 1, 1), date(2025, 3, 31))),
        ("this_year", None, (date(2025, 1, 1), date(2025, 12, 31))),
        ("last_year", None, (date(2024, 1, 1), date(2024, 12, 31))),
        ("last_12_months", None, (date(2024, 6, 1), date(2025, 5, 14))),
        ("all_time", None, (None, None)),
        ("custom", (date(2025, 1, 5), date(2025, 2, 1)), (date(2025, 1, 5), date(2025, 2, 1))),
        ("custom", (date(2025, 2, 1), date(2025, 1, 5)), (date(2025, 1, 5), date(2025, 2, 1))),
        ("custom", (date(2025, 1, 5),), (date(2025, 1, 5), date(2025, 1, 5))),
        ("custom", None, (date(2025, 2, 14), date(2025, 5, 14))),
        ("no_such_choice", None, (date(2025, 4, 1), date(2025, 6, 30))),
    ],
)
def test_quick_choices_resolve_to_dates(key, custom, expected):
    period = periods.resolve(key, AS_OF, custom)
    assert (period.start, period.end) == expected


@pytest.mark.parametrize(
    ("as_of", "key", "expected"),
    [
        (date(2025, 1, 1), "last_quarter", (date(2024, 10, 1), date(2024, 12, 31))),
        (date(2025, 12, 31), "this_quarter", (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2025, 1, 31), "last_12_months", (date(2024, 2, 1), date(2025, 1, 31))),
        (date(2024, 3, 1), "last_30_days", (date(2024, 2, 1), date(2024, 3, 1))),  # leap year
        (date(2025, 1, 15), "last_month", (date(2024, 12, 1), date(2024, 12, 31))),
        (date(2025, 1, 1), "last_week", (date(2024, 12, 23), date(2024, 12, 29))),  # a Wednesday
        (date(2024, 2, 10), "this_month", (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_quick_choices_at_year_and_month_edges(as_of, key, expected):
    period = periods.resolve(key, as_of)
    assert (period.start, period.end) == expected


@pytest.mark.parametrize(
    ("key", "custom", "expected"),
    [
        # Calendar units step back a unit, whatever their length (Q1 has 90 days, Q2 91).
        ("this_quarter", None, (date(2025, 1, 1), date(2025, 3, 31))),
        ("last_quarter", None, (date(2024, 10, 1), date(2024, 12, 31))),
        ("this_month", None, (date(2025, 4, 1), date(2025, 4, 30))),
        ("this_year", None, (date(2024, 1, 1), date(2024, 12, 31))),
        # Others step back by their own length: 30 days before 15 Apr – 14 May.
        ("last_30_days", None, (date(2025, 3, 16), date(2025, 4, 14))),
        ("this_week", None, (date(2025, 5, 5), date(2025, 5, 11))),
        ("year_to_date", None, (date(2024, 1, 1), date(2024, 5, 14))),  # the same days
        ("custom", (date(2025, 1, 10), date(2025, 1, 12)), (date(2025, 1, 7), date(2025, 1, 9))),
    ],
)
def test_previous_periods(key, custom, expected):
    before = periods.resolve(key, AS_OF, custom).previous()
    assert (before.start, before.end) == expected


def test_year_to_date_on_a_leap_day_compares_with_the_28th():
    before = periods.resolve("year_to_date", date(2024, 2, 29)).previous()
    assert (before.start, before.end) == (date(2023, 1, 1), date(2023, 2, 28))


def test_all_time_has_no_previous_period():
    assert periods.resolve("all_time", AS_OF).previous() is None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("this_quarter", "This quarter (Apr 1, 2025 – Jun 30, 2025)"),
        ("all_time", "All time"),
    ],
)
def test_periods_describe_themselves(key, expected):
    assert periods.resolve(key, AS_OF).describe() == expected


@pytest.mark.parametrize(
    ("pipeline", "key", "expected"),
    [
        (None, "this_quarter", "All pipelines · This quarter (Apr 1, 2025 – Jun 30, 2025)"),
        ("New *Business*", "all_time", "Pipeline New *Business* · All time"),
    ],
)
def test_global_filters_describe_themselves(pipeline, key, expected):
    chosen = GlobalFilters(pipeline, periods.resolve(key, AS_OF), AS_OF)
    assert chosen.describe() == expected


def test_every_choice_has_a_distinct_label():
    # The URL holds the label, so two choices must never share one.
    labels = list(periods.CHOICES.values())
    assert len(labels) == len(set(labels))
    assert periods.DEFAULT_PERIOD in periods.CHOICES


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (formatting.count, (1234567,), "1,234,567"),
        (formatting.count, (0,), "0"),
        (formatting.count, (None,), "—"),
        (formatting.count, (float("nan"),), "—"),
        (formatting.number, (1234.56,), "1,234.6"),
        (formatting.number, (2.0,), "2"),
        (formatting.number, (1234.567, 2), "1,234.57"),
        (formatting.money, (1234567.4, "USD"), "$1,234,567"),
        (formatting.money, (1234567.4, "USD"), "$1,234,567"),
        (formatting.money, (1234567.4, "EUR"), "€1,234,567"),
        (formatting.money, (1234567.4, "JPY"), "¥1,234,567"),
        (formatting.money, (1234567.4, "USD", True), "$1.2M"),
        (formatting.money, (9999.0, "USD", True), "$9,999"),
        (formatting.money, (12_345_678.0, "USD", True), "$12.3M"),
        (formatting.money, (123_456_789.0, "USD", True), "$123M"),
        (formatting.money, (-1_234_567.0, "USD", True), "-$1.2M"),
        (formatting.money, (12_345_678.0, None, True), "12.3M"),
        (formatting.money, (1234.4, None), "1,234"),
        (formatting.money, (None, "USD"), "—"),
        (formatting.percent, (0.4234,), "42%"),
        (formatting.percent, (0.4234, 1), "42.3%"),
        (formatting.percent, (None,), "—"),
        (formatting.days, (12.0,), "12 days"),
        (formatting.days, (12.25, 1), "12.2 days"),
        # English reads the number as shown: one day when it shows as 1 (or -1).
        (formatting.days, (1,), "1 day"),
        (formatting.days, (1.0, 1), "1 day"),
        (formatting.days, (1.0, 2), "1 day"),
        (formatting.days, (0.96, 1), "1 day"),
        (formatting.days, (1.4,), "1 day"),
        (formatting.days, (-1.0,), "-1 day"),
        (formatting.days, (2,), "2 days"),
        (formatting.days, (0.5, 1), "0.5 days"),
        (formatting.days, (1.5, 1), "1.5 days"),
        (formatting.days, (1.04, 2), "1.04 days"),
        (formatting.days, (0,), "0 days"),
        (formatting.days, (None,), "—"),
        (formatting.day, (date(2025, 1, 3),), "Jan 3, 2025"),
        (formatting.day, (None,), "—"),
        (formatting.day, (pd.NaT,), "—"),
        (formatting.number, (pd.NA,), "—"),
        (formatting.day_range, (pd.NaT, pd.NaT), "—"),
        (formatting.day_range, (date(2025, 1, 3), date(2025, 6, 28)), "Jan 3, 2025 – Jun 28, 2025"),
        (formatting.day_range, (date(2025, 1, 3), date(2025, 1, 3)), "Jan 3, 2025"),
        (formatting.day_range, (None, None), "—"),
        (formatting.share, (1, 3), "33%"),
        (formatting.rate_label, ("Win rate", 428, False), "Win rate (n=428)"),
        (formatting.rate_label, ("Win rate", 12, True), "Win rate (n=12, small sample)"),
        (formatting.share, (0, 0), "—"),
        (formatting.escape_markdown, ("*bold* _x_ [a](b) $1",), r"\*bold\* \_x\_ \[a\]\(b\) \$1"),
        (formatting.escape_markdown, ("/tmp/a_b.duckdb",), r"/tmp/a\_b\.duckdb"),
    ],
)
def test_formats(function, args, expected):
    if function is formatting.money and len(args) == 3:
        assert function(*args[:2], compact=args[2]) == expected
    else:
        assert function(*args) == expected


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (formatting.count, (1234567,), "1,234,567"),
        (formatting.money, (1234567.4, "JPY"), "￥1,234,567"),
        (formatting.money, (1234567.4, "USD"), "$1,234,567"),
        (formatting.percent, (0.4234, 1), "42.3%"),
        (formatting.days, (12.0,), "12 日"),
        (formatting.days, (1,), "1 日"),
        (formatting.days, (1.0, 1), "1 日"),
        (formatting.days, (0.5, 1), "0.5 日"),
        (formatting.day, (date(2025, 1, 3),), "2025/01/03"),
        (formatting.rate_label, ("勝率", 12, True), "勝率 (n=12、少数サンプル)"),
    ],
)
def test_formats_in_japanese(japanese, function, args, expected):
    assert function(*args) == expected


def test_compact_amounts_in_japanese_count_in_man(japanese):
    # Japanese groups large numbers by 10,000 (万): 1,234,567 is 123.5万, shown as 123万 since
    # three digits are enough on a tile; 10,305,000 is 1030.5万, shown as 1030万 (half to even).
    assert formatting.money(1234567.4, "JPY", compact=True) == "￥123万"
    assert formatting.money(10_305_000.0, "USD", compact=True) == "$1030万"
    assert formatting.money(21_180_000.0, "USD", compact=True) == "$2118万"
    assert formatting.money(512_345.0, "USD", compact=True) == "$51.2万"


@pytest.fixture
def japanese():
    set_language(JAPANESE)
    yield
    set_language(ENGLISH)


def test_unknown_language_falls_back_to_english():
    set_language("fr")
    assert language() == ENGLISH


@pytest.mark.parametrize(
    ("code", "n", "expected"),
    [
        (ENGLISH, 1, "{n} problem found; nothing was saved."),
        (ENGLISH, 1.0, "{n} problem found; nothing was saved."),
        (ENGLISH, np.int64(1), "{n} problem found; nothing was saved."),
        (ENGLISH, 0, "{n} problems found; nothing was saved."),
        (ENGLISH, 2, "{n} problems found; nothing was saved."),
        (ENGLISH, 0.5, "{n} problems found; nothing was saved."),
        (ENGLISH, -1, "{n} problems found; nothing was saved."),
        (ENGLISH, float("nan"), "{n} problems found; nothing was saved."),
        (JAPANESE, 1, "{n} 件の問題が見つかりました。何も保存していません。"),
        (JAPANESE, 2, "{n} 件の問題が見つかりました。何も保存していません。"),
    ],
)
def test_plural_picks_the_form_of_the_count_in_the_language(code, n, expected):
    set_language(code)
    try:
        text = plural(
            n, "{n} problem found; nothing was saved.", "{n} problems found; nothing was saved."
        )
    finally:
        set_language(ENGLISH)
    assert text == expected


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        (ENGLISH, "Owner", "Owner"),
        (ENGLISH, "担当者", "Owner"),
        (JAPANESE, "Owner", "担当者"),
        (JAPANESE, "担当者", "担当者"),
        # "Rep" is 担当者 too: only the labels given count.
        (ENGLISH, "Rep", "Rep"),
        (JAPANESE, "Rep", "Rep"),
        # Data, not one of the labels, passes as it is.
        (ENGLISH, "Priya Raman", "Priya Raman"),
        (JAPANESE, "Priya Raman", "Priya Raman"),
    ],
)
def test_a_label_is_taken_in_either_language(code, value, expected):
    set_language(code)
    try:
        assert label_in_language(value, ["Amount", "Owner"]) == expected
    finally:
        set_language(ENGLISH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Acme = good", "Acme = good"),
        ("", ""),
    ],
)
def test_csv_neutralises_formula_looking_text(text, expected):
    frame = pd.DataFrame({"name": [text], "amount": [-5.0]})
    rows = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"))))
    # Text is defused; a negative number stays a number.
    assert rows == [["name", "amount"], [expected, "-5.0"]]


def test_csv_keeps_japanese_text_for_excel():
    data = export.csv_bytes(pd.DataFrame({"担当者": ["田中"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["担当者", "田中"]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Funnel", "Default", "2025-Q2"), "funnel-default-2025-q2.csv"),
        (("Deals", "", "New *Business*"), "deals-new--business.csv"),
    ],
)
def test_download_file_names(parts, expected):
    assert export.file_name(*parts) == expected


def test_global_filters_become_metric_filters():
    chosen = GlobalFilters(
        "Default",
        periods.resolve("this_quarter", AS_OF),
        AS_OF,
        (("owner", ("Ben", "Aiko")), ("region", ("EMEA",))),
    )
    assert chosen.metric_filters == Filters(
        date(2025, 4, 1),
        date(2025, 6, 30),
        AS_OF,
        "Default",
        (("owner", ("Aiko", "Ben")), ("region", ("EMEA",))),
    )
    assert chosen.previous().metric_filters.start == date(2025, 1, 1)


def test_every_page_in_the_list_exists_once_with_a_unique_url():
    assert [p for p in PAGES if p.default] == [PAGES[0]]
    assert len({p.url_path for p in PAGES}) == len(PAGES)
    assert len({p.title for p in PAGES}) == len(PAGES)
    for page in PAGES:
        assert (ROOT / page.path).is_file(), page.path
        assert page.icon.startswith(":material/"), page.icon


def test_every_page_script_is_in_the_navigation():
    scripts = {str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")}
    assert scripts - {"pages/__init__.py"} == {p.path for p in PAGES}


def test_every_page_script_sets_itself_up():
    # Pages must run without dashboard.py around them (AppTest.switch_page does exactly that).
    for page in PAGES:
        source = (ROOT / page.path).read_text()
        assert "page_setup(" in source, page.path


def test_sections_keep_the_order_of_the_list():
    assert [p for group in sections().values() for p in group] == sorted(
        PAGES, key=lambda p: list(sections()).index(p.section)
    )


@pytest.mark.parametrize(
    ("kind", "english", "japanese"),
    [
        ("follow_up", "follow up", "フォローアップ"),
        ("call", "call", "電話"),
        ("site_visit", "site visit", "site visit"),  # a CRM's own type keeps its name
        (None, "(none)", "(なし)"),
    ],
)
def test_activity_types_follow_the_language(kind, english, japanese):
    assert formatting.activity_type(kind) == english
    set_language(JAPANESE)
    try:
        assert formatting.activity_type(kind) == japanese
    finally:
        set_language(ENGLISH)


def test_a_grey_delta_is_a_note_without_an_arrow(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "tiles.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from pages.shared import widgets\n"
        'widgets.kpi("Conversion", "6%", delta="n=383", delta_color="off")\n'
        'widgets.kpi("Won", "$2.1M", delta="+$0.5M")\n'
        'widgets.kpi("Pace", "111%", delta="+3 pts", delta_color="off", delta_arrow="auto")\n'
    )
    at = AppTest.from_file(str(script)).run()
    shown = [(m.label, m.proto.delta, m.proto.direction) for m in at.metric]
    up, none = at.metric[1].proto.UP, at.metric[0].proto.NONE
    assert shown == [("Conversion", "n=383", none), ("Won", "+$0.5M", up), ("Pace", "+3 pts", up)]


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        (ENGLISH, "**Import refused**: 2 problems found; nothing was imported"),
        (
            JAPANESE,
            "**取り込みを中止しました**: 2 件の問題が見つかりました。何も取り込んでいません",
        ),
    ],
)
def test_an_error_is_shown_in_the_interface_language(tmp_path, language_code, expected):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "error.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from analytics.errors import ImportRejected\n"
        "from pages.shared.layout import show_error\n"
        "from pages.shared.locale import set_language\n"
        f"set_language({language_code!r})\n"
        "show_error(ImportRejected(['a', 'b']))\n"
    )
    at = AppTest.from_file(str(script)).run()
    assert [e.value for e in at.error] == [expected]
