"""SQL expressions that turn text cells into dates, amounts, numbers and flags (NULL = unparseable)."""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """Return name as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_list(values: list[str] | tuple[str, ...]) -> str:
    """Return a SQL list literal of fixed strings from this module (never user input)."""
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


_YMD = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
_DMY = (
    "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y",
)  # fmt: skip
_MDY = (
    "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M",
    "%m/%d/%y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m-%d-%Y %H:%M:%S", "%m-%d-%Y",
)  # fmt: skip


def _plausible(expr: str) -> str:
    # A four-digit-year format happily reads "24" as the year 24; such dates are typos.
    return f"(CASE WHEN year({expr}) BETWEEN 1900 AND 2200 THEN {expr} END)"


def iso_timestamp(v: str) -> str:
    """Return SQL parsing ISO 8601 text (with or without offset) to a UTC TIMESTAMP."""
    return _plausible(f"timezone('UTC', try_cast({v} AS TIMESTAMPTZ))")


def ymd_timestamp(v: str) -> str:
    """Return SQL parsing YYYY/MM/DD-style text."""
    return _plausible(f"try_strptime({v}, {sql_list(_YMD)})")


def dmy_timestamp(v: str) -> str:
    """Return SQL parsing day-first text (DD/MM/YYYY)."""
    return _plausible(f"try_strptime({v}, {sql_list(_DMY)})")


def mdy_timestamp(v: str) -> str:
    """Return SQL parsing month-first text (MM/DD/YYYY, as US exports write it)."""
    return _plausible(f"try_strptime({v}, {sql_list(_MDY)})")


def excel_timestamp(v: str) -> str:
    """Return SQL reading an Excel serial day number (1954..2119) as a TIMESTAMP."""
    return (
        f"(CASE WHEN regexp_full_match({v}, '[0-9]{{5}}(\\.[0-9]+)?') "
        f"AND try_cast({v} AS DOUBLE) BETWEEN 20000 AND 80000 "
        f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(try_cast({v} AS DOUBLE) "
        f"* 86400000000) AS BIGINT)) END)"
    )


def timestamp(v: str, order: str | None) -> str:
    """Return SQL parsing a date or timestamp cell with the column's day/month order."""
    parts = [iso_timestamp(v), ymd_timestamp(v)]
    if order == "dmy":
        parts.append(dmy_timestamp(v))
    elif order == "mdy":
        parts.append(mdy_timestamp(v))
    else:
        # Undecided columns hold only values both orders read the same way.
        parts.append(dmy_timestamp(v))
    parts.append(excel_timestamp(v))
    return "coalesce(" + ", ".join(parts) + ")"


def date_order_probe(v: str) -> list[str]:
    """Return SQL aggregates describing a date column: counts that decide its day/month order."""
    dmy, mdy = dmy_timestamp(v), mdy_timestamp(v)
    direct = f"coalesce({iso_timestamp(v)}, {ymd_timestamp(v)}, {excel_timestamp(v)})"
    return [
        f"count(*) FILTER (WHERE {direct} IS NULL AND {dmy} IS NOT NULL AND {mdy} IS NULL)",
        f"count(*) FILTER (WHERE {direct} IS NULL AND {mdy} IS NOT NULL AND {dmy} IS NULL)",
        f"min(__rowid) FILTER (WHERE {direct} IS NULL AND {dmy} <> {mdy})",
    ]


_CURRENCY = r"^(USD|EUR|GBP|JPY|US\$|\$|€|£|¥|￥)\s*|\s*(USD|EUR|GBP|JPY|\$|€|£|¥|￥|円)$"


def number(v: str) -> str:
    """Return SQL reading a number written with currency symbols and thousands separators."""
    s = f"replace(replace(regexp_replace(trim({v}), '{_CURRENCY}', '', 'g'), ' ', ''), chr(160), '')"
    return (
        f"(CASE "
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


def integer(v: str) -> str:
    """Return SQL reading a whole number (NULL when it has a fraction)."""
    n = number(v)
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
