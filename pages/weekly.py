"""Weekly meeting: what changed between two dates, and what each rep should act on."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analytics import meeting, weekly
from analytics.derived import reporting_currency
from analytics.filters import NONE, Filters
from pages.figures import pack
from pages.figures import weekly as figures
from pages.shared import export, formatting, widgets
from pages.shared.layout import page_setup
from pages.shared.locale import _, language
from pages.shared.periods import EARLIEST

TITLE = "Weekly meeting"
KEY_FROM = "weekly_from"
KEY_TO = "weekly_to"
KEY_REP = "weekly_rep"
KEY_WINDOW_AS_OF = "weekly_window_as_of"  # the as-of date the window was last set for
ALL_REPS = ""
LIST_ROWS = 100  # rows a table shows; its CSV holds them all
SCORECARD_BARS = 25  # reps the scorecard chart draws


@st.cache_data(show_spinner=False, max_entries=64)
def per_rep(
    key: tuple, _slipped: pd.DataFrame, _stalled: pd.DataFrame, _per_stage: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the slipped deals open first, the actions and the scorecard per rep, cached by key.

    key names the query results the frames are (the frames themselves are not hashed).
    """
    return (
        meeting.open_first(_slipped),
        meeting.actions_by_owner(_slipped, _stalled),
        meeting.scorecard_by_owner(_per_stage),
    )


def _default(key: str, value: date) -> date | str:
    """Return value as the date input's default, unless session state already holds its date."""
    # "today" is date_input's own default: passing it with a value in session state spares
    # Streamlit's warning about a widget given both
    return "today" if key in st.session_state else value


ctx = page_setup(
    TITLE,
    "What changed between two dates: the movements, slipped and stalled deals per rep, the "
    "pipeline waterfall, and the meeting pack.",
)
as_of = ctx.filters.as_of
# The window replaces the period and as-of filters; pipeline and conditions apply.
f = Filters(pipeline=ctx.filters.pipeline, where=ctx.filters.where)

default_from, default_to = as_of - timedelta(days=7), as_of
if st.session_state.get(KEY_WINDOW_AS_OF, as_of) != as_of:
    # the as-of date moved: the window follows it, as a freshly opened page would
    st.session_state[KEY_FROM], st.session_state[KEY_TO] = default_from, default_to
st.session_state[KEY_WINDOW_AS_OF] = as_of

pick_from, pick_to, pack_html, pack_pdf = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
with pick_from:
    a = st.date_input(
        _("Compare from"),
        value=_default(KEY_FROM, default_from),
        min_value=EARLIEST,
        format="YYYY-MM-DD",
        key=KEY_FROM,
        bind="query-params",
        help=_("Changes count from the day after this date."),
    )
with pick_to:
    b = st.date_input(
        _("Up to"),
        value=_default(KEY_TO, default_to),
        min_value=EARLIEST,
        format="YYYY-MM-DD",
        key=KEY_TO,
        bind="query-params",
        help=_("Changes count up to the end of this day; stalled deals are judged on it."),
    )
if not a or not b or not a < b:
    st.warning(_("Choose a start date before the end date."), icon=":material/date_range:")
    st.stop()

filters_text = pack.describe_filters(f)
st.caption(
    _(
        "Changes after {a} up to the end of {b}. {filters}. The period and as-of filters do "
        "not apply here: these two dates take their place."
    ).format(a=formatting.day(a), b=formatting.day(b), filters=filters_text)
)

currency = ctx.query(reporting_currency)
moves = ctx.query(weekly.movements, f, a, b)
steps = ctx.query(weekly.waterfall, f, a, b)
stalled = ctx.query(weekly.stalled_deals, f, b)
slipped, actions, scorecard = per_rep(
    (ctx.store.key, f, a, b),
    ctx.query(weekly.slipped_deals, f, a, b),
    stalled,
    ctx.query(weekly.slippage_scorecard, f, a, b),
)

data = pack.PackData(a, b, currency, moves, steps, slipped, stalled, actions, scorecard)
lang = language()
pack_name = export.file_name("weekly-meeting", a.isoformat(), b.isoformat(), extension="html")
with pack_html:
    st.download_button(
        _("Meeting pack (HTML)"),
        lambda: pack.render_html(data, filters_text=filters_text, lang=lang),
        file_name=pack_name,
        mime="text/html",
        key="weekly_pack_html",
        icon=":material/download:",
        on_click="ignore",
        help=_("One file with this page's charts (interactive, offline) and action lists."),
    )
