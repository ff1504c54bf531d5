"""Japanese text of the interface, one module per page plus `shared` for the common widgets.

Each module holds `JA`: English interface text (as written in `_()` calls) → Japanese. They are
merged here; tests/pages/test_translations.py checks that every `_()` text has an entry.
"""

from __future__ import annotations

import importlib
import pkgutil


def _merged() -> dict[str, str]:
    merged: dict[str, str] = {}
    for module in pkgutil.iter_modules(__path__):
        merged.update(importlib.import_module(f"{__name__}.{module.name}").JA)
    return merged


JA: dict[str, str] = _merged()
