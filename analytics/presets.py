"""How the exports of each CRM name their columns and stages, and how a file's CRM is recognised."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analytics.schema import DEFAULT_PIPELINE, DEFAULT_STAGES


def normalize_header(name: str) -> str:
    """Return a header in snake_case without punctuation ("CloseDate" and "Close Date" agree)."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    text = re.sub(r"[^\w]+", "_", text.lower(), flags=re.UNICODE)
    return text.strip("_")


# Synonyms per kind and canonical column, in normalised form; first match wins.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "deals": {
        "deal_id": (
            "deal_id",
            "id",
            "opportunity_id",
            "opp_id",
            "record_id",
            "deal_number",
            "dealid",
            "商談_id",
            "商談id",
        ),
        "name": (
            "name",
            "deal_name",
            "opportunity_name",
            "deal_title",
            "title",
            "deal",
            "opportunity",
            "商談名",
        ),
        "pipeline": ("pipeline", "pipeline_name", "sales_pipeline", "sales_process"),
        "stage": (
            "stage",
            "deal_stage",
            "stage_name",
            "sales_stage",
            "current_stage",
            "dealstage",
            "フェーズ",
            "ステージ",
        ),
        "status": ("status", "deal_status", "outcome", "state", "result"),
        "amount": (
            "amount",
            "value",
            "deal_value",
            "close_value",
            "deal_amount",
            "revenue",
            "amount_usd",
            "金額",
        ),
        "currency": (
            "currency",
            "currency_code",
            "currency_iso_code",
            "deal_currency",
            "deal_currency_code",
            "通貨",
        ),
        "owner": (
            "owner",
            "deal_owner",
            "owner_name",
            "sales_agent",
            "sales_rep",
            "rep",
            "salesperson",
            "assigned_to",
            "account_executive",
            "owner_id",
            "user",
            "商談_所有者",
            "所有者",
            "担当者",
        ),
        "team": ("team", "sales_team", "team_name"),
        "source": (
            "source",
            "lead_source",
            "deal_source",
            "channel",
            "origin",
            "original_source",
            "リードソース",
        ),
        "organization_id": (
            "organization_id",
            "organization",
            "account_id",
            "account",
            "company_id",
            "company",
            "account_name",
            "org_id",
            "customer",
            "取引先名",
            "取引先",
        ),
        "contact_id": ("contact_id", "contact", "contact_person", "primary_contact"),
        "lead_id": ("lead_id", "lead", "source_lead"),
        "created_at": (
            "created_at",
            "created",
            "create_date",
            "created_date",
            "creation_date",
            "date_created",
            "created_on",
            "created_time",
            "engage_date",
            "opened_at",
            "open_date",
            "作成日",
        ),
        "expected_close_date": (
            "expected_close_date",
            "close_date",
            "closing_date",
            "expected_close",
            "expected_closing",
            "target_close_date",
            "完了予定日",
        ),
        "closed_at": (
            "closed_at",
            "closed_date",
            "actual_close_date",
            "date_closed",
            "closed_on",
            "won_lost_date",
        ),
        "lost_reason": (
            "lost_reason",
            "loss_reason",
            "reason_lost",
            "reason_for_loss",
            "closed_lost_reason",
            "失注理由",
        ),
        "industry": ("industry", "sector", "業種"),
        "region": ("region", "territory", "地域"),
        "product": ("product", "product_name", "製品"),
        "segment": ("segment", "customer_segment", "market_segment"),
        "last_stage_change_at": (
            "last_stage_change_at",
            "last_stage_change",
            "last_stage_change_date",
            "stage_changed_at",
        ),
        "is_won": ("is_won", "won"),
        "is_closed": ("is_closed", "closed"),
        "is_deleted": ("is_deleted", "deleted"),
        "is_active": ("is_active", "active"),
    },
    "stage_events": {
        "deal_id": ("deal_id", "opportunity_id", "deal", "opportunity", "dealid"),
        "stage": ("stage", "stage_name", "to_stage", "new_stage", "deal_stage", "sales_stage"),
        "entered_at": (
            "entered_at",
            "changed_at",
            "date_entered",
            "stage_date",
            "entered",
            "moved_at",
            "timestamp",
            "event_time",
            "date",
            "last_modified",
        ),
        "history_id": ("history_id", "id", "event_id"),
        "amount": ("amount", "value"),
        "expected_close_date": ("expected_close_date", "close_date", "closing_date"),
        "is_deleted": ("is_deleted", "deleted"),
    },
    "activities": {
        "activity_id": ("activity_id", "id", "task_id", "event_id"),
        "type": ("type", "activity_type", "task_type", "kind", "task_subtype"),
        "owner": (
            "owner",
            "assigned_to",
            "assigned_to_user",
            "assigned_user",
            "user",
            "rep",
            "sales_rep",
            "owner_id",
            "sales_agent",
        ),
        "deal_id": ("deal_id", "opportunity_id", "deal"),
        "lead_id": ("lead_id", "lead"),
        "contact_id": ("contact_id", "contact", "contact_person"),
        "organization_id": (
            "organization_id",
            "account_id",
            "organization",
            "account",
            "company_id",
        ),
        "due_at": ("due_at", "due_date", "activity_date", "scheduled_at", "due", "date", "start"),
        "completed_at": (
            "completed_at",
            "done_at",
            "completed_date",
            "marked_as_done_time",
            "completed_date_time",
            "done_time",
        ),
        "subject": ("subject", "title", "activity_subject"),
        "outcome": ("outcome", "result", "disposition", "call_result", "call_disposition"),
        "is_done": ("is_done", "done"),
        "is_deleted": ("is_deleted", "deleted"),
    },
    "leads": {
        "lead_id": ("lead_id", "id", "record_id"),
        "created_at": (
            "created_at",
            "created",
            "created_date",
            "create_date",
            "creation_date",
            "created_on",
            "date_created",
            "created_time",
        ),
        "source": ("source", "lead_source", "channel", "origin"),
        "owner": ("owner", "lead_owner", "owner_id", "assigned_to", "sales_rep"),
        "status": ("status", "lead_status"),
        "converted_at": (
            "converted_at",
            "converted_date",
            "conversion_date",
            "date_converted",
            "converted_on",
        ),
        "deal_id": ("deal_id", "converted_deal_id", "converted_opportunity_id", "opportunity_id"),
        "disqualified_reason": (
            "disqualified_reason",
            "disqualification_reason",
            "unqualified_reason",
            "reason",
        ),
        "is_converted": ("is_converted", "converted"),
    },
    "organizations": {
        "organization_id": (
            "organization_id",
            "id",
            "account_id",
            "company_id",
            "org_id",
            "record_id",
        ),
        "name": (
            "name",
            "organization_name",
            "account_name",
            "company_name",
            "company",
            "organization",
        ),
        "industry": ("industry", "sector"),
        "employees": ("employees", "number_of_employees", "employee_count", "headcount"),
        "region": ("region", "territory"),
        "country": ("country", "billing_country"),
    },
    "contacts": {
        "contact_id": ("contact_id", "id", "record_id"),
        "organization_id": (
            "organization_id",
            "account_id",
            "company_id",
            "organization",
            "account",
        ),
        "name": ("name", "full_name", "contact_name"),
        "email": ("email", "email_address", "e_mail"),
        "created_at": ("created_at", "created_date", "create_date", "created", "created_time"),
        "is_customer": ("is_customer", "customer"),
    },
    "targets": {
        "target_id": ("target_id", "id", "goal_id", "quota_id"),
        "scope": ("scope", "level"),
        "scope_value": ("scope_value", "assignee", "owner", "team", "who"),
        "metric": ("metric", "kpi", "goal_type", "measure"),
        "period_start": ("period_start", "start", "start_date", "from", "valid_from"),
        "period_end": ("period_end", "end", "end_date", "to", "valid_to"),
        "target_value": ("target_value", "target", "goal", "quota", "value", "amount"),
    },
    "exchange_rates": {
        "currency": (
            "currency",
            "iso_code",
            "currency_code",
            "currency_iso_code",
            "通貨",
        ),
        "rate_date": (
            "rate_date",
            "start_date",
            "date",
            "effective_date",
            "valid_from",
        ),
        "rate": ("rate", "conversion_rate", "exchange_rate"),
    },
    "pipelines": {
        "pipeline": ("pipeline", "pipeline_name"),
        "stage": ("stage", "stage_name"),
        "position": ("position", "order", "stage_order", "sort_order", "sequence"),
        "probability": ("probability", "win_probability", "deal_probability"),
        "rotting_days": ("rotting_days", "rotting_in_days", "rot_days", "rotting"),
    },
}


