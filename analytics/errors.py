"""The few named errors the analytics package raises, and the problem records imports report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analytics.wording import counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is, what the value was, and what is wrong."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f'column "{self.column}"')
        shown = ""
        if self.value is not None:
            text = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            shown = f" (value {text!r})"
        return f"{', '.join(where)}: {self.message}{shown}"


@dataclass(frozen=True)
class Note:
    """A data-quality observation about imported rows: counted and shown, not an error.

    message is written for a plural count and stays so: the pages key their translations on
    it. one, the same for a single row, is what the command line prints when count is 1.
    """

    file: str
    column: str | None
    count: int
    message: str
    rows: tuple[int, ...] = field(default=())
    one: str | None = field(default=None, kw_only=True)

    def __str__(self) -> str:
        col = f' column "{self.column}"' if self.column else ""
        sample = ""
        if self.rows:
            shown = self.rows[:5]
            more = ", ..." if self.count > len(shown) else ""
            noun = "row" if len(shown) == 1 and not more else "rows"
            sample = f" ({noun} {', '.join(str(r) for r in shown)}{more})"
        text = self.one if self.count == 1 and self.one else self.message
        return f"{self.file}{col}: {self.count} {text}{sample}"


class AnalyticsError(Exception):
    """Base of every error this package raises on purpose."""

    title = "Error"


class Rejected(AnalyticsError):
    """A write was refused; problems lists every reason, and nothing was written.

    Subclasses name what was refused (title) and what did not happen (outcome).
    """

    outcome = "nothing was written"

    def __init__(self, problems: list):
        self.problems = list(problems)
        super().__init__(f"{counted(len(self.problems), 'problem')} found; {self.outcome}")


class ImportRejected(Rejected):
    """The import was refused; problems lists every reason, and nothing was written."""

    title = "Import refused"
    outcome = "nothing was imported"


class StoreBusy(AnalyticsError):
    """Another process has the database file open for writing."""

    title = "Database in use"

    def __init__(self, path: Path, pid: int | None):
        self.path = path
        self.pid = pid
        held = f" (process {pid})" if pid else ""
        super().__init__(
            f"The database {path} is open in another program{held}, most likely the running "
            "dashboard. Stop the dashboard and run the command again, or give another "
            "database with --db."
        )


class SchemaTooNew(AnalyticsError):
    """The database was written by a newer version of this program."""

    title = "Database too new"


class MappingError(AnalyticsError):
    """A column mapping or constant given by the user does not fit the file or the schema."""

    title = "Mapping error"
