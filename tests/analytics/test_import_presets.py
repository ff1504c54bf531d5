"""Every CRM preset, imported from small hand-written exports: the whole resulting tables.

Each fixture set lives in tests/fixtures/crm/<crm>/ with a README.md saying what each row tests.
Every set is imported once per module into a fresh DuckDB file; the tests then compare whole
tables (SELECT ... ORDER BY) to literal lists of tuples.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from analytics import derived, store
from analytics.errors import ImportRejected
from analytics.importer import ImportResult, import_files
from analytics.status import history_fidelity

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm"
TAKEN_AT = datetime(2024, 3, 1)

DEAL_COLUMNS = (
    "deal_id", "name", "pipeline", "stage", "status", "amount", "currency", "owner", "team",
    "source", "organization_id", "contact_id", "lead_id", "created_at", "expected_close_date",
    "closed_at", "lost_reason", "industry", "region", "product", "segment", "last_stage_change_at",
)  # fmt: skip


def T(text: str) -> datetime:
    """Return a timestamp written as 'YYYY-MM-DD HH:MM[:SS]'."""
    return datetime.fromisoformat(text)


def D(text: str) -> date:
    return date.fromisoformat(text)


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def deals(con, columns: str) -> list[tuple]:
    return rows(con, f"SELECT {columns} FROM deals ORDER BY deal_id")


def unlisted_deal_values(con, columns: str) -> dict[str, list]:
    """Return, per deals column not in columns, the deals where it holds a value (expected: none)."""
    listed = {c.strip() for c in columns.split(",")}
    out = {}
    for col in DEAL_COLUMNS:
        if col not in listed:
            out[col] = [
                r[0] for r in rows(con, f"SELECT deal_id FROM deals WHERE {col} IS NOT NULL")
            ]
    return {c: ids for c, ids in out.items() if ids}


def events(con) -> list[tuple]:
    return rows(
        con,
        "SELECT deal_id, stage, entered_at, source FROM stage_events "
        "ORDER BY deal_id, entered_at, stage",
    )


def changes(con) -> list[tuple]:
    return rows(
        con,
        "SELECT deal_id, field, old_value, new_value, changed_at FROM deal_changes "
        "ORDER BY deal_id, changed_at, field",
    )


def stages(con) -> list[tuple]:
    return rows(
        con,
        "SELECT pipeline, stage, position, probability, rotting_days FROM pipelines_stages "
        "ORDER BY pipeline, position",
    )


def snapshots(con) -> list[tuple]:
    return rows(
        con, "SELECT snapshot_id, taken_at, source_file, row_count FROM snapshots ORDER BY 1"
    )


def imports(con) -> list[tuple]:
    return rows(con, "SELECT source_file, kind, preset, row_count FROM imports ORDER BY 1")


def fidelity(history=0, snapshot=0, derived=0, none=0) -> dict[str, int]:
    return {"history": history, "snapshot": snapshot, "derived": derived, "none": none}


def detected(result: ImportResult) -> dict[str, tuple[str, str]]:
    return {f.file: (f.kind, f.preset) for f in result.files}


def notes_of(result: ImportResult, file: str, message: str) -> list[tuple]:
    """Return (column, count, rows) of the file's notes whose message contains message."""
    return sorted(
        (n.column, n.count, n.rows) for n in result.notes if n.file == file and message in n.message
    )


def _import(tmp_path_factory, name: str, files: list[Path], **kwargs):
    con = store.connect(tmp_path_factory.mktemp(name) / "t.duckdb")
    result = import_files(con, files, taken_at=TAKEN_AT, **kwargs)
    return con, result


# --- Salesforce weekly Data Export ------------------------------------------------------------

SF = FIXTURES / "salesforce" / "data_export"
U1, U2 = "0055g00000USR01AAA", "0055g00000USR02AAA"
OP = "0065g00000SFOP{}AAA".format
AC = "0015g00000ACC0{}AAA".format
SALESFORCE_STAGES = [
    ("Prospecting", 0.10), ("Qualification", 0.10), ("Needs Analysis", 0.20),
    ("Value Proposition", 0.50), ("Id. Decision Makers", 0.60), ("Perception Analysis", 0.70),
    ("Proposal/Price Quote", 0.75), ("Negotiation/Review", 0.90),
]  # fmt: skip


@pytest.fixture(scope="module")
def sf(tmp_path_factory):
    names = ["Opportunity.csv", "OpportunityHistory.csv", "Account.csv", "Lead.csv", "Task.csv",
             "Event.csv"]  # fmt: skip
    con, result = _import(tmp_path_factory, "sf", [SF / n for n in names])
    yield con, result
    con.close()


def test_salesforce_files_are_recognised(sf):
    _, result = sf
    assert detected(result) == {
        "Account.csv": ("organizations", "salesforce"),
        "Lead.csv": ("leads", "salesforce"),
        "Opportunity.csv": ("deals", "salesforce"),
        "OpportunityHistory.csv": ("stage_events", "salesforce"),
        "Task.csv": ("activities", "salesforce"),
        "Event.csv": ("activities", "salesforce"),
    }
    assert result.written


SF_DEAL_COLS = (
    "deal_id, name, pipeline, stage, status, amount, owner, source, organization_id, "
    "created_at, expected_close_date, closed_at, last_stage_change_at"
)


def test_salesforce_deals(sf):
    con, _ = sf
    assert deals(con, SF_DEAL_COLS) == [
        (OP(1), "Northwind Pilot", "Salesforce", "Qualification", "open", 15000.0, U1, "Web",
         AC(1), T("2024-01-08 09:15"), D("2024-04-30"), None, T("2024-01-20 14:00")),
        (OP(2), "Contoso Fleet Upgrade", "Salesforce", "Negotiation/Review", "open", 98000.0, U2,
         "Partner Referral", AC(2), T("2024-01-15 11:00"), D("2024-03-29"), None,
         T("2024-02-20 15:45")),
        # IsWon=1: won, the stage becomes the outcome, closed at the close date
        (OP(3), "Fabrikam Standby Generator", "Salesforce", "Won", "won", 220000.0, U1,
         "Trade Show", AC(3), T("2024-01-03 08:00"), D("2024-02-28"), T("2024-02-28 00:00"),
         T("2024-02-28 17:00")),
        # IsClosed=1, IsWon=0: lost (its account is not in Account.csv: kept, noted)
        (OP(4), "Tailspin Expansion", "Salesforce", "Lost", "lost", 40000.0, U2, "Web", AC(4),
         T("2024-02-01 10:30"), D("2024-03-05"), T("2024-03-05 00:00"), None),
        # closes before it was created: kept, noted
        (OP(5), "Northwind Backup Power", "Salesforce", "Won", "won", 7500.0, U1,
         "Phone Inquiry", AC(1), T("2024-01-10 10:00"), D("2023-12-20"), T("2023-12-20 00:00"),
         None),
        # empty lookup 000000000000000AAA and empty Amount: NULLs
        (OP(6), "Lakeshore Clinic Quote", "Salesforce", "Prospecting", "open", None, U1, None,
         None, T("2024-02-12 13:45"), D("2024-05-15"), None, None),
        # OP(7) has IsDeleted=1: skipped
    ]  # fmt: skip
    assert unlisted_deal_values(con, SF_DEAL_COLS) == {}


