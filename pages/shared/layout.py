"""The frame of every page: page config, connection, sidebar filters, title, and error display.

Every page script starts with `ctx = page_setup(TITLE)`. The page then works the same inside
the navigation of `dashboard.py` and when run on its own (as `AppTest.switch_page` runs it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from analytics.errors import AnalyticsError
from pages.shared.connection import Store, get_store, query
from pages.shared.filters import GlobalFilters, link_value, sidebar_filters
from pages.shared.formatting import escape_markdown
from pages.shared.locale import ENGLISH, LANGUAGES, _, label_in_language, set_language
from pages.shared.messages import message
from pages.shared.navigation import build_navigation, legacy_navigation_active
from pages.shared.sticky import remember, sticky

T = TypeVar("T")


@dataclass(frozen=True)
class PageContext:
    """What a page gets from the frame: the store and the global filter values."""

    store: Store
    filters: GlobalFilters

    def query(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Return function(cursor, *args, **kwargs) on the store, cached (see connection.query)."""
        return query(self.store, function, *args, **kwargs)


KEY_LANGUAGE = "lang"
# Sent as style only, so it takes no room on the page.
STYLE = Path(__file__).with_name("app.css")


def language_switch() -> None:
    """Draw the language switch at the top of the sidebar and make its choice current."""
    set_language(st.session_state.get(KEY_LANGUAGE) or "en")
    with st.sidebar:
        choice = st.segmented_control(
            _("Language"),
            tuple(LANGUAGES),
            default="en",
            required=True,
            # The URL holds the shown label: ?lang=JA.
            format_func=str.upper,
            help="English / 日本語",
            **sticky(KEY_LANGUAGE, tuple(LANGUAGES)),
            label_visibility="collapsed",
        )
    remember(KEY_LANGUAGE)
    set_language(choice or "en")


def read_link(labelled: Mapping[str, Iterable[str]] | None = None) -> None:
    """Write a link's values in the URL as the widgets write them, then run the page again.

    A widget bound to the URL reads from it only the text it writes there itself (the language
    code in capitals, a choice by its label in the page's language) and drops anything else from
    the URL, so `?lang=ja`, or a period given by its key or in the other language, would be lost
    from a link copied afterwards. `labelled` gives the page's own parameters whose values are
    interface texts (a tab, a sort order), with their labels in English: those are taken in
    either language too. The widgets read the URL as it was when the run started, hence the
    second run. A bound parameter cannot be set once its widget is drawn, so this is done only
    before the session first draws the language switch, the first bound widget; from then on the
    widgets write the URL themselves.
    """
    if KEY_LANGUAGE in st.session_state:
        return
    given = {key: st.query_params.get_all(key) for key in st.query_params}
    code = given.get(KEY_LANGUAGE, [ENGLISH])[-1].lower()
    set_language(code)
    labelled = labelled or {}
    written = {
        key: [
            label_in_language(v, labelled[key]) if key in labelled else link_value(key, v)
            for v in values
        ]
        for key, values in given.items()
    }
    if KEY_LANGUAGE in given and code in LANGUAGES:
        written[KEY_LANGUAGE] = [code.upper()]
    changed = {key: values for key, values in written.items() if values != given[key]}
    if changed:
        st.query_params.update(changed)
        st.rerun()


def page_title(title: str, caption: str | None = None) -> None:
    """Draw the page's title and, below it, a one-line caption."""
    st.title(title, anchor=False)
    if caption:
        st.caption(caption)


def show_error(error: AnalyticsError) -> None:
    """Show an error the analytics package raised on purpose: its title and message, literally,
    in the interface language where the catalogs have them."""
    title, text = _(error.title), message(str(error))
    st.error(f"**{escape_markdown(title)}**: {escape_markdown(text)}")


def page_setup(
    title: str,
    caption: str | None = None,
    *,
    labelled: Mapping[str, Iterable[str]] | None = None,
) -> PageContext:
    """Set up a page: open the store, draw the global filters and the title; return the context.

    labelled: the page's URL parameters whose values are interface texts (see read_link).
    When the store cannot be opened (another program holds the database, say) the page shows
    why and stops there.
    """
    if legacy_navigation_active():
        # A page URL was the server's first request: declare the real navigation, then run
        # again through it (same URL and query), so the sidebar shows the sections.
        build_navigation()
        st.rerun()
    read_link(labelled)
    st.html(STYLE)
    language_switch()
    title, caption = _(title), (_(caption) if caption else None)
    st.set_page_config(page_title=title, page_icon=":material/monitoring:", layout="wide")
    try:
        store = get_store()
    except AnalyticsError as error:
        page_title(title)
        show_error(error)
        st.stop()
    filters = sidebar_filters(store)
    page_title(title, caption)
    return PageContext(store, filters)
