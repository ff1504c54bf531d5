"""The list of pages: one entry per page script, in the order the sidebar shows them.

Adding a page is one line here plus the page script; `dashboard.py` builds the navigation
from this list and the e2e tests visit every entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from pages.shared.locale import _


@dataclass(frozen=True)
class PageSpec:
    """One page: its script (relative to the project root), title, icon, URL path and section."""

    path: str
    title: str
    icon: str
    url_path: str
    section: str
    help: str
    default: bool = False

    @property
    def link(self) -> str:
        """Return the page's path in the app's URL: "" for the default page, else url_path."""
        return "" if self.default else self.url_path


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        path="pages/overview.py",
        title="Overview",
        icon=":material/dashboard:",
        url_path="overview",
        section="Pipeline",
        help="Are we on track? Won revenue against target, pace, forecast, win rate, cycle "
        "and pipeline, each against the previous period.",
        default=True,
    ),
    PageSpec(
        path="pages/funnel.py",
        title="Funnel",
        icon=":material/filter_alt:",
        url_path="funnel",
        section="Pipeline",
        help="Where do deals drop out? Stage-to-stage and cumulative conversion, by any "
        "dimension, and two periods side by side.",
    ),
    PageSpec(
        path="pages/velocity.py",
        title="Velocity",
        icon=":material/speed:",
        url_path="velocity",
        section="Pipeline",
        help="Where do deals get stuck? Time in each stage, the sales cycle and pipeline velocity.",
    ),
    PageSpec(
        path="pages/goals.py",
        title="Goals",
        icon=":material/flag:",
        url_path="goals",
        section="Pipeline",
        help="Who is on track? Attainment, pace and projection against every target, and the "
        "leaderboard. Targets are edited here.",
    ),
    PageSpec(
        path="pages/activities.py",
        title="Activities",
        icon=":material/call:",
        url_path="activities",
        section="Pipeline",
        help="Is the team doing the work? Activity volume, overdue tasks, activities per won "
        "deal, first response and follow-up after wins.",
    ),
    PageSpec(
        path="pages/weekly.py",
        title="Weekly meeting",
        icon=":material/groups:",
        url_path="weekly",
        section="Meeting",
        help="What changed? New, advanced, won, lost, slipped and stalled deals, the pipeline "
        "waterfall, and the meeting pack.",
    ),
    PageSpec(
        path="pages/deals.py",
        title="Deals",
        icon=":material/table_rows:",
        url_path="deals",
        section="Records",
        help="The records behind every chart, and one deal's timeline.",
    ),
    PageSpec(
        path="pages/data.py",
        title="Data",
        icon=":material/database:",
        url_path="data",
        section="Records",
        help="Import files, check them before anything is written, see what is loaded, declare "
        "pipelines and restore the sample data.",
    ),
)


def sections(pages: tuple[PageSpec, ...] = PAGES) -> dict[str, list[PageSpec]]:
    """Return the pages grouped by section, sections in order of first appearance."""
    out: dict[str, list[PageSpec]] = {}
    for page in pages:
        out.setdefault(page.section, []).append(page)
    return out


def build_navigation() -> StreamlitPage:
    """Declare the app's pages to Streamlit, in sections and in the current language; return
    the page the URL asks for."""
    return st.navigation(
        {
            _(section): [
                st.Page(
                    p.path,
                    title=_(p.title),
                    icon=p.icon,
                    url_path=p.url_path,
                    help=_(p.help),
                    default=p.default,
                )
                for p in specs
            ]
            for section, specs in sections().items()
        }
    )


def legacy_navigation_active() -> bool:
    """Return True while Streamlit still treats `pages/` as an old-style page folder.

    Streamlit decides that per process, and only the first `st.navigation` call changes its
    mind: when the first request a fresh server gets is a page's own URL (a copied link), it
    runs that page's script directly under a sidebar of file names. There is no public way to
    ask, hence the class attribute; `tests/e2e` opens a fresh server on a page URL to catch a
    Streamlit upgrade that changes it.
    """
    return bool(PagesManager.uses_pages_directory)
