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


def style_sheets(tree: ast.Module) -> set[str]:
    """Return the module-level names bound to a CSS file beside the module (`X = Path(__file__)
    .with_name("x.css")`): the one thing st.html may be given."""
    return {
        target.id
        for node in module_level_statements(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "with_name"
        and isinstance(node.value.args[0], ast.Constant)
        and str(node.value.args[0].value).endswith(".css")
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def html_calls(tree: ast.Module) -> list[ast.Call]:
    """Return the st.html(...) calls of a module."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "html"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "st"
    ]


@pytest.mark.parametrize("path", APP_MODULES, ids=rel)
def test_pages_never_use_unsafe_html(path):
    source = path.read_text()
    assert "unsafe_allow_html=True" not in source
    # Text from the data never reaches st.html: it only ever gets the app's own style sheet.
    tree = ast.parse(source, filename=str(path))
    sheets = style_sheets(tree)
    for call in html_calls(tree):
        (argument,) = call.args
        assert isinstance(argument, ast.Name) and argument.id in sheets, (
            f"{rel(path)} line {call.lineno}: st.html given something other than a style sheet"
        )


def test_the_html_check_tells_a_style_sheet_from_data():
    sheet = ast.parse('S = Path(__file__).with_name("a.css")\nst.html(S)\nst.html(name)\n')
    assert style_sheets(sheet) == {"S"}
    assert [c.args[0].id for c in html_calls(sheet)] == ["S", "name"]


def test_the_checks_catch_a_module_level_connection():
    tree = ast.parse("import duckdb\ncon = duckdb.connect('x')\ndef f():\n    duckdb.connect()\n")
    lines = [n.lineno for n in module_level_statements(tree) if is_duckdb_call(n, ("connect",))]
    assert lines == [2]
    assert "streamlit" in imported_modules(ast.parse("from streamlit import cache_data"))
