"""The pure parts of pages/shared: period quick choices, formats, and the page list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pages.shared import formatting, periods
from pages.shared.filters import GlobalFilters
from pages.shared.navigation import PAGES, sections

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 5, 14)


@pytest.mark.parametrize(
    ("key", "custom", "expected"),
    [
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
    ],
)
def test_quick_choices_at_year_and_month_edges(as_of, key, expected):
    period = periods.resolve(key, as_of)
    assert (period.start, period.end) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("this_quarter", "This quarter (1 Apr 2025 – 30 Jun 2025)"),
        ("all_time", "All time"),
    ],
)
def test_periods_describe_themselves(key, expected):
    assert periods.resolve(key, AS_OF).describe() == expected


@pytest.mark.parametrize(
    ("pipeline", "key", "expected"),
    [
        (None, "this_quarter", "All pipelines · This quarter (1 Apr 2025 – 30 Jun 2025)"),
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
        (formatting.day, (date(2025, 1, 3),), "3 Jan 2025"),
        (formatting.day, (None,), "—"),
        (formatting.day_range, (date(2025, 1, 3), date(2025, 6, 28)), "3 Jan 2025 – 28 Jun 2025"),
        (formatting.day_range, (date(2025, 1, 3), date(2025, 1, 3)), "3 Jan 2025"),
        (formatting.day_range, (None, None), "—"),
        (formatting.share, (1, 3), "33%"),
        (formatting.share, (0, 0), "—"),
        (formatting.escape_markdown, ("*bold* _x_ [a](b) $1",), r"\*bold\* \_x\_ \[a\]\(b\) \$1"),
        (formatting.escape_markdown, ("/tmp/a_b.duckdb",), r"/tmp/a\_b\.duckdb"),
    ],
)
def test_formats(function, args, expected):
    assert function(*args) == expected


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
