"""The headline figures of `python -m analytics metrics` in vectorised pandas, for the benchmark.

The pandas route of benchmarks/metrics_benchmark.py: load() reads the raw tables whole into
DataFrames (not timed), then headline() computes win rate, sales cycle, funnel and time in stage
per pipeline, open pipeline, velocity and lead conversion with groupby, merge and shift, with no
Python loop over deals, events or leads. The semantics are those written at the top of
tests/oracle.py (as-of end, half-open period, event order, close time, currency conversion), and
so is the result's shape; tests/benchmarks/test_pandas_metrics.py checks that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics.filters import NONE, Filters
from analytics.stats import SMALL_SAMPLE, ratio, wilson

DAY = pd.Timedelta(days=1)
OUTCOMES = ["Won", "Lost"]
# Kaplan-Meier survival is a float product here: an exact 0.5 can come out a rounding error above.
KM_TOLERANCE = 1e-9
CYCLE_QUANTILES = {"p25": 0.25, "median": 0.5, "p75": 0.75, "p90": 0.9}
STAGE_QUANTILES = {"median_days": 0.5, "p75_days": 0.75, "p90_days": 0.9}
LEAD_COLUMNS = ("owner", "source")
DEAL_COLUMNS = ["deal_id", "pipeline", "stage", "status", "amount", "currency", "created_at",
                "closed_at"]  # fmt: skip


@dataclass(frozen=True)
class Tables:
    """The raw tables in memory: where the pandas route starts."""

    deals: pd.DataFrame
    events: pd.DataFrame
    stages: pd.DataFrame
    leads: pd.DataFrame
    rates: pd.DataFrame
    meta: pd.DataFrame
    changes: pd.DataFrame
    last_activity: pd.Timestamp | None


TABLES = {
    # custom (a map of extra export columns) would become one dict per deal; no figure reads it.
    "deals": "SELECT * EXCLUDE (custom) FROM deals",
    "events": "SELECT * FROM stage_events",
    "stages": "SELECT * FROM pipelines_stages",
    "leads": "SELECT * FROM leads",
    "rates": "SELECT * FROM exchange_rates",
    "meta": "SELECT * FROM meta",
    "changes": "SELECT * FROM deal_changes",
}


def load(con: duckdb.DuckDBPyConnection) -> Tables:
    """Return the store's raw tables as DataFrames (of activities only the last completion)."""
    last_activity = con.execute("SELECT max(completed_at) FROM activities").fetchone()[0]
    return Tables(
        **{name: con.execute(sql).df() for name, sql in TABLES.items()},
        last_activity=None if last_activity is None else pd.Timestamp(last_activity),
    )


# --- dates, currency and filters -----------------------------------------------------------


def last_day(t: Tables) -> date | None:
    """Return the last day anything in the data happened (None: no data)."""
    times = [t.deals.created_at.max(), t.deals.closed_at.max(), t.events.entered_at.max(),
             t.last_activity, t.changes.changed_at.max(), t.leads.created_at.max(),
             t.leads.converted_at.max()]  # fmt: skip
    times = [x for x in times if x is not None and not pd.isna(x)]
    return max(times).date() if times else None


def as_of(t: Tables, filters: Filters) -> date:
    """Return the filters' as-of date, else today, else the last day of older data."""
    if filters.as_of:
        return filters.as_of
    last = last_day(t)
    return date.today() if last is None or last >= date.today() else last


def end_of(day: date) -> pd.Timestamp:
    """Return the first instant after day."""
    return pd.Timestamp(day + timedelta(days=1))


def in_period(ts: pd.Series, filters: Filters) -> pd.Series:
    """Return where ts falls in the period [start, end + 1 day)."""
    keep = ts.notna()
    if filters.start:
        keep &= ts >= pd.Timestamp(filters.start)
    if filters.end:
        keep &= ts < end_of(filters.end)
    return keep


def reporting_currency(t: Tables) -> str | None:
    """Return the currency set for reports, else the commonest of all deals (ties: by name)."""
    set_ = t.meta.loc[t.meta.key == "reporting_currency", "value"]
    if len(set_) and set_.iloc[0]:
        return set_.iloc[0]
    counts = t.deals.currency[t.deals.currency.str.len() > 0].value_counts()
    if counts.empty:
        return None
    counts = counts.rename_axis("currency").reset_index(name="n")
    return counts.sort_values(["n", "currency"], ascending=[False, True]).currency.iloc[0]


