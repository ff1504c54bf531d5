"""Figures and tile texts of the Overview page: won against target, and changes (no Streamlit).

Deltas are written for st.metric: the sign leads the text, so the arrow follows it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from pages.figures.goals import empty_figure, pace_line
from pages.shared import formatting, theme
from pages.shared.locale import _

WON_DEAL_LABELS = {
    "deal_id": "Deal ID",
    "name": "Deal",
    "owner": "Owner",
    "team": "Team",
    "amount": "Amount",
    "closed_at": "Won on",
}


def same_point(start: date, end: date, as_of: date, before_start: date, before_end: date) -> date:
    """Return the day of the previous period as far into it as as_of is into this one.

    Figures to date ("won so far") compare with the previous period at the same point, not
    with the whole of it; a period already over compares with the whole previous one.
    """
    elapsed = min(as_of, end) - start
    return max(before_start, min(before_end, before_start + elapsed))


def _signed(text: str, diff: float) -> str:
    return text if diff < 0 else f"+{text}"


def delta_money(now: float | None, before: float | None, currency: str | None) -> str | None:
    """Return the change of an amount ("+$1,200", "-$300"), None when either is unknown."""
    if now is None or before is None:
        return None
    return _signed(formatting.money(now - before, currency, compact=True), now - before)


def delta_points(now: float | None, before: float | None) -> str | None:
    """Return the change of a rate in percentage points ("+4.2 pts"), None when unknown."""
    if now is None or before is None:
        return None
    diff = (now - before) * 100
    return _signed(_("{n} pts").format(n=formatting.number(diff, 1)), diff)


def delta_days(now: float | None, before: float | None) -> str | None:
    """Return the change of a duration in days ("+3 days"), None when unknown."""
    if now is None or before is None:
        return None
    return _signed(formatting.days(now - before), now - before)


def delta_times(now: float | None, before: float | None) -> str | None:
    """Return the change of a ratio ("+0.4×"), None when either is unknown."""
    if now is None or before is None:
        return None
    return _signed(f"{formatting.number(now - before, 1)}×", now - before)


def coverage_text(coverage: float | None) -> str:
    """Return a coverage ratio ("1.8×"), or a dash."""
    return formatting.MISSING if coverage is None else f"{formatting.number(coverage, 1)}×"


def won_vs_target(
    series: pd.DataFrame,
    target: float | None,
    projection: float | None,
    last_day: date | None,
    currency: str | None,
) -> go.Figure:
    """Return the cumulative won revenue against the pace line, the target and the projection.

    series is period_goal.period_pace; the projection is drawn as a dotted segment from the
    last actual point to the targets' last day. The won line is the first trace.
    """
    if series.empty:
        return empty_figure(_("The target's period has not started yet."))
    fig = pace_line(series, target, amount=True, currency=currency)
    last = series.iloc[-1]
    if (
        projection is not None
        and last_day is not None
        and pd.Timestamp(last["day"]) < (pd.Timestamp(last_day))
    ):
        text = formatting.money(projection, currency)
        fig.add_scatter(
            x=[pd.Timestamp(last["day"]), pd.Timestamp(last_day)],
            y=[float(last["actual_cumulative"]), projection],
            mode="lines+markers",
            line=dict(color=theme.WON, width=2, dash="dot"),
            marker=dict(symbol=["circle", "diamond"], size=[1, 14]),
            name=_("Projection"),
            customdata=[[formatting.day(last_day), text]] * 2,
            hovertemplate=_("Projection")
            + " ("
            + "%{customdata[0]}): %{customdata[1]}<extra></extra>",
        )
    return fig


def won_deals_table(deals: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return the deals won to a day for display: amounts and dates written out, columns named."""
    shown = deals.assign(
        amount=[formatting.money(a, currency) for a in deals["amount"]],
        closed_at=[formatting.day(pd.Timestamp(d).date()) for d in deals["closed_at"]],
    )
    return shown.rename(columns={k: _(v) for k, v in WON_DEAL_LABELS.items()})
