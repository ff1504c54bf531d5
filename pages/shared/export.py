"""What a downloaded table holds: CSV text a spreadsheet opens safely (no Streamlit here)."""

from __future__ import annotations

import pandas as pd

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return value, with a text that a spreadsheet would run as a formula prefixed by a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return frame as UTF-8 CSV (with a BOM, so Excel reads Japanese text), formulas defused.

    Numbers stay numbers: only text cells are touched, so a negative amount is still -5.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8-sig")


def file_name(*parts: str, extension: str = "csv") -> str:
    """Return a download's file name from its parts ("funnel-default-2025-q2.csv")."""
    cleaned = [
        "".join(c if c.isalnum() else "-" for c in part.strip()).strip("-").lower()
        for part in parts
        if part and part.strip()
    ]
    return "-".join(p for p in cleaned if p) + "." + extension
