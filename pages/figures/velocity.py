"""Figures and display tables of the Velocity page (no Streamlit).

Inputs are the frames of analytics.durations (time_in_stage, bottleneck),
analytics.distributions (stage_spread, cycle_histogram) and analytics.cycle (sales_cycle,
cycle_trend). Stage markers carry their stage in customdata[0] for the drill-down; text from
the data is HTML-escaped before Plotly draws it.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_skeleton

from analytics.stats import is_small
from pages.shared import formatting, theme
from pages.shared.locale import _, babel_locale, plural

OUTCOME_LABELS = {"won": "Won", "lost": "Lost"}
OUTCOME_COLOURS = {"won": theme.WON, "lost": theme.LOST}


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and pd.isna(x))


def month(first_day: date) -> str:
    """Return a month as the language writes it ("Nov 2026", "2026年11月")."""
    return format_skeleton("yMMM", first_day, locale=babel_locale())


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """Return a figure holding only a message, for a section with nothing to draw."""
    fig = theme.base_figure(height=height)
    fig.add_annotation(
        text=html.escape(message), showarrow=False, font=dict(size=16, color=theme.NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def stage_rows(stages: pd.DataFrame, spread: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Return one row per stage of one pipeline joining time_in_stage, the spread of completed
    visits (p10/p25) and the bottleneck's share and flag, in position order."""
    extra = spread[["position", "p10_days", "p25_days"]]
    flags = shares[["position", "share", "is_bottleneck"]]
    return (
        stages.merge(extra, on="position", how="left")
        .merge(flags, on="position", how="left")
        .sort_values("position", kind="stable")
        .reset_index(drop=True)
    )


