"""Every metric module declares its definitions, and every public function says what it returns."""

from __future__ import annotations

import importlib
import inspect

import pytest

from analytics.definitions import METRIC_MODULES, Definition, all_definitions, define, definition


def test_every_metric_module_declares_at_least_one_definition():
    defs = all_definitions()
    for name in METRIC_MODULES:
        module = importlib.import_module(name)
        declared = [v for v in vars(module).values() if isinstance(v, Definition)]
        assert declared, f"{name} declares no metric definition"
        for d in declared:
            assert defs[d.key] is d


@pytest.mark.parametrize("key", sorted(all_definitions()))
def test_each_definition_is_complete(key):
    d = definition(key)
    for field in ("key", "label", "numerator", "anchor", "excludes", "unit"):
        assert isinstance(getattr(d, field), str) and getattr(d, field).strip(), field
    assert d.denominator is None or d.denominator.strip()
    assert d.numerator in d.sentence() and d.anchor in d.sentence()


def test_a_key_is_declared_once():
    key = next(iter(all_definitions()))
    with pytest.raises(ValueError, match="defined twice"):
        define(key, "x", "x", None, "x", "x", "count")


def _public_functions():
    for name in METRIC_MODULES + ("analytics.filters", "analytics.headline", "analytics.stats"):
        module = importlib.import_module(name)
        for fname, fn in vars(module).items():
            if inspect.isfunction(fn) and not fname.startswith("_") and fn.__module__ == name:
                yield pytest.param(fn, id=f"{name}.{fname}")


@pytest.mark.parametrize("fn", list(_public_functions()))
def test_public_functions_have_a_docstring_and_type_hints(fn):
    assert inspect.getdoc(fn), "no docstring"
    hints = inspect.signature(fn)
    assert hints.return_annotation is not inspect.Signature.empty, "no return type"
    for p in hints.parameters.values():
        if p.name not in ("self", "cls"):
            assert p.annotation is not inspect.Parameter.empty, f"{p.name} has no type"
