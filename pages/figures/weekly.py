"""Figures of the Weekly meeting page: the week's movements, the pipeline waterfall and the
slippage scorecard per rep (no Streamlit).

Each trace carries the key of what a bar stands for in customdata[0] (a movement kind, a
waterfall step, an owner), so a selected point tells the page what to drill into.
"""

from __future__ import annotations

import html
import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analytics import meeting
from pages.shared import formatting, theme
from pages.shared.locale import _

KIND_LABELS = {
    "new": "New",
    "advanced": "Advanced",
    "moved_back": "Moved back",
    "won": "Won",
    "lost": "Lost",
}
KIND_COLOURS = {
    "new": theme.OPEN,
    "advanced": theme.PALETTE[4],
    "moved_back": theme.HIGHLIGHT,
    "won": theme.WON,
    "lost": theme.LOST,
}
STEP_LABELS = {
    "open_at_a": "Open on {day}",
    "created": "New deals",
    "won": "Won",
    "lost": "Lost",
    "amount_changes": "Amount changes",
    "reopened_or_other": "Reopened / other",
    "open_at_b": "Open on {day}",
}
SHORT_STEP_LABELS = {
    **STEP_LABELS,
    "open_at_a": "Open on<br>{day}",
    "amount_changes": "Amount<br>changes",
    "reopened_or_other": "Reopened<br>/ other",
    "open_at_b": "Open on<br>{day}",
}


def kind_label(kind: str) -> str:
    """Return the name people read for a movement kind ("Moved back")."""
    return _(KIND_LABELS.get(kind, kind))


