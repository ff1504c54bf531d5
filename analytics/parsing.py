"""SQL expressions that turn text cells into dates, amounts, numbers and flags (NULL = unparseable)."""

from __future__ import annotations

import re


def quote_ident(name: str) -> str:
    """Return name as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_list(values: list[str] | tuple[str, ...]) -> str:
    """Return a SQL list literal of fixed strings from this module (never user input)."""
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


_YMD = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
# Day-first and month-first formats, split by two- and four-digit years: a four-digit-year
# format happily reads "24" as the year 24.
_FORMATS = {
    ("dmy", 2): ("%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y"),
    ("dmy", 4): (
        "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
        "%d/%m/%Y",
        "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
        "%d-%m-%Y",
    ),
    ("mdy", 2): (
        "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M",
        "%m/%d/%y", "%m-%d-%y",
    ),
    ("mdy", 4): (
        "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
        "%m/%d/%Y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M", "%m-%d-%Y",
    ),
}  # fmt: skip

# Shapes of a date cell, tested with cheap regular expressions before any parsing.
_ISO = "'^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}'"
_YMD_SHAPE = "'^[0-9]{4}[/.年][0-9]{1,2}'"
_DM2 = "'^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}([^0-9]|$)'"
_DM4 = "'^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}'"
_EXCEL = "'[0-9]{5}(\\.[0-9]+)?'"
_OFFSET = "'(Z| ?UTC|[+-][0-9]{2}:?[0-9]{2})$'"


def _year_ok(year_text: str) -> str:
    return f"{year_text} BETWEEN '1900' AND '2200'"


def in_years(stamp: str) -> str:
    """Return SQL true for a timestamp of the years 1900 to 2200, the dates this importer reads
    (two comparisons: a third of the cost of year() on 9.4M activities)."""
    return f"({stamp} >= TIMESTAMP '1900-01-01' AND {stamp} < TIMESTAMP '2201-01-01')"


def _digit_at(v: str, i: int) -> str:
    """Return SQL true when the i-th character (from 1) of v is a digit."""
    return f"substr({v}, {i}, 1) BETWEEN '0' AND '9'"


def fast_formats(order: str | None) -> tuple[str, ...]:
    """Return the formats a column of the given day/month order may be read in directly."""
    order = order or "dmy"
    return _FORMATS[(order, 4)] + _FORMATS[(order, 2)] + _YMD


def every_fast_format() -> tuple[str, ...]:
    """Return the formats a column of either day/month order may be read in directly."""
    return fast_formats("dmy") + _FORMATS[("mdy", 4)] + _FORMATS[("mdy", 2)]


# Each fast format's order ("ymd" for year first) and year digits.
_FAMILIES = {f: ("ymd", 4) for f in _YMD} | {
    f: key for key, formats in _FORMATS.items() for f in formats
}


def _family(fast: str) -> tuple[str, int]:
    """Return a fast format's order and year digits; refuse any string not of this module."""
    if fast not in _FAMILIES:
        raise ValueError(f"not a date format of this module: {fast}")
    return _FAMILIES[fast]


def _fast(v: str, fast: str | None) -> str:
    """Return the CASE branch reading a cell in the column's commonest format, or nothing.

    It reads a cell only as the branches of timestamp() after it would: one format at most
    fits a cell, and what fits, they send to the same format. The year bounds are theirs.
    strptime is laxer than their shape tests in two ways only: it skips leading white space
    (cells arrive trimmed, but a digit first is cheap to require), and %y takes a one-digit
    year ("1/1/7"), so two-digit-year formats keep their shape test. ISO cells never fit.
    """
    if fast is None:
        return ""
    _, digits = _family(fast)
    shape = _digit_at(v, 1) if digits == 4 else f"regexp_matches({v}, {_DM2})"
    parsed = f"try_strptime({v}, '{fast}')"
    return f"WHEN {in_years(parsed)} AND {shape} THEN {parsed} "


