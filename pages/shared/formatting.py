"""How numbers, amounts, dates and text from the data are written on the pages (no Streamlit).

Formats follow the interface language through babel's CLDR data (pages/shared/locale.py):
"$1,234,567" and "Jan 3, 2025" in English, "$123.5万" and "2025/01/03" in Japanese.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
)

from analytics.filters import NONE
from pages.shared.locale import _, babel_locale, plural

MISSING = "—"

# Every ASCII punctuation character CommonMark lets a backslash escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def _missing(value: object) -> bool:
    """Return True for None, NaN, NaT and pandas' NA: what a table holds where nothing is."""
    if value is None or isinstance(value, str):
        return value is None
    return bool(pd.isna(value))


def count(n: int | None) -> str:
    """Return a count with the language's thousands separators ("12,345"), or a dash."""
    return MISSING if _missing(n) else format_decimal(int(n), locale=babel_locale())


def number(x: float | None, digits: int = 1) -> str:
    """Return a number with up to `digits` decimals ("12.5"), or a dash when unknown."""
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(x, pattern, locale=babel_locale())


def _compact_fraction(amount: float) -> int:
    """Return the decimals a compact amount keeps: one below 100 units of its scale ("$1.2M",
    "$12.3M"), none from there ("$123M", "$1030万"), so a tile never shows five digits and a
    decimal."""
    whole = format_compact_decimal(abs(amount), locale=babel_locale(), fraction_digits=0)
    return 1 if sum(c.isdigit() for c in whole) < 3 else 0


def money(amount: float | None, currency: str | None, *, compact: bool = False) -> str:
    """Return an amount in its currency ("$1,234,568"; compact: "$1.2M"), or a dash.

    Without a currency the amount is written as a plain number. Whole units only: pipeline
    amounts are never read to the cent on a dashboard.
    """
    if _missing(amount):
        return MISSING
    loc = babel_locale()
    if not currency:
        if compact:
            return format_compact_decimal(
                amount, locale=loc, fraction_digits=_compact_fraction(amount)
            )
        return format_decimal(round(amount), locale=loc)
    if compact and abs(amount) >= 10_000:
        return format_compact_currency(
            amount, currency, locale=loc, fraction_digits=_compact_fraction(amount)
        )
    return format_currency(
        round(amount), currency, format="¤#,##0", locale=loc, currency_digits=False
    )


def minor_units(currency: str | None) -> int:
    """Return how many decimals amounts in currency are written with (2 for USD, 0 for JPY)."""
    return get_currency_precision(currency) if currency else 2


def amount_header(currency: str | None) -> str:
    """Return the header of a table's column of amounts in currency ("Amount (USD)")."""
    return _("Amount ({currency})").format(currency=currency) if currency else _("Amount")


def amounts(values: pd.Series, currency: str | None) -> pd.Series:
    """Return amounts rounded to the currency's minor unit, for a table (converted amounts have
    many decimals)."""
    return values.astype("float64").round(minor_units(currency))


def rate_label(label: str, n: int, small: bool) -> str:
    """Return a rate's tile label with its n, marked when the sample is small.

    "Win rate (n=12, small sample)"; the tile's value is the bare percentage.
    """
    if small:
        return _("{label} (n={n}, small sample)").format(label=label, n=count(n))
    return _("{label} (n={n})").format(label=label, n=count(n))


def percent(rate: float | None, digits: int = 0) -> str:
    """Return a rate (0.423) as a percentage ("42%", digits=1: "42.3%"), or a dash."""
    if _missing(rate):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(rate, pattern, locale=babel_locale())


def days(x: float | None, digits: int = 0) -> str:
    """Return a duration in days ("12 days", "1 day"), or a dash when unknown."""
    if _missing(x):
        return MISSING
    # English reads the number as shown: "1 day" also for 0.96 shown as "1" (and "-1 day" for a
    # change), but "1.5 days" and "0.5 days".
    n = 1 if number(abs(x), digits) == number(1) else x
    return plural(n, "{n} day", "{n} days").format(n=number(x, digits))


def day(d: date | datetime | None) -> str:
    """Return a date in the language's medium format ("Jan 3, 2025"; "2025/01/03"), or a dash."""
    if _missing(d):
        return MISSING
    return format_date(d, "medium", locale=babel_locale())


def day_range(first: date | None, last: date | None) -> str:
    """Return a date range ("Jan 3, 2025 – Jun 28, 2025"; one date when both ends are equal)."""
    if _missing(first) and _missing(last):
        return MISSING
    if first == last:
        return day(first)
    return f"{day(first)} – {day(last)}"


def share(part: int, total: int) -> str:
    """Return part / total as a whole percentage ("42%"), or a dash when total is zero."""
    return MISSING if not total else percent(part / total)


def escape_markdown(text: str) -> str:
    """Return text that Streamlit's markdown shows literally (for messages holding paths or data)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _activity_type_names() -> dict[str, str]:
    # The importer's own types (analytics.schema.ACTIVITY_TYPES); a CRM's custom types keep
    # their name.
    return {
        "call": _("call"),
        "email": _("email"),
        "meeting": _("meeting"),
        "demo": _("demo"),
        "task": _("task"),
        "follow_up": _("follow up"),
    }


def activity_type(kind: object) -> str:
    """Return an activity type as people read it: the importer's types in the interface
    language ("follow_up": "follow up", フォローアップ), a custom one with spaces for its
    underscores, "(none)" for none."""
    if not isinstance(kind, str) or kind == NONE:
        return _("(none)")
    return _activity_type_names().get(kind) or kind.replace("_", " ")