def test_salesforce_history_collapses_same_stage_rows_and_keeps_moves_back(sf):
    con, _ = sf
    assert events(con) == [
        # 4 history rows, 2 stage visits: amount and close-date rows are not stage events
        (OP(1), "Prospecting", T("2024-01-08 09:15"), "history"),
        (OP(1), "Qualification", T("2024-01-20 14:00"), "history"),
        # a move back to Needs Analysis and forward again: every visit is an event
        (OP(2), "Needs Analysis", T("2024-01-15 11:00"), "history"),
        (OP(2), "Proposal/Price Quote", T("2024-01-25 16:30"), "history"),
        (OP(2), "Needs Analysis", T("2024-02-02 10:00"), "history"),
        (OP(2), "Proposal/Price Quote", T("2024-02-10 09:00"), "history"),
        (OP(2), "Negotiation/Review", T("2024-02-20 15:45"), "history"),
        (OP(3), "Prospecting", T("2024-01-03 08:00"), "history"),
        (OP(3), "Value Proposition", T("2024-01-18 09:30"), "history"),
        (OP(3), "Won", T("2024-02-28 17:00"), "history"),
        (OP(4), "Qualification", T("2024-02-01 10:30"), "history"),
        (OP(4), "Lost", T("2024-03-05 12:00"), "history"),
        # no history rows: derived from created and closed dates (closed_at < created_at, so
        # the outcome is placed at creation)
        (OP(5), "Prospecting", T("2024-01-10 10:00"), "derived"),
        (OP(5), "Won", T("2024-01-10 10:00"), "derived"),
        (OP(6), "Prospecting", T("2024-02-12 13:45"), "derived"),
    ]
    assert history_fidelity(con) == fidelity(history=4, derived=2)


def test_salesforce_history_amount_and_close_date_changes(sf):
    con, _ = sf
    assert changes(con) == [
        (OP(1), "amount", "10000.0", "15000.0", T("2024-01-12 10:00")),
        (OP(1), "expected_close_date", "2024-03-31", "2024-04-30", T("2024-02-01 08:00")),
        (OP(3), "amount", "200000.0", "220000.0", T("2024-01-18 09:30")),
        (OP(4), "expected_close_date", "2024-03-31", "2024-03-05", T("2024-03-05 12:00")),
    ]


def test_salesforce_pipeline_snapshot_and_import_log(sf):
    con, _ = sf
    assert stages(con) == [
        ("Salesforce", s, i, p, None) for i, (s, p) in enumerate(SALESFORCE_STAGES, start=1)
    ]
    assert snapshots(con) == [(1, TAKEN_AT, "Opportunity.csv", 6)]
    assert imports(con) == [
        ("Account.csv", "organizations", "salesforce", 3),
        ("Event.csv", "activities", "salesforce", 3),
        ("Lead.csv", "leads", "salesforce", 5),
        ("Opportunity.csv", "deals", "salesforce", 7),
        ("OpportunityHistory.csv", "stage_events", "salesforce", 14),
        ("Task.csv", "activities", "salesforce", 4),
    ]


def test_salesforce_accounts(sf):
    con, _ = sf
    assert rows(con, "SELECT * FROM organizations ORDER BY organization_id") == [
        (AC(1), "Northwind Traders", "Retail", 250, None, "USA"),
        (AC(2), "Contoso GmbH", "Manufacturing", 12000, None, "Germany"),
        (AC(3), "Fabrikam KK", "Energy", None, None, "Japan"),
    ]
    assert rows(con, "SELECT count(*) FROM contacts") == [(0,)]
    assert rows(con, "SELECT count(*) FROM targets") == [(0,)]


def test_salesforce_leads(sf):
    con, result = sf
    L = "00Q5g00000LED0{}AAA".format
    assert rows(con, "SELECT * FROM leads ORDER BY lead_id") == [
        (L(1), T("2024-01-02 08:30"), "Web", U1, "new", None, None, None),
        (L(2), T("2024-01-04 14:00"), "Phone Inquiry", U2, "working", None, None, None),
        (L(3), T("2024-01-05 10:00"), "Web", U1, "converted", T("2024-01-08 00:00"), OP(1), None),
        (L(4), T("2024-01-06 16:20"), "Purchased List", U1, "disqualified", None, None, None),
        # converted into a deal that is not loaded: kept, noted
        (L(5), T("2024-02-01 09:00"), None, U1, "converted", T("2024-02-10 00:00"), OP(9), None),
    ]
    assert notes_of(result, "Lead.csv", "not loaded") == [("ConvertedOpportunityId", 1, (6,))]


def test_salesforce_tasks_and_events(sf):
    con, result = sf
    assert rows(con, "SELECT * FROM activities ORDER BY activity_id") == [
        # WhatId 006 -> deal, WhoId 003 -> contact
        ("00T5g00000TSK01AAA", "call", U1, OP(1), None, "0035g00000CON01AAA", AC(1),
         T("2024-01-09 00:00"), T("2024-01-09 15:20"), "Intro call", "Interested, send pricing"),
        # WhoId 00Q -> lead; open task (IsClosed=0): not completed
        ("00T5g00000TSK02AAA", "email", U1, None, "00Q5g00000LED02AAA", None, None,
         T("2024-01-12 00:00"), None, "Send brochure", None),
        # WhatId 001 is an account, not a deal
        ("00T5g00000TSK03AAA", "other", U2, None, None, "0035g00000CON02AAA", AC(2),
         T("2024-01-20 00:00"), T("2024-01-19 17:00"), "Update account plan", None),
        # a deal that is not loaded: kept, noted
        ("00T5g00000TSK04AAA", "call", U1, OP(9), None, None, None, T("2024-02-05 00:00"), None,
         "Chase signature", None),
        ("00U5g00000EVT01AAA", "meeting", U2, OP(2), None, "0035g00000CON02AAA", AC(2),
         T("2024-01-25 16:00"), None, "Fleet demo on site", None),
        ("00U5g00000EVT02AAA", "meeting", U1, None, "00Q5g00000LED01AAA", None, None,
         T("2024-01-30 08:30"), None, "Coffee with prospect", None),
        # EVT03 has IsDeleted=1: skipped
    ]  # fmt: skip
    assert notes_of(result, "Task.csv", "custom type") == [("Type", 1, ())]
    assert notes_of(result, "Task.csv", "not loaded") == [("WhatId", 1, (5,))]
    assert notes_of(result, "Event.csv", "deleted") == [(None, 1, (4,))]


def test_salesforce_opportunity_notes(sf):
    _, result = sf
    assert notes_of(result, "Opportunity.csv", "deleted deals") == [(None, 1, (8,))]
    assert notes_of(result, "Opportunity.csv", "close before") == [("closed_at", 1, (6,))]
    assert notes_of(result, "Opportunity.csv", "organizations that are not loaded") == [
        ("AccountId", 1, (5,))
    ]
    assert ("Amount", 1, ()) in notes_of(result, "Opportunity.csv", "no value")
    assert ("AccountId", 1, ()) in notes_of(result, "Opportunity.csv", "no value")


def test_salesforce_task_missing_value_notes_count_empty_cells(sf):
    # Task.csv has exactly one row without WhatId (TSK02) and one without WhoId (TSK04);
    # an id of another object (WhatId 001..., WhoId 003... for the lead column) is a value.
    _, result = sf
    assert notes_of(result, "Task.csv", "no value") == [
        ("AccountId", 2, ()),
        ("CallDisposition", 3, ()),
        ("CompletedDateTime", 2, ()),
        ("WhatId", 1, ()),
        ("WhoId", 1, ()),
    ]


def test_salesforce_extra_columns_are_kept_in_custom(sf):
    con, _ = sf
    custom = dict(rows(con, f"SELECT custom FROM deals WHERE deal_id = '{OP(1)}'")[0][0] or {})
    assert custom.get("MainCompetitors__c") == "Honda"
    assert custom.get("Probability") == "10"
    assert custom.get("ForecastCategory") == "Pipeline"
    assert custom.get("FiscalYear") == "2024"
    assert "Id" not in custom and "StageName" not in custom  # mapped columns are not custom


# --- Salesforce, Power BI flavour (unquoted, MM/DD/YY, TRUE/FALSE) ----------------------------

PB = FIXTURES / "salesforce" / "powerbi"
PO = "006bm00000PBOP{}AAA".format
PA = "001bm00000PBAC{}AAA".format


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    names = ["Account.csv", "Lead.csv", "Opportunity.csv", "OpportunityHistory.csv"]
    con, result = _import(tmp_path_factory, "pb", [PB / n for n in names])
    yield con, result
    con.close()


