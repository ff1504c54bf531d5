"""Figures and display tables of the Deals page (no Streamlit).

The timeline draws one deal's stage visits (analytics.durations.deal_visits) as horizontal bars
on a time axis, one row per stage in pipeline order, and its activities
(analytics.deal_list.deal_activities) as points on rows of their own, one per type. Text from the
data (stage names, types, subjects) is HTML-escaped before Plotly draws it.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta

import pandas as pd
import plotly.graph_objects as go

from pages.shared import formatting, theme
from pages.shared.locale import _

MS_PER_DAY = 86_400_000
STATUS_LABELS = {"open": "Open", "won": "Won", "lost": "Lost"}
STATE_LABELS = {"completed": "Completed", "planned": "Planned", "overdue": "Overdue"}
STATE_MARKERS = {
    "completed": dict(symbol="circle", color=theme.OPEN),
    "planned": dict(symbol="circle-open", color=theme.NEUTRAL, line=dict(width=2)),
    "overdue": dict(symbol="x", color=theme.LOST),
}
SCOPE_LABELS = {
    "active": "Open during the period",
    "created": "Created in the period",
    "closed": "Closed in the period",
    "all": "All deals (ignore the period)",
}
SORT_LABELS = {
    "amount": "Amount",
    "name": "Name",
    "stage": "Stage",
    "owner": "Owner",
    "created_at": "Created",
    "expected_close_date": "Expected close",
    "closed_at": "Closed",
    "days_in_stage": "Days in current stage",
    "last_activity_at": "Last activity",
}
LIST_LABELS = {
    "deal_id": "Deal ID",
    "name": "Deal",
    "pipeline": "Pipeline",
    "stage": "Stage",
    "status": "Status",
    "owner": "Owner",
    "team": "Team",
    "source": "Source",
    "created_at": "Created",
    "expected_close_date": "Expected close",
    "closed_at": "Closed",
    "days_in_stage": "Days in current stage",
    "last_activity_at": "Last activity",
}
ACTIVITY_LABELS = {
    "type": "Type",
    "state": "State",
    "at": "Date",
    "owner": "Rep",
    "subject": "Subject",
    "outcome": "Outcome",
}


def status_name(status: str | None) -> str:
    """Return a deal status as people read it ("Open", "Won", "Lost"), translated."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else (status or formatting.MISSING)


def stage_name(stage: str | None) -> str:
    """Return a stage as people read it: Won and Lost translated, others as they are."""
    return _(stage) if stage in ("Won", "Lost") else (stage or formatting.MISSING)


