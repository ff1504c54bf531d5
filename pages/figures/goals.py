"""Figures of the Goals and Overview pages: bullet charts of targets and the pace line (no Streamlit).

Status colours are the same everywhere a target's status shows. Each bullet row carries its
target id in customdata[0] and each pace-line point its ISO day, so a selected point tells the
page what to drill into. Text from the data (owner and team names) is HTML-escaped, because
Plotly reads tags in labels.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from pages.shared import formatting, messages, theme
from pages.shared.locale import JAPANESE, _, language

STATUS_LABELS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "behind": "Behind",
    "missed": "Missed",
    "not_started": "Not started",
}
STATUS_COLOURS = {
    "achieved": theme.WON,
    "on_track": "#43A047",
    "at_risk": theme.HIGHLIGHT,
    "behind": theme.LOST,
    "missed": "#8E2424",
    "not_started": theme.NEUTRAL,
}
AMOUNT_METRICS = ("won_amount", "pipeline_created")
METRIC_LABELS = {
    "won_amount": "Won revenue",
    "won_count": "Deals won",
    "new_deals": "New deals",
    "pipeline_created": "Pipeline created",
    "activities_completed": "Activities completed",
}


def status_label(status: str | None) -> str:
    """Return the name people read for a goal status ("At risk"), a dash for none."""
    if not status:
        return formatting.MISSING
    return _(STATUS_LABELS.get(status, status))


def metric_label(metric: str) -> str:
    """Return the name people read for a goal metric; a typed activity metric keeps its type."""
    base, _sep, kind = metric.partition(":")
    label = _(METRIC_LABELS.get(base, base))
    return f"{label} ({kind})" if kind else label


def value_text(value: float | None, metric: str, currency: str | None) -> str:
    """Return a goal value in its metric's unit: an amount, or a count."""
    if metric.partition(":")[0] in AMOUNT_METRICS:
        return formatting.money(value, currency)
    return formatting.number(value, 1)