def time_in_stage_chart(rows: pd.DataFrame) -> go.Figure:
    """Return one box per stage (whiskers 10th–90th percentile, box 25th–75th, line at the
    median of completed visits) with a diamond at the survival-adjusted median.

    rows comes from stage_rows(). The bottleneck is drawn in the highlight colour; the diamonds
    are the points a click selects (customdata[0] = stage).
    """
    drawn = rows[rows["completed_visits"] > 0]
    if drawn.empty and rows["km_median_days"].isna().all():
        return empty_figure(_("No stage visit ended in this period."))
    labels = [html.escape(s) for s in rows["stage"]]
    fig = theme.base_figure(height=max(360, 64 * len(rows) + 110))
    for flag, colour, name in (
        (False, theme.OPEN, _("Completed visits")),
        (True, theme.HIGHLIGHT, _("Bottleneck")),
    ):
        part = drawn[drawn["is_bottleneck"].fillna(False).astype(bool) == flag]
        if part.empty:
            continue
        fig.add_trace(
            go.Box(
                name=name,
                y=[html.escape(s) for s in part["stage"]],
                q1=list(part["p25_days"]),
                median=list(part["median_days"]),
                q3=list(part["p75_days"]),
                lowerfence=list(part["p10_days"]),
                upperfence=list(part["p90_days"]),
                orientation="h",
                marker_color=colour,
                fillcolor=colour,
                line=dict(color="#263238", width=1.5),
                opacity=0.75,
                hoverinfo="skip",
            )
        )
    hovers = []
    for row in rows.itertuples(index=False):
        lines = [
            f"<b>{html.escape(row.stage)}</b>"
            + (f" · {_('Bottleneck')}" if row.is_bottleneck is True else ""),
            _("Survival-adjusted median: {days}").format(
                days=formatting.days(row.km_median_days, 1)
            ),
            _("Median of completed visits: {days} (n={n})").format(
                days=formatting.days(row.median_days, 1), n=formatting.count(row.completed_visits)
            ),
            _("Middle half: {low} – {high}").format(
                low=formatting.days(row.p25_days, 1), high=formatting.days(row.p75_days, 1)
            ),
            _("10th – 90th percentile: {low} – {high}").format(
                low=formatting.days(row.p10_days, 1), high=formatting.days(row.p90_days, 1)
            ),
            plural(
                row.open_now,
                "In the stage now: {n} deal, median age {days}",
                "In the stage now: {n} deals, median age {days}",
            ).format(
                n=formatting.count(row.open_now), days=formatting.days(row.open_median_age_days, 1)
            ),
        ]
        if is_small(int(row.completed_visits)):
            lines.append(_("Small sample"))
        hovers.append("<br>".join(lines))
    fig.add_trace(
        go.Scatter(
            name=_("Survival-adjusted median"),
            y=labels,
            x=[None if _missing(x) else x for x in rows["km_median_days"]],
            mode="markers",
            marker=dict(
                symbol="diamond", size=15, color="#263238", line=dict(color="white", width=1)
            ),
            customdata=[[s] for s in rows["stage"]],
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    fig.update_yaxes(
        autorange="reversed", title_text=None, categoryorder="array", categoryarray=labels
    )
    fig.update_xaxes(title_text=_("Days in the stage"), rangemode="tozero")
    fig.update_layout(legend_title_text=None)
    return fig


def time_in_stage_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the time-in-stage figures per stage, formatted, small samples marked."""
    out = []
    for row in rows.itertuples(index=False):
        n = int(row.completed_visits)
        visits = formatting.count(n)
        if n and is_small(n):
            visits = _("{n} (small sample)").format(n=visits)
        out.append(
            {
                _("Stage"): row.stage,
                _("Completed visits"): visits,
                _("Median"): formatting.days(row.median_days, 1),
                _("Survival-adjusted median"): formatting.days(row.km_median_days, 1),
                _("Mean"): formatting.days(row.mean_days, 1),
                _("75th percentile"): formatting.days(row.p75_days, 1),
                _("90th percentile"): formatting.days(row.p90_days, 1),
                _("In the stage now"): formatting.count(row.open_now),
                _("Median age now"): formatting.days(row.open_median_age_days, 1),
                _("Share of the cycle"): formatting.MISSING
                if _missing(row.share)
                else formatting.percent(row.share),
                _("Bottleneck"): _("Yes") if row.is_bottleneck is True else "",
            }
        )
    return pd.DataFrame(out)


def bottleneck_stage(rows: pd.DataFrame) -> pd.Series | None:
    """Return the bottleneck stage's row of stage_rows(), or None when there is none."""
    found = rows[rows["is_bottleneck"].fillna(False).astype(bool)]
    return None if found.empty else found.iloc[0]


def _band_label(start: int, end: int, open_ended: bool) -> str:
    if open_ended:
        return _("{start}+ days").format(start=formatting.count(start))
    if end - start == 1:
        return formatting.days(start)
    return _("{start}–{end} days").format(
        start=formatting.count(start), end=formatting.count(end - 1)
    )


def cycle_histogram_chart(frame: pd.DataFrame) -> go.Figure:
    """Return the sales-cycle histogram: deals per band of cycle length, won and lost side by side.

    frame holds analytics.distributions.cycle_histogram(). Bars stand at their band's days on a
    numeric axis; the hover names the band ("14–20 days", the last one "147+ days").
    """
    if frame.empty or not frame["deals"].any():
        return empty_figure(_("No deal closed in this period."))
    fig = theme.base_figure(height=420)
    width = int(frame["bin_end"].iloc[0] - frame["bin_start"].iloc[0])
    for outcome, label in OUTCOME_LABELS.items():
        part = frame[frame["outcome"] == outcome]
        bands = [
            _band_label(int(s), int(e), bool(o))
            for s, e, o in zip(part["bin_start"], part["bin_end"], part["open_ended"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                name=_(label),
                x=[int(s) + width / 2 for s in part["bin_start"]],
                y=list(part["deals"]),
                marker_color=OUTCOME_COLOURS[outcome],
                customdata=[[outcome, int(s)] for s in part["bin_start"]],
                hovertext=[
                    f"<b>{_(label)}</b> · {b}<br>" + _("Deals: {n}").format(n=formatting.count(n))
                    for b, n in zip(bands, part["deals"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    last = frame["bin_start"].max()
    fig.update_layout(barmode="group", bargap=0.1, legend_title_text=None)
    fig.update_xaxes(
        title_text=_("Days from creation to close<br>(last bar: {start} days and more)").format(
            start=formatting.count(int(last))
        ),
        range=[0, int(last) + width],
        rangemode="tozero",
    )
    fig.update_yaxes(title_text=_("Deals closed"))
    return fig


def cycle_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the sales-cycle figures of won and lost deals, formatted (analytics.cycle)."""
    return pd.DataFrame(
        [
            {
                _("Outcome"): _(OUTCOME_LABELS[row.outcome]),
                _("Deals"): formatting.count(row.n),
                _("Median"): formatting.days(row.median, 1),
                _("Mean"): formatting.days(row.mean, 1),
                _("25th percentile"): formatting.days(row.p25, 1),
                _("75th percentile"): formatting.days(row.p75, 1),
                _("90th percentile"): formatting.days(row.p90, 1),
                _("Left out (closed before created)"): formatting.count(row.excluded),
            }
            for row in frame.itertuples(index=False)
        ]
    )


def cycle_trend_chart(frame: pd.DataFrame) -> go.Figure:
    """Return the median sales cycle per close month, won and lost; months resting on fewer
    than 20 deals get hollow markers. frame holds analytics.cycle.cycle_trend()."""
    if frame.empty or not frame["n"].any():
        return empty_figure(_("No deal closed in this period."))
    fig = theme.base_figure(height=400)
    for outcome, label in OUTCOME_LABELS.items():
        part = frame[frame["outcome"] == outcome]
        months = [month(m) for m in part["close_month"]]
        small = [is_small(int(n)) for n in part["n"]]
        fig.add_trace(
            go.Scatter(
                name=_(label),
                x=list(part["close_month"]),
                y=[None if _missing(m) else m for m in part["median"]],
                mode="lines+markers",
                line=dict(color=OUTCOME_COLOURS[outcome], width=3),
                marker=dict(
                    size=10,
                    color=["white" if s else OUTCOME_COLOURS[outcome] for s in small],
                    line=dict(color=OUTCOME_COLOURS[outcome], width=2),
                ),
                connectgaps=False,
                customdata=[[outcome, str(m)] for m in part["close_month"]],
                hovertext=[
                    "<br>".join(
                        [
                            f"<b>{_(label)}</b> · {shown}",
                            _("Median: {days}").format(days=formatting.days(med, 1)),
                            _("Mean: {days}").format(days=formatting.days(mean, 1)),
                            _("Deals: {n}").format(n=formatting.count(n))
                            + (f" ({_('Small sample')})" if s and n else ""),
                        ]
                    )
                    for shown, med, mean, n, s in zip(
                        months, part["median"], part["mean"], part["n"], small, strict=True
                    )
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(legend_title_text=None)
    fig.update_xaxes(title_text=_("Close month"), dtick="M1", tickformat="%Y-%m")
    fig.update_yaxes(title_text=_("Median sales cycle (days)"), rangemode="tozero")
    return fig
