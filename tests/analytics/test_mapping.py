"""Preset detection, kind guessing and column mapping from real CRM export headers."""

import json
from pathlib import Path

import pytest

from analytics.errors import MappingError
from analytics.mapping import resolve_mapping
from analytics.presets import detect_preset, normalize_header, outcome_of

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "crm_export_headers.json"

# Verbatim header rows of real exports (see ../shared/spec/crm_export_headers.json).
SALESFORCE_OPPORTUNITY = [
    "Id", "IsDeleted", "AccountId", "IsPrivate", "Name", "Description", "StageName",
    "StageSortOrder", "Amount", "Probability", "ExpectedRevenue", "CloseDate", "Type",
    "LeadSource", "IsClosed", "IsWon", "ForecastCategory", "OwnerId", "CreatedDate",
    "CreatedById", "LastModifiedDate", "SystemModstamp", "LastStageChangeDate",
]  # fmt: skip
SALESFORCE_HISTORY = [
    "Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName", "Amount",
    "ExpectedRevenue", "CloseDate", "Probability", "ForecastCategory", "SystemModstamp",
    "IsDeleted",
]  # fmt: skip
SALESFORCE_TASK = [
    "Id", "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority", "OwnerId",
    "Type", "IsDeleted", "AccountId", "IsClosed", "CreatedDate", "CompletedDateTime",
]  # fmt: skip
HUBSPOT = [
    "Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date",
    "Deal owner", "Associated Company", "Last Activity Date", "Original Source",
    'Date entered "Appointment Scheduled (Sales Pipeline)"',
    'Date entered "Closed Won (Sales Pipeline)"',
]  # fmt: skip
PIPEDRIVE = [
    "Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Pipeline",
    "Deal - Stage", "Deal - Status", "Deal - Owner", "Deal - Organization",
    "Deal - Deal created", "Deal - Expected close date", "Deal - Won time", "Deal - Lost time",
    "Deal - Lost reason", "Deal - Last stage change",
]  # fmt: skip
VTIGER = [
    "Potential Name", "Potential No", "Amount", "Related To", "Expected Close Date", "Type",
    "Lead Source", "Sales Stage", "Assigned To", "Probability", "Created Time",
]  # fmt: skip
ZOHO = [
    "Record Id", "Deal Owner", "Deal Name", "Account Name", "Type", "Lead Source", "Amount",
    "Closing Date", "Stage", "Probability", "Created Time", "Reason For Loss",
]  # fmt: skip
ODOO = [
    "ID", "Opportunity", "Salesperson", "Sales Team", "Stage", "Expected Revenue",
    "Expected Closing", "Created on", "Customer", "Lost Reason", "Source", "Probability",
]  # fmt: skip
KAGGLE_GENERIC = [
    "opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
    "close_date", "close_value",
]  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "preset", "kind"),
    [
        (SALESFORCE_OPPORTUNITY, "salesforce", "deals"),
        (SALESFORCE_HISTORY, "salesforce", "stage_events"),
        (SALESFORCE_TASK, "salesforce", "activities"),
        (HUBSPOT, "hubspot", "deals"),
        (PIPEDRIVE, "pipedrive", "deals"),
        (VTIGER, "vtiger", "deals"),
        (ZOHO, "zoho", "deals"),
        (ODOO, "odoo", "deals"),
        (KAGGLE_GENERIC, "generic", "deals"),
        (["Deal ID", "Stage", "Changed At"], "generic", "stage_events"),
        (["Activity ID", "Type", "Due At", "Deal ID"], "generic", "activities"),
        (["Lead ID", "Created At", "Lead Status"], "generic", "leads"),
        (["Organization ID", "Organization Name", "Industry"], "generic", "organizations"),
        (["Contact ID", "Full Name", "Email"], "generic", "contacts"),
        (["Scope", "Scope Value", "Metric", "Period Start", "Period End", "Target Value"],
         "generic", "targets"),
        (["Pipeline", "Stage", "Position", "Probability"], "generic", "pipelines"),
    ],
)  # fmt: skip
def test_preset_and_kind_detected(headers, preset, kind):
    mapping = resolve_mapping(headers)
    assert (mapping.preset.name, mapping.kind) == (preset, kind)
    assert mapping.missing_required() == []


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            SALESFORCE_OPPORTUNITY,
            {
                "deal_id": ("Id",), "name": ("Name",), "stage": ("StageName",),
                "amount": ("Amount",), "owner": ("OwnerId",), "organization_id": ("AccountId",),
                "source": ("LeadSource",), "created_at": ("CreatedDate",),
                "expected_close_date": ("CloseDate",),
                "last_stage_change_at": ("LastStageChangeDate",), "is_won": ("IsWon",),
                "is_closed": ("IsClosed",), "is_deleted": ("IsDeleted",),
            },
        ),
        (
            PIPEDRIVE,
            {
                "deal_id": ("Deal - ID",), "name": ("Deal - Title",),
                "pipeline": ("Deal - Pipeline",), "stage": ("Deal - Stage",),
                "status": ("Deal - Status",), "amount": ("Deal - Value",),
                "currency": ("Deal - Currency",), "owner": ("Deal - Owner",),
                "organization_id": ("Deal - Organization",),
                "created_at": ("Deal - Deal created",),
                "expected_close_date": ("Deal - Expected close date",),
                "closed_at": ("Deal - Won time", "Deal - Lost time"),
                "lost_reason": ("Deal - Lost reason",),
                "last_stage_change_at": ("Deal - Last stage change",),
            },
        ),
        (
            KAGGLE_GENERIC,
            {
                "deal_id": ("opportunity_id",), "owner": ("sales_agent",),
                "product": ("product",), "organization_id": ("account",),
                "stage": ("deal_stage",), "created_at": ("engage_date",),
                "expected_close_date": ("close_date",), "amount": ("close_value",),
            },
        ),
    ],
)  # fmt: skip
def test_whole_mapping(headers, expected):
    assert resolve_mapping(headers, kind="deals").columns == expected