def test_powerbi_files_are_recognised(pb):
    _, result = pb
    assert detected(result) == {
        "Account.csv": ("organizations", "salesforce"),
        "Lead.csv": ("leads", "salesforce"),
        "Opportunity.csv": ("deals", "salesforce"),
        "OpportunityHistory.csv": ("stage_events", "salesforce"),
    }


PB_DEAL_COLS = (
    "deal_id, name, pipeline, stage, status, amount, source, organization_id, created_at, "
    "expected_close_date, closed_at"
)


def test_powerbi_deals(pb):
    con, _ = pb
    assert deals(con, PB_DEAL_COLS) == [
        (PO(1), "Globex Pumps, Phase 1", "Salesforce", "Qualification", "open", 15000.0, "Web",
         PA(1), T("2024-01-22 00:00"), D("2024-03-15"), None),
        (PO(2), "Initech Servers", "Salesforce", "Won", "won", 220000.0, "Trade Show", PA(2),
         T("2024-01-15 00:00"), D("2024-02-29"), T("2024-02-29 00:00")),
        (PO(3), "Globex Cooling", "Salesforce", "Lost", "lost", 60000.0, "Partner", PA(1),
         T("2024-02-14 00:00"), D("2024-03-01"), T("2024-03-01 00:00")),
        # 04/02/24 alone is ambiguous; the CloseDate column proves month/day (03/15/24)
        (PO(4), "Umbrella Labs Renewal", "Salesforce", "Negotiation/Review", "open", 125000.0,
         None, None, T("2024-02-03 00:00"), D("2024-04-02"), None),
    ]  # fmt: skip
    assert unlisted_deal_values(con, PB_DEAL_COLS) == {}


def test_powerbi_history_with_am_pm_times(pb):
    con, _ = pb
    assert events(con) == [
        (PO(1), "Prospecting", T("2024-01-22 09:15"), "history"),
        (PO(1), "Qualification", T("2024-01-30 14:40"), "history"),  # 02:40 PM
        (PO(2), "Prospecting", T("2024-01-15 00:05"), "history"),  # 12:05 AM
        (PO(2), "Won", T("2024-02-29 16:05"), "history"),
        (PO(3), "Needs Analysis", T("2024-02-14 12:30"), "history"),  # 12:30 PM
        (PO(3), "Lost", T("2024-03-01 11:00"), "history"),
        (PO(4), "Negotiation/Review", T("2024-02-03 10:00"), "history"),
    ]
    assert changes(con) == [
        (PO(3), "expected_close_date", "2024-03-29", "2024-03-01", T("2024-03-01 11:00")),
    ]
    assert history_fidelity(con) == fidelity(history=4)


def test_powerbi_accounts_and_leads(pb):
    con, _ = pb
    assert rows(con, "SELECT * FROM organizations ORDER BY 1") == [
        (PA(1), "Globex Corporation", "Manufacturing", 420, None, None),
        (PA(2), "Initech", "Technology", None, None, None),
    ]
    U = "005bm00000USRA1AAA"
    assert rows(con, "SELECT * FROM leads ORDER BY 1") == [
        ("00Qbm00000PBLE1AAA", None, "Web", U, "new", None, None, None),
        ("00Qbm00000PBLE2AAA", None, "Trade Show", U, "converted", T("2024-01-15 00:00"), PO(2),
         None),
        ("00Qbm00000PBLE3AAA", None, "Phone Inquiry", U, "working", None, None, None),
        ("00Qbm00000PBLE4AAA", None, "Web", U, "disqualified", None, None, None),
    ]  # fmt: skip


# --- HubSpot ----------------------------------------------------------------------------------

HS_LABELS = FIXTURES / "hubspot" / "hubspot-crm-exports-all-deals-2024-03-01.csv"
HS_API = FIXTURES / "hubspot" / "deals_api_names.csv"
HUBSPOT_STAGES = [
    ("Appointment Scheduled", 0.2), ("Qualified To Buy", 0.4), ("Presentation Scheduled", 0.6),
    ("Decision Maker Bought-In", 0.8), ("Contract Sent", 0.9),
]  # fmt: skip


@pytest.fixture(scope="module")
def hs(tmp_path_factory):
    con, result = _import(tmp_path_factory, "hs", [HS_LABELS])
    yield con, result
    con.close()


@pytest.fixture(scope="module")
def hs_api(tmp_path_factory):
    con, result = _import(tmp_path_factory, "hs_api", [HS_API])
    yield con, result
    con.close()


HS_DEAL_COLS = (
    "deal_id, name, pipeline, stage, status, amount, owner, source, organization_id, "
    "created_at, expected_close_date, lost_reason"
)


def test_hubspot_labels_export(hs):
    con, result = hs
    assert detected(result) == {HS_LABELS.name: ("deals", "hubspot")}
    assert deals(con, HS_DEAL_COLS) == [
        ("9001", "Acme rollout", "Sales Pipeline", "Appointment Scheduled", "open", 12000.0,
         "Jane Roe", "Organic Search", "Acme Inc", T("2024-01-10 09:00"), D("2024-04-30"), None),
        ("9002", "Globex expansion", "Sales Pipeline", "Contract Sent", "open", 56000.5,
         "John Doe", "Referrals", "Globex", T("2024-01-05 14:30"), D("2024-03-20"), None),
        ("9003", "Initech licences", "Sales Pipeline", "Won", "won", 8000.0, "Jane Roe",
         "Direct Traffic", "Initech", T("2024-01-08 08:00"), D("2024-02-15"), None),
        ("9004", "Umbrella pilot", "Sales Pipeline", "Lost", "lost", 30000.0, "John Doe",
         "Paid Social", None, T("2024-01-15 10:00"), D("2024-02-27"), "Went with a competitor"),
        ("9005", "Hooli inbound", "Sales Pipeline", "Qualified To Buy", "open", None, None,
         "Organic Search", "Hooli", T("2024-02-20 17:10"), None, None),
    ]  # fmt: skip
    assert unlisted_deal_values(con, HS_DEAL_COLS + ", closed_at") == {}
    assert stages(con) == [
        ("Sales Pipeline", s, i, p, None) for i, (s, p) in enumerate(HUBSPOT_STAGES, start=1)
    ]
    assert snapshots(con) == [(1, TAKEN_AT, HS_LABELS.name, 5)]


def test_hubspot_date_entered_columns_become_history(hs):
    con, _ = hs
    assert events(con) == [
        ("9001", "Appointment Scheduled", T("2024-01-10 09:00"), "history"),
        ("9002", "Appointment Scheduled", T("2024-01-05 14:30"), "history"),
        ("9002", "Qualified To Buy", T("2024-01-12 11:00"), "history"),
        ("9002", "Presentation Scheduled", T("2024-01-20 16:45"), "history"),
        ("9002", "Contract Sent", T("2024-02-02 09:15"), "history"),
        ("9003", "Appointment Scheduled", T("2024-01-08 08:00"), "history"),
        ("9003", "Qualified To Buy", T("2024-01-22 13:00"), "history"),
        ("9003", "Won", T("2024-02-15 16:30"), "history"),
        ("9004", "Appointment Scheduled", T("2024-01-15 10:00"), "history"),
        ("9004", "Presentation Scheduled", T("2024-02-01 15:00"), "history"),
        ("9004", "Lost", T("2024-02-27 12:00"), "history"),
        # no "Date entered" value at all: derived from the creation date
        ("9005", "Qualified To Buy", T("2024-02-20 17:10"), "derived"),
    ]
    assert changes(con) == []
    assert history_fidelity(con) == fidelity(history=4, derived=1)