@dataclass(frozen=True)
class Preset:
    """What one CRM's exports look like: column names per kind, stage names and defaults."""

    name: str
    title: str
    # Exact headers (compared case-insensitively) per kind and canonical column; several
    # candidates present in one file are coalesced in the order given.
    columns: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # Headers whose presence gives the CRM away; two or more (or one starting a prefix
    # below) select the preset.
    signature: tuple[str, ...] = ()
    signature_prefix: str | None = None
    # Per kind, headers that must be present for that kind (tells history from deals, and a
    # table of the export from the CRM's other tables; see mapping.resolve_mapping).
    kind_markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pipeline: str = DEFAULT_PIPELINE
    stages: tuple[tuple[str, float], ...] = DEFAULT_STAGES
    # The CRM's internal stage ids or spellings, mapped to the stage names above.
    stage_aliases: dict[str, str] = field(default_factory=dict)
    # Values the CRM writes for "nothing" (Salesforce's empty lookup id).
    null_values: tuple[str, ...] = ()
    # Constants for columns the CRM's exports never carry, per kind.
    constants: dict[str, dict[str, str]] = field(default_factory=dict)


SALESFORCE_STAGES = (
    ("Prospecting", 0.10),
    ("Qualification", 0.10),
    ("Needs Analysis", 0.20),
    ("Value Proposition", 0.50),
    ("Id. Decision Makers", 0.60),
    ("Perception Analysis", 0.70),
    ("Proposal/Price Quote", 0.75),
    ("Negotiation/Review", 0.90),
)

