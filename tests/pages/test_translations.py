"""Every interface text has its Japanese translation, with the same placeholders."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import string
from pathlib import Path

import pytest

import analytics
import pages.translations as package
from analytics.errors import AnalyticsError
from pages.shared import filters, periods
from pages.shared.navigation import PAGES
from pages.translations import JA

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([ROOT / "dashboard.py", *(ROOT / "pages").rglob("*.py")])


def calls(path: Path, name: str) -> list[ast.Call]:
    """Return the calls of the bare name `name` in a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def literal_texts(path: Path) -> set[str]:
    """Return the string literals passed to _() and plural() (both forms) in a source file."""
    texts = {c.args[0].value for c in calls(path, "_") if c.args and is_text(c.args[0])}
    return texts | {a.value for c in calls(path, "plural") for a in c.args[1:3] if is_text(a)}


def plural_pairs(path: Path) -> set[tuple[str, str]]:
    """Return the (one, other) string literals passed to plural() in a source file."""
    return {
        (c.args[1].value, c.args[2].value)
        for c in calls(path, "plural")
        if all(is_text(a) for a in c.args[1:3])
    }


def error_titles() -> set[str]:
    """Return the title of every error the analytics package raises (shown by show_error)."""
    for module in pkgutil.iter_modules(analytics.__path__):
        if module.name != "__main__":  # importing it would run the command line
            importlib.import_module(f"analytics.{module.name}")
    found, pending = set(), [AnalyticsError]
    while pending:
        cls = pending.pop()
        found.add(cls.title)
        pending.extend(cls.__subclasses__())
    return found


def texts_passed_as_values() -> set[str]:
    """Return the texts translated at run time from tables rather than literals."""
    texts = set(periods.CHOICES.values()) | set(filters.LISTED.values()) | error_titles()
    for page in PAGES:
        texts |= {page.title, page.help, page.section}
    return texts


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


ALL_TEXTS = sorted(
    {(str(p.relative_to(ROOT)), t) for p in SOURCES for t in literal_texts(p)}
    | {("tables", t) for t in texts_passed_as_values()}
)


def test_the_scan_finds_the_frame_texts():
    # Guards the scan itself: texts known to be wrapped in _() are found.
    found = {t for _, t in ALL_TEXTS}
    assert {"Filters", "Download CSV", "How is this computed?", "This quarter"} <= found
    assert {"Import refused", "Database in use", "Unknown deal"} <= found
    assert {"{n} day", "{n} days"} <= found


@pytest.mark.parametrize(("source", "text"), ALL_TEXTS)
def test_every_text_has_a_japanese_translation(source, text):
    assert text in JA, f"{source}: no Japanese for {text!r}"
    assert JA[text].strip(), f"{source}: empty Japanese for {text!r}"
    assert placeholders(JA[text]) == placeholders(text), text


PLURAL_PAIRS = sorted({pair for p in SOURCES for pair in plural_pairs(p)})


def test_the_scan_finds_the_plural_pairs():
    assert ("{n} day", "{n} days") in PLURAL_PAIRS


@pytest.mark.parametrize(("one", "other"), PLURAL_PAIRS)
def test_both_forms_of_a_count_text_have_one_japanese(one, other):
    # Japanese has no plural: a count reads the same whatever it is.
    assert JA.get(one) == JA.get(other)


def test_catalogs_agree_where_they_share_a_text():
    # The catalogs are merged into one dict: two translations of one text would let the
    # module order decide which one every page shows.
    first: dict[str, tuple[str, str]] = {}
    clashes = []
    for module in package.catalogs():
        name = module.__name__.rsplit(".", 1)[-1]
        for text, japanese in module.JA.items():
            if text in first and first[text][1] != japanese:
                clashes.append((text, first[text], (name, japanese)))
            first.setdefault(text, (name, japanese))
    assert clashes == []