def step_label(step: str, a: date, b: date, *, short: bool = False) -> str:
    """Return the name people read for a waterfall step; the open pipelines carry their date.

    short breaks the label into lines for a chart's axis.
    """
    day = formatting.day(a if step == "open_at_a" else b)
    if short:
        return _(SHORT_STEP_LABELS.get(step, step)).format(day=day)
    return _(STEP_LABELS.get(step, step)).format(day=day)


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """Return a figure holding only a message, for a section with nothing to draw."""
    fig = theme.base_figure(height=height)
    fig.add_annotation(
        text=html.escape(message), showarrow=False, font=dict(size=16, color=theme.NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def movements_chart(frame: pd.DataFrame, currency: str | None) -> go.Figure:
    """Return a bar per movement kind: deals on the bar, their amount in the label and hover.

    frame holds analytics.weekly.movements(): kind, deals, amount, unconverted.
    """
    if frame.empty:
        return empty_figure(_("No movements in this window."))
    kinds = list(frame["kind"])
    amounts = [formatting.money(x, currency) for x in frame["amount"]]
    compact = [formatting.money(x, currency, compact=True) for x in frame["amount"]]
    fig = theme.base_figure(height=380)
    fig.add_trace(
        go.Bar(
            x=[kind_label(k) for k in kinds],
            y=list(frame["deals"]),
            marker_color=[KIND_COLOURS.get(k, theme.NEUTRAL) for k in kinds],
            text=[
                f"{formatting.count(n)} · {c}" for n, c in zip(frame["deals"], compact, strict=True)
            ],
            textposition="outside",
            constraintext="none",
            cliponaxis=False,
            customdata=[
                [k, a, formatting.count(u)]
                for k, a, u in zip(kinds, amounts, frame["unconverted"], strict=True)
            ],
            hovertemplate=(
                "<b>%{x}</b><br>"
                + _("Deals")
                + ": %{y:,}<br>"
                + _("Amount")
                + ": %{customdata[1]}<br>"
                + _("Without exchange rate")
                + ": %{customdata[2]}<extra></extra>"
            ),
            name=_("Deals"),
        )
    )
    top = max(frame["deals"].max(), 1)
    fig.update_layout(
        showlegend=False,
        xaxis_title=None,
        yaxis=dict(title=_("Deals"), range=[0, top * 1.2]),
        margin=dict(t=30),
    )
    return fig


def waterfall_chart(frame: pd.DataFrame, currency: str | None, a: date, b: date) -> go.Figure:
    """Return the open-pipeline waterfall from the end of day a to the end of day b.

    frame holds analytics.weekly.waterfall(): step, amount, deals, unconverted, the steps in
    order. The first bar is absolute, the last a total that Plotly adds up from the others
    (equal to the open pipeline at b, since waterfall() makes the steps add up to the cent).
    """
    if frame.empty:
        return empty_figure(_("No pipeline to show in this window."))
    steps = list(frame["step"])
    measures = [
        "absolute" if s == "open_at_a" else "total" if s == "open_at_b" else "relative"
        for s in steps
    ]
    fig = theme.base_figure(height=420)
    fig.add_trace(
        go.Waterfall(
            # line breaks keep the labels level in a half-width chart
            x=[step_label(s, a, b, short=True) for s in steps],
            y=[
                0.0 if m == "total" else float(v)
                for m, v in zip(measures, frame["amount"], strict=True)
            ],
            measure=measures,
            text=[formatting.money(v, currency, compact=True) for v in frame["amount"]],
            textposition="outside",
            constraintext="none",
            cliponaxis=False,
            customdata=[
                [s, formatting.money(v, currency), formatting.count(n)]
                for s, v, n in zip(steps, frame["amount"], frame["deals"], strict=True)
            ],
            hovertemplate=(
                "<b>%{x}</b><br>"
                + _("Amount")
                + ": %{customdata[1]}<br>"
                + _("Deals")
                + ": %{customdata[2]}<extra></extra>"
            ),
            increasing=dict(marker_color=theme.WON),
            decreasing=dict(marker_color=theme.LOST),
            totals=dict(marker_color=theme.OPEN),
            connector=dict(line=dict(color=theme.NEUTRAL, width=1, dash="dot")),
            name=_("Open pipeline"),
        )
    )
    levels = frame["amount"].iloc[:-1].cumsum()
    low, high = min(0.0, float(levels.min())), float(levels.max())
    if float(levels.min()) > 0:
        # start the axis near the lowest level, so that the week's changes are visible next
        # to pipelines many times their size
        low = max(0.0, float(levels.min()) - max((high - float(levels.min())) * 1.5, high * 0.1))
    top = high + (high - low) * 0.12 if high > low else high + 1.0
    ticks = amount_ticks(low, top)
    fig.update_layout(
        showlegend=False,
        xaxis=dict(tickangle=0),
        yaxis=dict(
            title=_("Open pipeline ({currency})").format(currency=currency or "—"),
            range=[low, top],
            # amounts in the language's own short form ("$12M", "$1200万")
            tickvals=ticks,
            ticktext=[formatting.money(v, currency, compact=True) for v in ticks],
        ),
        margin=dict(t=30),
    )
    return fig


def amount_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Return about count round values (1, 2, 2.5 or 5 × a power of ten apart) in [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def scorecard_chart(frame: pd.DataFrame, top: int = 25) -> go.Figure:
    """Return the share of due deals that slipped, a bar per rep with its 95% interval and n.

    frame holds analytics.meeting.scorecard_by_owner() (most slipped first); the first top reps
    are drawn. Reps with nothing due show an empty bar labelled n=0; small samples are grey and
    hatched.
    """
    if frame.empty:
        return empty_figure(_("No deals were due or pushed in this window."))
    frame = frame.head(top)
    shares = [None if pd.isna(s) else float(s) for s in frame["slip_share"]]
    low = [None if pd.isna(x) else float(x) for x in frame["ci_low"]]
    high = [None if pd.isna(x) else float(x) for x in frame["ci_high"]]
    labels = [
        share_text(s, n, small)
        for s, n, small in zip(shares, frame["due_in_window"], frame["small_sample"], strict=True)
    ]
    owners = [html.escape(str(o)) for o in frame["owner"]]
    fig = theme.base_figure(height=max(300, 60 + 42 * len(frame)))
    fig.add_trace(
        go.Bar(
            y=owners,
            x=[s or 0.0 for s in shares],
            orientation="h",
            marker=dict(
                color=[theme.NEUTRAL if s else theme.LOST for s in frame["small_sample"]],
                pattern=dict(shape=["/" if s else "" for s in frame["small_sample"]]),
            ),
            error_x=dict(
                type="data",
                symmetric=False,
                array=[
                    (h - s) if s is not None and h is not None else 0
                    for s, h in zip(shares, high, strict=True)
                ],
                arrayminus=[
                    (s - lo) if s is not None and lo is not None else 0
                    for s, lo in zip(shares, low, strict=True)
                ],
                color="#455A64",
            ),
            text=labels,
            textposition="none",
            customdata=[
                [o, formatting.count(p), formatting.days(d), formatting.count(s)]
                for o, p, d, s in zip(
                    frame["owner"],
                    frame["pushes"],
                    frame["days_pushed"],
                    frame["slipped"],
                    strict=True,
                )
            ],
            hovertemplate=(
                "<b>%{y}</b><br>"
                + _("Slipped")
                + ": %{customdata[3]} · %{text}<br>"
                + _("Close-date pushes")
                + ": %{customdata[1]} (%{customdata[2]})<extra></extra>"
            ),
            name=_("Slipped share"),
        )
    )
    # the labels in a column of their own, right of the bars and their intervals
    fig.add_trace(
        go.Scatter(
            x=[1.03] * len(owners),
            y=owners,
            mode="text",
            text=labels,
            textposition="middle right",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.update_layout(
        showlegend=False,
        xaxis=dict(
            title=_("Share of due deals that slipped"),
            tickformat=".0%",
            range=[0, 1.6],
            tickvals=[0, 0.25, 0.5, 0.75, 1],
        ),
        yaxis=dict(autorange="reversed", title=None),
        margin=dict(t=30),
    )
    return fig


# Tables: the analytics frames with the columns people read, numbers and dates formatted in
# the interface language. Text from the data stays as it is: st.dataframe shows it literally
# and the meeting pack escapes it.

SLIP_REASONS = {"pushed": "Pushed out", "overdue": "Overdue"}
ACTIONS = {
    "pushed": "Confirm the new close date and what it depends on",
    "overdue": "Update the close date or close the deal",
    "stalled": "Agree the next step and its date",
    "closed": "Closed since: check why the date slipped",
}
CLOSED_STAGES = meeting.OUTCOME_STAGES


def _text(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v) for v in values]


def _days(values: pd.Series) -> list[str]:
    return [formatting.MISSING if pd.isna(v) else formatting.count(int(v)) for v in values]


def _dates(values: pd.Series) -> list[str]:
    return [formatting.MISSING if pd.isna(v) else formatting.day(pd.Timestamp(v)) for v in values]


def movements_table(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return weekly.movements() for people: movement, deals, amount, deals without a rate."""
    return pd.DataFrame(
        {
            _("Movement"): [kind_label(k) for k in frame["kind"]],
            _("Deals"): [formatting.count(n) for n in frame["deals"]],
            _("Amount"): [formatting.money(x, currency) for x in frame["amount"]],
            _("Without exchange rate"): [formatting.count(n) for n in frame["unconverted"]],
        }
    )


def waterfall_table(frame: pd.DataFrame, currency: str | None, a: date, b: date) -> pd.DataFrame:
    """Return weekly.waterfall() for people: step, amount, deals."""
    return pd.DataFrame(
        {
            _("Step"): [step_label(s, a, b) for s in frame["step"]],
            _("Amount"): [formatting.money(x, currency) for x in frame["amount"]],
            _("Deals"): [formatting.count(n) for n in frame["deals"]],
        }
    )


def slipped_table(frame: pd.DataFrame, currency: str | None, *, owner: bool) -> pd.DataFrame:
    """Return weekly.slipped_deals() as an action list (with the owner column when owner)."""
    columns = {
        _("Deal"): _text(frame["name"]),
        _("Owner"): _text(frame["owner"]),
        _("Stage"): _text(frame["stage"]),
        _("Amount"): [formatting.money(x, currency) for x in frame["amount"]],
        _("Why"): [_(SLIP_REASONS.get(r, r)) for r in frame["reason"]],
        _("What to do"): [
            _(ACTIONS["closed"]) if stage in CLOSED_STAGES else _(ACTIONS.get(r, ""))
            for r, stage in zip(frame["reason"], frame["stage"], strict=True)
        ],
        _("Close date was"): _dates(frame["old_close"]),
        _("Close date now"): _dates(frame["new_close"]),
        _("Days pushed"): _days(frame["days_pushed"]),
    }
    if not owner:
        del columns[_("Owner")]
    return pd.DataFrame(columns)


def stalled_table(frame: pd.DataFrame, currency: str | None, *, owner: bool) -> pd.DataFrame:
    """Return weekly.stalled_deals() as an action list (with the owner column when owner)."""
    columns = {
        _("Deal"): _text(frame["name"]),
        _("Owner"): _text(frame["owner"]),
        _("Stage"): _text(frame["stage"]),
        _("Amount"): [formatting.money(x, currency) for x in frame["amount"]],
        _("Days idle"): _days(frame["days_idle"]),
        _("Limit (days)"): _days(frame["threshold_days"].round()),
        _("What to do"): [_(ACTIONS["stalled"])] * len(frame),
        _("Last stage change"): _dates(frame["last_stage_change_at"]),
        _("Last activity"): _dates(frame["last_activity_at"]),
    }
    if not owner:
        del columns[_("Owner")]
    return pd.DataFrame(columns)


def actions_table(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return analytics.meeting.actions_by_owner() for people: a row per rep."""
    return pd.DataFrame(
        {
            _("Rep"): _text(frame["owner"]),
            _("Slipped deals"): [formatting.count(n) for n in frame["slipped"]],
            _("Slipped amount"): [formatting.money(x, currency) for x in frame["slipped_amount"]],
            _("Stalled deals"): [formatting.count(n) for n in frame["stalled"]],
            _("Stalled amount"): [formatting.money(x, currency) for x in frame["stalled_amount"]],
        }
    )


def share_text(share: float | None, n: int, small: bool) -> str:
    """Return a share with its n, marked when the sample is small ("50% (n=2, small sample)")."""
    if small:
        return _("{share} (n={n}, small sample)").format(
            share=formatting.percent(share), n=formatting.count(n)
        )
    return _("{share} (n={n})").format(share=formatting.percent(share), n=formatting.count(n))


def scorecard_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return analytics.meeting.scorecard_by_owner() for people: a row per rep."""
    return pd.DataFrame(
        {
            _("Rep"): _text(frame["owner"]),
            _("Due in window"): [formatting.count(n) for n in frame["due_in_window"]],
            _("Slipped"): [formatting.count(n) for n in frame["slipped"]],
            _("Slipped share"): [
                share_text(None if pd.isna(s) else s, n, small)
                for s, n, small in zip(
                    frame["slip_share"], frame["due_in_window"], frame["small_sample"], strict=True
                )
            ],
            _("95% interval"): [
                formatting.MISSING
                if pd.isna(lo)
                else f"{formatting.percent(lo)} – {formatting.percent(hi)}"
                for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
            ],
            _("Close-date pushes"): [formatting.count(n) for n in frame["pushes"]],
            _("Days pushed"): [formatting.count(n) for n in frame["days_pushed"]],
        }
    )


def deals_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the deals behind a bar (movement_deals, waterfall_deals) with people's headers.

    Numbers stay numbers (amounts to the cent) so that the CSV download can be summed.
    """
    return pd.DataFrame(
        {
            "deal_id": frame["deal_id"],
            _("Deal"): frame["name"],
            _("Owner"): frame["owner"],
            _("Stage"): frame["stage"],
            _("Amount"): frame["amount"].astype("float64").round(2),
            _("When"): frame["at"],
        }
    )