def empty_figure(message: str, height: int = 260) -> go.Figure:
    """Return a figure holding only a message, for a section with nothing to draw."""
    fig = theme.base_figure(height=height)
    fig.add_annotation(
        text=html.escape(message), showarrow=False, font=dict(size=16, color=theme.NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _hover_rows(progress: pd.DataFrame, currency: str | None) -> list[list[str]]:
    """Return each target's customdata: id, then the formatted figures its hover shows."""
    rows = []
    for r in progress.to_dict("records"):
        metric = r["metric"]
        rows.append(
            [
                r["target_id"],
                value_text(r["actual"], metric, currency),
                value_text(r["target_value"], metric, currency),
                formatting.percent(r["attainment"]),
                formatting.number(r["pace"], 2),
                value_text(r["projection"], metric, currency),
                value_text(r["required_per_day"], metric, currency),
                status_label(r["status"]),
                formatting.percent(r["elapsed_fraction"]),
            ]
        )
    return rows


def bullets(
    progress: pd.DataFrame, labels: list[str], currency: str | None, title: str | None = None
) -> go.Figure:
    """Return a bullet chart: one row per target, attainment bar, pace tick, projection mark.

    progress holds goals.goal_progress rows; labels name each row (data text, escaped here).
    Bars are the share of the target reached, coloured by status; the black tick is where the
    target expects to be by now (the elapsed fraction); the hollow diamond is the projection;
    the dotted line is the target (100%).
    """
    if progress.empty:
        return empty_figure(_("No targets to show."))
    names = [html.escape(label) for label in labels]
    custom = _hover_rows(progress, currency)
    attainment = progress["attainment"].astype(float).fillna(0.0)
    projected = (progress["projection"] / progress["target_value"]).astype(float)
    colours = [STATUS_COLOURS.get(s, theme.NEUTRAL) for s in progress["status"]]
    hover = (
        "<b>%{y}</b><br>"
        + _("Actual")
        + ": %{customdata[1]} / %{customdata[2]} (%{customdata[3]})<br>"
        + _("Pace")
        + ": %{customdata[4]} · "
        + _("Period elapsed")
        + ": %{customdata[8]}<br>"
        + _("Projection")
        + ": %{customdata[5]}<br>"
        + _("Required per day")
        + ": %{customdata[6]}<br>"
        + _("Status")
        + ": %{customdata[7]}<extra></extra>"
    )
    height = 130 + 44 * len(progress)
    fig = theme.base_figure(title, height=height)
    fig.add_bar(
        y=names,
        x=attainment,
        orientation="h",
        marker=dict(color=colours),
        customdata=custom,
        hovertemplate=hover,
        name=_("Attainment"),
        showlegend=False,
    )
    # The share reached is a column at the right edge: written next to a short bar it sat on
    # the pace tick and the projection drawn at the same spot.
    for name, row in zip(names, custom, strict=True):
        fig.add_annotation(
            x=1,
            xref="paper",
            xanchor="left",
            xshift=10,
            y=name,
            yref="y",
            text=row[3],
            showarrow=False,
        )
    fig.add_scatter(
        y=names,
        x=progress["elapsed_fraction"].astype(float),
        mode="markers",
        marker=dict(symbol="line-ns", size=30, line=dict(width=4, color="#263238")),
        customdata=custom,
        hovertemplate=hover,
        name=_("Expected by now"),
    )
    fig.add_scatter(
        y=names,
        x=projected,
        mode="markers",
        marker=dict(symbol="diamond-open", size=14, line=dict(width=2, color=theme.TARGET)),
        customdata=custom,
        hovertemplate=hover,
        name=_("Projection"),
    )
    # Legend entries for the status colours present (the bars themselves have one name).
    for status in [s for s in STATUS_LABELS if s in set(progress["status"])]:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(symbol="square", size=14, color=STATUS_COLOURS[status]),
            name=status_label(status),
            hoverinfo="skip",
        )
    fig.add_vline(x=1, line=dict(color=theme.TARGET, dash="dot", width=2))
    top = max(1.2, float(pd.concat([attainment, projected.fillna(0)]).max()) * 1.1)
    # A little room left of 0, so that a projection of 0 is drawn whole, not cut by the axis.
    fig.update_xaxes(title_text=_("Share of target"), tickformat=".0%", range=[-0.025 * top, top])
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_layout(bargap=0.45, margin=dict(l=10, r=70, t=60, b=10))
    return fig


def pace_line(
    series: pd.DataFrame,
    target: float | None,
    *,
    amount: bool,
    currency: str | None,
    title: str | None = None,
) -> go.Figure:
    """Return the cumulative actual against the pace line (expected by each day) and the target.

    series holds day, actual_cumulative and expected_cumulative (goals.pace_series or
    period_goal.period_pace); amount says the values are amounts in currency, else counts.
    The actual line is the first trace; its points carry their ISO day in customdata[0].
    """
    if series.empty:
        return empty_figure(_("The target's period has not started yet."))

    def text(value: float) -> str:
        return formatting.money(value, currency) if amount else formatting.number(value, 1)

    days = pd.to_datetime(series["day"])
    actual = series["actual_cumulative"].astype(float)
    expected = series["expected_cumulative"].astype(float)
    custom = [
        [d.date().isoformat(), formatting.day(d.date()), text(a), text(e)]
        for d, a, e in zip(days, actual, expected, strict=True)
    ]
    fig = theme.base_figure(html.escape(title) if title else None, height=440)
    fig.add_scatter(
        x=days,
        y=actual,
        mode="lines+markers",
        line=dict(color=theme.WON, width=4),
        marker=dict(size=6),
        name=_("Actual so far"),
        customdata=custom,
        hovertemplate="%{customdata[1]}<br>"
        + _("Actual so far")
        + ": %{customdata[2]}<br>"
        + _("Expected by then")
        + ": %{customdata[3]}<extra></extra>",
    )
    fig.add_scatter(
        x=days,
        y=expected,
        mode="lines",
        line=dict(color=theme.TARGET, width=3, dash="dash"),
        name=_("Pace line (expected by then)"),
        customdata=custom,
        hovertemplate="%{customdata[1]}<br>"
        + _("Expected by then")
        + ": %{customdata[3]}<extra></extra>",
    )
    if target is not None:
        fig.add_hline(
            y=target,
            line=dict(color=theme.TARGET, width=2, dash="dot"),
            annotation_text=html.escape(_("Target {value}").format(value=text(target))),
            annotation_position="top left",
        )
    unit = currency if amount and currency else None
    # Plotly writes month names in English: Japanese readers get numeric dates instead.
    fig.update_xaxes(title_text=_("Day"), tickformat="%m/%d" if language() == JAPANESE else None)
    fig.update_yaxes(
        title_text=_("Cumulative ({unit})").format(unit=unit) if unit else _("Cumulative"),
        rangemode="tozero",
    )
    fig.update_layout(hovermode="closest")
    return fig


def target_labels(progress: pd.DataFrame) -> list[str]:
    """Return a name per target: "Company", "Enterprise (team)", a rep's name.

    When the targets cover more than one period, each name carries its period too.
    """
    several = progress[["period_start", "period_end"]].drop_duplicates().shape[0] > 1
    labels = []
    for r in progress.to_dict("records"):
        if r["scope"] == "company":
            name = _("Company")
        elif r["scope"] == "team":
            name = _("{team} (team)").format(team=r["scope_value"])
        else:
            name = str(r["scope_value"])
        if several:
            period = formatting.day_range(
                pd.Timestamp(r["period_start"]).date(), pd.Timestamp(r["period_end"]).date()
            )
            name = f"{name} · {period}"
        labels.append(name)
    return labels


PROGRESS_LABELS = {
    "name": "Target",
    "metric": "Metric",
    "target_value": "Target value",
    "actual": "Actual",
    "attainment": "Attainment",
    "pace": "Pace",
    "projection": "Projection",
    "required_per_day": "Required per day",
    "status": "Status",
}


def progress_table(progress: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return goal_progress rows for display: named, figures written in their units."""
    rows = []
    for label, r in zip(target_labels(progress), progress.to_dict("records"), strict=True):
        metric = r["metric"]
        rows.append(
            {
                "name": label,
                "metric": metric_label(metric),
                "target_value": value_text(r["target_value"], metric, currency),
                "actual": value_text(r["actual"], metric, currency),
                "attainment": formatting.percent(r["attainment"]),
                "pace": formatting.percent(r["pace"]),
                "projection": value_text(r["projection"], metric, currency),
                "required_per_day": value_text(r["required_per_day"], metric, currency),
                "status": status_label(r["status"]),
            }
        )
    frame = pd.DataFrame(rows, columns=list(PROGRESS_LABELS))
    return frame.rename(columns={k: _(v) for k, v in PROGRESS_LABELS.items()})


LEADERBOARD_LABELS = {
    "rank": "Rank",
    "owner": "Rep",
    "team": "Team",
    "target": "Target",
    "actual": "Actual",
    "attainment": "Attainment",
    "pace": "Pace",
    "status": "Status",
}


def leaderboard_table(board: pd.DataFrame, metric: str, currency: str | None) -> pd.DataFrame:
    """Return goals.leaderboard rows for display; reps without a target show dashes."""
    rows = [
        {
            "rank": r["rank"],
            "owner": r["owner"],
            "team": r["team"] if isinstance(r["team"], str) else formatting.MISSING,
            "target": value_text(r["target"], metric, currency),
            "actual": value_text(r["actual"], metric, currency),
            "attainment": formatting.percent(r["attainment"]),
            "pace": formatting.percent(r["pace"]),
            "status": status_label(r["status"]) if isinstance(r["status"], str) else _("No target"),
        }
        for r in board.to_dict("records")
    ]
    frame = pd.DataFrame(rows, columns=list(LEADERBOARD_LABELS))
    return frame.rename(columns={k: _(v) for k, v in LEADERBOARD_LABELS.items()})


def in_scope_order(progress: pd.DataFrame) -> pd.DataFrame:
    """Return targets in reading order: the company, then teams, then reps, each by name."""
    rank = {"company": 0, "team": 1, "owner": 2}
    return progress.sort_values(
        ["scope", "scope_value", "period_start"],
        key=lambda c: c.map(rank) if c.name == "scope" else c,
    )


def problems_table(problems: list) -> pd.DataFrame:
    """Return import or edit problems as a table: row, column, value, what is wrong."""
    return pd.DataFrame(
        [(p.row, p.column, p.value, messages.message(p.message)) for p in problems],
        columns=[_("Row"), _("Column"), _("Value"), _("Problem")],
    )


def bullet_rows(progress: pd.DataFrame, reps: int, behind_first: bool = True) -> pd.DataFrame:
    """Return the company and team targets, then at most `reps` rep targets, in reading order.

    With many reps, those shown are the furthest behind (lowest pace first) or, with
    behind_first False, the furthest ahead; with few, all of them by name.
    """
    ordered = in_scope_order(progress)
    owners = ordered[ordered["scope"] == "owner"]
    if len(owners) > reps:
        owners = owners.sort_values(
            ["pace", "attainment", "scope_value"],
            ascending=[behind_first, behind_first, True],
            na_position="last",
        ).head(reps)
    return pd.concat([ordered[ordered["scope"] != "owner"], owners])


def progress_export(progress: pd.DataFrame) -> pd.DataFrame:
    """Return goal_progress rows for a CSV download: every column, figures unformatted."""
    return progress.assign(
        period_start=pd.to_datetime(progress["period_start"]).dt.date,
        period_end=pd.to_datetime(progress["period_end"]).dt.date,
    )


def common_elapsed(progress: pd.DataFrame) -> float | None:
    """Return the elapsed fraction the targets share, None when their periods differ."""
    fractions = progress["elapsed_fraction"].unique()
    return float(fractions[0]) if len(fractions) == 1 else None