def test_hubspot_closed_at_keeps_the_close_time(hs, hs_api):
    # HubSpot's Close Date of a closed deal is when it closed, with its time of day; the
    # Won/Lost stage event of the same export carries that same moment.
    con, _ = hs
    assert rows(con, "SELECT deal_id, closed_at FROM deals WHERE status <> 'open' ORDER BY 1") == [
        ("9003", T("2024-02-15 16:30")),
        ("9004", T("2024-02-27 12:00")),
    ]
    con, _ = hs_api
    assert rows(con, "SELECT deal_id, closed_at FROM deals WHERE status <> 'open' ORDER BY 1") == [
        ("18002", T("2024-02-20 15:00")),
        ("18003", T("2024-02-10 10:00")),  # 11:00+01:00
    ]


HS_API_COLS = (
    "deal_id, name, pipeline, stage, status, amount, currency, owner, created_at, "
    "expected_close_date, lost_reason"
)


def test_hubspot_api_names_export(hs_api):
    con, result = hs_api
    assert detected(result) == {HS_API.name: ("deals", "hubspot")}
    assert deals(con, HS_API_COLS) == [
        # dealstage ids and pipeline "default" map onto the labels
        ("18001", "Stark retrofit", "Sales Pipeline", "Presentation Scheduled", "open", 42000.0,
         "USD", "71234567", T("2024-01-09 08:30"), D("2024-04-15"), None),
        ("18002", "Wayne security", "Sales Pipeline", "Won", "won", 150000.0, "USD", "71234568",
         T("2024-01-03 12:00"), D("2024-02-20"), None),
        # +01:00 offsets normalised to UTC
        ("18003", "Tyrell upgrade", "Sales Pipeline", "Lost", "lost", 9900.0, "EUR", "71234567",
         T("2024-01-20 09:00"), D("2024-02-10"), "No budget"),
    ]  # fmt: skip
    assert unlisted_deal_values(con, HS_API_COLS + ", closed_at") == {}
    assert events(con) == [
        ("18001", "Appointment Scheduled", T("2024-01-09 08:30"), "history"),
        ("18001", "Presentation Scheduled", T("2024-02-01 09:00"), "history"),
        ("18002", "Appointment Scheduled", T("2024-01-03 12:00"), "history"),
        ("18002", "Qualified To Buy", T("2024-01-10 12:00"), "history"),
        ("18002", "Contract Sent", T("2024-02-05 09:30"), "history"),
        ("18002", "Won", T("2024-02-20 15:00"), "history"),
        ("18003", "Appointment Scheduled", T("2024-01-20 09:00"), "history"),
        ("18003", "Lost", T("2024-02-10 10:00"), "history"),
    ]
    assert history_fidelity(con) == fidelity(history=3)


# --- Pipedrive --------------------------------------------------------------------------------

PD_DEALS = FIXTURES / "pipedrive" / "deals-export.csv"
PD_ACTS = FIXTURES / "pipedrive" / "activities-export.csv"


@pytest.fixture(scope="module")
def pd(tmp_path_factory):
    con, result = _import(tmp_path_factory, "pd", [PD_ACTS, PD_DEALS])
    yield con, result
    con.close()


PD_DEAL_COLS = (
    "deal_id, name, pipeline, stage, status, amount, currency, owner, source, organization_id, "
    "contact_id, created_at, expected_close_date, closed_at, lost_reason, last_stage_change_at"
)


def test_pipedrive_deals(pd):
    con, result = pd
    assert detected(result) == {
        PD_DEALS.name: ("deals", "pipedrive"),
        PD_ACTS.name: ("activities", "pipedrive"),
    }
    assert deals(con, PD_DEAL_COLS) == [
        ("101", "Rossi Srl deal", "Pipeline", "Qualified", "open", 15000.0, "EUR",
         "Maria Bianchi", "Manually created", "Rossi Srl", "Luca Rossi", T("2024-01-08 10:15"),
         D("2024-03-31"), None, None, None),
        ("102", "Kowalski deal", "Pipeline", "Proposal Made", "open", 48000.0, "EUR",
         "Tom Berger", "Web forms", "Kowalski SA", None, T("2024-01-10 09:00"), D("2024-04-15"),
         None, None, T("2024-02-12 16:20")),
        # status won while Deal - Stage keeps the last open stage
        ("103", "Schmidt AG deal", "Pipeline", "Won", "won", 72000.0, "EUR", "Maria Bianchi",
         None, "Schmidt AG", None, T("2024-01-03 11:30"), D("2024-02-29"),
         T("2024-02-20 14:00"), None, T("2024-02-06 10:00")),
        ("104", "Dubois deal", "Pipeline", "Lost", "lost", 9500.0, "EUR", "Tom Berger", None,
         "Dubois SARL", None, T("2024-01-15 15:00"), D("2024-03-15"), T("2024-02-01 09:30"),
         "Price too high", T("2024-01-22 13:00")),
        # 105 is deleted: skipped with a note
    ]  # fmt: skip
    assert unlisted_deal_values(con, PD_DEAL_COLS) == {}
    assert notes_of(result, PD_DEALS.name, "deleted deals were skipped") == [(None, 1, (6,))]
    assert stages(con) == [
        ("Pipeline", "Qualified", 1, 0.1, None),
        ("Pipeline", "Contact Made", 2, 0.2, None),
        ("Pipeline", "Demo Scheduled", 3, 0.4, None),
        ("Pipeline", "Proposal Made", 4, 0.6, None),
        ("Pipeline", "Negotiations Started", 5, 0.8, None),
    ]
    assert snapshots(con) == [(1, TAKEN_AT, PD_DEALS.name, 4)]


def test_pipedrive_derived_events_use_last_stage_change(pd):
    # No history in a Pipedrive export: first stage at creation, the deal's (last open) stage at
    # "Deal - Last stage change", the outcome at the won/lost time.
    con, _ = pd
    assert events(con) == [
        ("101", "Qualified", T("2024-01-08 10:15"), "derived"),
        ("102", "Qualified", T("2024-01-10 09:00"), "derived"),
        ("102", "Proposal Made", T("2024-02-12 16:20"), "derived"),
        ("103", "Qualified", T("2024-01-03 11:30"), "derived"),
        ("103", "Negotiations Started", T("2024-02-06 10:00"), "derived"),
        ("103", "Won", T("2024-02-20 14:00"), "derived"),
        ("104", "Qualified", T("2024-01-15 15:00"), "derived"),
        ("104", "Demo Scheduled", T("2024-01-22 13:00"), "derived"),
        ("104", "Lost", T("2024-02-01 09:30"), "derived"),
    ]
    assert history_fidelity(con) == fidelity(derived=4)


def test_pipedrive_activities(pd):
    con, result = pd
    assert rows(con, "SELECT * FROM activities ORDER BY activity_id") == [
        ("501", "call", "Maria Bianchi", "101", None, "Luca Rossi", "Rossi Srl",
         T("2024-01-09 00:00"), T("2024-01-09 10:35"), "Discovery call", "Needs 3 licences"),
        ("502", "meeting", "Maria Bianchi", "101", None, None, "Rossi Srl",
         T("2024-03-04 00:00"), None, "Product demo", None),
        # done without a "marked as done" time: completed on its due date
        ("503", "email", "Maria Bianchi", "103", None, None, "Schmidt AG",
         T("2024-02-15 00:00"), T("2024-02-15 00:00"), "Send contract", None),
        ("504", "deadline", "Tom Berger", None, None, None, "Kowalski SA",
         T("2024-03-10 00:00"), None, "Submit tender", None),
    ]  # fmt: skip
    assert notes_of(result, PD_ACTS.name, "custom type") == [("Activity - Type", 1, ())]


# --- Vtiger, Zoho, Odoo -----------------------------------------------------------------------

VT = FIXTURES / "vtiger" / "Potentials.csv"
ZO = FIXTURES / "zoho" / "Deals_2024_03_01.csv"
ZO_LEADS = FIXTURES / "zoho" / "Leads_2024_03_01.csv"
OD = FIXTURES / "odoo" / "crm.lead.csv"
OD_LOST = FIXTURES / "odoo" / "crm.lead_lost.csv"


@pytest.fixture(scope="module")
def vt(tmp_path_factory):
    con, result = _import(tmp_path_factory, "vt", [VT])
    yield con, result
    con.close()


