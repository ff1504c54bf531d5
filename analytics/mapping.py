"""Which source column feeds which canonical column: presets, synonyms and the user's own mapping."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analytics.errors import MappingError
from analytics.presets import PRESETS, SYNONYMS, Preset, detect_preset, normalize_header
from analytics.schema import IMPORTABLE
from analytics.wording import counted

# HubSpot writes one column per stage with the date a deal entered it.
_HUBSPOT_ENTERED = re.compile(r'^Date entered "(?P<stage>.+) \((?P<pipeline>.+)\)"$')
_HUBSPOT_ENTERED_API = re.compile(r"^hs_(?:v2_)?date_entered_(?P<stage>(?!current_stage).+)$")


@dataclass(frozen=True)
class EnteredColumn:
    """A column holding the date deals entered one stage (HubSpot's "Date entered ...")."""

    source: str
    stage: str
    pipeline: str | None


@dataclass
class Mapping:
    """How one file maps onto one canonical table."""

    kind: str
    preset: Preset
    columns: dict[str, tuple[str, ...]]
    constants: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    entered_columns: list[EnteredColumn] = field(default_factory=list)
    # Canonical columns written across several source columns, joined with a space
    # (a contact's FirstName and LastName).
    joined: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # False when the kind was guessed and the headers do not show it: a file of another
    # table (Salesforce's Campaign.csv) maps a few columns every record has onto any kind.
    identified: bool = True
    # Per canonical column read from the file: cell value (compared trimmed, in any case) ->
    # the value stored instead (empty: no value), as the user asked (--value).
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        """Return the required canonical columns that neither a column nor a constant gives."""
        table = IMPORTABLE[self.kind]
        return [
            c.name
            for c in table.columns
            if c.required and c.name not in self.columns and c.name not in self.constants
        ]

    def describe(self, replaced_rows: dict[str, dict[str, int]] | None = None) -> dict[str, str]:
        """Return canonical column -> where its value comes from, for people to read.

        replaced_rows (column -> value -> rows it was found in) adds those counts.
        """
        out = {c: " / ".join(s) for c, s in self.columns.items()}
        out.update({c: " + ".join(s) for c, s in self.joined.items()})
        out.update({c: f"= {v!r}" for c, v in self.constants.items()})
        for c, replaced in self.values.items():
            found = (replaced_rows or {}).get(c)
            pairs = ", ".join(
                f"{k!r} -> {v!r}" + (f" ({_rows(found.get(k, 0))})" if found is not None else "")
                for k, v in replaced.items()
            )
            out[c] += f" (values replaced: {pairs})"
        return out


def _rows(n: int) -> str:
    return "in no row" if n == 0 else counted(n, "row", thousands=True)


_FIRST_NAMES = ("first_name", "firstname", "given_name")
_LAST_NAMES = ("last_name", "lastname", "surname", "family_name")


def _name_parts(headers: list[str]) -> tuple[str, ...]:
    """Return the first- and last-name columns of a file without a full-name column."""
    by_norm = {normalize_header(h): h for h in headers}
    first = next((by_norm[n] for n in _FIRST_NAMES if n in by_norm), None)
    last = next((by_norm[n] for n in _LAST_NAMES if n in by_norm), None)
    if last is None:
        return ()
    return (first, last) if first else (last,)


def _entered_columns(headers: list[str]) -> list[EnteredColumn]:
    out = []
    for h in headers:
        m = _HUBSPOT_ENTERED.match(h.strip())
        if m:
            out.append(EnteredColumn(h, m["stage"], m["pipeline"]))
            continue
        m = _HUBSPOT_ENTERED_API.match(h.strip())
        if m:
            out.append(EnteredColumn(h, m["stage"], None))
    return out


def _auto_columns(kind: str, headers: list[str], preset: Preset) -> dict[str, tuple[str, ...]]:
    by_lower = {h.strip().lower(): h for h in headers}
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalize_header(h), h)
    used: set[str] = set()
    columns: dict[str, tuple[str, ...]] = {}
    for canonical, candidates in preset.columns.get(kind, {}).items():
        found = tuple(
            dict.fromkeys(by_lower[c.lower()] for c in candidates if c.lower() in by_lower)
        )
        if found:
            columns[canonical] = found
    for sources in columns.values():
        used.update(sources)
    for canonical, synonyms in SYNONYMS.get(kind, {}).items():
        if canonical in columns:
            continue
        for synonym in synonyms:
            source = by_norm.get(synonym)
            if source is not None and source not in used:
                columns[canonical] = (source,)
                used.add(source)
                break
    return columns


def _score(kind: str, headers: list[str], preset: Preset, columns: dict) -> int:
    present = {h.strip().lower() for h in headers}
    markers = preset.kind_markers.get(kind, ())
    # A CRM's tell-tale header for a kind outranks everything else.
    bonus = 10_000 if markers and any(m.lower() in present for m in markers) else 0
    return len(columns) + bonus


