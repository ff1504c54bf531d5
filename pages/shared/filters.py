"""The global filters in the sidebar: kept in session state under `filter_` keys and in the URL.

Each widget is bound to a query parameter of the same name (`bind="query-params"`), so the
values survive page changes and a copied URL reproduces the view: `?filter_pipeline=Default&
filter_period=last_quarter`. Values equal to the default are left out of the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics.quality import data_as_of
from analytics.status import pipelines
from pages.shared import formatting, periods
from pages.shared.connection import Store, query
from pages.shared.periods import Period

KEY_PREFIX = "filter_"
KEY_PIPELINE = KEY_PREFIX + "pipeline"
KEY_PERIOD = KEY_PREFIX + "period"
KEY_RANGE = KEY_PREFIX + "range"

ALL_PIPELINES = ""  # the option meaning "no pipeline filter"; pipeline names are never empty


@dataclass(frozen=True)
class GlobalFilters:
    """The global filter values as plain data: what every page passes on to analytics."""

    pipeline: str | None
    period: Period
    as_of: date

    def describe(self) -> str:
        """Return the filters in one line for people."""
        pipeline = f"Pipeline {self.pipeline}" if self.pipeline else "All pipelines"
        return f"{pipeline} · {self.period.describe()}"


def _pipeline_label(option: str) -> str:
    return "All pipelines" if option == ALL_PIPELINES else option


def sidebar_filters(store: Store) -> GlobalFilters:
    """Draw the global filters in the sidebar and return their values."""
    names = tuple(query(store, pipelines))
    as_of = query(store, data_as_of, date.today())
    with st.sidebar:
        st.subheader("Filters")
        pipeline = st.selectbox(
            "Pipeline",
            (ALL_PIPELINES, *names),
            format_func=_pipeline_label,
            key=KEY_PIPELINE,
            bind="query-params",
        )
        choice = st.selectbox(
            "Period",
            tuple(periods.CHOICES),
            index=tuple(periods.CHOICES).index(periods.DEFAULT_PERIOD),
            format_func=periods.CHOICES.__getitem__,
            key=KEY_PERIOD,
            bind="query-params",
        )
        custom = None
        if choice == periods.CUSTOM:
            custom = st.date_input(
                "From – to",
                value=periods.default_custom_range(as_of),
                format="YYYY-MM-DD",
                key=KEY_RANGE,
                bind="query-params",
            )
        period = periods.resolve(choice, as_of, tuple(custom) if custom else None)
        filters = GlobalFilters(pipeline or None, period, as_of)
        st.caption(f"{period.dates()} · data as of {formatting.day(as_of)}")
    return filters