@pytest.fixture(scope="module")
def zo(tmp_path_factory):
    con, result = _import(tmp_path_factory, "zo", [ZO])
    yield con, result
    con.close()


@pytest.fixture(scope="module")
def od(tmp_path_factory):
    con, result = _import(tmp_path_factory, "od", [OD])
    yield con, result
    con.close()


VT_COLS = (
    "deal_id, name, pipeline, stage, status, amount, owner, source, organization_id, "
    "created_at, expected_close_date, closed_at"
)


def test_vtiger_potentials(vt):
    con, result = vt
    assert detected(result) == {VT.name: ("deals", "vtiger")}
    assert deals(con, VT_COLS) == [
        ("POT1", "Harbor Cranes Service Plan", "Vtiger", "Needs Analysis", "open", 18500.0,
         "Alice Martin", "Cold Call", "Harbor Cranes Ltd", T("2024-01-11 09:40"),
         D("2024-04-12"), None),
        ("POT2", "Delta Farms Irrigation", "Vtiger", "Won", "won", 64000.0, "Bob Chen",
         "Existing Customer", "Delta Farms", T("2024-01-02 13:00"), D("2024-02-28"),
         T("2024-02-28 00:00")),
        ("POT3", "Metro Transit Displays", "Vtiger", "Lost", "lost", 27000.0, "Alice Martin",
         "Trade Show", "Metro Transit", T("2024-01-25 08:15"), D("2024-03-08"),
         T("2024-03-08 00:00")),
        ("POT4", "Sunrise Hotels Wi-Fi", "Vtiger", "Prospecting", "open", 0.0, "Bob Chen",
         "Web Site", None, T("2024-02-19 16:05"), D("2024-05-31"), None),
    ]  # fmt: skip
    assert unlisted_deal_values(con, VT_COLS) == {}
    assert events(con) == [
        ("POT1", "Needs Analysis", T("2024-01-11 09:40"), "derived"),
        ("POT2", "Prospecting", T("2024-01-02 13:00"), "derived"),
        ("POT2", "Won", T("2024-02-28 00:00"), "derived"),
        ("POT3", "Prospecting", T("2024-01-25 08:15"), "derived"),
        ("POT3", "Lost", T("2024-03-08 00:00"), "derived"),
        ("POT4", "Prospecting", T("2024-02-19 16:05"), "derived"),
    ]
    assert stages(con) == [
        ("Vtiger", s, i, p, None) for i, (s, p) in enumerate(SALESFORCE_STAGES, start=1)
    ]
    assert history_fidelity(con) == fidelity(derived=4)


ZO_COLS = (
    "deal_id, name, pipeline, stage, status, amount, owner, organization_id, contact_id, "
    "source, created_at, expected_close_date, closed_at, lost_reason"
)
Z = "zcrm_552300000041100{}".format


def test_zoho_deals_with_day_first_dates(zo):
    con, result = zo
    assert detected(result) == {ZO.name: ("deals", "zoho")}
    assert deals(con, ZO_COLS) == [
        (Z(1), "Orion Analytics Suite", "Standard", "Value Proposition", "open", 24000.0,
         "Priya Shah", "Orion Ltd", "Sam Orion", "Online Store", T("2024-01-02 09:12"),
         D("2024-04-15"), None, None),
        (Z(2), "Vega Retail Rollout", "Standard", "Won", "won", 110000.0, "Marco Levi",
         "Vega Retail", None, "Partner", T("2024-01-08 14:00"), D("2024-02-29"),
         T("2024-02-29 00:00"), None),
        # "Closed-Lost to Competition" is a loss
        (Z(3), "Lyra Clinics CRM", "Standard", "Lost", "lost", 36000.0, "Priya Shah",
         "Lyra Clinics", None, "Trade Show", T("2024-01-16 10:30"), D("2024-03-05"),
         T("2024-03-05 00:00"), "Competitor cheaper"),
        (Z(4), "Nova Bank Pilot", "Standard", "Lost", "lost", 52000.0, "Marco Levi",
         "Nova Bank", None, "Cold Call", T("2024-01-22 08:00"), D("2024-02-11"),
         T("2024-02-11 00:00"), "No decision"),
        # stage "qualification" matches "Qualification" whatever the case
        (Z(5), "Atlas Freight Quote", "Standard", "Qualification", "open", 18000.0,
         "Priya Shah", "Atlas Freight", None, "Advertisement", T("2024-02-19 15:20"),
         D("2024-05-31"), None, None),
    ]  # fmt: skip
    assert unlisted_deal_values(con, ZO_COLS) == {}
    assert events(con) == [
        (Z(1), "Value Proposition", T("2024-01-02 09:12"), "derived"),
        (Z(2), "Qualification", T("2024-01-08 14:00"), "derived"),
        (Z(2), "Won", T("2024-02-29 00:00"), "derived"),
        (Z(3), "Qualification", T("2024-01-16 10:30"), "derived"),
        (Z(3), "Lost", T("2024-03-05 00:00"), "derived"),
        (Z(4), "Qualification", T("2024-01-22 08:00"), "derived"),
        (Z(4), "Lost", T("2024-02-11 00:00"), "derived"),
        (Z(5), "Qualification", T("2024-02-19 15:20"), "derived"),
    ]
    assert [s[:3] for s in stages(con)] == [
        ("Standard", "Qualification", 1), ("Standard", "Needs Analysis", 2),
        ("Standard", "Value Proposition", 3), ("Standard", "Identify Decision Makers", 4),
        ("Standard", "Proposal/Price Quote", 5), ("Standard", "Negotiation/Review", 6),
    ]  # fmt: skip
    assert history_fidelity(con) == fidelity(derived=5)


def test_zoho_leads_are_told_by_their_status_and_owner_columns(tmp_path_factory):
    con, result = _import(tmp_path_factory, "zo_leads", [ZO_LEADS])
    try:
        assert [(f.file, f.kind) for f in result.files] == [(ZO_LEADS.name, "leads")]
        L = "zcrm_552300000041200{}".format
        assert rows(con, "SELECT * FROM leads ORDER BY lead_id") == [
            (L(1), T("2024-01-03 10:05"), "Online Store", "Priya Shah", "working", None, None,
             None),
            (L(2), T("2024-01-15 08:30"), "Partner", "Marco Levi", "new", None, None, None),
            (L(3), T("2024-01-20 16:40"), "Web Download", "Priya Shah", "disqualified", None,
             None, None),
            (L(4), T("2024-01-25 11:00"), "Trade Show", "Marco Levi", "working", None, None,
             None),
            (L(5), T("2024-02-13 09:45"), "Cold Call", "Priya Shah", "disqualified", None,
             None, None),
            (L(6), T("2024-03-01 14:20"), "Advertisement", "Marco Levi", "working", None, None,
             None),
        ]  # fmt: skip
    finally:
        con.close()


OD_COLS = (
    "deal_id, name, pipeline, stage, status, amount, owner, team, organization_id, created_at, "
    "expected_close_date, closed_at, lost_reason, last_stage_change_at"
)
O41, O42, O43, O44, O45 = (
    "__export__.crm_lead_41_3f9a1c2e",
    "__export__.crm_lead_42_0b77d1aa",
    "__export__.crm_lead_43_5e21c0b9",
    "__export__.crm_lead_44_9c4d2f10",
    "__export__.crm_lead_45_71aa03de",
)