def convert(t: Tables, rep: str | None, d: pd.DataFrame, on: pd.Series) -> pd.Series:
    """Return d's amounts in the reporting currency at the days on: amount / the latest rate of
    its currency dated on or before; NaN when there is none."""
    same = d.currency.isna() | (d.currency == rep)
    out = d.amount.astype(float).where(same)
    todo = ~same & d.amount.notna()
    if not todo.any() or t.rates.empty:
        return out
    wanted = pd.DataFrame({"currency": d.currency[todo],
                           "day": on[todo].dt.normalize().astype("datetime64[us]")})  # fmt: skip
    rates = t.rates.assign(rate_date=t.rates.rate_date.astype("datetime64[us]"))
    found = pd.merge_asof(
        wanted.reset_index().sort_values("day"),
        rates.sort_values("rate_date", kind="stable"),
        left_on="day",
        right_on="rate_date",
        by="currency",
    ).set_index("index")
    out[found.index] = d.amount[found.index] / found.rate
    return out


def matches(column: pd.Series, values: tuple[str, ...]) -> pd.Series:
    """Return where column, as text, is one of values ('(none)' selecting NULL)."""
    shown = column.astype(str).where(column.notna())
    return shown.isin([v for v in values if v != NONE]) | (shown.isna() & (NONE in values))


def deals(t: Tables, filters: Filters) -> pd.DataFrame:
    """Return the deals passing pipeline and where, with the columns the figures read (index
    0..n-1)."""
    d = t.deals
    keep = pd.Series(True, index=d.index)
    if filters.pipeline:
        keep &= d.pipeline == filters.pipeline
    for column, values in filters.where:
        keep &= matches(d[column], values)
    return d.loc[keep, DEAL_COLUMNS].reset_index(drop=True)


def closing(d: pd.DataFrame, ev: pd.DataFrame) -> pd.Series:
    """Return when each deal closed: closed_at, or the last event into its outcome stage when
    that is earlier or closed_at is missing (won and lost deals only)."""
    outcome = d[d.status.isin(["won", "lost"])]
    # Narrowed to the few outcome stage names first, the merge on (row, stage) is far smaller.
    candidates = ev.loc[ev.stage.isin(outcome.stage.unique()), ["row", "stage", "entered_at"]]
    into = candidates.merge(outcome[["stage"]].assign(row=outcome.index), on=["row", "stage"])
    last = into.groupby("row").entered_at.max().reindex(d.index)
    return d.closed_at.mask(last.notna() & (d.closed_at.isna() | (last < d.closed_at)), last)


def with_state(
    t: Tables, d: pd.DataFrame, ev: pd.DataFrame, end: pd.Timestamp, rep: str | None
) -> pd.DataFrame:
    """Return d with its close time, amount_rep and state at as-of: won_by, lost_by, open_at,
    and cycle (close day - created day, in days)."""
    d = d.assign(closed_at=closing(d, ev))
    closed = d.status.isin(["won", "lost"]) & d.closed_at.notna()
    through = pd.Timestamp(last_day(t) or date.today())
    closed_by = d.closed_at < end
    return d.assign(
        amount_rep=convert(t, rep, d, d.closed_at.dt.normalize().where(closed, through)),
        won_by=(d.status == "won") & closed_by,
        lost_by=(d.status == "lost") & closed_by,
        open_at=(d.created_at < end) & ~closed_by,
        cycle=(d.closed_at.dt.normalize() - d.created_at.dt.normalize()) / DAY,
    )


def visits(t: Tables, d: pd.DataFrame) -> pd.DataFrame:
    """Return the stage events of deals d in order, with row (d's index), position, g (the
    stage's index in t.stages) and left_at."""
    e = t.events[["deal_id", "stage", "entered_at"]].merge(
        d[["deal_id", "pipeline"]].assign(row=d.index), on="deal_id"
    )
    stages = t.stages[["pipeline", "stage", "position"]].assign(g=t.stages.index)
    e = e.merge(stages, on=["pipeline", "stage"], how="left").drop(columns=["deal_id", "pipeline"])
    e["is_outcome"] = e.stage.isin(OUTCOMES)
    # A stable sort keeps ties in read order, as the oracle's does; np.lexsort (last key first)
    # skips the factorising of every key that sort_values does, and puts NaN positions last too.
    e = e.iloc[
        np.lexsort([e[c].to_numpy() for c in ("position", "is_outcome", "entered_at", "row")])
    ]
    e["left_at"] = e.groupby("row", sort=False).entered_at.shift(-1)
    return e.reset_index(drop=True)


