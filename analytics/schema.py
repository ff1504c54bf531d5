"""The canonical tables: every column, its type, and which ones an import must have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["id", "text", "timestamp", "date", "amount", "number", "integer", "boolean"]

SQL_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "amount": "DOUBLE",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind of value, and whether an import needs it."""

    name: str
    type: ColumnType
    required: bool = False
    stored: bool = True


@dataclass(frozen=True)
class Table:
    """One canonical table and the column that identifies its rows (None: rows have no key)."""

    name: str
    columns: tuple[Column, ...]
    key: str | None

    def column(self, name: str) -> Column:
        """Return the column called name; KeyError when the table has none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """Return the columns kept in the database table, in table order."""
        return tuple(c for c in self.columns if c.stored)


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


PIPELINES_STAGES = Table(
    "pipelines_stages",
    _cols(
        ("pipeline", "text", True),
        ("stage", "text", True),
        ("position", "integer", True),
        ("probability", "number"),
        ("rotting_days", "integer"),
    ),
    key=None,
)

ORGANIZATIONS = Table(
    "organizations",
    _cols(
        ("organization_id", "id", True),
        ("name", "text"),
        ("industry", "text"),
        ("employees", "integer"),
        ("region", "text"),
        ("country", "text"),
    ),
    key="organization_id",
)

CONTACTS = Table(
    "contacts",
    _cols(
        ("contact_id", "id", True),
        ("organization_id", "id"),
        ("name", "text"),
        ("email", "text"),
        ("created_at", "timestamp"),
        ("is_customer", "boolean"),
    ),
    key="contact_id",
)

LEADS = Table(
    "leads",
    _cols(
        ("lead_id", "id", True),
        ("created_at", "timestamp"),
        ("source", "text"),
        ("owner", "text"),
        ("status", "text"),
        ("converted_at", "timestamp"),
        ("deal_id", "id"),
        ("disqualified_reason", "text"),
        ("is_converted", "boolean", False, False),
    ),
    key="lead_id",
)

# Columns with stored=False are read from exports to derive stored ones
# (status from Salesforce's IsWon/IsClosed, say) and are not kept.
DEALS = Table(
    "deals",
    _cols(
        ("deal_id", "id", True),
        ("name", "text"),
        ("pipeline", "text"),
        ("stage", "text", True),
        ("status", "text"),
        ("amount", "amount"),
        ("currency", "text"),
        ("owner", "text"),
        ("team", "text"),
        ("source", "text"),
        ("organization_id", "id"),
        ("contact_id", "id"),
        ("lead_id", "id"),
        ("created_at", "timestamp", True),
        ("expected_close_date", "date"),
        ("closed_at", "timestamp"),
        ("lost_reason", "text"),
        ("industry", "text"),
        ("region", "text"),
        ("product", "text"),
        ("segment", "text"),
        ("last_stage_change_at", "timestamp"),
        ("is_won", "boolean", False, False),
        ("is_closed", "boolean", False, False),
        ("is_deleted", "boolean", False, False),
        ("is_active", "boolean", False, False),
    ),
    key="deal_id",
)

STAGE_EVENTS = Table(
    "stage_events",
    _cols(
        ("deal_id", "id", True),
        ("stage", "text", True),
        ("entered_at", "timestamp", True),
        ("history_id", "id", False, False),
        ("amount", "amount", False, False),
        ("expected_close_date", "date", False, False),
        ("is_deleted", "boolean", False, False),
    ),
    key=None,
)

ACTIVITIES = Table(
    "activities",
    _cols(
        ("activity_id", "id", True),
        ("type", "text"),
        ("owner", "text"),
        ("deal_id", "id"),
        ("lead_id", "id"),
        ("contact_id", "id"),
        ("organization_id", "id"),
        ("due_at", "timestamp"),
        ("completed_at", "timestamp"),
        ("subject", "text"),
        ("outcome", "text"),
        ("is_done", "boolean", False, False),
        ("is_deleted", "boolean", False, False),
    ),
    key="activity_id",
)

TARGETS = Table(
    "targets",
    _cols(
        ("target_id", "id"),
        ("scope", "text", True),
        ("scope_value", "text"),
        ("metric", "text", True),
        ("period_start", "date", True),
        ("period_end", "date", True),
        ("target_value", "number", True),
    ),
    key="target_id",
)

# Dated rates, Salesforce's DatedConversionRate convention: from rate_date on, one unit of the
# reporting currency is worth rate units of currency. Rows have no ID: a currency's rate on a
# day is identified by (currency, rate_date) (see writing.COMPOSITE_KEYS).
EXCHANGE_RATES = Table(
    "exchange_rates",
    _cols(
        ("currency", "text", True),
        ("rate_date", "date", True),
        ("rate", "number", True),
    ),
    key=None,
)

# The kinds of file a user can import, in the order an import writes them
# (pipelines first so that deals find their stages).
IMPORTABLE: dict[str, Table] = {
    "pipelines": PIPELINES_STAGES,
    "organizations": ORGANIZATIONS,
    "contacts": CONTACTS,
    "leads": LEADS,
    "deals": DEALS,
    "stage_events": STAGE_EVENTS,
    "activities": ACTIVITIES,
    "targets": TARGETS,
    "exchange_rates": EXCHANGE_RATES,
}

LEAD_STATUSES = ("new", "working", "converted", "disqualified")
TARGET_SCOPES = ("company", "team", "owner")
TARGET_METRICS = (
    "won_amount",
    "won_count",
    "new_deals",
    "pipeline_created",
    "activities_completed",
)
ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "task", "follow_up")

DEFAULT_PIPELINE = "Default"
DEFAULT_STAGES: tuple[tuple[str, float], ...] = (
    ("Prospecting", 0.10),
    ("Preparation", 0.20),
    ("Approach", 0.35),
    ("Presentation", 0.50),
    ("Handling objections", 0.65),
    ("Closing", 0.80),
)