def test_odoo_opportunities(od):
    con, result = od
    assert detected(result) == {OD.name: ("deals", "odoo")}
    assert deals(con, OD_COLS) == [
        (O41, "Office furniture for Deco Addict", "Odoo", "New", "open", 4500.0,
         "Mitchell Admin", "Sales", "Deco Addict", T("2024-02-05 10:00"), D("2024-04-30"),
         None, None, T("2024-02-05 10:00")),
        (O42, "Quote for 150 carpets", "Odoo", "Proposition", "open", 40000.0, "Marc Demo",
         "Website", "Azure Interior", T("2024-01-12 09:30"), D("2024-03-22"), None, None,
         T("2024-02-14 15:00")),
        # stage "Won" (crm.stage is_won) with its own Closed Date
        (O43, "Distributor contract", "Odoo", "Won", "won", 95000.0, "Mitchell Admin", "Sales",
         "Gemini Furniture", T("2024-01-04 11:00"), D("2024-02-29"), T("2024-02-26 16:00"),
         None, T("2024-02-26 16:00")),
        (O44, "Custom desks", "Odoo", "Qualified", "open", None, "Marc Demo", None, None,
         T("2024-02-20 08:45"), None, None, None, T("2024-02-22 12:00")),
    ]  # fmt: skip
    assert unlisted_deal_values(con, OD_COLS) == {}
    assert events(con) == [
        (O41, "New", T("2024-02-05 10:00"), "derived"),
        (O42, "New", T("2024-01-12 09:30"), "derived"),
        (O42, "Proposition", T("2024-02-14 15:00"), "derived"),
        (O43, "New", T("2024-01-04 11:00"), "derived"),
        (O43, "Won", T("2024-02-26 16:00"), "derived"),
        (O44, "New", T("2024-02-20 08:45"), "derived"),
        (O44, "Qualified", T("2024-02-22 12:00"), "derived"),
    ]
    assert stages(con) == [
        ("Odoo", "New", 1, 0.1, None),
        ("Odoo", "Qualified", 2, 0.3, None),
        ("Odoo", "Proposition", 3, 0.7, None),
    ]
    assert history_fidelity(con) == fidelity(derived=4)


def test_odoo_lost_opportunity_is_archived_with_a_lost_reason(tmp_path):
    # Odoo marks a lost opportunity active=False with a lost reason (probability 0); its stage
    # stays where it was lost.
    con = store.connect(tmp_path / "t.duckdb")
    try:
        import_files(con, [OD_LOST], taken_at=TAKEN_AT)
        assert deals(con, OD_COLS) == [
            (O45, "Warehouse shelving", "Odoo", "Lost", "lost", 22000.0, "Marc Demo", "Sales",
             "Ready Mat", T("2024-01-18 14:00"), D("2024-03-15"), T("2024-02-09 10:30"),
             "Too expensive", T("2024-01-25 09:00")),
        ]  # fmt: skip
    finally:
        con.close()


# --- Generic files of every kind --------------------------------------------------------------

GEN = FIXTURES / "generic"
GENERIC_FILES = [
    "pipelines.csv", "organizations.csv", "contacts.csv", "leads.csv", "deals.csv",
    "activities.csv", "targets.csv", "targets_with_ids.csv",
]  # fmt: skip


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    con, result = _import(tmp_path_factory, "gen", [GEN / n for n in GENERIC_FILES])
    yield con, result
    con.close()


def test_generic_kinds_are_guessed_from_headers(gen):
    _, result = gen
    assert detected(result) == {
        "pipelines.csv": ("pipelines", "generic"),
        "organizations.csv": ("organizations", "generic"),
        "contacts.csv": ("contacts", "generic"),
        "leads.csv": ("leads", "generic"),
        "deals.csv": ("deals", "generic"),
        "activities.csv": ("activities", "generic"),
        "targets.csv": ("targets", "generic"),
        "targets_with_ids.csv": ("targets", "generic"),
    }


def test_generic_pipelines_percent_or_fraction(gen):
    con, result = gen
    assert stages(con) == [
        # percent (10, 40, 70) and fraction (0.1, 0.55) both become fractions; Won/Lost rows
        # are outcomes, not stages
        ("Inbound", "Discovery", 1, 0.1, 14),
        ("Inbound", "Demo", 2, 0.4, None),
        ("Inbound", "Proposal", 3, 0.7, 30),
        ("Partner", "Intro", 1, 0.1, None),
        ("Partner", "Negotiation", 2, 0.55, 21),
    ]
    assert result.declared_pipelines == {
        "Inbound": ["Discovery", "Demo", "Proposal"],
        "Partner": ["Intro", "Negotiation"],
    }


GEN_COLS = (
    "deal_id, name, pipeline, stage, status, amount, currency, owner, team, organization_id, "
    "contact_id, created_at, expected_close_date, closed_at, lost_reason, region"
)


def test_generic_deals(gen):
    con, result = gen
    assert deals(con, GEN_COLS) == [
        ("D-1", "Birch Dental onboarding", "Inbound", "Demo", "open", 4800.0, "USD", "Ana Lima",
         "East", "ORG-1", "C-1", T("2024-01-04 09:00"), D("2024-03-29"), None, None,
         "North America"),
        # status won with the last open stage in the stage column
        ("D-2", "Cedar Law renewal", "Inbound", "Won", "won", 12000.0, "USD", "Ana Lima", "East",
         "ORG-2", None, T("2024-01-06 11:00"), D("2024-02-29"), T("2024-02-27 16:00"), None,
         "North America"),
        ("D-3", "Maple Schools tablets", "Partner", "Lost", "lost", 30000.0, "EUR", "Kai Berg",
         "West", "ORG-3", "C-3", T("2024-01-09 10:00"), D("2024-03-15"), T("2024-02-20 12:00"),
         "Budget freeze", "Europe"),
        # "intro" matched case-insensitively
        ("D-4", "Oak Hotels pilot", "Partner", "Intro", "open", 7000.0, "EUR", "Kai Berg", "West",
         "ORG-9", None, T("2024-02-01 08:30"), D("2024-04-30"), None, None, "Europe"),
    ]  # fmt: skip
    assert unlisted_deal_values(con, GEN_COLS) == {}
    assert notes_of(result, "deals.csv", "organizations that are not loaded") == [
        ("organization_id", 1, (5,))
    ]
    assert events(con) == [
        ("D-1", "Demo", T("2024-01-04 09:00"), "derived"),
        ("D-2", "Proposal", T("2024-01-06 11:00"), "derived"),
        ("D-2", "Won", T("2024-02-27 16:00"), "derived"),
        ("D-3", "Negotiation", T("2024-01-09 10:00"), "derived"),
        ("D-3", "Lost", T("2024-02-20 12:00"), "derived"),
        ("D-4", "Intro", T("2024-02-01 08:30"), "derived"),
    ]
    assert history_fidelity(con) == fidelity(derived=4)


def test_generic_organizations_and_contacts(gen):
    con, _ = gen
    assert rows(con, "SELECT * FROM organizations ORDER BY 1") == [
        ("ORG-1", "Birch Dental", "Healthcare", 45, "North America", "US"),
        ("ORG-2", "Cedar Law LLP", "Legal", 1200, "North America", "US"),  # "1,200"
        ("ORG-3", "Maple Schools", "Education", None, "Europe", "DE"),
    ]
    assert rows(con, "SELECT * FROM contacts ORDER BY 1") == [
        ("C-1", "ORG-1", "Dr. Ruth Birch", "ruth@birch.example", T("2023-12-01 10:00"), False),
        ("C-2", "ORG-2", "Paul Cedar", "paul@cedar.example", T("2023-06-15 09:30"), True),
        ("C-3", "ORG-3", "Heike Ahorn", None, T("2024-01-09 00:00"), False),
    ]


def test_generic_leads(gen):
    con, _ = gen
    assert rows(con, "SELECT * FROM leads ORDER BY 1") == [
        ("L-1", T("2024-01-02 09:00"), "Website", "Ana Lima", "new", None, None, None),
        ("L-2", T("2024-01-03 10:00"), "Webinar", "Ana Lima", "working", None, None, None),
        ("L-3", T("2024-01-03 11:00"), "Referral", "Ana Lima", "converted",
         T("2024-01-04 08:45"), "D-1", None),
        ("L-4", T("2024-01-05 12:00"), "Cold call", "Kai Berg", "disqualified", None, None,
         "No budget"),
        ("L-5", T("2024-01-07 13:00"), "Website", "Kai Berg", "working", None, None, None),
        # no status but a deal: converted
        ("L-6", T("2024-01-08 14:00"), "Trade show", "Kai Berg", "converted",
         T("2024-01-09 10:00"), "D-3", None),
    ]  # fmt: skip


