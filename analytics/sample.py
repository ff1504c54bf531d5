"""A deterministic, seeded generator of sample CRM exports (the demo data of the dashboard).

The files look like a generic CRM export of a B2B software company with two sales
teams: pipelines, organizations, contacts, leads, deals, the deals' change history
(shaped like Salesforce's OpportunityHistory), activities, quarterly targets and the monthly
EUR exchange rates that convert the euro deals to US dollars, the reporting currency.

Everything is simulated with numpy across all deals at once (a deal's stage path
is walked one step per loop iteration for every deal still moving), and the CSVs
are written by DuckDB from numeric/categorical frames, so a million deals take a
few minutes. The same seed, size and end date give byte-identical files.

Time is simulated in *business days* (Monday-Friday, 08:00-18:00): a float ``b``
counts working days since the calendar origin and maps monotonically onto a
timestamp, so every event falls in working hours and ordering is preserved.

Run ``python -m analytics.sample [--out DIR] [--deals N]`` to regenerate the files.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from analytics.schema import LEAD_STATUSES

if TYPE_CHECKING:
    from analytics.importer import ImportResult

SAMPLE_DIR: Path = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_END_DATE = date(2026, 11, 20)
DEFAULT_DEALS = 4000
DEFAULT_SEED = 20261120

# The kinds follow analytics.schema.IMPORTABLE (deal history is the "stage_events" kind).
FILE_NAMES: dict[str, str] = {
    "pipelines": "pipelines.csv",
    "organizations": "organizations.csv",
    "contacts": "contacts.csv",
    "leads": "leads.csv",
    "deals": "deals.csv",
    "stage_events": "deal_history.csv",
    "activities": "activities.csv",
    "targets": "targets.csv",
    "exchange_rates": "exchange_rates.csv",
}

HEADERS: dict[str, tuple[str, ...]] = {
    "pipelines": ("Pipeline", "Stage", "Position", "Probability", "Rotting Days"),
    "organizations": (
        "Organization ID",
        "Organization Name",
        "Industry",
        "Employees",
        "Region",
        "Country",
    ),
    "contacts": (
        "Contact ID",
        "Organization ID",
        "Full Name",
        "Email",
        "Created At",
        "Is Customer",
    ),
    "leads": (
        "Lead ID",
        "Created At",
        "Lead Source",
        "Lead Owner",
        "Lead Status",
        "Converted At",
        "Converted Deal ID",
        "Disqualified Reason",
    ),
    "deals": (
        "Deal ID",
        "Deal Name",
        "Pipeline",
        "Stage",
        "Status",
        "Amount",
        "Currency",
        "Owner",
        "Team",
        "Source",
        "Organization ID",
        "Contact ID",
        "Lead ID",
        "Created At",
        "Expected Close Date",
        "Closed At",
        "Lost Reason",
        "Industry",
        "Region",
        "Product",
        "Segment",
    ),
    "stage_events": (
        "History ID",
        "Deal ID",
        "Stage",
        "Amount",
        "Expected Close Date",
        "Changed At",
    ),
    "activities": (
        "Activity ID",
        "Type",
        "Owner",
        "Deal ID",
        "Lead ID",
        "Contact ID",
        "Organization ID",
        "Due At",
        "Completed At",
        "Subject",
        "Outcome",
    ),
    "targets": (
        "Target ID",
        "Scope",
        "Scope Value",
        "Metric",
        "Period Start",
        "Period End",
        "Target Value",
    ),
    "exchange_rates": ("Currency", "Rate Date", "Rate"),
}

# --------------------------------------------------------------------------------------
# The business: pipelines, teams, reps, vocabularies
# --------------------------------------------------------------------------------------

# (stage, probability, rotting days or None); open stages only, in order.
PIPELINES: dict[str, tuple[tuple[str, float, int | None], ...]] = {
    "New Business": (
        ("Prospecting", 0.10, 14),
        ("Preparation", 0.20, 14),
        ("Approach", 0.35, 21),
        ("Presentation", 0.50, 21),
        ("Handling objections", 0.65, 21),
        ("Closing", 0.80, 14),
    ),
    "Expansion": (
        ("Qualification", 0.30, None),
        ("Proposal", 0.60, 21),
        ("Negotiation", 0.85, 14),
    ),
}
PIPELINE_NAMES = tuple(PIPELINES)
N_STAGES = np.array([len(PIPELINES[p]) for p in PIPELINE_NAMES])
STAGE_OFFSET = np.concatenate(([0], np.cumsum(N_STAGES)[:-1]))
STAGE_NAMES = [s[0] for p in PIPELINE_NAMES for s in PIPELINES[p]] + ["Won", "Lost"]
WON_CODE = len(STAGE_NAMES) - 2
LOST_CODE = len(STAGE_NAMES) - 1

# Per pipeline and stage: probability of being lost while in the stage, median dwell
# (business days) and the probability that a deal is created directly in the stage.
LOSS_HAZARD = np.array([[0.34, 0.25, 0.20, 0.16, 0.14, 0.13], [0.27, 0.20, 0.15, 0, 0, 0]])
DWELL_MEDIAN = np.array([[4.0, 5.0, 6.0, 7.0, 6.0, 5.0], [4.0, 5.5, 4.5, 1, 1, 1]])
ENTRY_STAGE_P = np.array([[0.88, 0.10, 0.02, 0, 0, 0], [0.90, 0.10, 0, 0, 0, 0]])
EXPANSION_SHARE = 0.15

TEAMS = ("Enterprise", "Mid-Market")
CORE_REPS = (
    ("Sarah Mitchell", 0),
    ("David Okafor", 0),
    ("Laura Bennett", 0),
    ("Kenji Watanabe", 0),
    ("Elena Petrova", 0),
    ("James Carter", 1),
    ("Priya Raman", 1),
    ("Marco Rossi", 1),
    ("Hannah Schmidt", 1),
    ("Daniel Kim", 1),
    ("Sofia Alvarez", 1),
    ("Tom Fischer", 1),
)
REPS_PER_4000_DEALS = 12

FIRST_NAMES = (
    "Aaron Abigail Adam Aisha Alex Alice Amelia Andre Anna Arjun Ben Bianca Carlos Caroline "
    "Chloe Chris Claire Daniela Diego Elias Emily Emma Ethan Fatima Felix Fiona Gabriel Grace "
    "Hiro Ian Isabel Ivan Jack Jasmine Javier Julia Karim Kate Leo Lena Liam Lucas Maria Mark "
    "Maya Mei Michael Mina Nadia Nathan Nina Noah Olivia Omar Paul Rachel Rafael Ravi Rosa Ryan "
    "Sam Sara Sean Simone Stefan Tara Thomas Victor Yuki Zoe"
).split()
LAST_NAMES = (
    "Adams Ahmed Andersen Baker Bauer Brown Campbell Chen Clarke Costa Dubois Evans Ferreira "
    "Garcia Gomez Gupta Hall Hansen Hughes Ito Jansen Johnson Jones Kaur Keller Khan Kowalski "
    "Larsen Lee Lopez Martin Meyer Miller Moreau Morgan Murphy Nakamura Nguyen Novak Oliveira "
    "Olsen Park Patel Perez Quinn Reyes Richter Roberts Santos Sato Schneider Silva Singh Smith "
    "Suzuki Tanaka Taylor Thompson Torres Turner Walker Wang Weber Wilson Wong Young Zhang"
).split()

SOURCES = ("Inbound", "Outbound", "Referral", "Partner", "Event", "Web")
SOURCE_P_NEW = np.array([0.22, 0.25, 0.12, 0.10, 0.10, 0.21])
SOURCE_P_EXPANSION = np.array([0.25, 0.35, 0.28, 0.06, 0.06, 0.0])
SOURCE_LOSS = np.array([0.95, 1.20, 0.75, 0.85, 1.05, 1.05])
SOURCE_HAS_LEAD = np.array([0.95, 0.50, 0.40, 0.50, 0.90, 0.95])
LEAD_SOURCE_P = np.array([0.20, 0.15, 0.10, 0.10, 0.15, 0.30])

SEGMENTS = ("Enterprise", "Mid-Market", "SMB")
SEGMENT_P = np.array([0.15, 0.40, 0.45])
SEGMENT_TEAM = np.array([0, 1, 1])
SEGMENT_DEAL_WEIGHT = np.array([1.6, 1.0, 0.8])
SEGMENT_LOSS = np.array([1.10, 1.0, 0.95])
SEGMENT_SPEED = np.array([1.45, 1.0, 0.70])  # multiplies dwell times
SEGMENT_AMOUNT = np.array([60000.0, 19000.0, 7000.0])  # median deal size, USD

PRODUCTS = ("Core Platform", "Analytics", "Automation", "Enterprise Suite", "Data Connectors")
PRODUCT_AMOUNT = np.array([1.0, 0.7, 0.8, 1.6, 0.5])
PRODUCT_P = np.array(
    [
        [0.25, 0.15, 0.10, 0.45, 0.05],  # Enterprise, new business
        [0.40, 0.20, 0.20, 0.10, 0.10],  # Mid-Market
        [0.55, 0.15, 0.20, 0.00, 0.10],  # SMB
    ]
)
PRODUCT_P_EXPANSION = np.array([0.05, 0.30, 0.30, 0.10, 0.25])

INDUSTRIES = (
    "Software",
    "Manufacturing",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Logistics",
    "Education",
    "Energy",
    "Telecommunications",
    "Professional Services",
    "Media",
)
INDUSTRY_P = np.array([0.16, 0.13, 0.12, 0.10, 0.09, 0.08, 0.06, 0.06, 0.06, 0.09, 0.05])
INDUSTRY_WORDS = (
    ("Software", "Systems", "Labs", "Technologies", "Digital", "Cloud"),
    ("Manufacturing", "Industries", "Components", "Machinery", "Precision", "Fabrication"),
    ("Capital", "Financial", "Partners", "Insurance", "Bank", "Investments"),
    ("Health", "Medical", "Clinics", "Pharma", "Biotech", "Care"),
    ("Retail", "Stores", "Brands", "Outfitters", "Market", "Goods"),
    ("Logistics", "Freight", "Shipping", "Transport", "Supply", "Distribution"),
    ("Academy", "Learning", "University", "Education", "Schools", "Institute"),
    ("Energy", "Power", "Solar", "Utilities", "Renewables", "Resources"),
    ("Telecom", "Networks", "Communications", "Wireless", "Connect", "Broadband"),
    ("Consulting", "Advisors", "Group", "Associates", "Services", "Solutions"),
    ("Media", "Studios", "Publishing", "Entertainment", "Broadcasting", "Creative"),
    ("Group", "Holdings", "Enterprises", "International", "Ventures", "Company"),  # no industry
)
NAME_HEADS = (
    "North South East West Blue Iron Silver Crest Summit Bright Clear Red Oak Pine Stone River "
    "Lake Sun Star Gold Green Swift True Prime Nova Apex High Atlas Polar Harbor Cedar Maple "
    "Falcon Eagle Lion Wolf Bay Fair Deep Delta"
).split()
NAME_TAILS = (
    "point wind gate bridge field wave line view way works core path light forge port mark "
    "haven brook vale ford ridge spring wood shore dale leaf rock well stream hill"
).split()

REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_P = np.array([0.45, 0.30, 0.15, 0.10])
# (country, share within region, web domain ending, legal suffixes)
COUNTRIES = (
    ("United States", 0, 0.80, ".com", ("Inc.", "LLC", "Corp.")),
    ("Canada", 0, 0.20, ".ca", ("Inc.", "Ltd.")),
    ("United Kingdom", 1, 0.25, ".co.uk", ("Ltd", "plc")),
    ("Germany", 1, 0.25, ".de", ("GmbH", "AG")),
    ("France", 1, 0.15, ".fr", ("SA", "SAS")),
    ("Netherlands", 1, 0.10, ".nl", ("B.V.",)),
    ("Spain", 1, 0.08, ".es", ("S.L.", "S.A.")),
    ("Sweden", 1, 0.07, ".se", ("AB",)),
    ("Ireland", 1, 0.05, ".ie", ("Ltd",)),
    ("Italy", 1, 0.05, ".it", ("S.p.A.", "S.r.l.")),
    ("Australia", 2, 0.35, ".com.au", ("Pty Ltd",)),
    ("Japan", 2, 0.25, ".co.jp", ("K.K.",)),
    ("Singapore", 2, 0.20, ".sg", ("Pte Ltd",)),
    ("India", 2, 0.20, ".in", ("Pvt Ltd",)),
    ("Brazil", 3, 0.50, ".com.br", ("Ltda.",)),
    ("Mexico", 3, 0.35, ".mx", ("S.A. de C.V.",)),
    ("Chile", 3, 0.15, ".cl", ("SpA",)),
)
EURO_COUNTRIES = ("Germany", "France", "Netherlands", "Spain", "Ireland", "Italy")
EUR_SHARE_IN_EUROZONE = 0.35
EUR_TO_USD = 1.08
# Monthly rates (EUR per USD) wander around 1 / EUR_TO_USD within this band.
EUR_PER_USD_BAND = (0.90, 0.95)
# Rates draw from their own generator, so adding them left every other file as it was.
RATES_SEED_OFFSET = 4217

LOST_REASONS = (
    "Price",
    "Competitor",
    "No budget",
    "No decision",
    "Timing",
    "Lost contact",
    "Not a fit",
)
LOST_REASON_P = np.array(
    [
        [0.00, 0.05, 0.25, 0.20, 0.15, 0.25, 0.10],  # lost early in the pipeline
        [0.15, 0.25, 0.15, 0.20, 0.15, 0.10, 0.00],  # in the middle
        [0.35, 0.35, 0.05, 0.15, 0.10, 0.00, 0.00],  # late
    ]
)
DISQUALIFIED_REASONS = (
    "Not a fit",
    "No budget",
    "Unresponsive",
    "Duplicate",
    "Student or personal use",
    "Competitor customer",
    "Wrong contact",
)
DISQUALIFIED_P = np.array([0.28, 0.20, 0.25, 0.08, 0.07, 0.05, 0.07])

ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "task", "follow_up")
DEAL_ACTIVITY_P = np.array([0.28, 0.32, 0.16, 0.07, 0.17, 0.0])
LEAD_ACTIVITY_P = np.array([0.40, 0.45, 0.0, 0.0, 0.15, 0.0])
SUBJECTS: tuple[tuple[str, ...], ...] = (
    ("Discovery call", "Check-in call", "Qualification call", "Pricing call", "Call back"),
    ("Intro email", "Sent proposal", "Follow-up email", "Sent case study", "Contract sent"),
    ("Kick-off meeting", "Stakeholder meeting", "Negotiation meeting", "Executive briefing"),
    ("Product demo", "Technical deep dive", "Custom demo"),
    ("Prepare proposal", "Send pricing", "Security questionnaire", "Update account plan"),
    ("Post-sale follow-up", "Onboarding check-in", "Customer success handover"),
)
OUTCOMES: tuple[tuple[tuple[str, float], ...], ...] = (
    (("Connected", 0.45), ("Left voicemail", 0.30), ("No answer", 0.25)),
    (("Sent", 0.70), ("Replied", 0.30)),
    (("Held", 0.85), ("Rescheduled", 0.10), ("No-show", 0.05)),
    (("Completed", 0.70), ("Positive", 0.20), ("Needs follow-up", 0.10)),
    (("Done", 1.0),),
    (("Customer satisfied", 0.60), ("Onboarding scheduled", 0.25), ("Upsell opportunity", 0.15)),
)
SUBJECT_NAMES = [s for group in SUBJECTS for s in group]
SUBJECT_START = np.concatenate(([0], np.cumsum([len(g) for g in SUBJECTS])[:-1]))
SUBJECT_COUNT = np.array([len(g) for g in SUBJECTS])
OUTCOME_NAMES = list(dict.fromkeys(name for group in OUTCOMES for name, _ in group))

DAY_START_SECONDS = 8 * 3600
WORKDAY_SECONDS = 10 * 3600
MONTH_SEASON = np.array([1.05, 1.0, 1.05, 1.0, 1.0, 0.95, 0.85, 0.75, 1.05, 1.10, 1.0, 0.70])
GROWTH = 1.8  # deals created per day at the end of the 24 months vs the start
MAX_STEPS = 40


# --------------------------------------------------------------------------------------
# Calendar: business-day time <-> calendar days and timestamps
# --------------------------------------------------------------------------------------


class _Calendar:
    """Maps float business-day times onto epoch days and epoch seconds (working hours)."""

    def __init__(self, first: date, last: date) -> None:
        days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        years = range(first.year, last.year + 1)
        holidays = [date(y, m, d) for y in years for m, d in ((1, 1), (12, 24), (12, 25), (12, 31))]
        busy = np.is_busday(days, holidays=np.array(holidays, dtype="datetime64[D]"))
        self.first = int(days[0].astype(np.int64))
        self.size = days.size
        self.bday_epoch = days[busy].astype(np.int64)
        # business days strictly before each calendar day (= its b at the start of the day)
        self.before = np.concatenate(([0], np.cumsum(busy)))[:-1]

    def b_of_day(self, epoch_day: np.ndarray | int) -> np.ndarray:
        """Business time at the start of a calendar day (next business day for weekends)."""
        pos = np.clip(np.asarray(epoch_day, dtype=np.int64) - self.first, 0, self.size - 1)
        return self.before[pos].astype(np.float64)

    def day_of_b(self, b: np.ndarray) -> np.ndarray:
        """Epoch day of a business time."""
        i = np.clip(np.floor(b).astype(np.int64), 0, self.bday_epoch.size - 1)
        return self.bday_epoch[i]

    def seconds(self, b: np.ndarray) -> np.ndarray:
        """Epoch seconds of a business time: the fraction of a day maps onto 08:00-18:00."""
        whole = np.floor(b)
        i = np.clip(whole.astype(np.int64), 0, self.bday_epoch.size - 1)
        frac = np.clip(b - whole, 0.0, 1.0 - 1e-9)
        return (
            self.bday_epoch[i] * 86400
            + DAY_START_SECONDS
            + (frac * WORKDAY_SECONDS).astype(np.int64)
        )


def _epoch_day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _month_end(epoch_days: np.ndarray) -> np.ndarray:
    months = epoch_days.astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)


def _quarter_index(epoch_days: np.ndarray) -> np.ndarray:
    """Quarters since 1970-Q1."""
    return epoch_days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) // 3


def _quarter_bounds(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last epoch day of quarters given as quarters since 1970-Q1."""
    start = (q * 3).astype("datetime64[M]")
    return (
        start.astype("datetime64[D]").astype(np.int64),
        ((start + 3).astype("datetime64[D]") - 1).astype(np.int64),
    )


