"""The filters every metric takes: period, as-of date, pipeline and conditions on deal columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import duckdb

from analytics.errors import AnalyticsError
from analytics.quality import data_as_of

# Deal columns that identify or time a deal rather than group it: not offered as dimensions.
_NOT_DIMENSIONS = {
    "deal_id", "name", "amount", "organization_id", "contact_id", "lead_id", "created_at",
    "expected_close_date", "closed_at", "last_stage_change_at", "custom",
}  # fmt: skip


# How breakdowns label deals without a value; as a filter value it selects those deals.
NONE = "(none)"


class UnknownColumn(AnalyticsError):
    """A filter or breakdown names a column the deals do not have."""

    title = "Unknown column"


class BadFilters(AnalyticsError):
    """The filters contradict themselves (a period that ends before it starts, say)."""

    title = "Invalid filters"


@dataclass(frozen=True)
class Filters:
    """What a metric looks at: immutable and hashable, so results can be cached by it.

    start and end bound the period (inclusive dates; None is open-ended). as_of is the day the
    figures describe (None: the default of data_as_of). where holds (column, values) pairs: a
    deal passes when, for every pair, its column holds one of the values.
    """

    start: date | None = None
    end: date | None = None
    as_of: date | None = None
    pipeline: str | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise BadFilters(f"The period ends ({self.end}) before it starts ({self.start}).")

    @classmethod
    def build(
        cls,
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
        pipeline: str | None = None,
        where: Mapping[str, Iterable[str]] | None = None,
    ) -> Filters:
        """Return filters with where normalised (sorted columns and values, empty lists dropped)."""
        pairs = tuple(
            (col, tuple(sorted({str(v) for v in values})))
            for col, values in sorted((where or {}).items())
        )
        return cls(start, end, as_of, pipeline, tuple(p for p in pairs if p[1]))

    def narrowed(self, column: str, values: Iterable[str]) -> Filters:
        """Return these filters with one more condition (replacing any on the same column)."""
        where = dict(self.where)
        where[column] = tuple(values)
        return Filters.build(self.start, self.end, self.as_of, self.pipeline, where)

    def with_period(self, start: date | None, end: date | None) -> Filters:
        """Return these filters over another period."""
        return replace(self, start=start, end=end)

    def describe(self) -> str:
        """Return the filters as a sentence for people ("closed ... in New Business, owner = Aiko")."""
        parts = []
        if self.start or self.end:
            parts.append(f"period {self.start or '…'} to {self.end or '…'}")
        else:
            parts.append("all time")
        if self.pipeline:
            parts.append(f"pipeline {self.pipeline}")
        for col, values in self.where:
            parts.append(f"{col} = {' or '.join(values)}")
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        return ", ".join(parts)


def resolve_as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> date:
    """Return the as-of date the filters mean: theirs, else the data's default."""
    return filters.as_of or data_as_of(con)


def as_of_end(as_of: date) -> date:
    """Return the first day after as_of: timestamps before it happened by the end of as_of."""
    return as_of + timedelta(days=1)


def dimensions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the columns deals can be filtered or broken down by, table columns then custom keys."""
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = 'deals' ORDER BY ordinal_position"
        ).fetchall()
        if r[0] not in _NOT_DIMENSIONS
    ]
    return cols + [k for k in custom_keys(con) if k not in cols]


def custom_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the keys of the deals' custom columns (extra export columns kept as they were)."""
    rows = con.execute(
        "SELECT DISTINCT k FROM (SELECT unnest(map_keys(custom)) AS k FROM deals "
        "WHERE custom IS NOT NULL) ORDER BY k"
    ).fetchall()
    return [r[0] for r in rows]


def column_sql(con: duckdb.DuckDBPyConnection, column: str, alias: str = "d") -> str:
    """Return the SQL reading a dimension of deal alias; UnknownColumn for anything else.

    Table columns are quoted identifiers; custom keys are read from the map with the key as a
    string literal, after checking that the key exists (it comes from the data, not from SQL).
    """
    table_cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = 'deals'"
        ).fetchall()
    ]
    if column in table_cols and column not in _NOT_DIMENSIONS:
        return f'{alias}."{column}"'
    if column in custom_keys(con):
        literal = "'" + column.replace("'", "''") + "'"
        # DuckDB's map lookup; the only non-standard SQL filters need.
        return f"element_at({alias}.custom, {literal})[1]"
    known = ", ".join(dimensions(con))
    raise UnknownColumn(f"Deals have no column {column!r}. Columns you can use: {known}.")


def deal_conditions(
    con: duckdb.DuckDBPyConnection, filters: Filters, alias: str = "d"
) -> tuple[str, list]:
    """Return (SQL condition, parameters) selecting the deals of alias that pass the filters.

    Covers pipeline and where, not the period or as-of date: each metric anchors those itself.
    """
    parts, params = ["TRUE"], []
    if filters.pipeline:
        parts.append(f"{alias}.pipeline = ?")
        params.append(filters.pipeline)
    for column, values in filters.where:
        expr = column_sql(con, column, alias)
        given = [v for v in values if v != NONE]
        tests = [f"{expr} IN ({', '.join('?' for _ in given)})"] if given else []
        if NONE in values:
            tests.append(f"{expr} IS NULL")
        parts.append("(" + " OR ".join(tests) + ")")
        params.extend(given)
    return " AND ".join(parts), params


def period_condition(expr: str, filters: Filters) -> tuple[str, list]:
    """Return (SQL condition, parameters) for a timestamp or date expr falling in the period."""
    parts, params = ["TRUE"], []
    if filters.start:
        parts.append(f"{expr} >= ?")
        params.append(filters.start)
    if filters.end:
        parts.append(f"{expr} < ?")
        params.append(as_of_end(filters.end))
    return " AND ".join(parts), params


def pipelines_in_scope(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """Return the pipelines of the deals that pass the filters' conditions, by name."""
    where, params = deal_conditions(con, filters, "d")
    rows = con.execute(
        f"SELECT DISTINCT d.pipeline FROM deals AS d WHERE d.pipeline IS NOT NULL AND {where} "
        "ORDER BY 1",
        params,
    ).fetchall()
    return [r[0] for r in rows]


def dimension_values(
    con: duckdb.DuckDBPyConnection, filters: Filters, column: str, limit: int = 1000
) -> list[str]:
    """Return the values column takes among the deals passing the filters (NONE for empty)."""
    expr = column_sql(con, column, "d")
    where, params = deal_conditions(con, filters, "d")
    rows = con.execute(
        f"SELECT DISTINCT coalesce(CAST({expr} AS VARCHAR), ?) AS v FROM deals AS d "
        f"WHERE {where} ORDER BY v LIMIT {int(limit)}",
        [NONE, *params],
    ).fetchall()
    return [r[0] for r in rows]


def key_sql(con: duckdb.DuckDBPyConnection, by: str, alias: str = "f") -> str:
    """Return the SQL of a breakdown key: dimension by of alias as text, NONE when empty."""
    return f"coalesce(CAST({column_sql(con, by, alias)} AS VARCHAR), '{NONE}')"