PRESETS: dict[str, Preset] = {
    "generic": Preset("generic", "Generic CSV"),
    "salesforce": Preset(
        "salesforce",
        "Salesforce",
        columns={
            "deals": {
                "deal_id": ("Id", "Opportunity ID"),
                "name": ("Name", "Opportunity Name"),
                "stage": ("StageName", "Stage"),
                "amount": ("Amount",),
                "currency": ("CurrencyIsoCode", "Opportunity Currency"),
                "owner": ("OwnerId", "Opportunity Owner"),
                "organization_id": ("AccountId", "Account Name"),
                "contact_id": ("ContactId",),
                "source": ("LeadSource", "Lead Source"),
                "created_at": ("CreatedDate", "Created Date"),
                "expected_close_date": ("CloseDate", "Close Date"),
                "last_stage_change_at": ("LastStageChangeDate", "Last Stage Change Date"),
                "is_won": ("IsWon", "Won"),
                "is_closed": ("IsClosed", "Closed"),
                "is_deleted": ("IsDeleted",),
            },
            "stage_events": {
                "history_id": ("Id", "Opportunity History ID"),
                "deal_id": ("OpportunityId", "Opportunity ID"),
                "stage": ("StageName", "Stage Name"),
                "entered_at": ("CreatedDate", "Created Date"),
                "amount": ("Amount",),
                "expected_close_date": ("CloseDate", "Close Date"),
                "is_deleted": ("IsDeleted",),
            },
            "activities": {
                "activity_id": ("Id",),
                "type": ("Type", "TaskSubtype"),
                "owner": ("OwnerId",),
                "deal_id": ("WhatId",),
                "lead_id": ("WhoId",),
                "contact_id": ("WhoId",),
                "organization_id": ("AccountId",),
                "due_at": ("ActivityDateTime", "ActivityDate"),
                "completed_at": ("CompletedDateTime",),
                "subject": ("Subject",),
                "outcome": ("CallDisposition",),
                "is_done": ("IsClosed",),
                "is_deleted": ("IsDeleted",),
            },
            "leads": {
                "lead_id": ("Id",),
                "created_at": ("CreatedDate",),
                "source": ("LeadSource",),
                "owner": ("OwnerId",),
                "status": ("Status",),
                "converted_at": ("ConvertedDate",),
                "deal_id": ("ConvertedOpportunityId",),
                "is_converted": ("IsConverted",),
            },
            "organizations": {
                "organization_id": ("Id",),
                "name": ("Name",),
                "industry": ("Industry",),
                "employees": ("NumberOfEmployees",),
                "country": ("BillingCountry",),
            },
            "contacts": {
                "contact_id": ("Id",),
                "organization_id": ("AccountId",),
                "name": ("Name",),
                "email": ("Email",),
                "created_at": ("CreatedDate",),
            },
            "exchange_rates": {
                "currency": ("IsoCode",),
                "rate_date": ("StartDate",),
                "rate": ("ConversionRate",),
            },
        },
        signature=(
            "StageName",
            "IsWon",
            "IsClosed",
            "OpportunityId",
            "OwnerId",
            "AccountId",
            "SystemModstamp",
            "CreatedById",
            "LastModifiedDate",
            "ForecastCategory",
            "WhatId",
            "WhoId",
            "ConvertedOpportunityId",
            "IsDeleted",
            "BillingCity",
            "BillingState",
            "BillingPostalCode",
            "BillingCountry",
            "NumberOfEmployees",
            "AnnualRevenue",
            "LastActivityDate",
            "ParentId",
            "MasterRecordId",
        ),
        kind_markers={
            "stage_events": ("OpportunityId",),
            "deals": ("IsWon", "IsClosed", "StageSortOrder", "Opportunity Name"),
            "activities": ("WhatId",),
            "leads": ("IsConverted",),
            # Contact and Account fields that User, Contract, LinkedInLeadGen and the
            # export's other objects lack (Email and BillingCountry are on those too).
            "contacts": (
                "ReportsToId",
                "MailingStreet",
                "MailingCity",
                "AssistantPhone",
                "AssistantName",
            ),
            "organizations": (
                "AccountNumber",
                "Ownership",
                "TickerSymbol",
                "NumberOfEmployees",
                "AnnualRevenue",
            ),
            "exchange_rates": ("ConversionRate",),
        },
        pipeline="Salesforce",
        stages=SALESFORCE_STAGES,
        stage_aliases={"Closed Won": "Won", "Closed Lost": "Lost"},
        null_values=("000000000000000AAA",),
    ),
    "hubspot": Preset(
        "hubspot",
        "HubSpot",
        columns={
            "deals": {
                "deal_id": ("Record ID", "hs_object_id"),
                "name": ("Deal Name", "dealname"),
                "pipeline": ("Pipeline", "pipeline"),
                "stage": ("Deal Stage", "dealstage"),
                "amount": ("Amount", "amount"),
                "currency": ("Currency", "deal_currency_code"),
                "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id"),
                "organization_id": ("Associated Company", "Associated Company IDs"),
                "source": ("Original Source", "hs_analytics_source", "Original Traffic Source"),
                "created_at": ("Create Date", "createdate"),
                "expected_close_date": ("Close Date", "closedate"),
                "lost_reason": ("Closed Lost Reason", "closed_lost_reason"),
                "is_won": ("Is Closed Won", "hs_is_closed_won"),
                "is_closed": ("Is closed", "Is Closed", "hs_is_closed"),
            },
        },
        signature=(
            "Record ID",
            "Deal Stage",
            "Deal owner",
            "hs_object_id",
            "dealstage",
            "dealname",
            "createdate",
            "hubspot_owner_id",
            "Associated Company",
        ),
        pipeline="Sales Pipeline",
        stages=(
            ("Appointment Scheduled", 0.20),
            ("Qualified To Buy", 0.40),
            ("Presentation Scheduled", 0.60),
            ("Decision Maker Bought-In", 0.80),
            ("Contract Sent", 0.90),
        ),
        stage_aliases={
            "appointmentscheduled": "Appointment Scheduled",
            "qualifiedtobuy": "Qualified To Buy",
            "presentationscheduled": "Presentation Scheduled",
            "decisionmakerboughtin": "Decision Maker Bought-In",
            "contractsent": "Contract Sent",
            "closedwon": "Won",
            "closedlost": "Lost",
            "Closed Won": "Won",
            "Closed Lost": "Lost",
            "default": "Sales Pipeline",
        },
    ),
    "pipedrive": Preset(
        "pipedrive",
        "Pipedrive",
        columns={
            "deals": {
                "deal_id": ("Deal - ID", "Deal - Pipedrive System ID"),
                "name": ("Deal - Title",),
                "pipeline": ("Deal - Pipeline",),
                "stage": ("Deal - Stage", "Deal - Stage (pipeline)"),
                "status": ("Deal - Status",),
                "amount": ("Deal - Value", "Deal - Deal value"),
                "currency": (
                    "Deal - Currency",
                    "Deal - Currency of Value",
                    "Deal - Currency of value",
                ),
                "owner": ("Deal - Owner",),
                "organization_id": ("Deal - Organization", "Organization"),
                "contact_id": ("Deal - Contact person", "Contact person"),
                "source": ("Deal - Source",),
                "created_at": (
                    "Deal - Deal created",
                    "Deal - Deal created on",
                    "Deal - Creation date",
                ),
                "expected_close_date": ("Deal - Expected close date",),
                "closed_at": (
                    "Deal - Deal closed on",
                    "Deal - Closed on",
                    "Deal - Won time",
                    "Deal - Lost time",
                ),
                "lost_reason": ("Deal - Lost reason",),
                "last_stage_change_at": ("Deal - Last stage change",),
            },
            "activities": {
                "activity_id": ("Activity - ID", "Activity - Pipedrive System ID"),
                "type": ("Activity - Type",),
                "owner": ("Activity - Assigned to user", "Activity - Owner"),
                "deal_id": ("Activity - Deal ID", "Deal - ID", "Deal"),
                "contact_id": ("Contact person",),
                "organization_id": ("Organization",),
                "due_at": ("Activity - Due date",),
                "completed_at": ("Activity - Marked as done time",),
                "subject": ("Activity - Subject",),
                "outcome": ("Activity - Note",),
                "is_done": ("Activity - Done",),
            },
        },
        signature_prefix="Deal - ",
        kind_markers={"activities": ("Activity - Subject",)},
        pipeline="Pipeline",
        stages=(
            ("Qualified", 0.10),
            ("Contact Made", 0.20),
            ("Demo Scheduled", 0.40),
            ("Proposal Made", 0.60),
            ("Negotiations Started", 0.80),
        ),
    ),
    "vtiger": Preset(
        "vtiger",
        "Vtiger",
        columns={
            "deals": {
                "deal_id": ("Potential No", "potential_no", "potentialid"),
                "name": ("Potential Name", "Opportunity Name", "potentialname"),
                "amount": ("Amount", "amount"),
                "organization_id": ("Related To", "Organization Name", "related_to"),
                "expected_close_date": ("Expected Close Date", "closingdate"),
                "source": ("Lead Source", "leadsource"),
                "stage": ("Sales Stage", "sales_stage"),
                "owner": ("Assigned To",),
                "created_at": ("Created Time", "createdtime"),
            },
            "stage_events": {
                "history_id": ("historyid",),
                "deal_id": ("potentialid",),
                "stage": ("stage", "Sales Stage"),
                "entered_at": ("lastmodified", "Last Modified"),
                "amount": ("amount", "Amount"),
                "expected_close_date": ("closedate", "Expected Close Date"),
            },
        },
        signature=(
            "Potential Name",
            "Potential No",
            "Sales Stage",
            "Related To",
            "potentialname",
            "potential_no",
            "sales_stage",
            "potentialid",
            "historyid",
        ),
        kind_markers={"stage_events": ("lastmodified", "Last Modified")},
        pipeline="Vtiger",
        stages=SALESFORCE_STAGES,
        stage_aliases={"Closed Won": "Won", "Closed Lost": "Lost"},
    ),
    "zoho": Preset(
        "zoho",
        "Zoho CRM",
        columns={
            "deals": {
                "deal_id": ("Record Id", "id", "Deal Id"),
                "name": ("Deal Name", "Deal_Name"),
                "pipeline": ("Pipeline",),
                "stage": ("Stage",),
                "amount": ("Amount",),
                "owner": ("Deal Owner", "Owner"),
                "organization_id": ("Account Name", "Account_Name"),
                "contact_id": ("Contact Name", "Contact_Name"),
                "source": ("Lead Source", "Lead_Source"),
                "created_at": ("Created Time", "Created_Time"),
                "expected_close_date": ("Closing Date", "Closing_Date"),
                "lost_reason": ("Reason For Loss", "Reason_For_Loss__s"),
                "currency": ("Currency",),
            },
        },
        signature=(
            "Deal Owner",
            "Closing Date",
            "Deal_Name",
            "Closing_Date",
            "Record Id",
            "Reason_For_Loss__s",
            "Created_Time",
            "Account_Name",
        ),
        pipeline="Standard",
        stages=(
            ("Qualification", 0.10),
            ("Needs Analysis", 0.20),
            ("Value Proposition", 0.40),
            ("Identify Decision Makers", 0.60),
            ("Proposal/Price Quote", 0.75),
            ("Negotiation/Review", 0.90),
        ),
        stage_aliases={
            "Closed Won": "Won",
            "Closed Lost": "Lost",
            "Closed-Lost to Competition": "Lost",
        },
    ),
    "odoo": Preset(
        "odoo",
        "Odoo",
        columns={
            "deals": {
                "deal_id": ("ID", "id", "External ID"),
                "name": ("Opportunity", "name"),
                "owner": ("Salesperson", "user_id"),
                "team": ("Sales Team", "team_id"),
                "stage": ("Stage", "stage_id"),
                "amount": ("Expected Revenue", "expected_revenue"),
                "currency": ("Currency", "company_currency"),
                "closed_at": ("Closed Date", "date_closed"),
                "expected_close_date": ("Expected Closing", "date_deadline"),
                "created_at": ("Created on", "create_date"),
                "organization_id": ("Customer", "partner_id", "Company Name", "partner_name"),
                "lost_reason": ("Lost Reason", "lost_reason_id"),
                "source": ("Source", "source_id"),
                "last_stage_change_at": ("Last Stage Update", "date_last_stage_update"),
                "is_active": ("Active", "active"),
            },
        },
        signature=(
            "Salesperson",
            "Sales Team",
            "Expected Closing",
            "Expected Revenue",
            "Created on",
            "Last Stage Update",
            "date_deadline",
            "stage_id",
            "user_id",
        ),
        pipeline="Odoo",
        stages=(("New", 0.10), ("Qualified", 0.30), ("Proposition", 0.70)),
        stage_aliases={"Won": "Won", "Lost": "Lost"},
    ),
}