def list_table(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return deal_list rows for people: named columns, statuses and outcomes translated,
    amounts rounded to the currency's minor unit (a converted amount has many decimals)."""
    out = frame.assign(
        status=[status_name(s) for s in frame["status"]],
        stage=[stage_name(s) for s in frame["stage"]],
        amount=formatting.amounts(frame["amount"], currency),
    )
    names = {c: _(label) for c, label in LIST_LABELS.items()}
    names["amount"] = formatting.amount_header(currency)
    return out.rename(columns=names)


RECORD_LABELS = {
    "deal_id": "Deal ID",
    "name": "Deal",
    "pipeline": "Pipeline",
    "stage": "Stage",
    "status": "Status",
    "owner": "Owner",
    "team": "Team",
    "source": "Source",
    "organization": "Organization",
    "industry": "Industry",
    "region": "Region",
    "product": "Product",
    "segment": "Segment",
    "created_at": "Created",
    "expected_close_date": "Expected close",
    "closed_at": "Closed",
    "lost_reason": "Lost reason",
    "first_activity_at": "First activity",
    "last_activity_at": "Last activity",
}
_RECORD_DATES = ("created_at", "expected_close_date", "closed_at", "first_activity_at",
                 "last_activity_at")  # fmt: skip


def record_table(record: pd.Series, currency: str | None) -> pd.DataFrame:
    """Return one deal's fields as Field / Value rows of text (dates and amounts formatted).

    record is a row of deal_record(); fields without a value show a dash.
    """
    rows = []
    for column, label in RECORD_LABELS.items():
        value = record[column]
        if column in _RECORD_DATES:
            text = formatting.day(day_of(value))
        elif column == "status":
            text = status_name(value)
        elif column == "stage":
            text = stage_name(value)
        elif value is None or (not isinstance(value, str) and pd.isna(value)):
            text = formatting.MISSING
        else:
            text = str(value)
        rows.append((_(label), text))
        if column == "status":
            rows.append(
                (
                    formatting.amount_header(currency),
                    formatting.money(record["amount_rep"], currency),
                )
            )
            rows.append(
                (_("Amount in the deal's currency"),
                 formatting.money(record["amount"], text_of(record["currency"])))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=[_("Field"), _("Value")])


def activity_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return deal_activities rows for people: named columns, states translated."""
    out = frame[list(ACTIVITY_LABELS)].assign(
        state=[_(STATE_LABELS[s]) for s in frame["state"]],
        type=[formatting.activity_type(t) if isinstance(t, str) else t for t in frame["type"]],
    )
    return out.rename(columns={c: _(label) for c, label in ACTIVITY_LABELS.items()})


def changes_table(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return deal_field_changes rows as When / What / From / To, amounts and dates formatted."""
    rows = []
    for row in frame.itertuples(index=False):
        if row.field == "amount":
            what = _("Amount")
            old, new = (
                formatting.money(row.old_amount, currency),
                formatting.money(row.new_amount, currency),
            )
        else:
            what = _("Expected close")
            old, new = formatting.day(day_of(row.old_close)), formatting.day(day_of(row.new_close))
        rows.append((row.changed_at, what, old, new))
    return pd.DataFrame(rows, columns=[_("When"), _("What"), _("From"), _("To")])


def day_of(value: object) -> date | None:
    """Return the date of a timestamp or date from a frame (None for None, NaN or NaT)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def text_of(value: object) -> str | None:
    """Return a text cell from a frame, None when it is empty (None or NaN)."""
    return value if isinstance(value, str) else None


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """Return a figure holding only a message, for a section with nothing to draw."""
    fig = theme.base_figure(height=height)
    fig.add_annotation(
        text=html.escape(message), showarrow=False, font=dict(size=16, color=theme.NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def timeline(
    visits: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    as_of: date,
    closed_at: datetime | None = None,
    status: str = "open",
) -> go.Figure:
    """Return one deal's timeline: stage visits as bars, activities as points, as-of as a line.

    visits is deal_visits() (pipeline order by position, stages outside the pipeline last);
    activities is deal_activities(), drawn at their date (undated planned ones are left out).
    A won or lost deal's close is a diamond on an outcome row. customdata of a bar is [stage],
    of a point [activity_id].
    """
    dated = activities[activities["at"].notna()]
    if visits.empty and dated.empty:
        return empty_figure(_("This deal has no stage history and no dated activity."))
    order = (
        visits.assign(pos=visits["position"].fillna(10_000))
        .sort_values(["pos", "entered_at"])["stage"]
        .drop_duplicates()
        .tolist()
    )
    rows = [html.escape(s) for s in order]
    fig = theme.base_figure(height=max(320, 44 * (len(order) + 4) + 120))
    if not visits.empty:
        hovers = []
        for v in visits.itertuples(index=False):
            end = _("still there at the as-of date") if v.is_open else formatting.day(v.left_at)
            hovers.append(
                f"<b>{html.escape(v.stage)}</b><br>"
                + _("From {start} to {end}").format(start=formatting.day(v.entered_at), end=end)
                + "<br>"
                + _("{days} in the stage").format(days=formatting.days(v.days, 1))
            )
        fig.add_trace(
            go.Bar(
                base=list(visits["entered_at"]),
                x=[d * MS_PER_DAY for d in visits["days"]],
                y=[html.escape(s) for s in visits["stage"]],
                orientation="h",
                name=_("Stage visits"),
                marker=dict(
                    color=[theme.HIGHLIGHT if o else theme.OPEN for o in visits["is_open"]],
                    line=dict(color="white", width=1),
                ),
                customdata=[[s] for s in visits["stage"]],
                hovertext=hovers,
                hoverinfo="text",
                width=0.6,
            )
        )
    for state, marker in STATE_MARKERS.items():
        part = dated[dated["state"] == state]
        if part.empty:
            continue
        kinds = [
            _("Activity: {type}").format(type=html.escape(formatting.activity_type(t)))
            for t in part["type"]
        ]
        rows += [k for k in dict.fromkeys(kinds) if k not in rows]
        hovers = [
            f"<b>{html.escape(formatting.activity_type(a.type))}</b> · {_(STATE_LABELS[state])}<br>"
            + formatting.day(a.at)
            + (f"<br>{html.escape(str(a.subject))}" if isinstance(a.subject, str) else "")
            + (f"<br>{html.escape(str(a.owner))}" if isinstance(a.owner, str) else "")
            for a in part.itertuples(index=False)
        ]
        fig.add_trace(
            go.Scatter(
                x=list(part["at"]),
                y=kinds,
                mode="markers",
                name=_(STATE_LABELS[state]),
                marker=dict(size=13, **marker),
                customdata=[[i] for i in part["activity_id"]],
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    if status in ("won", "lost") and closed_at is not None and not pd.isna(closed_at):
        label = status_name(status)
        rows.append(label)
        fig.add_trace(
            go.Scatter(
                x=[closed_at],
                y=[label],
                mode="markers",
                name=label,
                marker=dict(
                    size=16, symbol="diamond", color=theme.WON if status == "won" else theme.LOST
                ),
                hovertext=[f"<b>{label}</b><br>{formatting.day(closed_at)}"],
                hoverinfo="text",
            )
        )
    closed = status in ("won", "lost") and closed_at is not None and not pd.isna(closed_at)
    if not closed:
        # An open deal's bars run to the end of the as-of date: the line shows where that is.
        end = datetime.combine(as_of + timedelta(days=1), time())
        fig.add_vline(x=end, line=dict(color=theme.TARGET, dash="dot", width=2))
        fig.add_annotation(
            x=end, y=1, yref="paper", text=_("As of"), showarrow=False, yanchor="top",
            xanchor="left", xshift=4, font=dict(color=theme.TARGET, size=13),
        )  # fmt: skip
    fig.update_yaxes(categoryorder="array", categoryarray=rows[::-1], title_text=None)
    fig.update_xaxes(type="date", title_text=_("Date"))
    fig.update_layout(barmode="overlay", margin=dict(l=10, r=10, t=60, b=10))
    return fig


def _kind(kind: object) -> str:
    return kind.replace("_", " ") if isinstance(kind, str) else _("(none)")