with pack_pdf:
    if pack.chromium():
        st.download_button(
            _("Meeting pack (PDF)"),
            lambda: pack.html_to_pdf(pack.render_html(data, filters_text=filters_text, lang=lang)),
            file_name=pack_name[: -len("html")] + "pdf",
            mime="application/pdf",
            key="weekly_pack_pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            help=_("The HTML pack printed by Chromium; takes a few seconds."),
        )
    else:
        st.button(
            _("Meeting pack (PDF)"),
            key="weekly_pack_pdf",
            disabled=True,
            icon=":material/picture_as_pdf:",
            help=_(
                "No Chromium on the server to print a PDF: download the HTML pack and print it "
                "from your browser."
            ),
        )

by_kind = moves.set_index("kind")
tiles = st.columns(len(weekly.KINDS) + 2)
definitions = {
    "new": weekly.WEEKLY_NEW,
    "advanced": weekly.WEEKLY_ADVANCED,
    "moved_back": weekly.WEEKLY_MOVED_BACK,
    "won": None,
    "lost": None,
}
for tile, kind in zip(tiles, weekly.KINDS, strict=False):
    with tile:
        # the amount sits where a change would: grey and without an arrow, it reads as a total
        st.metric(
            figures.kind_label(kind),
            formatting.count(by_kind.loc[kind, "deals"]),
            delta=formatting.money(by_kind.loc[kind, "amount"], currency, compact=True),
            delta_color="off",
            delta_arrow="off",
            help=widgets.definition_text(definitions[kind])
            if definitions[kind]
            else _("Deals closed as {kind} in the window, with their current amount.").format(
                kind=figures.kind_label(kind)
            ),
            border=True,
        )
with tiles[-2]:
    widgets.kpi(_("Slipped"), formatting.count(len(slipped)), definition=weekly.SLIPPED_DEALS)
with tiles[-1]:
    widgets.kpi(_("Stalled"), formatting.count(len(stalled)), definition=weekly.STALLED_DEALS)

changed, lists, slippage = widgets.tabs(
    [_("What changed"), _("Action lists per rep"), _("Slippage scorecard")],
    key="weekly_tab",
    on_change="rerun",
)

# Only the open tab is drawn (the others' .open is False); their data is already loaded for
# the tiles and the meeting pack.
with changed:
    if changed.open is not False:
        with st.container(border=True):
            st.subheader(_("The week’s movements"), anchor=False)
            if (moves["deals"] == 0).all():
                widgets.empty_state(
                    _("Nothing moved in this window."),
                    _("Widen the dates or clear the owner, team or pipeline filters."),
                )
            else:
                chart_side, table_side = st.columns([3, 2], gap="large")
                with chart_side:
                    event = widgets.chart(
                        figures.movements_chart(moves, currency),
                        key="weekly_moves_chart",
                        name="weekly-movements",
                        select=True,
                    )
                with table_side:
                    st.dataframe(
                        figures.movements_table(moves, currency),
                        hide_index=True,
                        key="weekly_moves_table",
                    )
                    widgets.download_csv(moves, "weekly-movements", key="weekly_moves_csv")
                    widgets.how_computed(
                        weekly.WEEKLY_NEW,
                        weekly.WEEKLY_ADVANCED,
                        weekly.WEEKLY_MOVED_BACK,
                        key="weekly_moves_how",
                    )
                kind = widgets.drill_pick(
                    _("Show the deals of a movement"),
                    weekly.KINDS,
                    event,
                    key="weekly_moves",
                    from_point=lambda p: (p.get("customdata") or [None])[0],
                    format_func=figures.kind_label,
                )
                if kind:
                    widgets.deal_links(
                        figures.deals_table(ctx.query(weekly.movement_deals, f, a, b, kind)),
                        key="weekly_moves",
                        name=f"weekly-{kind}",
                    )
        with st.container(border=True):
            st.subheader(_("Pipeline waterfall"), anchor=False)
            if (steps["deals"] == 0).all():
                widgets.empty_state(
                    _("No open pipeline in this window."),
                    _("Widen the dates or clear the owner, team or pipeline filters."),
                )
            else:
                event = widgets.chart(
                    figures.waterfall_chart(steps, currency, a, b),
                    key="weekly_waterfall_chart",
                    name="weekly-waterfall",
                    select=True,
                )
                step = widgets.drill_pick(
                    _("Show the deals of a step"),
                    weekly.WATERFALL_STEPS,
                    event,
                    key="weekly_waterfall",
                    from_point=lambda p: (p.get("customdata") or [None])[0],
                    format_func=lambda s: figures.step_label(s, a, b),
                )
                if step:
                    widgets.deal_links(
                        figures.deals_table(ctx.query(meeting.waterfall_deals, f, a, b, step)),
                        key="weekly_waterfall",
                        name=f"weekly-waterfall-{step}",
                    )
                with st.expander(_("The waterfall's numbers")):
                    st.dataframe(
                        figures.waterfall_table(steps, currency, a, b),
                        hide_index=True,
                        key="weekly_waterfall_table",
                    )
                    widgets.download_csv(steps, "weekly-waterfall", key="weekly_waterfall_csv")
            widgets.how_computed(weekly.PIPELINE_WATERFALL, key="weekly_waterfall_how")