def _window_start(end: date) -> date:
    """The same day 24 months before end (the 28th for 29 February)."""
    try:
        return end.replace(year=end.year - 2)
    except ValueError:
        return end.replace(year=end.year - 2, day=28)


def _round_amount(x: np.ndarray) -> np.ndarray:
    """Round amounts the way reps type them: to 500 above 10k, 100 above 1k, else 10."""
    step = np.where(x >= 10000, 500.0, np.where(x >= 1000, 100.0, 10.0))
    return np.maximum(np.round(x / step) * step, 10.0)


def _pick(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Vectorised categorical draw of size codes with probabilities p."""
    cdf = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), p.size - 1)


def _pick_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a probability matrix."""
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(p.shape[0])[:, None]
    return np.minimum((u >= cdf).sum(axis=1), p.shape[1] - 1)


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """True where a new group begins in an array of sorted keys."""
    first = np.ones(sorted_keys.size, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


def _forward_fill(values: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Fill values where has is False from the previous row that has one."""
    idx = np.where(has, np.arange(values.size), 0)
    np.maximum.accumulate(idx, out=idx)
    return values[idx]


def _strictly_increasing(seconds: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Nudge times forward by whole seconds so they strictly increase within each group.

    Rows must be sorted by group (ascending integers) and time.
    """
    i = np.arange(seconds.size, dtype=np.int64)
    big = np.int64(1) << 40
    w = seconds - i + group.astype(np.int64) * big
    np.maximum.accumulate(w, out=w)
    return w - group.astype(np.int64) * big + i


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


def _rep_names(n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    names = [name for name, _ in CORE_REPS]
    teams = [team for _, team in CORE_REPS]
    if n > len(names):
        taken = set(names)
        combos = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
        order = rng.permutation(len(combos))
        extra = [combos[i] for i in order if combos[i] not in taken][: n - len(names)]
        names += extra
        teams += [0 if (i * 2) % 5 < 2 else 1 for i in range(len(extra))]
    return names, np.array(teams, dtype=np.int64)


class _Generator:
    """Holds the random state and the growing tables of one generation run."""

    def __init__(self, deals: int, seed: int, end_date: date) -> None:
        if deals < 1:
            raise ValueError("deals must be at least 1")
        self.n = int(deals)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.end_date = end_date
        self.start_date = _window_start(end_date)
        self.cal = _Calendar(
            date.fromordinal(self.start_date.toordinal() - 900),
            date.fromordinal(end_date.toordinal() + 900),
        )
        self.end_day = _epoch_day(end_date)
        self.start_b = float(self.cal.b_of_day(_epoch_day(self.start_date)))
        self.end_b = float(self.cal.b_of_day(self.end_day + 1))  # end of the last working day

    # ---- people and organizations -----------------------------------------------------

    def reps(self) -> None:
        rng = self.rng
        n = max(REPS_PER_4000_DEALS, round(REPS_PER_4000_DEALS * self.n / 4000))
        n = min(n, len(FIRST_NAMES) * len(LAST_NAMES))  # as many reps as there are names
        self.rep_names, self.rep_team = _rep_names(n, rng)
        self.n_reps = n
        # personalities: loss-hazard multiplier (<1 wins more), speed (dwell multiplier),
        # activity level and capacity (share of the team's accounts)
        self.rep_loss = np.clip(np.exp(rng.normal(0, 0.22, n)), 0.65, 1.5)
        self.rep_speed = np.clip(np.exp(rng.normal(0, 0.2, n)), 0.7, 1.4)
        self.rep_activity = np.clip(np.exp(rng.normal(0, 0.25, n)), 0.5, 1.8)
        self.rep_capacity = np.exp(rng.normal(0, 0.2, n))
        self.team_reps = [np.flatnonzero(self.rep_team == t) for t in range(len(TEAMS))]

    def _rep_in_team(self, team: np.ndarray, weighted: bool) -> np.ndarray:
        out = np.empty(team.size, dtype=np.int64)
        for t, members in enumerate(self.team_reps):
            mask = team == t
            if not mask.any():
                continue
            w = self.rep_capacity[members] if weighted else np.ones(members.size)
            out[mask] = members[_pick(self.rng, w, int(mask.sum()))]
        return out

    def organizations(self) -> None:
        rng = self.rng
        n = int(min(max(round(self.n / 2.5), 20), 250_000))
        self.n_orgs = n
        seg = _pick(rng, SEGMENT_P, n)
        region = _pick(rng, REGION_P, n)
        country = np.empty(n, dtype=np.int64)
        for r in range(len(REGIONS)):
            ids = [i for i, c in enumerate(COUNTRIES) if c[1] == r]
            mask = region == r
            country[mask] = np.array(ids)[
                _pick(rng, np.array([COUNTRIES[i][2] for i in ids]), int(mask.sum()))
            ]
        industry = _pick(rng, INDUSTRY_P, n)
        industry[rng.random(n) < 0.02] = -1  # a few organizations without industry
        employees = np.where(
            seg == 0,
            np.exp(rng.normal(np.log(4000), 1.0, n)),
            np.where(
                seg == 1,
                np.exp(rng.uniform(np.log(100), np.log(1000), n)),
                np.exp(rng.uniform(np.log(5), np.log(100), n)),
            ),
        )
        employees = np.where(seg == 0, np.maximum(employees, 1000), employees)
        employees = np.where(employees >= 1000, np.round(employees, -1), np.round(employees))
        self.org_seg, self.org_region, self.org_country = seg, region, country
        self.org_industry, self.org_employees = industry, employees.astype(np.int64)
        self.org_weight = np.exp(rng.normal(0, 0.8, n)) * SEGMENT_DEAL_WEIGHT[seg]
        self.org_customer = rng.random(n) < np.where(
            seg == 0, 0.35, 0.22
        )  # customers before the window
        self.org_owner = self._rep_in_team(SEGMENT_TEAM[seg], weighted=True)

        # unique names per industry word list: head+tail core, an industry word, a legal suffix
        n_core = len(NAME_HEADS) * len(NAME_TAILS)
        names, domains = [], []
        suffix_u = rng.random(n)
        pick_u = rng.random(n)
        combo = np.empty(n, dtype=np.int64)
        word_lists = INDUSTRY_WORDS
        per_list = n_core * len(word_lists[0])
        for k in range(len(word_lists)):
            mask = (industry == k) | ((industry == -1) & (k == len(word_lists) - 1))
            m = int(mask.sum())
            perm = rng.permutation(per_list)
            combo[mask] = np.concatenate([perm] * (m // per_list + 1))[:m] + per_list * (
                np.arange(m) // per_list
            )
        for i in range(n):
            k = industry[i] if industry[i] >= 0 else len(word_lists) - 1
            c = int(combo[i])
            rep, c = divmod(c, per_list)
            word_i, core = divmod(c, n_core)
            head, tail = divmod(core, len(NAME_TAILS))
            core_name = NAME_HEADS[head] + NAME_TAILS[tail]
            word = word_lists[k][word_i]
            cdef = COUNTRIES[country[i]]
            suffixes = cdef[4]
            name = f"{core_name} {word}"
            if rep:
                name += f" {rep + 1}"
            if suffix_u[i] < 0.7:
                name += " " + suffixes[int(pick_u[i] * len(suffixes))]
            names.append(name)
            domains.append(
                f"{core_name.lower()}{'-' + word.lower() if pick_u[i] < 0.5 else ''}"
                f"{rep + 1 if rep else ''}{cdef[3]}"
            )
        self.org_names = np.array(names, dtype=object)
        self.org_domains = np.array(domains, dtype=object)

    # ---- deals and their history ---------------------------------------------------------

    def _daily_weights(self, lo_b: float, hi_b: float) -> tuple[np.ndarray, np.ndarray]:
        days = np.arange(int(lo_b), int(np.ceil(hi_b)))
        frac = (days - lo_b) / max(hi_b - lo_b, 1.0)
        month = (
            self.cal.day_of_b(days.astype(np.float64))
            .astype("datetime64[D]")
            .astype("datetime64[M]")
            .astype(np.int64)
            % 12
        )
        w = np.exp(np.log(GROWTH) * frac) * MONTH_SEASON[month]
        return days, w

    def _creation_times(self, size: int) -> np.ndarray:
        days, w = self._daily_weights(self.start_b, self.end_b)
        t = days[_pick(self.rng, w, size)] + self.rng.random(size)
        return np.clip(t, self.start_b, self.end_b - 1e-6)

    def deal_attributes(self) -> None:
        rng, n = self.rng, self.n
        self.t0 = np.sort(self._creation_times(n))
        self.pipe = (rng.random(n) < EXPANSION_SHARE).astype(np.int64)
        org = np.empty(n, dtype=np.int64)
        new = self.pipe == 0
        org[new] = _pick(rng, self.org_weight, int(new.sum()))
        customers = np.flatnonzero(self.org_customer)
        if customers.size == 0:
            customers = np.arange(self.n_orgs)
        org[~new] = customers[_pick(rng, self.org_weight[customers], int((~new).sum()))]
        self.org = org
        self.seg = self.org_seg[org]
        team = SEGMENT_TEAM[self.seg]
        owner = self.org_owner[org].copy()
        other = rng.random(n) < 0.15
        owner[other] = self._rep_in_team(team[other], weighted=True)
        self.owner = owner
        self.source = np.where(new, _pick(rng, SOURCE_P_NEW, n), _pick(rng, SOURCE_P_EXPANSION, n))
        prod_p = np.where(new[:, None], PRODUCT_P[self.seg], PRODUCT_P_EXPANSION[None, :])
        self.product = _pick_rows(rng, prod_p)
        country_names = np.array([c[0] for c in COUNTRIES])
        in_euro = np.isin(country_names[self.org_country[org]], EURO_COUNTRIES)
        self.eur = in_euro & (rng.random(n) < EUR_SHARE_IN_EUROZONE)
        base = (
            SEGMENT_AMOUNT[self.seg]
            * PRODUCT_AMOUNT[self.product]
            * np.where(new, 1.0, 0.45)
            * np.exp(rng.normal(0, 0.55, n))
        )
        base = np.where(self.eur, base / EUR_TO_USD, base)
        amount = _round_amount(base)
        priced = rng.random(n) < 0.04  # seats x unit price, with cents
        price = np.array([29.90, 49.50, 79.99, 119.00, 249.50])[_pick(rng, np.ones(5), n)]
        seats = np.maximum(np.round(base / price), 1)
        amount = np.where(priced, np.round(seats * price, 2), amount)
        self.base_amount = amount
        # a lead behind most inbound-style new-business deals
        self.has_lead = new & (rng.random(n) < SOURCE_HAS_LEAD[self.source])
        self.loss_mult = self.rep_loss[owner] * SOURCE_LOSS[self.source] * SEGMENT_LOSS[self.seg]
        self.speed = self.rep_speed[owner] * SEGMENT_SPEED[self.seg]

    def simulate(self) -> None:
        """Walk every deal through its pipeline, one stage visit per iteration."""
        rng, cal, n, end_b = self.rng, self.cal, self.n, self.end_b
        pipe = self.pipe
        nst = N_STAGES[pipe]
        pos = _pick_rows(rng, ENTRY_STAGE_P[pipe]) + 1
        t = self.t0.copy()
        amt = self.base_amount.copy()
        amt[rng.random(n) < 0.025] = -1.0  # amount not entered yet (filled in from stage 3 on)
        created_day = cal.day_of_b(t)
        plan = np.exp(
            rng.normal(np.log(np.where(pipe == 0, 45.0, 30.0) * SEGMENT_SPEED[self.seg]), 0.45)
        )
        ecd = created_day + np.maximum(np.round(plan), 7).astype(np.int64)
        snap = rng.random(n) < 0.35
        ecd[snap] = _month_end(ecd[snap])
        nback = np.zeros(n, dtype=np.int64)
        status = np.zeros(n, dtype=np.int64)  # 0 open, 1 won, 2 lost
        last_dormant = np.zeros(n, dtype=bool)
        close_t = np.full(n, np.nan)

        ev_deal, ev_t, ev_stage, ev_amt, ev_ecd = [], [], [], [], []

        def emit(d, when, stage, a, e):
            ev_deal.append(d)
            ev_t.append(when)
            ev_stage.append(np.broadcast_to(stage, d.shape).astype(np.int64))
            ev_amt.append(np.broadcast_to(a, d.shape).astype(np.float64))
            ev_ecd.append(np.broadcast_to(e, d.shape).astype(np.int64))

        idx = np.arange(n)
        emit(idx, t.copy(), STAGE_OFFSET[pipe] + pos - 1, amt.copy(), ecd.copy())

        for _ in range(MAX_STEPS):
            if idx.size == 0:
                break
            m = idx.size
            p, k, nk = pipe[idx], pos[idx], nst[idx]
            code = STAGE_OFFSET[p] + k - 1
            u = rng.random((m, 5))
            # a dormant visit: nobody works the deal for weeks or months (no pushes, no activity)
            dormant = u[:, 0] < 0.04
            dwell = DWELL_MEDIAN[p, k - 1] * self.speed[idx] * np.exp(rng.normal(0, 0.7, m))
            dwell[dormant] *= np.exp(rng.uniform(np.log(4.0), np.log(30.0), int(dormant.sum())))
            p_lost = np.clip(
                LOSS_HAZARD[p, k - 1] * self.loss_mult[idx] * np.where(dormant, 2.0, 1.0), 0, 0.95
            )
            lost = u[:, 1] < p_lost
            back = ~lost & (k >= 2) & (nback[idx] < 2) & (u[:, 2] < 0.045)
            jump = np.where(u[:, 3] < 0.015, 3, np.where(u[:, 3] < 0.085, 2, 1))
            new_pos = np.where(
                back, np.maximum(k - np.where(u[:, 4] < 0.2, 2, 1), 1), np.minimum(k + jump, nk + 1)
            )
            won = ~lost & ~back & (new_pos == nk + 1)
            dwell[lost] *= 1.4
            t_next = t[idx] + dwell

            # end-of-quarter pressure: some wins (and a few losses) wait for the last two weeks
            closing = (won | lost) & (t_next < end_b)
            if closing.any():
                qe_day = _quarter_bounds(_quarter_index(cal.day_of_b(t_next)))[1]
                qs_b = cal.b_of_day(qe_day - 13)
                qe_b = np.minimum(cal.b_of_day(qe_day + 1), end_b)
                wait = (
                    closing
                    & (t_next < qs_b)
                    & (qs_b < qe_b)
                    & (rng.random(m) < np.where(won, 0.25, 0.06))
                )
                t_next = np.where(wait, qs_b + rng.random(m) * (qe_b - qs_b), t_next)

            horizon = np.minimum(t_next, end_b)
            t_here = t[idx]

            # expected close date passing during the visit: the rep usually pushes it
            cur = ecd[idx].copy()
            alive = ~dormant
            last = t_here.copy()
            for _push in range(4):
                when = np.maximum(cal.b_of_day(cur + 1), last) + rng.random(m) * 2.0
                push = alive & (when < horizon) & (rng.random(m) < 0.65)
                if not push.any():
                    break
                alive = push
                pw = when[push]
                new_ecd = (
                    cal.day_of_b(pw)
                    + 1
                    + np.round(np.exp(rng.normal(np.log(21), 0.5, pw.size))).astype(np.int64)
                )
                to_end = rng.random(pw.size) < 0.4
                new_ecd[to_end] = _month_end(new_ecd[to_end])
                emit(idx[push], pw, code[push], np.nan, new_ecd)
                cur[push] = new_ecd
                last[push] = pw
            ecd[idx] = cur

            # amount revised during the visit
            change = ~dormant & (amt[idx] >= 0) & (rng.random(m) < 0.10)
            if change.any():
                cw = (
                    t_here[change]
                    + rng.uniform(0.15, 0.85, int(change.sum())) * (horizon - t_here)[change]
                )
                new_amt = _round_amount(amt[idx[change]] * np.exp(rng.normal(-0.03, 0.2, cw.size)))
                amt[idx[change]] = new_amt
                emit(idx[change], cw, code[change], new_amt, -1)

            moves = t_next < end_b
            stays = ~moves
            last_dormant[idx[stays]] = dormant[stays]

            d = idx[moves]
            tm = t_next[moves]
            mv_won, mv_lost = won[moves], lost[moves]
            mv_pos = new_pos[moves]
            stage_code = np.where(
                mv_won, WON_CODE, np.where(mv_lost, LOST_CODE, STAGE_OFFSET[pipe[d]] + mv_pos - 1)
            )
            # amounts: typed in from stage 3 on, revised at some stage changes, discounted at wins
            a = amt[d]
            open_move = ~mv_won & ~mv_lost
            fill = (a < 0) & ((open_move & (mv_pos >= 3)) | mv_won)
            a = np.where(fill, self.base_amount[d], a)
            rev = (a >= 0) & open_move & (rng.random(d.size) < 0.08)
            a = np.where(rev, _round_amount(a * np.exp(rng.normal(0.0, 0.15, d.size))), a)
            disc = (a >= 0) & mv_won & (rng.random(d.size) < 0.25)
            a = np.where(disc, _round_amount(a * rng.uniform(0.85, 0.98, d.size)), a)
            amt[d] = a
            closed = mv_won | mv_lost
            ecd[d[closed]] = cal.day_of_b(tm[closed])
            emit(d, tm, stage_code, a, np.where(closed, ecd[d], -1))
            nback[d] += (mv_pos < pos[d]) & open_move
            pos[d] = np.where(open_move, mv_pos, pos[d])
            t[d] = tm
            status[d[mv_won]] = 1
            status[d[mv_lost]] = 2
            close_t[d[closed]] = tm[closed]
            idx = d[open_move]

        self.pos, self.status, self.amt, self.ecd = pos, status, amt, ecd
        self.close_t, self.last_dormant = close_t, last_dormant
        self.ev = {
            "deal": np.concatenate(ev_deal),
            "t": np.concatenate(ev_t),
            "stage": np.concatenate(ev_stage),
            "amt": np.concatenate(ev_amt),
            "ecd": np.concatenate(ev_ecd),
        }

    def migrate(self) -> None:
        """Mark ~0.5% of closed deals as migrated: created later than they closed.

        As when deals are loaded into Salesforce from an older CRM, these deals were
        inserted already closed, on one migration day: their Created At is the
        migration time and their Closed At the (earlier) historical close. Their
        history is a single row at Created At carrying the final stage (Won/Lost),
        amount and expected close date; they carry no lead and no activities.
        """
        rng = self.rng
        self.migration_b = self.start_b + 0.45 * (self.end_b - self.start_b)
        closed = self.status > 0
        eligible = np.flatnonzero(closed & ~self.has_lead & (self.close_t < self.migration_b - 5))
        k = min(eligible.size, max(1, round(0.005 * int(closed.sum()))))
        migrated = np.zeros(self.n, dtype=bool)
        if k:
            migrated[rng.choice(eligible, size=k, replace=False)] = True
        self.migrated = migrated
        t_mig = self.migration_b + rng.random(self.n) * 1.5
        ev = self.ev
        keep = ~migrated[ev["deal"]]
        d = np.flatnonzero(migrated)
        final_code = np.where(self.status[d] == 1, WON_CODE, LOST_CODE)
        for key, extra in (
            ("deal", d),
            ("t", t_mig[d]),
            ("stage", final_code),
            ("amt", self.amt[d]),
            ("ecd", self.ecd[d]),
        ):
            ev[key] = np.concatenate((ev[key][keep], extra))

    def finish_history(self) -> None:
        """Sort history rows, fill unchanged fields, turn times into strictly increasing seconds."""
        ev, cal = self.ev, self.cal
        order = np.lexsort((ev["t"], ev["deal"]))
        for key in ev:
            ev[key] = ev[key][order]
        ev["amt"] = _forward_fill(ev["amt"], ~np.isnan(ev["amt"]))
        ev["ecd"] = _forward_fill(ev["ecd"], ev["ecd"] >= 0)
        ev["sec"] = _strictly_increasing(cal.seconds(ev["t"]), ev["deal"])
        first = _group_starts(ev["deal"])
        last = np.empty_like(first)
        last[:-1] = first[1:]
        last[-1] = True
        self.created_sec = ev["sec"][first]
        self.last_t = ev["t"][last]
        final_sec = ev["sec"][last]
        self.closed_sec = np.where(self.status > 0, final_sec, -1)
        mig = self.migrated
        self.closed_sec[mig] = cal.seconds(self.close_t[mig])
        # the final row equals the deal's values
        assert np.array_equal(ev["stage"][last] >= WON_CODE, self.status > 0)
        # deal ids in order of creation
        order = np.argsort(self.created_sec, kind="stable")
        self.deal_no = np.empty(self.n, dtype=np.int64)
        self.deal_no[order] = np.arange(1, self.n + 1)

    # ---- leads, contacts, activities ---------------------------------------------------

    def leads(self) -> None:
        rng, cal, n = self.rng, self.cal, self.n
        with_lead = np.flatnonzero(self.has_lead & ~self.migrated)
        conv_created_t = (
            self.t0[with_lead] - np.exp(rng.normal(np.log(6.0), 0.9, with_lead.size)) - 0.05
        )
        n_total = max(round(2.5 * n), with_lead.size)
        n_other = n_total - with_lead.size
        other_t = self._creation_times(n_other)
        age_days = self.end_day - cal.day_of_b(other_t)
        u = rng.random(n_other)
        # the older a lead, the likelier it was disqualified
        p_new = np.where(age_days < 14, 0.55, np.where(age_days < 60, 0.06, 0.02))
        p_work = np.where(age_days < 14, 0.35, np.where(age_days < 60, 0.40, 0.08))
        other_status = np.where(u < p_new, 0, np.where(u < p_new + p_work, 1, 3))
        created_t = np.concatenate((conv_created_t, other_t))
        status = np.concatenate((np.full(with_lead.size, 2), other_status))
        source = np.concatenate((self.source[with_lead], _pick(rng, LEAD_SOURCE_P, n_other)))
        owner = np.concatenate((self.owner[with_lead], _pick(rng, self.rep_capacity, n_other)))
        deal = np.concatenate((with_lead, np.full(n_other, -1)))
        reason = np.where(status == 3, _pick(rng, DISQUALIFIED_P, n_total), -1)
        sec = cal.seconds(created_t)
        conv_sec = np.where(deal >= 0, self.created_sec[np.maximum(deal, 0)], -1)
        order = np.argsort(sec, kind="stable")
        self.lead = {
            "t": created_t[order],
            "sec": sec[order],
            "status": status[order],
            "source": source[order],
            "owner": owner[order],
            "deal": deal[order],
            "reason": reason[order],
            "conv_sec": conv_sec[order],
        }
        self.n_leads = n_total
        self.deal_lead_no = np.full(n, -1, dtype=np.int64)
        has = self.lead["deal"] >= 0
        self.deal_lead_no[self.lead["deal"][has]] = np.flatnonzero(has) + 1

    def contacts(self) -> None:
        rng, cal = self.rng, self.cal
        n_orgs = self.n_orgs
        counts = 1 + rng.poisson(0.9, n_orgs)
        org = np.repeat(np.arange(n_orgs), counts)
        # first touch of each organization: its first deal, else a random time in the window
        first_t = np.full(n_orgs, np.inf)
        np.minimum.at(first_t, self.org, self.t0)
        untouched = ~np.isfinite(first_t)
        first_t[untouched] = self._creation_times(int(untouched.sum()))
        before = np.where(
            self.org_customer, rng.uniform(60, 500, n_orgs), rng.uniform(0.2, 20, n_orgs)
        )
        t_org = np.maximum(first_t - before, 1.0)
        t = t_org[org] - rng.random(org.size) * 10.0
        t = np.maximum(t, 0.5)
        sec = cal.seconds(t)
        # customers: bought before the window or won a deal in it
        won_org = np.zeros(n_orgs, dtype=bool)
        won_org[self.org[self.status == 1]] = True
        customer = (self.org_customer | won_org)[org]
        first = _pick(rng, np.ones(len(FIRST_NAMES)), org.size)
        lastn = _pick(rng, np.ones(len(LAST_NAMES)), org.size)
        key = (org * len(FIRST_NAMES) + first) * len(LAST_NAMES) + lastn
        # same name twice in one organization: the second email gets a digit
        order = np.argsort(key, kind="stable")
        dup = np.zeros(org.size, dtype=bool)
        dup[order[1:]] = key[order][1:] == key[order][:-1]
        order = np.lexsort((np.arange(org.size), sec))
        self.contact = {
            "org": org[order],
            "sec": sec[order],
            "customer": customer[order],
            "first": first[order],
            "last": lastn[order],
            "dup": dup[order],
        }
        contact_no = np.empty(org.size, dtype=np.int64)
        contact_no[order] = np.arange(1, org.size + 1)
        start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        pick = start[self.org] + (rng.random(self.n) * counts[self.org]).astype(np.int64)
        self.deal_contact_no = contact_no[pick]
        self.deal_contact_no[rng.random(self.n) < 0.02] = -1  # a few deals without contact

    def activities(self) -> None:
        rng, cal, end_b = self.rng, self.cal, self.end_b
        n = self.n
        parts = []

        def outcome_for(types: np.ndarray) -> np.ndarray:
            out = np.full(types.size, -1, dtype=np.int64)
            for ti, group in enumerate(OUTCOMES):
                mask = types == ti
                if mask.any():
                    codes = np.array([OUTCOME_NAMES.index(name) for name, _ in group])
                    out[mask] = codes[_pick(rng, np.array([p for _, p in group]), int(mask.sum()))]
            return out

        def add(types, owner, deal, lead, contact, org, due_b, done_p, future=None):
            size = types.size
            subject = SUBJECT_START[types] + (rng.random(size) * SUBJECT_COUNT[types]).astype(
                np.int64
            )
            past = due_b < end_b
            done = past & (rng.random(size) < done_p)
            if future is not None:
                done &= ~future
            done_b = np.minimum(due_b + rng.random(size) * 0.08, end_b - 1e-7)
            due_sec = cal.seconds(due_b)
            scheduled = np.isin(types, (2, 3)) | ~past
            due_sec = np.where(scheduled, due_sec - due_sec % 1800, due_sec)
            parts.append(
                {
                    "type": types,
                    "owner": owner,
                    "deal": deal,
                    "lead": lead,
                    "contact": contact,
                    "org": org,
                    "due": due_sec,
                    "done": np.where(done, cal.seconds(done_b), -1),
                    "subject": subject,
                    "outcome": np.where(done, outcome_for(types), -1),
                }
            )

        live = ~self.migrated
        team = self.rep_team[self.owner]
        # deal activities over each deal's working life; stalled open deals went quiet
        start = self.t0
        stop = np.where(self.status > 0, self.close_t, end_b)
        open_ = self.status == 0
        quiet = open_ & (self.last_dormant | ((end_b - self.last_t > 15) & (rng.random(n) < 0.5)))
        stop = np.where(quiet, np.minimum(self.last_t + rng.random(n) * 3.0, end_b), stop)
        length = np.maximum(stop - start, 0.05)
        lam = (
            (0.6 + 0.16 * length)
            * self.rep_activity[self.owner]
            * np.where(self.status == 1, 1.25, 1.0)
        )
        counts = np.where(live, rng.poisson(lam), 0)
        d = np.repeat(np.arange(n), counts)
        due = start[d] + rng.random(d.size) * length[d]
        owner = self.owner[d].copy()
        helper = rng.random(d.size) < 0.08
        owner[helper] = self._rep_in_team(team[d][helper], weighted=False)
        add(
            _pick(rng, DEAL_ACTIVITY_P, d.size),
            owner,
            d,
            np.full(d.size, -1),
            self.deal_contact_no[d],
            self.org[d],
            due,
            np.where(open_[d], 0.93, 0.97),
        )
        # next steps planned on open deals that are being worked
        nxt = np.where(open_ & ~quiet, (rng.random(n) < 0.75) + rng.poisson(0.4, n), 0)
        d = np.repeat(np.arange(n), nxt)
        due = end_b + rng.random(d.size) * 12.0
        add(
            _pick(rng, DEAL_ACTIVITY_P, d.size),
            self.owner[d],
            d,
            np.full(d.size, -1),
            self.deal_contact_no[d],
            self.org[d],
            due,
            0.0,
            future=np.ones(d.size, dtype=bool),
        )
        # the seventh step: follow-ups after wins, mostly within 30 days, not for every deal
        won = np.flatnonzero((self.status == 1) & live & (rng.random(n) < 0.82))
        due = self.close_t[won] + np.exp(rng.normal(np.log(5.0), 0.8, won.size))
        add(
            np.full(won.size, 5),
            self.owner[won],
            won,
            np.full(won.size, -1),
            self.deal_contact_no[won],
            self.org[won],
            due,
            0.95,
        )
        # lead activities (prospecting before a lead is converted or disqualified)
        lead = self.lead
        nl = self.n_leads
        l_start = lead["t"]
        l_stop = np.where(
            lead["status"] == 2,
            self.t0[np.maximum(lead["deal"], 0)],
            np.where(
                lead["status"] == 3, l_start + np.exp(rng.normal(np.log(8.0), 0.7, nl)), end_b
            ),
        )
        l_stop = np.clip(l_stop, l_start + 0.05, end_b)
        l_lam = np.array([0.5, 1.5, 2.0, 1.1])[lead["status"]]
        counts = rng.poisson(l_lam)
        li = np.repeat(np.arange(nl), counts)
        due = l_start[li] + rng.random(li.size) * (l_stop - l_start)[li]
        add(
            _pick(rng, LEAD_ACTIVITY_P, li.size),
            lead["owner"][li],
            np.full(li.size, -1),
            li,
            np.full(li.size, -1),
            np.full(li.size, -1),
            due,
            0.95,
        )
        working = np.flatnonzero((lead["status"] == 1) & (rng.random(nl) < 0.5))
        due = end_b + rng.random(working.size) * 8.0
        add(
            _pick(rng, LEAD_ACTIVITY_P, working.size),
            lead["owner"][working],
            np.full(working.size, -1),
            working,
            np.full(working.size, -1),
            np.full(working.size, -1),
            due,
            0.0,
            future=np.ones(working.size, dtype=bool),
        )

        act = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        order = np.argsort(act["due"], kind="stable")
        self.act = {key: v[order] for key, v in act.items()}

    # ---- targets -----------------------------------------------------------------------

    def targets(self) -> pd.DataFrame:
        rng = self.rng
        q_first = int(_quarter_index(np.array([_epoch_day(self.start_date)]))[0])
        q_last = int(_quarter_index(np.array([self.end_day]))[0])
        quarters = np.arange(q_first, q_last + 1)
        nq = quarters.size
        nr = self.n_reps

        def per_rep_quarter(owner, sec, weight=None):
            ok = sec >= 0
            q = _quarter_index(sec[ok] // 86400) - q_first
            inside = (q >= 0) & (q < nq)
            flat = owner[ok][inside] * nq + q[inside]
            w = None if weight is None else weight[ok][inside]
            return (
                np.bincount(flat, weights=w, minlength=nr * nq).reshape(nr, nq).astype(np.float64)
            )

        won = self.status == 1
        usd = np.where(self.amt < 0, 0.0, self.amt) * np.where(self.eur, EUR_TO_USD, 1.0)
        actual = {
            "won_amount": per_rep_quarter(self.owner[won], self.closed_sec[won], usd[won]),
            "won_count": per_rep_quarter(self.owner[won], self.closed_sec[won]),
            "new_deals": per_rep_quarter(self.owner, self.created_sec),
            "activities_completed": per_rep_quarter(self.act["owner"], self.act["done"]),
        }
        rounding = {
            "won_amount": 1000.0,
            "won_count": 1.0,
            "new_deals": 1.0,
            "activities_completed": 10.0,
        }
        rows = []
        q_start, q_end = _quarter_bounds(quarters)
        for metric, by_rep in actual.items():
            team_actual = np.stack([by_rep[m].sum(axis=0) for m in self.team_reps])
            # the running quarter is planned from the two before it, with growth
            if nq >= 3:
                team_actual[:, -1] = team_actual[:, -3:-1].mean(axis=1) * 1.06
            team_target = team_actual * rng.uniform(0.9, 1.15, team_actual.shape)
            step = rounding[metric]
            for ti, members in enumerate(self.team_reps):
                share = team_target[ti] / members.size
                rep_t = share[None, :] * np.exp(rng.normal(0, 0.08, (members.size, nq)))
                rep_t = np.maximum(np.round(rep_t / step) * step, step)
                for j, r in enumerate(members):
                    for qi in range(nq):
                        rows.append(("owner", self.rep_names[r], metric, qi, rep_t[j, qi]))
                if metric != "activities_completed":
                    team_round = 5 * step if step > 1 else step
                    tt = np.maximum(np.round(team_target[ti] / team_round) * team_round, team_round)
                    team_target[ti] = tt
                    for qi in range(nq):
                        rows.append(("team", TEAMS[ti], metric, qi, tt[qi]))
            if metric != "activities_completed":
                company = team_target.sum(axis=0)
                for qi in range(nq):
                    rows.append(("company", None, metric, qi, company[qi]))
        scope_order = {"company": 0, "team": 1, "owner": 2}
        metric_order = {m: i for i, m in enumerate(actual)}
        rows.sort(
            key=lambda r: (
                r[3],
                scope_order[r[0]],
                metric_order[r[2]],
                "" if r[1] is None else r[1],
            )
        )
        frame = pd.DataFrame(
            {
                "scope": [r[0] for r in rows],
                "scope_value": pd.array([r[1] for r in rows], dtype="object"),
                "metric": [r[2] for r in rows],
                "q_start": q_start[[r[3] for r in rows]],
                "q_end": q_end[[r[3] for r in rows]],
                "value": np.array([r[4] for r in rows], dtype=np.int64),
            }
        )
        return frame

    # ---- exchange rates ----------------------------------------------------------------

    def exchange_rates(self) -> pd.DataFrame:
        """Monthly EUR rates per USD from the first month with data to the last one."""
        rng = np.random.default_rng(self.seed + RATES_SEED_OFFSET)
        first = np.datetime64(self.start_date, "M")
        months = np.arange(first, np.datetime64(self.end_date, "M") + 1)
        low, high = EUR_PER_USD_BAND
        rates = np.empty(months.size)
        rate = 1 / EUR_TO_USD
        for i in range(months.size):
            rates[i] = rate
            rate = float(np.clip(rate + rng.normal(0, 0.004), low, high))
        return pd.DataFrame(
            {
                "currency": "EUR",
                "day": months.astype("datetime64[D]").astype(np.int64),
                "rate": np.round(rates, 4),
            }
        )


# --------------------------------------------------------------------------------------
# Writing: DuckDB COPY from numeric / categorical frames, formatted in SQL
# --------------------------------------------------------------------------------------


def _cat(codes: np.ndarray, names) -> pd.Categorical:
    """Categorical of names from integer codes (-1 = missing)."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(names))


def _id(col: str, prefix: str, width: int) -> str:
    """Zero-padded ids; width is at least the digits of the largest number (lpad cuts)."""
    return f"CASE WHEN {col} < 0 THEN NULL ELSE '{prefix}' || lpad(CAST({col} AS VARCHAR), {width}, '0') END"


def _ts(col: str) -> str:
    """Epoch seconds as TIMESTAMP (written with the COPY's TIMESTAMPFORMAT)."""
    return f"CASE WHEN {col} < 0 THEN NULL ELSE make_timestamp({col} * 1000000) END"


def _date(col: str) -> str:
    """Epoch days as DATE (written with the COPY's DATEFORMAT)."""
    return f"CASE WHEN {col} < 0 THEN NULL ELSE DATE '1970-01-01' + {col}::INTEGER END"


def _money(col: str) -> str:
    """Amounts in cents: whole amounts without decimals, others with two."""
    return (
        f"CASE WHEN {col} < 0 THEN NULL WHEN {col} % 100 = 0 THEN CAST({col} // 100 AS VARCHAR) "
        f"ELSE printf('%d.%02d', {col} // 100, {col} % 100) END"
    )


def _cents(amount: np.ndarray) -> np.ndarray:
    return np.where(amount < 0, -1, np.round(amount * 100)).astype(np.int64)


def _width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


def _copy(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, columns: list[tuple[str, str]], path: Path
) -> None:
    """Write frame to path as CSV, one output column per (SQL expression, header)."""
    con.register("src", frame)
    select = ", ".join(f'{expr} AS "{header}"' for expr, header in columns)
    target = str(path).replace("'", "''")
    # the SQL is built from this module's constants only, never from user input
    con.execute(
        f"COPY (SELECT {select} FROM src) TO '{target}' "
        "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', "
        "DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
    )
    con.unregister("src")


def _write(g: _Generator, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / name for kind, name in FILE_NAMES.items()}
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        h = HEADERS
        org_w, con_w = _width(g.n_orgs, 5), _width(len(g.contact["org"]), 5)
        lead_w, deal_w = _width(g.n_leads, 6), _width(g.n, 6)
        hist_w, act_w = _width(g.ev["deal"].size, 7), _width(g.act["type"].size, 7)
        rep_cat = g.rep_names

        rows = [
            (pn, s, i + 1, prob, rot)
            for pn in PIPELINE_NAMES
            for i, (s, prob, rot) in enumerate(PIPELINES[pn])
        ]
        frame = pd.DataFrame(
            {
                "pipeline": [r[0] for r in rows],
                "stage": [r[1] for r in rows],
                "position": [r[2] for r in rows],
                "probability": [r[3] for r in rows],
                "rotting": [-1 if r[4] is None else r[4] for r in rows],
            }
        )
        _copy(
            con,
            frame,
            [
                ("pipeline", h["pipelines"][0]),
                ("stage", h["pipelines"][1]),
                ("position", h["pipelines"][2]),
                ("printf('%.2f', probability)", h["pipelines"][3]),
                ("CASE WHEN rotting < 0 THEN NULL ELSE rotting END", h["pipelines"][4]),
            ],
            paths["pipelines"],
        )

        frame = pd.DataFrame(
            {
                "no": np.arange(1, g.n_orgs + 1),
                "name": pd.array(g.org_names, dtype="object"),
                "industry": _cat(g.org_industry, INDUSTRIES),
                "employees": g.org_employees,
                "region": _cat(g.org_region, REGIONS),
                "country": _cat(g.org_country, [c[0] for c in COUNTRIES]),
            }
        )
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "ORG-", org_w),
                        "name",
                        "industry",
                        "employees",
                        "region",
                        "country",
                    ],
                    h["organizations"],
                    strict=True,
                )
            ),
            paths["organizations"],
        )

        c = g.contact
        frame = pd.DataFrame(
            {
                "no": np.arange(1, c["org"].size + 1),
                "org": c["org"] + 1,
                "first": _cat(c["first"], FIRST_NAMES),
                "last": _cat(c["last"], LAST_NAMES),
                "domain": pd.array(g.org_domains[c["org"]], dtype="object"),
                "dup": c["dup"],
                "sec": c["sec"],
                "customer": c["customer"],
            }
        )
        email = (
            "lower(CAST(first AS VARCHAR) || '.' || CAST(last AS VARCHAR)) "
            "|| CASE WHEN dup THEN CAST(no % 90 + 10 AS VARCHAR) ELSE '' END || '@' || domain"
        )
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "C-", con_w),
                        _id("org", "ORG-", org_w),
                        "CAST(first AS VARCHAR) || ' ' || CAST(last AS VARCHAR)",
                        email,
                        _ts("sec"),
                        "customer",
                    ],
                    h["contacts"],
                    strict=True,
                )
            ),
            paths["contacts"],
        )

        lead = g.lead
        deal_no_of_lead = np.where(lead["deal"] >= 0, g.deal_no[np.maximum(lead["deal"], 0)], -1)
        frame = pd.DataFrame(
            {
                "no": np.arange(1, g.n_leads + 1),
                "sec": lead["sec"],
                "source": _cat(lead["source"], SOURCES),
                "owner": _cat(lead["owner"], rep_cat),
                "status": _cat(lead["status"], LEAD_STATUSES),
                "conv": lead["conv_sec"],
                "deal": deal_no_of_lead,
                "reason": _cat(lead["reason"], DISQUALIFIED_REASONS),
            }
        )
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "L-", lead_w),
                        _ts("sec"),
                        "source",
                        "owner",
                        "status",
                        _ts("conv"),
                        _id("deal", "D-", deal_w),
                        "reason",
                    ],
                    h["leads"],
                    strict=True,
                )
            ),
            paths["leads"],
        )

        order = np.argsort(g.deal_no)
        status_names = ("open", "won", "lost")
        frac = g.pos / N_STAGES[g.pipe]
        lost = g.status == 2
        reason_band = np.where(frac <= 0.34, 0, np.where(frac <= 0.67, 1, 2))
        reason = np.where(lost, _pick_rows(g.rng, LOST_REASON_P[reason_band]), -1)
        reason[lost & (g.rng.random(g.n) < 0.03)] = -1  # a few lost without reason
        stage_code = np.where(
            g.status == 1, WON_CODE, np.where(lost, LOST_CODE, STAGE_OFFSET[g.pipe] + g.pos - 1)
        )
        names = g.org_names[g.org] + " - " + np.array(PRODUCTS, dtype=object)[g.product]
        names = np.where(g.pipe == 1, names + " expansion", names)
        frame = (
            pd.DataFrame(
                {
                    "no": g.deal_no,
                    "name": pd.array(names, dtype="object"),
                    "pipeline": _cat(g.pipe, PIPELINE_NAMES),
                    "stage": _cat(stage_code, STAGE_NAMES),
                    "status": _cat(g.status, status_names),
                    "amount": _cents(g.amt),
                    "currency": _cat(g.eur.astype(np.int64), ("USD", "EUR")),
                    "owner": _cat(g.owner, rep_cat),
                    "team": _cat(g.rep_team[g.owner], TEAMS),
                    "source": _cat(g.source, SOURCES),
                    "org": g.org + 1,
                    "contact": g.deal_contact_no,
                    "lead": g.deal_lead_no,
                    "created": g.created_sec,
                    "ecd": g.ecd,
                    "closed": g.closed_sec,
                    "reason": _cat(reason, LOST_REASONS),
                    "industry": _cat(g.org_industry[g.org], INDUSTRIES),
                    "region": _cat(g.org_region[g.org], REGIONS),
                    "product": _cat(g.product, PRODUCTS),
                    "segment": _cat(g.seg, SEGMENTS),
                }
            )
            .iloc[order]
            .reset_index(drop=True)
        )
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "D-", deal_w),
                        "name",
                        "pipeline",
                        "stage",
                        "status",
                        _money("amount"),
                        "currency",
                        "owner",
                        "team",
                        "source",
                        _id("org", "ORG-", org_w),
                        _id("contact", "C-", con_w),
                        _id("lead", "L-", lead_w),
                        _ts("created"),
                        _date("ecd"),
                        _ts("closed"),
                        "reason",
                        "industry",
                        "region",
                        "product",
                        "segment",
                    ],
                    h["deals"],
                    strict=True,
                )
            ),
            paths["deals"],
        )
        del frame, names

        ev = g.ev
        order = np.argsort(ev["sec"], kind="stable")  # an export sorted by change time
        frame = pd.DataFrame(
            {
                "no": np.arange(1, order.size + 1),
                "deal": g.deal_no[ev["deal"][order]],
                "stage": _cat(ev["stage"][order], STAGE_NAMES),
                "amount": _cents(ev["amt"][order]),
                "ecd": ev["ecd"][order],
                "sec": ev["sec"][order],
            }
        )
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "H-", hist_w),
                        _id("deal", "D-", deal_w),
                        "stage",
                        _money("amount"),
                        _date("ecd"),
                        _ts("sec"),
                    ],
                    h["stage_events"],
                    strict=True,
                )
            ),
            paths["stage_events"],
        )
        del frame

        a = g.act
        deal = np.where(a["deal"] >= 0, g.deal_no[np.maximum(a["deal"], 0)], -1)
        lead_no = np.where(a["lead"] >= 0, a["lead"] + 1, -1)
        frame = pd.DataFrame(
            {
                "no": np.arange(1, a["type"].size + 1),
                "type": _cat(a["type"], ACTIVITY_TYPES),
                "owner": _cat(a["owner"], rep_cat),
                "deal": deal,
                "lead": lead_no,
                "contact": a["contact"],
                "org": np.where(a["org"] >= 0, a["org"] + 1, -1),
                "due": a["due"],
                "done": a["done"],
                "subject": _cat(a["subject"], SUBJECT_NAMES),
                "outcome": _cat(a["outcome"], OUTCOME_NAMES),
            }
        )
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "A-", act_w),
                        "type",
                        "owner",
                        _id("deal", "D-", deal_w),
                        _id("lead", "L-", lead_w),
                        _id("contact", "C-", con_w),
                        _id("org", "ORG-", org_w),
                        _ts("due"),
                        _ts("done"),
                        "subject",
                        "outcome",
                    ],
                    h["activities"],
                    strict=True,
                )
            ),
            paths["activities"],
        )
        del frame

        frame = g.targets()
        frame.insert(0, "no", np.arange(1, len(frame) + 1))
        _copy(
            con,
            frame,
            list(
                zip(
                    [
                        _id("no", "T-", _width(len(frame), 4)),
                        "scope",
                        "scope_value",
                        "metric",
                        _date("q_start"),
                        _date("q_end"),
                        "value",
                    ],
                    h["targets"],
                    strict=True,
                )
            ),
            paths["targets"],
        )

        frame = g.exchange_rates()
        _copy(
            con,
            frame,
            list(
                zip(
                    ["currency", _date("day"), "printf('%.4f', rate)"],
                    h["exchange_rates"],
                    strict=True,
                )
            ),
            paths["exchange_rates"],
        )
    finally:
        con.close()
    return paths