def position_now(t: Tables, d: pd.DataFrame) -> pd.Series:
    """Return the position of each deal's current stage in its pipeline (NaN: not an open stage)."""
    stages = t.stages[["pipeline", "stage", "position"]]
    return d[["pipeline", "stage"]].merge(stages, how="left").position.set_axis(d.index)


def furthest(
    t: Tables, d: pd.DataFrame, ev: pd.DataFrame, end: pd.Timestamp, known: bool
) -> pd.Series:
    """Return each deal's furthest open position entered by as-of (NaN: none), by d's index."""
    far = ev[ev.entered_at < end].groupby("row").position.max().reindex(d.index)
    return np.fmax(far, position_now(t, d)) if known else far


def stage_at(d: pd.DataFrame, ev: pd.DataFrame, end: pd.Timestamp, known: bool) -> pd.Series:
    """Return each deal's stage at as-of, by d's index."""
    if known:
        return d.stage
    return ev[ev.entered_at < end].groupby("row").stage.last().reindex(d.index)


# --- the figures ---------------------------------------------------------------------------


def rate(k: int, n: int) -> dict[str, Any]:
    """Return k / n with its Wilson interval and whether n is a small sample."""
    low, high = wilson(k, n)
    return {"rate": ratio(k, n), "ci_low": low, "ci_high": high, "small_sample": n < SMALL_SAMPLE}


def plain(value: Any) -> Any:
    """Return value as a Python scalar, None for NaN."""
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def describe(values: pd.Series, quantiles: dict[str, float]) -> dict[str, Any]:
    """Return n, mean and the named linear-interpolation quantiles of values (None when empty)."""
    values = values.dropna().astype(float)
    out: dict[str, Any] = {"n": len(values), "mean": plain(values.mean())}
    qs = values.quantile(list(quantiles.values())) if len(values) else None
    for name, q in quantiles.items():
        out[name] = None if qs is None else plain(qs[q])
    return out


def win_rate(closed: pd.DataFrame) -> dict[str, Any]:
    """Return won / (won + lost) of the deals closed in the period, amounts converted."""
    won, lost = int(closed.won_by.sum()), int(closed.lost_by.sum())
    won_amount = float(closed.amount_rep[closed.won_by].sum())
    lost_amount = float(closed.amount_rep[closed.lost_by].sum())
    r = rate(won, won + lost)
    return {"won": won, "lost": lost, **{k: r[k] for k in ("rate", "ci_low", "ci_high")},
            "value_rate": ratio(won_amount, won_amount + lost_amount),
            "small_sample": r["small_sample"], "won_amount": won_amount}  # fmt: skip


