"""Funnel: where do deals drop out?"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analytics import funnel
from analytics.derived import reporting_currency
from analytics.drilldown import drop_off_deals, pipelines_by_size
from analytics.filters import dimensions
from pages.figures import funnel as figures
from pages.shared import formatting, widgets
from pages.shared.filters import column_label
from pages.shared.layout import page_setup
from pages.shared.locale import _, plural

TITLE = "Funnel"
DEALS_LIMIT = 500  # rows of a drill-down list; the caption says how many there are in all
TABLE_GROUPS = 200  # groups listed under the split chart
REACHED, DROPPED = "reached", "dropped"
PREVIOUS, CUSTOM = "previous", "custom"

ctx = page_setup(
    TITLE,
    "Where do deals drop out? Deals reaching each stage, stage-to-stage and cumulative "
    "conversion, and what became of them.",
)
f = ctx.filters.metric_filters
currency = ctx.query(reporting_currency)

# Pipelines have different stages: with several in view, the funnel shows one at a time.
sizes = ctx.query(pipelines_by_size, f)
if f.pipeline is None and len(sizes) > 1:
    names = [name for name, _deals in sizes]
    chosen = st.segmented_control(
        _("Pipeline"), names, default=names[0], required=True, key="funnel_pipeline"
    )
    st.caption(
        _(
            "The deals in view belong to {n} pipelines, each with its own stages: the funnel "
            "shows one pipeline at a time (choose a pipeline in the sidebar to keep it)."
        ).format(n=len(names))
    )
    f = replace(f, pipeline=chosen if chosen in names else names[0])

mode = st.segmented_control(
    _("Funnel mode"),
    funnel.MODES,
    default="reached",
    required=True,
    format_func=lambda m: _(figures.MODE_LABELS[m]),
    key="funnel_mode",
)
mode = mode or "reached"
st.caption(_(figures.MODE_HELP[mode]))

frame = ctx.query(funnel.funnel, f, mode=mode)
has_deals = not frame.empty and bool(frame["reached"].any() or frame["drop_off"].any())

if not has_deals:
    widgets.empty_state(
        _("No deals in the funnel for these filters."),
        _("Try a longer period, another funnel mode or fewer filters."),
    )
else:
    first = frame.iloc[0]
    won = frame[frame["stage"] == funnel.WON].iloc[0]
    drop = figures.largest_drop(frame)
    tiles = st.columns(4)
    with tiles[0]:
        widgets.kpi(
            _("Deals at the first stage"),
            formatting.count(first["reached"]),
            definition=funnel.FUNNEL_REACHED,
        )
    with tiles[1]:
        widgets.kpi(_("Won"), formatting.count(won["reached"]), definition=funnel.FUNNEL_REACHED)
    with tiles[2]:
        widgets.kpi(
            formatting.rate_label(
                _("Conversion to Won"), int(first["reached"]), bool(first["small_sample"])
            ),
            formatting.percent(won["cumulative"]),
            definition=funnel.FUNNEL_CUMULATIVE,
        )
    with tiles[3]:
        widgets.kpi(
            _("Most deals lost at"),
            formatting.MISSING if drop is None else formatting.escape_markdown(drop[0]),
            delta=None
            if drop is None
            else plural(
                drop[1], "{n} lost deal, {share} of all", "{n} lost deals, {share} of all"
            ).format(n=formatting.count(drop[1]), share=formatting.percent(drop[2])),
            delta_color="off",
            definition=funnel.FUNNEL_DROP_OFF,
        )

    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            st.subheader(_("Deals reaching each stage"), anchor=False)
            funnel_event = widgets.chart(
                figures.funnel_chart(frame), key="funnel_chart", name="funnel", select=True
            )
        with right:
            st.subheader(_("Where deals were lost"), anchor=False)
            drop_event = widgets.chart(
                figures.drop_off_chart(frame), key="funnel_drop_chart", name="drop-off", select=True
            )
        widgets.how_computed(
            funnel.FUNNEL_REACHED,
            funnel.FUNNEL_CONVERSION,
            funnel.FUNNEL_CUMULATIVE,
            funnel.FUNNEL_DROP_OFF,
            key="funnel_how",
        )
        widgets.table(figures.stage_table(frame), key="funnel_stages", name="funnel stages")

    with st.container(border=True):
        st.subheader(_("Deals behind a stage"), anchor=False)
        stages = list(frame["stage"])
        points = widgets.selected_points(funnel_event) + widgets.selected_points(drop_event)
        pick_col, show_col = st.columns([2, 3])
        with pick_col:
            stage = widgets.drill_pick(
                _("Stage"),
                stages,
                {"selection": {"points": points}},
                key="funnel_drill",
                from_point=lambda p: (p.get("customdata") or [None])[0],
                format_func=figures.stage_name,
            )
        with show_col:
            shown = st.segmented_control(
                _("Show the deals that"),
                (REACHED, DROPPED),
                default=REACHED,
                required=True,
                format_func=lambda k: _("reached it") if k == REACHED else _("dropped out at it"),
                key="funnel_drill_show",
                disabled=stage == funnel.WON,
            )
        if stage is None:
            st.caption(_("Click a bar of either chart, or choose a stage, to list its deals."))
        else:
            row = frame[frame["stage"] == stage].iloc[0]
            if shown == DROPPED and stage != funnel.WON:
                deals = ctx.query(drop_off_deals, f, stage, mode=mode, limit=DEALS_LIMIT)
                total = int(row["drop_off"])
            else:
                deals = ctx.query(funnel.funnel_deals, f, stage, mode=mode, limit=DEALS_LIMIT)
                total = int(row["reached"])
            if total > len(deals):
                st.caption(
                    _("The {shown} largest of {total} deals, largest amount first.").format(
                        shown=formatting.count(len(deals)), total=formatting.count(total)
                    )
                )
            widgets.deal_links(
                figures.deal_table(deals, currency),
                key="funnel_deals",
                name=f"funnel {stage}",
                id_column=_("Deal ID"),
            )

tab_names = [
    _("Split by"),
    _("Compare periods"),
    _("Modes side by side"),
    _("Stage accounting"),
    _("Stage transitions"),
]
split_tab, compare_tab, modes_tab, accounting_tab, transitions_tab = widgets.tabs(
    tab_names, key="funnel_tab", on_change="rerun"
)

# Only the open tab runs (its .open is False for the others), so hidden tabs cost nothing.
with split_tab:
    if split_tab.open is not False:
        columns = [c for c in ctx.query(dimensions) if c != "pipeline"]
        column = st.selectbox(
            _("Split by"),
            columns,
            index=columns.index("owner") if "owner" in columns else 0,
            format_func=column_label,
            key="funnel_split",
        )
        split = ctx.query(funnel.funnel, f, mode=mode, by=column)
        if split.empty:
            widgets.empty_state(
                _("No deals to split for these filters."), _("Try a longer period.")
            )
        else:
            keys = figures.top_groups(split, limit=None)
            if len(keys) > figures.SPLIT_GROUPS:
                st.caption(
                    _("The chart shows the {shown} groups with the most deals of {total}.").format(
                        shown=figures.SPLIT_GROUPS, total=formatting.count(len(keys))
                    )
                )
            widgets.chart(
                figures.split_chart(split, keys[: figures.SPLIT_GROUPS]),
                key="funnel_split_chart",
                name=f"funnel by {column}",
            )
            st.caption(
                _(
                    "Bars show the share of each group's deals at the first stage that reached "
                    "the stage; hatched bars rest on fewer than 20 deals."
                )
            )
            if len(keys) > TABLE_GROUPS:
                st.caption(
                    _("The table lists the {shown} groups with the most deals of {total}.").format(
                        shown=TABLE_GROUPS, total=formatting.count(len(keys))
                    )
                )
            widgets.table(
                figures.split_table(split, keys[:TABLE_GROUPS], column_label(column)),
                key="funnel_split",
                name=f"funnel by {column}",
            )

with compare_tab:
    if compare_tab.open is not False:
        before = ctx.filters.previous()
        choices = (PREVIOUS, CUSTOM) if before is not None else (CUSTOM,)
        how = st.segmented_control(
            _("Compare with"),
            choices,
            default=choices[0],
            required=True,
            format_func=lambda k: _("Previous period") if k == PREVIOUS else _("Another range"),
            key="funnel_compare",
        )
        if how == PREVIOUS and before is not None:
            start, end = before.period.start, before.period.end
        else:
            suggested = before.period if before is not None else ctx.filters.period
            picked = st.date_input(
                _("Second period"),
                value=(suggested.start or ctx.filters.as_of, suggested.end or ctx.filters.as_of),
                format="YYYY-MM-DD",
                key="funnel_compare_range",
            )
            picked = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
            start, end = picked[0], picked[-1]
        labels = (ctx.filters.period.dates(), formatting.day_range(start, end))
        other = ctx.query(funnel.funnel, f.with_period(start, end), mode=mode)
        if not has_deals and (other.empty or not other["reached"].any()):
            widgets.empty_state(
                _("No deals in either period."), _("Try a longer period or fewer filters.")
            )
        else:
            widgets.chart(
                figures.compare_chart(frame, other, labels),
                key="funnel_compare_chart",
                name="funnel comparison",
            )
            widgets.table(
                figures.compare_table(frame, other, labels),
                key="funnel_compare",
                name="funnel comparison",
            )

with modes_tab:
    if modes_tab.open is not False:
        st.caption(
            _(
                "The same stages counted three ways. Reached or passed back-fills skipped "
                "stages; entered counts only the stages deals entered; active counts the "
                "period's entries whatever the deals' creation date."
            )
        )
        modes = ctx.query(funnel.funnel_modes, f)
        if modes.empty:
            widgets.empty_state(_("No deals in the funnel for these filters."))
        else:
            widgets.chart(figures.modes_chart(modes), key="funnel_modes_chart", name="funnel modes")
            widgets.table(figures.modes_table(modes), key="funnel_modes", name="funnel modes")

with accounting_tab:
    if accounting_tab.open is not False:
        accounting = ctx.query(funnel.stage_accounting, f)
        if accounting.empty or not accounting["entered"].any():
            widgets.empty_state(
                _("No deal entered a stage in this period."), _("Try a longer period.")
            )
        else:
            st.caption(
                _(
                    "Every visit of a stage that began in the period, by what became of it: "
                    "entered = advanced + lost + moved back + still there."
                )
            )
            widgets.chart(
                figures.accounting_chart(accounting),
                key="funnel_accounting_chart",
                name="stage accounting",
            )
            widgets.how_computed(funnel.STAGE_ACCOUNTING, key="funnel_accounting_how")
            widgets.table(
                figures.accounting_table(accounting),
                key="funnel_accounting",
                name="stage accounting",
            )

with transitions_tab:
    if transitions_tab.open is not False:
        moves = ctx.query(funnel.transitions, f)
        if moves.empty:
            widgets.empty_state(_("No stage moves in this period."), _("Try a longer period."))
        else:
            st.caption(
                _(
                    "Moves from each stage (rows) to the deal's next stage event (columns) in "
                    "the period, skipped stages and moves back included."
                )
            )
            widgets.chart(
                figures.transitions_heatmap(moves),
                key="funnel_transitions_chart",
                name="stage transitions",
            )
            widgets.how_computed(funnel.TRANSITIONS, key="funnel_transitions_how")
            widgets.table(
                figures.transitions_table(moves),
                key="funnel_transitions",
                name="stage transitions",
            )
