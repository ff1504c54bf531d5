"""Activities: is the team doing the work?"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from analytics import activity_metrics as am
from analytics.activity_lists import activity_list, first_activity_deals, won_deal_activities
from analytics.derived import reporting_currency
from pages.figures import activities as figures
from pages.shared import formatting, widgets
from pages.shared.layout import page_setup
from pages.shared.locale import _, plural

TITLE = "Activities"
LIST_LIMIT = 500  # rows of a drill-down list; the caption says how many there are in all
ALL = "all"
STATES = (ALL, figures.COMPLETED, figures.PLANNED, figures.OVERDUE)
KEY_WINDOW = "activities_window"
KEY_WINDOW_KEPT = "activities_window_kept"


def state_pick(event: Any, key: str) -> str:
    """Draw the choice of which activities to list; a newly clicked segment sets it."""
    state_key, seen_key = f"{key}_state", f"{key}_state_seen"
    clicked = [(p.get("customdata") or [None, None])[1] for p in widgets.selected_points(event)]
    clicked = [s for s in clicked if s in STATES]
    signature = tuple(clicked)
    if clicked and st.session_state.get(seen_key) != signature:
        st.session_state[state_key] = clicked[0]
    st.session_state[seen_key] = signature
    st.session_state.setdefault(state_key, ALL)
    choice = st.segmented_control(
        _("Show"),
        STATES,
        required=True,
        format_func=lambda s: _("All") if s == ALL else _(figures.STATE_LABELS[s]),
        key=state_key,
    )
    return choice or ALL


def show_activities(rows: Any, total: int, key: str, name: str) -> None:
    """Draw activity rows (newest first) with how many there are in all, and their CSV."""
    if rows.empty:
        widgets.empty_state(_("No activities behind this selection."))
        return
    if total > len(rows):
        st.caption(
            _("The {shown} latest of {total} activities.").format(
                shown=formatting.count(len(rows)), total=formatting.count(total)
            )
        )
    widgets.table(
        figures.activity_table(rows),
        key=key,
        name=name,
        height=min(420, 38 + 35 * len(rows)),
        column_config={_("Date"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )


def key_label(by: str, key: str) -> str:
    """Return a breakdown key as people read it (a type, a rep, or "Week of ...")."""
    if by == "type":
        return formatting.activity_type(key)
    if by == "week":
        return _("Week of {day}").format(day=formatting.day(date.fromisoformat(key)))
    return key


def count_of(volume: Any, key: str, state: str) -> int:
    """Return how many activities of a volume row (by key) are in state (ALL: in total)."""
    row = volume[volume["key"] == key].iloc[0]
    if state == ALL:
        return int(row["total"])
    if state == figures.PLANNED:
        return int(row["planned"] - row["overdue"])
    return int(row[state])


ctx = page_setup(
    TITLE,
    "Is the team doing the work? Activity volume by type, rep and week, overdue tasks, effort "
    "per won deal, first response to new deals and follow-up after wins.",
)
f = ctx.filters.metric_filters
currency = ctx.query(reporting_currency)

volume = ctx.query(am.activity_volume, f).iloc[0]
first = ctx.query(am.time_to_first_activity, f).iloc[0]

# Effort per won deal and follow-up read every activity of the won deals: on a large store they
# take seconds, so they head their own tab and run only when it is open.
tiles = st.columns(3)
with tiles[0]:
    widgets.kpi(
        _("Completed activities"),
        formatting.count(int(volume["completed"])),
        delta=_("{n} planned").format(n=formatting.count(int(volume["planned"]))),
        delta_color="off",
        definition=am.ACTIVITY_VOLUME,
    )
with tiles[1]:
    widgets.kpi(
        _("Overdue"),
        formatting.count(int(volume["overdue"])),
        delta=_("of {n} planned").format(n=formatting.count(int(volume["planned"]))),
        delta_color="off",
        definition=am.ACTIVITIES_OVERDUE,
    )
with tiles[2]:
    widgets.kpi(
        _("Median time to first activity"),
        formatting.days(first["median_days"], 1),
        delta=plural(int(first["deals"]), "n={n} of {deals} deal", "n={n} of {deals} deals").format(
            n=formatting.count(int(first["with_activity"])),
            deals=formatting.count(int(first["deals"])),
        ),
        delta_color="off",
        definition=am.TIME_TO_FIRST_ACTIVITY,
    )

tab_names = [
    _("Volume"),
    _("Reps by week"),
    _("Overdue"),
    _("Won deals and follow-up"),
    _("First activity on new deals"),
]
volume_tab, heatmap_tab, overdue_tab, won_tab, first_tab = widgets.tabs(
    tab_names, key="activities_tab", on_change="rerun"
)

# Only the open tab runs (the others' .open is False), so hidden tabs cost nothing.
with volume_tab:
    if volume_tab.open is not False:
        by = st.segmented_control(
            _("Break down by"),
            ("type", "owner", "week"),
            default="type",
            required=True,
            format_func=lambda b: {"type": _("Type"), "owner": _("Rep"), "week": _("Week")}[b],
            key="activities_by",
        )
        by = by or "type"
        frame = ctx.query(am.activity_volume, f, by=by)
        if frame.empty or not frame["total"].any():
            widgets.empty_state(
                _("No activities in this period for these filters."),
                _("Try a longer period or fewer filters."),
            )
        else:
            shown = frame
            if by == "owner" and len(frame) > figures.HEATMAP_REPS:
                shown = frame.nlargest(figures.HEATMAP_REPS, "total")
                st.caption(
                    _("The chart shows the {shown} reps with the most activities of {total}.")
                    .format(shown=len(shown), total=formatting.count(len(frame)))
                )  # fmt: skip
            with st.container(border=True):
                if by == "week":
                    fig = figures.weekly_bars(frame)
                else:
                    axis = _("Type") if by == "type" else _("Rep")
                    fig = figures.volume_bars(shown, axis, types=by == "type")
                event = widgets.chart(
                    fig, key=f"activities_volume_{by}", name="activities", select=True
                )
                label = {"type": _("Type"), "owner": _("Rep"), "week": _("Week")}[by]
                with st.expander(_("Table")):
                    widgets.table(
                        figures.volume_table(frame, label, types=by == "type"),
                        key="activities_volume",
                        name=f"activity volume by {by}",
                        height=min(420, 38 + 35 * len(frame)),
                    )
                widgets.how_computed(
                    am.ACTIVITY_VOLUME, am.ACTIVITIES_OVERDUE, key="activities_how"
                )
            with st.container(border=True):
                st.subheader(_("Activities behind a bar"), anchor=False)
                keys = list(frame["key"])
                left, right = st.columns([2, 3])
                with left:
                    picked = widgets.drill_pick(
                        {"type": _("Type"), "owner": _("Rep"), "week": _("Week")}[by],
                        keys,
                        event,
                        key=f"activities_drill_{by}",
                        from_point=lambda p: (p.get("customdata") or [None])[0],
                        format_func=lambda k: key_label(by, k),
                    )
                with right:
                    state = state_pick(event, f"activities_drill_{by}")
                if picked is None:
                    st.caption(_("Click a bar, or choose here, to list its activities."))
                else:
                    narrow = {
                        "owner": {"owner": picked},
                        "type": {"activity_type": picked},
                        "week": {"week": date.fromisoformat(picked) if by == "week" else None},
                    }[by]
                    rows = ctx.query(
                        activity_list,
                        f,
                        **narrow,
                        state=None if state == ALL else state,
                        limit=LIST_LIMIT,
                    )
                    show_activities(
                        rows,
                        count_of(frame, picked, state),
                        "activities_bar",
                        f"activities {picked}",
                    )

with heatmap_tab:
    if heatmap_tab.open is not False:
        cells = ctx.query(am.activity_heatmap, f)
        reps = figures.top_reps(cells)
        if cells.empty:
            widgets.empty_state(
                _("No completed activities in this period for these filters."),
                _("Try a longer period or fewer filters."),
            )
        else:
            n_reps = cells["owner"].nunique()
            if n_reps > len(reps):
                st.caption(
                    _("The {shown} reps with the most completed activities of {total}; choose "
                      "an owner or team in the sidebar to see others.")
                    .format(shown=len(reps), total=formatting.count(n_reps))
                )  # fmt: skip
            with st.container(border=True):
                event = widgets.chart(
                    figures.heatmap(cells, reps),
                    key="activities_heatmap",
                    name="activities by rep and week",
                    select=True,
                )
                widgets.how_computed(am.ACTIVITY_VOLUME, key="activities_heatmap_how")
            with st.container(border=True):
                st.subheader(_("Activities behind a cell"), anchor=False)
                shown_cells = cells[cells["owner"].isin(reps)]
                counts = {
                    (owner, week.date().isoformat()): int(n)
                    for owner, week, n in zip(
                        shown_cells["owner"], shown_cells["week"], shown_cells["completed"],
                        strict=True,
                    )
                }  # fmt: skip
                options = list(counts)
                cell = widgets.drill_pick(
                    _("Rep and week"),
                    options,
                    event,
                    key="activities_cell",
                    from_point=lambda p: tuple(p.get("customdata") or ()) or None,
                    format_func=lambda c: _("{rep} · week of {day}").format(
                        rep=c[0], day=formatting.day(date.fromisoformat(c[1]))
                    ),
                )
                if cell is None:
                    st.caption(_("Click a cell, or choose here, to list its activities."))
                else:
                    rows = ctx.query(
                        activity_list,
                        f,
                        owner=cell[0],
                        week=date.fromisoformat(cell[1]),
                        state=figures.COMPLETED,
                        limit=LIST_LIMIT,
                    )
                    show_activities(
                        rows, counts[cell], "activities_cell", f"activities {cell[0]} {cell[1]}"
                    )

with overdue_tab:
    if overdue_tab.open is not False:
        by_rep = ctx.query(am.activity_volume, f, by="owner")
        late = by_rep[by_rep["overdue"] > 0][["key", "overdue", "planned"]]
        if late.empty:
            widgets.empty_state(
                _("No overdue activities in this period for these filters."),
                _("Nothing to chase: every planned activity due before the as-of date is done."),
            )
        else:
            with st.container(border=True):
                st.subheader(_("Overdue activities per rep"), anchor=False)
                shown = late.nlargest(figures.HEATMAP_REPS, "overdue")
                if len(late) > len(shown):
                    st.caption(
                        _("The {shown} reps with the most overdue activities of {total}.").format(
                            shown=len(shown), total=formatting.count(len(late))
                        )
                    )
                event = widgets.chart(
                    figures.overdue_bars(shown),
                    key="activities_overdue_chart",
                    name="overdue activities",
                    select=True,
                )
                widgets.how_computed(am.ACTIVITIES_OVERDUE, key="activities_overdue_how")
            with st.container(border=True):
                st.subheader(_("The overdue list"), anchor=False)
                rep = widgets.drill_pick(
                    _("Rep"),
                    list(late["key"]),
                    event,
                    key="activities_overdue",
                    from_point=lambda p: (p.get("customdata") or [None])[0],
                )
                narrow = {} if rep is None else {"owner": rep}
                chosen = late if rep is None else late[late["key"] == rep]
                total = int(chosen["overdue"].sum())
                rows = ctx.query(
                    activity_list, f, **narrow, state=figures.OVERDUE, limit=LIST_LIMIT
                )
                if rep is None:
                    st.caption(_("Every rep's overdue activities; click a bar or choose a rep."))
                show_activities(rows, total, "activities_overdue_list", "overdue activities")

with won_tab:
    if won_tab.open is not False:
        # Streamlit drops a widget's state while its tab is closed: the window is kept apart.
        st.session_state.setdefault(KEY_WINDOW, st.session_state.get(KEY_WINDOW_KEPT, 30))
        left, right, window_col = st.columns([2, 2, 1])
        with window_col:
            window = st.number_input(
                _("Follow-up window (days after the win)"),
                min_value=0,
                max_value=365,
                step=1,
                key=KEY_WINDOW,
                help=_("A won deal counts as followed up when a follow_up activity was "
                       "completed within this many days of its close date."),
            )  # fmt: skip
        st.session_state[KEY_WINDOW_KEPT] = window = int(window)
        per_won = ctx.query(am.activities_per_won_deal, f).iloc[0]
        follow = ctx.query(am.follow_up_coverage, f, window_days=window).iloc[0]
        with left:
            widgets.kpi(
                _("Activities per won deal"),
                formatting.number(per_won["per_deal"], 1),
                delta=plural(int(per_won["won_deals"]), "n={n} won deal", "n={n} won deals").format(
                    n=formatting.count(int(per_won["won_deals"]))
                ),
                delta_color="off",
                definition=am.ACTIVITIES_PER_WON_DEAL,
            )
        with right:
            n_won = formatting.count(int(follow["won_deals"]))
            sample = _("n={n}, small sample") if follow["small_sample"] else _("n={n}")
            widgets.kpi(
                _("Follow-up after a win"),
                formatting.percent(follow["rate"]),
                delta=sample.format(n=n_won) + " · " + formatting.days(window),
                delta_color="off",
                definition=am.FOLLOW_UP_COVERAGE,
            )
        won = ctx.query(won_deal_activities, f, window_days=window, limit=LIST_LIMIT)
        if won.empty:
            widgets.empty_state(
                _("No deals won in this period for these filters."),
                _("Try a longer period or fewer filters."),
            )
        else:
            # One count a part, so each part takes the singular or plural of its own count.
            n_activities = int(per_won["activities"])
            st.markdown(
                " · ".join([
                    plural(
                        int(follow["won_deals"]),
                        "**{covered}** of **{won}** won deal followed up",
                        "**{covered}** of **{won}** won deals followed up",
                    ).format(covered=formatting.count(int(follow["covered"])), won=n_won),
                    plural(n_activities, "**{n}** activity", "**{n}** activities").format(
                        n=formatting.count(n_activities)
                    ),
                    _("not followed up first."),
                ])
            )  # fmt: skip
            if int(per_won["won_deals"]) > len(won):
                st.caption(
                    _("The first {shown} of {total} won deals.").format(
                        shown=formatting.count(len(won)),
                        total=formatting.count(int(per_won["won_deals"])),
                    )
                )
            widgets.how_computed(
                am.ACTIVITIES_PER_WON_DEAL, am.FOLLOW_UP_COVERAGE, key="activities_won_how"
            )
            widgets.deal_links(
                figures.won_deal_table(won, currency),
                key="activities_won",
                name="won deals follow-up",
                id_column=_("Deal ID"),
            )

with first_tab:
    if first_tab.open is not False:
        deals = ctx.query(first_activity_deals, f, limit=LIST_LIMIT)
        if deals.empty:
            widgets.empty_state(
                _("No deals created in this period for these filters."),
                _("Try a longer period or fewer filters."),
            )
        else:
            n_deals = int(first["deals"])
            st.markdown(
                " · ".join([
                    _("Median **{median}**, mean {mean}, 75th percentile {p75}").format(
                        median=formatting.days(first["median_days"], 1),
                        mean=formatting.days(first["mean_days"], 1),
                        p75=formatting.days(first["p75_days"], 1),
                    ),
                    plural(
                        n_deals,
                        "**{without}** of {deals} new deal with no completed activity yet",
                        "**{without}** of {deals} new deals with no completed activity yet",
                    ).format(
                        without=formatting.count(n_deals - int(first["with_activity"])),
                        deals=formatting.count(n_deals),
                    ),
                    _("listed first, then the slowest."),
                ])
            )  # fmt: skip
            if int(first["negative"]):
                st.caption(
                    plural(
                        int(first["negative"]),
                        "{n} deal has an activity logged before it was created (a data problem): "
                        "its activities are left out.",
                        "{n} deals have an activity logged before they were created (a data "
                        "problem): those activities are left out.",
                    ).format(n=formatting.count(int(first["negative"])))
                )
            if int(first["deals"]) > len(deals):
                st.caption(
                    _("The first {shown} of {total} new deals.").format(
                        shown=formatting.count(len(deals)),
                        total=formatting.count(int(first["deals"])),
                    )
                )
            widgets.how_computed(am.TIME_TO_FIRST_ACTIVITY, key="activities_first_how")
            widgets.deal_links(
                figures.first_activity_table(deals),
                key="activities_first",
                name="first activity on new deals",
                id_column=_("Deal ID"),
            )