def cycle_days(closed: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Return n, median, mean and quantiles of the cycle in days, won then lost (negative cycles
    left out)."""
    out = {}
    for outcome, mask in (("won", closed.won_by), ("lost", closed.lost_by)):
        s = describe(closed.cycle[mask & (closed.cycle >= 0)], CYCLE_QUANTILES)
        out[outcome] = {k: s[k] for k in ("n", "median", "mean", "p25", "p75", "p90")}
    return out


def amount_then(t: Tables, d: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    """Return the deals' amounts at end: for a deal whose amount changed from then on, the new
    value of its last change before end, else the old value of its first change; for the
    others the amount they have."""
    changes = t.changes[t.changes.field == "amount"]
    since = changes.deal_id[changes.changed_at >= end].unique()
    mine = changes[changes.deal_id.isin(since)]
    keys = ["changed_at", "new_value", "old_value"]
    # Of several changes at one instant the last has the largest new value, an empty one only
    # when all are empty; the first has the smallest, empty ones after (as analytics.values_at).
    before = (
        mine[mine.changed_at < end]
        .sort_values(keys, na_position="first")
        .drop_duplicates("deal_id", keep="last")
    )
    first = mine.sort_values(keys, na_position="last").drop_duplicates("deal_id")
    then = pd.concat(
        [before.set_index("deal_id").new_value,
         first[~first.deal_id.isin(before.deal_id)].set_index("deal_id").old_value]
    )  # fmt: skip
    then = pd.to_numeric(then, errors="coerce")
    return d.amount.astype(float).where(~d.deal_id.isin(since), d.deal_id.map(then))


def open_pipeline(
    t: Tables, d: pd.DataFrame, ev: pd.DataFrame, day: date, known: bool, rep: str | None
) -> dict[str, Any]:
    """Return the deals open at as-of: count, amount at the as-of rate, and amount x probability."""
    now = d.assign(stage_now=stage_at(d, ev, end_of(day), known))[d.open_at]
    probability = t.stages[["pipeline", "stage", "probability"]].rename(
        columns={"stage": "stage_now"}
    )
    now = now.merge(probability, on=["pipeline", "stage_now"], how="left")
    now["amount"] = amount_then(t, now, end_of(day))
    amount = convert(t, rep, now, pd.Series(pd.Timestamp(day), now.index))
    with_rate = now.probability.notna()
    return {"open_count": len(now), "open_amount": float(amount.sum()),
            "weighted_amount": float((amount * now.probability)[with_rate].sum())}  # fmt: skip


def velocity(d: pd.DataFrame, closed: pd.DataFrame) -> float | None:
    """Return open deals x win rate x average won amount / median won cycle, per day."""
    won = closed[closed.won_by]
    median = describe(won.cycle[won.cycle >= 0], {"median": 0.5})["median"]
    inputs = (
        int(d.open_at.sum()),
        ratio(len(won), len(closed)),
        float(won.amount_rep.mean()) if won.amount_rep.notna().any() else None,
        median,
    )
    if None in inputs or not median:
        return None
    return inputs[0] * inputs[1] * inputs[2] / median


def lead_conversion(t: Tables, filters: Filters, end: pd.Timestamp) -> dict[str, Any]:
    """Return the leads created in the period (up to as-of) and those converted by as-of."""
    leads = t.leads
    d = t.deals[["deal_id", "lead_id", "created_at"]]
    for column, values in filters.where:
        if column in LEAD_COLUMNS:
            leads = leads[matches(leads[column], values)]
    leads = leads[(leads.created_at < end) & in_period(leads.created_at, filters)]
    links = pd.concat([d[["lead_id", "deal_id"]].dropna(),
                       leads[["lead_id", "deal_id"]].dropna()]).drop_duplicates()  # fmt: skip
    links = links.merge(d.drop(columns="lead_id"), on="deal_id", how="left")
    first_deal = links.groupby("lead_id").created_at.min()
    # get_indexer, not isin: pandas' isin on arrow strings builds its value set in Python.
    linked = first_deal.index.get_indexer(leads.lead_id) >= 0
    conv_at = leads.converted_at.fillna(first_deal.reindex(leads.lead_id).set_axis(leads.index))
    converted = (linked | (leads.status == "converted")) & ~(conv_at >= end)
    days = (conv_at.dt.normalize() - leads.created_at.dt.normalize()) / DAY
    n = int(converted.sum())
    return {"created": len(leads), "converted": n, "conversion_rate": ratio(n, len(leads)),
            "median_days_to_convert":
                describe(days[converted & (days >= 0)], {"median": 0.5})["median"]}  # fmt: skip


def funnel(scope: list[str], stages: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """Return the reached-or-passed funnel of each pipeline of scope (stages ordered by position),
    with a closing Won row: reached, conversion from the row before, cumulative from the first."""
    last = stages.groupby("pipeline").size().reindex(scope, fill_value=0).rename("last") + 1
    won = cohort[cohort.won_by].groupby("pipeline").size().rename("won")
    # Deals not won count at every stage up to their furthest: tally them by furthest position.
    far = cohort[~cohort.won_by].groupby(["pipeline", "far"]).size().rename("n").reset_index()
    passed = stages[["pipeline", "stage", "position"]].merge(far, on="pipeline")
    passed = passed[passed.far >= passed.position].groupby(["pipeline", "position"]).n.sum()
    rows = pd.concat([stages[["pipeline", "stage", "position"]],
                      pd.DataFrame({"pipeline": last.index, "stage": "Won",
                                    "position": last.values})])  # fmt: skip
    rows = (
        rows.join(last, on="pipeline")
        .join(won, on="pipeline")
        .join(passed, on=["pipeline", "position"])
    )
    rows = rows.fillna({"won": 0, "n": 0})
    rows["reached"] = (rows.won + rows.n.where(rows.position < rows["last"], 0)).astype(int)
    rows = rows.sort_values(["pipeline", "position"], kind="stable").reset_index(drop=True)
    by = rows.groupby("pipeline", sort=False).reached
    previous, first = by.shift(1), by.transform("first")
    rows["conversion"] = (rows.reached / previous).where(previous > 0)
    rows["cumulative"] = (rows.reached / first).where(first > 0)
    return rows


def km_medians(visits: pd.DataFrame) -> pd.Series:
    """Return per stage g of visits (columns g, days, done) the Kaplan-Meier median: the first
    completed duration at which survival drops to <= 0.5."""
    at = visits.groupby(["g", "days"]).done.agg(["size", "sum"]).reset_index()
    # At risk at t: the visits lasting t or longer, a reverse running count within the stage.
    at["at_risk"] = at.iloc[::-1].groupby("g", sort=False)["size"].cumsum()
    ends = at[at["sum"] > 0]
    survival = (1 - ends["sum"] / ends.at_risk).groupby(ends.g, sort=False).cumprod()
    return ends[survival <= 0.5 + KM_TOLERANCE].groupby("g").days.first()


def time_in_stage(
    stages: pd.DataFrame, ev: pd.DataFrame, filters: Filters, end: pd.Timestamp
) -> pd.DataFrame:
    """Return per stage of stages (index g) the completed visits entered in the period (n,
    median, mean, p75, p90 days), their Kaplan-Meier median counting the visits still open, and
    the deals in it at as-of."""
    ev = ev[ev.position.notna() & (ev.entered_at < end)]
    done = ev.left_at < end
    ev = ev.assign(
        g=ev.g.astype(int), done=done, days=(ev.left_at.where(done, end) - ev.entered_at) / DAY
    )
    entered = ev[in_period(ev.entered_at, filters)]
    finished = entered[entered.done].groupby("g").days
    out = stages[["pipeline", "stage", "position"]].assign(
        completed_visits=finished.size().reindex(stages.index, fill_value=0),
        mean_days=finished.mean(),
        **{name: finished.quantile(q) for name, q in STAGE_QUANTILES.items()},
        km_median_days=km_medians(entered),
        open_now=ev[~ev.done].groupby("g").row.nunique().reindex(stages.index, fill_value=0),
    )
    return out


def headline(t: Tables, filters: Filters) -> dict[str, Any]:
    """Return the figures of `python -m analytics metrics` in the shape of tests/oracle.headline
    (amounts in the reporting currency, durations in days, rates 0..1)."""
    day = as_of(t, filters)
    end = end_of(day)
    last = last_day(t)
    known = last is None or day >= last
    rep = reporting_currency(t)
    d = deals(t, filters)
    ev = visits(t, d)
    d = with_state(t, d, ev, end, rep)
    closed = d[(d.won_by | d.lost_by) & in_period(d.closed_at, filters)]
    cohort = d[(d.created_at < end) & in_period(d.created_at, filters)]
    w = win_rate(closed)
    scope = [filters.pipeline] if filters.pipeline else sorted(d.pipeline.dropna().unique())
    stages = t.stages[t.stages.pipeline.isin(scope)].sort_values(["pipeline", "position"])
    far = furthest(t, d, ev, end, known)
    steps = funnel(scope, stages, cohort.assign(far=far[cohort.index]))
    durations = time_in_stage(stages, ev, filters, end)
    per_pipeline = [
        {"pipeline": p,
         "funnel": records(steps[steps.pipeline == p],
                           ["stage", "position", "reached", "conversion", "cumulative"]),
         "time_in_stage": records(durations[durations.pipeline == p],
                                  ["stage", "completed_visits", "median_days", "mean_days",
                                   "p75_days", "p90_days", "km_median_days", "open_now"])}
        for p in scope
    ]  # fmt: skip
    out = {
        "as_of": day.isoformat(),
        "period": {"from": filters.start and filters.start.isoformat(),
                   "to": filters.end and filters.end.isoformat()},
        "deals": {"total": len(cohort), "open": int((~cohort.won_by & ~cohort.lost_by).sum()),
                  "won": int(cohort.won_by.sum()), "lost": int(cohort.lost_by.sum())},
        "win_rate": {k: v for k, v in w.items() if k != "won_amount"},
        "won_amount": w["won_amount"],
        "cycle_days": cycle_days(closed),
        "pipeline": open_pipeline(t, d, ev, day, known, rep)
        | {"velocity_per_day": velocity(d, closed)},
        "leads": lead_conversion(t, filters, end),
    }  # fmt: skip
    if len(per_pipeline) > 1:
        out["pipelines"] = per_pipeline
    else:
        out |= {k: per_pipeline[0][k] if per_pipeline else [] for k in ("funnel", "time_in_stage")}
    return out


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Return the rows of frame as dicts of Python scalars (None for NaN)."""
    return [{c: plain(v) for c, v in zip(columns, row, strict=True)}
            for row in frame[columns].itertuples(index=False)]  # fmt: skip
