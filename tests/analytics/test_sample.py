"""The sample-data generator: deterministic, consistent across files, and messy where CRMs are.

Most checks run on a small fresh generation (600 deals) and on the committed default
files in data/sample; size and realism checks run on the committed files.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import sample

HEADERS = {
    "pipelines": "Pipeline,Stage,Position,Probability,Rotting Days",
    "organizations": "Organization ID,Organization Name,Industry,Employees,Region,Country",
    "contacts": "Contact ID,Organization ID,Full Name,Email,Created At,Is Customer",
    "leads": "Lead ID,Created At,Lead Source,Lead Owner,Lead Status,Converted At,"
    "Converted Deal ID,Disqualified Reason",
    "deals": "Deal ID,Deal Name,Pipeline,Stage,Status,Amount,Currency,Owner,Team,Source,"
    "Organization ID,Contact ID,Lead ID,Created At,Expected Close Date,Closed At,Lost Reason,"
    "Industry,Region,Product,Segment",
    "stage_events": "History ID,Deal ID,Stage,Amount,Expected Close Date,Changed At",
    "activities": "Activity ID,Type,Owner,Deal ID,Lead ID,Contact ID,Organization ID,Due At,"
    "Completed At,Subject,Outcome",
    "targets": "Target ID,Scope,Scope Value,Metric,Period Start,Period End,Target Value",
    "exchange_rates": "Currency,Rate Date,Rate",
}
FILE_NAMES = {
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
ID_COLUMNS = {
    "organizations": "Organization ID",
    "contacts": "Contact ID",
    "leads": "Lead ID",
    "deals": "Deal ID",
    "stage_events": "History ID",
    "activities": "Activity ID",
    "targets": "Target ID",
}
END = pd.Timestamp("2026-11-20")
END_OF_DATA = END + pd.Timedelta(days=1)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT = re.compile(r"^\d+(\.\d{2})?$")
SMALL = 600


def load(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """Every file as strings, exactly as written (empty string = missing)."""
    return {k: pd.read_csv(p, dtype=str, keep_default_na=False) for k, p in paths.items()}


def ts(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.where(values != ""), format="%Y-%m-%d %H:%M:%S")


def day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.where(values != ""), format="%Y-%m-%d")


def num(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.where(values != ""))


@pytest.fixture(scope="module")
def small_paths(tmp_path_factory) -> dict[str, Path]:
    return sample.generate(tmp_path_factory.mktemp("small"), deals=SMALL)


@pytest.fixture(scope="module")
def committed_paths() -> dict[str, Path]:
    paths = {kind: sample.SAMPLE_DIR / name for kind, name in FILE_NAMES.items()}
    missing = [str(p) for p in paths.values() if not p.exists()]
    assert not missing, f"run `python -m analytics.sample` to create {missing}"
    return paths


@pytest.fixture(scope="module", params=["small", "committed"])
def paths(request) -> dict[str, Path]:
    return request.getfixturevalue(f"{request.param}_paths")


@pytest.fixture(scope="module")
def t(paths) -> dict[str, pd.DataFrame]:
    return load(paths)


@pytest.fixture(scope="module")
def committed(committed_paths) -> dict[str, pd.DataFrame]:
    return load(committed_paths)


@pytest.fixture(scope="module")
def history(t) -> pd.DataFrame:
    """deal_history.csv in file order, parsed, with each stage's pipeline position."""
    h = t["stage_events"].copy()
    h["at"] = ts(h["Changed At"])
    h["ecd"] = day(h["Expected Close Date"])
    deals = t["deals"].set_index("Deal ID")
    positions = {(r.Pipeline, r.Stage): int(r.Position) for r in t["pipelines"].itertuples()}
    pipeline = deals["Pipeline"].reindex(h["Deal ID"]).to_numpy()
    h["pos"] = [positions.get(key, np.nan) for key in zip(pipeline, h["Stage"], strict=True)]
    h["seq"] = np.arange(len(h))
    return h.sort_values(["Deal ID", "seq"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def deals(t) -> pd.DataFrame:
    d = t["deals"].copy()
    d["created"] = ts(d["Created At"])
    d["closed"] = ts(d["Closed At"])
    d["ecd"] = day(d["Expected Close Date"])
    d["amount"] = num(d["Amount"])
    return d


# ---- the files themselves --------------------------------------------------------------


def test_same_arguments_give_byte_identical_files(small_paths, tmp_path):
    again = sample.generate(tmp_path / "again", deals=SMALL)
    assert set(again) == set(small_paths) == set(FILE_NAMES)
    for kind, path in again.items():
        assert path.name == FILE_NAMES[kind]
        assert path.read_bytes() == small_paths[kind].read_bytes(), kind


def test_another_seed_gives_other_data(small_paths, tmp_path):
    other = sample.generate(tmp_path / "other", deals=SMALL, seed=7)
    assert other["deals"].read_bytes() != small_paths["deals"].read_bytes()
    assert other["pipelines"].read_bytes() == small_paths["pipelines"].read_bytes()


def test_committed_files_are_the_default_output(committed_paths, tmp_path):
    fresh = sample.generate(tmp_path / "default")
    for kind, path in fresh.items():
        assert path.read_bytes() == committed_paths[kind].read_bytes(), (
            f"{path.name} differs: run `python -m analytics.sample` and commit data/sample"
        )


def test_defaults():
    assert sample.SAMPLE_DIR == Path(sample.__file__).resolve().parent.parent / "data" / "sample"
    assert sample.SAMPLE_END_DATE.isoformat() == "2026-11-20"


def test_main_writes_where_asked(tmp_path, capsys):
    assert sample.main(["--out", str(tmp_path / "cli"), "--deals", "40"]) == 0
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == sorted(FILE_NAMES.values())
    assert "deals.csv" in capsys.readouterr().out


@pytest.mark.parametrize("kind", FILE_NAMES)
def test_headers_are_exact(paths, kind):
    first_line = paths[kind].read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first_line == HEADERS[kind]


@pytest.mark.parametrize("kind", ID_COLUMNS)
def test_ids_are_unique_and_present(t, kind):
    ids = t[kind][ID_COLUMNS[kind]]
    assert (ids != "").all()
    assert ids.is_unique


def test_id_shapes(t):
    assert t["deals"]["Deal ID"].str.fullmatch(r"D-\d{6}").all()
    assert t["organizations"]["Organization ID"].str.fullmatch(r"ORG-\d{5}").all()


def test_value_formats(t):
    for kind, frame in t.items():
        for col in frame.columns:
            values = frame[col][frame[col] != ""]
            if col.endswith(" At"):
                assert values.str.match(TIMESTAMP).all(), (kind, col)
            elif col.startswith("Period") or col == "Expected Close Date":
                assert values.str.match(DATE).all(), (kind, col)
            elif col == "Amount":
                assert values.str.match(AMOUNT).all(), (kind, col)
    assert set(t["contacts"]["Is Customer"]) == {"true", "false"}
    assert set(t["deals"]["Currency"]) == {"USD", "EUR"}
    assert set(t["deals"]["Status"]) == {"open", "won", "lost"}
    assert set(t["leads"]["Lead Status"]) == {"new", "working", "converted", "disqualified"}
    assert set(t["activities"]["Type"]) == {"call", "email", "meeting", "demo", "task", "follow_up"}


def test_pipelines(t):
    p = t["pipelines"]
    new = p[p["Pipeline"] == "New Business"]
    assert new["Stage"].tolist() == [
        "Prospecting", "Preparation", "Approach", "Presentation", "Handling objections", "Closing",
    ]  # fmt: skip
    expansion = p[p["Pipeline"] == "Expansion"]
    assert expansion["Stage"].tolist() == ["Qualification", "Proposal", "Negotiation"]
    for part in (new, expansion):
        assert part["Position"].astype(int).tolist() == list(range(1, len(part) + 1))
        probability = part["Probability"].astype(float)
        assert probability.is_monotonic_increasing and probability.between(0, 1).all()
    assert not set(p["Stage"]) & {"Won", "Lost"}
    assert (expansion["Rotting Days"] == "").sum() == 1
    assert (new["Rotting Days"] != "").all()


# ---- references between files ----------------------------------------------------------


def test_references_resolve(t):
    deal_ids = set(t["deals"]["Deal ID"])
    orgs = set(t["organizations"]["Organization ID"])
    contacts = set(t["contacts"]["Contact ID"])
    leads = set(t["leads"]["Lead ID"])

    def present(values):
        return set(values[values != ""])

    assert set(t["stage_events"]["Deal ID"]) == deal_ids  # every deal has history
    assert present(t["activities"]["Deal ID"]) <= deal_ids
    assert present(t["activities"]["Lead ID"]) <= leads
    assert present(t["activities"]["Contact ID"]) <= contacts
    assert present(t["activities"]["Organization ID"]) <= orgs
    assert present(t["deals"]["Organization ID"]) <= orgs
    assert present(t["deals"]["Contact ID"]) <= contacts
    assert present(t["contacts"]["Organization ID"]) <= orgs
    owners = {v for v in t["targets"]["Scope Value"] if v}
    assert set(t["deals"]["Owner"]) <= owners


def test_deals_inherit_organization_attributes(t):
    d = t["deals"].merge(t["organizations"], on="Organization ID", suffixes=("", "_org"))
    assert len(d) == len(t["deals"])
    assert (d["Industry"] == d["Industry_org"]).all()
    assert (d["Region"] == d["Region_org"]).all()
    assert d.apply(lambda r: r["Deal Name"].startswith(r["Organization Name"]), axis=1).all()


def test_leads_and_deals_agree(t, deals):
    leads = t["leads"]
    converted = leads[leads["Lead Status"] == "converted"]
    assert (converted["Converted Deal ID"] != "").all() and (converted["Converted At"] != "").all()
    others = leads[leads["Lead Status"] != "converted"]
    assert (others["Converted Deal ID"] == "").all() and (others["Converted At"] == "").all()
    disqualified = leads["Lead Status"] == "disqualified"
    assert ((leads["Disqualified Reason"] != "") == disqualified).all()

    with_lead = deals[deals["Lead ID"] != ""]
    assert len(with_lead) > 0.4 * len(deals)  # many deals come from a lead
    assert len(with_lead) == len(converted)
    pair = with_lead.merge(converted, on="Lead ID", suffixes=("", "_lead"))
    assert len(pair) == len(with_lead)
    assert (pair["Converted Deal ID"] == pair["Deal ID"]).all()
    assert (pair["Converted At"] == pair["Created At"]).all()
    assert (ts(pair["Created At_lead"]) < pair["created"]).all()
    assert (pair["Lead Owner"] == pair["Owner"]).all()
    assert (pair["Lead Source"] == pair["Source"]).all()


# ---- deals and their history -----------------------------------------------------------


def test_status_stage_and_closed_at_agree(t, deals):
    open_stages = set(t["pipelines"]["Pipeline"] + "|" + t["pipelines"]["Stage"])
    is_open = deals["Status"] == "open"
    assert (
        (deals.loc[is_open, "Pipeline"] + "|" + deals.loc[is_open, "Stage"]).isin(open_stages).all()
    )
    assert (deals.loc[deals["Status"] == "won", "Stage"] == "Won").all()
    assert (deals.loc[deals["Status"] == "lost", "Stage"] == "Lost").all()
    assert (deals["closed"].isna() == is_open).all()
    assert ((deals["Lost Reason"] != "") <= (deals["Status"] == "lost")).all()
    lost = deals[deals["Status"] == "lost"]
    assert (lost["Lost Reason"] != "").mean() > 0.9
    assert (deals["created"] < END_OF_DATA).all() and (deals["closed"].dropna() < END_OF_DATA).all()
    assert deals["created"].min() >= END - pd.DateOffset(months=24)
    assert (deals["ecd"].notna()).all()


def test_history_is_in_time_order(history):
    steps = history.groupby("Deal ID")["at"].diff().dropna()
    assert (steps > pd.Timedelta(0)).all()


def test_final_history_row_matches_the_deal(history, deals):
    last = history.groupby("Deal ID").tail(1).set_index("Deal ID")
    d = deals.set_index("Deal ID").loc[last.index]
    assert (last["Stage"] == d["Stage"]).all()
    assert (last["Amount"] == d["Amount"]).all()
    assert (last["Expected Close Date"] == d["Expected Close Date"]).all()
    closed = d["Status"] != "open"
    migrated = d["closed"] < d["created"]
    normal = closed & ~migrated
    assert (last.loc[normal, "at"] == d.loc[normal, "closed"]).all()
    assert ((last["Stage"].isin(["Won", "Lost"])) == closed).all()


def test_first_history_row_is_at_creation(history, deals):
    first = history.groupby("Deal ID").head(1).set_index("Deal ID")
    d = deals.set_index("Deal ID").loc[first.index]
    assert (first["at"] == d["created"]).all()
    migrated = d["closed"] < d["created"]
    assert first.loc[~migrated, "pos"].notna().all()  # an open stage of the deal's pipeline
    # Won/Lost only ever appears as the last row
    outcome_rows = history[history["Stage"].isin(["Won", "Lost"])]
    assert outcome_rows["Deal ID"].is_unique


def test_migrated_deals_closed_before_created(history, deals):
    closed = deals[deals["Status"] != "open"]
    migrated = closed[closed["closed"] < closed["created"]]
    assert 1 <= len(migrated) <= max(3, 0.01 * len(closed))
    rows = history[history["Deal ID"].isin(migrated["Deal ID"])]
    # documented choice: one history row at Created At carrying the outcome
    assert rows.groupby("Deal ID").size().eq(1).all()
    assert rows["Stage"].isin(["Won", "Lost"]).all()


def test_stage_paths_include_skips_and_moves_back(history, deals):
    h = history[history["pos"].notna()].copy()
    step = h.groupby("Deal ID")["pos"].diff()
    skipped = h.loc[step >= 2, "Deal ID"].nunique()
    back = h.loc[step < 0, "Deal ID"].nunique()
    assert 0.03 * len(deals) < skipped < 0.3 * len(deals)
    assert 0.02 * len(deals) < back < 0.2 * len(deals)


def test_close_dates_get_pushed(history, deals):
    previous = history.groupby("Deal ID")
    same_stage = history["Stage"] == previous["Stage"].shift()
    later = history["ecd"] > previous["ecd"].shift()
    pushed = history.loc[same_stage & later, "Deal ID"].nunique()
    assert pushed > 0.05 * len(deals)
    amount_change = same_stage & (history["Amount"] != previous["Amount"].shift())
    assert amount_change.sum() > 0.02 * len(deals)


def test_open_deals_are_spread_and_some_are_messy(t, deals, history):
    open_ = deals[deals["Status"] == "open"]
    assert 0.03 * len(deals) < len(open_) < 0.2 * len(deals)
    new_business = open_[open_["Pipeline"] == "New Business"]
    assert new_business["Stage"].nunique() >= 4
    overdue = open_["ecd"] < END
    assert 0.05 < overdue.mean() < 0.6
    # stalled: no history row and no activity for 30 days or more
    last_change = history.groupby("Deal ID")["at"].max()
    a = t["activities"]
    worked = a[a["Deal ID"] != ""]
    last_activity = ts(worked["Completed At"]).groupby(worked["Deal ID"]).max()
    touched = pd.concat(
        [last_change.reindex(open_["Deal ID"]), last_activity.reindex(open_["Deal ID"])], axis=1
    ).max(axis=1)
    stalled = (END - touched) > pd.Timedelta(days=30)
    assert stalled.sum() >= 3
    assert stalled.mean() < 0.6


def test_a_few_deals_have_no_amount(deals):
    missing = deals["amount"].isna()
    assert 1 <= missing.sum() <= 0.04 * len(deals)
    assert (deals.loc[missing, "Status"] != "won").all()
    assert (deals["amount"].dropna() > 0).all()


def test_currencies(deals):
    eur = (deals["Currency"] == "EUR").mean()
    assert 0.01 < eur < 0.15
    assert set(deals.loc[deals["Currency"] == "EUR", "Region"]) == {"EMEA"}


def test_quarter_end_spike_in_wins(deals):
    won = deals[deals["Status"] == "won"]
    quarter_end = won["closed"].dt.to_period("Q").dt.end_time.dt.normalize()
    last_two_weeks = (quarter_end - won["closed"].dt.normalize()).dt.days < 14
    assert last_two_weeks.mean() > 2 / 13 + 0.05


# ---- activities --------------------------------------------------------------------------


def test_activities_link_and_time(t, deals):
    a = t["activities"]
    on_deal = a["Deal ID"] != ""
    on_lead = a["Lead ID"] != ""
    assert on_deal.mean() > 0.5  # most on deals
    assert (on_lead & ~on_deal).sum() > 0  # some on a lead only
    assert not (on_deal & on_lead).any()
    due, done = ts(a["Due At"]), ts(a["Completed At"])
    assert due.notna().all()
    assert (done.dropna() < END_OF_DATA).all()
    assert (done.dropna() >= due[done.notna()]).all()
    planned = done.isna()
    overdue = planned & (due < END)
    assert overdue.sum() > 0
    assert (planned & (due >= END_OF_DATA)).sum() > 0  # next steps in the future
    assert (a.loc[~planned, "Outcome"] != "").all() and (a.loc[planned, "Outcome"] == "").all()
    assert (a["Subject"] != "").all()


def test_follow_ups_come_after_wins(t, deals):
    a = t["activities"]
    follow = a[a["Type"] == "follow_up"].merge(deals, on="Deal ID", suffixes=("", "_deal"))
    assert len(follow) > 0
    assert (follow["Status"] == "won").all()
    delay = ts(follow["Due At"]) - follow["closed"]
    assert (delay > pd.Timedelta(0)).all()
    assert (delay <= pd.Timedelta(days=30)).mean() > 0.8
    won = deals[(deals["Status"] == "won") & (deals["closed"] >= deals["created"])]
    covered = won["Deal ID"].isin(follow["Deal ID"])
    assert 0.5 < covered.mean() < 0.98  # some won deals lack a follow-up


# ---- targets ---------------------------------------------------------------------------------


def test_targets_cover_every_quarter_and_scope(t):
    g = t["targets"]
    starts = sorted(set(g["Period Start"]))
    assert starts[0] == "2024-10-01" and starts[-1] == "2026-10-01" and len(starts) == 9
    assert set(g["Period End"]) >= {"2024-12-31", "2026-12-31"}
    assert set(g["Scope"]) == {"company", "team", "owner"}
    company = g[g["Scope"] == "company"]
    assert (company["Scope Value"] == "").all()
    assert {"won_amount", "won_count"} <= set(company["Metric"])
    assert set(g.loc[g["Scope"] == "team", "Scope Value"]) == {"Enterprise", "Mid-Market"}
    reps = g[g["Scope"] == "owner"]
    assert set(reps["Metric"]) == {"won_amount", "won_count", "new_deals", "activities_completed"}
    per_rep = reps.groupby(["Scope Value", "Metric"]).size()
    assert (per_rep == 9).all()
    assert (g["Target Value"].astype(float) > 0).all()
    assert not g.duplicated(["Scope", "Scope Value", "Metric", "Period Start"]).any()


# ---- scale and realism (default files) -------------------------------------------------------


def test_small_generation_scales_down(small_paths):
    t = load(small_paths)
    assert len(t["deals"]) == SMALL
    assert 2.2 * SMALL <= len(t["leads"]) <= 2.8 * SMALL
    assert 6 * SMALL <= len(t["activities"]) <= 14 * SMALL
    assert SMALL / 4 <= len(t["organizations"]) <= SMALL / 2
    owners = t["deals"]["Owner"].nunique()
    assert owners == 12


def test_default_sizes(committed):
    assert 3500 <= len(committed["deals"]) <= 4500
    assert 30_000 <= len(committed["activities"]) <= 50_000
    assert 8_000 <= len(committed["leads"]) <= 12_000
    assert 1_200 <= len(committed["organizations"]) <= 1_800
    assert 2_400 <= len(committed["contacts"]) <= 3_600
    assert 12_000 <= len(committed["stage_events"]) <= 30_000


def test_default_data_looks_like_a_sales_business(committed):
    d = committed["deals"].copy()
    d["created"], d["closed"] = ts(d["Created At"]), ts(d["Closed At"])
    assert 0.8 <= (d["Pipeline"] == "New Business").mean() <= 0.9
    assert set(d["Team"]) == {"Enterprise", "Mid-Market"}
    assert 12 <= d["Owner"].nunique() <= 14
    closed = d[d["Status"] != "open"]
    won = closed["Status"] == "won"
    assert 0.2 <= won.mean() <= 0.3
    by_rep = closed.groupby("Owner")["Status"].apply(lambda s: (s == "won").mean())
    assert by_rep.max() - by_rep.min() > 0.1  # reps differ
    cycle = (closed["closed"].dt.normalize() - closed["created"].dt.normalize()).dt.days
    won_cycle = cycle[won & (cycle >= 0)].groupby(closed["Pipeline"]).median()
    assert 45 <= won_cycle["New Business"] <= 60
    assert won_cycle["Expansion"] < won_cycle["New Business"]
    # growth: the last six months bring more new deals than the first six
    first = (d["created"] < d["created"].min() + pd.DateOffset(months=6)).sum()
    last = (d["created"] >= END - pd.DateOffset(months=6)).sum()
    assert last > 1.2 * first
    # amounts: Enterprise deals are bigger
    amount = num(d["Amount"])
    median = amount.groupby(d["Segment"]).median()
    assert median["Enterprise"] > 2 * median["Mid-Market"] > 2 * median["SMB"]
    for col, expected in {
        "Source": {"Inbound", "Outbound", "Referral", "Partner", "Event", "Web"},
        "Region": {"North America", "EMEA", "APAC", "LATAM"},
    }.items():
        assert set(d[col]) == expected
    assert {"Price", "Competitor", "No budget", "No decision", "Timing", "Lost contact"} <= set(
        d["Lost Reason"]
    )
    assert (committed["organizations"]["Industry"] == "").sum() >= 1
    open_stages = d.loc[d["Status"] == "open", "Stage"]
    assert set(open_stages) == set(committed["pipelines"]["Stage"])  # open deals in every stage


def test_most_lost_deals_die_early(committed):
    h = committed["stage_events"]
    d = committed["deals"]
    nb = d[(d["Pipeline"] == "New Business") & (d["Status"] == "lost")]["Deal ID"]
    positions = {r.Stage: int(r.Position) for r in committed["pipelines"].itertuples()}
    furthest = h[h["Deal ID"].isin(nb)]["Stage"].map(positions).groupby(h["Deal ID"]).max()
    counts = furthest.value_counts()
    assert counts[1] > counts[2] > counts[4] > counts[6]
    assert (furthest <= 2).mean() > 0.5


def test_some_reps_beat_their_targets_and_some_miss(committed):
    d = committed["deals"]
    won = d[d["Status"] == "won"]
    quarter = ts(won["Closed At"]).dt.to_period("Q").astype(str)
    actual = won.groupby([won["Owner"], quarter]).size()
    g = committed["targets"]
    rep = g[(g["Scope"] == "owner") & (g["Metric"] == "won_count")].copy()
    rep["quarter"] = day(rep["Period Start"]).dt.to_period("Q").astype(str)
    rep = rep[(rep["quarter"] > "2025Q1") & (rep["quarter"] < "2026Q4")]  # full quarters
    got = [actual.get((o, q), 0) for o, q in zip(rep["Scope Value"], rep["quarter"], strict=True)]
    attainment = np.array(got) / rep["Target Value"].astype(float).to_numpy()
    assert 0.15 < (attainment >= 1).mean() < 0.85
    assert 0.6 < np.median(attainment) < 1.4


# ---- loading into the store ------------------------------------------------------------------


def test_load_sample_imports_a_generated_sample(tmp_path):
    from analytics import store

    con = store.connect(tmp_path / "pipeline.duckdb")
    try:
        result = sample.load_sample(con, deals=120)
        assert result.written
        assert con.execute("SELECT count(*) FROM deals").fetchone()[0] == 120
        assert con.execute("SELECT count(DISTINCT deal_id) FROM stage_events").fetchone()[0] == 120
        assert con.execute("SELECT count(*) FROM targets").fetchone()[0] > 0
    finally:
        con.close()


def test_load_sample_imports_the_committed_files(tmp_path, committed):
    from analytics import store

    con = store.connect(tmp_path / "pipeline.duckdb")
    try:
        sample.load_sample(con)
        for kind, table in {"deals": "deals", "activities": "activities", "leads": "leads"}.items():
            count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            assert count == len(committed[kind])
    finally:
        con.close()


def test_load_sample_replaces_what_the_store_held(tmp_path):
    from analytics import store
    from analytics.importer import import_files

    con = store.connect(tmp_path / "replace.duckdb")
    own = tmp_path / "own.csv"
    own.write_text("Deal ID,Stage,Created At\nMINE-1,Prospecting,2024-01-02\n")
    import_files(con, [own])
    result = sample.load_sample(con, deals=300)
    assert result.written
    deal_ids = {r[0] for r in con.execute("SELECT deal_id FROM deals").fetchall()}
    assert "MINE-1" not in deal_ids
    assert len(deal_ids) == 300
    assert con.execute("SELECT count(*) FROM imports WHERE source_file = 'own.csv'").fetchone() == (
        0,
    )
    # Loading it again replaces it again: the same rows, not twice as many.
    before = store.table_snapshot(con)
    sample.load_sample(con, deals=300)
    after = store.table_snapshot(con)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert after["deals"] == before["deals"]
