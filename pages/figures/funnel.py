"""Figures and display tables of the Funnel page (no Streamlit).

Inputs are the frames of analytics.funnel (funnel, funnel_modes, stage_accounting,
transitions). Each trace carries the stage a bar stands for in customdata[0], so a selected
point tells the page what to drill into. Text from the data (stages, group values) is
HTML-escaped before Plotly draws it, since Plotly reads tags in labels.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from analytics.funnel import CREATED, WON
from analytics.stats import is_small
from pages.shared import formatting, theme
from pages.shared.locale import _, plural

LOST = "Lost"
MODE_LABELS = {
    "reached": "Reached or passed",
    "entered": "Entered",
    "active": "Active in the period",
}
MODE_HELP = {
    "reached": "Deals created in the period, counted at every stage up to the furthest one "
    "they entered: a deal that skipped a stage still passed it, and a won deal passed them all.",
    "entered": "Deals created in the period, counted only at the stages they actually entered: "
    "skipped stages are not back-filled, so a stage can convert above 100%.",
    "active": "Deals that entered each stage during the period, whatever their creation date; "
    "Won counts the deals won in the period. Shows the period's activity rather than a cohort.",
}
OUTCOME_LABELS = {
    "advanced": "Advanced",
    "lost": "Lost",
    "moved_back": "Moved back",
    "still_there": "Still there",
}
OUTCOME_COLOURS = {
    "advanced": theme.WON,
    "lost": theme.LOST,
    "moved_back": theme.HIGHLIGHT,
    "still_there": theme.OPEN,
}
SMALL_COLOUR = "#B0BEC5"  # a bar whose rate rests on a small sample: greyed
SPLIT_GROUPS = 8


def stage_name(stage: str) -> str:
    """Return a stage as people read it: Won, Lost and (created) translated, others as they are."""
    if stage == WON:
        return _("Won")
    if stage == LOST:
        return _("Lost")
    if stage == CREATED:
        return _("(created)")
    return stage


def stage_label(stage: str) -> str:
    """Return a stage's name for a Plotly label (Plotly reads tags, so data text is escaped)."""
    return html.escape(stage_name(stage))


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """Return a figure holding only a message, for a section with nothing to draw."""
    fig = theme.base_figure(height=height)
    fig.add_annotation(
        text=html.escape(message), showarrow=False, font=dict(size=16, color=theme.NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def rate_text(rate: float | None, n: int, small: bool) -> str:
    """Return a rate with its n ("42% (n=120)"), marked when the sample is small."""
    if rate is None:
        return formatting.MISSING
    if small:
        return _("{rate} (n={n}, small sample)").format(
            rate=formatting.percent(rate), n=formatting.count(n)
        )
    return _("{rate} (n={n})").format(rate=formatting.percent(rate), n=formatting.count(n))


def funnel_chart(frame: pd.DataFrame) -> go.Figure:
    """Return the funnel: deals per stage, with stage-to-stage and cumulative conversion.

    frame holds analytics.funnel.funnel() for one pipeline (no key). Bars whose conversion
    rests on a small sample are greyed; the hover gives the drop-off and the 95% interval.
    """
    if frame.empty or not frame["reached"].any():
        return empty_figure(_("No deal reached a stage of this pipeline in this view."))
    stages = list(frame["stage"])
    labels = [stage_label(s) for s in stages]
    texts, hovers, colours = [], [], []
    for row in frame.itertuples(index=False):
        first = row.conversion is None or pd.isna(row.conversion)
        step = "" if first else formatting.percent(row.conversion)
        cumulative = formatting.percent(row.cumulative)
        count = formatting.count(row.reached)
        if first:
            texts.append(count)
        else:
            texts.append(
                # Two lines: beside the wide upper bars one line would run off the chart.
                _("{count}<br>{step} of previous, {cumulative} of first").format(
                    count=count, step=step, cumulative=cumulative
                )
            )
        interval = ""
        if row.ci_low is not None and not pd.isna(row.ci_low):
            interval = _("95% interval {low}–{high}").format(
                low=formatting.percent(row.ci_low), high=formatting.percent(row.ci_high)
            )
        hover = [
            f"<b>{stage_label(row.stage)}</b>",
            _("Deals: {n}").format(n=count),
        ]
        if not first:
            hover.append(
                _("Stage-to-stage: {rate}").format(
                    rate=rate_text(row.conversion, row.n, row.small_sample)
                )
            )
            if interval:
                hover.append(interval)
        hover.append(_("Cumulative: {rate}").format(rate=cumulative))
        if row.stage != WON:
            hover.append(_("Dropped out here: {n}").format(n=formatting.count(row.drop_off)))
        hovers.append("<br>".join(hover))
        small = not first and row.small_sample
        colours.append(SMALL_COLOUR if small else theme.WON if row.stage == WON else theme.OPEN)
    fig = theme.base_figure(height=max(360, 70 * len(stages) + 60))
    fig.add_trace(
        go.Funnel(
            y=labels,
            x=list(frame["reached"]),
            text=texts,
            textinfo="text",
            textposition="outside",
            outsidetextfont=dict(color="#263238", size=15),
            customdata=[[s] for s in stages],
            hovertext=hovers,
            hoverinfo="text",
            marker=dict(color=colours),
            connector=dict(fillcolor="#E3F2FD"),
            cliponaxis=False,
        )
    )
    fig.update_yaxes(title_text=None)
    # The rates are written beside the bars: the right margin keeps the widest bar's in view.
    fig.update_layout(margin=dict(l=10, r=260, t=20, b=10))
    return fig


def drop_off_chart(frame: pd.DataFrame) -> go.Figure:
    """Return a bar per open stage: deals lost while that stage was their furthest one."""
    frame = frame[frame["stage"] != WON]
    if frame.empty or not frame["drop_off"].any():
        return empty_figure(_("No deal of this view was lost."))
    stages = list(frame["stage"])
    total = int(frame["drop_off"].sum())
    hovers = [
        "<br>".join(
            [
                f"<b>{stage_label(s)}</b>",
                _("Lost at this stage: {n}").format(n=formatting.count(n)),
                _("Share of all lost: {share}").format(share=formatting.share(int(n), total)),
            ]
        )
        for s, n in zip(stages, frame["drop_off"], strict=True)
    ]
    fig = theme.base_figure(height=max(360, 70 * (len(stages) + 1) + 60))
    fig.add_trace(
        go.Bar(
            y=[stage_label(s) for s in stages],
            x=list(frame["drop_off"]),
            orientation="h",
            marker_color=theme.LOST,
            text=[formatting.count(n) for n in frame["drop_off"]],
            textposition="outside",
            cliponaxis=False,
            customdata=[[s] for s in stages],
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=None)
    # Room for the count written beyond the longest bar.
    fig.update_xaxes(title_text=_("Deals lost"), range=[0, 1.18 * int(frame["drop_off"].max())])
    fig.update_layout(margin=dict(l=10, r=10, t=20, b=10))
    return fig


def stage_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the funnel as a table people read: every figure formatted, rates with their n."""
    rows = []
    for row in frame.itertuples(index=False):
        first = row.conversion is None or pd.isna(row.conversion)
        interval = formatting.MISSING
        if row.ci_low is not None and not pd.isna(row.ci_low):
            interval = f"{formatting.percent(row.ci_low)}–{formatting.percent(row.ci_high)}"
        rows.append(
            {
                _("Stage"): stage_name(row.stage),
                _("Deals"): formatting.count(row.reached),
                _("Stage-to-stage"): formatting.MISSING
                if first
                else rate_text(row.conversion, row.n, row.small_sample),
                _("95% interval"): interval,
                _("Cumulative conversion"): formatting.percent(row.cumulative),
                _("Dropped out here"): formatting.MISSING
                if row.stage == WON
                else formatting.count(row.drop_off),
            }
        )
    return pd.DataFrame(rows)


def top_groups(frame: pd.DataFrame, limit: int | None = SPLIT_GROUPS) -> list[str]:
    """Return the keys of a split funnel, most deals at the first stage first (at most limit)."""
    first = frame[frame["position"] == frame["position"].min()]
    ordered = first.sort_values(["reached", "key"], ascending=[False, True], kind="stable")
    return list(ordered["key"])[:limit]


def largest_drop(frame: pd.DataFrame) -> tuple[str, int, float] | None:
    """Return (stage, deals lost there, share of all lost) for the stage that lost the most
    deals (the earlier one on a tie), or None when no deal was lost."""
    total = int(frame["drop_off"].sum())
    if not total:
        return None
    row = frame.loc[frame["drop_off"].astype(int).idxmax()]
    return row["stage"], int(row["drop_off"]), int(row["drop_off"]) / total


DEAL_LABELS = {
    "deal_id": "Deal ID",
    "name": "Deal",
    "owner": "Owner",
    "pipeline": "Pipeline",
    "stage": "Stage",
    "status": "Status",
    "created_at": "Created",
    "closed_at": "Closed",
    "entered_at": "Entered the stage",
    "left_at": "Left the stage",
    "days": "Days in the stage",
}


def deal_table(deals: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """Return a drill-down's deals (or visits) with their columns named for people: amount with
    its currency (to the minor unit), days in a stage to one decimal."""
    names = {c: _(label) for c, label in DEAL_LABELS.items()}
    names["amount"] = formatting.amount_header(currency)
    out = deals.rename(columns=names)
    if "amount" in deals:
        out[names["amount"]] = formatting.amounts(deals["amount"], currency)
    out[names["stage"]] = [stage_name(s) if s in (WON, LOST) else s for s in deals["stage"]]
    if "days" in deals:
        out[names["days"]] = deals["days"].round(1)
    return out


def _first_counts(frame: pd.DataFrame) -> pd.Series:
    """Return each group's deals at the first stage of a split funnel, by key."""
    return frame[frame["position"] == frame["position"].min()].set_index("key")["reached"]


def split_chart(frame: pd.DataFrame, keys: list[str]) -> go.Figure:
    """Return grouped bars: the cumulative conversion to each stage after the first, per group.

    frame holds analytics.funnel.funnel(by=...); keys are the groups to draw, in order. The
    hover gives each group's deals at the stage and the n; small groups are drawn hatched.
    """
    if frame.empty or not keys:
        return empty_figure(_("No deals to split in this view."))
    bases = _first_counts(frame)
    later = frame[(frame["position"] > frame["position"].min()) & frame["key"].isin(keys)]
    blocks = dict(tuple(later.groupby("key", sort=False)))
    fig = theme.base_figure(height=460)
    for i, key in enumerate(keys):
        block = blocks[key]
        base = int(bases[key])
        small = is_small(base)
        name = html.escape(str(key))
        hovers = [
            "<br>".join(
                [
                    f"<b>{name}</b> · {stage_label(s)}",
                    _("Cumulative: {rate}").format(rate=rate_text(c, base, small)),
                    _("Deals: {n}").format(n=formatting.count(r)),
                ]
            )
            for s, c, r in zip(block["stage"], block["cumulative"], block["reached"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                name=_("{group} (n={n})").format(group=name, n=formatting.count(base)),
                x=[stage_label(s) for s in block["stage"]],
                y=[0 if c is None or pd.isna(c) else c for c in block["cumulative"]],
                marker=dict(
                    color=theme.PALETTE[i % len(theme.PALETTE)],
                    pattern=dict(shape="/" if small else ""),
                ),
                customdata=[[key, s] for s in block["stage"]],
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="group", legend_title_text=None)
    fig.update_yaxes(title_text=_("Cumulative conversion"), tickformat=".0%", rangemode="tozero")
    return fig


def split_table(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """Return per group its deals at the first stage, deals won and conversion to Won (with n)."""
    bases = _first_counts(frame)
    won = frame[frame["stage"] == WON].set_index("key")
    rows = []
    for key in keys:
        base = int(bases[key])
        rows.append(
            {
                column: key,
                _("Deals"): formatting.count(base),
                _("Won"): formatting.count(won.at[key, "reached"]),
                _("Conversion to Won"): rate_text(won.at[key, "cumulative"], base, is_small(base)),
            }
        )
    return pd.DataFrame(rows)


def compare_chart(current: pd.DataFrame, other: pd.DataFrame, labels: tuple[str, str]) -> go.Figure:
    """Return two funnels side by side as grouped bars of cumulative conversion per stage.

    current and other hold analytics.funnel.funnel() for the same pipeline over two periods;
    labels name the periods.
    """
    if (current.empty or not current["reached"].any()) and (
        other.empty or not other["reached"].any()
    ):
        return empty_figure(_("No deals in either period."))
    fig = theme.base_figure(height=440)
    for frame, label, colour in (
        (other, labels[1], theme.NEUTRAL),
        (current, labels[0], theme.OPEN),
    ):
        if frame.empty:
            continue
        base = int(frame["reached"].iloc[0])
        hovers = [
            "<br>".join(
                [
                    f"<b>{html.escape(label)}</b> · {stage_label(s)}",
                    _("Deals: {n}").format(n=formatting.count(r)),
                    _("Cumulative: {rate}").format(rate=rate_text(c, base, is_small(base))),
                ]
            )
            for s, r, c in zip(frame["stage"], frame["reached"], frame["cumulative"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                name=_("{period} (n={n})").format(
                    period=html.escape(label), n=formatting.count(base)
                ),
                x=[stage_label(s) for s in frame["stage"]],
                y=[0 if c is None or pd.isna(c) else c for c in frame["cumulative"]],
                marker_color=colour,
                text=[formatting.percent(c) for c in frame["cumulative"]],
                textposition="outside",
                customdata=[[s] for s in frame["stage"]],
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="group", legend_title_text=None)
    fig.update_yaxes(title_text=_("Cumulative conversion"), tickformat=".0%", range=[0, 1.12])
    return fig


def compare_table(
    current: pd.DataFrame, other: pd.DataFrame, labels: tuple[str, str]
) -> pd.DataFrame:
    """Return per stage the deals and cumulative conversion of both periods and the change in
    percentage points."""
    theirs = {
        s: (r, c)
        for s, r, c in zip(other["stage"], other["reached"], other["cumulative"], strict=True)
    }
    rows = []
    for s, r, c in zip(current["stage"], current["reached"], current["cumulative"], strict=True):
        r2, c2 = theirs.get(s, (0, None))
        change = formatting.MISSING
        if c is not None and c2 is not None and not pd.isna(c) and not pd.isna(c2):
            change = _("{points} pts").format(points=formatting.number(100 * (c - c2), 1))
        rows.append(
            {
                _("Stage"): stage_name(s),
                _("Deals ({period})").format(period=labels[0]): formatting.count(r),
                _("Cumulative ({period})").format(period=labels[0]): formatting.percent(c),
                _("Deals ({period})").format(period=labels[1]): formatting.count(r2),
                _("Cumulative ({period})").format(period=labels[1]): formatting.percent(c2),
                _("Change"): change,
            }
        )
    return pd.DataFrame(rows)


def modes_chart(frame: pd.DataFrame) -> go.Figure:
    """Return grouped bars of deals per stage in the three funnel modes side by side.

    frame holds analytics.funnel.funnel_modes().
    """
    columns = {"reached": "reached_or_passed", "entered": "entered", "active": "active"}
    if frame.empty or not frame[list(columns.values())].to_numpy().any():
        return empty_figure(_("No deals in this view."))
    fig = theme.base_figure(height=420)
    labels = [stage_label(s) for s in frame["stage"]]
    for i, (mode, column) in enumerate(columns.items()):
        fig.add_trace(
            go.Bar(
                name=_(MODE_LABELS[mode]),
                x=labels,
                y=list(frame[column]),
                marker_color=(theme.OPEN, theme.PALETTE[4], theme.PALETTE[1])[i],
                customdata=[[s] for s in frame["stage"]],
                hovertext=[
                    f"<b>{lab}</b><br>{_(MODE_LABELS[mode])}: {formatting.count(n)}"
                    for lab, n in zip(labels, frame[column], strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="group", legend_title_text=None)
    fig.update_yaxes(title_text=_("Deals"))
    return fig


def modes_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the three modes' deals per stage as a table with formatted counts."""
    return pd.DataFrame(
        {
            _("Stage"): [stage_name(s) for s in frame["stage"]],
            _(MODE_LABELS["reached"]): [formatting.count(n) for n in frame["reached_or_passed"]],
            _(MODE_LABELS["entered"]): [formatting.count(n) for n in frame["entered"]],
            _(MODE_LABELS["active"]): [formatting.count(n) for n in frame["active"]],
        }
    )


def accounting_chart(frame: pd.DataFrame) -> go.Figure:
    """Return stacked bars per stage: the visits entered in the period split by what became of
    them (advanced, lost, moved back, still there); the bar's length is the visits entered.

    frame holds analytics.funnel.stage_accounting().
    """
    if frame.empty or not frame["entered"].any():
        return empty_figure(_("No deal entered a stage in this period."))
    stages = list(frame["stage"])
    labels = [stage_label(s) for s in stages]
    fig = theme.base_figure(height=max(340, 60 * len(stages) + 100))
    for outcome, label in OUTCOME_LABELS.items():
        values = list(frame[outcome])
        hovers = [
            "<br>".join(
                [
                    f"<b>{lab}</b> · {_(label)}",
                    plural(
                        e, "{n} of {entered} visit ({share})", "{n} of {entered} visits ({share})"
                    ).format(
                        n=formatting.count(v),
                        entered=formatting.count(e),
                        share=formatting.share(int(v), int(e)),
                    ),
                ]
            )
            for lab, v, e in zip(labels, values, frame["entered"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                name=_(label),
                y=labels,
                x=values,
                orientation="h",
                marker_color=OUTCOME_COLOURS[outcome],
                customdata=[[s, outcome] for s in stages],
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="stack", legend_title_text=None, legend_traceorder="normal")
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=_("Visits entered in the period"))
    return fig


def accounting_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the stage accounting with formatted counts: entered = the four outcomes' sum."""
    table = {_("Stage"): list(frame["stage"]), _("Entered"): list(frame["entered"])}
    for outcome, label in OUTCOME_LABELS.items():
        table[_(label)] = list(frame[outcome])
    out = pd.DataFrame(table)
    for column in out.columns[1:]:
        out[column] = [formatting.count(n) for n in out[column]]
    return out


def _ordered(pairs: pd.DataFrame, stage: str, position: str) -> list[str]:
    """Return the distinct stages of a side of the matrix: by position, then Won, Lost, others."""
    found = pairs[[stage, position]].drop_duplicates()
    rank = {WON: 1, LOST: 2}

    def key(item: tuple) -> tuple:
        name, pos = item
        if pos is not None and not pd.isna(pos):
            return (0, int(pos), name)
        return (rank.get(name, 3), 0, name)

    return [name for name, _pos in sorted(found.itertuples(index=False, name=None), key=key)]


def transitions_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Return the stage transition matrix: moves from each stage (rows) to each next (columns).

    frame holds analytics.funnel.transitions(); cells show their count, empty pairs stay blank.
    """
    if frame.empty:
        return empty_figure(_("No stage moves in this period."))
    rows = _ordered(frame, "from_stage", "from_position")
    cols = _ordered(frame, "to_stage", "to_position")
    counts = {
        (f, t): int(m)
        for f, t, m in zip(frame["from_stage"], frame["to_stage"], frame["moves"], strict=True)
    }
    z = [[counts.get((f, t)) for t in cols] for f in rows]
    row_labels = [stage_label(s) for s in rows]
    col_labels = [stage_label(s) for s in cols]
    hover = [
        [
            plural(
                z[i][j], "{source} → {target}: {n} move", "{source} → {target}: {n} moves"
            ).format(source=row_labels[i], target=col_labels[j], n=formatting.count(z[i][j] or 0))
            for j in range(len(cols))
        ]
        for i in range(len(rows))
    ]
    fig = theme.base_figure(height=max(380, 48 * len(rows) + 160))
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=col_labels,
            y=row_labels,
            colorscale=[list(stop) for stop in theme.SEQUENTIAL],
            text=[[formatting.count(v) if v else "" for v in r] for r in z],
            texttemplate="%{text}",
            hovertext=hover,
            hoverinfo="text",
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=_("From stage"), showgrid=False)
    fig.update_xaxes(title_text=_("To stage"), side="top", showgrid=False)
    return fig


def transitions_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the stage moves as a table: from, to, kind of move and count."""
    kinds = {"forward": "Forward", "skip": "Skip", "back": "Back", "won": "Won", "lost": "Lost"}
    return pd.DataFrame(
        {
            _("From stage"): [stage_name(s) for s in frame["from_stage"]],
            _("To stage"): [stage_name(s) for s in frame["to_stage"]],
            _("Kind"): [_(kinds.get(k, k)) for k in frame["kind"]],
            _("Moves"): list(frame["moves"]),
        }
    )