PRESET_NAMES = tuple(PRESETS)


def detect_preset(headers: list[str]) -> Preset:
    """Return the preset whose CRM the headers come from, or the generic one."""
    present = {h.strip().lower() for h in headers}
    best, best_score = PRESETS["generic"], 1
    for preset in PRESETS.values():
        score = sum(1 for s in preset.signature if s.lower() in present)
        if preset.signature_prefix and any(
            h.strip().startswith(preset.signature_prefix) for h in headers
        ):
            score += 2
        if score > best_score:
            best, best_score = preset, score
    return best


# A stage name that is an outcome rather than an open stage, in the spellings CRMs use.
_WON = re.compile(r"^(closed[\s_-]*)?won$|^受注$|^成約$", re.IGNORECASE)
_LOST = re.compile(r"^(closed[\s_-]*)?lost\b.*$|^失注$", re.IGNORECASE)


def outcome_of(stage: str) -> str | None:
    """Return "Won" or "Lost" when a stage name is an outcome, else None."""
    text = stage.strip()
    if _WON.match(text):
        return "Won"
    if _LOST.match(text):
        return "Lost"
    return None


STATUS_WORDS = {
    "open": "open",
    "in progress": "open",
    "active": "open",
    "won": "won",
    "win": "won",
    "closed won": "won",
    "closed-won": "won",
    "closedwon": "won",
    "lost": "lost",
    "closed lost": "lost",
    "closed-lost": "lost",
    "closedlost": "lost",
    "closed-lost to competition": "lost",
    "deleted": "deleted",
}

# The default lead statuses of Salesforce, HubSpot, Zoho and Vtiger, and common custom ones, in
# order: the first pattern that matches decides. HubSpot's "Open deal" means a deal was created
# from the lead; "Bad timing" leads are set aside, no longer worked. Vtiger rates leads "Cold",
# "Warm" or "Hot" in the same field: leads still worked.
LEAD_STATUS_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"not[\s_-]*converted|disqualif|unqualif|not[\s_-]*qualif|junk|rejected|lost|dead"
     r"|bad[\s_-]*timing", "disqualified"),
    (r"convert|open[\s_-]*deal", "converted"),
    (r"^new$|open|not[\s_-]*contacted|^unread", "new"),
    (r"working|contacted|connected|qualif|nurtur|engaged|in[\s_-]*progress|attempt"
     r"|contact[\s_-]*in[\s_-]*future|recycl|^(cold|warm|hot)$", "working"),
)  # fmt: skip