def test_hubspot_date_entered_columns_become_history():
    mapping = resolve_mapping(HUBSPOT)
    assert [(e.stage, e.pipeline) for e in mapping.entered_columns] == [
        ("Appointment Scheduled", "Sales Pipeline"),
        ("Closed Won", "Sales Pipeline"),
    ]
    assert not any(h.startswith("Date entered") for h in mapping.unmapped)


def test_explicit_mapping_overrides_detection():
    mapping = resolve_mapping(["Deal ID", "Stage", "Created", "Amount", "Net"],
                              explicit={"amount": "Net"})  # fmt: skip
    assert mapping.columns["amount"] == ("Net",)
    assert "Amount" in mapping.unmapped


def test_constant_fills_a_missing_column():
    mapping = resolve_mapping(["Deal ID", "Created"], kind="deals", constants={"stage": "Won"})
    assert mapping.missing_required() == []
    assert mapping.constants == {"stage": "Won"}
    assert mapping.describe()["stage"] == "= 'Won'"


def test_unknown_canonical_name_is_a_usage_error():
    with pytest.raises(MappingError, match="not a column of deals"):
        resolve_mapping(["Deal ID"], kind="deals", explicit={"colour": "Deal ID"})


def test_unknown_preset_is_a_usage_error():
    with pytest.raises(MappingError, match="unknown preset"):
        resolve_mapping(["Deal ID"], preset="sugarcrm")


def test_missing_required_columns_are_reported():
    mapping = resolve_mapping(["Deal Name", "Stage", "Amount"], kind="deals")
    assert mapping.missing_required() == ["deal_id", "created_at"]


@pytest.mark.parametrize(
    ("header", "normalized"),
    [
        ("CloseDate", "close_date"), ("Close Date", "close_date"), ("close_date", "close_date"),
        ("  Deal - ID ", "deal_id"), ("OpportunityId", "opportunity_id"),
        ("商談名", "商談名"), ("Probability (%)", "probability"),
    ],
)  # fmt: skip
def test_normalize_header(header, normalized):
    assert normalize_header(header) == normalized


@pytest.mark.parametrize(
    ("stage", "outcome"),
    [
        ("Won", "Won"), ("won", "Won"), ("Closed Won", "Won"), ("Closed-Won", "Won"),
        ("closedwon", "Won"), ("受注", "Won"), ("Lost", "Lost"), ("Closed Lost", "Lost"),
        ("closedlost", "Lost"), ("Closed-Lost to Competition", "Lost"), ("失注", "Lost"),
        ("Closing", None), ("Wonderful", None), ("Lost contact follow-up", "Lost"),
        ("Negotiation/Review", None),
    ],
)  # fmt: skip
def test_outcome_spellings(stage, outcome):
    assert outcome_of(stage) == outcome


def test_every_catalogued_salesforce_history_header_maps():
    catalog = json.loads(SPEC.read_text())
    headers = catalog["salesforce"]["data_export_api_names"]["OpportunityHistory"]
    mapping = resolve_mapping(headers)
    assert (mapping.preset.name, mapping.kind) == ("salesforce", "stage_events")
    assert mapping.columns["deal_id"] == ("OpportunityId",)


def test_detect_preset_needs_more_than_one_weak_signal():
    assert detect_preset(["Id", "Name", "Amount"]).name == "generic"


