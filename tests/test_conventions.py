"""Rules of the layers, checked on the source: analytics never draws, pages never open DuckDB."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANALYTICS = sorted((ROOT / "analytics").rglob("*.py"))
APP_MODULES = sorted([ROOT / "dashboard.py", *(ROOT / "pages").rglob("*.py")])


def imported_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def module_level_statements(tree: ast.Module):
    """Yield the statements that run on import (not the bodies of functions or classes)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield node
        pending.extend(
            child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt | ast.expr)
        )


def is_duckdb_call(node: ast.AST, names: tuple[str, ...]) -> bool:
    """Return True for a call duckdb.<name>(...) with name in names."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "duckdb"
    )


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_is_something_to_check():
    assert ANALYTICS
    assert ROOT / "pages" / "data.py" in APP_MODULES


@pytest.mark.parametrize("path", ANALYTICS, ids=rel)
def test_analytics_never_imports_streamlit(path):
    modules = imported_modules(ast.parse(path.read_text(), filename=str(path)))
    assert not {m for m in modules if m == "streamlit" or m.startswith("streamlit.")}


@pytest.mark.parametrize("path", APP_MODULES, ids=rel)
def test_app_never_imports_names_from_duckdb(path):
    # `from duckdb import connect` would hide a connection from the check below.
    tree = ast.parse(path.read_text(), filename=str(path))
    assert not any(
        isinstance(node, ast.ImportFrom) and node.module == "duckdb" for node in ast.walk(tree)
    )


@pytest.mark.parametrize("path", APP_MODULES, ids=rel)
def test_no_duckdb_connection_at_module_level(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    offending = [
        f"line {node.lineno}"
        for node in module_level_statements(tree)
        if is_duckdb_call(node, ("connect", "sql", "query", "execute"))
    ]
    assert not offending, f"{rel(path)} opens DuckDB on import: {', '.join(offending)}"


@pytest.mark.parametrize("path", APP_MODULES, ids=rel)
def test_pages_never_use_unsafe_html(path):
    source = path.read_text()
    assert "unsafe_allow_html=True" not in source
    assert "st.html(" not in source


def test_the_checks_catch_a_module_level_connection():
    tree = ast.parse("import duckdb\ncon = duckdb.connect('x')\ndef f():\n    duckdb.connect()\n")
    lines = [n.lineno for n in module_level_statements(tree) if is_duckdb_call(n, ("connect",))]
    assert lines == [2]
    assert "streamlit" in imported_modules(ast.parse("from streamlit import cache_data"))
