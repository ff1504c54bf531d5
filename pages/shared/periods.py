"""The period filter's quick choices and the dates each stands for (no Streamlit here).

A period is resolved against an as-of date (today, or the last date in the data when the data
is older), so "This quarter" on a historical export means the quarter the data ends in.
Calendar choices cover the whole calendar unit, which may end after the as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pages.shared import formatting
from pages.shared.locale import _

CUSTOM = "custom"
ALL_TIME = "all_time"
DEFAULT_PERIOD = "this_quarter"
EARLIEST = date(1990, 1, 1)  # the first day a custom range may start on

# Stable keys (they appear in URLs) and the label people see, in menu order.
CHOICES: dict[str, str] = {
    "this_week": "This week",
    "last_week": "Last week",
    "this_month": "This month",
    "last_month": "Last month",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "year_to_date": "Year to date",
    "this_year": "This year",
    "last_year": "Last year",
    "last_12_months": "Last 12 months",
    ALL_TIME: "All time",
    CUSTOM: "Custom range",
}


@dataclass(frozen=True)
class Period:
    """A resolved period: its choice key, label and first and last day (None: unbounded)."""

    key: str
    label: str
    start: date | None
    end: date | None

    def dates(self) -> str:
        """Return the days covered: "1 Apr 2025 – 30 Jun 2025", or "All dates"."""
        if self.start is None and self.end is None:
            return _("All dates")
        return formatting.day_range(self.start, self.end)

    def describe(self) -> str:
        """Return the period for people: "This quarter (1 Apr 2025 – 30 Jun 2025)"."""
        if self.start is None and self.end is None:
            return _(self.label)
        return f"{_(self.label)} ({self.dates()})"

    def previous(self) -> Period | None:
        """Return the period just before this one to compare with (None for all time).

        Calendar choices step back one calendar unit (last quarter before this quarter), year
        to date compares with the same days a year earlier, other periods step back by their
        own length.
        """
        if self.start is None or self.end is None:
            return None
        if self.key == "year_to_date":
            # Year to date compares with the same days of the year before.
            leap_day = (self.end.month, self.end.day) == (2, 29)
            end = date(self.end.year - 1, self.end.month, 28 if leap_day else self.end.day)
            return Period(self.key, self.label, date(self.start.year - 1, 1, 1), end)
        months = _CALENDAR_MONTHS.get(self.key)
        if months:
            start = _add_months(self.start, -months)
            return Period(self.key, self.label, start, self.start - timedelta(days=1))
        length = self.end - self.start + timedelta(days=1)
        return Period(self.key, self.label, self.start - length, self.start - timedelta(days=1))


# Calendar choices whose previous period is the previous calendar unit, in months.
_CALENDAR_MONTHS = {
    "this_month": 1, "last_month": 1, "this_quarter": 3, "last_quarter": 3,
    "this_year": 12, "last_year": 12,
}  # fmt: skip


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _add_months(d: date, months: int) -> date:
    """Return the first of the month `months` after d's month (d must be a first of month)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def resolve(key: str, as_of: date, custom: tuple[date, ...] | None = None) -> Period:
    """Return the period a quick choice stands for at the as-of date.

    custom is the (start, end) of a custom range; a range still being picked (start only)
    is taken as that single day, and a missing one falls back to the last 90 days.
    Unknown keys resolve to the default period.
    """
    if key not in CHOICES:
        key = DEFAULT_PERIOD
    label = CHOICES[key]
    if key == "this_week":
        start = as_of - timedelta(days=as_of.weekday())
        return Period(key, label, start, start + timedelta(days=6))
    if key == "last_week":
        start = as_of - timedelta(days=as_of.weekday() + 7)
        return Period(key, label, start, start + timedelta(days=6))
    if key == "this_month":
        start = date(as_of.year, as_of.month, 1)
        return Period(key, label, start, _add_months(start, 1) - timedelta(days=1))
    if key == "last_month":
        end = date(as_of.year, as_of.month, 1) - timedelta(days=1)
        return Period(key, label, date(end.year, end.month, 1), end)
    if key == "year_to_date":
        return Period(key, label, date(as_of.year, 1, 1), as_of)
    if key == "last_30_days":
        return Period(key, label, as_of - timedelta(days=29), as_of)
    if key == "last_90_days":
        return Period(key, label, as_of - timedelta(days=89), as_of)
    if key == "this_quarter":
        start = _quarter_start(as_of)
        return Period(key, label, start, _add_months(start, 3) - timedelta(days=1))
    if key == "last_quarter":
        end = _quarter_start(as_of) - timedelta(days=1)
        return Period(key, label, _quarter_start(end), end)
    if key == "this_year":
        return Period(key, label, date(as_of.year, 1, 1), date(as_of.year, 12, 31))
    if key == "last_year":
        return Period(key, label, date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31))
    if key == "last_12_months":
        # Whole months: the current (partial) month and the eleven before it.
        start = _add_months(date(as_of.year, as_of.month, 1), -11)
        return Period(key, label, start, as_of)
    if key == ALL_TIME:
        return Period(key, label, None, None)
    # Custom range.
    if not custom:
        fallback = resolve("last_90_days", as_of)
        return Period(key, label, fallback.start, fallback.end)
    start = custom[0]
    end = custom[1] if len(custom) > 1 and custom[1] is not None else start
    if end < start:
        start, end = end, start
    return Period(key, label, start, end)


def default_custom_range(as_of: date) -> tuple[date, date]:
    """Return the range a custom period starts with: the last 90 days."""
    return as_of - timedelta(days=89), as_of
