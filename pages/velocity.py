"""Velocity: where do deals get stuck, and how long does a sale take?"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analytics import cycle, durations, pipeline_value, winrate
from analytics.derived import reporting_currency
from analytics.distributions import cycle_histogram, stage_spread
from analytics.drilldown import completed_visits, deals_in_stage, pipelines_by_size
from pages.figures import velocity as figures
from pages.figures.funnel import deal_table
from pages.shared import formatting, widgets
from pages.shared.layout import page_setup
from pages.shared.locale import _, plural

TITLE = "Velocity"
DEALS_LIMIT = 500  # rows of a drill-down list; the caption says how many there are in all
SITTING, VISITS = "sitting", "visits"

ctx = page_setup(
    TITLE,
    "Where do deals get stuck, and how long does a sale take? Time in each stage, the sales "
    "cycle, and pipeline velocity with its four inputs.",
)
f = ctx.filters.metric_filters
currency = ctx.query(reporting_currency)

# Pipeline velocity: value per day and its four inputs, against the previous period.
speed = ctx.query(pipeline_value.velocity, f)
rate = ctx.query(winrate.win_rate, f).iloc[0]
before = ctx.filters.previous()
earlier = ctx.query(pipeline_value.velocity, before.metric_filters) if before else None

with st.container(border=True):
    st.subheader(_("Pipeline velocity"), anchor=False)
    tiles = st.columns(5)
    delta = None
    if earlier is not None and earlier.per_day is not None and speed.per_day is not None:
        change = speed.per_day - earlier.per_day
        delta = _("{sign}{amount} vs previous period").format(
            sign="+" if change >= 0 else "-",
            amount=formatting.money(abs(change), currency),
        )
    with tiles[0]:
        widgets.kpi(
            _("Velocity per day"),
            formatting.money(speed.per_day, currency),
            delta=delta,
            definition=pipeline_value.PIPELINE_VELOCITY,
        )
    with tiles[1]:
        widgets.kpi(
            _("Open deals"),
            formatting.count(speed.open_deals),
            definition=pipeline_value.PIPELINE_VELOCITY,
        )
    with tiles[2]:
        widgets.kpi(
            formatting.rate_label(_("Win rate"), int(rate["n"]), bool(rate["small_sample"])),
            formatting.percent(speed.win_rate),
            definition=winrate.WIN_RATE,
        )
    with tiles[3]:
        widgets.kpi(
            _("Average won amount"),
            formatting.money(speed.avg_won_amount, currency),
            definition=pipeline_value.PIPELINE_VELOCITY,
        )
    with tiles[4]:
        widgets.kpi(
            _("Median won cycle"),
            formatting.days(speed.median_won_cycle_days, 1),
            definition=cycle.SALES_CYCLE_WON,
        )
    if speed.per_day is None:
        st.caption(
            _(
                "No velocity for these filters: it needs deals won and lost in the period and a "
                "median won cycle above 0 days."
            )
        )
    else:
        st.caption(
            plural(
                speed.open_deals,
                "{open} open deal × {rate} win rate × {amount} average won amount ÷ {days} = "
                "{velocity} per day",
                "{open} open deals × {rate} win rate × {amount} average won amount ÷ {days} = "
                "{velocity} per day",
            ).format(
                open=formatting.count(speed.open_deals),
                rate=formatting.percent(speed.win_rate),
                amount=formatting.money(speed.avg_won_amount, currency),
                days=formatting.days(speed.median_won_cycle_days, 1),
                velocity=formatting.money(speed.per_day, currency),
            )
        )
    if speed.unconverted:
        st.caption(
            plural(
                speed.unconverted,
                "{n} won deal without an exchange rate is left out of the average.",
                "{n} won deals without an exchange rate are left out of the average.",
            ).format(n=formatting.count(speed.unconverted))
        )

stage_tab, cycle_tab = widgets.tabs(
    [_("Time in stage"), _("Sales cycle")], key="velocity_tab", on_change="rerun"
)

# Only the open tab runs (its .open is False for the other), so the hidden one costs nothing.
with stage_tab:
    if stage_tab.open is not False:
        sizes = ctx.query(pipelines_by_size, f)
        names = [name for name, _deals in sizes]
        pf = f
        if f.pipeline is None and len(names) > 1:
            chosen = st.segmented_control(
                _("Pipeline"), names, default=names[0], required=True, key="velocity_pipeline"
            )
            st.caption(
                _("Each pipeline has its own stages: choose the pipeline whose stages to show.")
            )
            pf = replace(f, pipeline=chosen if chosen in names else names[0])
        elif f.pipeline is None and names:
            pf = replace(f, pipeline=names[0])
        if pf.pipeline is None:
            widgets.empty_state(_("No deals for these filters."), _("Try fewer filters."))
        else:
            stages = ctx.query(durations.time_in_stage, pf)
            shares = ctx.query(durations.bottleneck, pf, stages=stages)
            spread = ctx.query(stage_spread, pf)
            rows = figures.stage_rows(stages, spread, shares)
            if not (rows["completed_visits"].any() or rows["open_now"].any()):
                widgets.empty_state(
                    _("No stage visits for these filters."),
                    _("Try a longer period or fewer filters."),
                )
            else:
                neck = figures.bottleneck_stage(rows)
                if neck is not None:
                    st.warning(
                        _(
                            "Bottleneck: {stage}, a survival-adjusted median of {days} "
                            "({share} of the stages' total)."
                        ).format(
                            stage=formatting.escape_markdown(neck["stage"]),
                            days=formatting.days(neck["km_median_days"], 1),
                            share=formatting.percent(neck["share"]),
                        ),
                        icon=":material/hourglass_bottom:",
                    )
                event = widgets.chart(
                    figures.time_in_stage_chart(rows),
                    key="velocity_stage_chart",
                    name="time in stage",
                    select=True,
                )
                st.caption(
                    _(
                        "Boxes span the middle half of the completed visits (whiskers: 10th to "
                        "90th percentile, line: median); the diamond is the survival-adjusted "
                        "median, which also counts the deals still sitting in the stage."
                    )
                )
                widgets.how_computed(
                    durations.TIME_IN_STAGE_MEDIAN,
                    durations.TIME_IN_STAGE_KM_MEDIAN,
                    durations.OPEN_IN_STAGE,
                    durations.BOTTLENECK,
                    key="velocity_stage_how",
                )
                widgets.table(
                    figures.time_in_stage_table(rows), key="velocity_stages", name="time in stage"
                )

                st.subheader(_("Deals behind a stage"), anchor=False)
                pick_col, show_col = st.columns([2, 3])
                with pick_col:
                    stage = widgets.drill_pick(
                        _("Stage"),
                        list(rows["stage"]),
                        event,
                        key="velocity_drill",
                        from_point=lambda p: (p.get("customdata") or [None])[0],
                    )
                with show_col:
                    shown = st.segmented_control(
                        _("Show"),
                        (SITTING, VISITS),
                        default=SITTING,
                        required=True,
                        format_func=lambda k: (
                            _("Deals in it now, longest first")
                            if k == SITTING
                            else _("Completed visits, longest first")
                        ),
                        key="velocity_drill_show",
                    )
                if stage is None:
                    st.caption(_("Click a diamond, or choose a stage, to list its deals."))
                else:
                    row = rows[rows["stage"] == stage].iloc[0]
                    if shown == VISITS:
                        deals = ctx.query(completed_visits, pf, stage, limit=DEALS_LIMIT)
                        total = int(row["completed_visits"])
                    else:
                        deals = ctx.query(deals_in_stage, pf, stage, limit=DEALS_LIMIT)
                        total = int(row["open_now"])
                    if total > len(deals):
                        st.caption(
                            _("The first {shown} of {total}.").format(
                                shown=formatting.count(len(deals)), total=formatting.count(total)
                            )
                        )
                    widgets.deal_links(
                        deal_table(deals, currency),
                        key="velocity_deals",
                        name=f"{stage} {shown}",
                        id_column=_("Deal ID"),
                    )

with cycle_tab:
    if cycle_tab.open is not False:
        summary = ctx.query(cycle.sales_cycle, f)
        if not summary["n"].any():
            widgets.empty_state(
                _("No deal closed in this period."), _("Try a longer period or fewer filters.")
            )
        else:
            won = summary[summary["outcome"] == "won"].iloc[0]
            lost = summary[summary["outcome"] == "lost"].iloc[0]
            tiles = st.columns(2)
            for tile, row, label, definition in (
                (tiles[0], won, _("Median cycle, won deals (n={n})"), cycle.SALES_CYCLE_WON),
                (tiles[1], lost, _("Median cycle, lost deals (n={n})"), cycle.SALES_CYCLE_LOST),
            ):
                with tile:
                    widgets.kpi(
                        label.format(n=formatting.count(int(row["n"]))),
                        formatting.days(row["median"], 1),
                        definition=definition,
                    )
            left, right = st.columns(2)
            with left:
                st.subheader(_("How long sales take"), anchor=False)
                widgets.chart(
                    figures.cycle_histogram_chart(ctx.query(cycle_histogram, f)),
                    key="velocity_cycle_histogram",
                    name="sales cycle",
                )
            with right:
                st.subheader(_("Trend by close month"), anchor=False)
                widgets.chart(
                    figures.cycle_trend_chart(ctx.query(cycle.cycle_trend, f)),
                    key="velocity_cycle_trend",
                    name="sales cycle trend",
                )
            st.caption(_("Hollow markers: months with fewer than 20 deals closed."))
            widgets.table(figures.cycle_table(summary), key="velocity_cycle", name="sales cycle")
