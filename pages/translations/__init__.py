"""Japanese text of the interface, one module per page plus `shared` for the common widgets.

Each module holds `JA`: English interface text (as written in `_()` calls) → Japanese. They are
merged here; tests/pages/test_translations.py checks that every `_()` text has an entry.
`messages` is the exception: it translates the importer's messages by pattern, not by text.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def catalogs() -> list[ModuleType]:
    """Return the modules holding a `JA` dict, in file order."""
    return [
        importlib.import_module(f"{__name__}.{module.name}")
        for module in pkgutil.iter_modules(__path__)
        if module.name != "messages"
    ]


def _merged() -> dict[str, str]:
    merged: dict[str, str] = {}
    for module in catalogs():
        merged.update(module.JA)
    return merged


JA: dict[str, str] = _merged()
