"""Widget values that survive a page change, whatever the URL holds on the way.

The global filters and the language are bound to the URL (`bind="query-params"`), and Streamlit
seeds a bound widget from the URL. On a switch through the sidebar navigation the first run of
the new page can see an empty query string, so the widget falls back to its default (seen with
Streamlit 1.67: Japanese on one page, English on the next). Each sticky widget therefore keeps a
copy of its value under a private key, updated by its on_change callback (which runs before the
script) and after every run, and gets that copy back before it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

_KEPT = "_kept_"


def restore(key: str, options: Sequence[Any] | None = None) -> None:
    """Give the widget `key` the value it had at the end of the previous run, if any.

    With options, values no longer among them (an owner of another pipeline) are dropped.
    """
    kept = _KEPT + key
    if kept not in st.session_state:
        return
    value = st.session_state[kept]
    if options is not None:
        if isinstance(value, list):
            value = [v for v in value if v in options]
        elif value not in options:
            return
    st.session_state[key] = value


def remember(key: str) -> None:
    """Keep the widget's current value for the next run (also its on_change callback)."""
    st.session_state[_KEPT + key] = st.session_state.get(key)


def sticky(key: str, options: Sequence[Any] | None = None) -> dict[str, Any]:
    """Restore the widget's value and return the keyword arguments that keep it up to date."""
    restore(key, options)
    return {"key": key, "bind": "query-params", "on_change": remember, "args": (key,)}
