"""How numbers, dates and text from the data are written on the pages (no Streamlit here)."""

from __future__ import annotations

import re
from datetime import date, datetime

MISSING = "—"

# Every ASCII punctuation character CommonMark lets a backslash escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def count(n: int | None) -> str:
    """Return a count with thousands separators ("12,345"), or a dash when unknown."""
    return MISSING if n is None else f"{n:,}"


def day(d: date | datetime | None) -> str:
    """Return a date as "3 Jan 2025" (a dash when missing)."""
    if d is None:
        return MISSING
    return f"{d.day} {d:%b %Y}"


def day_range(first: date | None, last: date | None) -> str:
    """Return a date range as "3 Jan 2025 – 28 Jun 2025" (shortened when both ends are equal)."""
    if first is None and last is None:
        return MISSING
    if first == last:
        return day(first)
    return f"{day(first)} – {day(last)}"


def share(part: int, total: int) -> str:
    """Return part / total as a whole percentage ("42%"), or a dash when total is zero."""
    return MISSING if not total else f"{part / total:.0%}"


def escape_markdown(text: str) -> str:
    """Return text that Streamlit's markdown shows literally (for messages holding paths or data)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
