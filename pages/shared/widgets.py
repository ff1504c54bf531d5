"""The widgets every page reuses: KPI tile, "how is this computed" card, chart, table, download.

They draw and return what the user picked; they compute nothing (figures and numbers come in).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.definitions import Definition
from pages.shared import export
from pages.shared.formatting import escape_markdown
from pages.shared.locale import _

DEALS_PAGE = "pages/deals.py"
DEAL_PARAM = "deal"  # the Deals page opens the timeline of ?deal=ID

# The modebar's camera button saves a chart as PNG; these set its file name and sharpness.
_PNG = {"format": "png", "scale": 2}


def definition_text(definition: Definition) -> str:
    """Return a definition as markdown lines in the current language (labels and fields)."""
    ratio = _(definition.numerator)
    if definition.denominator:
        ratio = f"{ratio} ÷ {_(definition.denominator)}"
    lines = [
        f"**{escape_markdown(_(definition.label))}** = {escape_markdown(ratio)}",
        f"- {_('Date anchor')}: {escape_markdown(_(definition.anchor))}",
        f"- {_('Left out')}: {escape_markdown(_(definition.excludes))}",
    ]
    return "\n".join(lines)


def how_computed(*definitions: Definition, key: str | None = None) -> None:
    """Draw a small "How is this computed?" card holding the metrics' definitions."""
    with st.popover(_("How is this computed?"), icon=":material/info:", key=key):
        st.markdown("\n\n".join(definition_text(d) for d in definitions))


def kpi(
    label: str,
    value: str,
    *,
    delta: str | None = None,
    delta_color: str = "normal",
    delta_arrow: str | None = None,
    help: str | None = None,
    definition: Definition | None = None,
) -> None:
    """Draw one KPI tile: label, value, optional change, help from the metric's definition.

    A grey delta line (delta_color="off") is a note, such as a sample size, not a change: it
    gets no arrow unless delta_arrow says otherwise.
    """
    if delta_arrow is None:
        delta_arrow = "off" if delta_color == "off" else "auto"
    if definition is not None and help is None:
        help = definition_text(definition)
    st.metric(
        label,
        value,
        delta=delta,
        delta_color=delta_color,
        delta_arrow=delta_arrow,
        help=help,
        border=True,
        width="stretch",
    )


def chart(
    fig: go.Figure,
    key: str,
    *,
    name: str = "chart",
    select: bool = False,
    selection_mode: str | Sequence[str] = ("points",),
) -> Any:
    """Draw a Plotly figure in the dashboard theme; return its selection when select is set.

    The camera button of the modebar saves the chart as a PNG named after it.
    """
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {**_PNG, "filename": export.file_name(name, extension="")[:-1]},
    }
    if select:
        return st.plotly_chart(
            fig,
            key=key,
            theme=None,
            config=config,
            on_select="rerun",
            selection_mode=selection_mode,
        )
    st.plotly_chart(fig, key=key, theme=None, config=config)
    return None


def selected_points(event: Any) -> list[dict[str, Any]]:
    """Return the points a chart selection event holds (an empty list when none)."""
    if not event:
        return []
    selection = event.get("selection") if isinstance(event, dict) else event.selection
    if not selection:
        return []
    points = selection.get("points") if isinstance(selection, dict) else selection.points
    return list(points or [])


def download_csv(frame: pd.DataFrame, name: str, key: str) -> None:
    """Draw a button that downloads frame as CSV, formula-looking cells neutralised."""
    st.download_button(
        _("Download CSV"),
        export.csv_bytes(frame),
        file_name=export.file_name(name),
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def table(
    frame: pd.DataFrame,
    key: str,
    *,
    name: str,
    column_config: dict[str, Any] | None = None,
    height: int | str = "content",
) -> None:
    """Draw a table with its CSV download below it."""
    st.dataframe(
        frame, hide_index=True, column_config=column_config, height=height, key=f"{key}_table"
    )
    download_csv(frame, name, key=f"{key}_csv")


def empty_state(message: str, hint: str | None = None) -> None:
    """Draw what a section shows when the filters leave nothing to show, and what to try."""
    text = message if hint is None else f"{message} {hint}"
    st.info(text, icon=":material/filter_alt_off:")


def deal_links(frame: pd.DataFrame, key: str, *, name: str, id_column: str = "deal_id") -> None:
    """Draw the deals behind a selection: a table whose rows open in the Deals page's timeline.

    Selecting a row and pressing the button switches to the Deals page with the global filters
    kept (they are in the URL) and ?deal= set.
    """
    if frame.empty:
        empty_state(_("No deals behind this selection."))
        return
    event = st.dataframe(
        frame,
        hide_index=True,
        key=f"{key}_deals",
        on_select="rerun",
        selection_mode="single-row",
        height=min(400, 38 + 35 * len(frame)),
    )
    rows = event.selection.rows if event else []
    left, right = st.columns([1, 3])
    with left:
        download_csv(frame, name, key=f"{key}_deals_csv")
    with right:
        chosen = frame.iloc[rows[0]][id_column] if rows else None
        if st.button(
            _("Open the selected deal's timeline"),
            key=f"{key}_open",
            disabled=chosen is None,
            icon=":material/timeline:",
        ):
            params = {k: st.query_params.get_all(k) for k in st.query_params}
            params[DEAL_PARAM] = [str(chosen)]
            st.switch_page(DEALS_PAGE, query_params=params)


def drill_pick(
    label: str,
    options: Sequence[Any],
    event: Any,
    key: str,
    *,
    from_point: Any,
    format_func: Any = str,
) -> Any:
    """Draw a picker of what to drill into, set by clicking the chart or by hand; return it.

    from_point maps a selected chart point to an option (None when it maps to none). A new
    chart selection moves the picker; otherwise the picker keeps what the user chose, so
    AppTest and keyboard users drill down through the same widget as mouse users.
    """
    pick_key = f"{key}_pick"
    seen_key = f"{key}_seen"
    picked = [from_point(p) for p in selected_points(event)]
    picked = [p for p in picked if p is not None and p in options]
    signature = tuple(map(str, picked))
    if picked and st.session_state.get(seen_key) != signature:
        st.session_state[pick_key] = picked[0]
    st.session_state[seen_key] = signature
    if st.session_state.get(pick_key) not in (None, *options):
        del st.session_state[pick_key]
    return st.selectbox(
        label,
        options,
        index=None,
        key=pick_key,
        format_func=format_func,
        placeholder=_("Click the chart or choose here"),
    )


def tabs(labels: Sequence[str], *, key: str, **kwargs: Any) -> Sequence[Any]:
    """Draw tabs with these labels (in the current language) and return them.

    A tab's state is its label, so a language switch would open the first tab again: the open
    tab is kept by its place instead and opened again when its label changes. (The URL of a
    bound tab may miss the tab after a switch until one is chosen again: Streamlit does not
    write a value set this way there; read_link reads a tab in either language.)
    """
    kept = f"_open_tab_{key}"
    place = st.session_state.get(kept)
    if st.session_state.get(key) not in labels and place is not None and place < len(labels):
        st.session_state[key] = labels[place]
    drawn = st.tabs(labels, key=key, **kwargs)
    st.session_state[kept] = next((i for i, tab in enumerate(drawn) if tab.open), 0)
    return drawn