@pytest.mark.parametrize(
    ("headers", "joined"),
    [
        (["Id", "AccountId", "LastName", "FirstName", "Email"], ("FirstName", "LastName")),
        (["contact_id", "surname", "email"], ("surname",)),
        (["Contact ID", "Full Name", "First Name", "Last Name"], None),
        (["Contact ID", "First Name", "Email"], None),
    ],
)
def test_contact_names_from_first_and_last_name(headers, joined):
    mapping = resolve_mapping(headers, kind="contacts")
    assert mapping.joined.get("name") == joined
    if joined:
        assert mapping.describe()["name"] == " + ".join(joined)
        assert not set(joined) & set(mapping.unmapped)


# Header rows of Salesforce objects a weekly Data Export also holds. Campaign: the sample export
# (../shared/data/salesforce-sample-export/Campaign.csv), shortened; the others as the
# Salesforce object reference lists their fields, shortened.
SALESFORCE_CAMPAIGN = [
    "Id", "IsDeleted", "Name", "ParentId", "Type", "Status", "StartDate", "EndDate",
    "ExpectedRevenue", "BudgetedCost", "ActualCost", "NumberSent", "IsActive", "OwnerId",
    "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp",
]  # fmt: skip
SALESFORCE_USER = [
    "Id", "Username", "LastName", "FirstName", "Name", "CompanyName", "Department", "Title",
    "City", "Country", "Email", "Phone", "Alias", "IsActive", "UserRoleId", "ProfileId",
    "UserType", "ManagerId", "CreatedDate", "CreatedById", "SystemModstamp", "ContactId",
    "AccountId",
]  # fmt: skip
SALESFORCE_CONTRACT = [
    "Id", "AccountId", "StartDate", "EndDate", "BillingCity", "BillingCountry", "ContractTerm",
    "OwnerId", "Status", "IsDeleted", "ContractNumber", "CreatedDate", "SystemModstamp",
]  # fmt: skip
SALESFORCE_LINE_ITEM = [
    "Id", "OpportunityId", "SortOrder", "PricebookEntryId", "Product2Id", "Name", "Quantity",
    "TotalPrice", "UnitPrice", "CreatedDate", "CreatedById", "SystemModstamp", "IsDeleted",
]  # fmt: skip
SALESFORCE_CASE = [
    "Id", "IsDeleted", "CaseNumber", "ContactId", "AccountId", "Type", "Status", "Subject",
    "IsClosed", "ClosedDate", "OwnerId", "CreatedDate", "SystemModstamp",
]  # fmt: skip
SALESFORCE_ACCOUNT = [
    "Id", "IsDeleted", "Name", "Type", "BillingCity", "BillingCountry", "Industry",
    "AnnualRevenue", "NumberOfEmployees", "Ownership", "OwnerId", "CreatedDate",
]  # fmt: skip
SALESFORCE_CONTACT = [
    "Id", "IsDeleted", "AccountId", "LastName", "FirstName", "MailingCity", "Email",
    "AssistantPhone", "ReportsToId", "OwnerId", "CreatedDate",
]  # fmt: skip


@pytest.mark.parametrize(
    "headers",
    [SALESFORCE_CAMPAIGN, SALESFORCE_USER, SALESFORCE_CONTRACT, SALESFORCE_LINE_ITEM,
     SALESFORCE_CASE, ["id", "name", "status", "start_date", "budget"]],
    ids=["Campaign", "User", "Contract", "OpportunityLineItem", "Case", "generic campaigns"],
)  # fmt: skip
def test_headers_of_other_tables_identify_no_kind(headers):
    assert not resolve_mapping(headers).identified


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (SALESFORCE_OPPORTUNITY, "deals"), (SALESFORCE_HISTORY, "stage_events"),
        (SALESFORCE_TASK, "activities"), (SALESFORCE_ACCOUNT, "organizations"),
        (SALESFORCE_CONTACT, "contacts"), (HUBSPOT, "deals"), (PIPEDRIVE, "deals"),
        (KAGGLE_GENERIC, "deals"),
        # Named after the kind, a key identifies the file even when a required column is
        # missing: the import then says which one.
        (["deal_id", "name", "owner", "created_at"], "deals"),
        (["Lead ID", "Created At", "Lead Status"], "leads"),
    ],
)  # fmt: skip
def test_headers_of_the_model_s_tables_identify_their_kind(headers, kind):
    mapping = resolve_mapping(headers)
    assert (mapping.kind, mapping.identified) == (kind, True)


def test_a_kind_given_is_taken_as_identified():
    mapping = resolve_mapping(SALESFORCE_CAMPAIGN, kind="organizations")
    assert (mapping.kind, mapping.identified) == ("organizations", True)
