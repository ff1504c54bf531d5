"""Headline figures on Salesforce's own sample org, exported two ways, against hand counts.

The files live outside the project, in ../shared/data/salesforce-sample-export/ (see its
SOURCE.md); the module is skipped when that folder is absent. Every expected number below was
counted by hand from the CSV files (csv module, no product code); the comments name the rows
and columns. Stage positions are those of the Salesforce preset (analytics/presets.py,
SALESFORCE_STAGES): 1 Prospecting, 2 Qualification, 3 Needs Analysis, 4 Value Proposition,
5 Id. Decision Makers, 6 Perception Analysis, 7 Proposal/Price Quote, 8 Negotiation/Review.

Flavour 1, the weekly Data Export (./*.csv). Opportunity.csv has 31 rows; every CreatedDate,
LastModifiedDate and SystemModstamp of Opportunity.csv and OpportunityHistory.csv is
2018-10-13 17:16:45, so the as-of date is 2018-10-13, the last day of the opportunity data and
the product's own last day of data. Later dates in the files change no deal figure: contacts
created up to 2018-11-01, Account SLAExpirationDate__c, OpportunityHistory ValidThroughDate
2020-03-24 (bookkeeping) and one open deal's planned CloseDate 2018-10-15.

| rows | StageName      | IsClosed/IsWon | Σ Amount  | why they matter                           |
|------|----------------|----------------|-----------|-------------------------------------------|
| 18   | Closed Won     | 1/1            | 3,645,000 | every CloseDate (2018-06-26..2018-10-09)  |
|      |                |                |           | is before CreatedDate: no cycle to time   |
| 13   | 8 open stages  | 0/0            | 2,115,000 | open and weighted pipeline (below)        |
| 0    | Closed Lost    | 1/0            | -         | none: the win rate is 18/18               |

The 13 open rows by stage (Id 0064600000J5<suffix>, Amount; × the stage's probability):
| pos | stage                | rows (suffix Amount)               | Σ Amount  | × probability |
|-----|----------------------|------------------------------------|-----------|---------------|
| 1   | Prospecting          | S5d 100,000                        | 100,000   | 10,000        |
| 2   | Qualification        | S5T 15,000                         | 15,000    | 1,500         |
| 3   | Needs Analysis       | S5w 675,000                        | 675,000   | 135,000       |
| 4   | Value Proposition    | S5a 250,000, S5e 80,000            | 330,000   | 165,000       |
| 5   | Id. Decision Makers  | S5X 15,000, S5f 60,000, S5x 35,000 | 110,000   | 66,000        |
| 6   | Perception Analysis  | S5o 120,000                        | 120,000   | 84,000        |
| 7   | Proposal/Price Quote | S5Y 270,000, S5n 100,000           | 370,000   | 277,500       |
| 8   | Negotiation/Review   | S5U 125,000, S5h 270,000           | 395,000   | 355,500       |
|     | total                | 13 rows                            | 2,115,000 | 1,094,500     |

OpportunityHistory.csv (62 rows) has two rows per opportunity, both at 2018-10-13 17:16:45 and
in the opportunity's current stage (only CloseDate differs: 2013-09-16, then the real one): one
stage event per deal, so each open deal entered only its current stage and no won deal entered
an open stage (it counts as having passed them all).

Flavour 2, the Power BI demo (variant_powerbi_demo_mmddyy/, dates M/D/YY). Opportunity.csv has
36 rows: the same 31 opportunities (same names, amounts and stages, new Ids, CreatedDate
02/23/26, CloseDate 02/03/24) plus 5 new ones created 02/24/26 without an Amount:

| rows  | what                                                     | Σ Amount  | counted as     |
|-------|----------------------------------------------------------|-----------|----------------|
| 12    | Closed Won                                               | 2,815,000 | won            |
| 6     | Closed Lost; Closed Won in flavour 1 (history: Closed    | 830,000   | lost, reached  |
|       | Won 02/23/26 8:55 PM, then Closed Lost 03/07/26 ~9 PM)   |           | no open stage  |
| 13    | open: the 13 open rows of flavour 1                      | 2,115,000 | open           |
| LKdM8 | Zenith: Prospecting, then Proposal/Price Quote (skips)   | -         | open, furth. 7 |
| LKgS1 | American Banking: Prospecting, then Needs Analysis       | -         | open, furth. 3 |
| LKgdJ | Cadinal: Prospecting, then Value Proposition             | -         | open, furth. 4 |
| LKg0b | Jackson Controls: Prospecting, Closed Lost 02/24/26      | -         | lost, furth. 1 |
|       | 2:20 AM; CloseDate 03/31/26 (closed 02/24/26: cycle 0)   |           |                |
| LKgOn | Farmers Coop: Prospecting, Closed Won, Closed Lost       | -         | lost, furth. 1 |
|       | 03/07/26; CloseDate 02/23/26, the day before creation    |           |                |

The importer takes a closed Salesforce deal's close date (closed_at) from CloseDate; the metrics
take the history's outcome event instead when it is earlier (Jackson). Flavour 2
is read as of 2026-03-31, the latest date in its files (Jackson's CloseDate; the product's own
last day of data, so deal_facts is current), and as of 2026-03-07, the export's own date (last
LastModifiedDate and history CreatedDate), where the state is rebuilt from timestamps.

Weighted pipeline: the product weights each open deal with the configured probability of its
stage (pipelines_stages, declared by the Salesforce preset; METRICS.md "configured
probability"), not with the row's Probability column. On these files the two agree for every
open row: Σ Amount × Probability / 100 = Σ ExpectedRevenue = 1,094,500 in both flavours.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import store
from analytics.cycle import sales_cycle
from analytics.filters import Filters
from analytics.funnel import funnel, funnel_modes
from analytics.headline import headline
from analytics.importer import import_files
from analytics.pipeline_value import open_pipeline
from analytics.winrate import cohort_win_rate, win_rate

EXPORT = Path(__file__).resolve().parents[3] / "shared" / "data" / "salesforce-sample-export"
POWERBI = EXPORT / "variant_powerbi_demo_mmddyy"

pytestmark = pytest.mark.skipif(
    not (EXPORT / "Opportunity.csv").is_file() or not (POWERBI / "Opportunity.csv").is_file(),
    reason=f"the Salesforce sample export is not there ({EXPORT})",
)

# The files that carry opportunities and what they link to; Campaign.csv and the header-only
# Event.csv are tried apart (test_the_whole_data_export_folder_imports).
FILES = ["Account.csv", "Contact.csv", "Lead.csv", "Opportunity.csv", "OpportunityHistory.csv"]

AS_OF_EXPORT = date(2018, 10, 13)
AS_OF_POWERBI = date(2026, 3, 31)
POWERBI_EXPORTED = date(2026, 3, 7)

STAGES = [
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
    "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Won",
]  # fmt: skip
PROBABILITIES = [0.10, 0.10, 0.20, 0.50, 0.60, 0.70, 0.75, 0.90]

# Wilson 95% bounds by the score formula (z = 1.959964): 18/18 -> low = n / (n + z²) =
# 18 / 21.841459; 12/20 -> centre (0.6 + z²/40) / (1 + z²/20) = 0.583887 ∓ half-width 0.197306.
CI_18_OF_18 = (0.824121, 1.0)
CI_12_OF_20 = (0.386582, 0.781193)


def _import(tmp_path_factory, name: str, folder: Path):
    con = store.connect(tmp_path_factory.mktemp(name) / "t.duckdb")
    result = import_files(con, [folder / f for f in FILES])
    return con, result


@pytest.fixture(scope="module")
def data_export(tmp_path_factory):
    con, result = _import(tmp_path_factory, "sf_data_export", EXPORT)
    yield con, result
    con.close()


@pytest.fixture(scope="module")
def powerbi(tmp_path_factory):
    con, result = _import(tmp_path_factory, "sf_powerbi", POWERBI)
    yield con, result
    con.close()


@pytest.fixture(scope="module")
def flavours(data_export, powerbi):
    """Return {flavour: (connection, as-of date)} for the parametrised tests."""
    return {"data_export": (data_export[0], AS_OF_EXPORT), "powerbi": (powerbi[0], AS_OF_POWERBI)}


# --- Import ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        # Data rows per file (line count − 1 header): Account 12, Contact 35, Lead 22,
        # Opportunity 31, OpportunityHistory 62.
        ("data_export", {"Account.csv": ("organizations", 12), "Contact.csv": ("contacts", 35),
                         "Lead.csv": ("leads", 22), "Opportunity.csv": ("deals", 31),
                         "OpportunityHistory.csv": ("stage_events", 62)}),
        # Account 18, Contact 25, Lead 22, Opportunity 36, OpportunityHistory 48.
        ("powerbi", {"Account.csv": ("organizations", 18), "Contact.csv": ("contacts", 25),
                     "Lead.csv": ("leads", 22), "Opportunity.csv": ("deals", 36),
                     "OpportunityHistory.csv": ("stage_events", 48)}),
    ],
)  # fmt: skip
def test_every_file_is_read_with_the_salesforce_preset(request, flavour, expected):
    _, result = request.getfixturevalue(flavour)
    assert {f.file: (f.kind, f.rows) for f in result.files} == expected
    assert {f.preset for f in result.files} == {"salesforce"}


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        # 31 opportunities created 2018-10-13 17:16:45; 18 Closed Won.
        ("data_export", (31, 18, 0, 13, "2018-10-13 17:16:45", "2018-10-13 17:16:45")),
        # M/D/YY read month first without --date-order (02/23/26 cannot be day first):
        # 31 created 02/23/26 and 5 on 02/24/26; 12 won, 8 lost, 16 open.
        ("powerbi", (36, 12, 8, 16, "2026-02-23 00:00:00", "2026-02-24 00:00:00")),
    ],
)
def test_deals_status_and_creation_dates(request, flavour, expected):
    con, _ = request.getfixturevalue(flavour)
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'won'), "
        "count(*) FILTER (WHERE status = 'lost'), count(*) FILTER (WHERE status = 'open'), "
        "CAST(min(created_at) AS VARCHAR), CAST(max(created_at) AS VARCHAR) FROM deals"
    ).fetchone()
    assert row == expected


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        # The 18 won rows: CloseDate 2018-06-26..2018-10-09 < CreatedDate 2018-10-13.
        ("data_export", 18),
        # 12 won + 6 lost with CloseDate 02/03/24 < CreatedDate 02/23/26, and Farmers Coop
        # (CloseDate 02/23/26 < CreatedDate 02/24/26). Jackson closes 03/31/26, after.
        ("powerbi", 19),
    ],
)
def test_closed_before_created_is_a_note(request, flavour, expected):
    _, result = request.getfixturevalue(flavour)
    counts = [n.count for n in result.notes if "close before they were created" in n.message]
    assert counts == [expected]


def test_the_preset_declares_salesforce_default_probabilities(data_export):
    con, _ = data_export
    got = con.execute(
        "SELECT stage, position, probability FROM pipelines_stages "
        "WHERE pipeline = 'Salesforce' ORDER BY position"
    ).fetchall()
    # Opportunity.csv's Probability column holds the same value for every open row of each of
    # these stages (10, 10, 20, 50, 60, 70, 75, 90).
    assert got == list(zip(STAGES[:-1], range(1, 9), PROBABILITIES, strict=True))


@pytest.mark.parametrize("extra", ["Campaign.csv", "Event.csv"])
def test_the_whole_data_export_folder_imports(new_store, extra):
    con = new_store()
    import_files(con, [EXPORT / f for f in [*FILES, extra]])
    row = win_rate(con, Filters(as_of=AS_OF_EXPORT)).iloc[0]
    assert (row["won"], row["lost"]) == (18, 0)


def test_every_csv_of_the_folder_at_once_skips_the_two_with_a_note(new_store):
    con = new_store()
    result = import_files(con, sorted(EXPORT.glob("*.csv")))
    skipped = {f.file: (f.skipped, [(n.count, n.message) for n in f.notes]) for f in result.files}
    # Campaign.csv: 4 data rows (rows 2-5); Event.csv: the header line only.
    assert skipped["Campaign.csv"][0] and skipped["Event.csv"][0]
    assert [c for c, _ in skipped["Campaign.csv"][1]] == [4]
    assert "not those of a table the dashboard uses" in skipped["Campaign.csv"][1][0][1]
    assert skipped["Event.csv"][1] == [
        (0, "rows not imported: the file has a header but no data rows")
    ]
    assert not any(skipped[f][0] for f in FILES)
    assert con.execute("SELECT count(*) FROM deals").fetchone() == (31,)
    assert con.execute("SELECT count(*) FROM leads").fetchone() == (22,)
    assert con.execute("SELECT count(*) FROM activities").fetchone() == (0,)
    assert con.execute("SELECT source_file FROM imports ORDER BY 1").fetchall() == [
        (f,) for f in sorted(FILES)
    ]


# --- Win rate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        # IsWon=1: 18 rows; Σ Amount = 220,000 + 85,000 + 120,000 + 75,000 + 50,000 + 30,000
        # + 50,000 + 60,000 + 270,000 + 350,000 + 915,000 + 90,000 + 235,000 + 235,000
        # + 440,000 + 90,000 + 120,000 + 210,000 = 3,645,000. IsClosed=1 and IsWon=0: none.
        # 18 / 18 = 1.0 over n = 18 < 20: a small sample.
        ("data_export", dict(won=18, lost=0, n=18, rate=1.0, ci_low=CI_18_OF_18[0],
                             ci_high=CI_18_OF_18[1], small_sample=True, won_amount=3_645_000.0,
                             lost_amount=0.0, value_rate=1.0, unconverted=0)),
        # IsWon=TRUE: 12 rows, Σ Amount 3,645,000 − the 6 turned lost (120,000 + 50,000
        # + 270,000 + 60,000 + 120,000 + 210,000 = 830,000) = 2,815,000. Lost: those 6 (830,000)
        # + Jackson and Farmers (no Amount) = 8. 12 / 20 = 0.6; n = 20 is not small.
        # Value win rate 2,815,000 / 3,645,000.
        ("powerbi", dict(won=12, lost=8, n=20, rate=0.6, ci_low=CI_12_OF_20[0],
                         ci_high=CI_12_OF_20[1], small_sample=False, won_amount=2_815_000.0,
                         lost_amount=830_000.0, value_rate=2_815_000 / 3_645_000,
                         unconverted=0)),
    ],
)  # fmt: skip
def test_win_rate(flavours, flavour, expected):
    con, as_of = flavours[flavour]
    got = win_rate(con, Filters(as_of=as_of))
    pd.testing.assert_frame_equal(got, pd.DataFrame([expected]), check_dtype=False, rtol=1e-5)


# --- Open and weighted pipeline -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        # IsClosed=0: 13 rows, Σ Amount 2,115,000, Σ Amount × stage probability 1,094,500 (table
        # in the module docstring). Every closed deal was won, so each stage's empirical
        # probability is 18/18 and the empirical weighted amount is the open amount.
        ("data_export", dict(open_count=13, open_amount=2_115_000.0, weighted_amount=1_094_500.0,
                             empirical_weighted_amount=2_115_000.0, no_probability=0,
                             unconverted=0)),
        # IsClosed=FALSE: the 13 rows of flavour 1 + Zenith, American Banking, Cadinal (no
        # Amount: counted, add nothing) = 16. Empirical probability: every closed deal reached
        # stage 1 except the 6 lost without an open stage: Prospecting 12 won / (12 + Jackson +
        # Farmers) = 12/14, stages 2-8: 12/12. So 100,000 (S5d's twin, Prospecting) × 12/14
        # + (2,115,000 − 100,000) × 1.
        ("powerbi", dict(open_count=16, open_amount=2_115_000.0, weighted_amount=1_094_500.0,
                         empirical_weighted_amount=100_000 * 12 / 14 + 2_015_000,
                         no_probability=0, unconverted=0)),
    ],
)  # fmt: skip
def test_open_and_weighted_pipeline(flavours, flavour, expected):
    con, as_of = flavours[flavour]
    got = open_pipeline(con, Filters(as_of=as_of))
    pd.testing.assert_frame_equal(got, pd.DataFrame([expected]), check_dtype=False, rtol=1e-9)


# --- Sales cycle --------------------------------------------------------------------------------

NO_CYCLE = dict(n=0, median=None, mean=None, p25=None, p75=None, p90=None)


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        # Every won CloseDate precedes its CreatedDate (2018-06-26..2018-10-09 vs 2018-10-13):
        # all 18 left out, no median. No lost deal.
        ("data_export", [dict(outcome="won", **NO_CYCLE, excluded=18),
                         dict(outcome="lost", **NO_CYCLE, excluded=0)]),
        # Won: 12 × (02/03/24 − 02/23/26 = −751 days) left out. Lost: 6 × −751 days and Farmers
        # (02/23/26 − 02/24/26 = −1) left out. Jackson closed when its history says Closed Lost,
        # 02/24/26 2:20 AM, before its CloseDate 03/31/26: 02/24/26 − 02/24/26 = 0 days.
        ("powerbi", [dict(outcome="won", **NO_CYCLE, excluded=12),
                     dict(outcome="lost", n=1, median=0.0, mean=0.0, p25=0.0, p75=0.0,
                          p90=0.0, excluded=7)]),
    ],
)  # fmt: skip
def test_sales_cycle(flavours, flavour, expected):
    con, as_of = flavours[flavour]
    got = sales_cycle(con, Filters(as_of=as_of))
    # object columns, as the product's: a missing statistic is None, not NaN
    pd.testing.assert_frame_equal(got, pd.DataFrame(expected, dtype=object), check_dtype=False)


# --- Funnel -------------------------------------------------------------------------------------


def modes_frame(reached: list[int], entered: list[int], active: list[int]) -> pd.DataFrame:
    """Return the expected funnel_modes frame of the Salesforce pipeline (8 stages, then Won)."""
    return pd.DataFrame(
        {"pipeline": "Salesforce", "stage": STAGES, "position": list(range(1, 10)),
         "reached_or_passed": reached, "entered": entered, "active": active}
    )  # fmt: skip


# Flavour 1: open deals per furthest position 1..8 (docstring table): 1, 1, 1, 2, 3, 1, 2, 2.
# reached(k) = 18 won + open deals at k or beyond: 18 + 13, 18 + 12, 18 + 11, 18 + 10, 18 + 8,
# 18 + 5, 18 + 4, 18 + 2; Won 18. Entered (one history stage per deal) = the open deals at k;
# active without a period = entered.
DATA_EXPORT_MODES = modes_frame(
    reached=[31, 30, 29, 28, 26, 23, 22, 20, 18],
    entered=[1, 1, 1, 2, 3, 1, 2, 2, 18],
    active=[1, 1, 1, 2, 3, 1, 2, 2, 18],
)
# Flavour 2: furthest positions of the deals not won (the 6 turned lost have none):
# 1: S5d's twin, Jackson, Farmers; 2: 1; 3: 1 + American Banking; 4: 2 + Cadinal; 5: 3; 6: 1;
# 7: 2 + Zenith; 8: 2. reached(k) = 12 won + those at k or beyond: 12 + 18, 12 + 15, 12 + 14,
# 12 + 12, 12 + 9, 12 + 6, 12 + 5, 12 + 2; Won 12. Entered: the open stages in
# OpportunityHistory.csv, each deal once: Prospecting = S5d's twin + the 5 new deals = 6;
# Needs Analysis 1 + American Banking; Value Proposition 2 + Cadinal; Proposal 2 + Zenith.
POWERBI_MODES = modes_frame(
    reached=[30, 27, 26, 24, 21, 18, 17, 14, 12],
    entered=[6, 1, 2, 3, 3, 1, 3, 2, 12],
    active=[6, 1, 2, 3, 3, 1, 3, 2, 12],
)


@pytest.mark.parametrize(
    ("flavour", "as_of", "expected"),
    [
        ("data_export", AS_OF_EXPORT, DATA_EXPORT_MODES),
        ("powerbi", AS_OF_POWERBI, POWERBI_MODES),
        # The export's own date, rebuilt from timestamps: every stage event is on or before
        # 03/07/26 9:00 PM, so the funnel is the same.
        ("powerbi", POWERBI_EXPORTED, POWERBI_MODES),
    ],
)
def test_funnel_modes(request, flavour, as_of, expected):
    con, _ = request.getfixturevalue(flavour)
    got = funnel_modes(con, Filters(as_of=as_of))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize(
    ("flavour", "reached", "won_conversion", "drop_off"),
    [
        # Won converts from Negotiation/Review: 18 / 20. No lost deal: no drop-off.
        ("data_export", [31, 30, 29, 28, 26, 23, 22, 20, 18], 18 / 20, [0] * 9),
        # 12 / 14. Jackson and Farmers were lost with Prospecting as their furthest stage; the
        # 6 others lost never entered an open stage and drop off nowhere.
        ("powerbi", [30, 27, 26, 24, 21, 18, 17, 14, 12], 12 / 14, [2] + [0] * 8),
    ],
)
def test_funnel_reach_conversion_and_drop_off(flavours, flavour, reached, won_conversion, drop_off):
    con, as_of = flavours[flavour]
    got = funnel(con, Filters(as_of=as_of))
    assert got["stage"].tolist() == STAGES
    assert got["reached"].tolist() == reached
    assert got["drop_off"].tolist() == drop_off
    assert got["cumulative"].iloc[-1] == pytest.approx(reached[-1] / reached[0])
    assert got["conversion"].iloc[-1] == pytest.approx(won_conversion)


# --- Headline (python -m analytics metrics) -----------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        ("data_export", {"deals": {"total": 31, "open": 13, "won": 18, "lost": 0},
                         "won_amount": 3_645_000.0, "rate": 1.0, "open_amount": 2_115_000.0,
                         "weighted_amount": 1_094_500.0, "open_count": 13,
                         "reached": [31, 30, 29, 28, 26, 23, 22, 20, 18]}),
        ("powerbi", {"deals": {"total": 36, "open": 16, "won": 12, "lost": 8},
                     "won_amount": 2_815_000.0, "rate": 0.6, "open_amount": 2_115_000.0,
                     "weighted_amount": 1_094_500.0, "open_count": 16,
                     "reached": [30, 27, 26, 24, 21, 18, 17, 14, 12]}),
    ],
)  # fmt: skip
def test_headline(flavours, flavour, expected):
    con, as_of = flavours[flavour]
    got = headline(con, Filters(as_of=as_of))
    assert got["as_of"] == as_of.isoformat()
    assert got["deals"] == expected["deals"]
    assert got["won_amount"] == expected["won_amount"]
    assert got["win_rate"]["rate"] == pytest.approx(expected["rate"])
    assert got["pipeline"]["open_count"] == expected["open_count"]
    assert got["pipeline"]["open_amount"] == expected["open_amount"]
    assert got["pipeline"]["weighted_amount"] == expected["weighted_amount"]
    # No won deal has a cycle (all close before creation), so neither has the velocity.
    assert got["cycle_days"]["won"]["median"] is None
    assert got["pipeline"]["velocity_per_day"] is None
    assert [r["reached"] for r in got["funnel"]] == expected["reached"]


# --- The two flavours side by side --------------------------------------------------------------


def test_flavours_agree_on_the_open_pipeline(data_export, powerbi):
    # Same 13 open opportunities with the same Amount and StageName; the Power BI flavour's 3
    # new open deals have no Amount, so only the count differs (13 vs 16).
    cols = ["open_amount", "weighted_amount"]
    first = open_pipeline(data_export[0], Filters(as_of=AS_OF_EXPORT))[cols]
    second = open_pipeline(powerbi[0], Filters(as_of=AS_OF_POWERBI))[cols]
    pd.testing.assert_frame_equal(first, second)


def test_shared_opportunities_differ_only_by_the_six_turned_lost(data_export, powerbi):
    # The Power BI flavour's cohort created 02/23/26 is the 31 opportunities of flavour 1. Six
    # won there are Closed Lost here (history Closed Won, then Closed Lost on 03/07/26) and
    # reach no open stage, so every reached count is 6 lower and Won 18 − 6 = 12.
    shared = Filters(start=date(2026, 2, 23), end=date(2026, 2, 23), as_of=AS_OF_POWERBI)
    first = funnel_modes(data_export[0], Filters(as_of=AS_OF_EXPORT))
    second = funnel_modes(powerbi[0], shared)
    assert (first["reached_or_passed"] - second["reached_or_passed"]).tolist() == [6] * 9
    assert second["reached_or_passed"].tolist() == [25, 24, 23, 22, 20, 17, 16, 14, 12]
    # The open deals entered the same stages; only the Won row loses the 6.
    assert second["entered"].tolist() == [1, 1, 1, 2, 3, 1, 2, 2, 12]
    cohort = cohort_win_rate(powerbi[0], shared).iloc[0]
    # Created 02/23/26: 31; won 12, lost 6, still open 13 (the 13 open of flavour 1).
    assert (cohort["created"], cohort["won"], cohort["lost"], cohort["pending"]) == (31, 12, 6, 13)


# --- The Power BI flavour at its own export date ------------------------------------------------


def test_export_date_keeps_won_and_pipeline_amounts(powerbi):
    con, _ = powerbi
    filters = Filters(as_of=POWERBI_EXPORTED)
    rate = win_rate(con, filters).iloc[0]
    # Won deals all closed (CloseDate 02/03/24) long before 03/07/26: as at 03/31/26.
    assert (rate["won"], rate["won_amount"]) == (12, 2_815_000.0)
    pipeline = open_pipeline(con, filters).iloc[0]
    assert (pipeline["open_amount"], pipeline["weighted_amount"]) == (2_115_000.0, 1_094_500.0)


def test_export_date_counts_a_deal_lost_before_it_as_lost(powerbi):
    con, _ = powerbi
    filters = Filters(as_of=POWERBI_EXPORTED)
    # Every row with IsClosed=FALSE is open on the export's date; Jackson was lost on 02/24/26.
    assert open_pipeline(con, filters).iloc[0]["open_count"] == 16
    assert win_rate(con, filters).iloc[0]["lost"] == 8
    assert funnel(con, filters)["drop_off"].iloc[0] == 2