def test_generic_activities(gen):
    con, result = gen
    assert rows(con, "SELECT * FROM activities ORDER BY 1") == [
        ("A-1", "call", "Ana Lima", "D-1", None, None, None, T("2024-01-05 10:00"),
         T("2024-01-05 10:20"), "Kick-off call", "Connected"),
        ("A-2", "email", "Ana Lima", "D-1", None, None, None, T("2024-01-06 09:00"),
         T("2024-01-06 09:05"), "Send agenda", None),
        ("A-3", "demo", "Ana Lima", "D-1", None, None, None, T("2024-01-12 15:00"), None,
         "Product demo", None),
        ("A-4", "follow_up", "Ana Lima", "D-2", None, None, None, T("2024-03-05 11:00"),
         T("2024-03-05 11:30"), "Check onboarding", "Happy"),
        ("A-5", "meeting", "Kai Berg", "D-3", None, None, None, T("2024-01-20 14:00"),
         T("2024-01-20 15:00"), "Board pitch", None),
        ("A-6", "site_visit", "Kai Berg", None, "L-2", None, None, T("2024-01-25 10:00"), None,
         "Visit campus", None),
        ("A-7", "call", "Kai Berg", "D-77", None, None, None, T("2024-02-02 09:00"), None,
         "Call about old quote", None),
    ]  # fmt: skip
    assert notes_of(result, "activities.csv", "custom type") == [("activity_type", 1, ())]
    assert notes_of(result, "activities.csv", "not loaded") == [("deal_id", 1, (8,))]


def test_generic_targets_ids_generated_when_absent(gen):
    con, _ = gen
    assert rows(con, "SELECT * FROM targets ORDER BY 1") == [
        ("Q1-ANA", "owner", "Ana Lima", "activities_completed", D("2024-01-01"), D("2024-03-31"),
         200.0),
        ("Q1-CO", "company", None, "won_amount", D("2024-01-01"), D("2024-03-31"), 450000.0),
        # T- + the first 12 hex digits of md5(scope|scope_value|metric|start|end)
        ("T-247372f9c341", "team", "East", "won_count", D("2024-01-01"), D("2024-03-31"), 12.0),
        # a company target has no scope value
        ("T-4a0a4f6d0ff9", "company", None, "new_deals", D("2024-01-01"), D("2024-03-31"),
         40.0),
        ("T-79a014895d41", "owner", "Kai Berg", "pipeline_created", D("2024-01-01"),
         D("2024-03-31"), 150000.0),
        ("T-a2cad543fd67", "company", None, "won_amount", D("2024-01-01"), D("2024-03-31"),
         500000.0),
        ("T-b25e437e474f", "owner", "Ana Lima", "activities_completed:call", D("2024-01-01"),
         D("2024-01-31"), 60.0),
    ]  # fmt: skip


def test_generic_synonyms_of_a_sales_pipeline_export(tmp_path):
    # The CRM Sales Opportunities layout: opportunity_id, sales_agent, deal_stage, close_value,
    # engage_date, close_date.
    con = store.connect(tmp_path / "t.duckdb")
    try:
        result = import_files(con, [GEN / "sales_pipeline.csv"], taken_at=TAKEN_AT)
        assert detected(result) == {"sales_pipeline.csv": ("deals", "generic")}
        assert result.files[0].mapping == {
            "deal_id": "opportunity_id",
            "stage": "deal_stage",
            "amount": "close_value",
            "owner": "sales_agent",
            "organization_id": "account",
            "created_at": "engage_date",
            "expected_close_date": "close_date",
            "product": "product",
        }
        cols = (
            "deal_id, pipeline, stage, status, amount, owner, organization_id, created_at, "
            "expected_close_date, closed_at, product"
        )
        assert deals(con, cols) == [
            ("1C1I7A6R", "Default", "Won", "won", 1054.0, "Moses Frase", "Cancity",
             T("2023-10-20 00:00"), D("2024-03-01"), T("2024-03-01 00:00"), "GTX Plus Basic"),
            ("EC4QE1BX", "Default", "Approach", "open", None, "Darcel Schlecht", "Cancity",
             T("2023-10-25 00:00"), None, None, "MG Special"),
            ("MV1LWRNH", "Default", "Prospecting", "open", None, "Moses Frase", "Codehow",
             T("2023-11-02 00:00"), None, None, "GTX Basic"),
            ("PE84CX4O", "Default", "Closing", "open", 550.0, "Zane Levy", "Hatfan",
             T("2023-11-04 00:00"), D("2024-04-15"), None, "GTX Basic"),
            ("Z063OYW0", "Default", "Lost", "lost", 0.0, "Darcel Schlecht", "Isdom",
             T("2023-10-25 00:00"), D("2024-03-11"), T("2024-03-11 00:00"), "GTXPro"),
        ]  # fmt: skip
        assert unlisted_deal_values(con, cols) == {}
        assert history_fidelity(con) == fidelity(derived=5)
    finally:
        con.close()


# --- the mapping each preset reports ----------------------------------------------------------

MAPPINGS = {
    HS_LABELS: {
        "deal_id": "Record ID", "name": "Deal Name", "pipeline": "Pipeline",
        "stage": "Deal Stage", "amount": "Amount", "owner": "Deal owner",
        "organization_id": "Associated Company", "source": "Original Source",
        "created_at": "Create Date", "expected_close_date": "Close Date",
        "lost_reason": "Closed Lost Reason",
    },
    HS_API: {
        "deal_id": "hs_object_id", "name": "dealname", "pipeline": "pipeline",
        "stage": "dealstage", "amount": "amount", "currency": "deal_currency_code",
        "owner": "hubspot_owner_id", "created_at": "createdate", "expected_close_date": "closedate",
        "lost_reason": "closed_lost_reason", "is_won": "hs_is_closed_won",
        "is_closed": "hs_is_closed",
    },
    VT: {
        "deal_id": "Potential No", "name": "Potential Name", "amount": "Amount",
        "organization_id": "Related To", "expected_close_date": "Expected Close Date",
        "source": "Lead Source", "stage": "Sales Stage", "owner": "Assigned To",
        "created_at": "Created Time",
    },
    OD: {
        "deal_id": "ID", "name": "Opportunity", "owner": "Salesperson", "team": "Sales Team",
        "stage": "Stage", "amount": "Expected Revenue", "closed_at": "Closed Date",
        "expected_close_date": "Expected Closing", "created_at": "Created on",
        "organization_id": "Customer", "lost_reason": "Lost Reason",
        "last_stage_change_at": "Last Stage Update", "is_active": "Active",
    },
    ZO: {
        "deal_id": "Record Id", "name": "Deal Name", "stage": "Stage", "amount": "Amount",
        "owner": "Deal Owner", "organization_id": "Account Name", "contact_id": "Contact Name",
        "source": "Lead Source", "created_at": "Created Time",
        "expected_close_date": "Closing Date", "lost_reason": "Reason For Loss",
    },
    SF / "Opportunity.csv": {
        "deal_id": "Id", "name": "Name", "stage": "StageName", "amount": "Amount",
        "owner": "OwnerId", "organization_id": "AccountId", "source": "LeadSource",
        "created_at": "CreatedDate", "expected_close_date": "CloseDate",
        "last_stage_change_at": "LastStageChangeDate", "is_won": "IsWon", "is_closed": "IsClosed",
        "is_deleted": "IsDeleted",
    },
}  # fmt: skip