def generate(
    out_dir: Path,
    deals: int = DEFAULT_DEALS,
    seed: int = DEFAULT_SEED,
    end_date: date = SAMPLE_END_DATE,
) -> dict[str, Path]:
    """Write the sample CRM export CSVs into out_dir; return {kind: path}.

    Kinds are those of ``analytics.schema.IMPORTABLE``: pipelines, organizations,
    contacts, leads, deals, stage_events (deal_history.csv), activities, targets,
    exchange_rates.
    The deals are created over the 24 months ending at end_date; everything else
    scales with deals. The same arguments always give byte-identical files.
    """
    g = _Generator(deals, seed, end_date)
    g.reps()
    g.organizations()
    g.deal_attributes()
    g.simulate()
    g.migrate()
    g.finish_history()
    g.leads()
    g.contacts()
    g.activities()
    return _write(g, Path(out_dir))


def load_sample(con: duckdb.DuckDBPyConnection, deals: int | None = None) -> ImportResult:
    """Replace the store's contents with the sample data and return the import's result.

    Without deals, the committed files of SAMPLE_DIR are imported; with deals (or when
    those files are missing), a sample of that size is generated into a temporary
    directory and imported from there. The export is dated at the end of
    SAMPLE_END_DATE's working day, the moment the sample data describes.
    """
    from analytics.importer import import_files

    taken_at = datetime.combine(SAMPLE_END_DATE, dt_time(18, 0))
    paths = [SAMPLE_DIR / name for name in FILE_NAMES.values()]
    if deals is None and all(p.exists() for p in paths):
        return import_files(con, paths, taken_at=taken_at, replace=True)
    with tempfile.TemporaryDirectory(prefix="pipeline-sample-") as tmp:
        generated = generate(Path(tmp), deals=DEFAULT_DEALS if deals is None else deals)
        return import_files(con, list(generated.values()), taken_at=taken_at, replace=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the sample files (default: data/sample, 4000 deals)."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics.sample", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="output directory")
    parser.add_argument("--deals", type=int, default=DEFAULT_DEALS, help="number of deals")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=SAMPLE_END_DATE,
        help="last day of the data (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    paths = generate(args.out, deals=args.deals, seed=args.seed, end_date=args.end_date)
    for path in paths.values():
        print(f"{path}  {path.stat().st_size:,} bytes")
    print(f"generated in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
