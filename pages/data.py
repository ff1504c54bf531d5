"""Loaded data: what the database holds, whether its stage history can be trusted, what to fix."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.status import FIDELITY_LABELS, StoreStatus, store_status
from pages.shared import formatting
from pages.shared.layout import page_setup

TITLE = "Data"

# The tables shown as tiles, with the name people read.
TILES = {
    "deals": "Deals",
    "stage_events": "Stage events",
    "activities": "Activities",
    "leads": "Leads",
    "organizations": "Organizations",
    "contacts": "Contacts",
    "targets": "Targets",
}

TABLE_LABELS = {
    **TILES,
    "pipelines_stages": "Pipeline stages",
    "exchange_rates": "Exchange rates",
    "snapshots": "Snapshots",
    "deal_changes": "Deal changes",
}


def tables_frame(status: StoreStatus) -> pd.DataFrame:
    """Return one row per table: its name, rows and date range (a dash where there is none)."""
    return pd.DataFrame(
        [
            (
                TABLE_LABELS.get(t.name, t.name),
                t.rows,
                formatting.day(t.first),
                formatting.day(t.last),
            )
            for t in status.tables
        ],
        columns=["Table", "Rows", "First date", "Last date"],
    )


def pipelines_frame(status: StoreStatus) -> pd.DataFrame:
    """Return one row per pipeline: its name, number of stages and stages in order."""
    return pd.DataFrame(
        [(name, len(stages), " → ".join(stages)) for name, stages in status.pipelines.items()],
        columns=["Pipeline", "Stages", "Stages in order"],
    )


def fidelity_frame(status: StoreStatus) -> pd.DataFrame:
    """Return one row per source of stage history: deals and their share of all deals."""
    total = sum(status.fidelity.values())
    return pd.DataFrame(
        [
            (FIDELITY_LABELS[source], n, formatting.share(n, total))
            for source, n in status.fidelity.items()
        ],
        columns=["Source of the stage history", "Deals", "Share"],
    )


def quality_frame(status: StoreStatus) -> pd.DataFrame:
    """Return one row per data-quality check: what it looks for and how many records fail it."""
    return pd.DataFrame([(q.label, q.count) for q in status.quality], columns=["Check", "Records"])


ctx = page_setup(
    TITLE,
    "Everything in the database. These counts ignore the filters; the analysis pages use them.",
)
status = ctx.query(store_status)
first, last = status.deal_dates

with st.container(horizontal=True, key="home_tiles"):
    for table, label in TILES.items():
        st.metric(label, formatting.count(status.rows(table)), border=True, width="content")
st.markdown(f"**Deals created:** {formatting.day_range(first, last)}")
st.caption(f"Database file: {formatting.escape_markdown(str(ctx.store.path))}")

left, right = st.columns(2, gap="large")
with left, st.container(key="home_tables"):
    st.subheader("Tables", anchor=False)
    st.dataframe(
        tables_frame(status),
        hide_index=True,
        height="content",
        column_config={"Rows": st.column_config.NumberColumn(format="localized")},
    )
with right, st.container(key="home_fidelity"):
    st.subheader("Stage history", anchor=False)
    summary = status.fidelity_summary
    st.text(summary[:1].upper() + summary[1:])
    st.dataframe(
        fidelity_frame(status),
        hide_index=True,
        height="content",
        column_config={"Deals": st.column_config.NumberColumn(format="localized")},
    )
with st.container(key="home_pipelines"):
    st.subheader("Pipelines and their stages", anchor=False)
    if status.pipelines:
        st.dataframe(
            pipelines_frame(status),
            hide_index=True,
            height="content",
            column_config={"Stages": st.column_config.NumberColumn(width="small")},
        )
    else:
        st.info(
            "No pipelines defined yet. Define them on the Data page or import a pipelines file."
        )
with st.container(key="home_quality"):
    st.subheader("Data quality", anchor=False)
    flagged = sum(1 for q in status.quality if q.count)
    st.caption(f"{flagged} of {len(status.quality)} checks find records to look at.")
    st.dataframe(
        quality_frame(status),
        hide_index=True,
        height="content",
        column_config={
            "Check": st.column_config.TextColumn(width="large"),
            "Records": st.column_config.NumberColumn(format="localized"),
        },
    )