@pytest.mark.parametrize("path", list(MAPPINGS), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mapping_names_each_source_column_once(con, path):
    result = import_files(con, [path], dry_run=True, taken_at=TAKEN_AT)
    assert result.files[0].mapping == MAPPINGS[path]


# --- A whole Salesforce Data Export folder: files of other tables and header-only files --------

# Shaped like the export's Opportunity.csv, Campaign.csv and (an object without records)
# Event.csv: every field quoted, audit fields included.
FOLDER_OPPORTUNITY = (
    '"Id","IsDeleted","AccountId","Name","StageName","StageSortOrder","Amount","CloseDate",'
    '"IsClosed","IsWon","OwnerId","CreatedDate","SystemModstamp"\n'
    '"0065g00000FOLD1AAA","0","000000000000000AAA","Harbor Retrofit","Qualification","2",'
    '"20000","2024-05-31 00:00:00","0","0","0055g00000USR01AAA","2024-02-01 10:00:00",'
    '"2024-02-01 10:00:00"\n'
    '"0065g00000FOLD2AAA","0","000000000000000AAA","Mill Expansion","Closed Won","10",'
    '"45000","2024-02-20 00:00:00","1","1","0055g00000USR01AAA","2024-02-02 11:00:00",'
    '"2024-02-20 09:00:00"\n'
)
FOLDER_CAMPAIGN = (
    '"Id","IsDeleted","Name","ParentId","Type","Status","StartDate","EndDate",'
    '"ExpectedRevenue","BudgetedCost","IsActive","OwnerId","CreatedDate","CreatedById",'
    '"LastModifiedDate","SystemModstamp"\n'
    '"7015g00000CAMP1AAA","0","Spring Webinar","","Webinar","Completed","2024-03-01 00:00:00",'
    '"2024-03-01 00:00:00","50000","2000","1","0055g00000USR01AAA","2024-01-10 09:00:00",'
    '"0055g00000USR01AAA","2024-01-10 09:00:00","2024-01-10 09:00:00"\n'
    '"7015g00000CAMP2AAA","0","Trade Fair","","Conference","Planned","2024-06-03 00:00:00",'
    '"2024-06-05 00:00:00","120000","15000","1","0055g00000USR01AAA","2024-01-11 09:00:00",'
    '"0055g00000USR01AAA","2024-01-11 09:00:00","2024-01-11 09:00:00"\n'
)
FOLDER_EVENT = (
    '"Id","WhoId","WhatId","Subject","ActivityDateTime","ActivityDate","AccountId","OwnerId",'
    '"Type","IsDeleted","CreatedDate","SystemModstamp"\n'
)
NOT_A_TABLE = "its columns are not those of a table the dashboard uses"


@pytest.fixture
def folder(tmp_path) -> Path:
    """Return a folder holding the three files above, under the export's file names."""
    export = tmp_path / "export"
    export.mkdir()
    for name, text in [("Opportunity.csv", FOLDER_OPPORTUNITY), ("Campaign.csv", FOLDER_CAMPAIGN),
                       ("Event.csv", FOLDER_EVENT)]:  # fmt: skip
        (export / name).write_text(text, encoding="utf-8")
    return export


def test_a_file_of_another_table_is_skipped_with_a_note(folder, con):
    result = import_files(con, [folder / "Opportunity.csv", folder / "Campaign.csv"])

    assert result.written
    campaign = next(f for f in result.files if f.file == "Campaign.csv")
    assert campaign.skipped
    # Its 2 rows are not imported; the note names the file and how to force a kind.
    assert [(n.file, n.count) for n in result.notes if NOT_A_TABLE in n.message] == [
        ("Campaign.csv", 2)
    ]
    assert "--kind" in campaign.notes[0].message
    assert deals(con, "deal_id, stage") == [
        ("0065g00000FOLD1AAA", "Qualification"),
        ("0065g00000FOLD2AAA", "Won"),
    ]
    assert rows(con, "SELECT count(*) FROM leads") == [(0,)]
    assert imports(con) == [("Opportunity.csv", "deals", "salesforce", 2)]


def test_a_header_only_file_among_others_is_skipped_with_a_note(folder, con):
    result = import_files(con, [folder / "Opportunity.csv", folder / "Event.csv"])

    assert result.written
    assert [(f.file, f.skipped) for f in result.files] == [
        ("Opportunity.csv", False),
        ("Event.csv", True),
    ]
    assert notes_of(result, "Event.csv", "no data rows") == [(None, 0, ())]
    assert len(deals(con, "deal_id")) == 2
    assert imports(con) == [("Opportunity.csv", "deals", "salesforce", 2)]


def test_the_whole_folder_imports_its_deals_and_skips_the_other_two(folder, con):
    result = import_files(con, sorted(folder.iterdir()))

    assert sorted((f.file, f.skipped) for f in result.files) == [
        ("Campaign.csv", True),
        ("Event.csv", True),
        ("Opportunity.csv", False),
    ]
    assert len(deals(con, "deal_id")) == 2


@pytest.mark.parametrize("kind", [None, "activities"])
def test_a_header_only_file_alone_is_still_refused(folder, con, kind):
    before = store.table_snapshot(con)
    with pytest.raises(ImportRejected) as refused:
        import_files(con, [folder / "Event.csv"], kind=kind)
    assert [(p.file, p.message) for p in refused.value.problems] == [
        ("Event.csv", "the file has a header but no data rows")
    ]
    assert store.table_snapshot(con) == before


def test_a_file_of_another_table_alone_is_refused_with_the_reason(folder, con):
    with pytest.raises(ImportRejected) as refused:
        import_files(con, [folder / "Campaign.csv"])
    [problem] = refused.value.problems
    assert (problem.file, problem.row) == ("Campaign.csv", None)
    assert NOT_A_TABLE in problem.message and "--kind" in problem.message


def test_an_explicit_kind_is_respected(folder, con):
    # Told that Campaign.csv holds organizations, the importer maps Id and Name as
    # organizations (Salesforce preset) instead of skipping the file.
    result = import_files(con, [folder / "Campaign.csv"], kind="organizations")

    assert [(f.file, f.kind, f.skipped) for f in result.files] == [
        ("Campaign.csv", "organizations", False)
    ]
    assert rows(con, "SELECT organization_id, name FROM organizations ORDER BY 1") == [
        ("7015g00000CAMP1AAA", "Spring Webinar"),
        ("7015g00000CAMP2AAA", "Trade Fair"),
    ]


def test_an_explicit_kind_checks_the_file_as_that_kind(folder, con):
    # As leads, the campaign statuses are not lead statuses: refused, as asked.
    with pytest.raises(ImportRejected) as refused:
        import_files(con, [folder / "Campaign.csv"], kind="leads")
    assert [(p.file, p.row, p.column, p.value) for p in refused.value.problems] == [
        ("Campaign.csv", 2, "Status", "Completed"),
        ("Campaign.csv", 3, "Status", "Planned"),
    ]


# --- Derived tables after imports that change only some tables ----------------------------------

DERIVED = ("stage_visits", "stage_exits", "value_spans", "deal_facts")


def derived_tables(con) -> dict[str, list[tuple]]:
    return {t: rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in DERIVED}


def test_imports_of_some_tables_leave_the_derived_tables_as_a_full_rebuild_makes_them(con):
    # Pipelines and deals first; then activities alone (deal_facts has each deal's first and
    # last activity), then leads alone (no derived table reads them).
    import_files(con, [GEN / "pipelines.csv", GEN / "deals.csv"], taken_at=TAKEN_AT)
    before_activities = rows(con, "SELECT deal_id, first_activity_at FROM deal_facts ORDER BY 1")
    for name in ("activities.csv", "leads.csv"):
        import_files(con, [GEN / name], taken_at=TAKEN_AT)
        kept = derived_tables(con)
        derived.refresh(con)
        assert derived_tables(con) == kept, f"after {name}"
    # D-1's first completed activity is A-1 (2024-01-05 10:20), D-2's is A-4.
    got = dict(rows(con, "SELECT deal_id, first_activity_at FROM deal_facts ORDER BY 1"))
    assert dict(before_activities)["D-1"] is None
    assert (got["D-1"], got["D-2"]) == (T("2024-01-05 10:20"), T("2024-03-05 11:30"))
