"""The list of pages: one entry per page script, in the order the sidebar shows them.

Adding a page is one line here plus the page script; `dashboard.py` builds the navigation
from this list and the e2e tests visit every entry.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        path="pages/home.py",
        title="Loaded data",
        icon=":material/database:",
        url_path="loaded-data",
        section="Data",
        help="What the database holds: row counts, date ranges, pipelines, how the stage "
        "history was obtained, and data-quality counts.",
        default=True,
    ),
)


def sections(pages: tuple[PageSpec, ...] = PAGES) -> dict[str, list[PageSpec]]:
    """Return the pages grouped by section, sections in order of first appearance."""
    out: dict[str, list[PageSpec]] = {}
    for page in pages:
        out.setdefault(page.section, []).append(page)
    return out