with lists:
    if lists.open is not False:
        if actions.empty:
            widgets.empty_state(
                _("No slipped or stalled deals."),
                _("Widen the dates or clear the owner, team or pipeline filters."),
            )
        else:
            st.dataframe(
                figures.actions_table(actions.head(LIST_ROWS), currency),
                hide_index=True,
                height=min(420, 38 + 35 * len(actions)),
                key="weekly_reps",
            )
            if len(actions) > LIST_ROWS:
                st.caption(
                    _("Showing {shown} of {n}; the full list:").format(
                        shown=formatting.count(LIST_ROWS), n=formatting.count(len(actions))
                    )
                )
            widgets.download_csv(actions, "weekly-actions-per-rep", key="weekly_reps_csv")
            rep = st.selectbox(
                _("Rep"),
                (ALL_REPS, *actions["owner"]),
                format_func=lambda o: _("All reps") if o == ALL_REPS else o,
                key=KEY_REP,
            )
            for title, frame, table, name, caption in (
                (
                    _("Slipped deals"),
                    slipped,
                    figures.slipped_table,
                    "slipped",
                    _("Close date pushed out in the window, or past while still open at {b}."),
                ),
                (
                    _("Stalled deals"),
                    stalled,
                    figures.stalled_table,
                    "stalled",
                    _("Open at {b} and idle longer than their stage allows."),
                ),
            ):
                mine = frame if rep == ALL_REPS else frame[frame["owner"].fillna(NONE) == rep]
                with st.container(border=True):
                    st.subheader(f"{title} ({formatting.count(len(mine))})", anchor=False)
                    st.caption(caption.format(b=formatting.day(b)))
                    if mine.empty:
                        widgets.empty_state(_("None for this rep."))
                        continue
                    shown = mine.head(LIST_ROWS)
                    shown_table = table(shown, currency, owner=rep == ALL_REPS)
                    shown_table.insert(0, "deal_id", shown["deal_id"].to_numpy())
                    widgets.deal_links(
                        shown_table,
                        key=f"weekly_{name}",
                        name=f"weekly-{name}",
                    )
                    if len(mine) > LIST_ROWS:
                        st.caption(
                            _("Showing {shown} of {n}; the full list:").format(
                                shown=formatting.count(LIST_ROWS), n=formatting.count(len(mine))
                            )
                        )
                        widgets.download_csv(mine, f"weekly-{name}-all", key=f"weekly_{name}_all")

with slippage:
    if slippage.open is not False:
        if scorecard.empty:
            widgets.empty_state(
                _("No deals were due or pushed in this window."),
                _("Widen the dates or clear the owner, team or pipeline filters."),
            )
        else:
            st.caption(
                _(
                    "Of the deals due after {a} up to {b} (expected close date then), the share "
                    "still open at the end of {b} with the date pushed out or past. Reps with the "
                    "most slipped deals first."
                ).format(a=formatting.day(a), b=formatting.day(b))
            )
            if len(scorecard) > SCORECARD_BARS:
                st.caption(
                    _("The chart shows the first {shown} of {n} reps.").format(
                        shown=formatting.count(SCORECARD_BARS), n=formatting.count(len(scorecard))
                    )
                )
            widgets.chart(
                figures.scorecard_chart(scorecard, top=SCORECARD_BARS),
                key="weekly_scorecard_chart",
                name="slippage",
            )
            st.dataframe(
                figures.scorecard_table(scorecard.head(LIST_ROWS)),
                hide_index=True,
                key="weekly_scorecard_table",
            )
            widgets.download_csv(scorecard, "weekly-slippage", key="weekly_scorecard_csv")
        widgets.how_computed(weekly.SLIPPAGE_SCORECARD, key="weekly_scorecard_how")
