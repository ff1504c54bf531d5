"""Figures and display tables of the Activities page (no Streamlit).

Inputs are the frames of analytics.activity_metrics (activity_volume, activity_heatmap) and
analytics.activity_lists. Every bar and cell carries what it stands for in customdata (the type
or rep, and the state; the rep and the week), so a selected point tells the page what to list.
Text from the data (types, reps, subjects) is HTML-escaped before Plotly draws it.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analytics.filters import NONE
from pages.shared import formatting, theme
from pages.shared.locale import _

COMPLETED, PLANNED, OVERDUE = "completed", "planned", "overdue"
STATE_LABELS = {COMPLETED: "Completed", PLANNED: "Planned", OVERDUE: "Overdue"}
STATE_COLOURS = {COMPLETED: theme.OPEN, PLANNED: theme.NEUTRAL, OVERDUE: theme.LOST}
HEATMAP_REPS = 25  # rows of the heatmap; the page says how many reps there are in all
CLICK_OPACITY = 0.01  # the heatmap's clickable cell markers: practically invisible

ACTIVITY_LABELS = {
    "activity_id": "Activity ID",
    "type": "Type",
    "owner": "Rep",
    "state": "State",
    "at": "Date",
    "days_overdue": "Days overdue",
    "subject": "Subject",
    "deal_id": "Deal ID",
    "deal_name": "Deal",
}
WON_DEAL_LABELS = {
    "deal_id": "Deal ID",
    "name": "Deal",
    "owner": "Owner",
    "closed_at": "Won on",
    "activities": "Activities",
    "followed_up": "Followed up",
    "first_follow_up_at": "First follow-up",
}
FIRST_ACTIVITY_LABELS = {
    "deal_id": "Deal ID",
    "name": "Deal",
    "owner": "Owner",
    "created_at": "Created",
    "first_activity_at": "First activity",
    "days": "Days to first activity",
    "negative": "Activity logged before creation",
}


def text_label(value: str | None) -> str:
    """Return a value from the data for a Plotly label: escaped, "(none)" for an empty one."""
    return html.escape(_("(none)") if value is None or value == NONE else str(value))


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """Return a figure holding only a message, for a section with nothing to draw."""
    fig = theme.base_figure(height=height)
    fig.add_annotation(
        text=html.escape(message), showarrow=False, font=dict(size=16, color=theme.NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def volume_bars(frame: pd.DataFrame, axis_title: str, *, types: bool = False) -> go.Figure:
    """Return horizontal stacked bars per key: completed, planned (not yet due) and overdue.

    frame is activity_volume(by=...) with a key column; keys with the most activities on top.
    customdata of a segment is [key, state] (state 'planned' means planned and not overdue).
    """
    if frame.empty or not frame["total"].any():
        return empty_figure(_("No activities in this view."))
    frame = frame.sort_values(["total", "key"], ascending=[True, False])
    labels = [text_label(formatting.activity_type(k) if types else k) for k in frame["key"]]
    fig = theme.base_figure(height=max(300, 38 * len(frame) + 110))
    parts = {
        COMPLETED: frame["completed"],
        PLANNED: frame["planned"] - frame["overdue"],
        OVERDUE: frame["overdue"],
    }
    for state, values in parts.items():
        name = _(STATE_LABELS[state])
        hovers = [
            f"{html.escape(axis_title)}: <b>{label}</b><br>"
            + _("{state}: {n}").format(state=name, n=formatting.count(v))
            + "<br>"
            + _("All activities: {n}").format(n=formatting.count(total))
            for label, v, total in zip(labels, values, frame["total"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=list(values),
                name=name,
                orientation="h",
                marker_color=STATE_COLOURS[state],
                customdata=[[k, state] for k in frame["key"]],
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    fig.update_layout(
        barmode="stack", legend=dict(traceorder="normal"), margin=dict(l=10, r=10, t=40, b=10)
    )
    # The names say what the rows are; a rotated axis title would run into them (Japanese
    # especially), so axis_title goes in the hover instead.
    fig.update_xaxes(title_text=_("Activities"))
    return fig


def overdue_bars(frame: pd.DataFrame) -> go.Figure:
    """Return a horizontal bar per rep: overdue activities, most on top (customdata [rep]).

    frame holds key (the rep), overdue and planned of activity_volume(by='owner').
    """
    if frame.empty or not frame["overdue"].any():
        return empty_figure(_("No overdue activities in this view."))
    frame = frame.sort_values(["overdue", "key"], ascending=[True, False])
    labels = [text_label(k) for k in frame["key"]]
    hovers = [
        f"<b>{label}</b><br>"
        + _("Overdue: {n} of {planned} planned").format(
            n=formatting.count(n), planned=formatting.count(p)
        )
        for label, n, p in zip(labels, frame["overdue"], frame["planned"], strict=True)
    ]
    fig = theme.base_figure(height=max(300, 34 * len(frame) + 100))
    fig.add_trace(
        go.Bar(
            y=labels,
            x=list(frame["overdue"]),
            orientation="h",
            marker_color=theme.LOST,
            text=[formatting.count(n) for n in frame["overdue"]],
            textposition="outside",
            customdata=[[k] for k in frame["key"]],
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    fig.update_xaxes(title_text=_("Overdue activities"))
    return fig


def weekly_bars(frame: pd.DataFrame) -> go.Figure:
    """Return stacked bars per week (activity_volume by='week'): completed, planned, overdue.

    customdata of a segment is [week (YYYY-MM-DD), state].
    """
    if frame.empty or not frame["total"].any():
        return empty_figure(_("No activities in this view."))
    weeks = [date.fromisoformat(k) for k in frame["key"]]
    fig = theme.base_figure(height=380)
    parts = {
        COMPLETED: frame["completed"],
        PLANNED: frame["planned"] - frame["overdue"],
        OVERDUE: frame["overdue"],
    }
    for state, values in parts.items():
        name = _(STATE_LABELS[state])
        hovers = [
            "<b>"
            + _("Week of {day}").format(day=formatting.day(w))
            + "</b><br>"
            + _("{state}: {n}").format(state=name, n=formatting.count(v))
            for w, v in zip(weeks, values, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=weeks,
                y=list(values),
                name=name,
                marker_color=STATE_COLOURS[state],
                customdata=[[k, state] for k in frame["key"]],
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=_("Week (starting Monday)"), tickformat="%Y-%m-%d")
    fig.update_yaxes(title_text=_("Activities"))
    return fig


def top_reps(frame: pd.DataFrame, limit: int = HEATMAP_REPS) -> list[str]:
    """Return the reps of a heatmap frame with the most completed activities, most first."""
    totals = frame.groupby("owner")["completed"].sum().reset_index()
    totals = totals.sort_values(["completed", "owner"], ascending=[False, True])
    return list(totals["owner"][:limit])


def heatmap(frame: pd.DataFrame, reps: list[str]) -> go.Figure:
    """Return completed activities per rep (rows, most active on top) and week (columns).

    frame is activity_heatmap(); weeks without activity show 0. customdata of a cell is
    [rep, week (YYYY-MM-DD)].
    """
    if frame.empty or not reps:
        return empty_figure(_("No completed activities in this view."))
    shown = frame[frame["owner"].isin(reps)]
    weeks = pd.date_range(frame["week"].min(), frame["week"].max(), freq="7D")
    grid = (
        shown.pivot_table(index="owner", columns="week", values="completed", aggfunc="sum")
        .reindex(index=reps[::-1], columns=weeks)
        .fillna(0)
        .astype(int)
    )
    week_keys = [w.date().isoformat() for w in weeks]
    labels = [text_label(r) for r in grid.index]
    customdata = [[[rep, key] for key in week_keys] for rep in grid.index]
    hovers = [
        [
            f"<b>{label}</b><br>"
            + _("Week of {day}").format(day=formatting.day(w.date()))
            + "<br>"
            + _("Completed: {n}").format(n=formatting.count(v))
            for w, v in zip(weeks, row, strict=True)
        ]
        for label, row in zip(labels, grid.to_numpy().tolist(), strict=True)
    ]
    fig = theme.base_figure(height=max(320, 30 * len(reps) + 140))
    fig.add_trace(
        go.Heatmap(
            z=grid.to_numpy(),
            # Week labels as text: a date axis would tick on Plotly's own days, not on Mondays.
            x=[formatting.day(w.date()) for w in weeks],
            y=labels,
            colorscale=[list(stop) for stop in theme.SEQUENTIAL],
            xgap=2,
            ygap=2,
            colorbar=dict(title=dict(text=_("Completed"))),
            hoverinfo="skip",
        )
    )
    # Streamlit's selection events come from points, not from heatmap cells: an invisible
    # square on every cell with activities makes a click on it a selection of that cell.
    cells = [
        (label, formatting.day(w.date()), cell, hover)
        for label, values, cells_row, hovers_row in zip(
            labels, grid.to_numpy().tolist(), customdata, hovers, strict=True
        )
        for w, v, cell, hover in zip(weeks, values, cells_row, hovers_row, strict=True)
        if v
    ]
    fig.add_trace(
        go.Scatter(
            x=[c[1] for c in cells],
            y=[c[0] for c in cells],
            mode="markers",
            # Not quite 0: Plotly ignores the pointer over fully transparent markers.
            marker=dict(symbol="square", size=28, opacity=CLICK_OPACITY),
            selected=dict(marker=dict(opacity=CLICK_OPACITY)),
            unselected=dict(marker=dict(opacity=CLICK_OPACITY)),
            customdata=[c[2] for c in cells],
            hovertext=[c[3] for c in cells],
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(title_text=_("Week (starting Monday)"), type="category")
    return fig


def volume_table(frame: pd.DataFrame, key_label: str, *, types: bool = False) -> pd.DataFrame:
    """Return activity_volume(by=...) rows as the chart splits them: completed, planned (not
    overdue), overdue and all, the key column named key_label."""
    keys = [formatting.activity_type(k) for k in frame["key"]] if types else list(frame["key"])
    return pd.DataFrame(
        {
            key_label: keys,
            _("Completed"): frame["completed"],
            _("Planned"): frame["planned"] - frame["overdue"],
            _("Overdue"): frame["overdue"],
            _("All activities"): frame["total"],
        }
    )


def activity_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return activity_list rows with their columns named for people, states translated (days
    overdue only when some row is overdue)."""
    if frame["days_overdue"].isna().all():
        frame = frame.drop(columns="days_overdue")
    out = frame.assign(
        state=[_(STATE_LABELS[s]) for s in frame["state"]],
        type=[formatting.activity_type(t) if isinstance(t, str) else t for t in frame["type"]],
    )
    return out.rename(columns={c: _(label) for c, label in ACTIVITY_LABELS.items()})


def won_deal_table(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return won_deal_activities rows for people: named columns, amounts to the currency's minor
    unit, dates by day, Yes/No for follow-up."""
    names = {c: _(label) for c, label in WON_DEAL_LABELS.items()}
    names["amount"] = formatting.amount_header(currency)
    out = frame.assign(
        amount=formatting.amounts(frame["amount"], currency),
        closed_at=_days(frame["closed_at"]),
        followed_up=[_("Yes") if f else _("No") for f in frame["followed_up"]],
        first_follow_up_at=_days(frame["first_follow_up_at"]),
    )
    return out.rename(columns=names)


def _days(values: pd.Series) -> list:
    """Return timestamps as dates (None for missing ones): a table column people read by day."""
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]


def first_activity_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return first_activity_deals rows for people: named columns, dates by day, days to one
    decimal."""
    out = frame.assign(
        created_at=_days(frame["created_at"]),
        first_activity_at=_days(frame["first_activity_at"]),
        days=frame["days"].round(1),
        negative=[_("Yes") if n else "" for n in frame["negative"]],
    )
    return out.rename(columns={c: _(label) for c, label in FIRST_ACTIVITY_LABELS.items()})
