"""The importer's messages in the interface language (pages/translations/messages.py)."""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from pages.shared.locale import ENGLISH, _, language
from pages.translations.messages import PATTERNS


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, re.DOTALL), text) for pattern, text in PATTERNS)


def japanese(message: str) -> str | None:
    """Return the Japanese of one importer message, or None when no entry matches it.

    A group named reason holds another message ("rows not imported: <reason>"): it is
    translated too.
    """
    for pattern, text in _compiled():
        match = pattern.fullmatch(message)
        if match:
            values = match.groupdict()
            if values.get("reason") is not None:
                values["reason"] = japanese(values["reason"]) or values["reason"]
            return text.format(**values)
    return None


def message(text: str) -> str:
    """Return an importer message in the interface language (as written when none matches)."""
    if language() == ENGLISH or not isinstance(text, str):
        return text
    return japanese(text) or text


def translated(frame: pd.DataFrame) -> pd.DataFrame:
    """Return an importer's table of problems or notes with its column names, and the
    messages in it, in the interface language."""
    frame = frame.copy()
    for column in ("Problem", "Note"):
        if column in frame.columns:
            frame[column] = frame[column].map(message)
    return frame.rename(columns=_)
