"""The global filters in the sidebar: kept in session state under `filter_` keys and in the URL.

Each widget is bound to a query parameter of the same name (`bind="query-params"`), so the
values survive page changes and a copied URL reproduces the view:
`?filter_pipeline=Default&filter_period=Last+quarter&filter_owner=Aiko+Tanaka` (the period as
shown; a link may also give it by its key, `last_quarter`, or in the other language: see
`link_value`). Values equal to the default are left out of the URL. Team, owner and source have
their own lists; any other column of the deals (region, industry, a custom export column) is one
more condition below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import streamlit as st

from analytics.filters import NONE, Filters, dimension_values, dimensions
from analytics.quality import data_as_of
from analytics.status import pipelines
from pages.shared import formatting, periods
from pages.shared.connection import Store, query
from pages.shared.locale import _, label_in_language
from pages.shared.periods import Period
from pages.shared.sticky import remember, sticky

KEY_PREFIX = "filter_"
KEY_PIPELINE = KEY_PREFIX + "pipeline"
KEY_PERIOD = KEY_PREFIX + "period"
KEY_RANGE = KEY_PREFIX + "range"
KEY_AS_OF = KEY_PREFIX + "as_of"
KEY_DIMENSION = KEY_PREFIX + "dimension"

ALL_PIPELINES = ""  # the option meaning "no pipeline filter"; pipeline names are never empty
NO_DIMENSION = ""

# The deal columns with a list of their own, in sidebar order, with their label.
LISTED = {"team": "Team", "owner": "Owner", "source": "Source"}


def list_key(column: str) -> str:
    """Return the session-state key (and URL parameter) of a listed column's filter."""
    return KEY_PREFIX + column


def dimension_key(column: str) -> str:
    """Return the key (and URL parameter) of the values chosen for another column."""
    return KEY_PREFIX + "values_" + column


def _remember_all() -> None:
    for key in [k for k in st.session_state if str(k).startswith(KEY_PREFIX)]:
        remember(key)


@dataclass(frozen=True)
class GlobalFilters:
    """The global filter values as plain data: what every page passes on to analytics."""

    pipeline: str | None
    period: Period
    as_of: date
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def metric_filters(self) -> Filters:
        """Return the analytics filters these values stand for (period, as-of, conditions)."""
        return Filters.build(
            self.period.start, self.period.end, self.as_of, self.pipeline, dict(self.where)
        )

    def previous(self) -> GlobalFilters | None:
        """Return the same filters over the previous period (None when there is none)."""
        before = self.period.previous()
        return None if before is None else replace(self, period=before)

    def describe(self) -> str:
        """Return the filters in one line for people."""
        parts = [
            _("Pipeline {name}").format(name=self.pipeline) if self.pipeline else _("All pipelines")
        ]
        parts.append(self.period.describe())
        for column, values in self.where:
            parts.append(f"{column_label(column)}: {', '.join(values)}")
        return " · ".join(parts)


def column_label(column: str) -> str:
    """Return how a deal column is named for people ("Owner", "region")."""
    return _(LISTED[column]) if column in LISTED else column


def _pipeline_label(option: str) -> str:
    return _("All pipelines") if option == ALL_PIPELINES else option


def _dimension_label(option: str) -> str:
    return _("(choose a column)") if option == NO_DIMENSION else option


def _value_label(value: str) -> str:
    return _("(empty)") if value == NONE else value


def link_value(key: str, value: str) -> str:
    """Return a filter value a link gives as the filter's widget writes it in the current language.

    A link may give the period by its key (`last_quarter`), and a period or an empty value in the
    other language (a link copied before a language switch). Other values are data, or defaults
    that are left out of the URL anyway.
    """
    if key == KEY_PERIOD:
        labels = periods.CHOICES
        return label_in_language(labels.get(value, value), labels.values())
    if key in map(list_key, LISTED) or key.startswith(dimension_key("")):
        return label_in_language(value, ["(empty)"])
    return value


def sidebar_filters(store: Store) -> GlobalFilters:
    """Draw the global filters in the sidebar and return their values."""
    names = tuple(query(store, pipelines))
    data_day = query(store, data_as_of, date.today())
    with st.sidebar:
        st.subheader(_("Filters"), anchor=False)
        choice = st.selectbox(
            _("Period"),
            tuple(periods.CHOICES),
            index=tuple(periods.CHOICES).index(periods.DEFAULT_PERIOD),
            format_func=lambda key: _(periods.CHOICES[key]),
            **sticky(KEY_PERIOD, tuple(periods.CHOICES)),
        )
        as_of = st.date_input(
            _("As of"),
            value=data_day,
            min_value=periods.EARLIEST,
            max_value=date(data_day.year + 10, 12, 31),
            format="YYYY-MM-DD",
            **sticky(KEY_AS_OF),
            help=_(
                "The day the figures describe: deals open, won or lost by the end of that day. "
                "It defaults to the last day of the data."
            ),
        )
        as_of = as_of or data_day
        custom = None
        if choice == periods.CUSTOM:
            custom = st.date_input(
                _("From – to"),
                value=periods.default_custom_range(as_of),
                # Streamlit's default lower bound is ten years back; exports go further.
                min_value=periods.EARLIEST,
                max_value=date(as_of.year + 10, 12, 31),
                format="YYYY-MM-DD",
                **sticky(KEY_RANGE),
            )
        period = periods.resolve(choice, as_of, tuple(custom) if custom else None)
        pipeline = st.selectbox(
            _("Pipeline"),
            (ALL_PIPELINES, *names),
            format_func=_pipeline_label,
            **sticky(KEY_PIPELINE, (ALL_PIPELINES, *names)),
        )
        where: dict[str, tuple[str, ...]] = {}
        scope = Filters(pipeline=pipeline or None)
        for column, label in LISTED.items():
            options = tuple(query(store, dimension_values, scope, column))
            chosen = st.multiselect(
                _(label),
                options,
                format_func=_value_label,
                **sticky(list_key(column), options),
                placeholder=_("All"),
            )
            if chosen:
                where[column] = tuple(chosen)
        others = tuple(c for c in query(store, dimensions) if c not in LISTED and c != "pipeline")
        dimension = st.selectbox(
            _("Another column"),
            (NO_DIMENSION, *others),
            format_func=_dimension_label,
            **sticky(KEY_DIMENSION, (NO_DIMENSION, *others)),
            help=_("Filter on any other column of the deals, custom export columns included."),
        )
        if dimension:
            options = tuple(query(store, dimension_values, scope, dimension))
            chosen = st.multiselect(
                _("Values of {column}").format(column=dimension),
                options,
                format_func=_value_label,
                **sticky(dimension_key(dimension), options),
                placeholder=_("All"),
            )
            if chosen:
                where[dimension] = tuple(chosen)
        filters = GlobalFilters(pipeline or None, period, as_of, tuple(sorted(where.items())))
        _remember_all()
        st.caption(
            _("{dates} · as of {day}").format(dates=period.dates(), day=formatting.day(as_of))
        )
    return filters