# Per kind, canonical columns that records of other tables do not have: an auto-detected kind
# needs one of them (or its key named after the kind, "deal_id" rather than "Id").
_TELLING = {
    "pipelines": ("position", "rotting_days"),
    "organizations": ("industry", "employees", "country", "region"),
    "contacts": ("email", "is_customer"),
    "leads": ("converted_at", "is_converted", "disqualified_reason"),
    "deals": ("stage", "amount", "expected_close_date", "lost_reason", "is_won"),
    "stage_events": ("stage",),
    "activities": ("subject", "due_at", "completed_at", "outcome", "is_done"),
    "targets": ("metric", "target_value"),
    "exchange_rates": ("rate_date",),
}
# Key headers that say nothing of the kind: every table of a CRM has an "Id".
_ANY_RECORD_ID = ("id", "record_id")
# Headers that name the kind of their records where the key does not (Zoho and Vtiger call every
# key "Record Id"): no other kind of export has them.
_NAMING_HEADERS = {"leads": ("lead_status", "lead_owner")}


def _identifies(mapping: Mapping, headers: list[str]) -> bool:
    """Return whether the headers show the mapping's kind rather than merely fit it."""
    markers = mapping.preset.kind_markers.get(mapping.kind)
    if markers:
        present = {h.strip().lower() for h in headers}
        if not any(m.lower() in present for m in markers):
            return False
    if any(c in mapping.columns for c in _TELLING[mapping.kind]):
        return True
    naming = _NAMING_HEADERS.get(mapping.kind, ())
    if any(normalize_header(h) in naming for h in headers):
        return True
    key = IMPORTABLE[mapping.kind].key
    named = SYNONYMS[mapping.kind].get(key, ()) if key else ()
    return any(
        normalize_header(s) in named and normalize_header(s) not in _ANY_RECORD_ID
        for s in mapping.columns.get(key, ())
    )


def resolve_mapping(
    headers: list[str],
    *,
    kind: str | None = None,
    preset: str = "auto",
    explicit: dict[str, str] | None = None,
    constants: dict[str, str] | None = None,
    values: dict[str, dict[str, str]] | None = None,
) -> Mapping:
    """Return the mapping of a file: its kind, preset, and source column per canonical column.

    values (canonical column -> cell value -> value stored) apply to the columns the file
    gives; a column of no kind of record is a MappingError.
    """
    explicit = dict(explicit or {})
    constants = dict(constants or {})
    if preset == "auto":
        chosen = detect_preset(headers)
    elif preset in PRESETS:
        chosen = PRESETS[preset]
    else:
        raise MappingError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if kind is not None and kind not in IMPORTABLE:
        raise MappingError(f"unknown kind {kind!r}; choose one of {', '.join(IMPORTABLE)}")
    kinds = [kind] if kind else list(IMPORTABLE)
    best: Mapping | None = None
    best_score = -1
    for candidate in kinds:
        table = IMPORTABLE[candidate]
        names = {c.name for c in table.columns}
        for target in list(explicit) + list(constants):
            if target not in names and kind is not None:
                raise MappingError(
                    f"{target!r} is not a column of {candidate}; "
                    f"its columns are {', '.join(sorted(names))}"
                )
        if any(t not in names for t in list(explicit) + list(constants)):
            continue
        columns = _auto_columns(candidate, headers, chosen)
        for target, source in explicit.items():
            columns[target] = (source,)
        merged_constants = {**chosen.constants.get(candidate, {}), **constants}
        for target in merged_constants:
            columns.pop(target, None)
        mapping = Mapping(candidate, chosen, columns, merged_constants)
        # A kind with every required column beats any kind missing one; among equals,
        # the kind that maps more columns wins.
        complete = 0 if mapping.missing_required() else 1000
        score = complete + _score(candidate, headers, chosen, columns)
        if score > best_score:
            best, best_score = mapping, score
    if best is None:
        raise MappingError("the mapping names columns that no kind of record has")
    if best.kind == "contacts" and "name" not in best.columns and "name" not in best.constants:
        parts = _name_parts(headers)
        if parts:
            best.joined["name"] = parts
    used = {s for sources in [*best.columns.values(), *best.joined.values()] for s in sources}
    if best.kind == "deals":
        best.entered_columns = _entered_columns(headers)
        used.update(e.source for e in best.entered_columns)
    best.unmapped = [h for h in headers if h not in used]
    best.identified = kind is not None or _identifies(best, headers)
    best.values = _replaced_values(best, values or {}, kind)
    return best


def value_replacements(
    triples: Iterable[tuple[str, str, str]],
) -> dict[str, dict[str, str]]:
    """Return (column, value in the file, value stored) triples as column -> file value -> value."""
    out: dict[str, dict[str, str]] = {}
    for column, found, value in triples:
        out.setdefault(column, {})[found] = value
    return out


def check_value_columns(
    values: dict[str, dict[str, str]], kind: str | None, constants: dict[str, str] | None = None
) -> None:
    """Raise MappingError for a replaced column that is no column of kind (of any kind: None),
    or that a constant (--set) fills: its one value is the user's own."""
    kinds = [kind] if kind else list(IMPORTABLE)
    for column in values:
        if not any(column in {c.name for c in IMPORTABLE[k].columns} for k in kinds):
            where = f"of {kind}" if kind else "of any kind of record"
            raise MappingError(f"--value {column}: {column!r} is not a column {where}")
        if column in (constants or {}):
            raise MappingError(
                f"--value {column}: --set gives {column} one value; set the value to store instead"
            )


def _replaced_values(
    mapping: Mapping, values: dict[str, dict[str, str]], kind: str | None
) -> dict[str, dict[str, str]]:
    """Return the value replacements that apply to the mapping's columns read from the file."""
    check_value_columns(values, kind, mapping.constants)
    return {
        column: dict(replaced)
        for column, replaced in values.items()
        if column in mapping.columns or column in mapping.joined
    }
