"""Overview: are we on track? Won revenue against target, forecast, and the pipeline behind them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from analytics import cycle, forecast, goals, pipeline_value, winrate
from analytics.derived import reporting_currency
from analytics.period_goal import period_goal, period_pace, won_deals
from pages.figures import overview as figures
from pages.figures.goals import status_label
from pages.shared import formatting, widgets
from pages.shared.layout import page_setup
from pages.shared.locale import _, plural

TITLE = "Overview"
# Streamlit's named colours for the status badge, following the chart's status colours.
BADGE = {"achieved": "green", "on_track": "green", "at_risk": "orange", "behind": "red",
         "missed": "red", "not_started": "gray"}  # fmt: skip

ctx = page_setup(
    TITLE,
    "Are we on track? Won revenue against target, pace and forecast, and the pipeline behind "
    "them, each against the previous period.",
)
f = ctx.filters.metric_filters
currency = ctx.query(reporting_currency)
before = ctx.filters.previous()
pf = before.metric_filters if before else None
if pf is not None:
    pf = replace(
        pf,
        as_of=figures.same_point(f.start, f.end, ctx.filters.as_of, pf.start, pf.end),
    )
has_period = f.start is not None and f.end is not None

goal = ctx.query(period_goal, f)
goal_before = ctx.query(period_goal, pf) if pf else None
rate = ctx.query(winrate.win_rate, f).iloc[0]
rate_before = ctx.query(winrate.win_rate, pf).iloc[0] if pf else None
# The forecast is of the whole period: it compares with the whole previous period's won revenue.
whole_before = (
    ctx.query(winrate.win_rate, replace(pf, as_of=min(pf.end, ctx.filters.as_of))).iloc[0]
    if pf
    else None
)
cycles = ctx.query(cycle.sales_cycle, f).set_index("outcome")
cycles_before = ctx.query(cycle.sales_cycle, pf).set_index("outcome") if pf else None
pipe = ctx.query(pipeline_value.open_pipeline, f).iloc[0]
# The pipeline as it stood at the same point of the previous period (amounts of that day).
pipe_before = ctx.query(pipeline_value.open_pipeline, pf).iloc[0] if pf else None
outlook = ctx.query(forecast.forecast, f) if has_period else None
cover = forecast.coverage_of(outlook, ctx.query(forecast.period_target, f)) if outlook else None
cover_before = ctx.query(forecast.coverage, pf) if has_period and pf else None


def _get(row, column: str) -> float | None:
    return None if row is None else row[column]


if before is not None:
    st.caption(
        _("Changes are against the previous period at the same point: {dates}.").format(
            dates=formatting.day_range(pf.start, pf.as_of)
        )
    )

# ---- Target -------------------------------------------------------------------------------
with st.container(border=True):
    st.subheader(_("Target"), anchor=False)
    cols = st.columns(5)
    with cols[0]:
        widgets.kpi(
            _("Won revenue"),
            formatting.money(rate["won_amount"], currency, compact=True),
            delta=figures.delta_money(
                float(rate["won_amount"]), _get(rate_before, "won_amount"), currency
            ),
            definition=winrate.WON_AMOUNT,
        )
    with cols[1]:
        widgets.kpi(
            _("Target"),
            formatting.money(goal.target, currency, compact=True),
            help=_("The won-revenue targets of {scope} overlapping the period: {days}.").format(
                scope=", ".join(goal.scope_values) or _("the company"),
                days=formatting.day_range(goal.first_day, goal.last_day),
            )
            if goal.target is not None
            else _("No won-revenue target overlaps the period."),
        )
    with cols[2]:
        widgets.kpi(
            _("Attainment"),
            formatting.percent(goal.attainment),
            delta=figures.delta_points(
                goal.attainment, goal_before.attainment if goal_before else None
            ),
            definition=goals.GOAL_ATTAINMENT,
        )
    with cols[3]:
        widgets.kpi(
            _("Pace"),
            formatting.percent(goal.pace),
            definition=goals.GOAL_PACE,
        )
    with cols[4]:
        widgets.kpi(
            _("Forecast"),
            formatting.money(outlook.forecast, currency, compact=True)
            if outlook
            else formatting.MISSING,
            delta=figures.delta_money(
                outlook.forecast if outlook else None, _get(whole_before, "won_amount"), currency
            ),
            definition=forecast.FORECAST,
            help=None if outlook else _("A forecast needs a period with a start and an end."),
        )
    if outlook is not None:
        st.caption(
            plural(
                outlook.open_due_count,
                "Forecast: won so far {won} + weighted open deals due in the period {weighted} "
                "({n} deal). Commit {commit}, best case {best}. Its change is against the "
                "previous period's won revenue.",
                "Forecast: won so far {won} + weighted open deals due in the period {weighted} "
                "({n} deals). Commit {commit}, best case {best}. Its change is against the "
                "previous period's won revenue.",
            ).format(
                won=formatting.money(outlook.won_so_far, currency),
                weighted=formatting.money(outlook.weighted_open, currency),
                n=formatting.count(outlook.open_due_count),
                commit=formatting.money(outlook.commit, currency),
                best=formatting.money(outlook.best_case, currency),
            )
        )

    if goal.target is None:
        widgets.empty_state(
            _("No won-revenue target overlaps this period for this scope."),
            _("Add one on the Goals page, or choose a period with a target."),
        )
    else:
        st.markdown(
            f"**{_('Status')}:** :{BADGE[goal.status]}-badge[{status_label(goal.status)}] · "
            + _("projected {projection} of {target} by {day}").format(
                projection=formatting.escape_markdown(formatting.money(goal.projection, currency)),
                target=formatting.escape_markdown(
                    formatting.money(goal.target, currency, compact=True)
                ),
                day=formatting.escape_markdown(formatting.day(goal.last_day)),
            )
        )
        series = ctx.query(period_pace, f)
        if series.empty:
            widgets.empty_state(_("The target's period has not started yet."))
        else:
            event = widgets.chart(
                figures.won_vs_target(
                    series, goal.target, goal.projection, goal.last_day, currency
                ),
                key="overview_won_chart",
                name="won-vs-target",
                select=True,
            )
            days = [d.date().isoformat() for d in series["day"]]
            picked = widgets.drill_pick(
                _("Deals won up to"),
                days,
                event,
                key="overview_won",
                from_point=lambda p: (
                    (p.get("customdata") or [None])[0] if p.get("curve_number", 0) == 0 else None
                ),
                format_func=lambda d: formatting.day(date.fromisoformat(d)),
            )
            if picked:
                deals = ctx.query(won_deals, f, date.fromisoformat(picked))
                reached = series[series["day"] == pd.Timestamp(picked)].iloc[0]
                st.caption(
                    plural(
                        len(deals),
                        "{n} deal won from {first} to {day}: {amount}, the won line that day.",
                        "{n} deals won from {first} to {day}: {amount}, the won line that day.",
                    ).format(
                        n=formatting.count(len(deals)),
                        first=formatting.day(goal.first_day),
                        day=formatting.day(date.fromisoformat(picked)),
                        amount=formatting.money(reached["actual_cumulative"], currency),
                    )
                )
                widgets.deal_links(
                    figures.won_deals_table(deals, currency),
                    key="overview_won",
                    name="deals-won",
                    id_column=_("Deal ID"),
                )

# ---- Pipeline -----------------------------------------------------------------------------
with st.container(border=True):
    st.subheader(_("Pipeline"), anchor=False)
    cols = st.columns(5)
    won_cycle = cycles.loc["won"]
    with cols[0]:
        widgets.kpi(
            formatting.rate_label(_("Win rate"), int(rate["n"]), bool(rate["small_sample"])),
            formatting.percent(rate["rate"]),
            delta=figures.delta_points(rate["rate"], _get(rate_before, "rate")),
            definition=winrate.WIN_RATE,
        )
    with cols[1]:
        widgets.kpi(
            _("Median sales cycle (won)"),
            formatting.days(won_cycle["median"]),
            delta=figures.delta_days(
                won_cycle["median"],
                None if cycles_before is None else cycles_before.loc["won", "median"],
            ),
            delta_color="inverse",
            definition=cycle.SALES_CYCLE_WON,
        )
    with cols[2]:
        widgets.kpi(
            _("Open pipeline"),
            formatting.money(pipe["open_amount"], currency, compact=True),
            delta=figures.delta_money(
                pipe["open_amount"], _get(pipe_before, "open_amount"), currency
            ),
            definition=pipeline_value.OPEN_PIPELINE,
        )
    with cols[3]:
        widgets.kpi(
            _("Weighted pipeline"),
            formatting.money(pipe["weighted_amount"], currency, compact=True),
            delta=figures.delta_money(
                pipe["weighted_amount"], _get(pipe_before, "weighted_amount"), currency
            ),
            definition=pipeline_value.WEIGHTED_PIPELINE,
        )
    with cols[4]:
        widgets.kpi(
            _("Coverage"),
            figures.coverage_text(cover.coverage if cover else None),
            delta=figures.delta_times(
                cover.coverage if cover else None,
                cover_before.coverage if cover_before else None,
            ),
            definition=forecast.PIPELINE_COVERAGE,
        )
    notes = [
        plural(
            int(pipe["open_count"]),
            "{n} open deal at the end of {day}: the pipeline tiles are a snapshot of that day.",
            "{n} open deals at the end of {day}: the pipeline tiles are a snapshot of that day.",
        ).format(n=formatting.count(int(pipe["open_count"])), day=formatting.day(ctx.filters.as_of))
    ]
    if int(rate["n"]) == 0:
        notes.append(_("No deal was won or lost in the period: no win rate or cycle."))
    if cover is not None and cover.target is not None:
        notes.append(
            _("Coverage: open deals due in the period {due} ÷ target left {gap}.").format(
                due=formatting.money(cover.open_due_amount, currency),
                gap=formatting.money(cover.gap, currency),
            )
        )
    st.caption(" ".join(notes))