def timestamp(v: str, order: str | None, fast: str | None = None) -> str:
    """Return SQL parsing a date or timestamp cell (NULL when unreadable) to a UTC TIMESTAMP.

    order is the column's day/month order, "dmy" or "mdy"; None reads day-first, which is
    only used for columns whose values read the same either way. fast is the column's
    commonest format (one of fast_formats(order)), tried first; it changes no result.
    """
    order = order or "dmy"
    dm4_year = f"regexp_extract({v}, '^[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-]([0-9]{{4}})', 1)"
    # Most exports write plain "YYYY-MM-DD[ HH:MM:SS]": recognised with string tests alone.
    # The year is cast, not compared as text: "2-11-2024" and "20-1-2024" start with text
    # between "1900" and "2200" too.
    plain_iso = (
        f"substr({v}, 5, 1) = '-' AND length({v}) <= 19 AND right({v}, 1) BETWEEN '0' AND '9' "
        f"AND strpos(substr({v}, 11), '-') = 0 AND strpos({v}, '+') = 0 "
        f"AND try_cast(left({v}, 4) AS INTEGER) BETWEEN 1900 AND 2200"
    )
    return (
        f"(CASE {_fast(v, fast)}WHEN {plain_iso} THEN try_cast({v} AS TIMESTAMP) "
        f"WHEN regexp_matches({v}, {_ISO}) THEN (CASE WHEN {_year_ok(f'left({v}, 4)')} THEN "
        f"(CASE WHEN regexp_matches({v}, {_OFFSET}) "
        f"THEN timezone('UTC', try_cast({v} AS TIMESTAMPTZ)) "
        f"ELSE try_cast({v} AS TIMESTAMP) END) END) "
        f"WHEN regexp_matches({v}, {_YMD_SHAPE}) THEN (CASE WHEN {_year_ok(f'left({v}, 4)')} "
        f"THEN try_strptime({v}, {sql_list(_YMD)}) END) "
        f"WHEN regexp_matches({v}, {_DM2}) THEN try_strptime({v}, {sql_list(_FORMATS[(order, 2)])}) "
        f"WHEN regexp_matches({v}, {_DM4}) THEN (CASE WHEN {_year_ok(dm4_year)} "
        f"THEN try_strptime({v}, {sql_list(_FORMATS[(order, 4)])}) END) "
        f"WHEN regexp_full_match({v}, {_EXCEL}) AND try_cast({v} AS DOUBLE) BETWEEN 20000 AND 80000 "
        f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(try_cast({v} AS DOUBLE) "
        f"* 86400000000) AS BIGINT)) "
        f"END)"
    )


def date_order_parts(v: str, fast: str | None = None) -> tuple[str, str]:
    """Return SQL for the first and second number of a day/month date cell (NULL otherwise).

    fast is the column's commonest format (one of every_fast_format()): a cell it reads (a digit
    first) is the shape the regular expressions below look for, and its numbers are the
    parsed day and month, so they are taken from strptime, far cheaper.
    """
    # Cells with digits second and third (ISO ones) are skipped before any regular expression
    # runs: a day/month cell has a separator second or third.
    candidate = f"NOT ({_digit_at(v, 2)} AND {_digit_at(v, 3)})"
    first = (
        f"WHEN {candidate} THEN try_cast(regexp_extract({v}, "
        f"'^([0-9]{{1,2}})[/.-][0-9]{{1,2}}[/.-][0-9]', 1) AS INTEGER) END"
    )
    second = (
        f"WHEN {candidate} THEN try_cast(regexp_extract({v}, "
        f"'^[0-9]{{1,2}}[/.-]([0-9]{{1,2}})[/.-][0-9]', 1) AS INTEGER) END"
    )
    if fast is None:
        return f"CASE {first}", f"CASE {second}"
    order, _ = _family(fast)
    parsed = f"try_strptime({v}, '{fast}')"
    if order == "ymd":
        # A four-digit year first ("1/1/7" reads as the year 1): no day/month cell.
        year_first = f"WHEN {in_years(parsed)} THEN NULL "
        return f"CASE {year_first}{first}", f"CASE {year_first}{second}"
    read = f"WHEN {parsed} IS NOT NULL AND {_digit_at(v, 1)} THEN "
    day, month = f"day({parsed})", f"month({parsed})"
    a, b = (day, month) if order == "dmy" else (month, day)
    return f"CASE {read}{a} {first}", f"CASE {read}{b} {second}"


def date_order_probe(first: str, second: str) -> list[str]:
    """Return SQL aggregates over day/month parts: day-first evidence, month-first evidence,
    and the first row whose value reads differently either way."""
    return [
        f"count(*) FILTER (WHERE {first} > 12 AND {second} <= 12)",
        f"count(*) FILTER (WHERE {second} > 12 AND {first} <= 12)",
        f"min(__rowid) FILTER (WHERE {first} <= 12 AND {second} <= 12 AND {first} <> {second})",
    ]


_CURRENCY = r"^(USD|EUR|GBP|JPY|US\$|\$|€|£|¥|￥)\s*|\s*(USD|EUR|GBP|JPY|\$|€|£|¥|￥|円)$"


def _number_text(v: str) -> str:
    """Return SQL for a number cell without currency signs and spaces."""
    return f"replace(replace(regexp_replace(trim({v}), '{_CURRENCY}', '', 'g'), ' ', ''), chr(160), '')"


def _grouped(s: str, group: str, decimal: str) -> str:
    """Return SQL reading text written with the given thousands and decimal separators."""
    g, d = re.escape(group), re.escape(decimal)
    digits = f"[0-9]{{1,3}}({g}[0-9]{{3}})*|[0-9]+"
    pattern = f"[-+]?({digits})({d}[0-9]+)?([eE][-+]?[0-9]+)?"
    canonical = f"replace(replace({s}, '{group}', ''), '{decimal}', '.')"
    negative = f"\\(({digits})({d}[0-9]+)?\\)"
    return (
        f"WHEN regexp_full_match({s}, '{pattern}') THEN try_cast({canonical} AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '{negative}') "
        f"THEN -try_cast(replace(replace({canonical}, '(', ''), ')', '') AS DOUBLE) "
    )


def number(v: str, decimal: str | None = None) -> str:
    """Return SQL reading a number written with currency symbols and thousands separators.

    decimal is the column's decimal separator ("," or "."), None when no cell tells: then
    "1,234" is a thousand and "12,5" twelve and a half.
    """
    s = _number_text(v)
    if decimal == ",":
        return f"(CASE {_grouped(s, '.', ',')}END)"
    if decimal == ".":
        return f"(CASE {_grouped(s, ',', '.')}END)"
    plain = f"regexp_full_match({v}, '-?[0-9]+(\\.[0-9]+)?')"
    return (
        f"(CASE WHEN {plain} THEN try_cast({v} AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '[-+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?') "
        f"THEN try_cast({s} AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '[-+]?\\.[0-9]+') THEN try_cast({s} AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '[-+]?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?') "
        f"THEN try_cast(replace({s}, ',', '') AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '[-+]?[0-9]{{1,3}}(\\.[0-9]{{3}})+(,[0-9]+)?') "
        f"THEN try_cast(replace(replace({s}, '.', ''), ',', '.') AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '[-+]?[0-9]+,[0-9]{{1,2}}') "
        f"THEN try_cast(replace({s}, ',', '.') AS DOUBLE) "
        f"WHEN regexp_full_match({s}, '\\([0-9][0-9,]*(\\.[0-9]+)?\\)') "
        f"THEN -try_cast(replace(replace(replace({s}, ',', ''), '(', ''), ')', '') AS DOUBLE) "
        f"END)"
    )


def decimal_probe(v: str) -> list[str]:
    """Return SQL aggregates: cells proving a decimal comma, and cells proving a decimal point."""
    s = _number_text(v)
    comma = (
        f"strpos({v}, ',') > 0 AND (regexp_full_match({s}, '[-+]?[0-9.]*[0-9],[0-9]{{1,2}}') "
        f"OR regexp_full_match({s}, '[-+]?[0-9]{{1,3}}(\\.[0-9]{{3}})+,[0-9]+'))"
    )
    # "12500.50" needs no currency stripping: test the cell as it is first.
    point = (
        f"strpos({v}, '.') > 0 AND (regexp_full_match({v}, '-?[0-9]*[0-9]\\.[0-9]{{1,2}}') "
        f"OR (regexp_full_match({s}, '[-+]?[0-9,]*[0-9]\\.[0-9]{{1,2}}') "
        f"OR regexp_full_match({s}, '[-+]?[0-9]{{1,3}}(,[0-9]{{3}})+\\.[0-9]+')))"
    )
    return [f"count(*) FILTER (WHERE {comma})", f"count(*) FILTER (WHERE {point})"]


def integer(v: str, decimal: str | None = None) -> str:
    """Return SQL reading a whole number (NULL when it has a fraction)."""
    n = number(v, decimal)
    return f"(CASE WHEN {n} = floor({n}) AND abs({n}) < 9e15 THEN CAST({n} AS BIGINT) END)"


TRUE_WORDS = ("1", "true", "t", "yes", "y", "x", "✓", "はい", "done", "completed", "won")
FALSE_WORDS = ("0", "false", "f", "no", "n", "いいえ", "not done", "open")


def boolean(v: str) -> str:
    """Return SQL reading a yes/no flag in the spellings exports use."""
    low = f"lower(trim({v}))"
    return (
        f"(CASE WHEN {low} IN {tuple(TRUE_WORDS)} THEN true "
        f"WHEN {low} IN {tuple(FALSE_WORDS)} THEN false END)"
    )
